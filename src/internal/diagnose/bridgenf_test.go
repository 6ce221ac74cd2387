package diagnose

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/fixtures"
)

func withBridgeNF(s facts.Snapshot, change func(b *facts.BridgeNF)) facts.Snapshot {
	b := s.BridgeNF
	b.Bridges = append([]facts.Bridge(nil), b.Bridges...)
	change(&b)
	s.BridgeNF = b
	return s
}

func TestBridgeNFRules(t *testing.T) {
	t.Parallel()
	const (
		nf  = "bridge.nf_call_iptables"
		rp  = "bridge.rp_filter_ipless"
		dbl = "conntrack.double_tracking"
	)
	tests := []struct {
		name string
		snap facts.Snapshot
		want map[string]Severity
	}{
		{
			name: "seed: three findings, double tracking seen in the counters",
			snap: fixtures.S4(),
			want: map[string]Severity{nf: SeverityWarning, rp: SeverityWarning, dbl: SeverityCritical},
		},
		{
			name: "healthy Docker host: docker0 only",
			snap: fixtures.PlainDocker(),
			want: map[string]Severity{},
		},
		{
			name: "bridge netfilter off: nothing crosses the IP hooks",
			snap: withBridgeNF(fixtures.S4(), func(b *facts.BridgeNF) { b.CallIPTables = false }),
			want: map[string]Severity{},
		},
		{
			name: "br_netfilter not loaded",
			snap: withBridgeNF(fixtures.S4(), func(b *facts.BridgeNF) { *b = facts.BridgeNF{Bridges: b.Bridges, Links: b.Links} }),
			want: map[string]Severity{},
		},
		{
			name: "notrack rule for the bridge (the fix, or the seed's iptables line): covered",
			snap: withBridgeNF(fixtures.S4(), func(b *facts.BridgeNF) {
				b.Notrack = []facts.NotrackRule{{Family: "ip", Table: "raw", Chain: "PREROUTING", Iif: "br-lan137"}}
			}),
			want: map[string]Severity{},
		},
		{
			name: "notrack for another bridge does not cover br-lan137",
			snap: withBridgeNF(fixtures.S4(), func(b *facts.BridgeNF) {
				b.Notrack = []facts.NotrackRule{{Family: "inet", Table: "netfix", Chain: "raw_prerouting", Iif: "br-other"}}
			}),
			want: map[string]Severity{nf: SeverityWarning, rp: SeverityWarning, dbl: SeverityCritical},
		},
		{
			name: "the container bridge has an address: no rp_filter finding, no exposure",
			snap: withBridgeNF(fixtures.S4(), func(b *facts.BridgeNF) { b.Bridges[1].Addresses = []string{"192.168.137.1/24"} }),
			want: map[string]Severity{},
		},
		{
			name: "rp_filter off everywhere (the seed after its sysctl change): reset, no rp_filter finding",
			snap: withBridgeNF(fixtures.S4(), func(b *facts.BridgeNF) {
				b.RPFilterAll, b.Bridges[1].RPFilter, b.Bridges[1].RPFilterEffective = 0, 0, 0
			}),
			want: map[string]Severity{nf: SeverityWarning, dbl: SeverityCritical},
		},
		{
			name: "no DNAT without input-interface match: only the structural warning",
			snap: withBridgeNF(fixtures.S4(), func(b *facts.BridgeNF) { b.DNATNoIif = nil }),
			want: map[string]Severity{nf: SeverityWarning},
		},
		{
			name: "DNAT that excludes the container bridge itself does not fire on it",
			snap: withBridgeNF(fixtures.S4(), func(b *facts.BridgeNF) { b.DNATNoIif[0].NotIif = "br-lan137" }),
			want: map[string]Severity{nf: SeverityWarning},
		},
		{
			name: "counters quiet, no mirror seen: double tracking stays a warning",
			snap: withBridgeNF(fixtures.S4(), func(b *facts.BridgeNF) { b.Counters.Second = b.Counters.First }),
			want: map[string]Severity{nf: SeverityWarning, rp: SeverityWarning, dbl: SeverityWarning},
		},
		{
			name: "a mirror pair from the daemon makes it critical without counters",
			snap: withBridgeNF(fixtures.S4(), func(b *facts.BridgeNF) {
				b.Counters = facts.CounterSample{}
				b.Mirrors = []facts.MirrorPair{{First: "tcp 192.168.137.248:55094 -> 192.168.137.250:5000", Second: "tcp 192.168.137.250:5000 -> 192.168.137.248:55094", RewrittenPort: 19460}}
			}),
			want: map[string]Severity{nf: SeverityWarning, rp: SeverityWarning, dbl: SeverityCritical},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := map[string]Severity{}
			for _, f := range en(Run(tt.snap)) {
				if f.ID == nf || f.ID == rp || f.ID == dbl {
					got[f.ID] = f.Severity
					if f.FixAction != NotrackAction || f.FixArgs["bridge"] != "br-lan137" {
						t.Errorf("%s: fix action %q %v, want %s for br-lan137", f.ID, f.FixAction, f.FixArgs, NotrackAction)
					}
				}
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("findings (-want +got):\n%s", d)
			}
		})
	}
}

