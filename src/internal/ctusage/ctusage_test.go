package ctusage

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netfix/netfix/src/internal/facts"
)

var (
	lan  = netip.MustParseAddr("192.168.1.50")
	lan2 = netip.MustParseAddr("192.168.1.60")
	wan  = netip.MustParseAddr("100.64.0.2")
	peer = netip.MustParseAddr("203.0.113.9")
)

func TestIdle(t *testing.T) {
	t.Parallel()
	est := func(timeout uint32) Entry {
		return Entry{Proto: ProtoTCP, TCPState: StateEstablished, Timeout: timeout}
	}
	tests := []struct {
		name        string
		e           Entry
		established uint32
		idle        uint32
		ok          bool
	}{
		{"kernel default, silent a day", est(432000 - 86400), 432000, 86400, true},
		{"OpenWrt, packet just now", est(7440), 7440, 0, true},
		{"sysctl lowered since the last packet", est(400000), 7440, 0, false},
		{"not established", Entry{Proto: ProtoTCP, TCPState: 7, Timeout: 100}, 7440, 0, false},
		{"UDP has no established timer", Entry{Proto: ProtoUDP, TCPState: StateEstablished, Timeout: 100}, 7440, 0, false},
		{"timeout unknown", est(100), 0, 0, false},
	}
	for _, tc := range tests {
		idle, ok := Idle(tc.e, tc.established)
		if idle != tc.idle || ok != tc.ok {
			t.Errorf("%s: Idle = %d, %v; want %d, %v", tc.name, idle, ok, tc.idle, tc.ok)
		}
	}
}

