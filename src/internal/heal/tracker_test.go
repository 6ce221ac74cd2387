package heal

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ti-mo/conntrack"

	"github.com/netfix/netfix/src/internal/facts"
)

const (
	brLan = 3
	port1 = 5
	port2 = 6
	macA  = "b6:01:52:44:16:fa"
	macB  = "3a:ea:10:f9:a1:2e"
	macC  = "a4:83:e7:12:9c:01"
)

var (
	host  = netip.MustParseAddr("192.168.1.240")
	other = netip.MustParseAddr("192.168.1.57")
	host6 = netip.MustParseAddr("fd00::240")
)

// step is one netlink message fed to the tracker.
type step struct {
	n *NeighMsg
	f *FDBMsg
}

func nb(ip netip.Addr, mac string) step {
	return step{n: &NeighMsg{LinkIndex: brLan, IP: ip, MAC: mac}}
}
func nbFailed(ip netip.Addr) step { return step{n: &NeighMsg{LinkIndex: brLan, IP: ip, Failed: true}} }
func nbDel(ip netip.Addr) step    { return step{n: &NeighMsg{LinkIndex: brLan, IP: ip, Deleted: true}} }
func fdb(mac string, port int) step {
	return step{f: &FDBMsg{Bridge: brLan, Port: port, MAC: mac}}
}
func fdbDel(mac string, port int) step {
	return step{f: &FDBMsg{Bridge: brLan, Port: port, MAC: mac, Deleted: true}}
}

