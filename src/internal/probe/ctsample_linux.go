//go:build linux

package probe

import (
	"context"
	"time"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/rootfs"
	"github.com/netfix/netfix/src/internal/smalljson"
)

// CTSample is one reading of the kernel's conntrack statistics, kept so the
// next reading can tell how much they grew.
type CTSample struct {
	At    time.Time     `json:"at"`
	Stats facts.CTStats `json:"stats"`
}

// CTStatsCache is the file in the state directory (env.Env.StatePath)
// that keeps the previous one-shot check's sample on tmpfs, so `netfix
// check` and LuCI polls without the daemon still see the drop counters
// grow. With --root it is neither read nor written (nothing is written
// because of a root).
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
// reports true: s.Conntrack's offload counts are then set.
func gatherCTTable(k *Sockets, nr nftRead, opts Options, root string, s *facts.Snapshot) (counted bool) {
	ctc, err := k.conntrack() // opened by the probe already
	var t facts.CTTable
	if err == nil {
		t, err = ReadCTTable(ctc)
	}
	if err != nil {
		k.fail()
		t.UsageError = err.Error()
		s.Conntrack.Table = &t
		return false
	}
	// As ReadCTTimeoutPolicies, with the nft part from the probe's
	// reading of the ruleset (clipped: that list may be kept for the next
	// probe, appending must copy it).
	t.Timeouts.Policies, err = nr.policies[:len(nr.policies):len(nr.policies)], nr.policiesErr
	if err == nil {
		var more []string
		more, err = readNFCTTimeouts(k)
		t.Timeouts.Policies = append(t.Timeouts.Policies, more...)
	}
	if err != nil {
		t.Timeouts.PoliciesError = err.Error()
	}
	now := time.Now()
	prev := opts.CTPrev
	if prev == nil && opts.Env.IsHost() {
		cache := opts.Env.StatePath(CTStatsCache)
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
		c := &s.Conntrack
		u, _, err := readCTUsage(ctx, root, t.Timeouts.Established, 0, c, OffloadFilter().Status)
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
	return counted
}

func readCTSample(path string) *CTSample {
	b, err := rootfs.ReadFile("", path, 64<<10)
	if err != nil {
		return nil
	}
	var s CTSample
	if smalljson.Unmarshal(b, &s) != nil || s.At.IsZero() {
		return nil
	}
	return &s
}

// writeCTSample is best effort: without it the next check shows no growth.
// It writes like the daemon's state: never through a planted link.
func writeCTSample(path string, s CTSample) {
	if b, err := smalljson.Marshal(s); err == nil {
		_ = rootfs.WriteState(path, b)
	}
}
