package ctusage

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// Attribute numbers of a ctnetlink entry (include/uapi/linux/netfilter/
// nfnetlink_conntrack.h), the few the breakdown reads.
const (
	ctaTupleOrig  = 1
	ctaTupleReply = 2
	ctaStatus     = 3
	ctaProtoinfo  = 4
	ctaTimeout    = 7
	ctaMark       = 8

	ctaTupleIP    = 1
	ctaTupleProto = 2

	ctaIPv4Src = 1
	ctaIPv4Dst = 2
	ctaIPv6Src = 3
	ctaIPv6Dst = 4

	ctaProtoNum     = 1
	ctaProtoDstPort = 3

	ctaProtoinfoTCP      = 1
	ctaProtoinfoTCPState = 1

	// nfgenmsgLen is the netfilter header before the attributes.
	nfgenmsgLen = 4
	// nlaTypeMask strips NLA_F_NESTED and NLA_F_NET_BYTEORDER.
	nlaTypeMask = 0x3fff
	// ipsDstNAT is IPS_DST_NAT.
	ipsDstNAT = 1 << 5
)

// ErrShortEntry is a ctnetlink payload too short to be an entry.
var ErrShortEntry = errors.New("conntrack entry: truncated netlink payload")

// nextAttr splits the first netlink attribute off b: its type without
// flags, its payload and the attributes after it; ok is false at the end
// and at a malformed header. A loop over it costs no call per attribute,
// where a callback per attribute made the decoding twice as slow.
func nextAttr(b []byte) (typ uint16, v, rest []byte, ok bool) {
	if len(b) < 4 {
		return 0, nil, nil, false
	}
	l := int(binary.NativeEndian.Uint16(b[0:2]))
	if l < 4 || l > len(b) {
		return 0, nil, nil, false
	}
	return binary.NativeEndian.Uint16(b[2:4]) & nlaTypeMask, b[4:l], b[min((l+3)&^3, len(b)):], true
}

// DecodeEntry reads one ctnetlink entry (the payload of a dump message:
// the nfgenmsg header, then the attributes) into an Entry without
// allocating: a 250k-entry table is decoded in the time the kernel takes to
// dump it. Attributes it does not need are skipped.
func DecodeEntry(payload []byte) (Entry, error) {
	var e Entry
	if len(payload) < nfgenmsgLen {
		return e, ErrShortEntry
	}
	for typ, v, rest, ok := nextAttr(payload[nfgenmsgLen:]); ok; typ, v, rest, ok = nextAttr(rest) {
		switch typ {
		case ctaTupleOrig:
			tuple(v, &e.OrigSrc, &e.OrigDst, &e.Proto, &e.OrigDstPort)
		case ctaTupleReply:
			var proto uint8
			var port uint16
			tuple(v, &e.ReplySrc, &e.ReplyDst, &proto, &port)
		case ctaMark:
			if len(v) >= 4 {
				e.Mark = binary.BigEndian.Uint32(v)
			}
		case ctaStatus:
			if len(v) >= 4 {
				e.Status = binary.BigEndian.Uint32(v)
				e.DstNAT = e.Status&ipsDstNAT != 0
			}
		case ctaTimeout:
			if len(v) >= 4 {
				e.Timeout = binary.BigEndian.Uint32(v)
			}
		case ctaProtoinfo:
			for pt, pv, prest, ok := nextAttr(v); ok; pt, pv, prest, ok = nextAttr(prest) {
				if pt != ctaProtoinfoTCP {
					continue
				}
				for tt, tv, trest, ok := nextAttr(pv); ok; tt, tv, trest, ok = nextAttr(trest) {
					if tt == ctaProtoinfoTCPState && len(tv) >= 1 {
						e.TCPState = tv[0]
					}
				}
			}
		}
	}
	if !e.OrigSrc.IsValid() {
		return e, ErrShortEntry
	}
	return e, nil
}

// Status reads CTA_STATUS of one ctnetlink entry (the payload of a dump
// message) and nothing else: the offload walk reads only that word of
// every entry, and stops at it (the third attribute) without allocating.
func Status(payload []byte) (uint32, bool) {
	if len(payload) < nfgenmsgLen {
		return 0, false
	}
	for typ, v, rest, ok := nextAttr(payload[nfgenmsgLen:]); ok; typ, v, rest, ok = nextAttr(rest) {
		if typ == ctaStatus {
			if len(v) != 4 {
				return 0, false
			}
			return binary.BigEndian.Uint32(v), true
		}
	}
	return 0, false
}

func tuple(b []byte, src, dst *netip.Addr, proto *uint8, dport *uint16) {
	for typ, v, rest, ok := nextAttr(b); ok; typ, v, rest, ok = nextAttr(rest) {
		switch typ {
		case ctaTupleIP:
			for at, av, arest, ok := nextAttr(v); ok; at, av, arest, ok = nextAttr(arest) {
				switch {
				case (at == ctaIPv4Src || at == ctaIPv4Dst) && len(av) == 4:
					ip := netip.AddrFrom4([4]byte(av))
					if at == ctaIPv4Src {
						*src = ip
					} else {
						*dst = ip
					}
				case (at == ctaIPv6Src || at == ctaIPv6Dst) && len(av) == 16:
					ip := netip.AddrFrom16([16]byte(av))
					if at == ctaIPv6Src {
						*src = ip
					} else {
						*dst = ip
					}
				}
			}
		case ctaTupleProto:
			for at, av, arest, ok := nextAttr(v); ok; at, av, arest, ok = nextAttr(arest) {
				switch {
				case at == ctaProtoNum && len(av) >= 1:
					*proto = av[0]
				case at == ctaProtoDstPort && len(av) >= 2:
					*dport = binary.BigEndian.Uint16(av)
				}
			}
		}
	}
}
