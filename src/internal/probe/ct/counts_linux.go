//go:build linux

package ct

import (
	"context"

	"github.com/ti-mo/conntrack"

	"github.com/netfix/netfix/src/internal/ctusage"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe/nlsock"
)

// OffloadFilter selects the entries the flowtable owns: status [OFFLOAD]
// (every [HW_OFFLOAD] entry has that bit too). On Linux 5.15+ the kernel
// applies it, so only offloaded entries cross netlink.
func OffloadFilter() CTFilter {
	if benchEveryEntry {
		return CTFilter{}
	}
	return CTFilter{Status: conntrack.StatusOffload}
}

// benchEveryEntry is set by BenchmarkEveryEntry only.
var benchEveryEntry bool

// BenchmarkEveryEntry makes OffloadFilter select every conntrack entry of
// the process's namespace from now on: counted as offloaded, listed, and
// deleted by a flush, offloaded or not. It is the worst case of a router
// (fw4 offloads every flow) on a kernel without a flowtable.
//
// BENCHMARK PROGRAMS ONLY: src/cmd/netfixbench calls it before it runs
// netfix's commands in a throwaway namespace (make bench). netfix's own
// commands never call it, so the netfix binary does not contain it. Call
// it before any goroutine reads the filter.
func BenchmarkEveryEntry() { benchEveryEntry = true }

// ReadSize reads the table's count and maximum: one netlink request,
// whatever the table's size.
func ReadSize(conn *conntrack.Conn) (facts.Conntrack, error) {
	ct := facts.Conntrack{}
	g, err := conn.StatsGlobal()
	if err != nil {
		return ct, nlsock.Classify("read conntrack statistics", err, nlsock.ErrConntrackMissing)
	}
	ct.Entries, ct.Max = g.Entries, g.MaxEntries
	return ct, nil
}

// CountOffloaded walks the table once for its offload counts and sets them
// in ct (Entries must be read already). It streams: the daemon re-reads
// this, so memory must not grow with the table (a 250k-entry table held in
// memory cost 389 MB) and CPU as little as the kernel allows.
//
// One walk of the table (about 0.17 s of kernel time at 220k entries,
// whatever it returns): the kernel sends the offloaded entries, and each is
// counted from its status attribute alone, read with the netlink library's
// attribute decoder; decoding every entry into a conntrack.Flow would cost
// more than the kernel's dump. The status is checked here too, for kernels
// that ignore the filter.
func CountOffloaded(ct *facts.Conntrack) error {
	filter := OffloadFilter()
	ct.Offloaded, ct.HWOffloaded = 0, 0
	off, err := streamRawFiltered(context.Background(), filter, func(payload []byte) error {
		if st, ok := statusOf(payload); ok {
			countOffload(ct, filter.Status, uint32(st))
		}
		return nil
	})
	if err != nil {
		return nlsock.Classify("dump conntrack table", err, nlsock.ErrConntrackMissing)
	}
	ct.Dumped = off.Messages
	if off.KernelFiltered {
		// The kernel sent the offloaded entries only; the table size is
		// its own count.
		ct.Dumped = int(ct.Entries)
	}
	ct.OffloadCountedAt, ct.Available = nil, true
	return nil
}

// countOffload adds an entry's status word st to ct's offload counts when
// it has every bit of want (OffloadFilter's status). The filtered walk above
// feeds it, or the S2 breakdown's full walk when a check dumps the table
// anyway (one walk instead of two).
func countOffload(ct *facts.Conntrack, want conntrack.Status, st uint32) {
	if st&uint32(want) != uint32(want) {
		return
	}
	ct.Offloaded++
	if st&facts.StatusHWOffload != 0 {
		ct.HWOffloaded++
	}
}

// statusOf reads CTA_STATUS from a dump message's payload (the nfgenmsg
// header, then the entry's attributes), allocation-free: the walk reads it
// from every entry of the table.
func statusOf(payload []byte) (conntrack.Status, bool) {
	st, ok := ctusage.Status(payload)
	return conntrack.Status(st), ok
}
