//go:build linux

// This file is the sweep's pulse: between full probes a sweep reads the
// conntrack table's size and counters and the ruleset's generation, and
// probes fully only when one of them, or a kept configuration file,
// changed (fullProbeReason), or when fullProbeEvery has passed.

package daemon

import (
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
	d.mu.Unlock()
	if r := scheduledReason(v); r != "" {
		return r // no need to read the pulse
	}
	p := probe.ReadPulse(&d.socks)
	v.genNow, v.genNowOK = p.Gen, p.GenOK
	v.genKept, v.genKeptOK = d.nft.Generation()
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
	v.configChanged = d.uci.Changed()
	return fullProbeReason(v)
}

// refreshInBackground starts a refresh unless one is under way: for a
// repair's counts, a forwarding flip, a status read of an old snapshot.
// The caller never waits for it (a sweep's conntrack dump may hold the
// watch for seconds).
func (d *Daemon) refreshInBackground() {
	if d.refreshing.CompareAndSwap(false, true) {
		go func() {
			defer d.refreshing.Store(false)
			d.refreshSnapshot()
		}()
	}
}
