//go:build linux

// This file decides and acts on one change, on the events loop: ignore
// lists, stale-prone link, rate limit, dry run or heal mode, then the
// conntrack delete and the event that records it; and the flush method's
// delete.

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

// linkName names an interface for events and the ignore list.
func (e *eventsLoop) linkName(idx int) string {
	if idx == 0 {
		return ""
	}
	if n, ok := e.names[idx]; ok {
		return n
	}
	l, err := netlink.LinkByIndex(idx)
	if err != nil {
		return fmt.Sprintf("if%d", idx)
	}
	e.names[idx] = l.Attrs().Name
	return l.Attrs().Name
}

// repair decides a change now, or parks it when the decision needs a
// fresher flowtable layout (confirmLayout): a change never waits for a
// probe on this loop.
func (e *eventsLoop) repair(c heal.Change, at time.Time) {
	if now := time.Now(); e.layoutUnsure(c.LinkIndex, now) {
		e.park(c, at, now)
		return
	}
	e.decide(c, at)
}

// decide deletes the offloaded entries a change made stale, if the link is
// stale-prone (in the last published snapshot), the host is not ignored
// and not rate-limited.
func (e *eventsLoop) decide(c heal.Change, at time.Time) {
	cfg := e.config()
	iface := e.linkName(c.LinkIndex)
	ev := status.Event{
		Time: at.UTC(), Interface: iface, IP: c.IP.String(), Reason: c.Reason,
		OldMAC: c.OldMAC, NewMAC: c.NewMAC,
		OldPort: e.linkName(c.OldPort), NewPort: e.linkName(c.NewPort),
		DryRun: cfg.DryRun,
	}
	if c.Reason == heal.ReasonPortMove {
		ev.Roam = isWireless(sysClassNet, ev.OldPort) || isWireless(sysClassNet, ev.NewPort)
	}
	what := describe(ev)
	switch {
	case !cfg.Heal:
		e.log.Infof("%s; healing is off (option heal '0'), nothing deleted", what)
		return
	case cfg.Ignored(iface, c.IP):
		e.log.Debugf("%s; ignored by configuration", what)
		return
	case !e.pub.Load().prone[iface]:
		e.log.Debugf("%s; flows via %s are not stale-prone (the flowtable does not cache MACs there), nothing to do", what, iface)
		return
	}
	// One pass over the table: the limiter is asked at the first entry
	// of the host, and entries are deleted as the dump delivers them.
	pass, err := e.table.DeleteOffloaded(c.IP, cfg.DryRun, func() bool { return e.limiter.Allow(c.IP, at) })
	switch {
	case err != nil && pass.Matched == 0:
		e.log.Errorf("%s; cannot list conntrack entries: %v", what, err)
		return
	case pass.Matched == 0:
		e.log.Debugf("%s; no offloaded flow involves it", what)
		return
	case pass.Refused:
		ev.Error = fmt.Sprintf(status.RateLimitedPrefix+": more than %d repairs of this host within %s", cfg.RepairBurst, cfg.RepairWindow)
		e.log.Warnf("%s; %s", what, ev.Error)
		e.journal.add(ev)
		return
	}
	ev.FlowsDeleted = pass.Deleted
	ev.LatencyUS = time.Since(at).Microseconds()
	if err != nil {
		ev.Error = err.Error()
	}
	e.journal.add(ev)
	e.log.Infof("%s", report.EventLine(ev))
}

// flush deletes the offloaded entries of ip now (Daemon.Flush asks for
// it).
func (e *eventsLoop) flush(ip netip.Addr, dryRun bool) (status.Event, error) {
	ev, err := flows.Flush(e.table, ip, dryRun || e.config().DryRun)
	if err != nil {
		return status.Event{}, fmt.Errorf("list conntrack entries: %w", err)
	}
	e.journal.add(ev)
	e.log.Infof("%s", report.EventLine(ev))
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
