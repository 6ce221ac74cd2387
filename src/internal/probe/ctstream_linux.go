//go:build linux

package probe

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
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
	st, err := streamOnce(ctx, filter, true, fn, nil)
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.EOPNOTSUPP) {
		// Older kernel (< 5.15 for status) or no connmark support: dump
		// the family and filter here. A rejected request sends nothing,
		// so fn has seen no entry yet.
		st, err = streamOnce(ctx, filter, false, fn, nil)
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
	ctaStatus     = 3
	ctaMark       = 8
	ctaMarkMask   = 21
	ctaStatusMask = 26
)

// streamOnce runs one dump; each entry goes to rawFn as bytes when rawFn is
// set, else decoded and filtered to fn.
func streamOnce(ctx context.Context, filter CTFilter, inKernel bool, fn func(*conntrack.Flow) error, rawFn func([]byte) error) (CTStats, error) {
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
		Family:      netfilter.ProtoFamily(filter.Family),
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
			if rawFn != nil {
				// The message's payload: the nfgenmsg header, then the
				// entry's attributes.
				st.Flows++
				if err := rawFn(m.Data); err != nil {
					return st, err
				}
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
			if err := fn(ev.Flow); err != nil {
				return st, err
			}
		}
	}
}

// StreamConntrackRaw is StreamConntrack for readers that decode the few
// attributes they need themselves (the S2 breakdown of a 250k-entry table,
// where decoding every attribute of every entry into a conntrack.Flow costs
// more than the kernel's dump): fn gets each entry's netlink payload (the
// 4-byte nfgenmsg header, then its attributes), valid only during the
// call. family 0 dumps IPv4 and IPv6.
func StreamConntrackRaw(ctx context.Context, family uint8, fn func(payload []byte) error) (CTStats, error) {
	return streamOnce(ctx, CTFilter{Family: family}, true, nil, fn)
}

// Match reports whether f passes the filter.
func (cf CTFilter) Match(f *conntrack.Flow) bool {
	if cf.Family != 0 && familyOf(f) != cf.Family {
		return false
	}
	if f.Status&cf.Status != cf.Status {
		return false
	}
	return f.Mark&cf.MarkMask == cf.Mark&cf.MarkMask
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
	return attrs
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