func TestTracker(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		steps []step
		want  []Change
	}{
		{
			name: "NUD state churn of an unchanged host is not a change (the naive healer's mistake)",
			// REACHABLE -> STALE -> DELAY -> PROBE -> REACHABLE: every
			// message carries the same lladdr.
			steps: []step{nb(host, macA), nb(host, macA), nb(host, macA), nb(host, macA), nb(other, macC), nb(other, macC), fdb(macA, port1), fdb(macA, port1)},
		},
		{
			name:  "S1: container recreated with the same IP and a new MAC",
			steps: []step{nb(host, macA), nb(host, macB)},
			want:  []Change{{Reason: ReasonMACChange, LinkIndex: brLan, IP: host, OldMAC: macA, NewMAC: macB}},
		},
		{
			name:  "IPv6 host changes MAC",
			steps: []step{nb(host6, macA), nb(host6, macB)},
			want:  []Change{{Reason: ReasonMACChange, LinkIndex: brLan, IP: host6, OldMAC: macA, NewMAC: macB}},
		},
		{
			name:  "host vanishes (FAILED, deleted) and returns with a new MAC",
			steps: []step{nb(host, macA), nbFailed(host), nbDel(host), nb(host, macB)},
			want:  []Change{{Reason: ReasonMACChange, LinkIndex: brLan, IP: host, OldMAC: macA, NewMAC: macB}},
		},
		{
			name:  "host vanishes and returns with the same MAC: nothing",
			steps: []step{nb(host, macA), nbFailed(host), nbDel(host), nb(host, macA)},
		},
		{
			name:  "first sighting is never a change",
			steps: []step{nb(host, macB)},
		},
		{
			name:  "Wi-Fi roaming: same MAC, new bridge port; IPv4 and IPv6 of the host both repaired",
			steps: []step{nb(host, macA), nb(host6, macA), fdb(macA, port1), fdb(macA, port2)},
			want: []Change{
				{Reason: ReasonPortMove, LinkIndex: brLan, IP: host, OldMAC: macA, NewMAC: macA, OldPort: port1, NewPort: port2},
				{Reason: ReasonPortMove, LinkIndex: brLan, IP: host6, OldMAC: macA, NewMAC: macA, OldPort: port1, NewPort: port2},
			},
		},
		{
			name:  "FDB flush then relearn on another port is still a move",
			steps: []step{nb(host, macA), fdb(macA, port1), fdbDel(macA, port1), fdb(macA, port2)},
			want:  []Change{{Reason: ReasonPortMove, LinkIndex: brLan, IP: host, OldMAC: macA, NewMAC: macA, OldPort: port1, NewPort: port2}},
		},
		{
			name:  "a MAC no neighbour uses moves: nothing to repair",
			steps: []step{nb(host, macA), fdb(macC, port1), fdb(macC, port2)},
		},
		{
			name:  "bystanders untouched when one host changes",
			steps: []step{nb(host, macA), nb(other, macC), fdb(macA, port1), fdb(macC, port1), nb(host, macB), fdb(macB, port1), nb(other, macC)},
			want:  []Change{{Reason: ReasonMACChange, LinkIndex: brLan, IP: host, OldMAC: macA, NewMAC: macB}},
		},
		{
			name:  "incomplete entry without a MAC is ignored",
			steps: []step{{n: &NeighMsg{LinkIndex: brLan, IP: host}}, nb(host, macA)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := NewTracker()
			var got []Change
			for _, s := range tt.steps {
				if s.n != nil {
					if c, ok := tr.Neigh(*s.n); ok {
						got = append(got, c)
					}
				} else {
					got = append(got, tr.FDB(*s.f)...)
				}
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}

// A restart in the middle: the saved state plus a fresh dump finds the
// host that changed while the daemon was down, and nothing else.
func TestRestoreFindsChangesWhileDown(t *testing.T) {
	t.Parallel()
	before := NewTracker()
	for _, s := range []step{nb(host, macA), nb(other, macC), fdb(macA, port1), fdb(macC, port1)} {
		if s.n != nil {
			before.Neigh(*s.n)
		} else {
			before.FDB(*s.f)
		}
	}
	after := NewTracker()
	after.Restore(before.State())
	var got []Change
	if c, ok := after.Neigh(NeighMsg{LinkIndex: brLan, IP: host, MAC: macB}); ok {
		got = append(got, c)
	}
	if _, ok := after.Neigh(NeighMsg{LinkIndex: brLan, IP: other, MAC: macC}); ok {
		t.Error("unchanged host reported")
	}
	got = append(got, after.FDB(FDBMsg{Bridge: brLan, Port: port1, MAC: macC})...)
	if len(got) != 1 || got[0].IP != host || got[0].NewMAC != macB {
		t.Errorf("changes = %+v, want only %s's MAC change", got, host)
	}
	if n := len(after.FailedHosts()); n != 0 {
		t.Errorf("restored hosts must not count as failed, got %d", n)
	}
}

func TestTrackerBounded(t *testing.T) {
	t.Parallel()
	tr := NewTracker()
	for i := 0; i < MaxHosts+500; i++ {
		ip := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		tr.Neigh(NeighMsg{LinkIndex: 1, IP: ip, MAC: macA})
	}
	if tr.Len() > MaxHosts {
		t.Errorf("tracker holds %d hosts, cap is %d", tr.Len(), MaxHosts)
	}
}

func flow(src, dst string, replySrc, replyDst string, status uint32) conntrack.Flow {
	var f conntrack.Flow
	f.TupleOrig.IP.SourceAddress = netip.MustParseAddr(src)
	f.TupleOrig.IP.DestinationAddress = netip.MustParseAddr(dst)
	f.TupleReply.IP.SourceAddress = netip.MustParseAddr(replySrc)
	f.TupleReply.IP.DestinationAddress = netip.MustParseAddr(replyDst)
	f.Status = conntrack.Status(status)
	return f
}

// Which entries belong to a host: the offload bit is the stream filter's
// job (probe.OffloadFilter), the host is Involves'.
func TestInvolves(t *testing.T) {
	t.Parallel()
	off := facts.StatusOffload
	tests := []struct {
		name string
		f    conntrack.Flow
		ip   netip.Addr
		want bool
	}{
		// S1's entry: DNAT from the WAN address to the container.
		{"DNAT reply source", flow("198.51.100.9", "192.0.2.254", "192.168.1.240", "198.51.100.9", off), host, true},
		{"SNAT original source", flow("192.168.1.240", "198.51.100.20", "198.51.100.20", "192.0.2.254", off|facts.StatusHWOffload), host, true},
		{"bystander", flow("192.168.1.57", "198.51.100.20", "198.51.100.20", "192.0.2.254", off), host, false},
		{"prefix-sharing address", flow("192.168.1.24", "198.51.100.20", "198.51.100.20", "192.0.2.254", off), host, false},
		{"v4-mapped lookup", flow("192.168.1.57", "198.51.100.20", "198.51.100.20", "192.0.2.254", off), netip.MustParseAddr("::ffff:192.168.1.57"), true},
	}
	for _, tc := range tests {
		if got := Involves(&tc.f, tc.ip); got != tc.want {
			t.Errorf("%s: Involves(%s) = %v, want %v", tc.name, tc.ip, got, tc.want)
		}
	}
}

func TestLimiter(t *testing.T) {
	t.Parallel()
	l := NewLimiter(3, 10*time.Second)
	t0 := time.Unix(1000, 0)
	var allowed []bool
	for i := 0; i < 5; i++ {
		allowed = append(allowed, l.Allow(host, t0.Add(time.Duration(i)*time.Second)))
	}
	allowed = append(allowed, l.Allow(other, t0.Add(4*time.Second)))
	allowed = append(allowed, l.Allow(host, t0.Add(11*time.Second)))
	want := []bool{true, true, true, false, false, true, true}
	if diff := cmp.Diff(want, allowed); diff != "" {
		t.Errorf("allow (-want +got):\n%s", diff)
	}
}

func TestStateRoundTrip(t *testing.T) {
	t.Parallel()
	tr := NewTracker()
	tr.Neigh(NeighMsg{LinkIndex: brLan, IP: host, MAC: macA})
	tr.FDB(FDBMsg{Bridge: brLan, Port: port1, MAC: macA})
	path := t.TempDir() + "/state.json"
	if err := SaveState(path, tr.State()); err != nil {
		t.Fatal(err)
	}
	s, err := LoadState(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Hosts) != 1 || s.Hosts[0].MAC != macA || len(s.Ports) != 1 || s.Ports[0].Port != port1 {
		t.Errorf("state = %+v", s)
	}
	if s, err := LoadState(t.TempDir() + "/none"); err != nil || len(s.Hosts) != 0 {
		t.Errorf("missing state: %+v %v", s, err)
	}
}

func TestProneLinks(t *testing.T) {
	t.Parallel()
	port := func(n string) facts.Device {
		return facts.Device{Name: n, Kind: facts.KindBridgePort, Master: "br-lan"}
	}
	tests := []struct {
		name string
		ft   facts.Flowtable
		want map[string]bool
	}{
		{"fw4 hardware layout: ports listed", facts.Flowtable{Referenced: true, Devices: []facts.Device{port("lanport0"), {Name: "wan0", Kind: facts.KindVirtual}}}, map[string]bool{"br-lan": true}},
		{"fw4 software layout: bridge listed", facts.Flowtable{Referenced: true, Devices: []facts.Device{{Name: "br-lan", Kind: facts.KindBridge}, {Name: "wan0", Kind: facts.KindVirtual}}}, map[string]bool{}},
		{"flags offload caches every listed device", facts.Flowtable{Referenced: true, HWOffloadFlag: true, Devices: []facts.Device{{Name: "eth4", Kind: facts.KindPhysical}}}, map[string]bool{"eth4": true}},
		{"unreferenced flowtable offloads nothing", facts.Flowtable{Devices: []facts.Device{port("lan1")}}, map[string]bool{}},
	}
	for _, tt := range tests {
		got := ProneLinks(facts.Offload{Flowtables: []facts.Flowtable{tt.ft}})
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// Changes moves with every change to what State exports, and only then: the
// daemon writes its state file when it moved, so a change it missed is a
// state file that misses a host or a port after a restart.
func TestChanges(t *testing.T) {
	tr := NewTracker()
	steps := []struct {
		name  string
		do    func()
		moved bool
	}{
		{"new host", func() { tr.Neigh(NeighMsg{LinkIndex: brLan, IP: host, MAC: macA}) }, true},
		{"same host refreshed", func() { tr.Neigh(NeighMsg{LinkIndex: brLan, IP: host, MAC: macA}) }, false},
		{"host FAILED", func() { tr.Neigh(NeighMsg{LinkIndex: brLan, IP: host, Failed: true}) }, true},
		{"host FAILED again", func() { tr.Neigh(NeighMsg{LinkIndex: brLan, IP: host, Failed: true}) }, false},
		{"host answers with a new MAC", func() { tr.Neigh(NeighMsg{LinkIndex: brLan, IP: host, MAC: macB}) }, true},
		{"host deleted (kept, as gone)", func() { tr.Neigh(NeighMsg{Deleted: true, LinkIndex: brLan, IP: host}) }, false},
		{"new FDB entry", func() { tr.FDB(FDBMsg{Bridge: brLan, Port: port1, MAC: macC}) }, true},
		{"same FDB entry", func() { tr.FDB(FDBMsg{Bridge: brLan, Port: port1, MAC: macC}) }, false},
		{"FDB entry moved", func() { tr.FDB(FDBMsg{Bridge: brLan, Port: port2, MAC: macC}) }, true},
		{"unknown FDB entry deleted", func() { tr.FDB(FDBMsg{Deleted: true, Bridge: brLan, Port: port2, MAC: macA}) }, false},
		{"resync confirming everything", func() {
			tr.BeginResync()
			tr.Neigh(NeighMsg{LinkIndex: brLan, IP: host, MAC: macB})
			tr.FDB(FDBMsg{Bridge: brLan, Port: port2, MAC: macC})
			tr.EndResync(true, true)
		}, false},
		{"resync without the FDB entry", func() {
			tr.BeginResync()
			tr.Neigh(NeighMsg{LinkIndex: brLan, IP: host, MAC: macB})
			tr.EndResync(true, true)
		}, true},
		{"FDB entry deleted", func() {
			tr.FDB(FDBMsg{Bridge: brLan, Port: port1, MAC: macC})
			n := tr.Changes()
			tr.FDB(FDBMsg{Deleted: true, Bridge: brLan, Port: port1, MAC: macC})
			if tr.Changes() == n {
				t.Errorf("deleting an FDB entry did not move Changes")
			}
		}, true},
	}
	for _, s := range steps {
		n := tr.Changes()
		s.do()
		if moved := tr.Changes() != n; moved != s.moved {
			t.Errorf("%s: Changes moved %v, want %v", s.name, moved, s.moved)
		}
	}
	r := NewTracker()
	r.Restore(tr.State())
	if r.Changes() == 0 {
		t.Errorf("Restore did not move Changes")
	}
}
