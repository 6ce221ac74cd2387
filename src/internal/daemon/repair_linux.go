//go:build linux

// This file decides and acts on one change: ignore lists, stale-prone
// link, rate limit, dry run or heal mode, then the conntrack delete and the
// event that records it; and the flush method.

package daemon

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/vishvananda/netlink"

	"github.com/netfix/netfix/src/internal/flows"
	"github.com/netfix/netfix/src/internal/heal"
	"github.com/netfix/netfix/src/internal/report"
	"github.com/netfix/netfix/src/internal/status"
)

// linkName names an interface for events and the ignore list; d.mu is held.
func (d *Daemon) linkName(idx int) string {
	if idx == 0 {
		return ""
	}
	if n, ok := d.names[idx]; ok {
		return n
	}
	l, err := netlink.LinkByIndex(idx)
	if err != nil {
		return fmt.Sprintf("if%d", idx)
	}
	d.names[idx] = l.Attrs().Name
	return l.Attrs().Name
}

// repair deletes the offloaded entries a change made stale, if the link is
// stale-prone, the host is not ignored and not rate-limited.
func (d *Daemon) repair(c heal.Change, at time.Time) {
	d.confirmLayout(c.LinkIndex, time.Now())
	d.mu.Lock()
	defer d.mu.Unlock()
	iface := d.linkName(c.LinkIndex)
	ev := status.Event{
		Time: at.UTC(), Interface: iface, IP: c.IP.String(), Reason: c.Reason,
		OldMAC: c.OldMAC, NewMAC: c.NewMAC,
		OldPort: d.linkName(c.OldPort), NewPort: d.linkName(c.NewPort),
		DryRun: d.cfg.DryRun,
	}
	if c.Reason == heal.ReasonPortMove {
		ev.Roam = isWireless(sysClassNet, ev.OldPort) || isWireless(sysClassNet, ev.NewPort)
	}
	what := describe(ev)
	switch {
	case !d.cfg.Heal:
		d.log.Infof("%s; healing is off (option heal '0'), nothing deleted", what)
		return
	case d.cfg.Ignored(iface, c.IP):
		d.log.Debugf("%s; ignored by configuration", what)
		return
	case !d.prone[iface]:
		d.log.Debugf("%s; flows via %s are not stale-prone (the flowtable does not cache MACs there), nothing to do", what, iface)
		return
	}
	// One pass over the table: the limiter is asked at the first entry
	// of the host, and entries are deleted as the dump delivers them.
	pass, err := d.table.DeleteOffloaded(c.IP, d.cfg.DryRun, func() bool { return d.limiter.Allow(c.IP, at) })
	switch {
	case err != nil && pass.Matched == 0:
		d.log.Errorf("%s; cannot list conntrack entries: %v", what, err)
		return
	case pass.Matched == 0:
		d.log.Debugf("%s; no offloaded flow involves it", what)
		return
	case pass.Refused:
		ev.Error = fmt.Sprintf(status.RateLimitedPrefix+": more than %d repairs of this host within %s", d.cfg.RepairBurst, d.cfg.RepairWindow)
		d.log.Warnf("%s; %s", what, ev.Error)
		d.journal.add(ev)
		return
	}
	ev.FlowsDeleted = pass.Deleted
	ev.LatencyUS = time.Since(at).Microseconds()
	if err != nil {
		ev.Error = err.Error()
	}
	d.journal.add(ev)
	d.log.Infof("%s", report.EventLine(ev))
}

// Flush deletes the offloaded entries of ip now (the flush method). The
// configured dry run wins over the request: a daemon told to delete
// nothing deletes nothing, whoever asks.
func (d *Daemon) Flush(ip netip.Addr, dryRun bool) (status.Event, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	ev, err := flows.Flush(d.table, ip, dryRun || d.cfg.DryRun)
	if err != nil {
		return status.Event{}, fmt.Errorf("list conntrack entries: %w", err)
	}
	d.journal.add(ev)
	d.log.Infof("%s", report.EventLine(ev))
	return ev, nil
}

func describe(e status.Event) string {
	switch e.Reason {
	case heal.ReasonPortMove:
		if e.Roam {
			return fmt.Sprintf("%s (%s) on %s roamed from %s to %s", e.IP, e.NewMAC, e.Interface, e.OldPort, e.NewPort)
		}
		return fmt.Sprintf("%s (%s) on %s moved from port %s to %s", e.IP, e.NewMAC, e.Interface, e.OldPort, e.NewPort)
	case heal.ReasonFailed:
		return fmt.Sprintf("%s on %s is FAILED (last MAC %s)", e.IP, e.Interface, e.OldMAC)
	default:
		return fmt.Sprintf("%s on %s changed MAC %s -> %s (%s)", e.IP, e.Interface, e.OldMAC, e.NewMAC, e.Reason)
	}
}
