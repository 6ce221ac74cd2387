//go:build linux

package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ti-mo/conntrack"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netfix/netfix/src/internal/config"
	"github.com/netfix/netfix/src/internal/diagnose"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/flows"
	"github.com/netfix/netfix/src/internal/heal"
	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/probe"
	"github.com/netfix/netfix/src/internal/report"
	"github.com/netfix/netfix/src/internal/status"
	"github.com/netfix/netfix/src/internal/version"
)

// Options configure a daemon run.
type Options struct {
	ConfigPath string
	Socket     string
	// StatePath keeps the tracker across restarts (tmpfs on OpenWrt).
	StatePath string
	// Root is handed to the probe (UCI files).
	Root string
	// ForceDryRun overrides the config's dry_run.
	ForceDryRun bool
	Log         io.Writer
}

// DefaultStatePath lives on /var/run, a tmpfs: it survives a daemon
// restart but not a reboot, after which no offloaded flow exists anyway.
const DefaultStatePath = "/var/run/netfix/state.json"

// neighRcvBuf is the rtnetlink receive buffer. A bridge with many hosts
// sends bursts of FDB messages; a larger buffer makes overruns (ENOBUFS)
// rare, and a resync from a full dump covers the rest.
const neighRcvBuf = 4 << 20

// Daemon is one running healer.
type Daemon struct {
	opts Options
	log  *logger

	mu      sync.Mutex // guards everything below and the conntrack conn
	cfg     config.Config
	tracker *heal.Tracker
	limiter *heal.Limiter
	table   *flows.Table
	snap    facts.Snapshot
	prone   map[string]bool
	names   map[int]string
	since   time.Time

	journal    journal
	refreshing atomic.Bool // a refresh after a repair is under way
}

// Run starts the daemon and blocks until ctx ends or a fatal error.
func Run(ctx context.Context, opts Options) error {
	if opts.Log == nil {
		opts.Log = os.Stderr
	}
	d := &Daemon{opts: opts, log: &logger{w: opts.Log}, names: map[int]string{}, since: time.Now().UTC()}
	d.loadConfig()
	if !d.cfg.Enabled {
		d.log.Infof("disabled in %s (option enabled '0'); exiting", opts.ConfigPath)
		return nil
	}

	table, err := flows.Open()
	if err != nil {
		return err
	}
	defer table.Close()
	d.table = table

	d.tracker = heal.NewTracker()
	if st, err := heal.LoadState(opts.StatePath); err != nil {
		d.log.Warnf("%v", err)
	} else {
		d.tracker.Restore(st)
	}

	l, err := ipc.Listen(opts.Socket)
	if err != nil {
		return err
	}
	defer os.Remove(opts.Socket)
	go func() { _ = ipc.Serve(l, d.handle) }()
	defer l.Close()

	d.refreshSnapshot()

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	updates, done, err := d.subscribe()
	if err != nil {
		return err
	}
	// Reconcile: compare the saved state with the kernel's current tables.
	d.resync(heal.ReasonReconcile)
	d.repairFailed()
	d.saveState()
	d.log.Infof("netfix %s watching neighbours and bridge ports (mode %s, %d hosts known, stale-prone links: %s)",
		version.Version, d.cfg.Mode(), d.tracker.Len(), setString(d.prone))

	sweep := time.NewTicker(d.cfg.SweepInterval)
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			close(done)
			d.saveState()
			d.log.Infof("stopping")
			return nil
		case m, ok := <-updates:
			if !ok {
				// The subscription died, almost always ENOBUFS after a burst:
				// resubscribe first, then resync from a dump so nothing
				// that changed in the gap is missed.
				d.log.Warnf("neighbour subscription lost; resubscribing and resynchronising from a full dump")
				updates, done, err = d.subscribe()
				if err != nil {
					return err
				}
				d.resync("")
				continue
			}
			d.onUpdate(m.u, m.at)
		case <-sweep.C:
			d.refreshSnapshot()
			d.resync("")
			d.saveState()
		case <-hup:
			old := d.cfg.SweepInterval
			d.loadConfig()
			if !d.cfg.Enabled {
				d.log.Infof("disabled by reload; exiting")
				close(done)
				d.saveState()
				return nil
			}
			if d.cfg.SweepInterval != old {
				sweep.Reset(d.cfg.SweepInterval)
			}
			// The firewall may have changed the flowtable layout too.
			d.refreshSnapshot()
			d.log.Infof("configuration reloaded (mode %s)", d.cfg.Mode())
		}
	}
}

func (d *Daemon) loadConfig() {
	cfg, problems, err := config.Load(d.opts.ConfigPath)
	if d.opts.ForceDryRun {
		cfg.DryRun = true
	}
	d.log.setLevel(cfg.LogLevel)
	if err != nil {
		d.log.Errorf("%v", err)
	}
	for _, p := range problems {
		d.log.Warnf("%s", p)
	}
	d.mu.Lock()
	d.cfg = cfg
	d.limiter = heal.NewLimiter(cfg.RepairBurst, cfg.RepairWindow)
	d.mu.Unlock()
}

