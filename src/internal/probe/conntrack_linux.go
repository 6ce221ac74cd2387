//go:build linux

package probe

import (
	"context"

	"github.com/ti-mo/conntrack"

	"github.com/netfix/netfix/src/internal/facts"
)

// OffloadFilter selects the entries the flowtable owns: status [OFFLOAD]
// (every [HW_OFFLOAD] entry has that bit too). On Linux 5.15+ the kernel
// applies it, so only offloaded entries cross netlink.
//
// A benchmark build (go build -tags netfixbench, see benchswitch_on.go)
// selects every entry instead, to measure the worst case (a router where
// fw4 offloads every flow) on a kernel without a flowtable.
func OffloadFilter() CTFilter {
	if benchMatchEveryEntry {
		return CTFilter{}
	}
	return CTFilter{Status: conntrack.StatusOffload}
}

// ReadConntrack counts the table and its offload bits over ctnetlink.
//
// The counts come from streamed dumps of the offloaded entries: the
// daemon re-reads this every sweep, so memory must not grow with the table
// (a 250k-entry table held in memory cost 389 MB) and CPU as little as the
// kernel allows.
func ReadConntrack(conn *conntrack.Conn) (facts.Conntrack, error) {
	ct := facts.Conntrack{}
	g, err := conn.StatsGlobal()
	if err != nil {
		return ct, classify("read conntrack statistics", err, ErrConntrackMissing)
	}
	ct.Entries, ct.Max = g.Entries, g.MaxEntries

	// Two counts, each filtered in the kernel: the entries cross netlink
	// only to be counted (not decoded) where the kernel applies the
	// status filter itself (5.15+).
	off, err := CountConntrack(context.Background(), OffloadFilter())
	if err != nil {
		return ct, classify("dump conntrack table", err, ErrConntrackMissing)
	}
	ct.Offloaded = off.Flows
	// Every HW_OFFLOAD entry is OFFLOAD too: with none offloaded the
	// second walk of the table (0.17 s of kernel time at 220k entries)
	// can only count 0.
	if ct.Offloaded > 0 {
		hw, err := CountConntrack(context.Background(), CTFilter{Status: conntrack.Status(facts.StatusHWOffload)})
		if err != nil {
			return ct, classify("dump conntrack table", err, ErrConntrackMissing)
		}
		ct.HWOffloaded = hw.Flows
	}
	ct.Dumped = off.Messages
	if off.KernelFiltered {
		// The kernel sent the offloaded entries only; the table size is
		// its own count.
		ct.Dumped = int(ct.Entries)
	}
	ct.Available = true
	return ct, nil
}
