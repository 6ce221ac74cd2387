package daemon

import (
	"testing"

	"github.com/netfix/netfix/src/internal/status"
)

// The journal's totals: a manual flush is not a repair, even when it
// deleted flows, and one that deleted nothing still counts as a flush.
func TestJournalCountsManualFlushesApart(t *testing.T) {
	t.Parallel()
	var j journal
	for _, e := range []status.Event{
		{Reason: "mac_change", FlowsDeleted: 2},
		{Reason: status.ReasonManual},
		{Reason: status.ReasonManual, FlowsDeleted: 1},
		{Reason: "port_move", FlowsDeleted: 3, DryRun: true},
	} {
		j.add(e)
	}
	total, deleted := j.totals()
	repairs, manual := j.split()
	if total != 4 || deleted != 3 || repairs != 2 || manual != 2 {
		t.Errorf("total %d deleted %d repairs %d manual %d, want 4 3 2 2", total, deleted, repairs, manual)
	}
	if events, n := j.last(0); len(events) != 4 || n != 4 || events[0].DryRun != true {
		t.Errorf("last: %d events (total %d), newest first %+v", len(events), n, events)
	}
}
