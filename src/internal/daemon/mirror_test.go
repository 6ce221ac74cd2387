package daemon

import (
	"net/netip"
	"testing"
	"time"

	"github.com/ti-mo/conntrack"

	"github.com/netfix/netfix/src/internal/fixtures"
)

// The seed's conntrack -E lines.
func seedFlows() (first, second conntrack.Flow) {
	client, host, svc := netip.MustParseAddr("192.168.137.248"), netip.MustParseAddr("192.168.137.250"), netip.MustParseAddr("172.18.0.4")
	tuple := func(src, dst netip.Addr, sp, dp uint16) conntrack.Tuple {
		return conntrack.Tuple{IP: conntrack.IPTuple{SourceAddress: src, DestinationAddress: dst}, Proto: conntrack.ProtoTuple{Protocol: 6, SourcePort: sp, DestinationPort: dp}}
	}
	first = conntrack.Flow{ID: 1952199411, TupleOrig: tuple(client, host, 55094, 5000), TupleReply: tuple(svc, client, 5000, 55094),
		ProtoInfo: conntrack.ProtoInfo{TCP: &conntrack.ProtoInfoTCP{State: 3}}}
	second = conntrack.Flow{ID: 1724107866, TupleOrig: tuple(host, client, 5000, 55094), TupleReply: tuple(client, host, 55094, 19460),
		ProtoInfo: conntrack.ProtoInfo{TCP: &conntrack.ProtoInfoTCP{State: 3}}}
	return first, second
}

func TestMirror(t *testing.T) {
	t.Parallel()
	hosts := exposedHosts(fixtures.S4().BridgeNF)
	if !hosts[netip.MustParseAddr("192.168.137.250")] || len(hosts) != 1 {
		t.Fatalf("exposed hosts = %v, want the address of br-mellanox only", hosts)
	}
	first, second := seedFlows()
	synSent := second
	synSent.ProtoInfo = conntrack.ProtoInfo{TCP: &conntrack.ProtoInfoTCP{State: tcpSynSent}}
	fromClient := first
	tests := []struct {
		name string
		f    conntrack.Flow
		want bool
	}{
		{"the seed's second entry", second, true},
		{"an ordinary new connection (SYN_SENT)", synSent, false},
		{"a connection from a client, not from the host", fromClient, false},
	}
	for _, tt := range tests {
		if got := mirrorCandidate(tt.f, hosts); got != tt.want {
			t.Errorf("%s: candidate = %v, want %v", tt.name, got, tt.want)
		}
	}
	if q := reversed(second); q.TupleOrig != first.TupleOrig {
		t.Errorf("reversed = %+v, want the first entry's original tuple", q.TupleOrig)
	}
	at := time.Date(2025, 11, 12, 19, 46, 36, 0, time.UTC)
	p, ok := mirrorPair(first, second, at)
	if !ok || p.RewrittenPort != 19460 || p.First != "tcp 192.168.137.248:55094 -> 192.168.137.250:5000" || p.Second != "tcp 192.168.137.250:5000 -> 192.168.137.248:55094" {
		t.Errorf("mirror pair = %+v %v", p, ok)
	}
	if _, ok := mirrorPair(second, second, at); ok {
		t.Error("an entry cannot mirror itself")
	}
	other := first
	other.TupleOrig.Proto.SourcePort = 55095
	if _, ok := mirrorPair(other, second, at); ok {
		t.Error("another connection's entry is not a mirror")
	}
}
