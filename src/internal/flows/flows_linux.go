//go:build linux

// Package flows deletes a host's offloaded conntrack entries through
// ctnetlink. The daemon's repairs and the one-shot flush share it.
package flows

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/netfix/netfix/src/internal/ctusage"
	"github.com/netfix/netfix/src/internal/probe/ct"
	"github.com/netfix/netfix/src/internal/status"
)

// Table is a conntrack netlink connection for deletes. Not safe for
// concurrent use.
type Table struct {
	nl *netlink.Conn // deletes; the dumps open their own sockets
	// offloaded selects the entries the flowtable owns
	// (ct.OffloadFilter); a kernel test widens it, since the host
	// kernel cannot offload.
	offloaded ct.CTFilter
}

// Open dials ctnetlink in the current network namespace.
func Open() (*Table, error) {
	nl, err := netlink.Dial(unix.NETLINK_NETFILTER, nil)
	if err != nil {
		return nil, fmt.Errorf("open conntrack netlink: %w (load it: modprobe nf_conntrack_netlink)", err)
	}
	// Error messages carry the failed request's header only (its sequence
	// number is all a batch needs), not the whole request again.
	_ = nl.SetOption(netlink.CapAcknowledge, true)
	return &Table{nl: nl, offloaded: ct.OffloadFilter()}, nil
}

// Close releases the socket.
func (t *Table) Close() error { return t.nl.Close() }

// errRefused stops the dump when allow refuses.
var errRefused = errors.New("refused")

// DeleteOffloaded streams the offloaded entries of ip once (the kernel
// sends only those, see ct.CTFilter) and deletes them as they come, in
// batches on the Table's own socket (conntrack -D deletes during its dump
// the same way), so nothing of the table is kept: memory does not grow
// with the table or with the host's number of flows.
//
// Each delete names the entry by both tuples and its ID as the kernel sent
// them, so an entry replaced since is left alone. An entry that died on
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
	del := newDeleter(t.nl)
	filter := t.offloaded
	// Entries whose packets go to ip: two walks of the table in the
	// kernel (see ct.Endpoint), where matching all four addresses
	// took four.
	filter.Addr, filter.AddrField = ip, ct.Endpoint
	_, err := ct.StreamConntrackEntries(context.Background(), filter, func(e *ctusage.Entry, attrs []byte) error {
		if e.OrigSrc.Unmap() != ip && e.ReplySrc.Unmap() != ip { // the stream's guarantee, checked again where it matters
			return nil
		}
		p.Matched++
		if p.Matched == 1 && allow != nil && !allow() {
			p.Refused = true
			return errRefused
		}
		if dryRun {
			return nil
		}
		return del.add(e, attrs)
	})
	// Entries already matched are deleted even when the dump failed after
	// them: each request still names its entry by ID.
	serr := del.wait()
	switch {
	case p.Refused:
	case dryRun:
		p.Deleted = p.Matched
	default:
		p.Deleted = del.deleted
	}
	switch {
	case serr != nil:
		return p, serr
	case err != nil && !errors.Is(err, errRefused):
		return p, fmt.Errorf("dump conntrack table: %w", err)
	}
	return p, del.failed()
}

// Flush deletes (or, in dry run, counts) ip's offloaded entries now; see
// the package function Flush, shared with the daemon.
func (t *Table) Flush(ip netip.Addr, dryRun bool) (status.Event, error) {
	return Flush(t, ip, dryRun)
}
