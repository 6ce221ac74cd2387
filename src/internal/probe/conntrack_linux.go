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
// The counts come from one streamed dump of the offloaded entries: the
// daemon re-reads this every sweep, so memory and CPU must not grow with
// the table (a full dump of a 50k-entry table held in memory would cost a
// small router tens of MB each time).
func ReadConntrack(conn *conntrack.Conn) (facts.Conntrack, error) {
	ct := facts.Conntrack{}
	g, err := conn.StatsGlobal()
	if err != nil {
		return ct, classify("read conntrack statistics", err, ErrConntrackMissing)
	}
	ct.Entries, ct.Max = g.Entries, g.MaxEntries

	st, err := StreamConntrack(context.Background(), OffloadFilter(), func(f *conntrack.Flow) error {
		// The filter guarantees [OFFLOAD].
		ct.Offloaded++
		if uint32(f.Status)&facts.StatusHWOffload != 0 {
			ct.HWOffloaded++
		}
		return nil
	})
	if err != nil {
		return ct, classify("dump conntrack table", err, ErrConntrackMissing)
	}
	ct.Dumped = st.Messages
	if st.KernelFiltered {
		// The kernel sent the offloaded entries only; the table size is
		// its own count.
		ct.Dumped = int(ct.Entries)
	}
	ct.Available = true
	return ct, nil
}
