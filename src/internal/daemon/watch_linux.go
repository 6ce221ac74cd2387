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
// so heal latency counts the time it waited behind a sweep too.
type stamped struct {
	u  netlink.NeighUpdate
	at time.Time
}

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
}

// Close releases the socket; it is safe to call more than once, and on nil
// (no subscription).
func (s *subscription) Close() {
	if s != nil {
		s.once.Do(func() { close(s.done) })
	}
}

// subscribe returns the neighbour/FDB messages, each stamped on arrival.
func (d *Daemon) subscribe() (*subscription, error) {
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
	go func() {
		defer close(out)
		for u := range ch {
			out <- stamped{u, time.Now()}
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
// changes it reveals; d.mu is held.
func (d *Daemon) apply(n netlink.Neigh, deleted bool) []heal.Change {
	nm, fm := toMsgs(n, deleted)
	if nm != nil {
		if c, ok := d.tracker.Neigh(*nm); ok {
			return []heal.Change{c}
		}
	}
	if fm != nil {
		return d.tracker.FDB(*fm)
	}
	return nil
}

// observe runs one neighbour or FDB message received at at through the
// tracker and repairs every change it reveals; it returns their number.
func (d *Daemon) observe(n netlink.Neigh, deleted bool, at time.Time) int {
	d.mu.Lock()
	changes := d.apply(n, deleted)
	d.mu.Unlock()
	for _, c := range changes {
		d.repair(c, at)
	}
	return len(changes)
}

func (d *Daemon) onUpdate(u netlink.NeighUpdate, at time.Time) {
	if d.observe(u.Neigh, u.Type == unix.RTM_DELNEIGH, at) > 0 {
		// The findings' counts changed with the repair: refresh them now
		// rather than at the next sweep, off the event path.
		d.refreshInBackground()
	}
}

// resync feeds a full dump of neighbours and the bridge FDB through the
// tracker; differences from what it remembers are changes it missed. A
// non-empty reason relabels them (reconcile at start). The dump streams;
// what is kept is the changes, at most one per tracked host and move.
// Main loop only (it schedules the next one in d.nextResync).
func (d *Daemon) resync(reason string) {
	at := time.Now()
	var changes []heal.Change
	d.mu.Lock()
	d.tracker.BeginResync()
	d.mu.Unlock()
	complete := map[int]bool{}
	for _, fam := range []int{unix.AF_INET, unix.AF_INET6, unix.AF_BRIDGE} {
		err := dumpNeighbours(fam, func(n netlink.Neigh) {
			d.mu.Lock()
			changes = append(changes, d.apply(n, false)...)
			d.mu.Unlock()
		})
		switch {
		case err == nil:
			complete[fam] = true
		case errors.Is(err, netlink.ErrDumpInterrupted):
			d.log.Debugf("%v; pruning waits for the next resync", err)
		default:
			d.log.Warnf("%v", err)
		}
	}
	// What the kernel no longer has is forgotten (bounded memory after a
	// flood, deletes missed in an overrun).
	d.mu.Lock()
	d.tracker.EndResync(complete[unix.AF_INET] && complete[unix.AF_INET6], complete[unix.AF_BRIDGE])
	d.mu.Unlock()
	d.nextResync = nextResync(at, len(complete) == 3)
	for _, c := range changes {
		if reason != "" {
			c.Reason = reason
		}
		d.repair(c, at)
	}
}

// repairFailed handles neighbours that are FAILED at start: offloaded
// flows towards a host that no longer answers ARP/ND are being sent to a
// MAC nobody has; deleting them lets the next packet resolve afresh.
func (d *Daemon) repairFailed() {
	d.mu.Lock()
	failed := d.tracker.FailedHosts()
	d.mu.Unlock()
	for _, h := range failed {
		d.repair(heal.Change{Reason: heal.ReasonFailed, LinkIndex: h.LinkIndex, IP: h.IP, OldMAC: h.MAC}, time.Now())
	}
}
