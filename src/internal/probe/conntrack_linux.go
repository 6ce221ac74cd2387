//go:build linux

package probe

import (
	"errors"
	"syscall"

	"github.com/ti-mo/conntrack"

	"github.com/netfix/netfix/src/internal/facts"
)

// ReadConntrack counts the table and its offload bits over ctnetlink.
//
// The counts come from a dump the kernel filters on the OFFLOAD status bit
// (Linux 5.15+; every HW_OFFLOAD entry has it too), so only offloaded
// entries cross netlink: the daemon re-reads this every sweep, and a full
// dump of a 50k-entry table each time would cost a small router real CPU.
// Older kernels reject the filter and get a full dump.
func ReadConntrack(conn *conntrack.Conn) (facts.Conntrack, error) {
	ct := facts.Conntrack{}
	g, err := conn.StatsGlobal()
	if err != nil {
		return ct, classify("read conntrack statistics", err, ErrConntrackMissing)
	}
	ct.Entries, ct.Max = g.Entries, g.MaxEntries

	flows, err := conn.DumpFilter(conntrack.NewFilter().Status(conntrack.StatusOffload), nil)
	filtered := err == nil
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.EOPNOTSUPP) {
		flows, err = conn.Dump(nil)
	}
	if err != nil {
		return ct, classify("dump conntrack table", err, ErrConntrackMissing)
	}
	ct.Dumped = len(flows)
	if filtered {
		// The filtered dump returns the offloaded entries only; the table
		// size is the kernel's own count.
		ct.Dumped = int(ct.Entries)
	}
	for i := range flows {
		st := uint32(flows[i].Status)
		if st&facts.StatusOffload != 0 {
			ct.Offloaded++
		}
		if st&facts.StatusHWOffload != 0 {
			ct.HWOffloaded++
		}
	}
	ct.Available = true
	return ct, nil
}
