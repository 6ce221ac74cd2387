//go:build linux

// Package flows lists and deletes a host's offloaded conntrack entries
// through ctnetlink. The daemon's repairs and the one-shot flush share it.
package flows

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"

	"github.com/ti-mo/conntrack"

	"github.com/netfix/netfix/src/internal/heal"
	"github.com/netfix/netfix/src/internal/status"
)

// Table is a conntrack netlink connection. Not safe for concurrent use.
type Table struct {
	ct       *conntrack.Conn
	noFilter bool // kernel lacks CTA_FILTER on status (< 5.15): filter here
}

// Open dials ctnetlink in the current network namespace.
func Open() (*Table, error) {
	ct, err := conntrack.Dial(nil)
	if err != nil {
		return nil, fmt.Errorf("open conntrack netlink: %w (load it: modprobe nf_conntrack_netlink)", err)
	}
	return &Table{ct: ct}, nil
}

// Close releases the socket.
func (t *Table) Close() error { return t.ct.Close() }

// OffloadedOf returns the offloaded entries involving ip. The kernel
// filters on the status bit where it can (5.15+), so a large table costs
// one walk in the kernel and only offloaded entries cross netlink.
func (t *Table) OffloadedOf(ip netip.Addr) ([]conntrack.Flow, error) {
	var fl []conntrack.Flow
	var err error
	if !t.noFilter {
		fl, err = t.ct.DumpFilter(conntrack.NewFilter().Status(conntrack.StatusOffload), nil)
		if err != nil && (errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.EOPNOTSUPP)) {
			t.noFilter = true
		}
	}
	if t.noFilter {
		fl, err = t.ct.Dump(nil)
	}
	if err != nil {
		return nil, fmt.Errorf("dump conntrack table: %w", err)
	}
	return heal.Select(fl, ip), nil
}

// Delete deletes the given entries by tuple and ID, so an entry that was
// replaced since the dump is left alone. An entry that died on its own
// meanwhile (ENOENT) is neither an error nor counted.
func (t *Table) Delete(sel []conntrack.Flow) (int, error) {
	n := 0
	var firstErr error
	for _, f := range sel {
		err := t.ct.Delete(heal.DeleteKey(f))
		switch {
		case err == nil:
			n++
		case errors.Is(err, syscall.ENOENT):
		default:
			if firstErr == nil {
				firstErr = fmt.Errorf("delete conntrack entry %s -> %s: %w", f.TupleOrig.IP.SourceAddress, f.TupleOrig.IP.DestinationAddress, err)
			}
		}
	}
	return n, firstErr
}

// Flush deletes (or, in dry run, counts) ip's offloaded entries now; see
// the package function Flush, shared with the daemon.
func (t *Table) Flush(ip netip.Addr, dryRun bool) (status.Event, error) {
	return Flush(t, ip, dryRun)
}
