//go:build linux && kernel

package ctreclaim

import (
	"context"
	"net/netip"
	"testing"

	"github.com/mdlayher/netlink"
	"github.com/ti-mo/conntrack"
	"github.com/vishvananda/netns"

	"github.com/netfix/netfix/src/internal/netnstest"
)

// table fills a fresh namespace (established timeout 7440 s) with: 30
// entries of 10.0.0.50 silent 5000 s, 20 of it silent 7000 s, 10 of it that
// moved 10 s ago, 5 with more time left than 7440 s, a UDP tunnel and a
// TIME_WAIT entry.
func table(t *testing.T) (*netnstest.NS, *conntrack.Conn) {
	t.Helper()
	ns := netnstest.New(t, "s2free")
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
	t.Cleanup(func() { c.Close() })
	port := uint16(10000)
	add := func(proto uint8, state uint8, src string, n int, timeout uint32) {
		for i := 0; i < n; i++ {
			port++
			f := conntrack.NewFlow(proto, conntrack.StatusConfirmed|conntrack.StatusAssured|conntrack.StatusSeenReply,
				netip.MustParseAddr(src), netip.MustParseAddr("198.51.100.7"), port, 6881, timeout, 0)
			if proto == 6 {
				f.ProtoInfo.TCP = &conntrack.ProtoInfoTCP{State: state}
			}
			if err := c.Create(f); err != nil {
				t.Fatalf("create entry: %v", err)
			}
		}
	}
	add(6, 3, "10.0.0.50", 30, 7440-5000)
	add(6, 3, "10.0.0.50", 20, 7440-7000)
	add(6, 3, "10.0.0.50", 10, 7440-10)
	add(6, 3, "10.0.0.51", 5, 100000)
	add(17, 0, "10.0.0.52", 1, 170)
	add(6, 7, "10.0.0.53", 1, 100)
	return ns, c
}

func count(t *testing.T, c *conntrack.Conn) (total, established int) {
	t.Helper()
	fl, err := c.Dump(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fl {
		if f.ProtoInfo.TCP != nil && f.ProtoInfo.TCP.State == 3 {
			established++
		}
	}
	return len(fl), established
}

func TestFreeKernel(t *testing.T) {
	tests := []struct {
		name            string
		opts            Options
		deleted, capped int
		total, estab    int
		minThreshold    uint32
		hosts           []HostCount
	}{
		{
			name:    "dry run counts and deletes nothing",
			opts:    Options{Established: 7440, MinIdle: 3600, DryRun: true},
			deleted: 50, total: 67, estab: 65, minThreshold: 3600,
			hosts: []HostCount{{"10.0.0.50", 50}},
		},
		{
			name:    "everything idle over an hour goes, nothing else",
			opts:    Options{Established: 7440, MinIdle: 3600},
			deleted: 50, total: 17, estab: 15, minThreshold: 3600,
			hosts: []HostCount{{"10.0.0.50", 50}},
		},
		{
			name:    "oldest first: 20 needed, the 20 silent longest go",
			opts:    Options{Established: 7440, MinIdle: 3600, Need: 20},
			deleted: 20, total: 47, estab: 45, minThreshold: 6000,
			hosts: []HostCount{{"10.0.0.50", 20}},
		},
		{
			name:    "entries of unknown idle time are capped, never deleted",
			opts:    Options{Established: 7440, MinIdle: 7441, CapUnknown: true},
			deleted: 0, capped: 5, total: 67, estab: 65, minThreshold: 7441,
			hosts: []HostCount{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ns, c := table(t)
			var res Result
			var err error
			ns.Do(func() { res, err = Free(context.Background(), tc.opts) })
			if err != nil {
				t.Fatalf("Free: %v", err)
			}
			if res.Deleted != tc.deleted || res.Capped != tc.capped || res.Unknown != 5 {
				t.Errorf("deleted %d, capped %d, unknown %d; want %d, %d, 5", res.Deleted, res.Capped, res.Unknown, tc.deleted, tc.capped)
			}
			if res.Threshold < tc.minThreshold {
				t.Errorf("threshold %d s, want at least %d", res.Threshold, tc.minThreshold)
			}
			if len(res.Hosts) != len(tc.hosts) || (len(tc.hosts) > 0 && res.Hosts[0] != tc.hosts[0]) {
				t.Errorf("hosts %v, want %v", res.Hosts, tc.hosts)
			}
			total, estab := count(t, c)
			if total != tc.total || estab != tc.estab {
				t.Errorf("left %d entries (%d established), want %d (%d)", total, estab, tc.total, tc.estab)
			}
			if tc.opts.CapUnknown {
				fl, _ := c.Dump(nil)
				for _, f := range fl {
					if f.TupleOrig.IP.SourceAddress.String() == "10.0.0.51" && f.Timeout > 7440 {
						t.Errorf("entry of unknown idle time still has %d s left", f.Timeout)
					}
				}
			}
		})
	}
}
