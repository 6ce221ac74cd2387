package daemon

import (
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/facts"
)

// A status read measures the drop counters' growth against the newest
// sample at least windowMin old, or the oldest younger one; a burst of
// reads keeps one sample a second; the window holds windowSamples.
func TestSampleWindow(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 7, 21, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	c := func(n uint64) facts.ForwardingCounters { return facts.ForwardingCounters{InAddrErrors: n} }
	type sample struct {
		at float64
		n  uint64
	}
	tests := []struct {
		name       string
		kept       []sample
		read       sample
		wantOK     bool
		wantGrowth uint64
		wantSecs   float64
	}{
		{"nothing sampled before", nil, sample{5, 10}, false, 0, 0},
		// The case: the sweep 21 s ago saw no drops; reads since
		// every 5 s. The newest sample at least 2 s old decides.
		{"a sweep 21 s old and reads since", []sample{{0, 100}, {5, 100}, {10, 104}, {15, 110}}, sample{21, 120}, true, 10, 6},
		{"only the sweep, 21 s old", []sample{{0, 100}}, sample{21, 110}, true, 10, 21},
		{"the newest sample is too young: the one before it", []sample{{0, 100}, {18, 105}, {20.5, 109}}, sample{21, 110}, true, 5, 3},
		{"only a young sample: measured over it", []sample{{20, 108}}, sample{21, 110}, true, 2, 1},
		{"counter went back (namespace recreated): no growth", []sample{{0, 500}}, sample{5, 10}, true, 0, 5},
		{"a sample from after the read (clock went back) is not a base", []sample{{30, 100}}, sample{21, 110}, false, 0, 0},
	}
	for _, tc := range tests {
		var w sampleWindow[facts.ForwardingCounters]
		for _, s := range tc.kept {
			w.add(at(s.at), c(s.n))
		}
		got, ok := growForwarding(&w, at(tc.read.at), c(tc.read.n))
		if ok != tc.wantOK {
			t.Errorf("%s: ok = %v, want %v", tc.name, ok, tc.wantOK)
			continue
		}
		if !ok {
			if got.Sampled {
				t.Errorf("%s: counters marked sampled without a base", tc.name)
			}
			continue
		}
		if !got.Sampled || got.InAddrErrorsGrowth != tc.wantGrowth || got.IntervalSeconds != tc.wantSecs || got.InAddrErrors != tc.read.n {
			t.Errorf("%s: got %+v, want +%d in %v s over %d", tc.name, got, tc.wantGrowth, tc.wantSecs, tc.read.n)
		}
	}
}

func TestSampleWindowBounds(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 7, 21, 0, 0, 0, time.UTC)
	var w sampleWindow[facts.ForwardingCounters]
	// A burst of reads 100 ms apart keeps one sample a second.
	for i := 0; i < 25; i++ {
		w.add(t0.Add(time.Duration(i)*100*time.Millisecond), facts.ForwardingCounters{InAddrErrors: uint64(i)})
	}
	if len(w.samples) != 3 {
		t.Errorf("25 reads over 2.4 s kept %d samples, want 3 (one a second)", len(w.samples))
	}
	// Reads every second for a minute keep the last windowSamples.
	for i := 3; i < 60; i++ {
		w.add(t0.Add(time.Duration(i)*time.Second), facts.ForwardingCounters{InAddrErrors: uint64(i)})
	}
	if len(w.samples) != windowSamples || !w.samples[0].at.Equal(t0.Add(52*time.Second)) {
		t.Errorf("kept %d samples from %s, want %d from +52 s", len(w.samples), w.samples[0].at, windowSamples)
	}
	// A clock that went back starts afresh.
	w.add(t0, facts.ForwardingCounters{})
	if len(w.samples) != 1 {
		t.Errorf("after the clock went back %d samples kept, want 1", len(w.samples))
	}
}
