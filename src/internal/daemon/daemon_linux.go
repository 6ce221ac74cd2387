//go:build linux

// This file wires the daemon together: options, configuration, state on
// disk, the control socket, and the main loop that dispatches netlink
// messages, sweeps and reloads to the other files.

package daemon

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/netfix/netfix/src/internal/config"
	"github.com/netfix/netfix/src/internal/env"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/flows"
	"github.com/netfix/netfix/src/internal/heal"
	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/metrics"
	"github.com/netfix/netfix/src/internal/probe"
	"github.com/netfix/netfix/src/internal/version"
)

// Options configure a daemon run.
type Options struct {
	ConfigPath string
	// Env is where the daemon reads and writes: its control socket, the
	// state file that keeps the tracker across restarts (tmpfs on
	// OpenWrt), and the root the probe reads UCI files below.
	Env env.Env
	// MetricsFile is the metrics file when the config's metrics_file is
	// unset; used only where its directory exists. Empty: none.
	MetricsFile string
	// ForceDryRun overrides the config's dry_run.
	ForceDryRun bool
	// Log receives the info and debug lines, ErrLog the warnings and
	// errors (zero: Log too); see logger for why they are apart.
	Log, ErrLog Stream
	// Reload delivers SIGHUP. The caller subscribes it as its very first
	// step: procd's reload sends HUP right after start, and until a
	// handler exists HUP's default action kills the process. Run
	// subscribes its own when nil.
	Reload <-chan os.Signal
}

// neighRcvBuf is the rtnetlink receive buffer. A bridge with many hosts
// sends bursts of FDB messages; a larger buffer makes overruns (ENOBUFS)
// rare, and a resync from a full dump covers the rest.
const neighRcvBuf = 4 << 20

// Daemon is one running healer.
type Daemon struct {
	opts Options
	log  *logger

	// Every table below is bounded: tracker by heal.MaxHosts and
	// heal.MaxPorts (see heal.Tracker), limiter by the hosts repaired
	// within repair_window, prone and names by the router's links (names
	// is emptied at every sweep), journal by status.MaxEvents.
	mu      sync.Mutex // guards everything below and the conntrack conn
	cfg     config.Config
	cfgLoad configLoad // see config_linux.go
	tracker *heal.Tracker
	limiter *heal.Limiter
	table   flows.FlowTable
	snap    facts.Snapshot
	probed  bool // snap holds a probe's facts: the first one is done
	prone   map[string]bool
	names   map[int]string
	since   time.Time

	journal    journal
	counters   *metrics.Counters // running totals for the metrics (metrics_linux.go)
	metricsOut metricsOut
	fw         *fwState      // forwarding switches and their flips (forwarding_linux.go)
	ct         ctWatch       // conntrack fill watch (conntrack_linux.go)
	ctLive     ctLive        // conntrack statistics for status reads (conntrack_linux.go)
	mirrors    mirrorWatch   // S4: connections tracked twice (mirror_linux.go)
	probes     probe.Session // the probes' caches and sockets, kept between sweeps
	refreshing atomic.Bool   // a background refresh is under way (refreshInBackground)
	// checkingRuleset: a status read's ruleset check is under way
	// (ruleset_linux.go); apart from refreshing, so it never makes a
	// repair's refresh be skipped.
	checkingRuleset atomic.Bool

	shrinksSeen uint64    // tracker.Shrinks() at the last releaseMemory (main loop only)
	nextResync  time.Time // when a sweep resyncs next (resync, main loop only)
	// layoutCheckedAt: the last generation request of confirmLayout
	// (main loop only).
	layoutCheckedAt time.Time
	// stateSaved and savedChanges: the state file holds the tracker as
	// of tracker.Changes() == savedChanges (guarded by mu).
	stateSaved   bool
	savedChanges uint64
	// fixKick wakes watchFixes after an apply with rollback (fix_watch).
	fixKick chan struct{}
}

