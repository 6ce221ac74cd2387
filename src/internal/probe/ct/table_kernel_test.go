//go:build linux && kernel

package ct

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mdlayher/netlink"
	"github.com/ti-mo/conntrack"
	"github.com/vishvananda/netns"

	"github.com/netfix/netfix/src/internal/ctusage"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/netnstest"
)

// tcpEstablished creates ESTABLISHED TCP entries from src, each with the
// given seconds left, in the namespace c talks to.
func tcpEstablished(t *testing.T, c *conntrack.Conn, src string, n int, timeout uint32, firstPort uint16) {
	t.Helper()
	for i := 0; i < n; i++ {
		dst := netip.AddrFrom4([4]byte{198, 51, 100, byte(i + 1)})
		f := conntrack.NewFlow(6, conntrack.StatusConfirmed|conntrack.StatusAssured|conntrack.StatusSeenReply,
			netip.MustParseAddr(src), dst, firstPort+uint16(i), 6881, timeout, 0)
		f.ProtoInfo.TCP = &conntrack.ProtoInfoTCP{State: 3}
		if err := c.Create(f); err != nil {
			t.Fatalf("create ESTABLISHED entry %d of %s: %v", i, src, err)
		}
	}
}

// TestReadCTUsageKernel: the probe reads real entries, their TCP states,
// the timeouts of the namespace and the kernel's statistics, and derives
// idle times and host names from them.
func TestReadCTUsageKernel(t *testing.T) {
	ns := netnstest.New(t, "s2ct")
	ns.Run("sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_timeout_established=7440")
	h, err := netns.GetFromPath(ns.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	c, err := conntrack.Dial(&netlink.Config{NetNS: int(h)})
	if err != nil {
		netnstest.Skip(t, netnstest.Kernel, "needs conntrack netlink (modprobe nf_conntrack_netlink): %v", err)
	}
	defer c.Close()
	// bt-box: 30 entries silent for 4000 s, 10 that moved 40 s ago.
	tcpEstablished(t, c, "10.0.0.50", 30, 7440-4000, 20000)
	tcpEstablished(t, c, "10.0.0.50", 10, 7440-40, 30000)
	// A UDP-only host.
	for i := 0; i < 5; i++ {
		f := conntrack.NewFlow(17, 0, netip.MustParseAddr("10.0.0.60"), netip.MustParseAddr("192.0.2.1"), uint16(5000+i), 53, 30, 0)
		if err := c.Create(f); err != nil {
			t.Fatal(err)
		}
	}
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	leases := "1764600000 02:00:00:00:00:50 10.0.0.50 bt-box 01:02:00:00:00:00:50\n"
	if err := os.WriteFile(filepath.Join(root, "tmp", "dhcp.leases"), []byte(leases), 0o644); err != nil {
		t.Fatal(err)
	}

	var tab facts.CTTable
	var u facts.CTUsage
	var reclaimable int
	ns.Do(func() {
		tab, err = ReadCTTable(c)
		if err != nil {
			t.Fatalf("ReadCTTable: %v", err)
		}
		u, reclaimable, err = ReadCTUsage(context.Background(), root, tab.Timeouts.Established, 3600)
		if err != nil {
			t.Fatalf("ReadCTUsage: %v", err)
		}
	})
	if !tab.Timeouts.Read || tab.Timeouts.Established != 7440 {
		t.Errorf("timeouts = %+v, want established 7440 read from the namespace", tab.Timeouts)
	}
	if tab.Buckets == 0 || tab.MemTotal == 0 {
		t.Errorf("buckets %d, memtotal %d: want both read", tab.Buckets, tab.MemTotal)
	}
	if u.Dumped != 45 || u.Established != 40 || u.HostsTotal != 2 {
		t.Fatalf("dumped %d, established %d, hosts %d; want 45, 40, 2", u.Dumped, u.Established, u.HostsTotal)
	}
	top := u.Hosts[0]
	if top.Addr != "10.0.0.50" || top.Name != "bt-box" || top.Entries != 40 {
		t.Errorf("top host = %+v, want bt-box (10.0.0.50) with 40 entries", top)
	}
	// Bucket 3 is 1 h - 2 h 4 min, bucket 0 under a minute.
	if top.Idle[3] != 30 || top.Idle[0] != 10 {
		t.Errorf("idle histogram of the top host = %v, want 30 in [3600,7440) and 10 under 60 s", top.Idle)
	}
	if reclaimable != 30 {
		t.Errorf("reclaimable at 3600 s = %d, want 30", reclaimable)
	}
	if len(u.TCPStates) != 1 || u.TCPStates[0] != (facts.CTCount{Key: "ESTABLISHED", Count: 40}) {
		t.Errorf("TCP states = %v", u.TCPStates)
	}
	if u.Ports[0] != (facts.CTCount{Key: "tcp/6881", Count: 40}) {
		t.Errorf("ports = %v", u.Ports)
	}

	// The breakdown's own decoder reads what ti-mo/conntrack reads.
	var viaFlow, viaRaw []string
	ns.Do(func() {
		if _, err := StreamConntrack(context.Background(), CTFilter{}, func(f *conntrack.Flow) error {
			viaFlow = append(viaFlow, fmt.Sprintf("%+v", EntryOf(f)))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := StreamConntrackRaw(context.Background(), 0, func(p []byte) error {
			e, err := ctusage.DecodeEntry(p)
			viaRaw = append(viaRaw, fmt.Sprintf("%+v", e))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	})
	sort.Strings(viaFlow)
	sort.Strings(viaRaw)
	if diff := cmp.Diff(viaFlow, viaRaw); diff != "" || len(viaRaw) != 45 {
		t.Errorf("DecodeEntry differs from ti-mo's decoding (-ti-mo +DecodeEntry):\n%s", diff)
	}
}
