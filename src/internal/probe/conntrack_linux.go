//go:build linux

package probe

import (
	"github.com/ti-mo/conntrack"

	"github.com/netfix/netfix/src/internal/facts"
)

// ReadConntrack counts the table and its offload bits over ctnetlink.
func ReadConntrack(conn *conntrack.Conn) (facts.Conntrack, error) {
	ct := facts.Conntrack{}
	g, err := conn.StatsGlobal()
	if err != nil {
		return ct, classify("read conntrack statistics", err, ErrConntrackMissing)
	}
	ct.Entries, ct.Max = g.Entries, g.MaxEntries
	flows, err := conn.Dump(nil)
	if err != nil {
		return ct, classify("dump conntrack table", err, ErrConntrackMissing)
	}
	ct.Dumped = len(flows)
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
