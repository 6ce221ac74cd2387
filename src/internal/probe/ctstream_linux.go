//go:build linux

package probe

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"syscall"
	"time"

	"github.com/mdlayher/netlink"
	"github.com/ti-mo/conntrack"
	"github.com/ti-mo/netfilter"
	"golang.org/x/sys/unix"
)

// CTFilter selects the entries a conntrack stream hands on. The zero value
// selects every entry.
//
// The kernel applies the filter where it can, so unwanted entries never
// cross netlink (family: every kernel; mark: CONFIG_NF_CONNTRACK_MARK;
// status bits: Linux 5.15+). The stream checks every entry again, so the
// callback sees only matching entries on every kernel.
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
)

// Address returns the address of f in field t (one of the four).
func (t TupleField) Address(f *conntrack.Flow) netip.Addr {
	switch t {
	case OrigSource:
		return f.TupleOrig.IP.SourceAddress
	case OrigDestination:
		return f.TupleOrig.IP.DestinationAddress
	case ReplySource:
		return f.TupleReply.IP.SourceAddress
	default:
		return f.TupleReply.IP.DestinationAddress
	}
}

// CTStats describes one stream.
type CTStats struct {
	// Messages is the number of conntrack entries the kernel sent.
	Messages int
	// Flows is the number of entries handed to the callback.
	Flows int
	// KernelFiltered is false when the kernel refused the status or mark
	// filter and every entry crossed netlink to be filtered here.
	KernelFiltered bool
}

// StreamConntrack dumps the conntrack table of the current network
// namespace and calls fn for every entry that matches filter, one at a
// time, in the order the kernel sends them.
//
// The flow passed to fn is only valid during the call: fn must not keep
// the pointer or anything it points to (copy the few fields it needs).
// Memory use is one netlink datagram (at most 32 KiB of entries) and one
// decoded flow, whatever the size of the table.
//
// A non-nil error from fn stops the dump and is returned as is. The dump
// also stops when ctx is done (ctx.Err() is returned). Other errors wrap
// the kernel's errno, so callers can use errors.Is(err, syscall.EPERM).
func StreamConntrack(ctx context.Context, filter CTFilter, fn func(*conntrack.Flow) error) (CTStats, error) {
	if fn == nil {
		return CTStats{}, errors.New("stream conntrack: no callback")
	}
	return stream(ctx, filter, func(f *conntrack.Flow, _ []byte) error { return fn(f) })
}

// StreamConntrackMessages is StreamConntrack for a caller that sends
// requests about the entries itself (a delete): fn also gets the entry's
// attributes as the kernel encoded them (the message after its nfgenmsg
// header), so a request can name the entry exactly. attrs, like f, is
// only valid during the call.
func StreamConntrackMessages(ctx context.Context, filter CTFilter, fn func(f *conntrack.Flow, attrs []byte) error) (CTStats, error) {
	if fn == nil {
		return CTStats{}, errors.New("stream conntrack: no callback")
	}
	return stream(ctx, filter, fn)
}

// CountConntrack counts the entries that match filter (CTStats.Flows).
// Where the kernel is known to apply the whole filter the entries are
// counted as they arrive, without decoding them: a sweep of a large table
// costs the kernel's walk and little else.
func CountConntrack(ctx context.Context, filter CTFilter) (CTStats, error) {
	return stream(ctx, filter, nil)
}

// rawFunc is a stream callback with the entry's raw attributes; nil counts.
type rawFunc func(f *conntrack.Flow, attrs []byte) error

func stream(ctx context.Context, filter CTFilter, fn rawFunc) (CTStats, error) {
	if filter.AddrField == AnyAddress && filter.Addr.IsValid() && filter.Addr.Unmap().Is4() {
		return streamEachField(ctx, filter, fn)
	}
	return streamFiltered(ctx, filter, fn)
}

