//go:build linux

// This file reads the pulse: the few values the daemon looks at between
// its full probes, to tell whether one is due before its time.

package ct

import (
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe/nlsock"
)

// Pulse is what a sweep reads when the last full probe is recent: the
// conntrack table's size and refusal counters, which the daemon's own
// actions depend on. On an idle router a full probe every sweep was most
// of the daemon's CPU.
type Pulse struct {
	// Conntrack holds Entries and Max; CTErr is why they are missing.
	Conntrack facts.Conntrack
	CTErr     error
	// Stats are the per-CPU counters summed; StatsErr is why they are
	// missing.
	Stats    facts.CTStats
	StatsErr error
}

// statFile is the kernel's per-CPU conntrack statistics of the current
// thread's namespace (CONFIG_NF_CONNTRACK_PROCFS).
const statFile = "/proc/thread-self/net/stat/nf_conntrack"

// ReadPulse reads the pulse; knownMax is the table's maximum as the
// caller's last full probe read it (0: read it here). Where the kernel has
// statFile (OpenWrt's and Debian's do) the pulse is one pread of it,
// through a descriptor socks keeps open: the table's size is its
// "entries" column. On the test VM, whose host makes an idle guest pay
// for every page and kernel path it touches again, a netlink request's
// code path or a path lookup costs 1-7 ms of CPU 30 s after the last
// sweep; the three requests of before cost 7-21 ms. Otherwise it asks
// ctnetlink through socks (nil: sockets of its own). A changed
// nf_conntrack_max reaches the daemon with its next full probe.
func ReadPulse(socks *nlsock.Sockets, knownMax uint32) Pulse {
	k := socks.Take()
	defer k.Done()
	if p, ok := readPulseProc(k, knownMax); ok {
		return p
	}
	var p Pulse
	ctc, err := k.Conntrack()
	if err != nil {
		p.CTErr = nlsock.Classify("open conntrack netlink socket", err, nlsock.ErrConntrackMissing)
		p.StatsErr = p.CTErr
		return p
	}
	if p.Conntrack, p.CTErr = ReadSize(ctc); p.CTErr != nil {
		k.Fail()
	}
	if p.Stats, p.StatsErr = ReadCTStats(ctc); p.StatsErr != nil {
		k.Fail()
	}
	return p
}

// readPulseProc reads the pulse from statFile; false when the kernel lacks
// it or a column of it, or has more CPUs than the buffer holds lines (the
// caller asks ctnetlink then). The buffer holds the header and 24 CPUs'
// lines; routers have 1-8.
//
// The descriptor is kept with k (nlsock.Sockets.ProcFile).
func readPulseProc(k *nlsock.Sockets, knownMax uint32) (Pulse, bool) {
	fd, err := k.ProcFile(statFile)
	if err != nil {
		return Pulse{}, false
	}
	var buf [4096]byte
	n, err := unix.Pread(fd, buf[:], 0)
	if err != nil || n == len(buf) {
		k.CloseProcFile() // conntrack unloaded, or a machine with many CPUs
		return Pulse{}, false
	}
	cols, entries, ok := procStatColumns(buf[:n])
	if !ok {
		return Pulse{}, false
	}
	st, ok := ctStatsOf(cols)
	if !ok {
		return Pulse{}, false
	}
	p := Pulse{Conntrack: facts.Conntrack{Entries: uint32(entries), Max: knownMax}, Stats: st}
	if knownMax == 0 {
		max, err := nlsock.ReadUint(filepath.Join(sysctlDir, "nf_conntrack_max"))
		if err != nil {
			return Pulse{}, false
		}
		p.Conntrack.Max = uint32(max)
	}
	return p, true
}
