//go:build linux && kernel

package daemon

import (
	"github.com/netfix/netfix/src/internal/env"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/mdlayher/netlink"
	"github.com/ti-mo/conntrack"
	"github.com/vishvananda/netns"

	"github.com/netfix/netfix/src/internal/config"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/netnstest"
)

// The reclaim the README promises: with conntrack_reclaim on, a sweep that
// finds the table at 90 % or more deletes idle ESTABLISHED entries, oldest
// first, and stops once the table is under 75 %; under 90 % it deletes
// nothing. The entries are real (a fresh namespace, ctnetlink); the limit
// is the snapshot's 100, since a namespace cannot lower nf_conntrack_max
// (read-only outside the initial one) and the host's is not the test's.
func TestSweepReclaimsFrom90To75(t *testing.T) {
	const max = 100
	tests := []struct {
		entries, left int
	}{
		{entries: 74, left: 74},
		{entries: 80, left: 80},
		{entries: 89, left: 89}, // warning level: never a reclaim
		{entries: 90, left: 74}, // 90 %: down to 74, the first count under 75 %
		{entries: 99, left: 74},
	}
	for _, tc := range tests {
		t.Run(strconv.Itoa(tc.entries)+"_of_100", func(t *testing.T) {
			ns := netnstest.New(t, "s2sweep")
			ns.Run("sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_timeout_established=7440")
			c := dialIn(t, ns)
			// Idle 5000 s and more, each a different age, so "oldest
			// first" has an order; all above reclaim_idle's 3600 s.
			for i := 0; i < tc.entries; i++ {
				f := conntrack.NewFlow(6, conntrack.StatusConfirmed|conntrack.StatusAssured|conntrack.StatusSeenReply,
					netip.MustParseAddr("10.0.0.50"), netip.MustParseAddr("198.51.100.7"), uint16(10000+i), 443, uint32(2440-i*10), 0)
				f.ProtoInfo.TCP = &conntrack.ProtoInfoTCP{State: 3}
				if err := c.Create(f); err != nil {
					t.Fatalf("create entry %d: %v", i, err)
				}
			}
			var log strings.Builder
			e, err := env.New(env.Options{Root: t.TempDir(), StateDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			d := &prober{Daemon: &Daemon{log: &logger{out: Stream{W: &log}, errOut: Stream{W: &log}, level: levelRank("info")}, opts: Options{Env: e}}}
			cfg := config.Default()
			cfg.ConntrackReclaim, cfg.ReclaimIdle = true, 3600
			d.conf.Store(&loadedConfig{cfg: cfg})
			s := facts.Snapshot{Conntrack: facts.Conntrack{Available: true, Entries: uint32(tc.entries), Max: max,
				Table: &facts.CTTable{Timeouts: facts.CTTimeouts{Read: true, Established: 7440}}}}
			ns.Do(func() { d.conntrackSweep(&s) })

			fl, err := c.Dump(nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(fl) != tc.left {
				t.Errorf("%d of %d entries: %d left after the sweep, want %d; log:\n%s", tc.entries, max, len(fl), tc.left, log.String())
			}
			// The oldest went: every entry left moved more recently than
			// every entry deleted (timeouts descend with i).
			for _, f := range fl {
				if i := int(f.TupleOrig.Proto.SourcePort) - 10000; i >= tc.left {
					t.Errorf("entry %d (idle %d s) kept while a more recent one went", i, 5000+i*10)
					break
				}
			}
			// A reclaim is a table event: the journal keeps it apart from
			// the repairs of hosts.
			reclaims := 0
			for _, ev := range d.journal.table {
				if ev.Reason == ReasonConntrackReclaim {
					reclaims++
					if ev.FlowsDeleted != tc.entries-tc.left {
						t.Errorf("reclaim event says %d deleted, want %d", ev.FlowsDeleted, tc.entries-tc.left)
					}
				}
			}
			if want := map[bool]int{true: 1, false: 0}[tc.entries != tc.left]; reclaims != want {
				t.Errorf("%d reclaim events, want %d", reclaims, want)
			}
		})
	}
}

func dialIn(t *testing.T, ns *netnstest.NS) *conntrack.Conn {
	t.Helper()
	h, err := netns.GetFromPath(ns.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	c, err := conntrack.Dial(&netlink.Config{NetNS: int(h)})
	if err != nil {
		t.Fatalf("conntrack netlink in %s: %v (modprobe nf_conntrack_netlink)", ns.Name, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
