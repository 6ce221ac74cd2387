//go:build linux

package flows

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"syscall"

	"github.com/mdlayher/netlink"
	"github.com/ti-mo/netfilter"
	"golang.org/x/sys/unix"

	"github.com/netfix/netfix/src/internal/ctusage"
)

// deleteBatch is how many delete requests go out in one sendmsg. The kernel
// handles them one after another inside that call and queues an error
// message for each that failed; 64 keeps those well inside the socket's
// receive buffer.
const deleteBatch = 64

// Attributes a delete request copies from the kernel's own dump message
// (enum ctattr_type): both tuples name the entry, the ID makes the kernel
// refuse when the tuple now belongs to a newer entry, the zone finds it.
const (
	ctaTupleOrig  = 1
	ctaTupleReply = 2
	ctaID         = 12
	ctaZone       = 18

	// attrTypeMask strips NLA_F_NESTED and NLA_F_NET_BYTEORDER.
	attrTypeMask = 0x3fff
	// ipctnlMsgCTDelete is IPCTNL_MSG_CT_DELETE.
	ipctnlMsgCTDelete = 2
)

// deleter deletes conntrack entries in batches on its own socket, without
// an acknowledgement per entry (conntrack -D waits for one each time): a
// request that succeeds sends nothing back, one that fails an error.
type deleter struct {
	c       *netlink.Conn
	pending []netlink.Message
	who     [][2]netip.Addr // the pending entries' addresses, for an error
	buf     []byte
	deleted int
	err     error // the first failed delete
}

func newDeleter(c *netlink.Conn) *deleter {
	return &deleter{c: c, buf: make([]byte, 64<<10)}
}

// add queues the delete of the entry the kernel described with e and
// attrs, and sends the batch when it is full.
func (d *deleter) add(e *ctusage.Entry, attrs []byte) error {
	m, err := deleteRequest(e, attrs)
	if err != nil {
		// Not deleted; the pass goes on with the other entries.
		if d.err == nil {
			d.err = err
		}
		return nil
	}
	d.pending = append(d.pending, m)
	d.who = append(d.who, [2]netip.Addr{e.OrigSrc, e.OrigDst})
	if len(d.pending) >= deleteBatch {
		return d.flush()
	}
	return nil
}

// flush sends the pending requests in one sendmsg and reads the errors
// the kernel queued while handling them. An entry gone meanwhile (ENOENT)
// is neither deleted nor an error.
func (d *deleter) flush() error {
	if len(d.pending) == 0 {
		return nil
	}
	sent, err := d.c.SendMessages(d.pending)
	if err != nil {
		d.pending, d.who = d.pending[:0], d.who[:0]
		return fmt.Errorf("send conntrack deletes: %w", err)
	}
	first := sent[0].Header.Sequence
	failed := 0
	raw, err := d.c.SyscallConn()
	if err != nil {
		return fmt.Errorf("conntrack delete socket: %w", err)
	}
	for {
		n, rerr := recvNow(raw, d.buf)
		if errors.Is(rerr, unix.EAGAIN) {
			break
		}
		if rerr != nil {
			return fmt.Errorf("read conntrack delete results: %w", rerr)
		}
		msgs, perr := syscall.ParseNetlinkMessage(d.buf[:n])
		if perr != nil {
			return fmt.Errorf("read conntrack delete results: %w", perr)
		}
		for _, m := range msgs {
			// NLMSG_ERROR: the errno, then the request's header, whose
			// sequence number says which entry it was.
			if m.Header.Type != unix.NLMSG_ERROR || len(m.Data) < 16 {
				continue
			}
			code := int32(binary.NativeEndian.Uint32(m.Data[:4]))
			if code == 0 {
				continue
			}
			failed++
			errno := syscall.Errno(-code)
			i := int(binary.NativeEndian.Uint32(m.Data[12:16]) - first)
			if errno == syscall.ENOENT || d.err != nil || i < 0 || i >= len(d.who) {
				continue
			}
			d.err = fmt.Errorf("delete conntrack entry %s -> %s: %w", d.who[i][0], d.who[i][1], errno)
		}
	}
	d.deleted += len(d.pending) - failed
	d.pending, d.who = d.pending[:0], d.who[:0]
	return nil
}

// recvNow reads one datagram without waiting (EAGAIN: none queued).
func recvNow(raw syscall.RawConn, buf []byte) (int, error) {
	var n int
	var rerr error
	err := raw.Read(func(fd uintptr) bool {
		n, _, _, _, rerr = unix.Recvmsg(int(fd), buf, nil, unix.MSG_DONTWAIT)
		return true
	})
	if err != nil {
		return 0, err
	}
	return n, rerr
}

// deleteRequest builds IPCTNL_MSG_CT_DELETE for an entry from the
// attributes of the kernel's dump message: the tuples, ID and zone copied
// byte for byte as the kernel encoded them (headers and nesting included),
// nothing decoded and encoded again.
func deleteRequest(e *ctusage.Entry, attrs []byte) (netlink.Message, error) {
	family := byte(unix.AF_INET)
	if !e.OrigSrc.Unmap().Is4() {
		family = unix.AF_INET6
	}
	// nfgenmsg: family, version 0, resource ID 0.
	data := make([]byte, 4, 4+len(attrs))
	data[0] = family
	var hasID bool
	for b := attrs; len(b) >= 4; {
		l := int(binary.NativeEndian.Uint16(b[0:2]))
		if l < 4 || l > len(b) {
			return netlink.Message{}, errors.New("conntrack entry attributes: malformed attribute")
		}
		padded := (l + 3) &^ 3
		switch binary.NativeEndian.Uint16(b[2:4]) & attrTypeMask {
		case ctaID:
			hasID = true
			fallthrough
		case ctaTupleOrig, ctaTupleReply, ctaZone:
			data = append(data, b[:l]...)
			data = append(data, make([]byte, padded-l)...)
		}
		b = b[min(padded, len(b)):]
	}
	if !hasID {
		// Without the ID a delete could hit a newer entry with the same
		// tuple: never delete an entry netfix is not sure about.
		return netlink.Message{}, errors.New("conntrack entry without an ID: not deleted")
	}
	return netlink.Message{
		Header: netlink.Header{
			Type:  netlink.HeaderType(netfilter.NFSubsysCTNetlink)<<8 | ipctnlMsgCTDelete,
			Flags: netlink.Request,
		},
		Data: data,
	}, nil
}
