package daemon

import (
	"testing"
	"time"
)

func TestFullProbeReason(t *testing.T) {
	// quiet: a probe 30 s ago, a pulse that matches it.
	quiet := pulseView{
		probed: true, sinceFull: 30 * time.Second, interval: 30 * time.Second,
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

func TestLayoutCheckDue(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name      string
		last, now time.Time
		want      bool
	}{
		{"never asked", time.Time{}, t0, true},
		{"asked just now", t0, t0, false},
		{"asked 999 ms ago", t0, t0.Add(999 * time.Millisecond), false},
		{"asked a second ago", t0, t0.Add(time.Second), true},
		{"clock went back", t0, t0.Add(-time.Hour), true},
	} {
		if got := layoutCheckDue(c.last, c.now); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
