package diagnose

import (
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/fixtures"
	"github.com/netfix/netfix/src/internal/status"
)

func healing(s facts.Snapshot) facts.Snapshot {
	s.HealerRunning, s.HealerMode = true, status.ModeHeal
	return s
}

func TestRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		snap    facts.Snapshot
		want    map[string]Severity // every finding but the summary
		verdict string
	}{
		{
			name: "S1 field report: hw layout on i350, OFFLOAD only, no healer",
			snap: fixtures.S1(),
			want: map[string]Severity{
				IDHWIneffective:    SeverityWarning,
				IDStaleProne:       SeverityCritical,
				IDHealerNotRunning: SeverityWarning,
			},
			verdict: status.VerdictCritical,
		},
		{
			name: "S1 with the healer running: risk covered, hw still pointless",
			snap: healing(fixtures.S1()),
			want: map[string]Severity{
				IDHWIneffective: SeverityWarning,
				IDStaleProne:    SeverityInfo,
			},
			verdict: status.VerdictWarning,
		},
		{
			name: "S1 with the healer in dry-run mode: still critical",
			snap: func() facts.Snapshot {
				s := fixtures.S1()
				s.HealerRunning, s.HealerMode = true, status.ModeDryRun
				return s
			}(),
			want: map[string]Severity{
				IDHWIneffective: SeverityWarning,
				IDStaleProne:    SeverityCritical,
			},
			verdict: status.VerdictCritical,
		},
		{
			name: "S1 layout before any flow is offloaded: warning, not critical",
			snap: func() facts.Snapshot {
				s := fixtures.S1()
				s.Conntrack.Offloaded = 0
				return s
			}(),
			want: map[string]Severity{
				IDHWIneffective:    SeverityWarning,
				IDStaleProne:       SeverityWarning,
				IDHealerNotRunning: SeverityWarning,
			},
			verdict: status.VerdictWarning,
		},
		{
			name:    "healthy software offloading with the healer running",
			snap:    healing(fixtures.Software()),
			want:    map[string]Severity{},
			verdict: status.VerdictHealthy,
		},
		{
			name: "healthy software offloading, netfix installed but daemon down",
			snap: fixtures.Software(),
			want: map[string]Severity{
				IDHealerNotRunning: SeverityInfo,
			},
			verdict: status.VerdictHealthy,
		},
		{
			name:    "offloading off",
			snap:    healing(fixtures.NoOffload()),
			want:    map[string]Severity{},
			verdict: status.VerdictHealthy,
		},
		{
			name: "real hardware offload (HW_OFFLOAD entries, hw-tc-offload): not ineffective, still stale-prone",
			snap: fixtures.MT7621(),
			want: map[string]Severity{
				IDStaleProne:       SeverityCritical,
				IDHealerNotRunning: SeverityWarning,
			},
			verdict: status.VerdictCritical,
		},
		{
			name: "hw-tc-offload NIC but entries never HW_OFFLOAD",
			snap: func() facts.Snapshot {
				s := healing(fixtures.MT7621())
				s.Conntrack.HWOffloaded = 0
				return s
			}(),
			want: map[string]Severity{
				IDHWIneffective: SeverityWarning,
				IDStaleProne:    SeverityInfo,
			},
			verdict: status.VerdictWarning,
		},
		{
			name: "flags offload set by hand, not by UCI, no capable NIC",
			snap: func() facts.Snapshot {
				s := healing(fixtures.Software())
				s.Offload.Flowtables[0].HWOffloadFlag = true
				s.Firewall.FlowOffloadingHW = false
				return s
			}(),
			want: map[string]Severity{
				IDHWIneffective:  SeverityWarning,
				IDConfigMismatch: SeverityWarning,
			},
			verdict: status.VerdictWarning,
		},
		{
			// fw4's hardware layout always carries flags offload
			// (render-csim.nft): the ports never come without it.
			name: "UCI switched to software but fw4 not reloaded: hw layout still live",
			snap: func() facts.Snapshot {
				s := healing(fixtures.S1())
				s.Firewall.FlowOffloadingHW = false
				return s
			}(),
			want: map[string]Severity{
				IDHWIneffective:  SeverityWarning,
				IDStaleProne:     SeverityInfo,
				IDConfigMismatch: SeverityWarning,
			},
			verdict: status.VerdictWarning,
		},
		{
			name: "UCI enables offloading but the ruleset has no flowtable",
			snap: func() facts.Snapshot {
				s := healing(fixtures.NoOffload())
				s.Firewall.FlowOffloading = true
				return s
			}(),
			want:    map[string]Severity{IDConfigMismatch: SeverityWarning},
			verdict: status.VerdictWarning,
		},
		{
			name: "UCI disables offloading but the flowtable is still live",
			snap: func() facts.Snapshot {
				s := healing(fixtures.Software())
				s.Firewall.FlowOffloading = false
				return s
			}(),
			want:    map[string]Severity{IDConfigMismatch: SeverityWarning},
			verdict: status.VerdictWarning,
		},
		{
			name: "fw4 table missing",
			snap: func() facts.Snapshot {
				s := healing(fixtures.NoOffload())
				s.Firewall.FlowOffloading = true
				s.Offload.Tables = nil
				return s
			}(),
			want:    map[string]Severity{IDConfigMismatch: SeverityWarning},
			verdict: status.VerdictWarning,
		},
		{
			name: "kernel without flowtables while UCI asks for offloading",
			snap: func() facts.Snapshot {
				s := healing(fixtures.NoOffload())
				s.Firewall.FlowOffloading = true
				s.Offload.KernelSupport = facts.SupportNo
				return s
			}(),
			want:    map[string]Severity{IDKernelUnsupported: SeverityWarning},
			verdict: status.VerdictWarning,
		},
		{
			name: "unreferenced flowtable with bridge ports offloads nothing",
			snap: func() facts.Snapshot {
				s := fixtures.S1()
				s.Offload.Flowtables[0].Referenced = false
				s.Conntrack.Offloaded = 0
				s.HealerExpected = false
				return s
			}(),
			want:    map[string]Severity{IDHWIneffective: SeverityWarning},
			verdict: status.VerdictWarning,
		},
		{
			name: "Debian/Docker host: no UCI, no flowtable",
			snap: facts.Snapshot{
				Firewall:  facts.Firewall{Path: "/etc/config/firewall"},
				Offload:   facts.Offload{KernelSupport: facts.SupportNo, Mode: facts.ModeNone},
				Conntrack: facts.Conntrack{Available: true, Entries: 3, Max: 262144},
			},
			want:    map[string]Severity{},
			verdict: status.VerdictHealthy,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := en(Run(tt.snap))
			got := map[string]Severity{}
			summaries := 0
			for _, f := range fs {
				if f.ID == IDSummary {
					summaries++
					continue
				}
				got[f.ID] = f.Severity
				if f.Title == "" || len(f.Evidence) == 0 {
					t.Errorf("%s: empty title or evidence: %+v", f.ID, f)
				}
				if f.Severity.Rank() >= SeverityWarning.Rank() && f.Fix == "" {
					t.Errorf("%s: a %s finding must say how to fix it", f.ID, f.Severity)
				}
			}
			if summaries != 1 {
				t.Errorf("want exactly one %s finding, got %d", IDSummary, summaries)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if v := verdictOf(fs); v != tt.verdict {
				t.Errorf("verdict = %s, want %s", v, tt.verdict)
			}
			for i := 1; i < len(fs); i++ {
				if fs[i].Severity.Rank() > fs[i-1].Severity.Rank() {
					t.Errorf("findings not ordered worst first: %s before %s", fs[i-1].ID, fs[i].ID)
				}
			}
		})
	}
}

