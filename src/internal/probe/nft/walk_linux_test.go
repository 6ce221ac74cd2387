//go:build linux

package nft

import (
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/google/nftables/xt"

	"github.com/netfix/netfix/src/internal/facts"
)

func name16(s string) []byte {
	b := make([]byte, 16)
	copy(b, s)
	return b
}

// iptables-nft 1.8.9's `! -i br-docker -p tcp --dport 5000 -j DNAT
// --to-destination 172.18.0.4:5000`, natively.
var dockerNative = []expr.Any{
	&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1},
	&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: []byte("br-docker\x00")},
	&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
	&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{6}},
	&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
	&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{0x13, 0x88}},
	&expr.Counter{},
	&expr.Immediate{Register: 1, Data: net.IPv4(172, 18, 0, 4).To4()},
	&expr.Immediate{Register: 2, Data: []byte{0x13, 0x88}},
	&expr.NAT{Type: expr.NATTypeDestNAT, Family: 2, RegAddrMin: 1, RegProtoMin: 2},
}

// Older iptables-nft: the port as an xtables "tcp" match, DNAT as a target.
var dockerCompat = []expr.Any{
	&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1},
	&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: []byte("br-docker\x00")},
	&expr.Match{Name: "tcp", Info: &xt.Tcp{SrcPorts: [2]uint16{0, 65535}, DstPorts: [2]uint16{5000, 5000}}},
	&expr.Target{Name: "DNAT", Rev: 2, Info: &xt.NatRange2{NatRange: xt.NatRange{MinIP: net.ParseIP("172.18.0.4"), MinPort: 5000}}},
}

func TestDecodeRule(t *testing.T) {
	t.Parallel()
	ctNotrack := xt.Unknown([]byte{1, 0, 0, 0})
	ctZone := xt.Unknown([]byte{0, 0, 5, 0})
	tests := []struct {
		name  string
		exprs []expr.Any
		want  ruleInfo
	}{
		{"docker DNAT, native", dockerNative, ruleInfo{IifNeq: "br-docker", Proto: "tcp", Port: 5000, DNAT: true, To: "172.18.0.4:5000"}},
		{"docker DNAT, xtables compat", dockerCompat, ruleInfo{IifNeq: "br-docker", Proto: "tcp", Port: 5000, DNAT: true, To: "172.18.0.4:5000", Compat: true}},
		{"nft notrack for one bridge", []expr.Any{
			&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: name16("br-lan137")},
			&expr.Notrack{},
		}, ruleInfo{IifEq: "br-lan137", Notrack: true}},
		{"iptables -j NOTRACK", []expr.Any{
			&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte("br-lan137\x00")},
			&expr.Target{Name: "NOTRACK"},
		}, ruleInfo{IifEq: "br-lan137", Notrack: true, Compat: true}},
		{"iptables -j CT --notrack", []expr.Any{&expr.Target{Name: "CT", Rev: 2, Info: &ctNotrack}}, ruleInfo{Notrack: true, Compat: true}},
		{"iptables -j CT --zone 5 is not notrack", []expr.Any{&expr.Target{Name: "CT", Rev: 2, Info: &ctZone}}, ruleInfo{}},
		{"wildcard interface", []expr.Any{
			&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte("br-")},
			&expr.Verdict{Kind: expr.VerdictJump, Chain: "notrack_lan"},
		}, ruleInfo{IifEq: "br-*", Jump: "notrack_lan"}},
		{"port of another register is not the dport", []expr.Any{
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 0, Len: 2},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{0, 53}},
		}, ruleInfo{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if d := cmp.Diff(tt.want, decodeRule(tt.exprs)); d != "" {
				t.Errorf("decodeRule (-want +got):\n%s", d)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	rule := func(h uint64, e ...expr.Any) *nftables.Rule { return &nftables.Rule{Handle: h, Exprs: e} }
	iif := func(name string, op expr.CmpOp) []expr.Any {
		return []expr.Any{&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1}, &expr.Cmp{Op: op, Register: 1, Data: name16(name)}}
	}
	jump := func(c string) expr.Any { return &expr.Verdict{Kind: expr.VerdictJump, Chain: c} }
	chains := []ruleChain{
		// iptables-nft's nat table as Docker builds it.
		{Family: "ip", Table: "nat", Name: "PREROUTING", Hook: nftables.ChainHookPrerouting, Priority: nftables.ChainPriorityNATDest, Type: nftables.ChainTypeNAT,
			Rules: []*nftables.Rule{rule(3, &expr.Fib{FlagDADDR: true, ResultADDRTYPE: true, Register: 1}, &expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{2, 0, 0, 0}}, jump("DOCKER"))}},
		{Family: "ip", Table: "nat", Name: "DOCKER", Rules: []*nftables.Rule{
			rule(4, append(iif("br-docker", expr.CmpOpEq), &expr.Verdict{Kind: expr.VerdictReturn})...),
			rule(5, dockerNative...),
		}},
		// A DNAT restricted to one input interface, and one behind a jump that is.
		{Family: "inet", Table: "fw4", Name: "dstnat", Hook: nftables.ChainHookPrerouting, Priority: nftables.ChainPriorityNATDest, Type: nftables.ChainTypeNAT,
			Rules: []*nftables.Rule{rule(7, append(iif("pppoe-wan", expr.CmpOpEq), jump("dstnat_wan"))...)}},
		{Family: "inet", Table: "fw4", Name: "dstnat_wan", Rules: []*nftables.Rule{rule(8, dockerNative[2:]...)}},
		// fw4's notrack: the interface on the jump, notrack in the zone chain.
		{Family: "inet", Table: "fw4", Name: "raw_prerouting", Hook: nftables.ChainHookPrerouting, Priority: nftables.ChainPriorityRaw, Type: nftables.ChainTypeFilter,
			Rules: []*nftables.Rule{rule(9, append(iif("br-guest", expr.CmpOpEq), jump("notrack_guest"))...)}},
		{Family: "inet", Table: "fw4", Name: "notrack_guest", Rules: []*nftables.Rule{rule(10, &expr.Counter{}, &expr.Notrack{})}},
		// notrack after conntrack does nothing for new connections.
		{Family: "inet", Table: "late", Name: "pre", Hook: nftables.ChainHookPrerouting, Priority: nftables.ChainPriorityFilter, Type: nftables.ChainTypeFilter,
			Rules: []*nftables.Rule{rule(11, append(iif("br-late", expr.CmpOpEq), &expr.Notrack{})...)}},
	}
	got := summarize(chains)
	want := RuleSummary{
		DNATNoIif:   []facts.NATRule{{Family: "ip", Table: "nat", Chain: "DOCKER", Handle: 5, NotIif: "br-docker", Proto: "tcp", Port: 5000, To: "172.18.0.4:5000"}},
		Notrack:     []facts.NotrackRule{{Family: "inet", Table: "fw4", Chain: "notrack_guest", Iif: "br-guest"}},
		IPTablesNFT: true,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("summarize (-want +got):\n%s", d)
	}
}