func TestBreakdown(t *testing.T) {
	t.Parallel()
	tcp := func(src, replySrc netip.Addr, dnat bool, port uint16, idle uint32) Entry {
		return Entry{Proto: ProtoTCP, TCPState: StateEstablished, OrigSrc: src, OrigDst: peer, ReplySrc: replySrc,
			OrigDstPort: port, Timeout: 7440 - idle, DstNAT: dnat}
	}
	tests := []struct {
		name    string
		entries []Entry
		want    []facts.CTHost
		idle    []int
	}{
		{
			name: "masqueraded entries belong to the LAN host, not the WAN address of the reply",
			entries: []Entry{
				// orig 192.168.1.50 -> peer, reply peer -> 100.64.0.2 (SNAT)
				tcp(lan, peer, false, 6881, 4000), tcp(lan, peer, false, 6881, 30),
			},
			want: []facts.CTHost{{Addr: "192.168.1.50", Name: "nas", Entries: 2, Established: 2, Idle: []int{1, 0, 0, 1, 0, 0, 0}}},
			idle: []int{1, 0, 0, 1, 0, 0, 0},
		},
		{
			name: "a port forward belongs to the LAN host it is forwarded to",
			entries: []Entry{
				// orig peer -> 100.64.0.2:8080, reply 192.168.1.60 -> peer (DNAT)
				{Proto: ProtoTCP, TCPState: StateEstablished, OrigSrc: peer, OrigDst: wan, ReplySrc: lan2, OrigDstPort: 8080, Timeout: 7440, DstNAT: true},
			},
			want: []facts.CTHost{{Addr: "192.168.1.60", Entries: 1, Established: 1, Idle: []int{1, 0, 0, 0, 0, 0, 0}}},
			idle: []int{1, 0, 0, 0, 0, 0, 0},
		},
		{
			name: "IPv6 and IPv4-mapped hosts, UDP counted but never idle",
			entries: []Entry{
				tcp(netip.MustParseAddr("fd00::50"), peer, false, 443, 90000),
				tcp(netip.MustParseAddr("fd00::50"), peer, false, 443, 90000),
				{Proto: ProtoUDP, OrigSrc: netip.MustParseAddr("::ffff:192.168.1.50"), OrigDstPort: 53, Timeout: 30},
			},
			want: []facts.CTHost{
				{Addr: "fd00::50", Entries: 2, Established: 2, Idle: []int{0, 0, 0, 0, 0, 0, 0}},
				{Addr: "192.168.1.50", Name: "nas", Entries: 1, Idle: []int{0, 0, 0, 0, 0, 0, 0}},
			},
			// 90000 s is over the 7440 s in effect: unknown, in no bucket.
			idle: []int{0, 0, 0, 0, 0, 0, 0},
		},
	}
	names := func(a netip.Addr) string {
		if a == lan {
			return "nas"
		}
		return ""
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			acc := NewAccumulator(7440, 0)
			for _, e := range tc.entries {
				acc.Add(e)
			}
			u := acc.Usage(names)
			if diff := cmp.Diff(tc.want, u.Hosts); diff != "" {
				t.Errorf("hosts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.idle, u.Idle); diff != "" {
				t.Errorf("idle (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAccumulatorBounded(t *testing.T) {
	t.Parallel()
	acc := NewAccumulator(7440, 0)
	for i := 0; i < MaxHosts+500; i++ {
		a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		acc.Add(Entry{Proto: ProtoTCP, TCPState: StateEstablished, OrigSrc: a, OrigDstPort: uint16(i), Timeout: 7440})
	}
	// The ports map keeps one row free for OtherKey.
	if len(acc.hosts) != MaxHosts || len(acc.ports) != MaxPorts-1 || acc.otherPorts != 501 {
		t.Fatalf("maps grew to %d hosts, %d ports (+%d other); bounds %d, %d", len(acc.hosts), len(acc.ports), acc.otherPorts, MaxHosts, MaxPorts)
	}
	u := acc.Usage(nil)
	if u.Hosts[0].Addr != OtherKey || u.Hosts[0].Entries != 500 {
		t.Errorf("overflow row = %+v, want %q with 500 entries", u.Hosts[0], OtherKey)
	}
	if len(u.Hosts) != facts.MaxTopRows || len(u.Ports) != facts.MaxTopRows {
		t.Errorf("document rows: %d hosts, %d ports; cap %d", len(u.Hosts), len(u.Ports), facts.MaxTopRows)
	}
	if len(facts.IdleEdges) != len(acc.idle) {
		t.Errorf("IdleEdges has %d buckets, the accumulator %d", len(facts.IdleEdges), len(acc.idle))
	}
}

func TestPlanOldestFirst(t *testing.T) {
	t.Parallel()
	const est = 432000
	p := NewPlan(est, 3600)
	add := func(n int, idle uint32) {
		for i := 0; i < n; i++ {
			p.Add(Entry{Proto: ProtoTCP, TCPState: StateEstablished, Timeout: est - idle})
		}
	}
	add(500, 400000) // dead for 4.6 days
	add(300, 86400)  // a day
	add(200, 3000)   // moved within the hour: never a candidate
	add(50, 10)
	p.Add(Entry{Proto: ProtoUDP, Timeout: 10})
	p.Add(Entry{Proto: ProtoTCP, TCPState: StateEstablished, Timeout: est + 5}) // unknown
	if p.Candidates() != 800 || p.Unknown() != 1 {
		t.Fatalf("candidates %d, unknown %d; want 800, 1", p.Candidates(), p.Unknown())
	}
	tests := []struct {
		need      int
		minIdle   uint32 // the threshold must be at least this
		maxIdle   uint32 // and at most this
		wantCount int
	}{
		{need: 100, minIdle: 86401, maxIdle: 400000, wantCount: 500},
		{need: 600, minIdle: 3600, maxIdle: 86400, wantCount: 800},
		{need: 5000, minIdle: 3600, maxIdle: 3600, wantCount: 800},
		{need: 0, minIdle: est + 1, maxIdle: est + 1, wantCount: 0},
	}
	for _, tc := range tests {
		th, n := p.Threshold(tc.need)
		if th < tc.minIdle || th > tc.maxIdle || n != tc.wantCount {
			t.Errorf("Threshold(%d) = %d, %d; want in [%d, %d], %d", tc.need, th, n, tc.minIdle, tc.maxIdle, tc.wantCount)
		}
	}
	if _, ok := p.Candidate(Entry{Proto: ProtoTCP, TCPState: StateEstablished, Timeout: est - 3599}); ok {
		t.Error("an entry that moved 3599 s ago is a candidate at reclaim_idle 3600")
	}
}

func TestNeedToFree(t *testing.T) {
	t.Parallel()
	tests := []struct {
		count, max uint32
		want       int
	}{
		{7663, 7680, 7663 - 5760 + 1},
		{5759, 7680, 0},
		{5760, 7680, 1},
		{0, 0, 0},
	}
	for _, tc := range tests {
		if got := NeedToFree(tc.count, tc.max, WarnPct); got != tc.want {
			t.Errorf("NeedToFree(%d, %d) = %d, want %d", tc.count, tc.max, got, tc.want)
		}
	}
}

func TestLargerMax(t *testing.T) {
	t.Parallel()
	tests := []struct {
		entries, max uint32
		mem          uint64
		want         uint32
		ok           bool
	}{
		{7000, 8192, 256 << 20, 14336, true},
		{7000, 8192, 0, 14336, true},
		{60000, 65536, 64 << 20, 27648, false}, // 64 MB router: no room for more
	}
	for _, tc := range tests {
		got, ok := LargerMax(tc.entries, tc.max, tc.mem)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("LargerMax(%d, %d, %d) = %d, %v; want %d, %v", tc.entries, tc.max, tc.mem, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseNames(t *testing.T) {
	t.Parallel()
	leases := `1764600000 02:00:00:00:00:50 192.168.1.50 nas 01:02:00:00:00:00:50
1764600000 02:00:00:00:00:51 192.168.1.51 * *
1764600000 02:00:00:00:00:52 192.168.1.52 <img/src=x> *
broken line
1764600000 02:00:00:00:00:53 fd00::53 phone *
`
	ethers := `# static
02:00:00:00:00:51 printer
02:00:00:00:00:60 tv
02:00:00:00:00:61 192.168.1.61
`
	n := ParseNames(leases, ethers)
	n.Learn(netip.MustParseAddr("192.168.1.60"), "02:00:00:00:00:60")
	tests := map[string]string{
		"192.168.1.50": "nas",
		"192.168.1.51": "printer", // no DHCP name: /etc/ethers
		"192.168.1.52": "_img/src=x_",
		"fd00::53":     "phone",
		"192.168.1.60": "tv", // learnt from the neighbour table
		"192.168.1.61": "",
		"10.0.0.1":     "",
	}
	for addr, want := range tests {
		if got := n.Of(netip.MustParseAddr(addr)); got != want {
			t.Errorf("name of %s = %q, want %q", addr, got, want)
		}
	}
	if got := Clean("a\x1b[31mb\nc"); got != "a_[31mb_c" {
		t.Errorf("Clean kept control characters: %q", got)
	}
}
