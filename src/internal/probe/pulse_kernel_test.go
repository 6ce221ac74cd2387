//go:build linux

package probe

import (
	"testing"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/netnstest"
)

// TestReadPulse: the pulse sees what the daemon's sweeps act on without a
// full probe: a new ruleset generation, the table's size and its
// counters, the same as the full probe reads them.
func TestReadPulse(t *testing.T) {
	netnstest.RequireRoot(t)
	ns := netnstest.New(t, "pulse")
	var socks Sockets
	defer socks.Close()
	read := func() (p Pulse) {
		t.Helper()
		ns.Do(func() { p = ReadPulse(&socks) })
		if p.CTErr != nil || p.StatsErr != nil || !p.GenOK {
			t.Fatalf("pulse: conntrack %v, counters %v, generation read %v", p.CTErr, p.StatsErr, p.GenOK)
		}
		return p
	}
	first := read()
	if first.Conntrack.Max == 0 || first.Conntrack.Entries != 0 {
		t.Fatalf("new namespace: %d entries of %d, want 0 of a maximum", first.Conntrack.Entries, first.Conntrack.Max)
	}
	if again := read(); again.Gen != first.Gen {
		t.Errorf("unchanged ruleset: generation %d -> %d", first.Gen, again.Gen)
	}

	ns.Run("nft", "add table inet pulse")
	ns.Run("conntrack", "-I", "-p", "tcp", "-s", "192.0.2.1", "-d", "198.51.100.7", "--sport", "40001", "--dport", "443",
		"--state", "ESTABLISHED", "--timeout", "600")
	p := read()
	if p.Gen == first.Gen {
		t.Errorf("a table added: generation still %d", p.Gen)
	}
	if p.Conntrack.Entries != 1 {
		t.Errorf("one entry inserted: pulse counts %d", p.Conntrack.Entries)
	}
	root := sweepRoot(t, 0)
	var s facts.Snapshot
	var err error
	ns.Do(func() {
		s, err = Gather(Options{Root: root, Lenient: true, CTDump: CTDumpNever, CTPrev: &CTSample{}, Sockets: &socks})
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.Conntrack.Max != p.Conntrack.Max || s.Conntrack.Entries != p.Conntrack.Entries {
		t.Errorf("pulse %d of %d, full probe %d of %d", p.Conntrack.Entries, p.Conntrack.Max, s.Conntrack.Entries, s.Conntrack.Max)
	}
}
