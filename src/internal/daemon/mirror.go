package daemon

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/ti-mo/conntrack"

	"github.com/netfix/netfix/src/internal/facts"
)

// tcpSynSent is TCP_CONNTRACK_SYN_SENT: how an ordinary connection's first
// entry starts. The second entry of a connection tracked twice is born
// from a mid-stream packet, already ESTABLISHED.
const tcpSynSent = 1

// maxMirrors bounds the pairs the daemon keeps for the status document;
// the oldest is dropped first.
const maxMirrors = 20

// mirrorCandidate reports whether a NEW entry can be the second entry of a
// connection tracked twice: TCP picked up mid-stream, sent from an address
// of a bridge that the layout exposes (the host's address, as the reply
// leaves it). Everything else is skipped without a kernel query.
func mirrorCandidate(f conntrack.Flow, hosts map[netip.Addr]bool) bool {
	t := f.TupleOrig
	if t.Proto.Protocol != 6 || f.ProtoInfo.TCP == nil || f.ProtoInfo.TCP.State == tcpSynSent {
		return false
	}
	return hosts[t.IP.SourceAddress.Unmap()]
}

// reversed is the tuple the first entry's original direction has when f is
// its mirror.
func reversed(f conntrack.Flow) conntrack.Flow {
	t := f.TupleOrig
	var q conntrack.Flow
	q.TupleOrig = conntrack.Tuple{
		IP:    conntrack.IPTuple{SourceAddress: t.IP.DestinationAddress, DestinationAddress: t.IP.SourceAddress},
		Proto: conntrack.ProtoTuple{Protocol: t.Proto.Protocol, SourcePort: t.Proto.DestinationPort, DestinationPort: t.Proto.SourcePort},
		Zone:  t.Zone,
	}
	return q
}

// mirrorPair decides whether second, a NEW entry, mirrors first, the
// entry the kernel returned for second's reversed original tuple: first's
// original tuple must be exactly that reversal, and they must be two
// entries.
func mirrorPair(first, second conntrack.Flow, at time.Time) (facts.MirrorPair, bool) {
	want := reversed(second).TupleOrig
	got := first.TupleOrig
	if first.ID == second.ID || got.IP != want.IP || got.Proto.Protocol != want.Proto.Protocol ||
		got.Proto.SourcePort != want.Proto.SourcePort || got.Proto.DestinationPort != want.Proto.DestinationPort {
		return facts.MirrorPair{}, false
	}
	p := facts.MirrorPair{First: tupleString(first.TupleOrig), Second: tupleString(second.TupleOrig), SeenAt: at.UTC().Format(time.RFC3339)}
	// NAT's null binding moved the reply's destination port off the
	// client's own port (55094 -> 19460 in the seed).
	if rp := second.TupleReply.Proto.DestinationPort; rp != 0 && rp != second.TupleOrig.Proto.DestinationPort {
		p.RewrittenPort = rp
	}
	return p, true
}

func tupleString(t conntrack.Tuple) string {
	proto := fmt.Sprint(t.Proto.Protocol)
	switch t.Proto.Protocol {
	case 6:
		proto = "tcp"
	case 17:
		proto = "udp"
	}
	return fmt.Sprintf("%s %s -> %s", proto,
		netip.AddrPortFrom(t.IP.SourceAddress, t.Proto.SourcePort), netip.AddrPortFrom(t.IP.DestinationAddress, t.Proto.DestinationPort))
}

// exposedHosts are the addresses of the routed bridges of exposed layouts.
func exposedHosts(b facts.BridgeNF) map[netip.Addr]bool {
	out := map[netip.Addr]bool{}
	for _, j := range b.Exposed() {
		for _, a := range j.Routed.Addresses {
			if p, err := netip.ParsePrefix(a); err == nil {
				out[p.Addr().Unmap()] = true
			}
		}
	}
	return out
}
