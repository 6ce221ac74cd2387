//go:build linux

// This file is the prober: the one goroutine that reads the kernel for
// findings (probe.Gather, the pulse, the ruleset's generation, conntrack
// dumps, counts and reclaims). Others ask it through want and wake (many
// asks while it is busy are one probe), and it publishes each snapshot
// as an immutable snapshotView, so a status read or a repair decision
// never waits behind a probe and a probe never waits behind them.

package daemon

import (
	"context"
	"time"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/heal"
	"github.com/netfix/netfix/src/internal/probe"
)

// snapshotView is one published probe. Nothing in it changes after
// publication: a reader that overlays live counters changes a copy.
type snapshotView struct {
	snap   facts.Snapshot
	probed bool            // false only for the placeholder before the first probe
	prone  map[string]bool // stale-prone links (heal.ProneLinks)
	// started is when the probe began: an ask made before it is answered.
	started time.Time
	// replaced is closed when a newer view is published: wait on it for
	// "the next snapshot".
	replaced chan struct{}
}

// Work the prober is asked for (Daemon.want, bits).
const (
	// wantProbe: a full probe (netfix check, a repair's counts, a
	// forwarding flip, a reload).
	wantProbe uint32 = 1 << iota
	// wantResync: a full probe the events loop resyncs after.
	wantResync
	// wantLayout: the ruleset's generation for parked changes; a full
	// probe when it moved, an answer on layoutOK when not.
	wantLayout
	// wantRead: a status read happened; a full probe when the snapshot is
	// older than sweep_interval or the ruleset moved.
	wantRead
)

// kick asks the prober for work without waiting: bits accumulate until it
// takes them, and wake holds at most one wake-up.
func (d *Daemon) kick(what uint32) {
	d.want.Or(what)
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// prober is the prober goroutine's state; only run and what it calls touch
// it.
type prober struct {
	*Daemon
	session probe.Session // the probes' caches and sockets, kept between probes
	ct      ctWatch       // conntrack fill watch (conntrack_linux.go)
	// gather is probe.Gather; a test holds it to keep a probe running.
	gather func(probe.Options) (facts.Snapshot, error)
}

// run probes once, then sweeps every sweep_interval and serves asks
// until ctx ends. The mirror watch it starts (mirrors.update) ends with it.
func (p *prober) run(ctx context.Context) error {
	defer p.session.Close()
	defer p.mirrors.stop()
	p.probe()
	interval := p.config().SweepInterval
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			p.sweep()
		case <-p.wake:
		}
		if iv := p.config().SweepInterval; iv != interval {
			interval = iv
			tick.Reset(iv)
		}
		p.serve(p.want.Swap(0))
	}
}

// serve does the work asked for since the last time.
func (p *prober) serve(want uint32) {
	if want == 0 {
		return
	}
	// The layout first: parked changes wait for its answer, and its log
	// line says why the probe runs.
	full := false
	if want&wantLayout != 0 {
		at := time.Now()
		if p.rulesetMoved() {
			p.log.Debugf("ruleset changed since the last probe: probing before the repair decision")
			full = true
		} else {
			p.answerLayout(at)
		}
	}
	if want&wantResync != 0 {
		p.log.Debugf("sweep: full probe (resync due)")
	}
	full = full || want&(wantProbe|wantResync) != 0
	if want&wantRead != 0 && !full {
		full = p.readWantsProbe()
	}
	if full {
		p.probe()
	}
}

// readWantsProbe is a status read's ask: someone reading the status gets
// facts at most a sweep interval old, and none older than a ruleset
// change, from the next read on (the sweeps probe fully only every
// fullProbeEvery while nothing they watch changes).
func (p *prober) readWantsProbe() bool {
	v := p.pub.Load()
	switch {
	case !v.probed:
		return false // the first probe is under way
	case time.Since(v.snap.TakenAt) >= p.config().SweepInterval:
		return true
	case p.rulesetMoved():
		p.log.Debugf("ruleset changed since the last probe: probing afresh")
		return true
	}
	return false
}

// answerLayout tells the events loop the ruleset had not moved at at; an
// older answer still waiting is replaced (the prober is the only sender).
func (p *prober) answerLayout(at time.Time) {
	select {
	case <-p.layoutOK:
	default:
	}
	p.layoutOK <- at
}

// publish installs a probe's facts for every reader and wakes the waiters
// of the view it replaces.
func (p *prober) publish(s facts.Snapshot, started time.Time) {
	v := &snapshotView{snap: s, probed: true, prone: heal.ProneLinks(s.Offload), started: started, replaced: make(chan struct{})}
	close(p.pub.Swap(v).replaced)
	p.mirrors.update(s.BridgeNF, p.log)
}

// awaitProbe asks for a full probe and waits up to wait for its snapshot
// (netfix check through the daemon). It gives up at the timeout or when
// the daemon stops; the caller answers from what is published then.
func (d *Daemon) awaitProbe(wait time.Duration) {
	asked := time.Now()
	v := d.pub.Load()
	d.kick(wantProbe)
	t := time.NewTimer(wait)
	defer t.Stop()
	for !v.probed || v.started.Before(asked) {
		select {
		case <-v.replaced:
			v = d.pub.Load()
		case <-t.C:
			return
		case <-d.stop:
			return
		}
	}
}
