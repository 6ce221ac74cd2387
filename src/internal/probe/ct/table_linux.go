//go:build linux

package ct

import (
	"bufio"
	"bytes"
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ti-mo/conntrack"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netfix/netfix/src/internal/ctusage"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe/nlsock"
	"github.com/netfix/netfix/src/internal/rootfs"
)

// sysctlDir holds the conntrack sysctls of the current network namespace.
const sysctlDir = "/proc/sys/net/netfilter"

// ReadCTTable reads the cheap part of the S2 facts: the sysctls, the
// kernel's statistics and the memory size. It never dumps the table.
func ReadCTTable(conn *conntrack.Conn) (facts.CTTable, error) {
	t := facts.CTTable{Timeouts: ReadCTTimeouts()}
	t.Buckets = uint32(readUint(filepath.Join(sysctlDir, "nf_conntrack_buckets")))
	t.MemTotal = readMemTotal("/proc/meminfo")
	st, err := ReadCTStats(conn)
	if err != nil {
		return t, err
	}
	t.Stats = st
	return t, nil
}

// ReadCTTimeouts reads the timeouts in effect in this namespace.
func ReadCTTimeouts() facts.CTTimeouts {
	var to facts.CTTimeouts
	est, err := nlsock.ReadUint(filepath.Join(sysctlDir, "nf_conntrack_tcp_timeout_established"))
	if err != nil {
		return to
	}
	to.Read = true
	to.Established = uint32(est)
	to.UDP = uint32(readUint(filepath.Join(sysctlDir, "nf_conntrack_udp_timeout")))
	to.UDPStream = uint32(readUint(filepath.Join(sysctlDir, "nf_conntrack_udp_timeout_stream")))
	to.Loose = readUint(filepath.Join(sysctlDir, "nf_conntrack_tcp_loose")) != 0
	to.Acct = readUint(filepath.Join(sysctlDir, "nf_conntrack_acct")) != 0
	return to
}

// ReadCTStats sums the kernel's per-CPU conntrack statistics, those of
// `conntrack -S`. Where the kernel has /proc/net/stat/nf_conntrack
// (CONFIG_NF_CONNTRACK_PROCFS: OpenWrt and Debian build it) they come from
// there: one read of the same per-CPU counters ctnetlink reports, with
// clash_resolve and chaintoolong, which ti-mo's decoder lacks. The daemon
// reads them every sweep, and the per-CPU ctnetlink dump cost about a
// tenth of an idle sweep. Otherwise they come over ctnetlink, without
// those two (Extended false).
func ReadCTStats(conn *conntrack.Conn) (facts.CTStats, error) {
	// thread-self: /proc/net is the namespace of the process's first
	// thread, and a probe may run on a thread that entered another one.
	if b, err := os.ReadFile("/proc/thread-self/net/stat/nf_conntrack"); err == nil {
		cols, _, _ := procStatColumns(b)
		if s, ok := ctStatsOf(cols); ok {
			return s, nil
		}
	}
	cpus, err := conn.Stats()
	if err != nil {
		return facts.CTStats{}, nlsock.Classify("read conntrack statistics per CPU", err, nlsock.ErrConntrackMissing)
	}
	return sumCTStats(cpus), nil
}

// sumCTStats adds up ctnetlink's per-CPU statistics.
func sumCTStats(cpus []conntrack.Stats) facts.CTStats {
	var s facts.CTStats
	for _, c := range cpus {
		s.Found += uint64(c.Found)
		s.Invalid += uint64(c.Invalid)
		s.InsertFailed += uint64(c.InsertFailed)
		s.Drop += uint64(c.Drop)
		s.EarlyDrop += uint64(c.EarlyDrop)
		s.Error += uint64(c.Error)
		s.SearchRestart += uint64(c.SearchRestart)
	}
	return s
}

// ctStatsOf takes the statistics from the summed columns of
// /proc/net/stat/nf_conntrack; false when a counter ctnetlink reports is
// missing from them. The kernel labels chaintoolong "chainlength" in the
// header (ct_cpu_seq_show); icmp_error is ctnetlink's "error".
func ctStatsOf(cols map[string]uint64) (facts.CTStats, bool) {
	var s facts.CTStats
	for _, c := range []struct {
		name string
		v    *uint64
	}{{"found", &s.Found}, {"invalid", &s.Invalid}, {"insert_failed", &s.InsertFailed}, {"drop", &s.Drop},
		{"early_drop", &s.EarlyDrop}, {"icmp_error", &s.Error}, {"search_restart", &s.SearchRestart}} {
		v, ok := cols[c.name]
		if !ok {
			return facts.CTStats{}, false
		}
		*c.v = v
	}
	clash, ok1 := cols["clashres"]
	chain, ok2 := cols["chainlength"]
	if !ok2 {
		chain, ok2 = cols["chaintoolong"]
	}
	s.ClashResolve, s.ChainTooLong = clash, chain
	s.Extended = ok1 || ok2
	return s, true
}

