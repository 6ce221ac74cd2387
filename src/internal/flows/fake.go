package flows

import (
	"net/netip"
	"sync"

	"github.com/ti-mo/conntrack"

	"github.com/netfix/netfix/src/internal/heal"
)

// Fake is an in-memory conntrack table for tests of code that repairs
// through a FlowTable. It selects and deletes like the kernel table: only
// offloaded entries involving the host, deleted by ID.
type Fake struct {
	mu      sync.Mutex
	flows   []conntrack.Flow
	deleted []conntrack.Flow
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

// OffloadedOf returns the offloaded entries involving ip.
func (f *Fake) OffloadedOf(ip netip.Addr) ([]conntrack.Flow, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return heal.Select(f.flows, ip), nil
}

// Delete removes the entries with the given IDs that are still there.
func (f *Fake) Delete(sel []conntrack.Flow) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, s := range sel {
		for i, fl := range f.flows {
			if fl.ID == s.ID {
				f.deleted = append(f.deleted, fl)
				f.flows = append(f.flows[:i], f.flows[i+1:]...)
				n++
				break
			}
		}
	}
	return n, nil
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
	ids := make([]uint32, len(f.deleted))
	for i, fl := range f.deleted {
		ids[i] = fl.ID
	}
	return ids
}
