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

// attrs walks the netlink attributes of b, calling fn with each type and
// payload; it stops at the first malformed header.
func attrs(b []byte, fn func(typ uint16, v []byte)) {
	for len(b) >= 4 {
		l := int(binary.NativeEndian.Uint16(b[0:2]))
		typ := binary.NativeEndian.Uint16(b[2:4]) & nlaTypeMask
		if l < 4 || l > len(b) {
			return
		}
		fn(typ, b[4:l])
		l = (l + 3) &^ 3
		if l > len(b) {
			return
		}
		b = b[l:]
	}
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
	var replySrc, replyDst netip.Addr
	attrs(payload[nfgenmsgLen:], func(typ uint16, v []byte) {
		switch typ {
		case ctaTupleOrig:
			tuple(v, &e.OrigSrc, &e.OrigDst, &e.Proto, &e.OrigDstPort)
		case ctaTupleReply:
			var proto uint8
			var port uint16
			tuple(v, &replySrc, &replyDst, &proto, &port)
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
			attrs(v, func(typ uint16, v []byte) {
				if typ != ctaProtoinfoTCP {
					return
				}
				attrs(v, func(typ uint16, v []byte) {
					if typ == ctaProtoinfoTCPState && len(v) >= 1 {
						e.TCPState = v[0]
					}
				})
			})
		}
	})
	e.ReplySrc, e.ReplyDst = replySrc, replyDst
	if !e.OrigSrc.IsValid() {
		return e, ErrShortEntry
	}
	return e, nil
}

func tuple(b []byte, src, dst *netip.Addr, proto *uint8, dport *uint16) {
	attrs(b, func(typ uint16, v []byte) {
		switch typ {
		case ctaTupleIP:
			attrs(v, func(typ uint16, v []byte) {
				switch {
				case (typ == ctaIPv4Src || typ == ctaIPv4Dst) && len(v) == 4:
					a := netip.AddrFrom4([4]byte(v))
					if typ == ctaIPv4Src {
						*src = a
					} else {
						*dst = a
					}
				case (typ == ctaIPv6Src || typ == ctaIPv6Dst) && len(v) == 16:
					a := netip.AddrFrom16([16]byte(v))
					if typ == ctaIPv6Src {
						*src = a
					} else {
						*dst = a
					}
				}
			})
		case ctaTupleProto:
			attrs(v, func(typ uint16, v []byte) {
				switch {
				case typ == ctaProtoNum && len(v) >= 1:
					*proto = v[0]
				case typ == ctaProtoDstPort && len(v) >= 2:
					*dport = binary.BigEndian.Uint16(v)
				}
			})
		}
	})
}
