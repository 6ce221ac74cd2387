//go:build linux

// This file watches the conntrack table's fill (scenario S2): a cheap
// count every sweep, a full dump only when a threshold is crossed or the
// kernel starts refusing connections, events for both, and the opt-in
// reclaim of idle ESTABLISHED entries. It never changes a sysctl.

package daemon

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/ti-mo/conntrack"

	"github.com/netfix/netfix/src/internal/ctreclaim"
	"github.com/netfix/netfix/src/internal/ctusage"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe"
	"github.com/netfix/netfix/src/internal/report"
	"github.com/netfix/netfix/src/internal/status"
)

// Event reasons of the conntrack table.
const (
	ReasonConntrackFull     = "conntrack_full"
	ReasonConntrackDropping = "conntrack_dropping"
	ReasonConntrackReclaim  = "conntrack_reclaim"
)

// ctWatch is what the prober remembers between sweeps: one statistics
// sample, the fill level last seen and the breakdown of the last dump.
// Its size does not depend on the table (the breakdown is capped at
// facts.MaxTopRows rows). The prober's alone.
type ctWatch struct {
	prev  *probe.CTSample
	level int // 0 under 75 %, 1 from 75 %, 2 from 90 %
	usage *facts.CTUsage
	// policyWarned: the "reclaim skipped: ct timeout policies" warning
	// was logged (once per episode).
	policyWarned bool
	// reclaimable is the count of the last dump at the configured
	// reclaim_idle.
	reclaimable int

	// counts are the offload counts of the last walk
	// (offload_counts_linux.go); countDeleted, countLayout and
	// countEntries are the journal's total of deleted entries, the
	// flowtable layout and the table's size when it was taken; optDeleted
	// is that total when the current sweep's probe started.
	counts       *facts.Conntrack
	countDeleted uint64
	countLayout  facts.Offload
	countEntries uint32
	optDeleted   uint64
}

// ctLive is the conntrack statistics as sweeps and status reads sampled
// them, for a status read's growth over the last seconds. mu guards
// window; the prober (keepConntrackSample) and status reads
// (liveConntrack) take it, never across a probe or a dump.
type ctLive struct {
	mu     sync.Mutex
	window sampleWindow[facts.CTStats]
}

// keepConntrackSample records a sweep's statistics in the window.
func (d *Daemon) keepConntrackSample(ct facts.Conntrack, at time.Time) {
	if !ct.Available || ct.Table == nil {
		return
	}
	d.ctLive.mu.Lock()
	d.ctLive.window.add(at, ct.Table.Stats)
	d.ctLive.mu.Unlock()
}

// liveConntrack gives a status read the table's size and statistics now,
// with the statistics' growth over the last seconds: one read of the
// per-CPU statistics (probe.ReadPulse with sockets of its own, not the
// prober's, which a dump may hold for seconds). The rest of ct (the
// breakdown of who holds the entries, the timeouts) stays the last
// sweep's. Where the table was not readable at the last sweep, nothing
// changes.
func (d *Daemon) liveConntrack(ct *facts.Conntrack, at time.Time) {
	if !ct.Available || ct.Table == nil || ct.Max == 0 {
		return
	}
	p := probe.ReadPulse(nil, ct.Max)
	if p.CTErr == nil {
		ct.Entries = p.Conntrack.Entries
	}
	if p.StatsErr != nil {
		return
	}
	t := *ct.Table // the published snapshot's table: change a copy
	t.Stats = p.Stats
	d.ctLive.mu.Lock()
	b, secs, ok := d.ctLive.window.base(at)
	d.ctLive.window.add(at, p.Stats)
	d.ctLive.mu.Unlock()
	if ok {
		g := p.Stats.Since(b)
		t.Growth, t.GrowthSeconds = &g, int(secs)
	}
	ct.Table = &t
}

// ctDumpTimeout bounds one full dump (250k entries take about a second on
// a small router).
const ctDumpTimeout = time.Minute

// conntrackProbeOptions makes the sweep's probe skip the dump and measure
// the statistics' growth from the daemon's own previous sample.
func (p *prober) conntrackProbeOptions(o probe.Options) probe.Options {
	_, deleted := p.journal.totals()
	o.OffloadCounts = p.reusableOffloadCounts(deleted, time.Now())
	o.CTDump = probe.CTDumpNever
	o.CTPrev = p.ct.prev
	if o.CTPrev == nil {
		// First sweep: a sample of its own, so no file is shared with
		// one-shot checks.
		o.CTPrev = &probe.CTSample{}
	}
	return o
}

// conntrackSweep runs after each probe: it records crossings and drops,
// dumps when they happen, reclaims when allowed, and fills in the
// snapshot's breakdown and reclaim facts.
func (p *prober) conntrackSweep(s *facts.Snapshot) {
	t := s.Conntrack.Table
	if !s.Conntrack.Available || t == nil || s.Conntrack.Max == 0 {
		return
	}
	cfg := p.config()
	reclaimOn, reclaimIdle := cfg.ConntrackReclaim, cfg.ReclaimIdle

	p.keepOffloadCounts(s)
	firstSample := p.ct.prev == nil
	p.ct.prev = &probe.CTSample{At: time.Now(), Stats: t.Stats}
	if firstSample {
		// The growth since boot is not a burst.
		t.Growth, t.GrowthSeconds = nil, 0
	}
	level := fillLevel(s.Conntrack.Fill())
	var refused uint64
	if t.Growth != nil {
		refused = t.Growth.Refusals()
	}
	crossed := level != p.ct.level
	if crossed || refused > 0 || (level > 0 && p.ct.usage == nil) {
		p.dumpConntrack(s, reclaimIdle)
	}
	if level > p.ct.level {
		p.conntrackEvent(ReasonConntrackFull, s, refused)
	}
	if refused > 0 {
		p.conntrackEvent(ReasonConntrackDropping, s, refused)
	}
	p.ct.level = level
	if level == 0 {
		p.ct.usage = nil // nothing to explain; do not keep an old picture
	}
	t.Usage = p.ct.usage
	t.Reclaim = &facts.CTReclaim{Enabled: reclaimOn, IdleSeconds: reclaimIdle, Reclaimable: p.ct.reclaimable}

	if reclaimOn && level == 2 {
		p.reclaim(s, reclaimIdle)
	}
}

