//go:build linux

package ct

import (
	"encoding/binary"
	"net/netip"

	"github.com/ti-mo/conntrack"
	"github.com/ti-mo/netfilter"
	"golang.org/x/sys/unix"

	"github.com/netfix/netfix/src/internal/ctusage"
)

// CTFilter selects the entries a conntrack stream hands on. The zero value
// selects every entry.
//
// The kernel applies the filter where it can, so unwanted entries never
// cross netlink (family: every kernel; mark: CONFIG_NF_CONNTRACK_MARK;
// IPv4 address: Linux 5.8+; status bits: Linux 5.15+). The stream checks
// every entry again, so the callback sees only matching entries on every
// kernel.
type CTFilter struct {
	// Family is unix.AF_INET or unix.AF_INET6; 0 selects both.
	Family uint8
	// Status selects entries with all of these bits set (0: any status).
	Status conntrack.Status
	// Mark and MarkMask select entries whose mark&MarkMask equals
	// Mark&MarkMask. A zero MarkMask does not look at the mark.
	Mark, MarkMask uint32
	// Addr, if valid, selects entries with this address in the tuple
	// field AddrField (the kernel filters IPv4 addresses on Linux 5.8+).
	// Its family replaces Family.
	Addr      netip.Addr
	AddrField TupleField
}

// TupleField names one address of a conntrack entry.
type TupleField uint8

// The four addresses of an entry: with NAT a LAN host may appear in only
// one of them (DNAT: reply source; SNAT: original source).
const (
	OrigSource TupleField = iota
	OrigDestination
	ReplySource
	ReplyDestination
	// AnyAddress selects entries with the address in any of the four,
	// each entry once.
	AnyAddress
	// Endpoint selects entries whose packets are delivered to the
	// address, each entry once: the original source receives the replies
	// and the reply source the original direction (after DNAT). An
	// address that appears only as a destination rewritten by DNAT or a
	// source rewritten by SNAT receives none of the entry's packets.
	Endpoint
)

// fields lists the tuple fields a selector compares.
func (t TupleField) fields() []TupleField {
	switch t {
	case AnyAddress:
		return []TupleField{OrigSource, OrigDestination, ReplySource, ReplyDestination}
	case Endpoint:
		return []TupleField{OrigSource, ReplySource}
	default:
		return []TupleField{t}
	}
}

// Address returns the address of e in field t (one of the four).
func (t TupleField) Address(e *ctusage.Entry) netip.Addr {
	switch t {
	case OrigSource:
		return e.OrigSrc
	case OrigDestination:
		return e.OrigDst
	case ReplySource:
		return e.ReplySrc
	default:
		return e.ReplyDst
	}
}

// Attribute numbers of a dump request's filter, from the kernel's enum
// ctattr_type (include/uapi/linux/netfilter/nfnetlink_conntrack.h).
// ti-mo/conntrack encodes the same ones only inside Conn.DumpFilter, which
// collects the whole table.
const (
	ctaTupleOrig  = 1
	ctaTupleReply = 2
	ctaStatus     = 3
	ctaMark       = 8
	ctaMarkMask   = 21
	ctaFilter     = 25

	ctaTupleIP = 1 // in CTA_TUPLE_*: enum ctattr_tuple
	ctaIPv4Src = 1 // in CTA_TUPLE_IP: enum ctattr_ip
	ctaIPv4Dst = 2
	ctaIPv6Src = 3
	ctaIPv6Dst = 4

	ctaFilterOrigFlags  = 1 // in CTA_FILTER: enum ctattr_filter
	ctaFilterReplyFlags = 2
	ctaFilterFlagIPSrc  = 1 << 0 // CTA_FILTER_F_CTA_IP_SRC
	ctaFilterFlagIPDst  = 1 << 1 // CTA_FILTER_F_CTA_IP_DST
)

// match reports whether e passes the filter.
func (cf CTFilter) match(e *ctusage.Entry) bool {
	if fam := cf.family(); fam != 0 && familyOf(e) != fam {
		return false
	}
	if cf.Addr.IsValid() && !cf.hasAddr(e) {
		return false
	}
	if e.Status&uint32(cf.Status) != uint32(cf.Status) {
		return false
	}
	return e.Mark&cf.MarkMask == cf.Mark&cf.MarkMask
}

func (cf CTFilter) hasAddr(e *ctusage.Entry) bool {
	a := cf.Addr.Unmap()
	for _, field := range cf.AddrField.fields() {
		if field.Address(e).Unmap() == a {
			return true
		}
	}
	return false
}

