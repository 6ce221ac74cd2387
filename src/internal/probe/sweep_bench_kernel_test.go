//go:build linux && kernel

package probe

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/env"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/netnstest"
)

// testEnv is the environment of a probe that reads its files below root.
func testEnv(t testing.TB, root string) env.Env {
	t.Helper()
	e, err := env.New(env.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// writeAged writes rel below root with its modification time set to mtime.
func writeAged(t testing.TB, root, rel, body string, mtime time.Time) {
	t.Helper()
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// sweepRoot is an OpenWrt-shaped root: fw4 with offloading on, the two
// usual zones and an ipset of ipsetEntries prefixes (lists of 10k+ CIDRs
// are common on routers in China), lan and wan interfaces.
func sweepRoot(b testing.TB, ipsetEntries int) string {
	root := b.TempDir()
	var ipset strings.Builder
	if ipsetEntries > 0 {
		ipset.WriteString("\nconfig ipset\n\toption name 'cn'\n\toption match 'dest_net'\n")
		for i := 0; i < ipsetEntries; i++ {
			fmt.Fprintf(&ipset, "\tlist entry '%d.%d.%d.0/24'\n", 1+i>>16, i>>8&255, i&255)
		}
	}
	files := map[string]string{
		"etc/openwrt_release": "DISTRIB_ID='OpenWrt'\n",
		"etc/config/firewall": "config defaults\n\toption flow_offloading '1'\n\toption flow_offloading_hw '1'\n\n" +
			"config zone\n\toption name 'lan'\n\tlist network 'lan'\n\n" +
			"config zone\n\toption name 'wan'\n\tlist network 'wan'\n\tlist network 'wan6'\n" + ipset.String(),
		"etc/config/network": "config interface 'lan'\n\toption device 'br-lan'\n\n" +
			"config interface 'wan'\n\toption device 'eth1'\n\n" +
			"config interface 'wan6'\n\toption device 'eth1'\n",
	}
	// Older than the cache's settle time, as a router's config is.
	for rel, body := range files {
		writeAged(b, root, rel, body, time.Now().Add(-time.Hour))
	}
	return root
}

// BenchmarkSweepGather is the daemon's idle sweep probe (no table dump,
// as the daemon asks while the table is calm, and the offload counts of an
// earlier walk: it walks the table every 10 minutes, not every sweep) in
// a namespace of its own,
// with the caches the daemon keeps and without them (a one-shot check).
// cpu-us/op is user and system time of the whole process per probe: the
// kernel's share and every goroutine's count, which ns/op does not show.
func BenchmarkSweepGather(b *testing.B) {
	netnstest.RequireRoot(b)
	ns := netnstest.New(b, "sweep")
	// A router's links: br-lan with two LAN ports and an address, and
	// the wan uplink with the default route, so the link, bridge and
	// forwarding parts of the probe have what they read on a router.
	for _, c := range [][]string{
		{"ip", "link", "add", "br-lan", "type", "bridge"},
		{"ip", "link", "add", "lan1", "type", "veth", "peer", "name", "lan1p"},
		{"ip", "link", "add", "lan2", "type", "veth", "peer", "name", "lan2p"},
		{"ip", "link", "set", "lan1", "master", "br-lan"},
		{"ip", "link", "set", "lan2", "master", "br-lan"},
		{"ip", "link", "add", "eth1", "type", "veth", "peer", "name", "eth1p"},
		{"ip", "addr", "add", "192.168.1.1/24", "dev", "br-lan"},
		{"ip", "addr", "add", "10.0.2.15/24", "dev", "eth1"},
	} {
		ns.Run(c...)
	}
	for _, l := range []string{"lo", "br-lan", "lan1", "lan2", "lan1p", "lan2p", "eth1", "eth1p"} {
		ns.Run("ip", "link", "set", l, "up")
	}
	ns.Run("ip", "route", "add", "default", "via", "10.0.2.2", "dev", "eth1")
	ns.Run("sysctl", "-qw", "net.ipv4.ip_forward=1")
	roots := map[int]string{0: sweepRoot(b, 0), 20000: sweepRoot(b, 20000)}
	for _, tc := range []struct {
		name   string
		ipset  int
		cached bool
		pulse  bool // the daemon's sweep between full probes (ReadPulse)
	}{{"fresh", 0, false, false}, {"daemon-caches", 0, true, false}, {"ipset20k/fresh", 20000, false, false},
		{"ipset20k/daemon-caches", 20000, true, false}, {"pulse", 0, true, true}} {
		root := roots[tc.ipset]
		b.Run(tc.name, func(b *testing.B) {
			counted := time.Now()
			opts := Options{Env: testEnv(b, root), Lenient: true, CTDump: CTDumpNever, CTPrev: &CTSample{},
				OffloadCounts: &facts.Conntrack{OffloadCountedAt: &counted}}
			if tc.cached {
				opts.Session = &Session{}
				defer opts.Session.Close()
			}
			var knownMax uint32 // as the daemon's last full probe read it
			sweep := func() error {
				if tc.pulse {
					p := ReadPulse(&opts.Session.Sockets, knownMax)
					return errors.Join(p.CTErr, p.StatsErr)
				}
				_, err := Gather(opts)
				return err
			}
			ns.Do(func() {
				first, err := Gather(opts)
				if err != nil {
					b.Fatal(err)
				}
				knownMax = first.Conntrack.Max
				var r0, r1 syscall.Rusage
				_ = syscall.Getrusage(syscall.RUSAGE_SELF, &r0)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if err := sweep(); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				_ = syscall.Getrusage(syscall.RUSAGE_SELF, &r1)
				cpu := func(r syscall.Rusage) time.Duration {
					return time.Duration(r.Utime.Nano() + r.Stime.Nano())
				}
				b.ReportMetric(float64((cpu(r1)-cpu(r0)).Microseconds())/float64(b.N), "cpu-us/op")
			})
		})
	}
}
