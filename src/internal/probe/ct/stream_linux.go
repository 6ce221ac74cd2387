//go:build linux

package ct

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

	"github.com/netfix/netfix/src/internal/ctusage"
)

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
	return stream(ctx, filter, func(_ *ctusage.Entry, m netlink.Message) error {
		var ev conntrack.Event
		if err := ev.Unmarshal(m); err != nil {
			return fmt.Errorf("decode conntrack entry: %w", err)
		}
		if ev.Flow == nil {
			return nil
		}
		return fn(ev.Flow)
	})
}

// StreamConntrackEntries is StreamConntrack for a caller that needs only
// an entry's addresses, status and mark, and sends requests about the
// entries itself (a delete). fn gets the entry as ctusage.DecodeEntry reads
// it, not decoded into a conntrack.Flow (ti-mo allocates every attribute
// of every entry: about 3 µs an entry on the x86 host, a fifth of a flush
// of 12,500 of 100k entries), and its attributes as the kernel encoded
// them (the message after its nfgenmsg header), so a request can name the
// entry exactly. e and attrs are only valid during the call.
func StreamConntrackEntries(ctx context.Context, filter CTFilter, fn func(e *ctusage.Entry, attrs []byte) error) (CTStats, error) {
	if fn == nil {
		return CTStats{}, errors.New("stream conntrack: no callback")
	}
	return stream(ctx, filter, func(e *ctusage.Entry, m netlink.Message) error {
		return fn(e, m.Data[4:]) // after the nfgenmsg header (DecodeEntry checked it)
	})
}

// CountConntrack counts the entries that match filter (CTStats.Flows).
// Where the kernel is known to apply the whole filter the entries are
// counted as they arrive, without decoding them: a sweep of a large table
// costs the kernel's walk and little else.
func CountConntrack(ctx context.Context, filter CTFilter) (CTStats, error) {
	return stream(ctx, filter, nil)
}

// rawFunc is a stream callback with the entry as ctusage.DecodeEntry reads
// it and its message; nil counts.
type rawFunc func(e *ctusage.Entry, m netlink.Message) error

func stream(ctx context.Context, filter CTFilter, fn rawFunc) (CTStats, error) {
	if len(filter.AddrField.fields()) > 1 && filter.Addr.IsValid() && filter.Addr.Unmap().Is4() {
		return streamEachField(ctx, filter, fn)
	}
	return streamFiltered(ctx, filter, fn)
}

