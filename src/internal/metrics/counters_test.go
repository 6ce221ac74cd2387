package metrics_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/netfix/netfix/src/internal/metrics"
	"github.com/netfix/netfix/src/internal/status"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		ev   status.Event
		want string
	}{
		{status.Event{FlowsDeleted: 2}, metrics.ResultOK},
		{status.Event{FlowsDeleted: 2, DryRun: true}, metrics.ResultDryRun},
		{status.Event{Error: status.RateLimitedPrefix + ": more than 10 repairs"}, metrics.ResultRateLimited},
		{status.Event{FlowsDeleted: 1, Error: "delete: EPERM"}, metrics.ResultError},
	} {
		if got := metrics.Classify(tc.ev); got != tc.want {
			t.Errorf("Classify(%+v) = %s, want %s", tc.ev, got, tc.want)
		}
	}
}

// sample returns the value line of one series in an exposition.
func sample(t *testing.T, expo, series string) string {
	t.Helper()
	for _, l := range strings.Split(expo, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			return v
		}
	}
	t.Fatalf("no series %s in:\n%s", series, expo)
	return ""
}

func TestCounters(t *testing.T) {
	c := metrics.NewCounters()
	for _, e := range []status.Event{
		{Reason: "mac_change", FlowsDeleted: 3, LatencyUS: 1000}, // exactly 1 ms: le="0.001" (inclusive)
		{Reason: "mac_change", FlowsDeleted: 2, LatencyUS: 1001}, // just above
		{Reason: "port_move", FlowsDeleted: 9, DryRun: true, LatencyUS: 20_000_000},
		{Reason: "mac_change", Error: status.RateLimitedPrefix + ": x", LatencyUS: 5},
		{Reason: "someday_new", FlowsDeleted: 1},
		{Reason: "conntrack_reclaim", FlowsDeleted: 40, Conntrack: &status.ConntrackEvent{}},
		{Reason: "conntrack_full", Conntrack: &status.ConntrackEvent{}},
	} {
		c.Event(e)
	}
	expo := string(metrics.Render(metrics.Input{Counters: c}))
	for series, want := range map[string]string{
		`netfix_repairs_total{reason="mac_change",result="ok"}`:           "2",
		`netfix_repairs_total{reason="mac_change",result="rate_limited"}`: "1",
		`netfix_repairs_total{reason="port_move",result="dry_run"}`:       "1",
		`netfix_repairs_total{reason="other",result="ok"}`:                "1",
		`netfix_flows_deleted_total{reason="mac_change"}`:                 "5",
		`netfix_flows_deleted_total{reason="port_move"}`:                  "0", // dry run deletes nothing
		`netfix_flows_deleted_total{reason="conntrack_reclaim"}`:          "40",
		`netfix_flows_deleted_total{reason="other"}`:                      "1",
		`netfix_conntrack_events_total{reason="conntrack_full"}`:          "1",
		`netfix_repair_duration_seconds_bucket{le="0.001"}`:               "2", // the 1 ms repair and the one without latency
		`netfix_repair_duration_seconds_bucket{le="0.0025"}`:              "3",
		`netfix_repair_duration_seconds_bucket{le="10"}`:                  "3",
		`netfix_repair_duration_seconds_bucket{le="+Inf"}`:                "4", // 20 s: only +Inf
		`netfix_repair_duration_seconds_count`:                            "4", // not the rate-limited one
	} {
		if got := sample(t, expo, series); got != want {
			t.Errorf("%s = %s, want %s", series, got, want)
		}
	}
}

// Forwarding changes keep at most MaxInterfaces interfaces: a host that
// creates veths by the thousand must not make a series each.
func TestForwardingCap(t *testing.T) {
	c := metrics.NewCounters()
	for i := 0; i < metrics.MaxInterfaces+10; i++ {
		c.Forwarding(status.ForwardingEvent{Family: "ipv4", Interface: fmt.Sprintf("veth%d", i)})
	}
	c.Forwarding(status.ForwardingEvent{Family: "ipv4", Interface: "veth0"}) // known: still its own
	expo := string(metrics.Render(metrics.Input{Counters: c}))
	if n := strings.Count(expo, "\nnetfix_forwarding_changes_total{"); n != metrics.MaxInterfaces+1 {
		t.Errorf("%d forwarding series, want %d (the cap and \"other\")", n, metrics.MaxInterfaces+1)
	}
	if got := sample(t, expo, `netfix_forwarding_changes_total{interface="other",family="ipv4"}`); got != "10" {
		t.Errorf("other = %s, want 10", got)
	}
	if got := sample(t, expo, `netfix_forwarding_changes_total{interface="veth0",family="ipv4"}`); got != "2" {
		t.Errorf("veth0 = %s, want 2", got)
	}
}

// A nil *Counters (a one-shot check) counts nothing and exports no counter.
func TestNilCounters(t *testing.T) {
	var c *metrics.Counters
	c.Event(status.Event{Reason: "mac_change"})
	c.Forwarding(status.ForwardingEvent{})
	if expo := string(metrics.Render(metrics.Input{})); strings.Contains(expo, "_total") {
		t.Errorf("one-shot exposition has counters:\n%s", expo)
	}
}

// Label values from the system are escaped, whatever they hold.
func TestLabelEscaping(t *testing.T) {
	c := metrics.NewCounters()
	c.Forwarding(status.ForwardingEvent{Family: "ipv4", Interface: "a\"b\\c\nd"})
	expo := string(metrics.Render(metrics.Input{Counters: c}))
	want := `netfix_forwarding_changes_total{interface="a\"b\\c\nd",family="ipv4"} 1`
	if !strings.Contains(expo, want+"\n") {
		t.Errorf("want the line %s in:\n%s", want, expo)
	}
}
