//go:build linux

package probe

import (
	"context"

	"github.com/ti-mo/conntrack"
	"github.com/ti-mo/netfilter"

	"github.com/netfix/netfix/src/internal/facts"
)

// OffloadFilter selects the entries the flowtable owns: status [OFFLOAD]
// (every [HW_OFFLOAD] entry has that bit too). On Linux 5.15+ the kernel
// applies it, so only offloaded entries cross netlink.
//
// A benchmark build (go build -tags netfixbench, see benchswitch_on.go)
// selects every entry instead, to measure the worst case (a router where
// fw4 offloads every flow) on a kernel without a flowtable.
func OffloadFilter() CTFilter {
	if benchMatchEveryEntry {
		return CTFilter{}
	}
	return CTFilter{Status: conntrack.StatusOffload}
}

// ReadConntrack counts the table and its offload bits over ctnetlink.
//
// The counts come from streamed dumps of the offloaded entries: the
// daemon re-reads this every sweep, so memory must not grow with the table
// (a 250k-entry table held in memory cost 389 MB) and CPU as little as the
// kernel allows.
func ReadConntrack(conn *conntrack.Conn) (facts.Conntrack, error) {
	ct := facts.Conntrack{}
	g, err := conn.StatsGlobal()
	if err != nil {
		return ct, classify("read conntrack statistics", err, ErrConntrackMissing)
	}
	ct.Entries, ct.Max = g.Entries, g.MaxEntries

	// One walk of the table (about 0.17 s of kernel time at 220k
	// entries, whatever it returns): the kernel sends the offloaded
	// entries, and each is counted from its status attribute alone,
	// read with the netlink library's attribute decoder; decoding every
	// entry into a conntrack.Flow would cost more than the kernel's dump.
	// The status is checked here too, for kernels that ignore the filter.
	filter := OffloadFilter()
	off, err := streamRawFiltered(context.Background(), filter, func(payload []byte) error {
		if st, ok := statusOf(payload); ok {
			tallyOffload(&ct, uint32(st), uint32(filter.Status))
		}
		return nil
	})
	if err != nil {
		return ct, classify("dump conntrack table", err, ErrConntrackMissing)
	}
	ct.Dumped = off.Messages
	if off.KernelFiltered {
		// The kernel sent the offloaded entries only; the table size is
		// its own count.
		ct.Dumped = int(ct.Entries)
	}
	ct.Available = true
	return ct, nil
}

// statusOf reads CTA_STATUS from a dump message's payload (the nfgenmsg
// header, then the entry's attributes).
func statusOf(payload []byte) (conntrack.Status, bool) {
	if len(payload) < 4 {
		return 0, false
	}
	ad, err := netfilter.NewAttributeDecoder(payload[4:])
	if err != nil {
		return 0, false
	}
	for ad.Next() {
		if ad.Type() == ctaStatus {
			return conntrack.Status(ad.Uint32()), ad.Err() == nil
		}
	}
	return 0, false
}
