package links

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netfix/netfix/src/internal/facts"
)

func TestParseSNMP(t *testing.T) {
	t.Parallel()
	in := "Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams\nIp: 1 64 9789 0 312 7\nIcmp: InMsgs\nIcmp: 3\n"
	got, err := parseSNMP(strings.NewReader(in))
	if err != nil || got != 312 {
		t.Fatalf("parseSNMP = %d, %v; want 312", got, err)
	}
	if _, err := parseSNMP(strings.NewReader("Icmp: InMsgs\nIcmp: 3\n")); err == nil {
		t.Fatal("parseSNMP without Ip: lines: want an error")
	}
	var c facts.ForwardingCounters
	if err := parseSNMP6(strings.NewReader("Ip6InReceives \t1\nIp6InAddrErrors   \t40\nIp6OutNoRoutes\t2\n"), &c); err != nil {
		t.Fatal(err)
	}
	if c.Ip6InAddrErrors != 40 || c.Ip6OutNoRoutes != 2 {
		t.Fatalf("parseSNMP6: %+v", c)
	}
	later := facts.ForwardingCounters{InAddrErrors: 400, Ip6InAddrErrors: 30}
	Grow(facts.ForwardingCounters{InAddrErrors: 88, Ip6InAddrErrors: 40}, &later, 2)
	if later.InAddrErrorsGrowth != 312 || later.Ip6InAddrErrorsGrowth != 0 || !later.Sampled {
		t.Fatalf("Grow: %+v (a counter that went backwards grows by 0)", later)
	}
}

func TestParseRoutes(t *testing.T) {
	t.Parallel()
	route := "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
		"eno1\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n" +
		"docker0\t00001EAC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n" +
		"wg0\t00000000\t00000000\t0000\t0\t0\t0\t00000000\t0\t0\t0\n"
	if d := cmp.Diff([]string{"eno1"}, parseDefaultRoutes4(strings.NewReader(route))); d != "" {
		t.Errorf("default routes (-want +got):\n%s", d)
	}
	v6 := "fd000d0c000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001  docker0\n" +
		"fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eno1\n" +
		"00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eno1\n" +
		"20010db8000000000000000000000000 20 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n"
	want := []route6{{Dst: "fd00:d0c::/64", Dev: "docker0"}}
	if d := cmp.Diff(want, parseGlobalRoutes6(strings.NewReader(v6))); d != "" {
		t.Errorf("IPv6 routes (-want +got):\n%s", d)
	}
}
