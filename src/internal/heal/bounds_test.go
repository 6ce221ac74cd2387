package heal

import (
	"fmt"
	"net/netip"
	"testing"
)

func ip4(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
}

func randomMAC(i int) string {
	return fmt.Sprintf("02:%02x:%02x:%02x:00:01", byte(i>>16), byte(i>>8), byte(i))
}

// A host that moved port while the daemon was down is repaired at start:
// the saved ports come back with Restore.
func TestRestoreKeepsPorts(t *testing.T) {
	t.Parallel()
	before := NewTracker()
	before.Neigh(NeighMsg{LinkIndex: brLan, IP: other, MAC: macC})
	before.FDB(FDBMsg{Bridge: brLan, Port: port1, MAC: macC})
	after := NewTracker()
	after.Restore(before.State())
	after.Neigh(NeighMsg{LinkIndex: brLan, IP: other, MAC: macC})
	got := after.FDB(FDBMsg{Bridge: brLan, Port: port2, MAC: macC})
	if len(got) != 1 || got[0].Reason != ReasonPortMove || got[0].IP != other || got[0].OldPort != port1 || got[0].NewPort != port2 {
		t.Errorf("port move after restart = %+v, want %s moved from %d to %d", got, other, port1, port2)
	}
}

// Past MaxHosts the hosts the kernel deleted go first; every live host
// stays.
func TestEvictionForgetsGoneHostsFirst(t *testing.T) {
	t.Parallel()
	tr := NewTracker()
	for i := 0; i < MaxHosts; i++ {
		tr.Neigh(NeighMsg{LinkIndex: 1, IP: ip4(i), MAC: macA})
	}
	const forgotten = 10
	for i := 0; i < forgotten; i++ {
		tr.Neigh(NeighMsg{LinkIndex: 1, IP: ip4(i), Deleted: true})
	}
	for i := 0; i < forgotten; i++ {
		tr.Neigh(NeighMsg{LinkIndex: 1, IP: ip4(MaxHosts + i), MAC: macB})
	}
	present := map[netip.Addr]bool{}
	for _, h := range tr.Hosts() {
		present[h.IP] = true
	}
	for i := 0; i < MaxHosts+forgotten; i++ {
		if want := i >= forgotten; present[ip4(i)] != want {
			t.Errorf("host %s present = %v, want %v (forgotten hosts are evicted first)", ip4(i), present[ip4(i)], want)
		}
	}
}

// A MAC flood from one LAN port: the bridge learns and ages out every
// random MAC; the tracker follows the deletes, is bounded meanwhile, and
// keeps a neighbour's MAC so its move is still seen.
func TestFDBFloodBounded(t *testing.T) {
	t.Parallel()
	tr := NewTracker()
	tr.Neigh(NeighMsg{LinkIndex: brLan, IP: host, MAC: macA})
	tr.FDB(FDBMsg{Bridge: brLan, Port: port1, MAC: macA})
	const flood = 3 * MaxPorts
	for i := 0; i < flood; i++ {
		tr.FDB(FDBMsg{Bridge: brLan, Port: port2, MAC: randomMAC(i)})
		if tr.Ports() > MaxPorts {
			t.Fatalf("%d FDB entries after %d learned, bound is %d", tr.Ports(), i+1, MaxPorts)
		}
	}
	for i := 0; i < flood; i++ { // ageing
		tr.FDB(FDBMsg{Bridge: brLan, Port: port2, MAC: randomMAC(i), Deleted: true})
	}
	if tr.Ports() != 1 {
		t.Errorf("%d FDB entries after the flood aged out, want 1 (the neighbour's)", tr.Ports())
	}
	if tr.Shrinks() == 0 {
		t.Errorf("the FDB map was never rebuilt after the flood: its memory stays taken")
	}
	// The neighbour's entry ages too, but is kept: relearning on another
	// port is a move.
	tr.FDB(FDBMsg{Bridge: brLan, Port: port1, MAC: macA, Deleted: true})
	if got := tr.FDB(FDBMsg{Bridge: brLan, Port: port2, MAC: macA}); len(got) != 1 || got[0].IP != host {
		t.Errorf("move of the neighbour's MAC after a flood = %+v, want %s", got, host)
	}
}

// A resync forgets what the kernel no longer has: hosts become gone (and
// evictable), FDB entries of MACs no host uses are dropped. An incomplete
// dump prunes nothing.
func TestResyncPrunes(t *testing.T) {
	t.Parallel()
	tr := NewTracker()
	tr.Neigh(NeighMsg{LinkIndex: brLan, IP: host, MAC: macA})
	tr.Neigh(NeighMsg{LinkIndex: brLan, IP: other, MAC: macC})
	tr.FDB(FDBMsg{Bridge: brLan, Port: port1, MAC: macA})
	tr.FDB(FDBMsg{Bridge: brLan, Port: port1, MAC: macB})

	tr.BeginResync()
	tr.Neigh(NeighMsg{LinkIndex: brLan, IP: host, MAC: macA}) // the dump has host only
	tr.EndResync(false, false)
	if len(tr.gone) != 0 || tr.Ports() != 2 {
		t.Fatalf("an incomplete dump pruned: %d gone, %d ports", len(tr.gone), tr.Ports())
	}

	tr.BeginResync()
	tr.Neigh(NeighMsg{LinkIndex: brLan, IP: host, MAC: macA})
	tr.EndResync(true, true)
	if !tr.gone[hostKey{brLan, other}] || tr.gone[hostKey{brLan, host}] {
		t.Errorf("gone after resync = %v, want only %s", tr.gone, other)
	}
	// macA (a host's) stays although the dump lacked it, macB goes.
	if tr.PortOf(brLan, macA) != port1 || tr.PortOf(brLan, macB) != 0 {
		t.Errorf("ports after resync: %s on %d, %s on %d; want %d and none", macA, tr.PortOf(brLan, macA), macB, tr.PortOf(brLan, macB), port1)
	}
}

// A state file holds at most what a tracker can: a larger one (an older
// netfix, a tampered file) loads capped.
func TestRestoreCapped(t *testing.T) {
	t.Parallel()
	var s State
	for i := 0; i < MaxHosts+1000; i++ {
		s.Hosts = append(s.Hosts, Host{LinkIndex: 1, IP: ip4(i), MAC: randomMAC(i)})
	}
	for i := 0; i < MaxPorts+1000; i++ {
		s.Ports = append(s.Ports, PortEntry{Bridge: 1, MAC: randomMAC(i), Port: 2})
	}
	tr := NewTracker()
	tr.Restore(s)
	if tr.Len() != MaxHosts || tr.Ports() != MaxPorts {
		t.Errorf("restored %d hosts and %d ports, want %d and %d", tr.Len(), tr.Ports(), MaxHosts, MaxPorts)
	}
}
