//go:build linux

// This file is the sweep's pulse: between full probes a sweep reads the
// conntrack table's size and counters, and probes fully only when they,
// or a kept configuration file, changed (fullProbeReason), or when
// fullProbeEvery has passed.

package daemon

import (
	"sync/atomic"
	"time"

	"github.com/netfix/netfix/src/internal/probe"
)

// pulseReason reads the pulse and says why this sweep must probe fully,
// "" when it need not. Main loop only.
func (d *Daemon) pulseReason(now time.Time, resync bool) string {
	d.mu.Lock()
	v := pulseView{
		probed:    d.probed,
		sinceFull: now.Sub(d.snap.TakenAt),
		interval:  d.cfg.SweepInterval,
		resync:    resync,
		ctThenOK:  d.snap.Conntrack.Max != 0,
		reclaim:   d.cfg.ConntrackReclaim,
	}
	knownMax := d.snap.Conntrack.Max
	d.mu.Unlock()
	if r := scheduledReason(v); r != "" {
		return r // no need to read the pulse
	}
	p := probe.ReadPulse(&d.probes.Sockets, knownMax)
	v.ctNowOK = p.CTErr == nil && p.Conntrack.Max != 0
	if v.ctNowOK {
		v.level = fillLevel(p.Conntrack.Fill())
	}
	d.ct.mu.Lock()
	v.lastLevel = d.ct.level
	if prev := d.ct.prev; prev != nil && p.StatsErr == nil {
		v.statsOK = true
		v.refusals = p.Stats.Since(prev.Stats).Refusals()
	}
	d.ct.mu.Unlock()
	if r := fullProbeReason(v); r != "" {
		return r
	}
	// Stat calls only, so last.
	v.configChanged = d.probes.UCI.Changed()
	return fullProbeReason(v)
}

// refreshInBackground starts a refresh unless one is under way: for a
// repair's counts, a forwarding flip, a status read of an old snapshot.
func (d *Daemon) refreshInBackground() { inBackground(&d.refreshing, d.refreshSnapshot) }

// inBackground runs fn in a goroutine of its own unless the one busy
// guards is under way. The caller never waits for it (a sweep's conntrack
// dump may hold the probe's sockets for seconds).
func inBackground(busy *atomic.Bool, fn func()) {
	if busy.CompareAndSwap(false, true) {
		go func() {
			defer busy.Store(false)
			fn()
		}()
	}
}