func fillLevel(fill float64) int {
	switch {
	case fill >= ctusage.CriticalPct:
		return 2
	case fill >= ctusage.WarnPct:
		return 1
	}
	return 0
}

// dumpConntrack streams the table into a fresh breakdown.
func (p *prober) dumpConntrack(s *facts.Snapshot, reclaimIdle uint32) {
	t := s.Conntrack.Table
	if !t.Timeouts.Read {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), ctDumpTimeout)
	defer cancel()
	u, reclaimable, err := probe.ReadCTUsage(ctx, p.opts.Env.Root(), t.Timeouts.Established, reclaimIdle)
	if err != nil {
		p.log.Warnf("conntrack table is %.1f%% full but could not be read entry by entry: %v", s.Conntrack.Fill(), err)
		t.UsageError = err.Error()
		return
	}
	p.ct.usage, p.ct.reclaimable = &u, reclaimable
	// A dump of a big table leaves megabytes of decoded garbage; hand it
	// back now so the daemon's idle RSS does not depend on the table
	// (dumps are rare: crossings and drop bursts only).
	debug.FreeOSMemory()
}

// conntrackEvent journals a crossing or a drop burst with the top hosts.
func (p *prober) conntrackEvent(reason string, s *facts.Snapshot, refused uint64) {
	ce := &status.ConntrackEvent{Entries: s.Conntrack.Entries, Max: s.Conntrack.Max, Refused: refused}
	if p.ct.usage != nil {
		for i, h := range p.ct.usage.Hosts {
			if i == 3 {
				break
			}
			ce.Hosts = append(ce.Hosts, status.ConntrackHostCount{Host: h.Addr, Name: h.Name, Count: h.Entries})
		}
	}
	ev := status.Event{Time: time.Now().UTC(), Reason: reason, Conntrack: ce}
	p.journal.add(ev)
	p.log.Warnf("%s", report.EventLine(ev))
}

// reclaim deletes idle ESTABLISHED entries, oldest first, until the table
// is under 75 %.
func (p *prober) reclaim(s *facts.Snapshot, idle uint32) {
	t := s.Conntrack.Table
	need := ctusage.NeedToFree(s.Conntrack.Entries, s.Conntrack.Max, ctusage.WarnPct)
	if need == 0 || !t.Timeouts.Read {
		return
	}
	if t.Timeouts.IdleUntold() {
		if !p.ct.policyWarned {
			why := fmt.Sprintf("ct timeout policies exist (%v)", t.Timeouts.Policies)
			if t.Timeouts.PoliciesError != "" {
				why = "ct timeout policies could not be listed: " + t.Timeouts.PoliciesError
			}
			p.log.Warnf("conntrack table %.1f%% full, reclaim skipped: %s, so idle entries cannot be told from live ones", s.Conntrack.Fill(), why)
			p.ct.policyWarned = true
		}
		return
	}
	p.ct.policyWarned = false
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), ctDumpTimeout)
	defer cancel()
	res, err := ctreclaim.Free(ctx, ctreclaim.Options{Established: t.Timeouts.Established, MinIdle: idle, Need: need})
	ce := &status.ConntrackEvent{Entries: s.Conntrack.Entries, Max: s.Conntrack.Max, IdleS: idle}
	for _, h := range res.Hosts {
		ce.Hosts = append(ce.Hosts, status.ConntrackHostCount{Host: h.Host, Count: h.Count})
	}
	ev := status.Event{Time: start.UTC(), Reason: ReasonConntrackReclaim, FlowsDeleted: res.Deleted,
		LatencyUS: time.Since(start).Microseconds(), Conntrack: ce}
	if err != nil {
		ev.Error = err.Error()
	}
	p.journal.add(ev)
	p.log.Infof("%s", report.EventLine(ev))
	// The picture changed: show the table as the reclaim left it.
	if res.Deleted > 0 {
		p.recount(s, idle)
	}
}

// recount re-reads the count and the breakdown after a reclaim, so the
// status shows the table as it is now.
func (p *prober) recount(s *facts.Snapshot, reclaimIdle uint32) {
	c, err := conntrack.Dial(nil)
	if err != nil {
		p.log.Warnf("re-read conntrack count after reclaim: %v", err)
		return
	}
	g, err := c.StatsGlobal()
	c.Close()
	if err != nil {
		p.log.Warnf("re-read conntrack count after reclaim: %v", err)
		return
	}
	s.Conntrack.Entries = g.Entries
	p.dumpConntrack(s, reclaimIdle)
	p.ct.level = fillLevel(s.Conntrack.Fill())
	s.Conntrack.Table.Usage = p.ct.usage
	s.Conntrack.Table.Reclaim.Reclaimable = p.ct.reclaimable
}
