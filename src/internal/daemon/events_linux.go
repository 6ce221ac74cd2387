//go:build linux

// This file is the events loop: the one goroutine that turns neighbour
// and bridge FDB messages into repairs. It alone owns the tracker, the
// limiter, the flow table's delete path, the link-name cache, the state
// file, resyncs and reloads, so none of them needs a lock, and it never
// waits for a probe: a decision that needs a fresher flowtable layout
// is parked until the prober publishes one (parkedChange).

package daemon

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"runtime/debug"
	"time"

	"github.com/netfix/netfix/src/internal/flows"
	"github.com/netfix/netfix/src/internal/heal"
	"github.com/netfix/netfix/src/internal/status"
	"github.com/netfix/netfix/src/internal/version"
)

// eventsLoop is the events goroutine's state; only run and what it calls
// touch it (and Run, before run starts and after it returned).
type eventsLoop struct {
	*Daemon

	// Every table here is bounded: tracker by heal.MaxHosts and
	// heal.MaxPorts (see heal.Tracker), limiter by the hosts repaired
	// within repair_window, names by the router's links (emptied at every
	// publication), parked by maxParked.
	tracker *heal.Tracker
	limiter *heal.Limiter
	table   flows.FlowTable
	names   map[int]string
	parked  []parkedChange

	// subscribe opens the neighbour subscription (subscribeNeighbours).
	subscribe func() (*subscription, error)

	shrinksSeen uint64    // tracker.Shrinks() at the last releaseMemory
	nextResync  time.Time // when the ticker resyncs next (resync.go)
	// resyncAsked: a resync waits for a probe asked for then (zero: none).
	resyncAsked time.Time
	// layoutCheckedAt: the last time a change asked the prober for the
	// ruleset's generation (layoutCheckDue).
	layoutCheckedAt time.Time
	// stateSaved and savedChanges: the state file holds the tracker as
	// of tracker.Changes() == savedChanges.
	stateSaved   bool
	savedChanges uint64
}

// parkedChange is a change whose decision waits for the flowtable layout:
// its link was not stale-prone at the last probe and the ruleset may have
// changed since (confirmLayout). at is when the kernel reported it, so
// latency_us counts the wait.
type parkedChange struct {
	c        heal.Change
	at       time.Time
	parkedAt time.Time
}

// maxParked bounds the changes waiting for the layout: a burst past it on
// links without offloading is dropped (they would be "nothing to do"
// unless a flowtable appeared in that very second).
const maxParked = 256

// flushRequest is a manual flush (the control socket's flush method) on
// its way to the events loop; reply has room for the answer, so the loop
// never blocks on a caller that gave up.
type flushRequest struct {
	ip     netip.Addr
	dryRun bool
	reply  chan flushReply
}

type flushReply struct {
	ev  status.Event
	err error
}

// run waits for the first probe, subscribes, reconciles the saved state
// with the kernel, then handles messages, publications, flushes, its
// ticker and reloads until ctx ends.
func (e *eventsLoop) run(ctx context.Context, hup <-chan os.Signal) error {
	seen := e.pub.Load()
	for !seen.probed {
		select {
		case <-ctx.Done():
			return nil
		case <-seen.replaced:
			seen = e.pub.Load()
		case r := <-e.flushes:
			// A manual flush needs no layout: someone who asks in the
			// first seconds is answered, not told the healer is busy.
			e.answerFlush(r)
		}
	}
	sub, err := e.subscribe()
	if err != nil {
		return err
	}
	defer func() { sub.Close() }() // the current one, after resubscribes
	// Reconcile: compare the saved state with the kernel's current tables.
	e.resync(heal.ReasonReconcile)
	e.repairFailed()
	e.saveState()
	e.writeMetrics(true)
	cfg := e.config()
	e.log.Infof("netfix %s watching neighbours and bridge ports (mode %s, %d hosts known, stale-prone links: %s)",
		version.Version, cfg.Mode(), e.tracker.Len(), setString(seen.prone))
	return e.loop(ctx, &sub, hup, seen)
}

// loop is the events loop proper; *sub is replaced when a subscription
// dies, seen is the publication the loop last acted on.
func (e *eventsLoop) loop(ctx context.Context, sub **subscription, hup <-chan os.Signal, seen *snapshotView) error {
	var err error
	interval := e.config().SweepInterval
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-(*sub).updates:
			if !ok {
				// The subscription died, almost always ENOBUFS after a burst:
				// close it, resubscribe, then resync from a dump so nothing
				// that changed in the gap is missed.
				(*sub).Close()
				if *sub, err = e.subscribe(); err != nil {
					return err
				}
				e.log.Warnf("neighbour subscription lost; resubscribed, resynchronising from a full dump")
				e.resync("")
				continue
			}
			e.onUpdate(m)
		case <-seen.replaced:
			seen = e.pub.Load()
			e.published(seen)
		case at := <-e.layoutOK:
			e.decideParked(at)
		case r := <-e.flushes:
			e.answerFlush(r)
		case <-tick.C:
			e.tick()
		case <-hup:
			if err := e.reload(); err != nil {
				return err
			}
			if iv := e.config().SweepInterval; iv != interval {
				interval = iv
				tick.Reset(iv)
			}
		}
	}
}

