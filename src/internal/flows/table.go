package flows

import (
	"net/netip"
	"time"

	"github.com/ti-mo/conntrack"

	"github.com/netfix/netfix/src/internal/heal"
	"github.com/netfix/netfix/src/internal/status"
)

// FlowTable is the conntrack table as a repair sees it: the offloaded
// entries of one host, and their deletion. *Table is the kernel's; Fake
// stands in for it in tests of the daemon's decisions.
type FlowTable interface {
	// OffloadedOf returns the offloaded entries involving ip.
	OffloadedOf(ip netip.Addr) ([]conntrack.Flow, error)
	// Delete deletes the given entries and returns how many went; an
	// entry already gone is neither counted nor an error.
	Delete(sel []conntrack.Flow) (int, error)
}

// Flush deletes (or, in dry run, counts) ip's offloaded entries in t now
// and describes it as a manual repair event. A failed delete is in the
// event's Error; only a failed dump is an error.
func Flush(t FlowTable, ip netip.Addr, dryRun bool) (status.Event, error) {
	start := time.Now()
	ip = ip.Unmap()
	sel, err := t.OffloadedOf(ip)
	if err != nil {
		return status.Event{}, err
	}
	ev := status.Event{Time: start.UTC(), IP: ip.String(), Reason: heal.ReasonManual, DryRun: dryRun}
	if dryRun {
		ev.FlowsDeleted = len(sel)
	} else if ev.FlowsDeleted, err = t.Delete(sel); err != nil {
		ev.Error = err.Error()
	}
	ev.LatencyUS = time.Since(start).Microseconds()
	return ev, nil
}
