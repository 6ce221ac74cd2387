//go:build linux

package probe

import (
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ti-mo/conntrack"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/netnstest"
)

func TestCTStatsOfProcColumns(t *testing.T) {
	// Linux >= 5.15 (chaintoolong under the label "chainlength"), two CPUs.
	current := "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart\n" +
		"00000fce  00000001 00000010 00000000 00000004 00000000 00000000 00000002 00000000 000000c8 000001d8 00000003 00000005  00000000 00000000 00000000 00000007\n" +
		"00000fce  00000002 00000020 00000000 00000001 00000000 00000000 00000001 00000000 00000008 00000002 00000000 00000001  00000000 00000000 00000000 00000001\n"
	// Older kernels: "searched" and "delete_list", no clash or chain counters.
	old := "entries  searched found new invalid ignore delete delete_list insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart\n" +
		"00000010  00000000 00000003 00000000 00000001 00000000 00000000 00000000 00000000 00000002 00000001 00000000 00000000  00000000 00000000 00000000 00000004\n"
	for _, tc := range []struct {
		name    string
		text    string
		want    facts.CTStats
		ok      bool
		entries uint64 // the table's size, once, not once per CPU
		sized   bool
	}{
		{"current kernel", current, facts.CTStats{Found: 0x30, Invalid: 5, InsertFailed: 0xd0, Drop: 0x1da, EarlyDrop: 3, Error: 6, SearchRestart: 8,
			ClashResolve: 3, ChainTooLong: 3, Extended: true}, true, 0xfce, true},
		{"older kernel", old, facts.CTStats{Found: 3, Invalid: 1, InsertFailed: 2, Drop: 1, SearchRestart: 4}, true, 0x10, true},
		{"a counter missing: ask ctnetlink", "entries found invalid insert_failed drop early_drop search_restart\n00000001 1 1 1 1 1 1\n", facts.CTStats{}, false, 1, true},
		{"no entries column", "found new\n00000001 00000002\n", facts.CTStats{}, false, 0, false},
		{"only a header", "entries  clashres found\n", facts.CTStats{}, false, 0, false},
		{"empty", "", facts.CTStats{}, false, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cols, entries, sized := procStatColumns([]byte(tc.text))
			if entries != tc.entries || sized != tc.sized {
				t.Errorf("entries %d (%v), want %d (%v)", entries, sized, tc.entries, tc.sized)
			}
			got, ok := ctStatsOf(cols)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("statistics (-want +got):\n%s", d)
			}
		})
	}
}

// The file and ctnetlink report the same per-CPU counters of the
// namespace: after traffic that moves some, both give the same sums.
func TestCTStatsProcMatchesNetlink(t *testing.T) {
	netnstest.RequireRoot(t)
	ns := netnstest.New(t, "ctstats")
	ns.Run("ip", "link", "set", "lo", "up")
	ns.Do(func() {
		// Conntrack sees the namespace's traffic once a table with a
		// conntrack hook exists. An ICMP echo reply nobody asked for is
		// invalid to it: each counts in "invalid".
		ns.Run("nft", "add table inet nfxstats; add chain inet nfxstats out { type filter hook output priority 0; ct state invalid counter accept; }")
		c, err := net.ListenPacket("ip4:icmp", "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		reply := []byte{0, 0, 0, 0, 0x12, 0x34, 0, 1} // type 0 (echo reply), code, checksum, id, seq
		sum := uint32(0)
		for i := 0; i < len(reply); i += 2 {
			sum += uint32(reply[i])<<8 | uint32(reply[i+1])
		}
		sum = sum>>16 + sum&0xffff
		reply[2], reply[3] = ^byte(sum>>8), ^byte(sum)
		for i := 0; i < 3; i++ {
			if _, err := c.WriteTo(reply, &net.IPAddr{IP: net.IPv4(127, 0, 0, 1)}); err != nil {
				t.Fatal(err)
			}
		}
		c.Close()
		conn, err := conntrack.Dial(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fromFile, err := ReadCTStats(conn)
		if err != nil {
			t.Fatal(err)
		}
		if !fromFile.Extended {
			t.Skip("this kernel's /proc/net/stat/nf_conntrack has no clashres/chainlength columns")
		}
		cpus, err := conn.Stats()
		if err != nil {
			t.Fatal(err)
		}
		nl := sumCTStats(cpus)
		fromFile.ClashResolve, fromFile.ChainTooLong, fromFile.Extended = 0, 0, false
		if d := cmp.Diff(nl, fromFile); d != "" {
			t.Errorf("/proc/net/stat/nf_conntrack and ctnetlink differ (-netlink +file):\n%s", d)
		}
		if fromFile.Invalid < 3 {
			t.Errorf("invalid = %d after 3 unsolicited echo replies, want >= 3: the comparison proved nothing", fromFile.Invalid)
		}
	})
}
