//go:build linux

// This file is the sweep's pulse: between full probes a sweep reads the
// conntrack table's size and counters, and probes fully only when they,
// or a kept configuration file, changed (fullProbeReason), or when
// fullProbeEvery has passed.

package daemon

import (
	"time"

	"github.com/netfix/netfix/src/internal/probe"
)

// pulseReason reads the pulse and says why this sweep must probe fully,
// "" when it need not. A resync's probe is asked for apart (wantResync).
func (p *prober) pulseReason(now time.Time) string {
	last, cfg := p.pub.Load(), p.config()
	v := pulseView{
		probed:    last.probed,
		sinceFull: now.Sub(last.snap.TakenAt),
		interval:  cfg.SweepInterval,
		ctThenOK:  last.snap.Conntrack.Max != 0,
		reclaim:   cfg.ConntrackReclaim,
	}
	if r := scheduledReason(v); r != "" {
		return r // no need to read the pulse
	}
	pulse := probe.ReadPulse(&p.session.Sockets, last.snap.Conntrack.Max)
	v.ctNowOK = pulse.CTErr == nil && pulse.Conntrack.Max != 0
	if v.ctNowOK {
		v.level = fillLevel(pulse.Conntrack.Fill())
	}
	v.lastLevel = p.ct.level
	if prev := p.ct.prev; prev != nil && pulse.StatsErr == nil {
		v.statsOK = true
		v.refusals = pulse.Stats.Since(prev.Stats).Refusals()
	}
	if r := fullProbeReason(v); r != "" {
		return r
	}
	// Stat calls only, so last.
	v.configChanged = p.session.UCI.Changed()
	return fullProbeReason(v)
}
