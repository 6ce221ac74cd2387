package daemon

import (
	"testing"
	"time"
)

func TestFullProbeReason(t *testing.T) {
	// quiet: a probe 30 s ago, a pulse that matches it.
	quiet := pulseView{
		probed: true, sinceFull: 30 * time.Second, interval: 30 * time.Second,
		genNow: 7, genKept: 7, genNowOK: true, genKeptOK: true,
		ctNowOK: true, ctThenOK: true, statsOK: true,
	}
	with := func(f func(*pulseView)) pulseView { v := quiet; f(&v); return v }
	for _, c := range []struct {
		name string
		v    pulseView
		want string
	}{
		{"nothing changed", quiet, ""},
		{"never probed", with(func(v *pulseView) { v.probed = false }), "first probe"},
		{"half an interval before the period", with(func(v *pulseView) { v.sinceFull = fullProbeEvery - 15*time.Second }), "periodic"},
		{"more than half an interval before it", with(func(v *pulseView) { v.sinceFull = fullProbeEvery - 16*time.Second }), ""},
		{"an interval longer than the period", with(func(v *pulseView) { v.interval, v.sinceFull = 10*time.Minute, 10*time.Minute }), "periodic"},
		{"resync due", with(func(v *pulseView) { v.resync = true }), "resync due"},
		{"new ruleset generation", with(func(v *pulseView) { v.genNow = 8 }), "ruleset changed"},
		{"nf_tables stopped answering", with(func(v *pulseView) { v.genNowOK = false }), "ruleset changed"},
		{"ruleset facts not kept (the last read failed)", with(func(v *pulseView) { v.genKeptOK = false }), "ruleset changed"},
		{"no nf_tables now or then", with(func(v *pulseView) { v.genNowOK, v.genKeptOK, v.genNow, v.genKept = false, false, 0, 0 }), ""},
		{"conntrack loaded since", with(func(v *pulseView) { v.ctThenOK = false }), "conntrack availability changed"},
		{"conntrack gone", with(func(v *pulseView) { v.ctNowOK = false }), "conntrack availability changed"},
		{"no conntrack now or then", with(func(v *pulseView) { v.ctNowOK, v.ctThenOK, v.statsOK = false, false, false }), ""},
		{"fill crossed up", with(func(v *pulseView) { v.level = 1 }), "conntrack fill level changed"},
		{"fill fell back", with(func(v *pulseView) { v.level, v.lastLevel = 0, 2 }), "conntrack fill level changed"},
		{"fill over 90 % and steady", with(func(v *pulseView) { v.level, v.lastLevel = 2, 2 }), ""},
		{"fill over 90 %, reclaim on", with(func(v *pulseView) { v.level, v.lastLevel, v.reclaim = 2, 2, true }), "conntrack table full, reclaim on"},
		{"fill over 75 %, reclaim on", with(func(v *pulseView) { v.level, v.lastLevel, v.reclaim = 1, 1, true }), ""},
		{"counters unread", with(func(v *pulseView) { v.statsOK = false }), "conntrack counters unread"},
		{"refusals since the last probe", with(func(v *pulseView) { v.refusals = 1 }), "conntrack refusing connections"},
		{"configuration file changed", with(func(v *pulseView) { v.configChanged = true }), "configuration files changed"},
	} {
		if got := fullProbeReason(c.v); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