// family is the address family the filter selects (0: both).
func (cf CTFilter) family() uint8 {
	switch {
	case !cf.Addr.IsValid():
		return cf.Family
	case cf.Addr.Unmap().Is4():
		return unix.AF_INET
	default:
		return unix.AF_INET6
	}
}

func familyOf(e *ctusage.Entry) uint8 {
	if e.OrigSrc.Is4() {
		return unix.AF_INET
	}
	return unix.AF_INET6
}

func filterAttrs(cf CTFilter) []netfilter.Attribute {
	var attrs []netfilter.Attribute
	if cf.Status != 0 {
		// The kernel masks with the status itself when no mask is sent:
		// "all of these bits set".
		attrs = append(attrs, netfilter.Attribute{Type: ctaStatus, Data: netfilter.Uint32Bytes(uint32(cf.Status))})
	}
	if cf.MarkMask != 0 {
		attrs = append(attrs,
			netfilter.Attribute{Type: ctaMark, Data: netfilter.Uint32Bytes(cf.Mark & cf.MarkMask)},
			netfilter.Attribute{Type: ctaMarkMask, Data: netfilter.Uint32Bytes(cf.MarkMask)})
	}
	if kernelAddrFilter(cf) {
		attrs = append(attrs, addrFilterAttrs(cf.Addr.Unmap(), cf.AddrField)...)
	}
	return attrs
}

// kernelAddrFilter reports whether the kernel is asked to filter on
// cf.Addr. IPv4 only: the kernel's IPv6 tuple filter is inverted
// (ctnetlink_filter_match_tuple returns the entries whose address differs;
// seen on 6.18 with a filter on fd00::1, which returned the other nine of
// ten entries), so IPv6 is filtered here, after a family-only dump.
// AnyAddress and Endpoint cannot be said in one request (the kernel
// compares fields with AND): stream sends one request per field.
func kernelAddrFilter(cf CTFilter) bool {
	return cf.Addr.IsValid() && cf.Addr.Unmap().Is4() && len(cf.AddrField.fields()) == 1
}

// addrFilterAttrs asks the kernel for entries with a in field t: the
// address in CTA_TUPLE_ORIG or CTA_TUPLE_REPLY, and CTA_FILTER saying
// which of its fields to compare (ctnetlink_alloc_filter).
func addrFilterAttrs(a netip.Addr, t TupleField) []netfilter.Attribute {
	tuple, flagsAttr := uint16(ctaTupleOrig), uint16(ctaFilterOrigFlags)
	if t == ReplySource || t == ReplyDestination {
		tuple, flagsAttr = ctaTupleReply, ctaFilterReplyFlags
	}
	ipAttr, flag := uint16(ctaIPv4Src), uint32(ctaFilterFlagIPSrc)
	if t == OrigDestination || t == ReplyDestination {
		ipAttr, flag = ctaIPv4Dst, ctaFilterFlagIPDst
	}
	if a.Is6() {
		ipAttr += ctaIPv6Src - ctaIPv4Src
	}
	// The flags are a host-order u32 (nla_get_u32), unlike the
	// big-endian payloads around them.
	flags := binary.NativeEndian.AppendUint32(nil, flag)
	return []netfilter.Attribute{
		{Type: tuple, Nested: true, Children: []netfilter.Attribute{
			{Type: ctaTupleIP, Nested: true, Children: []netfilter.Attribute{
				{Type: ipAttr, Data: a.AsSlice()},
			}},
		}},
		{Type: ctaFilter, Nested: true, Children: []netfilter.Attribute{
			{Type: flagsAttr, Data: flags},
		}},
	}
}

// kernelRelease is uname -r ("" if unknown).
func kernelRelease() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}

// kernelApplies reports whether a kernel of release rel applies every part
// of cf to a dump itself, so its answer needs no second look. Older
// kernels ignore the status filter (before 5.15) and the tuple filter
// (before 5.8) without an error. Family and mark filters are older than
// any kernel netfix runs on (a kernel without connmark refuses the mark).
func kernelApplies(cf CTFilter, rel string) bool {
	v, ok := parseRelease(rel)
	if !ok {
		return false
	}
	if cf.Status != 0 && !v.atLeast(5, 15) {
		return false
	}
	if cf.Addr.IsValid() && (!kernelAddrFilter(cf) || !v.atLeast(5, 8)) {
		return false
	}
	return true
}