// procStatColumns sums each named column of /proc/net/stat/nf_conntrack
// (a header line, then one line of hex values per CPU). The "entries"
// column is no per-CPU counter but the namespace's table size, repeated on
// every line: it is returned apart, from the first line, with ok false
// when there is none.
func procStatColumns(b []byte) (cols map[string]uint64, entries uint64, ok bool) {
	cols = map[string]uint64{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	if !sc.Scan() {
		return cols, 0, false
	}
	names := strings.Fields(sc.Text())
	for line := 0; sc.Scan(); line++ {
		for i, f := range strings.Fields(sc.Text()) {
			if i >= len(names) {
				break
			}
			v, err := strconv.ParseUint(f, 16, 64)
			switch {
			case err != nil:
			case names[i] != "entries":
				cols[names[i]] += v
			case line == 0:
				entries, ok = v, true
			}
		}
	}
	return cols, entries, ok
}

// EntryOf copies what the breakdown needs out of a flow.
func EntryOf(f *conntrack.Flow) ctusage.Entry {
	e := ctusage.Entry{
		Proto:       f.TupleOrig.Proto.Protocol,
		OrigSrc:     f.TupleOrig.IP.SourceAddress,
		OrigDst:     f.TupleOrig.IP.DestinationAddress,
		ReplySrc:    f.TupleReply.IP.SourceAddress,
		ReplyDst:    f.TupleReply.IP.DestinationAddress,
		Mark:        f.Mark,
		OrigDstPort: f.TupleOrig.Proto.DestinationPort,
		Timeout:     f.Timeout,
		DstNAT:      f.Status.DstNAT(),
		Status:      uint32(f.Status),
	}
	if f.ProtoInfo.TCP != nil {
		e.TCPState = f.ProtoInfo.TCP.State
	}
	return e
}

// ReadCTUsage streams the whole table through the breakdown; memory stays
// flat whatever the table's size. reclaimIdle > 0 also counts the entries
// a reclaim with that idle time could free. root prefixes the name files.
func ReadCTUsage(ctx context.Context, root string, established, reclaimIdle uint32) (facts.CTUsage, int, error) {
	return readCTUsage(ctx, root, established, reclaimIdle, nil, 0)
}

// ReadCTUsageCounting is ReadCTUsage without reclaim counts that also
// counts the offloaded entries (OffloadFilter's status) into count's
// offload counts, so one walk gives the breakdown and those counts
// (count.Offloaded and count.HWOffloaded; the caller sets the rest).
func ReadCTUsageCounting(ctx context.Context, root string, established uint32, count *facts.Conntrack) (facts.CTUsage, error) {
	u, _, err := readCTUsage(ctx, root, established, 0, count, OffloadFilter().Status)
	return u, err
}

// readCTUsage is ReadCTUsage that also counts the entries with the status
// bits offload into count's offload counts (if count is not nil), so one
// walk gives the breakdown and those counts.
func readCTUsage(ctx context.Context, root string, established, reclaimIdle uint32, count *facts.Conntrack, offload conntrack.Status) (facts.CTUsage, int, error) {
	acc := ctusage.NewAccumulator(established, reclaimIdle)
	_, err := StreamConntrackRaw(ctx, 0, func(payload []byte) error {
		e, err := ctusage.DecodeEntry(payload)
		if err != nil {
			return err
		}
		acc.Add(e)
		if count != nil {
			countOffload(count, offload, e.Status)
		}
		return nil
	})
	if err != nil {
		return facts.CTUsage{}, 0, nlsock.Classify("dump conntrack table", err, nlsock.ErrConntrackMissing)
	}
	names := ReadNames(root)
	return acc.Usage(names.Of), acc.Reclaimable(), nil
}

// maxNamesFile bounds dhcp.leases and /etc/ethers. A lease line
// (`expiry mac ip name client-id`) is about 85 bytes, so 8192 leases
// (heal.MaxHosts) are about 0.7 MB; 2 MiB leaves 256 bytes a lease for
// long names and client ids. A bigger file is not read: names are only
// labels, and the daemon reads these files at each table breakdown.
const maxNamesFile = 2 << 20

// ReadNames reads the LAN host names dnsmasq and /etc/ethers know, and
// learns the MACs of the neighbour table so /etc/ethers names hosts without
// a lease. Missing files are no error: most hosts have neither. The files
// are read inside root (rootfs): a FIFO, a device or a link out of root
// names nobody.
func ReadNames(root string) *ctusage.Names {
	leases, _ := rootfs.ReadFile(root, "tmp/dhcp.leases", maxNamesFile)
	ethers, _ := rootfs.ReadFile(root, "etc/ethers", maxNamesFile)
	n := ctusage.ParseNames(string(leases), string(ethers))
	if len(ethers) == 0 {
		return n
	}
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return n
	}
	defer h.Close()
	for _, fam := range []int{unix.AF_INET, unix.AF_INET6} {
		ns, err := h.NeighList(0, fam)
		if err != nil {
			continue
		}
		for _, nb := range ns {
			if a, ok := netip.AddrFromSlice(nb.IP); ok && len(nb.HardwareAddr) == 6 {
				n.Learn(a.Unmap(), nb.HardwareAddr.String())
			}
		}
	}
	return n
}

func readUint(path string) uint64 {
	v, _ := nlsock.ReadUint(path)
	return v
}

// readMemTotal returns MemTotal of /proc/meminfo in bytes (0 if unknown).
func readMemTotal(path string) uint64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseUint(f[1], 10, 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}