// The explanation names this host's exact bridges, rule and fix.
func TestBridgeNFEvidence(t *testing.T) {
	t.Parallel()
	byID := map[string]english{}
	for _, f := range en(Run(fixtures.S4())) {
		byID[f.ID] = f
	}
	nf := byID["bridge.nf_call_iptables"]
	for _, want := range []string{"veth-lan137-1", "br-mellanox", "192.168.137.250", "ARP", "iptables -t raw -I PREROUTING 1 -i br-lan137 -j NOTRACK", "bridge-nf-call-iptables=0"} {
		if !strings.Contains(nf.Detail+strings.Join(nf.Evidence, "\n"), want) {
			t.Errorf("bridge.nf_call_iptables does not mention %q:\n%s\n%s", want, nf.Detail, strings.Join(nf.Evidence, "\n"))
		}
	}
	if !strings.Contains(nf.Fix, `iifname "br-lan137" notrack`) {
		t.Errorf("fix = %q", nf.Fix)
	}
	dbl := byID["conntrack.double_tracking"]
	if !strings.Contains(strings.Join(dbl.Evidence, "\n"), "invalid +4, found +6") {
		t.Errorf("double tracking evidence: %v", dbl.Evidence)
	}
	rp := byID["bridge.rp_filter_ipless"]
	if !strings.Contains(rp.Detail, "fib_validate_source") || !strings.Contains(strings.Join(rp.Evidence, "\n"), "net.ipv4.conf.br-lan137.rp_filter = 2") {
		t.Errorf("rp_filter finding: %s %v", rp.Detail, rp.Evidence)
	}
}

// An address-less bridge that answers ARP for the host address makes
// clients hang, and notrack does not cure that: the explanation says so.
func TestBridgeNFArpIgnore(t *testing.T) {
	t.Parallel()
	for _, ignore := range []int{0, 1} {
		s := withBridgeNF(fixtures.S4(), func(b *facts.BridgeNF) { b.Bridges[1].ARPIgnoreEffective = ignore })
		for _, f := range en(Run(s)) {
			if f.ID == "bridge.nf_call_iptables" && strings.Contains(f.Detail, "arp_ignore=1") != (ignore == 0) {
				t.Errorf("arp_ignore %d: detail %s", ignore, f.Detail)
			}
		}
	}
}

// On OpenWrt the explanation says where fw4 keeps the rule.
func TestBridgeNFOpenWrtInclude(t *testing.T) {
	t.Parallel()
	s := fixtures.S4()
	s.Firewall.Present = true
	s.BridgeNF.IPTablesNFT = false
	for _, f := range en(Run(s)) {
		if f.ID == "bridge.nf_call_iptables" {
			if !strings.Contains(f.Detail, "/usr/share/nftables.d/chain-post/raw_prerouting/50-netfix-br-lan137.nft") || strings.Contains(f.Detail, "iptables -t raw") {
				t.Errorf("OpenWrt detail: %s", f.Detail)
			}
			if !strings.HasSuffix(f.Fix, "> /usr/share/nftables.d/chain-post/raw_prerouting/50-netfix-br-lan137.nft && fw4 reload") {
				t.Errorf("OpenWrt fix: %s", f.Fix)
			}
			return
		}
	}
	t.Fatal("no bridge.nf_call_iptables finding")
}
