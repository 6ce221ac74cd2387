//go:build linux && kernel

package ct

import (
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ti-mo/conntrack"

	"github.com/netfix/netfix/src/internal/netnstest"
)

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
			netnstest.Skip(t, netnstest.Kernel, "this kernel's /proc/net/stat/nf_conntrack has no clashres/chainlength columns (Linux >= 5.14)")
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