// published acts on a new snapshot: interfaces may have been recreated,
// a resync that waited for it runs, parked changes are decided.
func (e *eventsLoop) published(v *snapshotView) {
	e.names = map[int]string{}
	if !e.resyncAsked.IsZero() && !v.started.Before(e.resyncAsked) {
		e.resyncAsked = time.Time{}
		e.resync("")
	}
	e.decideParked(v.started)
}

// tick runs every sweep_interval: a resync when one is due (after a probe
// of its own, so it repairs against the current flowtable layout), the
// state file, the metrics file and the heap a flood left behind.
func (e *eventsLoop) tick() {
	if now := time.Now(); e.resyncAsked.IsZero() && resyncDue(now, e.nextResync) {
		e.resyncAsked = now
		e.kick(wantResync)
	}
	e.saveState()
	e.writeMetrics(true)
	e.releaseMemory()
}

// reload is SIGHUP: the configuration afresh, and a probe, since the
// firewall may have changed the flowtable layout too.
func (e *eventsLoop) reload() error {
	e.loadConfig()
	cfg := e.config()
	if !cfg.Enabled {
		e.log.Infof("disabled by reload; exiting")
		return errDisabled
	}
	e.kick(wantProbe)
	e.log.Infof("configuration reloaded (mode %s)", cfg.Mode())
	return nil
}

// onUpdate runs one neighbour or FDB message through the tracker.
func (e *eventsLoop) onUpdate(m stamped) {
	if e.observe(m.u.Neigh, m.deleted(), m.at) > 0 {
		// The findings' counts changed with the repair: the prober
		// refreshes them now rather than at the next sweep.
		e.kick(wantProbe)
	}
	e.writeMetricsIfRepaired()
}

// park keeps a change until the prober has answered whether the layout
// moved; the first one asks.
func (e *eventsLoop) park(c heal.Change, at, now time.Time) {
	if len(e.parked) >= maxParked {
		e.log.Debugf("%s on link %d: dropped, %d changes already wait for the flowtable layout", c.IP, c.LinkIndex, len(e.parked))
		return
	}
	if len(e.parked) == 0 {
		e.layoutCheckedAt = now
		e.kick(wantLayout)
	}
	e.parked = append(e.parked, parkedChange{c: c, at: at, parkedAt: now})
}

// decideParked decides the changes parked at or before asOf: the layout
// they waited for is now published (or known unchanged). Changes parked
// later ask again.
func (e *eventsLoop) decideParked(asOf time.Time) {
	if len(e.parked) == 0 {
		return
	}
	ready, later := e.parked, []parkedChange(nil)
	for i, p := range e.parked {
		if p.parkedAt.After(asOf) {
			ready, later = e.parked[:i], append(later, e.parked[i:]...)
			break
		}
	}
	e.parked = later
	for _, p := range ready {
		e.decide(p.c, p.at)
	}
	if len(e.parked) > 0 {
		e.layoutCheckedAt = time.Now()
		e.kick(wantLayout)
	}
	e.writeMetricsIfRepaired()
}

// Flush deletes the offloaded entries of ip now (the flush method), on
// the events loop, which owns the delete path. The configured dry run
// wins over the request: a daemon told to delete nothing deletes nothing,
// whoever asks.
func (d *Daemon) Flush(ip netip.Addr, dryRun bool) (status.Event, error) {
	r := flushRequest{ip: ip, dryRun: dryRun, reply: make(chan flushReply, 1)}
	t := time.NewTimer(flushWait)
	defer t.Stop()
	busy := fmt.Errorf("flush %s: the healer did not answer within %s (busy with a resync or a burst of repairs); try again, and see `netfix history` for whether it ran", ip, flushWait)
	select {
	case d.flushes <- r:
	case <-t.C:
		return status.Event{}, busy
	case <-d.stop:
		return status.Event{}, fmt.Errorf("flush %s: the daemon is stopping", ip)
	}
	select {
	case res := <-r.reply:
		return res.ev, res.err
	case <-t.C:
		return status.Event{}, busy
	case <-d.stop:
		return status.Event{}, fmt.Errorf("flush %s: the daemon is stopping", ip)
	}
}

// answerFlush runs a manual flush and replies; reply has room, so a
// caller that gave up never blocks the loop.
func (e *eventsLoop) answerFlush(r flushRequest) {
	ev, err := e.flush(r.ip, r.dryRun)
	r.reply <- flushReply{ev, err}
	if err == nil {
		e.writeMetrics(true)
	}
}

// flushWait bounds a flush's wait for the events loop, under the rpcd
// plugin's 3 s.
const flushWait = 2500 * time.Millisecond

// saveState writes the tracker to the state file when it changed since
// the last write: an idle router's sweeps write nothing.
func (e *eventsLoop) saveState() {
	n := e.tracker.Changes()
	if e.stateSaved && n == e.savedChanges {
		return
	}
	if err := heal.SaveState(e.opts.Env.DaemonState(), e.tracker.State()); err != nil {
		e.log.Warnf("%v", err)
		return
	}
	e.stateSaved, e.savedChanges = true, n
}

// releaseMemory hands the heap a flood took back to the kernel once the
// tracker has let it go: the Go runtime would otherwise return it only
// slowly, and a router has no RAM to lend. One forced GC per shrink.
func (e *eventsLoop) releaseMemory() {
	if n := e.tracker.Shrinks(); n != e.shrinksSeen {
		e.shrinksSeen = n
		debug.FreeOSMemory()
	}
}
