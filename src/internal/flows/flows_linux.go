//go:build linux

// Package flows deletes a host's offloaded conntrack entries through
// ctnetlink. The daemon's repairs and the one-shot flush share it.
package flows

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"syscall"
	"time"

	"github.com/ti-mo/conntrack"

	"github.com/netfix/netfix/src/internal/heal"
	"github.com/netfix/netfix/src/internal/probe"
	"github.com/netfix/netfix/src/internal/status"
)

// Table is a conntrack netlink connection for deletes. Not safe for
// concurrent use.
type Table struct {
	ct *conntrack.Conn
	// offloaded selects the entries the flowtable owns
	// (probe.OffloadFilter); a kernel test widens it, since the host
	// kernel cannot offload.
	offloaded probe.CTFilter
}

// Open dials ctnetlink in the current network namespace.
func Open() (*Table, error) {
	ct, err := conntrack.Dial(nil)
	if err != nil {
		return nil, fmt.Errorf("open conntrack netlink: %w (load it: modprobe nf_conntrack_netlink)", err)
	}
	return &Table{ct: ct, offloaded: probe.OffloadFilter()}, nil
}

// Close releases the socket.
func (t *Table) Close() error { return t.ct.Close() }

// Pass is the outcome of one pass over a host's offloaded entries.
type Pass struct {
	// Matched counts the offloaded entries involving the host that the
	// pass saw (it stops at the first one when allow refuses).
	Matched int
	// Deleted counts the entries deleted; in dry run, those that would be.
	Deleted int
	// Refused: allow said no at the first match, nothing was deleted.
	Refused bool
}

// errRefused stops the dump when allow refuses.
var errRefused = errors.New("refused")

// DeleteOffloaded streams the offloaded entries once and deletes those
// involving ip as they come, on the Table's own socket (conntrack -D
// does the same), so nothing of the table is kept: memory does not grow
// with the table or with the host's number of flows.
//
// Each delete names the entry by both tuples and its ID, so an entry
// replaced since the kernel sent it is left alone. An entry that died on
// its own meanwhile (ENOENT) is neither an error nor counted.
//
// allow, if not nil, is asked once, at the first matching entry: when it
// says no the pass stops with Refused and deletes nothing. In dry run the
// entries are counted, not deleted.
//
// The error is the dump's, or else the first failed delete (the pass goes
// on after a failed delete); Pass says what was done either way.
func (t *Table) DeleteOffloaded(ip netip.Addr, dryRun bool, allow func() bool) (Pass, error) {
	ip = ip.Unmap()
	var p Pass
	var delErr error
	// The kernel sends only the host's offloaded entries (IPv4; IPv6 is
	// filtered here, see probe.CTFilter).
	filter := t.offloaded
	filter.Addr, filter.AddrField = ip, probe.AnyAddress
	_, err := probe.StreamConntrack(context.Background(), filter, func(f *conntrack.Flow) error {
		if !heal.Involves(f, ip) { // the stream's guarantee, checked where it matters
			return nil
		}
		p.Matched++
		if p.Matched == 1 && allow != nil && !allow() {
			p.Refused = true
			return errRefused
		}
		if dryRun {
			p.Deleted++
			return nil
		}
		err := t.ct.Delete(heal.DeleteKey(*f))
		switch {
		case err == nil:
			p.Deleted++
		case errors.Is(err, syscall.ENOENT):
		case delErr == nil:
			delErr = fmt.Errorf("delete conntrack entry %s -> %s: %w", f.TupleOrig.IP.SourceAddress, f.TupleOrig.IP.DestinationAddress, err)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errRefused) {
		return p, fmt.Errorf("dump conntrack table: %w", err)
	}
	return p, delErr
}

// Flush deletes (or, in dry run, counts) ip's offloaded entries now and
// describes it as a manual repair event. A failed delete is in the event's
// Error; a failed dump is an error unless something was deleted already.
func (t *Table) Flush(ip netip.Addr, dryRun bool) (status.Event, error) {
	start := time.Now()
	ip = ip.Unmap()
	p, err := t.DeleteOffloaded(ip, dryRun, nil)
	if err != nil && p.Matched == 0 {
		return status.Event{}, err
	}
	ev := status.Event{Time: start.UTC(), IP: ip.String(), Reason: heal.ReasonManual, DryRun: dryRun, FlowsDeleted: p.Deleted}
	if err != nil {
		ev.Error = err.Error()
	}
	ev.LatencyUS = time.Since(start).Microseconds()
	return ev, nil
}
