//go:build linux

package daemon

import (
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/facts"
)

// When a sweep may report the previous walk's offload counts instead of
// walking the table again: never without counts, after entries were
// deleted, or once they are offloadCountMaxAge old.
func TestReusableOffloadCounts(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	counts := &facts.Conntrack{Dumped: 250000, Offloaded: 250000, HWOffloaded: 12, OffloadCountedAt: &at}
	tests := []struct {
		name      string
		counts    *facts.Conntrack
		countedAt uint64 // entries the journal says were deleted, when counted
		deleted   uint64 // and now
		now       time.Time
		reuse     bool
	}{
		{name: "first sweep: nothing counted yet", now: at, reuse: false},
		{name: "next sweep, nothing happened", counts: counts, countedAt: 3, deleted: 3, now: at.Add(30 * time.Second), reuse: true},
		{name: "just under the maximum age", counts: counts, countedAt: 3, deleted: 3, now: at.Add(offloadCountMaxAge - time.Second), reuse: true},
		{name: "maximum age reached", counts: counts, countedAt: 3, deleted: 3, now: at.Add(offloadCountMaxAge), reuse: false},
		{name: "a repair, flush or reclaim deleted entries since", counts: counts, countedAt: 3, deleted: 4, now: at.Add(30 * time.Second), reuse: false},
		{name: "clock went backwards", counts: counts, countedAt: 3, deleted: 3, now: at.Add(-time.Minute), reuse: false},
	}
	for _, tc := range tests {
		d := &prober{}
		d.ct.counts, d.ct.countDeleted = tc.counts, tc.countedAt
		got := d.reusableOffloadCounts(tc.deleted, tc.now)
		if (got != nil) != tc.reuse {
			t.Errorf("%s: reused %v, want %v", tc.name, got != nil, tc.reuse)
			continue
		}
		if got != nil && got != tc.counts {
			t.Errorf("%s: reused %+v, want %+v", tc.name, *got, *tc.counts)
		}
		if d.ct.optDeleted != tc.deleted {
			t.Errorf("%s: remembered %d deleted, want %d", tc.name, d.ct.optDeleted, tc.deleted)
		}
	}
}

// The layout differs with everything that decides what is offloaded, and
// only with that.
func TestSameLayout(t *testing.T) {
	t.Parallel()
	base := facts.Offload{Mode: "software", Flowtables: []facts.Flowtable{{
		Family: "inet", Table: "fw4", Name: "ft", Referenced: true,
		Devices: []facts.Device{{Name: "lan1"}, {Name: "wan"}},
	}}}
	variant := func(change func(o *facts.Offload)) facts.Offload {
		o := base
		o.Flowtables = []facts.Flowtable{base.Flowtables[0]}
		o.Flowtables[0].Devices = append([]facts.Device{}, base.Flowtables[0].Devices...)
		change(&o)
		return o
	}
	tests := []struct {
		name string
		o    facts.Offload
		same bool
	}{
		{name: "unchanged", o: variant(func(*facts.Offload) {}), same: true},
		{name: "an error text only", o: variant(func(o *facts.Offload) { o.Error = "x" }), same: true},
		{name: "hardware flag", o: variant(func(o *facts.Offload) { o.Flowtables[0].HWOffloadFlag = true }), same: false},
		{name: "no longer referenced", o: variant(func(o *facts.Offload) { o.Flowtables[0].Referenced = false }), same: false},
		{name: "a device left", o: variant(func(o *facts.Offload) { o.Flowtables[0].Devices = o.Flowtables[0].Devices[:1] }), same: false},
		{name: "flowtable gone", o: variant(func(o *facts.Offload) { o.Mode, o.Flowtables = "none", nil }), same: false},
	}
	for _, tc := range tests {
		if got := sameLayout(base, tc.o); got != tc.same {
			t.Errorf("%s: same layout = %v, want %v", tc.name, got, tc.same)
		}
	}
}

// A table whose size moved by more than a tenth is walked again.
func TestSizeMoved(t *testing.T) {
	t.Parallel()
	tests := []struct {
		then, now uint32
		moved     bool
	}{
		{250000, 250000, false},
		{250000, 270000, false},
		{250000, 275001, true},
		{250000, 224999, true},
		{0, 0, false},
		{0, 1, true},
		{10, 11, false},
	}
	for _, tc := range tests {
		if got := sizeMoved(tc.then, tc.now); got != tc.moved {
			t.Errorf("sizeMoved(%d, %d) = %v, want %v", tc.then, tc.now, got, tc.moved)
		}
	}
}
