//go:build linux

// This file watches the kernel: the rtnetlink neighbour and bridge FDB
// subscription, the full-dump resync that covers what a subscription
// missed, and the translation of both into the tracker's messages.

package daemon

import (
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netfix/netfix/src/internal/heal"
)

// stamped is a netlink message with the time it was read from the socket,
// so heal latency counts the time it waited in the queue too.
type stamped struct {
	u  netlink.NeighUpdate
	at time.Time
}

func (m stamped) deleted() bool { return m.u.Type == unix.RTM_DELNEIGH }

// subscription is one rtnetlink neighbour/FDB subscription. Its socket
// stays open, joined to the group with its receive buffer, until Close:
// also after the kernel ended it with an overrun. So a subscription that
// died is closed before its replacement opens; otherwise every overrun
// leaks one socket that keeps pinning up to 2 x neighRcvBuf of kernel memory.
type subscription struct {
	// updates closes when the subscription dies (ENOBUFS after a burst).
	updates <-chan stamped
	done    chan struct{}
	once    sync.Once
	stamper sync.WaitGroup // the goroutine that stamps the messages
}

// Close releases the socket and returns once the goroutine that stamps the
// messages has; it is safe to call more than once, and on nil (no
// subscription).
func (s *subscription) Close() {
	if s != nil {
		s.once.Do(func() { close(s.done) })
		s.stamper.Wait()
	}
}

// subscribeNeighbours returns the neighbour/FDB messages, each stamped on
// arrival.
func (d *Daemon) subscribeNeighbours() (*subscription, error) {
	ch := make(chan netlink.NeighUpdate, 16)
	out := make(chan stamped, 4096)
	sub := &subscription{updates: out, done: make(chan struct{})}
	err := netlink.NeighSubscribeWithOptions(ch, sub.done, netlink.NeighSubscribeOptions{
		ErrorCallback: func(err error) {
			if !errors.Is(err, syscall.EAGAIN) {
				d.log.Warnf("neighbour subscription: %v", err)
			}
		},
		ReceiveBufferSize:      neighRcvBuf,
		ReceiveBufferForceSize: true,
	})
	if err != nil {
		sub.Close() // a socket opened before the failure goes too
		return nil, fmt.Errorf("subscribe to neighbour and FDB events: %w", err)
	}
	// The stamper ends with the subscription, not only when the library
	// closes ch: its socket read may outlive Close.
	sub.stamper.Add(1)
	go func() {
		defer sub.stamper.Done()
		defer close(out)
		for {
			select {
			case <-sub.done:
				return
			case u, ok := <-ch:
				if !ok {
					return
				}
				select {
				case out <- stamped{u, time.Now()}:
				case <-sub.done:
					return
				}
			}
		}
	}()
	return sub, nil
}

// dumpNeighbours streams the kernel's neighbour table of one family (the
// bridge FDB for AF_BRIDGE) to fn, one entry at a time as the datagrams
// arrive: a table of 100k entries never sits in memory whole. fn must not
// call into netlink (the dump holds its socket).
func dumpNeighbours(family int, fn func(netlink.Neigh)) error {
	req := nl.NewNetlinkRequest(unix.RTM_GETNEIGH, unix.NLM_F_DUMP)
	req.AddData(&netlink.Ndmsg{Family: uint8(family)})
	err := req.ExecuteIter(unix.NETLINK_ROUTE, unix.RTM_NEWNEIGH, func(m []byte) bool {
		n, err := netlink.NeighDeserialize(m)
		if err == nil && n.Family == family {
			fn(*n)
		}
		return true
	})
	if err != nil {
		// ErrDumpInterrupted (the table changed under the dump) still
		// delivered real entries, but not all: the caller prunes nothing.
		return fmt.Errorf("dump neighbours (family %d): %w", family, err)
	}
	return nil
}

// toMsgs converts a netlink neighbour into the tracker's plain messages.
func toMsgs(n netlink.Neigh, deleted bool) (*heal.NeighMsg, *heal.FDBMsg) {
	mac := ""
	if len(n.HardwareAddr) == 6 {
		mac = n.HardwareAddr.String()
	}
	switch n.Family {
	case unix.AF_BRIDGE:
		if n.MasterIndex == 0 || mac == "" {
			return nil, nil // the port's own (NTF_SELF) entries
		}
		return nil, &heal.FDBMsg{Deleted: deleted, Bridge: n.MasterIndex, Port: n.LinkIndex, MAC: mac, VLAN: n.Vlan}
	case unix.AF_INET, unix.AF_INET6:
		ip, ok := netip.AddrFromSlice(n.IP)
		if !ok || n.State&netlink.NUD_NOARP != 0 {
			return nil, nil
		}
		return &heal.NeighMsg{Deleted: deleted, LinkIndex: n.LinkIndex, IP: ip.Unmap(), MAC: mac, Failed: n.State&netlink.NUD_FAILED != 0}, nil
	}
	return nil, nil
}

// apply feeds one neighbour or FDB entry to the tracker and returns the
// changes it reveals.
func (e *eventsLoop) apply(n netlink.Neigh, deleted bool) []heal.Change {
	nm, fm := toMsgs(n, deleted)
	if nm != nil {
		if c, ok := e.tracker.Neigh(*nm); ok {
			return []heal.Change{c}
		}
	}
	if fm != nil {
		return e.tracker.FDB(*fm)
	}
	return nil
}

// observe runs one neighbour or FDB message received at at through the
// tracker and repairs every change it reveals; it returns their number.
func (e *eventsLoop) observe(n netlink.Neigh, deleted bool, at time.Time) int {
	changes := e.apply(n, deleted)
	e.tracked.Store(int64(e.tracker.Len()))
	for _, c := range changes {
		e.repair(c, at)
	}
	return len(changes)
}

// resync feeds a full dump of neighbours and the bridge FDB through the
// tracker; differences from what it remembers are changes it missed. A
// non-empty reason relabels them (reconcile at start). The dump streams;
// what is kept is the changes, at most one per tracked host and move.
func (e *eventsLoop) resync(reason string) {
	at := time.Now()
	var changes []heal.Change
	e.tracker.BeginResync()
	complete := map[int]bool{}
	for _, fam := range []int{unix.AF_INET, unix.AF_INET6, unix.AF_BRIDGE} {
		err := dumpNeighbours(fam, func(n netlink.Neigh) {
			changes = append(changes, e.apply(n, false)...)
		})
		switch {
		case err == nil:
			complete[fam] = true
		case errors.Is(err, netlink.ErrDumpInterrupted):
			e.log.Debugf("%v; pruning waits for the next resync", err)
		default:
			e.log.Warnf("%v", err)
		}
	}
	// What the kernel no longer has is forgotten (bounded memory after a
	// flood, deletes missed in an overrun).
	e.tracker.EndResync(complete[unix.AF_INET] && complete[unix.AF_INET6], complete[unix.AF_BRIDGE])
	e.tracked.Store(int64(e.tracker.Len()))
	e.nextResync = nextResync(at, len(complete) == 3)
	for _, c := range changes {
		if reason != "" {
			c.Reason = reason
		}
		e.repair(c, at)
	}
}

// repairFailed handles neighbours that are FAILED at start: offloaded
// flows towards a host that no longer answers ARP/ND are being sent to a
// MAC nobody has; deleting them lets the next packet resolve afresh.
func (e *eventsLoop) repairFailed() {
	for _, h := range e.tracker.FailedHosts() {
		e.repair(heal.Change{Reason: heal.ReasonFailed, LinkIndex: h.LinkIndex, IP: h.IP, OldMAC: h.MAC}, time.Now())
	}
}