// stamped is a netlink message with the time it was read from the socket,
// so heal latency counts the time it waited behind a sweep too.
type stamped struct {
	u  netlink.NeighUpdate
	at time.Time
}

// subscribe returns the neighbour/FDB messages, each stamped on arrival;
// the channel closes when the subscription dies (ENOBUFS after a burst).
func (d *Daemon) subscribe() (chan stamped, chan struct{}, error) {
	ch := make(chan netlink.NeighUpdate, 16)
	out := make(chan stamped, 4096)
	done := make(chan struct{})
	err := netlink.NeighSubscribeWithOptions(ch, done, netlink.NeighSubscribeOptions{
		ErrorCallback: func(err error) {
			if !errors.Is(err, syscall.EAGAIN) {
				d.log.Warnf("neighbour subscription: %v", err)
			}
		},
		ReceiveBufferSize:      neighRcvBuf,
		ReceiveBufferForceSize: true,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("subscribe to neighbour and FDB events: %w", err)
	}
	go func() {
		defer close(out)
		for u := range ch {
			out <- stamped{u, time.Now()}
		}
	}()
	return out, done, nil
}

// toMsgs converts a netlink neighbour into the tracker's plain messages.
func toMsgs(n netlink.Neigh, deleted bool) (*heal.NeighMsg, *heal.FDBMsg) {
	mac := ""
	if len(n.HardwareAddr) == 6 {
		mac = n.HardwareAddr.String()
	}
	switch n.Family {
	case unix.AF_BRIDGE:
		if n.MasterIndex == 0 || mac == "" {
			return nil, nil // the port's own (NTF_SELF) entries
		}
		return nil, &heal.FDBMsg{Deleted: deleted, Bridge: n.MasterIndex, Port: n.LinkIndex, MAC: mac, VLAN: n.Vlan}
	case unix.AF_INET, unix.AF_INET6:
		ip, ok := netip.AddrFromSlice(n.IP)
		if !ok || n.State&netlink.NUD_NOARP != 0 {
			return nil, nil
		}
		return &heal.NeighMsg{Deleted: deleted, LinkIndex: n.LinkIndex, IP: ip.Unmap(), MAC: mac, Failed: n.State&netlink.NUD_FAILED != 0}, nil
	}
	return nil, nil
}

// apply feeds one neighbour or FDB entry to the tracker; d.mu is held.
func (d *Daemon) apply(n netlink.Neigh, deleted bool) []heal.Change {
	nm, fm := toMsgs(n, deleted)
	if nm != nil {
		if c, ok := d.tracker.Neigh(*nm); ok {
			return []heal.Change{c}
		}
	}
	if fm != nil {
		return d.tracker.FDB(*fm)
	}
	return nil
}

func (d *Daemon) onUpdate(u netlink.NeighUpdate, at time.Time) {
	d.mu.Lock()
	changes := d.apply(u.Neigh, u.Type == unix.RTM_DELNEIGH)
	d.mu.Unlock()
	for _, c := range changes {
		d.repair(c, at)
	}
	if len(changes) > 0 {
		// The findings' counts changed with the repair: refresh them now
		// rather than at the next sweep, off the event path.
		if d.refreshing.CompareAndSwap(false, true) {
			go func() {
				defer d.refreshing.Store(false)
				d.refreshSnapshot()
			}()
		}
	}
}

// resync feeds a full dump of neighbours and the bridge FDB through the
// tracker; differences from what it remembers are changes it missed. A
// non-empty reason relabels them (reconcile at start).
func (d *Daemon) resync(reason string) {
	at := time.Now()
	var all []netlink.Neigh
	for _, fam := range []int{unix.AF_INET, unix.AF_INET6, unix.AF_BRIDGE} {
		ns, err := netlink.NeighList(0, fam)
		if err != nil {
			d.log.Warnf("dump neighbours (family %d): %v", fam, err)
			continue
		}
		all = append(all, ns...)
	}
	var changes []heal.Change
	d.mu.Lock()
	for _, n := range all {
		changes = append(changes, d.apply(n, false)...)
	}
	d.mu.Unlock()
	for _, c := range changes {
		if reason != "" {
			c.Reason = reason
		}
		d.repair(c, at)
	}
}

// repairFailed handles neighbours that are FAILED at start: offloaded
// flows towards a host that no longer answers ARP/ND are being sent to a
// MAC nobody has; deleting them lets the next packet resolve afresh.
func (d *Daemon) repairFailed() {
	d.mu.Lock()
	failed := d.tracker.FailedHosts()
	d.mu.Unlock()
	for _, h := range failed {
		d.repair(heal.Change{Reason: heal.ReasonFailed, LinkIndex: h.LinkIndex, IP: h.IP, OldMAC: h.MAC}, time.Now())
	}
}

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
	d.mu.Lock()
	defer d.mu.Unlock()
	iface := d.linkName(c.LinkIndex)
	ev := status.Event{
		Time: at.UTC(), Interface: iface, IP: c.IP.String(), Reason: c.Reason,
		OldMAC: c.OldMAC, NewMAC: c.NewMAC,
		OldPort: d.linkName(c.OldPort), NewPort: d.linkName(c.NewPort),
		DryRun: d.cfg.DryRun,
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
	sel, err := d.table.OffloadedOf(c.IP)
	if err != nil {
		d.log.Errorf("%s; cannot list conntrack entries: %v", what, err)
		return
	}
	if len(sel) == 0 {
		d.log.Debugf("%s; no offloaded flow involves it", what)
		return
	}
	if !d.limiter.Allow(c.IP, at) {
		ev.Error = fmt.Sprintf("rate limited: more than %d repairs of this host within %s", d.cfg.RepairBurst, d.cfg.RepairWindow)
		d.log.Warnf("%s; %s", what, ev.Error)
		d.journal.add(ev)
		return
	}
	ev.FlowsDeleted, err = d.deleteFlows(sel, d.cfg.DryRun)
	ev.LatencyUS = time.Since(at).Microseconds()
	if err != nil {
		ev.Error = err.Error()
	}
	d.journal.add(ev)
	d.log.Infof("%s", report.EventLine(ev))
}

// deleteFlows deletes the selected entries unless in dry run, where it
// only counts them.
func (d *Daemon) deleteFlows(sel []conntrack.Flow, dryRun bool) (int, error) {
	if dryRun {
		return len(sel), nil
	}
	return d.table.Delete(sel)
}

// Flush deletes the offloaded entries of ip now (the flush method).
func (d *Daemon) Flush(ip netip.Addr, dryRun bool) (status.Event, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	ev, err := d.table.Flush(ip, dryRun || d.cfg.DryRun)
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
		return fmt.Sprintf("%s (%s) on %s moved from port %s to %s", e.IP, e.NewMAC, e.Interface, e.OldPort, e.NewPort)
	case heal.ReasonFailed:
		return fmt.Sprintf("%s on %s is FAILED (last MAC %s)", e.IP, e.Interface, e.OldMAC)
	default:
		return fmt.Sprintf("%s on %s changed MAC %s -> %s (%s)", e.IP, e.Interface, e.OldMAC, e.NewMAC, e.Reason)
	}
}

