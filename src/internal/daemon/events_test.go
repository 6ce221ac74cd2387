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

// Events of the conntrack table are their own history: not repairs, not
// in the repair list, not in the flows repaired.
func TestJournalKeepsTableEventsApart(t *testing.T) {
	t.Parallel()
	var j journal
	for _, e := range []status.Event{
		{Reason: "mac_change", FlowsDeleted: 2},
		{Reason: "conntrack_full", Conntrack: &status.ConntrackEvent{Entries: 6913, Max: 7680}},
		{Reason: "conntrack_dropping", Conntrack: &status.ConntrackEvent{Entries: 7296, Max: 7680, Refused: 49}},
		{Reason: "conntrack_reclaim", FlowsDeleted: 500, Conntrack: &status.ConntrackEvent{IdleS: 3600}},
	} {
		j.add(e)
	}
	total, deleted := j.totals()
	repairs, manual := j.split()
	if total != 1 || deleted != 2 || repairs != 1 || manual != 0 {
		t.Errorf("total %d deleted %d repairs %d manual %d, want 1 2 1 0", total, deleted, repairs, manual)
	}
	if events, _ := j.last(0); len(events) != 1 || events[0].Reason != "mac_change" {
		t.Errorf("repairs: %+v, want only the mac_change", events)
	}
	table, n := j.tableEvents()
	if n != 3 || len(table) != 3 || table[0].Reason != "conntrack_reclaim" || table[2].Reason != "conntrack_full" {
		t.Errorf("table events: %d %+v, want 3 newest first", n, table)
	}
}
