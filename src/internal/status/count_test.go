package status

import "testing"

func TestHealCountKeepsManualFlushesApart(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		events []Event
		want   Heal
	}{
		{"none", nil, Heal{}},
		{"a repair", []Event{{Reason: "mac_change", FlowsDeleted: 2}},
			Heal{EventsTotal: 1, Repairs: 1, FlowsDeleted: 2}},
		{"a manual flush that deleted nothing is no repair", []Event{{Reason: ReasonManual}},
			Heal{EventsTotal: 1, ManualFlushes: 1}},
		{"a manual flush that deleted flows", []Event{{Reason: ReasonManual, FlowsDeleted: 3}},
			Heal{EventsTotal: 1, ManualFlushes: 1, FlowsDeleted: 3}},
		{"dry run deletes nothing", []Event{{Reason: "port_move", FlowsDeleted: 4, DryRun: true}},
			Heal{EventsTotal: 1, Repairs: 1}},
		{"mixed", []Event{{Reason: "mac_change", FlowsDeleted: 1}, {Reason: ReasonManual}, {Reason: "reconcile", FlowsDeleted: 1}},
			Heal{EventsTotal: 3, Repairs: 2, ManualFlushes: 1, FlowsDeleted: 2}},
	}
	for _, c := range cases {
		var h Heal
		for _, e := range c.events {
			h.Count(e)
		}
		if h.EventsTotal != c.want.EventsTotal || h.Repairs != c.want.Repairs ||
			h.ManualFlushes != c.want.ManualFlushes || h.FlowsDeleted != c.want.FlowsDeleted {
			t.Errorf("%s: got events %d repairs %d manual %d flows %d, want %d %d %d %d", c.name,
				h.EventsTotal, h.Repairs, h.ManualFlushes, h.FlowsDeleted,
				c.want.EventsTotal, c.want.Repairs, c.want.ManualFlushes, c.want.FlowsDeleted)
		}
	}
}
