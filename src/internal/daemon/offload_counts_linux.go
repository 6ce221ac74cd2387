//go:build linux

// This file decides when the sweep walks the conntrack table for its
// offload counts. The walk is the sweep's only cost that grows with the
// table (about 0.35 s of CPU at 250k entries when every entry is
// offloaded, mostly the kernel's dump); an idle daemon does not need it
// every 30 s. The counts are walked again when they are older than
// offloadCountMaxAge, after any event that deleted entries (a repair, a
// flush, a reclaim), when the flowtable layout changed and
// when the table's size moved by more than a tenth; in between the status
// reports the earlier counts with the time they were taken
// (conntrack.offload_counted_at). The table's size (nf_conntrack_count)
// is read every sweep.

package daemon

import (
	"runtime/debug"
	"time"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe"
)

// offloadCountMaxAge is how old the offload counts of an idle daemon get:
// one walk of a 250k-entry table (about 0.35 s of CPU) every 10 minutes is
// 35 ms a minute, within the idle budget of 50 ms.
const offloadCountMaxAge = 10 * time.Minute

// reusableOffloadCounts returns the last counts when they may stand for
// this sweep, nil when the probe must walk the table.
func (p *prober) reusableOffloadCounts(deleted uint64, now time.Time) *facts.Conntrack {
	p.ct.optDeleted = deleted
	c := p.ct.counts
	if c == nil || deleted != p.ct.countDeleted {
		return nil
	}
	// A clock that went backwards makes them stale too.
	if age := now.Sub(*c.OffloadCountedAt); age < 0 || age >= offloadCountMaxAge {
		return nil
	}
	return c
}

// keepOffloadCounts remembers the counts of a fresh walk, and walks now
// when reused counts belong to another flowtable layout or a table of
// another size.
func (p *prober) keepOffloadCounts(s *facts.Snapshot) {
	if s.Conntrack.OffloadCountedAt != nil && (!sameLayout(s.Offload, p.ct.countLayout) || sizeMoved(p.ct.countEntries, s.Conntrack.Entries)) {
		if err := probe.CountOffloaded(&s.Conntrack); err != nil {
			p.log.Warnf("recount offloaded conntrack entries: %v", err)
			return
		}
	}
	if s.Conntrack.OffloadCountedAt == nil {
		at := s.TakenAt.UTC()
		c := facts.Conntrack{Dumped: s.Conntrack.Dumped, Offloaded: s.Conntrack.Offloaded,
			HWOffloaded: s.Conntrack.HWOffloaded, OffloadCountedAt: &at}
		p.ct.counts, p.ct.countDeleted, p.ct.countLayout = &c, p.ct.optDeleted, s.Offload
		p.ct.countEntries = s.Conntrack.Entries
		// The walk's garbage (every entry of a big table crossed
		// netlink) goes back to the kernel now: walks are rare, and the
		// idle RSS must not depend on the table.
		debug.FreeOSMemory()
	}
}

// sizeMoved reports whether the table's size moved by more than a tenth
// since the counts were taken: a flood or a mass expiry is no idle table.
func sizeMoved(then, now uint32) bool {
	if now < then {
		return then-now > then/10
	}
	return now-then > then/10
}

// sameLayout reports whether two probes saw the same flowtables: what
// decides which entries the kernel offloads (their flags, references and
// devices).
func sameLayout(a, b facts.Offload) bool {
	if a.Mode != b.Mode || len(a.Flowtables) != len(b.Flowtables) {
		return false
	}
	for i, x := range a.Flowtables {
		y := b.Flowtables[i]
		if x.Family != y.Family || x.Table != y.Table || x.Name != y.Name || x.HWOffloadFlag != y.HWOffloadFlag ||
			x.Referenced != y.Referenced || len(x.Devices) != len(y.Devices) {
			return false
		}
		for j, dev := range x.Devices {
			if dev.Name != y.Devices[j].Name {
				return false
			}
		}
	}
	return true
}
