//go:build linux

// This file wires the daemon together: its options, the Daemon value that
// the loops share, and Run, which starts every goroutine under one
// errgroup and returns only after each one has returned (corerad's
// Server.Run is the model). Who owns what is written on the types:
// eventsLoop (events_linux.go), prober (prober_linux.go), the server
// (serve_linux.go); docs/design.md has the map.

package daemon

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/netfix/netfix/src/internal/config"
	"github.com/netfix/netfix/src/internal/env"
	"github.com/netfix/netfix/src/internal/flows"
	"github.com/netfix/netfix/src/internal/heal"
	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/metrics"
	"github.com/netfix/netfix/src/internal/probe"
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

// Daemon is one running healer: what its goroutines share. Each field
// says who writes it; nothing here is guarded by a lock of the Daemon's
// own. The state one goroutine owns lives on that goroutine's type
// (eventsLoop, prober).
type Daemon struct {
	opts  Options
	log   *logger   // its own lock
	since time.Time // set once, before the goroutines start

	// conf is the configuration in force: stored by the events loop (at
	// start and on SIGHUP), read by everyone.
	conf atomic.Pointer[loadedConfig]
	// pub is the prober's last published snapshot (never nil after
	// newDaemon); stored by the prober only, never changed after.
	pub atomic.Pointer[snapshotView]
	// tracked is the tracker's size as the events loop last saw it, for
	// status reads.
	tracked atomic.Int64

	journal    journal           // its own lock: every goroutine adds or reads events
	counters   *metrics.Counters // its own lock (metrics package)
	metricsOut metricsOut        // the events loop, then Run after the join
	fw         *fwState          // its own lock (forwarding_linux.go)
	ctLive     ctLive            // its own lock (conntrack_linux.go)
	mirrors    mirrorWatch       // its own lock (mirror_linux.go)

	// Requests between the goroutines; each names who sends and who
	// receives.
	want     atomic.Uint32     // prober work asked for (want*), taken by the prober
	wake     chan struct{}     // cap 1: wakes the prober after want was set
	layoutOK chan time.Time    // cap 1, prober -> events: the ruleset did not move (as of the time sent)
	flushes  chan flushRequest // server -> events: manual flushes (the delete path is the events loop's)
	fixKick  chan struct{}     // cap 1, server -> fix watcher (fix_watch)
	stop     <-chan struct{}   // closed when Run's loops end: waits in the server give up

	ev *eventsLoop
	pr *prober
}

// errDisabled ends the loops when a reload finds enabled '0'.
var errDisabled = errors.New("disabled by reload")

// Run starts the daemon and blocks until ctx ends or a fatal error, and
// until every goroutine it started has returned.
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
	d.ev.loadConfig() // before the loops start: the events loop's from then on
	if !d.config().Enabled {
		d.log.Infof("disabled in %s (option enabled '0'); exiting", opts.ConfigPath)
		return nil
	}

	table, err := flows.Open()
	if err != nil {
		return err
	}
	defer table.Close()
	d.ev.table = table
	if st, err := heal.LoadState(opts.Env.DaemonState()); err != nil {
		d.log.Warnf("%v", err)
	} else {
		d.ev.tracker.Restore(st)
	}
	d.tracked.Store(int64(d.ev.tracker.Len()))

	l, err := ipc.Listen(opts.Env.Socket())
	if err != nil {
		return err
	}
	defer os.Remove(opts.Env.Socket())
	defer l.Close()

	g, ctx := errgroup.WithContext(ctx)
	d.stop = ctx.Done()
	d.mirrors.spawn = func(f func()) { g.Go(func() error { f(); return nil }) }
	g.Go(func() error {
		// The socket answers from the start (a status read says
		// "starting" until the first probe is published), and a second
		// daemon finds it taken.
		if err := ipc.Serve(l, d.handle); err != nil {
			d.log.Errorf("control socket %s stopped: %v; status reads fail until the daemon is restarted", opts.Env.Socket(), err)
		}
		return nil
	})
	g.Go(func() error {
		<-ctx.Done()
		return l.Close() // ends Serve, which joins its connections
	})
	g.Go(func() error { d.watchFixes(ctx, d.fixKick); return nil })
	g.Go(func() error { return d.pr.run(ctx) })
	g.Go(func() error { d.watchForwarding(ctx); return nil })
	g.Go(func() error { return d.ev.run(ctx, hup) })
	err = g.Wait()

	// Every goroutine has returned: the tracker and the metrics file are
	// Run's now.
	d.ev.saveState()
	d.writeMetrics(false)
	switch {
	case errors.Is(err, errDisabled):
		return nil
	case err != nil:
		return err
	}
	d.log.Infof("stopping")
	return nil
}

func newDaemon(opts Options) *Daemon {
	d := &Daemon{opts: opts, log: newLogger(opts.Log, opts.ErrLog), since: time.Now().UTC(), fw: newFwState(), counters: metrics.NewCounters(),
		wake: make(chan struct{}, 1), layoutOK: make(chan time.Time, 1), flushes: make(chan flushRequest),
		fixKick: make(chan struct{}, 1)}
	d.journal.metrics, d.fw.metrics = d.counters, d.counters
	d.conf.Store(&loadedConfig{cfg: config.Default()})
	d.pub.Store(&snapshotView{replaced: make(chan struct{})})
	d.ev = &eventsLoop{Daemon: d, tracker: heal.NewTracker(), names: map[int]string{}}
	d.ev.subscribe = d.ev.subscribeNeighbours
	d.pr = &prober{Daemon: d, gather: probe.Gather}
	return d
}

// config is the configuration in force.
func (d *Daemon) config() config.Config { return d.conf.Load().cfg }

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