// Run starts the daemon and blocks until ctx ends or a fatal error.
func Run(ctx context.Context, opts Options) error {
	if opts.Log.W == nil {
		opts.Log.W = os.Stdout
		if opts.ErrLog.W == nil {
			opts.ErrLog.W = os.Stderr
		}
	}
	hup := opts.Reload
	if hup == nil {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGHUP)
		defer signal.Stop(ch)
		hup = ch
	}
	// One daemon per socket, decided before anything is read or written.
	lock, err := lockSocket(opts.Env.Socket())
	if err != nil {
		return err
	}
	defer lock.Close()

	setMemoryLimit()
	oneProcessor()
	disableHugePages()
	d := newDaemon(opts)
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
	if st, err := heal.LoadState(opts.Env.DaemonState()); err != nil {
		d.log.Warnf("%v", err)
	} else {
		d.tracker.Restore(st)
	}

	l, err := ipc.Listen(opts.Env.Socket())
	if err != nil {
		return err
	}
	defer os.Remove(opts.Env.Socket())
	go func() { _ = ipc.Serve(l, d.handle) }()
	defer l.Close()

	fixCtx, stopFixes := context.WithCancel(ctx)
	defer stopFixes()
	go d.watchFixes(fixCtx, d.fixKick)

	defer d.probes.Close()
	d.refreshSnapshot()
	go d.watchForwarding(ctx)
	defer d.mirrors.stop()

	sub, err := d.subscribe()
	if err != nil {
		return err
	}
	defer func() { sub.Close() }() // the current one, after resubscribes
	// Reconcile: compare the saved state with the kernel's current tables.
	d.resync(heal.ReasonReconcile)
	d.repairFailed()
	d.saveState()
	d.writeMetrics(true)
	d.log.Infof("netfix %s watching neighbours and bridge ports (mode %s, %d hosts known, stale-prone links: %s)",
		version.Version, d.cfg.Mode(), d.tracker.Len(), setString(d.prone))

	sweep := time.NewTicker(d.cfg.SweepInterval)
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			d.saveState()
			d.writeMetrics(false)
			d.log.Infof("stopping")
			return nil
		case m, ok := <-sub.updates:
			if !ok {
				// The subscription died, almost always ENOBUFS after a burst:
				// close it, resubscribe, then resync from a dump so nothing
				// that changed in the gap is missed.
				sub.Close()
				if sub, err = d.subscribe(); err != nil {
					return err
				}
				d.log.Warnf("neighbour subscription lost; resubscribed, resynchronising from a full dump")
				d.resync("")
				continue
			}
			d.onUpdate(m.u, m.at)
			d.writeMetricsIfRepaired()
		case <-sweep.C:
			d.sweep()
		case <-hup:
			old := d.cfg.SweepInterval
			d.loadConfig()
			if !d.cfg.Enabled {
				d.log.Infof("disabled by reload; exiting")
				d.saveState()
				d.writeMetrics(false)
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

func newDaemon(opts Options) *Daemon {
	d := &Daemon{opts: opts, log: newLogger(opts.Log, opts.ErrLog), names: map[int]string{}, since: time.Now().UTC(), fw: newFwState(), counters: metrics.NewCounters(),
		fixKick: make(chan struct{}, 1)}
	d.journal.metrics, d.fw.metrics = d.counters, d.counters
	return d
}

// setConfig installs a configuration; the limiter starts afresh with its
// repair_burst and repair_window.
func (d *Daemon) setConfig(cfg config.Config) {
	d.mu.Lock()
	d.cfg = cfg
	d.limiter = heal.NewLimiter(cfg.RepairBurst, cfg.RepairWindow)
	d.mu.Unlock()
}

// saveState writes the tracker to the state file when it changed since
// the last write: an idle router's sweeps write nothing.
func (d *Daemon) saveState() {
	d.mu.Lock()
	n := d.tracker.Changes()
	if d.stateSaved && n == d.savedChanges {
		d.mu.Unlock()
		return
	}
	st := d.tracker.State()
	d.mu.Unlock()
	if err := heal.SaveState(d.opts.Env.DaemonState(), st); err != nil {
		d.log.Warnf("%v", err)
		return
	}
	d.mu.Lock()
	d.stateSaved, d.savedChanges = true, n
	d.mu.Unlock()
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
