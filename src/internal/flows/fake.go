package flows

import (
	"net/netip"
	"sync"

	"github.com/ti-mo/conntrack"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/heal"
)

// Fake is an in-memory conntrack table for tests of code that repairs
// through a FlowTable. It selects and deletes like the kernel table: only
// offloaded entries involving the host, allow asked once at the first.
type Fake struct {
	mu      sync.Mutex
	flows   []conntrack.Flow
	deleted []uint32
	nextID  uint32
}

var _ FlowTable = (*Fake)(nil)

// Add puts an entry from src to dst in the table, offloaded or not, and
// returns its ID.
func (f *Fake) Add(src, dst netip.Addr, offloaded bool) uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	fl := conntrack.Flow{ID: f.nextID}
	fl.TupleOrig.IP.SourceAddress, fl.TupleOrig.IP.DestinationAddress = src, dst
	fl.TupleReply.IP.SourceAddress, fl.TupleReply.IP.DestinationAddress = dst, src
	if offloaded {
		fl.Status = conntrack.StatusOffload
	}
	f.flows = append(f.flows, fl)
	return fl.ID
}

// DeleteOffloaded deletes (in dry run, counts) the offloaded entries
// involving ip, as *Table does.
func (f *Fake) DeleteOffloaded(ip netip.Addr, dryRun bool, allow func() bool) (Pass, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var p Pass
	kept := f.flows[:0]
	for i, fl := range f.flows {
		if p.Refused || uint32(fl.Status)&(facts.StatusOffload|facts.StatusHWOffload) == 0 || !heal.Involves(&fl, ip) {
			kept = append(kept, f.flows[i])
			continue
		}
		p.Matched++
		if p.Matched == 1 && allow != nil && !allow() {
			p.Refused = true
			kept = append(kept, fl)
			continue
		}
		p.Deleted++
		if dryRun {
			kept = append(kept, fl)
		} else {
			f.deleted = append(f.deleted, fl.ID)
		}
	}
	f.flows = kept
	return p, nil
}

// Len is the number of entries left in the table.
func (f *Fake) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.flows)
}

// Deleted returns the IDs of the entries deleted so far, in order.
func (f *Fake) Deleted() []uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]uint32(nil), f.deleted...)
}
