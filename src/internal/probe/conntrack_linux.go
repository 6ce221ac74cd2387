//go:build linux

package probe

import (
	"context"
	"time"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe/ct"
	"github.com/netfix/netfix/src/internal/probe/nft"
	"github.com/netfix/netfix/src/internal/probe/nlsock"
)

// CTSample is one reading of the kernel's conntrack statistics, kept so the
// next reading can tell how much they grew.
type CTSample struct {
	At    time.Time     `json:"at"`
	Stats facts.CTStats `json:"stats"`
}

// CTStatsCache is the file in the state directory (env.Env.StatePath)
// where a one-shot check keeps its sample (Memo.CTStats) on tmpfs for the
// next (Options.CTPrev), so `netfix check` and LuCI polls without the
// daemon still see the drop counters grow. With --root it is neither read
// nor written (nothing is written because of a root).
const CTStatsCache = "conntrack-stats.json"

// Dump policies of Options.CTDump.
const (
	// CTDumpAuto dumps the table when it is at least CTDumpFillPct full,
	// small enough to be cheap, or refusing connections.
	CTDumpAuto = ""
	// CTDumpNever reads counts, sysctls and statistics only: the daemon's
	// sweep, which dumps on its own when a threshold is crossed.
	CTDumpNever = "never"
	// CTDumpAlways always dumps.
	CTDumpAlways = "always"
)

// A one-shot check dumps tables up to this size whatever their fill.
const (
	CTDumpFillPct   = 50
	CTDumpSmallSize = 20000
)

// gatherCTTable fills s.Conntrack.Table. Errors are recorded as facts: the
// offload part of the check must not fail because of this one. When it
// dumps the whole table it counts the offload bits in the same walk and
// reports counted: s.Conntrack's offload counts are then set. sample is
// the statistics it read, for the next check's growth (nil: none read).
func gatherCTTable(k *nlsock.Sockets, nr nft.Reading, opts Options, root string, s *facts.Snapshot) (counted bool, sample *CTSample) {
	ctc, err := k.Conntrack() // opened by the probe already
	var t facts.CTTable
	if err == nil {
		t, err = ct.ReadCTTable(ctc)
	}
	if err != nil {
		k.Fail()
		t.UsageError = err.Error()
		s.Conntrack.Table = &t
		return false, nil
	}
	// As nft.ReadCTTimeoutPolicies, with the nft part from the probe's
	// reading of the ruleset (clipped: that list may be kept for the next
	// probe, appending must copy it).
	t.Timeouts.Policies, err = nr.Policies[:len(nr.Policies):len(nr.Policies)], nr.PoliciesErr
	if err == nil {
		var more []string
		more, err = nft.ReadNFCTTimeouts(k)
		t.Timeouts.Policies = append(t.Timeouts.Policies, more...)
	}
	if err != nil {
		t.Timeouts.PoliciesError = err.Error()
	}
	now := time.Now()
	sample = &CTSample{At: now, Stats: t.Stats}
	if prev := opts.CTPrev; prev != nil && now.After(prev.At) {
		g := t.Stats.Since(prev.Stats)
		t.Growth = &g
		t.GrowthSeconds = int(now.Sub(prev.At).Round(time.Second) / time.Second)
	}
	size := s.Conntrack
	dump := opts.CTDump == CTDumpAlways ||
		(opts.CTDump == CTDumpAuto && (size.Fill() >= CTDumpFillPct || size.Entries <= CTDumpSmallSize || (t.Growth != nil && t.Growth.Refusals() > 0)))
	if dump && t.Timeouts.Read {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		c := &s.Conntrack
		u, err := ct.ReadCTUsageCounting(ctx, root, t.Timeouts.Established, c)
		cancel()
		if err != nil {
			t.UsageError = err.Error()
		} else {
			t.Usage = &u
			c.Dumped, c.OffloadCountedAt, c.Available = u.Dumped, nil, true
			counted = true
		}
	}
	s.Conntrack.Table = &t
	return counted, sample
}
