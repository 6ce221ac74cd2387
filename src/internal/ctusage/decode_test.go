package ctusage

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/mdlayher/netlink"
)

// payload encodes an entry the way ctnetlink sends it: nfgenmsg, then
// nested, big-endian attributes.
func payload(t *testing.T, src, dst, replySrc netip.Addr, proto uint8, dport uint16, status, timeout uint32, state uint8) []byte {
	t.Helper()
	tupleAttrs := func(s, d netip.Addr) func(*netlink.AttributeEncoder) error {
		return func(ae *netlink.AttributeEncoder) error {
			ae.Nested(ctaTupleIP, func(ae *netlink.AttributeEncoder) error {
				if s.Is4() {
					ae.Bytes(ctaIPv4Src, s.AsSlice())
					ae.Bytes(ctaIPv4Dst, d.AsSlice())
				} else {
					ae.Bytes(ctaIPv6Src, s.AsSlice())
					ae.Bytes(ctaIPv6Dst, d.AsSlice())
				}
				return nil
			})
			ae.Nested(ctaTupleProto, func(ae *netlink.AttributeEncoder) error {
				ae.Uint8(ctaProtoNum, proto)
				ae.Uint16(2, 40000) // source port
				ae.Uint16(ctaProtoDstPort, dport)
				return nil
			})
			return nil
		}
	}
	ae := netlink.NewAttributeEncoder()
	ae.ByteOrder = binary.BigEndian
	ae.Nested(ctaTupleOrig, tupleAttrs(src, dst))
	ae.Nested(ctaTupleReply, tupleAttrs(replySrc, src))
	ae.Uint32(ctaStatus, status)
	ae.Uint32(ctaTimeout, timeout)
	ae.Uint32(ctaMark, 0x10)
	if proto == ProtoTCP {
		ae.Nested(ctaProtoinfo, func(ae *netlink.AttributeEncoder) error {
			ae.Nested(ctaProtoinfoTCP, func(ae *netlink.AttributeEncoder) error {
				ae.Uint8(ctaProtoinfoTCPState, state)
				return nil
			})
			return nil
		})
	}
	b, err := ae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	// The attribute headers are host order whatever ae.ByteOrder says
	// for values; AttributeEncoder writes them natively.
	return append([]byte{2, 0, 0, 0}, b...)
}

func TestDecodeEntry(t *testing.T) {
	t.Parallel()
	lan, peer, wan := netip.MustParseAddr("192.168.1.50"), netip.MustParseAddr("203.0.113.9"), netip.MustParseAddr("100.64.0.2")
	v6, v6peer := netip.MustParseAddr("fd00::50"), netip.MustParseAddr("2001:db8::9")
	tests := []struct {
		name string
		in   []byte
		want Entry
	}{
		{
			name: "masqueraded TCP, ESTABLISHED",
			in:   payload(t, lan, peer, peer, ProtoTCP, 6881, 0x18e, 431000, StateEstablished),
			want: Entry{Proto: ProtoTCP, TCPState: StateEstablished, OrigSrc: lan, OrigDst: peer, ReplySrc: peer, ReplyDst: lan, Mark: 0x10, OrigDstPort: 6881, Timeout: 431000, Status: 0x18e},
		},
		{
			name: "port forward: DST_NAT bit, reply from the LAN host",
			in:   payload(t, peer, wan, lan, ProtoTCP, 8080, ipsDstNAT|0x8, 7000, StateEstablished),
			want: Entry{Proto: ProtoTCP, TCPState: StateEstablished, OrigSrc: peer, OrigDst: wan, ReplySrc: lan, ReplyDst: peer, Mark: 0x10, OrigDstPort: 8080, Timeout: 7000, DstNAT: true, Status: ipsDstNAT | 0x8},
		},
		{
			name: "offloaded in hardware: OFFLOAD and HW_OFFLOAD kept in the status word",
			in:   payload(t, lan, peer, peer, ProtoTCP, 443, 1<<14|1<<15|0x8, 7000, StateEstablished),
			want: Entry{Proto: ProtoTCP, TCPState: StateEstablished, OrigSrc: lan, OrigDst: peer, ReplySrc: peer, ReplyDst: lan, Mark: 0x10, OrigDstPort: 443, Timeout: 7000, Status: 1<<14 | 1<<15 | 0x8},
		},
		{
			name: "IPv6 UDP",
			in:   payload(t, v6, v6peer, v6peer, ProtoUDP, 53, 0, 30, 0),
			want: Entry{Proto: ProtoUDP, OrigSrc: v6, OrigDst: v6peer, ReplySrc: v6peer, ReplyDst: v6, Mark: 0x10, OrigDstPort: 53, Timeout: 30},
		},
	}
	for _, tc := range tests {
		got, err := DecodeEntry(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("%s: DecodeEntry = %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
	good := payload(t, lan, peer, peer, ProtoTCP, 1, 0, 1, 1)
	for _, bad := range [][]byte{nil, {2, 0}, {2, 0, 0, 0}, good[:9], append(append([]byte{}, good[:4]...), 0xff, 0xff, 1, 0)} {
		if _, err := DecodeEntry(bad); err == nil {
			t.Errorf("DecodeEntry(% x) accepted a broken payload", bad)
		}
	}
}

// Status reads the status word alone, agrees with DecodeEntry, refuses what
// DecodeEntry refuses, and allocates nothing (the offload walk calls it for
// every entry of the table). Not parallel: AllocsPerRun.
func TestStatus(t *testing.T) {
	lan, peer := netip.MustParseAddr("192.168.1.50"), netip.MustParseAddr("203.0.113.9")
	for _, st := range []uint32{0, 0x8, 1<<14 | 0x8, 1<<14 | 1<<15 | 0x18e} {
		in := payload(t, lan, peer, peer, ProtoTCP, 443, st, 7000, StateEstablished)
		if got, ok := Status(in); !ok || got != st {
			t.Errorf("Status = %#x, %v; want %#x", got, ok, st)
		}
		if allocs := testing.AllocsPerRun(100, func() { Status(in) }); allocs != 0 {
			t.Errorf("Status allocates %.0f times an entry", allocs)
		}
	}
	good := payload(t, lan, peer, peer, ProtoTCP, 1, 0x8, 1, 1)
	for _, bad := range [][]byte{nil, {2, 0}, {2, 0, 0, 0}, good[:9], append(append([]byte{}, good[:4]...), 0xff, 0xff, 1, 0),
		append(append([]byte{}, good[:4]...), 6, 0, ctaStatus, 0, 1, 0, 0, 0)} {
		if _, ok := Status(bad); ok {
			t.Errorf("Status(% x) accepted a broken payload", bad)
		}
	}
}
