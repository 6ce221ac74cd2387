//go:build linux

package flows

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"sync/atomic"
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
//
// The batches go out from a goroutine of their own: the kernel deletes the
// entries of one batch inside its sendmsg while the dump's reader has it
// fill the next datagram of the walk, on another core where there is one
// (on one core nothing changes). At most one full batch waits while
// another is sent.
type deleter struct {
	c     *netlink.Conn
	cur   batch      // being filled by add
	queue chan batch // to send
	done  chan struct{}
	// stopped is set when a sendmsg failed: add stops the pass.
	stopped atomic.Bool
	addErr  error // the first entry add refused

	// The sender's; read only after wait.
	buf     []byte
	deleted int
	err     error // the first failed delete
	sendErr error // the first failed sendmsg
}

// batch is up to deleteBatch requests and their entries' addresses (for
// an error message).
type batch struct {
	msgs []netlink.Message
	who  [][2]netip.Addr
}

// errStopped stops a pass whose deletes can no longer be sent.
var errStopped = errors.New("conntrack deletes failed")

func newDeleter(c *netlink.Conn) *deleter {
	d := &deleter{c: c, queue: make(chan batch, 1), done: make(chan struct{}), buf: make([]byte, 64<<10)}
	go d.sender()
	return d
}

// add queues the delete of the entry the kernel described with e and
// attrs; a full batch goes to the sender.
func (d *deleter) add(e *ctusage.Entry, attrs []byte) error {
	if d.stopped.Load() {
		return errStopped
	}
	m, err := deleteRequest(e, attrs)
	if err != nil {
		// Not deleted; the pass goes on with the other entries.
		if d.addErr == nil {
			d.addErr = err
		}
		return nil
	}
	d.cur.msgs = append(d.cur.msgs, m)
	d.cur.who = append(d.cur.who, [2]netip.Addr{e.OrigSrc, e.OrigDst})
	if len(d.cur.msgs) >= deleteBatch {
		d.queue <- d.cur
		d.cur = batch{}
	}
	return nil
}

// wait sends the last batch and returns when every batch is done; the
// error is a failed sendmsg's. deleted and failed are final after it.
// Call it once.
func (d *deleter) wait() error {
	if len(d.cur.msgs) > 0 {
		d.queue <- d.cur
		d.cur = batch{}
	}
	close(d.queue)
	<-d.done
	return d.sendErr
}

// failed returns the first entry that could not be deleted (nil: none).
func (d *deleter) failed() error {
	if d.addErr != nil {
		return d.addErr
	}
	return d.err
}

func (d *deleter) sender() {
	defer close(d.done)
	for b := range d.queue {
		if d.sendErr != nil {
			continue // a sendmsg failed: the rest is not sent
		}
		if err := d.send(b); err != nil {
			d.sendErr = err
			d.stopped.Store(true)
		}
	}
}

// send sends b's requests in one sendmsg and reads the errors the kernel
// queued while handling them. An entry gone meanwhile (ENOENT) is neither
// deleted nor an error.
func (d *deleter) send(b batch) error {
	sent, err := d.c.SendMessages(b.msgs)
	if err != nil {
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
			if errno == syscall.ENOENT || d.err != nil || i < 0 || i >= len(b.who) {
				continue
			}
			d.err = fmt.Errorf("delete conntrack entry %s -> %s: %w", b.who[i][0], b.who[i][1], errno)
		}
	}
	d.deleted += len(b.msgs) - failed
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
