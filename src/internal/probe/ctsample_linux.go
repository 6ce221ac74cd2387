//go:build linux

package probe

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/google/nftables"
	"github.com/ti-mo/conntrack"

	"github.com/netfix/netfix/src/internal/facts"
)

// CTSample is one reading of the kernel's conntrack statistics, kept so the
// next reading can tell how much they grew.
type CTSample struct {
	At    time.Time     `json:"at"`
	Stats facts.CTStats `json:"stats"`
}

// CTStatsCache keeps the previous one-shot check's sample (below the root,
// on tmpfs), so `netfix check` and LuCI polls without the daemon still see
// the drop counters grow.
const CTStatsCache = "var/run/netfix/conntrack-stats.json"

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
// offload part of the check must not fail because of this one.
func gatherCTTable(ctc *conntrack.Conn, nft *nftables.Conn, opts Options, root string, s *facts.Snapshot) {
	t, err := ReadCTTable(ctc)
	if err != nil {
		t.UsageError = err.Error()
		s.Conntrack.Table = &t
		return
	}
	// Without nf_tables there are no nft ct timeout policies to find.
	t.Timeouts.Policies, _ = ReadCTTimeoutPolicies(nft)
	now := time.Now()
	prev := opts.CTPrev
	cache := filepath.Join(root, CTStatsCache)
	if prev == nil {
		prev = readCTSample(cache)
		writeCTSample(cache, CTSample{At: now, Stats: t.Stats})
	}
	if prev != nil && now.After(prev.At) {
		g := t.Stats.Since(prev.Stats)
		t.Growth = &g
		t.GrowthSeconds = int(now.Sub(prev.At).Round(time.Second) / time.Second)
	}
	ct := s.Conntrack
	dump := opts.CTDump == CTDumpAlways ||
		(opts.CTDump == CTDumpAuto && (ct.Fill() >= CTDumpFillPct || ct.Entries <= CTDumpSmallSize || (t.Growth != nil && t.Growth.Refusals() > 0)))
	if dump && t.Timeouts.Read {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		u, _, err := ReadCTUsage(ctx, root, t.Timeouts.Established, 0)
		cancel()
		if err != nil {
			t.UsageError = err.Error()
		} else {
			t.Usage = &u
		}
	}
	s.Conntrack.Table = &t
}

func readCTSample(path string) *CTSample {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var s CTSample
	if json.Unmarshal(b, &s) != nil || s.At.IsZero() {
		return nil
	}
	return &s
}

// writeCTSample is best effort: without it the next check shows no growth.
func writeCTSample(path string, s CTSample) {
	b, err := json.Marshal(s)
	if err == nil && os.MkdirAll(filepath.Dir(path), 0o755) == nil {
		_ = os.WriteFile(path, b, 0o644)
	}
}
