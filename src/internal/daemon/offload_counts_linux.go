//go:build linux

// This file decides when the sweep walks the conntrack table for its
// offload counts. The walk is the sweep's only cost that grows with the
// table (about 0.3 s of CPU at 250k entries when every entry is
// offloaded, mostly the kernel's dump); an idle daemon does not need it
// every 30 s. The counts are walked again when they are older than
// offloadCountMaxAge, after any journal event (a repair, a flush, a
// conntrack crossing or reclaim), when the flowtable layout changed and
// when the table's size moved by more than a tenth; in between the status
// reports the earlier counts with the time they were taken
// (conntrack.offload_counted_at). The table's size (nf_conntrack_count)
// is read every sweep.

package daemon

import (
	"strconv"
	"strings"
	"time"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe"
)

// offloadCountMaxAge is how old the offload counts of an idle daemon get:
// one walk of a 250k-entry table (about 0.35 s of CPU) every 10 minutes is
// 35 ms a minute, within the idle budget of 50 ms.
const offloadCountMaxAge = 10 * time.Minute

// reusableOffloadCounts returns the last counts when they may stand for
// this sweep, nil when the probe must walk the table; d.ct.mu is held.
func (d *Daemon) reusableOffloadCounts(events uint64, now time.Time) *probe.OffloadCounts {
	d.ct.optEvents = events
	c := d.ct.counts
	if c == nil || events != d.ct.countEvents || !countsFresh(c.At, now) {
		return nil
	}
	reuse := *c
	return &reuse
}

// countsFresh reports whether counts taken at "at" are recent enough (a
// clock that went backwards makes them stale).
func countsFresh(at, now time.Time) bool {
	age := now.Sub(at)
	return age >= 0 && age < offloadCountMaxAge
}

// keepOffloadCounts remembers the counts of a fresh walk, and walks now
// when reused counts belong to another flowtable layout or a table of
// another size; d.ct.mu is held.
func (d *Daemon) keepOffloadCounts(s *facts.Snapshot) {
	layout := flowtableLayout(s.Offload)
	if s.Conntrack.OffloadCountedAt != nil && (layout != d.ct.countLayout || sizeMoved(d.ct.countEntries, s.Conntrack.Entries)) {
		if err := probe.CountOffloaded(&s.Conntrack); err != nil {
			d.log.Warnf("count offloaded conntrack entries after a flowtable change: %v", err)
			return
		}
	}
	if s.Conntrack.OffloadCountedAt == nil {
		c := probe.CountsOf(*s)
		d.ct.counts, d.ct.countEvents, d.ct.countLayout = &c, d.ct.optEvents, layout
		d.ct.countEntries = s.Conntrack.Entries
	}
}

// sizeMoved reports whether the table's size moved by more than a tenth
// since the counts were taken: a flood or a mass expiry is no idle table.
func sizeMoved(then, now uint32) bool {
	d := int64(now) - int64(then)
	if d < 0 {
		d = -d
	}
	return d*10 > int64(then)
}

// flowtableLayout is what decides which entries the kernel offloads: the
// flowtables, their flags, references and devices.
func flowtableLayout(o facts.Offload) string {
	var b strings.Builder
	b.WriteString(o.Mode)
	for _, ft := range o.Flowtables {
		b.WriteString("|" + ft.Family + " " + ft.Table + " " + ft.Name + " " +
			strconv.FormatBool(ft.HWOffloadFlag) + strconv.FormatBool(ft.Referenced) + " " +
			strings.Join(ft.DeviceNames(), ","))
	}
	return b.String()
}