// streamEachField serves an AnyAddress or Endpoint filter with one
// kernel-filtered dump per address field (the kernel compares fields with
// AND only). Each is a walk of the whole table in the kernel (about 0.17 s
// of system time for 220k entries on the x86 host), so Endpoint's two are
// what a flush should ask for. An entry already handed on for an earlier
// field is skipped.
//
// The dumps run one after the other on purpose. A filtered dump that finds
// little walks the table inside its request's sendmsg, which the kernel
// runs under the ctnetlink subsystem mutex: two such dumps at once took as
// long as one after the other (two empty walks of the same table: 62 ms
// each side by side, 32 ms alone), and every delete waits for that mutex
// too. One dump without the address filter would walk once but fill and
// send every offloaded entry, about five times the kernel's cost of
// skipping one (1.0 against 0.19 us an entry here), on a router most of
// the table.
func streamEachField(ctx context.Context, filter CTFilter, fn rawFunc) (CTStats, error) {
	total := CTStats{KernelFiltered: true}
	addr := filter.Addr.Unmap()
	fields := filter.AddrField.fields()
	for i, field := range fields {
		sub := filter
		sub.AddrField = field
		st, err := streamFiltered(ctx, sub, func(e *ctusage.Entry, m netlink.Message) error {
			for _, earlier := range fields[:i] {
				if earlier.Address(e).Unmap() == addr {
					return nil
				}
			}
			total.Flows++
			if fn == nil {
				return nil
			}
			return fn(e, m)
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

// streamOnce runs one dump. Each entry goes to rawFn as bytes when rawFn
// is set (StreamConntrackRaw), else decoded and filtered to fn (nil: only
// counted).
func streamOnce(ctx context.Context, filter CTFilter, inKernel bool, fn rawFunc, rawFn func([]byte) error) (CTStats, error) {
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
	countRaw := fn == nil && rawFn == nil && inKernel && kernelApplies(filter, kernelRelease())
	batches := readAhead(raw)
	defer batches.stop()
	var e ctusage.Entry // one for the whole dump: fn's pointer escapes
	for {
		buf, n, err := batches.next()
		if err != nil {
			if ctx.Err() != nil {
				return st, ctx.Err()
			}
			return st, fmt.Errorf("read conntrack dump: %w", err)
		}
		// A batch already read when ctx ended is not worked through: the
		// read deadline stops only the reads to come.
		if err := ctx.Err(); err != nil {
			return st, err
		}
		for b := buf[:n]; len(b) > 0; {
			var m netlink.Message
			var ok bool
			if m, b, ok = nextMessage(b); !ok {
				return st, errors.New("read conntrack dump: malformed netlink message")
			}
			if m.Header.Sequence != req.Header.Sequence {
				continue // not an answer to this request
			}
			switch m.Header.Type {
			case netlink.Noop:
				continue
			case netlink.Done:
				// Ended by fn's cancel within the last batch: still a
				// stopped walk, not a complete one.
				if err := ctx.Err(); err != nil {
					return st, err
				}
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
			if countRaw {
				st.Flows++
				continue
			}
			if e, err = ctusage.DecodeEntry(m.Data); err != nil {
				return st, fmt.Errorf("decode conntrack entry: %w", err)
			}
			if !filter.match(&e) {
				continue
			}
			st.Flows++
			if fn == nil {
				continue
			}
			if err := fn(&e, m); err != nil {
				return st, err
			}
		}
		batches.done(buf)
	}
}

// streamRawFiltered is a raw stream (see streamOnce) with filter applied by
// the kernel, or only by family where the kernel refuses the rest; rawFn
// then checks what it needs itself.
func streamRawFiltered(ctx context.Context, filter CTFilter, rawFn func([]byte) error) (CTStats, error) {
	st, err := streamOnce(ctx, filter, true, nil, rawFn)
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.EOPNOTSUPP) {
		st, err = streamOnce(ctx, filter, false, nil, rawFn)
	}
	return st, err
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

// readAhead reads a dump's datagrams in a goroutine of its own, one ahead
// of the caller: the kernel fills the next datagram inside the recvmsg that
// takes the current one (netlink_recvmsg runs the next dump round), so
// reading here overlaps that filling with the caller's work on the datagram
// before. A check of 10k entries on the two-core x86 host: 15.2 -> 13.9 ms
// with 262,144 buckets, 12.1 -> 10.8 ms with 16,384 (perf stat, 25 runs).
// Two buffers in turn: memory is 2 x ctBatchSize whatever the table size.
// On one CPU it costs a goroutine switch a datagram (about 170 entries).
// Only the socket is used here, and a socket stays in the namespace it was
// opened in, so this goroutine needs no particular thread.
func readAhead(raw syscall.RawConn) *aheadReader {
	r := &aheadReader{
		free: make(chan []byte, 2),
		full: make(chan aheadBatch, 2),
		quit: make(chan struct{}),
	}
	r.free <- make([]byte, ctBatchSize)
	r.free <- make([]byte, ctBatchSize)
	go r.run(raw)
	return r
}

type aheadBatch struct {
	buf []byte
	n   int
	err error
}

type aheadReader struct {
	free chan []byte     // buffers the caller has worked through
	full chan aheadBatch // datagrams read, in order
	quit chan struct{}   // closed by stop
}

func (r *aheadReader) run(raw syscall.RawConn) {
	defer close(r.full)
	for {
		var buf []byte
		select {
		case buf = <-r.free:
		case <-r.quit:
			return
		}
		n, err := recvBatch(raw, buf)
		select {
		case r.full <- aheadBatch{buf, n, err}:
		case <-r.quit:
			return
		}
		// The datagram that ends the dump is the last: a read after it
		// would wait for data that never comes.
		if err != nil || endsDump(buf[:n]) {
			return
		}
	}
}

// next returns the next datagram in buf[:n]; the caller hands buf back with
// done when it has worked through it.
func (r *aheadReader) next() (buf []byte, n int, err error) {
	b, ok := <-r.full
	if !ok {
		return nil, 0, errors.New("dump ended without NLMSG_DONE")
	}
	return b.buf, b.n, b.err
}

func (r *aheadReader) done(buf []byte) { r.free <- buf }

// stop ends the reader. A read it has started ends when the socket is
// closed or its read deadline passes (streamOnce does both).
func (r *aheadReader) stop() { close(r.quit) }

// endsDump reports whether a datagram holds the dump's last message
// (NLMSG_DONE, or NLMSG_ERROR for a refused request).
func endsDump(b []byte) bool {
	for len(b) > 0 {
		m, rest, ok := nextMessage(b)
		if !ok {
			return true // malformed: the caller says so, nothing follows
		}
		if m.Header.Type == netlink.Done || m.Header.Type == netlink.Error {
			return true
		}
		b = rest
	}
	return false
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

// nextMessage splits the first netlink message off b, a datagram of a
// dump, in place: the dump's only allocation is its buffer
// (syscall.ParseNetlinkMessage allocated a slice per datagram, 35 MB a walk
// of 250k entries). ok is false on a malformed header.
func nextMessage(b []byte) (m netlink.Message, rest []byte, ok bool) {
	if len(b) < unix.NLMSG_HDRLEN {
		return m, nil, false
	}
	l := binary.NativeEndian.Uint32(b[0:4])
	if l < unix.NLMSG_HDRLEN || uint64(l) > uint64(len(b)) {
		return m, nil, false
	}
	m.Header = netlink.Header{
		Length:   l,
		Type:     netlink.HeaderType(binary.NativeEndian.Uint16(b[4:6])),
		Flags:    netlink.HeaderFlags(binary.NativeEndian.Uint16(b[6:8])),
		Sequence: binary.NativeEndian.Uint32(b[8:12]),
		PID:      binary.NativeEndian.Uint32(b[12:16]),
	}
	m.Data = b[unix.NLMSG_HDRLEN:l]
	next := min((int(l)+unix.NLMSG_ALIGNTO-1)&^(unix.NLMSG_ALIGNTO-1), len(b))
	return m, b[next:], true
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
