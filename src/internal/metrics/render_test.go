package metrics_test

import (
	"flag"
	"github.com/netfix/netfix/src/internal/netnstest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netfix/netfix/src/internal/assess"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/fixtures"
	"github.com/netfix/netfix/src/internal/heal"
	"github.com/netfix/netfix/src/internal/metrics"
	"github.com/netfix/netfix/src/internal/status"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var now = time.Date(2026, 12, 7, 14, 3, 12, 0, time.UTC)

func doc(s facts.Snapshot, h status.Heal) status.Document {
	s.HealerRunning, s.HealerMode = h.Running, h.Mode
	return status.Build("0.1.0", s, assess.Findings(s), h)
}

// daemonInput is what the daemon renders: its document, its counters fed
// with the document's events, its start time.
func daemonInput(s facts.Snapshot, h status.Heal, fw []status.ForwardingEvent, fixes []metrics.Fix) metrics.Input {
	c := metrics.NewCounters()
	for i := len(h.LastEvents) - 1; i >= 0; i-- {
		c.Event(h.LastEvents[i])
	}
	for i := len(h.TableEvents) - 1; i >= 0; i-- {
		c.Event(h.TableEvents[i])
	}
	for i := len(fw) - 1; i >= 0; i-- {
		c.Forwarding(fw[i])
	}
	h.ForwardingEvents = fw
	return metrics.Input{
		Doc: doc(s, h), Counters: c, Fixes: fixes, Version: "0.1.0", GoVersion: "go1.23.12",
		StaleProneLinks: len(heal.ProneLinks(s.Offload)), Start: now.Add(-time.Hour), Now: now,
	}
}

func goldenInputs() map[string]metrics.Input {
	events := append(fixtures.S1Events(false),
		status.Event{Time: now, Interface: "br-lan", IP: "192.168.1.7", Reason: heal.ReasonMACChange, Error: status.RateLimitedPrefix + ": more than 10 repairs of this host within 1m0s"},
		status.Event{Time: now, Interface: "br-lan", IP: "192.168.1.8", Reason: heal.ReasonPortMove, FlowsDeleted: 1, LatencyUS: 1_700_000, Error: "delete entry 42: no such file or directory"},
		status.Event{Time: now, IP: "192.168.1.9", Reason: status.ReasonManual, FlowsDeleted: 4, LatencyUS: 900},
	)
	fw := []status.ForwardingEvent{
		{Time: now, Family: "ipv4", Interface: "eno1", Old: true, New: false},
		{Time: now.Add(-time.Minute), Family: "ipv4", Interface: "eno1", Old: false, New: true},
		{Time: now.Add(-2 * time.Minute), Family: "ipv6", Interface: `we"ird\name`, Old: true, New: false},
	}
	s3 := fixtures.S3()
	return map[string]metrics.Input{
		"s1_healed.prom": daemonInput(fixtures.S1(), fixtures.Heal(status.ModeHeal, events), nil, nil),
		"s2_daemon.prom": daemonInput(fixtures.S2Daemon(), fixtures.Heal(status.ModeHeal, fixtures.S2Events()), nil, nil),
		"s3_daemon.prom": daemonInput(s3, fixtures.Heal(status.ModeHeal, nil), fw,
			[]metrics.Fix{{Action: "bridge.notrack", Finding: "bridge.nf_call_iptables"}}),
		// netfix metrics without a daemon: a one-shot check, no counters.
		"s1_oneshot.prom": {Doc: doc(fixtures.S1(), status.Heal{}), Version: "0.1.0", GoVersion: "go1.23.12",
			StaleProneLinks: len(heal.ProneLinks(fixtures.S1().Offload)), Now: now},
	}
}

func TestGolden(t *testing.T) {
	for name, in := range goldenInputs() {
		t.Run(name, func(t *testing.T) {
			got := metrics.Render(in)
			path := filepath.Join("testdata", name)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./src/internal/metrics -update)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s changed (-want +got); if intended, run with -update:\n%s", name, diff)
			}
		})
	}
}

// TestPromtool runs Prometheus's own linter over every golden exposition.
// make metrics-test sets NETFIX_METRICS_TEST=1, where a missing promtool is
// a failure; elsewhere the test says it is skipped and why.
func TestPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("NETFIX_METRICS_TEST") != "" {
			t.Fatal("promtool not found: install Debian's prometheus package (scripts/deps.sh)")
		}
		netnstest.Skip(t, netnstest.Tool, "promtool not found (Debian package prometheus); make metrics-test requires it")
	}
	for name, in := range goldenInputs() {
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = strings.NewReader(string(metrics.Render(in)))
		if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("promtool check metrics %s: %v\n%s", name, err, out)
		}
	}
}
