package flows

import (
	"net/netip"
	"time"

	"github.com/netfix/netfix/src/internal/heal"
	"github.com/netfix/netfix/src/internal/status"
)

// FlowTable is the conntrack table as a repair sees it: one pass over a
// host's offloaded entries that deletes them. *Table is the kernel's; Fake
// stands in for it in tests of the daemon's decisions.
type FlowTable interface {
	// DeleteOffloaded deletes (in dry run, counts) the offloaded entries
	// involving ip. allow, if not nil, is asked once at the first such
	// entry; when it says no, nothing is deleted and Pass.Refused is set.
	DeleteOffloaded(ip netip.Addr, dryRun bool, allow func() bool) (Pass, error)
}

// Pass is the outcome of one pass over a host's offloaded entries.
type Pass struct {
	// Matched counts the offloaded entries involving the host that the
	// pass saw (it stops at the first one when allow refuses).
	Matched int
	// Deleted counts the entries deleted; in dry run, those that would be.
	Deleted int
	// Refused: allow said no at the first match, nothing was deleted.
	Refused bool
}

// Flush deletes (or, in dry run, counts) ip's offloaded entries in t now
// and describes it as a manual repair event. A failed delete is in the
// event's Error; a failed dump is an error unless something was deleted
// already.
func Flush(t FlowTable, ip netip.Addr, dryRun bool) (status.Event, error) {
	start := time.Now()
	ip = ip.Unmap()
	p, err := t.DeleteOffloaded(ip, dryRun, nil)
	if err != nil && p.Matched == 0 {
		return status.Event{}, err
	}
	ev := status.Event{Time: start.UTC(), IP: ip.String(), Reason: heal.ReasonManual, DryRun: dryRun, FlowsDeleted: p.Deleted}
	if err != nil {
		ev.Error = err.Error()
	}
	ev.LatencyUS = time.Since(start).Microseconds()
	return ev, nil
}