func (d *Daemon) refreshSnapshot() {
	d.mu.Lock()
	known := d.snap.Offload.KernelSupport
	d.mu.Unlock()
	s, err := probe.Gather(probe.Options{Root: d.opts.Root, Lenient: true, KnownSupport: known})
	if err != nil {
		d.log.Warnf("refresh findings: %v", err)
	}
	d.mu.Lock()
	d.snap = s
	d.prone = heal.ProneLinks(s.Offload)
	d.names = map[int]string{} // interfaces may have been recreated
	d.mu.Unlock()
}

func (d *Daemon) saveState() {
	d.mu.Lock()
	st := d.tracker.State()
	d.mu.Unlock()
	if err := heal.SaveState(d.opts.StatePath, st); err != nil {
		d.log.Warnf("%v", err)
	}
}

// Heal returns the live healer state for the status document.
func (d *Daemon) Heal() status.Heal {
	events, total := d.journal.last(status.MaxEvents)
	_, deleted := d.journal.totals()
	repairs, manual := d.journal.split()
	d.mu.Lock()
	defer d.mu.Unlock()
	return status.Heal{
		Running: true, Mode: d.cfg.Mode(), Since: d.since.Format(time.RFC3339),
		NeighboursTracked: d.tracker.Len(), EventsTotal: total, FlowsDeleted: deleted, LastEvents: events,
		Repairs: repairs, ManualFlushes: manual,
	}
}

// Status is the live document: the findings of the last sweep with the
// live healer state.
func (d *Daemon) Status() status.Document {
	h := d.Heal()
	d.mu.Lock()
	s := d.snap
	d.mu.Unlock()
	s.HealerExpected = true
	return statusDoc(s, h)
}

func statusDoc(s facts.Snapshot, h status.Heal) status.Document {
	s.HealerRunning, s.HealerMode = h.Running, h.Mode
	return status.Build(version.Version, s, diagnose.Run(s), h)
}

// handle answers control-socket requests.
func (d *Daemon) handle(req ipc.Request) (any, error) {
	switch req.Method {
	case "status":
		return d.Status(), nil
	case "check":
		d.refreshSnapshot()
		return d.Status(), nil
	case "history":
		events, total := d.journal.last(req.Limit)
		return map[string]any{"events": events, "total": total}, nil
	case "flush":
		ip, err := netip.ParseAddr(req.IP)
		if err != nil {
			return nil, fmt.Errorf("flush: %q is not an IP address", req.IP)
		}
		return d.Flush(ip.Unmap(), req.DryRun)
	default:
		return nil, fmt.Errorf("unknown method %q", req.Method)
	}
}

func setString(m map[string]bool) string {
	if len(m) == 0 {
		return "none"
	}
	s := ""
	for k := range m {
		if s != "" {
			s += ", "
		}
		s += k
	}
	return s
}
