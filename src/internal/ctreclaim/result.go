package ctreclaim

import (
	"net/netip"
	"sort"

	"github.com/netfix/netfix/src/internal/ctusage"
)

// HostCount is how many entries of one host a pass freed.
type HostCount struct {
	Host  string `json:"host"`
	Count int    `json:"count"`
}

// Result says what a pass did (or, in a dry run, would do).
type Result struct {
	// Threshold is the idle time from which on entries were deleted (at
	// least the MinIdle asked for; higher when only the oldest were
	// needed).
	Threshold uint32 `json:"threshold_s"`
	Deleted   int    `json:"deleted"`
	// Capped counts entries whose idle time is unknown and whose remaining
	// time was shortened to the established timeout in effect.
	Capped int `json:"capped"`
	// Unknown counts established entries left alone because their idle
	// time cannot be told.
	Unknown int `json:"unknown"`
	// Hosts are the hosts that lost entries, most first, at most
	// MaxHostRows (the rest are under ctusage.OtherKey).
	Hosts  []HostCount `json:"hosts"`
	DryRun bool        `json:"dry_run"`
}

// MaxHostRows caps Result.Hosts.
const MaxHostRows = 10

// hostCounter counts per host with a bounded map (ctusage.MaxHosts rows;
// later hosts go to ctusage.OtherKey).
type hostCounter struct {
	m     map[netip.Addr]int
	other int
}

func (h *hostCounter) add(a netip.Addr) {
	if h.m == nil {
		h.m = map[netip.Addr]int{}
	}
	a = a.Unmap()
	if _, ok := h.m[a]; ok || len(h.m) < ctusage.MaxHosts {
		h.m[a]++
		return
	}
	h.other++
}

func (h *hostCounter) rows() []HostCount {
	out := make([]HostCount, 0, len(h.m)+1)
	for a, n := range h.m {
		out = append(out, HostCount{Host: a.String(), Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Host < out[j].Host
	})
	var rest int
	if len(out) > MaxHostRows {
		for _, r := range out[MaxHostRows:] {
			rest += r.Count
		}
		out = out[:MaxHostRows]
	}
	if rest+h.other > 0 {
		out = append(out, HostCount{Host: ctusage.OtherKey, Count: rest + h.other})
	}
	return out
}