// The S1 report's own words: the fix is to turn hardware offloading off,
// and the evidence must name the ports, the driver and the counts.
func TestS1Evidence(t *testing.T) {
	t.Parallel()
	fs := en(Run(fixtures.S1()))
	byID := map[string]english{}
	for _, f := range fs {
		byID[f.ID] = f
	}
	hw := byID[IDHWIneffective]
	if hw.Fix != "uci set firewall.@defaults[0].flow_offloading_hw='0'; uci commit firewall; fw4 reload" {
		t.Errorf("hw_ineffective fix = %q", hw.Fix)
	}
	for _, want := range []string{
		"flow_offloading_hw='1'",
		"flowtable inet fw4 ft has flags offload",
		"eth0 (igb): hw-tc-offload off",
		"conntrack: 388 entries [OFFLOAD], 0 [HW_OFFLOAD]",
	} {
		if !containsLine(hw.Evidence, want) {
			t.Errorf("hw_ineffective evidence lacks %q:\n%s", want, strings.Join(hw.Evidence, "\n"))
		}
	}
	st := byID[IDStaleProne]
	for _, want := range []string{"devices = { eth0, eth1, eth2, eth3, eth4 }", "eth0 is a port of bridge br-lan", "not running"} {
		if !containsLine(st.Evidence, want) {
			t.Errorf("stale_prone evidence lacks %q:\n%s", want, strings.Join(st.Evidence, "\n"))
		}
	}
	if !strings.Contains(st.Fix, "flow_offloading_hw='0'") || !strings.Contains(st.Fix, "/etc/init.d/netfix start") {
		t.Errorf("stale_prone fix = %q", st.Fix)
	}
	if got := facts.EffectiveMode(fixtures.S1()); got != facts.ModeSoftware {
		t.Errorf("S1 effective mode = %s, want software (no HW_OFFLOAD entry)", got)
	}
}

func containsLine(lines []string, sub string) bool {
	for _, l := range lines {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}

// The LuCI page applies offload.hw_ineffective's fix through LuCI's uci
// only when it is a UCI change: UCI asks for hardware offloading. A
// flowtable with flags offload that UCI did not ask for (a hand-written
// ruleset) has no UCI option to change.
func TestHWIneffectiveFixUCI(t *testing.T) {
	t.Parallel()
	want := []UCIChange{{Config: "firewall", Type: "defaults", Index: 0, Option: "flow_offloading_hw", Value: "0"}}
	find := func(fs []english) *english {
		for i := range fs {
			if fs[i].ID == IDHWIneffective {
				return &fs[i]
			}
		}
		return nil
	}
	f := find(en(Run(fixtures.S1())))
	if f == nil || !reflect.DeepEqual(f.FixUCI, want) {
		t.Fatalf("S1: hw_ineffective FixUCI = %+v, want %+v", f, want)
	}
	s := fixtures.S1()
	s.Firewall.FlowOffloadingHW = false
	if f := find(en(Run(s))); f != nil && f.FixUCI != nil {
		t.Errorf("UCI does not ask for hardware offloading, yet FixUCI = %+v", f.FixUCI)
	}
}
