package diagnose

import (
	"strings"
	"testing"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/fixtures"
)

func findingsByID(s facts.Snapshot) map[string]english {
	out := map[string]english{}
	for _, f := range append(en(conntrackNearFull(s)), en(conntrackDropping(s))...) {
		out[f.ID] = f
	}
	return out
}

func TestConntrackRules(t *testing.T) {
	t.Parallel()
	openwrt := facts.CTTimeouts{Read: true, Established: 7440, UDP: 60, UDPStream: 180, Loose: true, Acct: true}
	tests := []struct {
		name string
		snap facts.Snapshot
		want map[string]Severity
		// fix must contain each of these; evidence lines must contain each
		// of evidence.
		fix, notFix, evidence []string
	}{
		{
			name: "S2 seed: BitTorrent host holds 95 % of 7680, most idle a day, accounting off, drops growing",
			snap: fixtures.S2(),
			want: map[string]Severity{IDConntrackNearFull: SeverityCritical, IDConntrackDropping: SeverityCritical},
			fix: []string{"netfix fix apply conntrack.near_full",
				"sysctl -w net.netfilter.nf_conntrack_tcp_timeout_established=7440",
				"/etc/sysctl.d/90-netfix-conntrack.conf"},
			notFix: []string{"nf_conntrack_max"},
			evidence: []string{
				"bt-vm (10.16.1.23) holds 7146 entries (97.9% of the table), 7100 ESTABLISHED, 6900 of them idle for over an hour",
				"with T = 7440 s, 6900 of 7296 entries (94.5%) are idle longer than T",
				"established timeout in effect (432000 s) minus its remaining timeout",
				"nf_conntrack_acct 0",
				"busiest destination ports: tcp/51413 7100",
			},
		},
		{
			name: "busy but healthy router: 40 % full, nothing to say",
			snap: fixtures.CTSnapshot(16384, openwrt, []fixtures.CTHostSpec{
				{Addr: "192.168.1.10", ActiveEstablished: 4000, ActiveFor: 30, UDP: 1500, Port: 443},
				{Addr: "192.168.1.11", IdleEstablished: 1000, IdleFor: 4000, Port: 22},
			}, nil),
			want: map[string]Severity{},
		},
		{
			name: "nearly full of active entries: a larger max, not a shorter timeout",
			snap: fixtures.CTSnapshot(8192, openwrt, []fixtures.CTHostSpec{
				{Addr: "192.168.1.10", ActiveEstablished: 6000, ActiveFor: 10, UDP: 1000, Port: 443},
				{Addr: "192.168.1.11", IdleEstablished: 100, IdleFor: 7000, Port: 22},
			}, nil),
			want:     map[string]Severity{IDConntrackNearFull: SeverityWarning},
			fix:      []string{"sysctl -w net.netfilter.nf_conntrack_max=14336"},
			notFix:   []string{"fix apply", "timeout_established"},
			evidence: []string{"192.168.1.10 holds 7000 entries (98.5% of the table)"},
		},
		{
			name: "IPv6 host fills the table with idle entries under OpenWrt's 7440 s: an hour is the longest T that frees enough",
			snap: fixtures.CTSnapshot(4096, openwrt, []fixtures.CTHostSpec{
				{Addr: "fd00::50", IdleEstablished: 3500, IdleFor: 5000, Port: 6881},
				{Addr: "fd00::51", ActiveEstablished: 300, ActiveFor: 1, Port: 443},
			}, map[string]string{"fd00::50": "nas"}),
			want:     map[string]Severity{IDConntrackNearFull: SeverityCritical},
			fix:      []string{"netfix fix apply conntrack.near_full", "nf_conntrack_tcp_timeout_established=3600"},
			evidence: []string{"nas (fd00::50) holds 3500 entries", "with T = 3600 s, 3500 of 3800 entries (92.1%) are idle longer than T"},
		},
		{
			name: "sysctl lowered after the entries' last packet: their idle time is unknown, said so, not guessed",
			snap: func() facts.Snapshot {
				s := fixtures.S2()
				s.Conntrack.Table.Growth = nil
				u := s.Conntrack.Table.Usage
				u.IdleUnknown, u.Idle = u.Established, make([]int, len(u.Idle))
				for i := range u.Hosts {
					u.Hosts[i].Idle = make([]int, len(u.Idle))
				}
				s.Conntrack.Table.Timeouts.Established = 7440
				return s
			}(),
			want:     map[string]Severity{IDConntrackNearFull: SeverityCritical},
			fix:      []string{"netfix fix apply conntrack.near_full"},
			notFix:   []string{"nf_conntrack_max", "timeout_established"},
			evidence: []string{"7180 ESTABLISHED entries have more time left than the established timeout in effect"},
		},
		{
			name: "a ct timeout policy in the ruleset: idle times are not trusted, nothing is freed by idle time",
			snap: func() facts.Snapshot {
				s := fixtures.S2()
				s.Conntrack.Table.Growth = nil
				s.Conntrack.Table.Timeouts.Policies = []string{"inet fw4 short_tcp"}
				return s
			}(),
			want:     map[string]Severity{IDConntrackNearFull: SeverityCritical},
			fix:      []string{"sysctl -w net.netfilter.nf_conntrack_max=15360"},
			notFix:   []string{"fix apply", "timeout_established"},
			evidence: []string{"ct timeout policies exist (inet fw4 short_tcp)"},
		},
		{
			name: "the policies could not be listed: treated as if some exist, nothing is freed by idle time",
			snap: func() facts.Snapshot {
				s := fixtures.S2()
				s.Conntrack.Table.Growth = nil
				s.Conntrack.Table.Timeouts.PoliciesError = "list conntrack timeout policies (nfnetlink_cttimeout): operation not permitted"
				return s
			}(),
			want:     map[string]Severity{IDConntrackNearFull: SeverityCritical},
			fix:      []string{"sysctl -w net.netfilter.nf_conntrack_max=15360"},
			notFix:   []string{"fix apply", "timeout_established"},
			evidence: []string{"ct timeout policies could not be listed (list conntrack timeout policies"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := findingsByID(tc.snap)
			if len(got) != len(tc.want) {
				t.Fatalf("findings %v, want %v", keys(got), tc.want)
			}
			for id, sev := range tc.want {
				f, ok := got[id]
				if !ok || f.Severity != sev {
					t.Fatalf("%s: got %+v, want severity %s", id, f, sev)
				}
				for _, s := range tc.fix {
					if !strings.Contains(f.Fix, s) {
						t.Errorf("%s fix %q lacks %q", id, f.Fix, s)
					}
				}
				for _, s := range tc.notFix {
					if strings.Contains(f.Fix, s) {
						t.Errorf("%s fix %q must not contain %q", id, f.Fix, s)
					}
				}
				if auto := strings.Contains(f.Fix, "netfix fix apply"); auto != (f.FixAction != "") {
					t.Errorf("%s: fix %q and fix_action %q disagree", id, f.Fix, f.FixAction)
				}
				if id == IDConntrackDropping && tc.want[IDConntrackNearFull] != 0 {
					continue // near_full carries the analysis
				}
				ev := strings.Join(f.Evidence, "\n")
				for _, s := range tc.evidence {
					if !strings.Contains(ev, s) {
						t.Errorf("%s evidence lacks %q:\n%s", id, s, ev)
					}
				}
			}
		})
	}
}

func keys(m map[string]english) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestConntrackDroppingText(t *testing.T) {
	f := en(conntrackDropping(fixtures.S2()))
	if len(f) != 1 {
		t.Fatalf("want one dropping finding, got %d", len(f))
	}
	if want := "The conntrack table is refusing new connections: 49 connections were refused in the last 30 s."; f[0].Title != want {
		t.Errorf("title %q, want %q", f[0].Title, want)
	}
	for _, s := range []string{"EPERM from sendto", "nf_conntrack: table full, dropping packet", "old VPN tunnel, keep working"} {
		if !strings.Contains(f[0].Detail, s) {
			t.Errorf("detail lacks %q: %s", s, f[0].Detail)
		}
	}
	if f[0].Evidence[0] != "kernel statistics over the last 30 s: drop +48, insert_failed +1, early_drop +0" {
		t.Errorf("first evidence line %q", f[0].Evidence[0])
	}
}