// streamEachField serves an AnyAddress filter with one kernel-filtered
// dump per address field (the kernel compares fields with AND only): four
// walks of the table in the kernel cost less than decoding every entry
// here. An entry already handed on for an earlier field is skipped.
func streamEachField(ctx context.Context, filter CTFilter, fn rawFunc) (CTStats, error) {
	total := CTStats{KernelFiltered: true}
	addr := filter.Addr.Unmap()
	for field := OrigSource; field < AnyAddress; field++ {
		sub := filter
		sub.AddrField = field
		st, err := streamFiltered(ctx, sub, func(f *conntrack.Flow, attrs []byte) error {
			for earlier := OrigSource; earlier < field; earlier++ {
				if earlier.Address(f).Unmap() == addr {
					return nil
				}
			}
			total.Flows++
			if fn == nil {
				return nil
			}
			return fn(f, attrs)
		})
		total.Messages += st.Messages
		total.KernelFiltered = total.KernelFiltered && st.KernelFiltered
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// streamFiltered is one dump, filtered in the kernel, or here where the
// kernel refuses the filter.
func streamFiltered(ctx context.Context, filter CTFilter, fn rawFunc) (CTStats, error) {
	st, err := streamOnce(ctx, filter, true, fn)
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.EOPNOTSUPP) {
		// Older kernel (< 5.15 for status) or no connmark support: dump
		// the family and filter here. A rejected request sends nothing,
		// so fn has seen no entry yet.
		st, err = streamOnce(ctx, filter, false, fn)
	}
	return st, err
}

// ctBatchSize is the receive buffer: the kernel fills dump datagrams up to
// the reader's buffer size, capped at 32 KiB (netlink_recvmsg,
// SKB_WITH_OVERHEAD(32768)); the margin keeps MSG_TRUNC impossible.
const ctBatchSize = 64 << 10

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

func streamOnce(ctx context.Context, filter CTFilter, inKernel bool, fn rawFunc) (CTStats, error) {
	st := CTStats{KernelFiltered: inKernel}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	c, err := netlink.Dial(unix.NETLINK_NETFILTER, nil)
	if err != nil {
		return st, fmt.Errorf("open conntrack netlink socket: %w", err)
	}
	// Closing the socket also ends a dump the kernel has not finished.
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		if err := c.SetReadDeadline(dl); err != nil {
			return st, fmt.Errorf("set conntrack read deadline: %w", err)
		}
	}
	stop := context.AfterFunc(ctx, func() { _ = c.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()

	var attrs []netfilter.Attribute
	if inKernel {
		attrs = filterAttrs(filter)
	}
	req, err := netfilter.MarshalNetlink(netfilter.Header{
		SubsystemID: netfilter.NFSubsysCTNetlink,
		MessageType: 1, // IPCTNL_MSG_CT_GET
		Family:      netfilter.ProtoFamily(filter.family()),
		Flags:       netlink.Request | netlink.Dump,
	}, attrs)
	if err != nil {
		return st, fmt.Errorf("encode conntrack dump request: %w", err)
	}
	req, err = c.Send(req)
	if err != nil {
		return st, fmt.Errorf("send conntrack dump request: %w", err)
	}
	raw, err := c.SyscallConn()
	if err != nil {
		return st, fmt.Errorf("conntrack netlink socket: %w", err)
	}

	// Counting only, the entries need no decoding where the kernel is
	// known to apply every part of the filter.
	countRaw := fn == nil && inKernel && kernelApplies(filter, kernelRelease())
	buf := make([]byte, ctBatchSize)
	for {
		n, err := recvBatch(raw, buf)
		if err != nil {
			if ctx.Err() != nil {
				return st, ctx.Err()
			}
			return st, fmt.Errorf("read conntrack dump: %w", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return st, fmt.Errorf("read conntrack dump: %w", err)
		}
		for i := range msgs {
			m := netlink.Message{
				Header: netlink.Header{
					Length:   msgs[i].Header.Len,
					Type:     netlink.HeaderType(msgs[i].Header.Type),
					Flags:    netlink.HeaderFlags(msgs[i].Header.Flags),
					Sequence: msgs[i].Header.Seq,
					PID:      msgs[i].Header.Pid,
				},
				Data: msgs[i].Data,
			}
			if m.Header.Sequence != req.Header.Sequence {
				continue // not an answer to this request
			}
			switch m.Header.Type {
			case netlink.Noop:
				continue
			case netlink.Done:
				return st, errnoOf(m, "conntrack dump ended")
			case netlink.Error:
				return st, errnoOf(m, "conntrack dump")
			}
			st.Messages++
			if countRaw {
				st.Flows++
				continue
			}
			var ev conntrack.Event
			if err := ev.Unmarshal(m); err != nil {
				return st, fmt.Errorf("decode conntrack entry: %w", err)
			}
			if ev.Flow == nil || !filter.Match(ev.Flow) {
				continue
			}
			st.Flows++
			if fn == nil {
				continue
			}
			// After the 4-byte nfgenmsg header (DecodeNetlink checked it).
			if err := fn(ev.Flow, m.Data[4:]); err != nil {
				return st, err
			}
		}
	}
}

// Match reports whether f passes the filter.
func (cf CTFilter) Match(f *conntrack.Flow) bool {
	if fam := cf.family(); fam != 0 && familyOf(f) != fam {
		return false
	}
	if cf.Addr.IsValid() && !cf.hasAddr(f) {
		return false
	}
	if f.Status&cf.Status != cf.Status {
		return false
	}
	return f.Mark&cf.MarkMask == cf.Mark&cf.MarkMask
}

func (cf CTFilter) hasAddr(f *conntrack.Flow) bool {
	a := cf.Addr.Unmap()
	if cf.AddrField != AnyAddress {
		return cf.AddrField.Address(f).Unmap() == a
	}
	for field := OrigSource; field < AnyAddress; field++ {
		if field.Address(f).Unmap() == a {
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

func familyOf(f *conntrack.Flow) uint8 {
	if f.TupleOrig.IP.SourceAddress.Is4() {
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
// AnyAddress cannot be said in one request (the kernel compares with AND):
// stream sends one request per field.
func kernelAddrFilter(cf CTFilter) bool {
	return cf.Addr.IsValid() && cf.Addr.Unmap().Is4() && cf.AddrField != AnyAddress
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

// recvBatch reads one datagram of the dump. netlink.Conn.Receive would
// read on until the end of a multi-part answer, i.e. the whole table.
func recvBatch(raw syscall.RawConn, buf []byte) (int, error) {
	var n, flags int
	var rerr error
	err := raw.Read(func(fd uintptr) bool {
		n, _, flags, _, rerr = unix.Recvmsg(int(fd), buf, nil, 0)
		return !errors.Is(rerr, unix.EAGAIN) && !errors.Is(rerr, unix.EINTR)
	})
	switch {
	case err != nil:
		return 0, err
	case rerr != nil:
		return 0, rerr
	case flags&unix.MSG_TRUNC != 0:
		return 0, fmt.Errorf("datagram larger than %d bytes", len(buf))
	}
	return n, nil
}

// errnoOf returns the error an NLMSG_ERROR or NLMSG_DONE message carries
// (nil for 0), as a syscall.Errno for errors.Is.
func errnoOf(m netlink.Message, what string) error {
	if len(m.Data) < 4 {
		return nil
	}
	code := int32(binary.NativeEndian.Uint32(m.Data[:4]))
	if code == 0 {
		return nil
	}
	return fmt.Errorf("%s: %w", what, syscall.Errno(-code))
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
