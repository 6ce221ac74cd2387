//go:build linux && kernel

package probe

import (
	"testing"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/netnstest"
)

// TestReadPulse: the pulse sees what the daemon's sweeps act on without a
// full probe, the table's size and its counters, the same as the full
// probe reads them; RulesetGeneration moves with the ruleset.
func TestReadPulse(t *testing.T) {
	netnstest.RequireRoot(t)
	ns := netnstest.New(t, "pulse")
	var sess Session
	defer sess.Close()
	socks := &sess.Sockets
	read := func() (p Pulse) {
		t.Helper()
		ns.Do(func() { p = ReadPulse(socks, 0) })
		if p.CTErr != nil || p.StatsErr != nil {
			t.Fatalf("pulse: conntrack %v, counters %v", p.CTErr, p.StatsErr)
		}
		return p
	}
	gen := func() (g uint32) {
		t.Helper()
		var ok bool
		ns.Do(func() { g, ok = RulesetGeneration(socks) })
		if !ok {
			t.Fatal("nf_tables did not tell its generation")
		}
		return g
	}
	first, firstGen := read(), gen()
	if first.Conntrack.Max == 0 || first.Conntrack.Entries != 0 {
		t.Fatalf("new namespace: %d entries of %d, want 0 of a maximum", first.Conntrack.Entries, first.Conntrack.Max)
	}
	if again := gen(); again != firstGen {
		t.Errorf("unchanged ruleset: generation %d -> %d", firstGen, again)
	}

	ns.Run("nft", "add table inet pulse")
	ns.Run("conntrack", "-I", "-p", "tcp", "-s", "192.0.2.1", "-d", "198.51.100.7", "--sport", "40001", "--dport", "443",
		"--state", "ESTABLISHED", "--timeout", "600")
	p := read()
	if g := gen(); g == firstGen {
		t.Errorf("a table added: generation still %d", g)
	}
	if p.Conntrack.Entries != 1 {
		t.Errorf("one entry inserted: pulse counts %d", p.Conntrack.Entries)
	}
	root := sweepRoot(t, 0)
	var s facts.Snapshot
	var err error
	ns.Do(func() {
		s, err = Gather(Options{Env: testEnv(t, root), Lenient: true, CTDump: CTDumpNever, CTPrev: &CTSample{}, Session: &sess})
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.Conntrack.Max != p.Conntrack.Max || s.Conntrack.Entries != p.Conntrack.Entries {
		t.Errorf("pulse %d of %d, full probe %d of %d", p.Conntrack.Entries, p.Conntrack.Max, s.Conntrack.Entries, s.Conntrack.Max)
	}
	// The reads above went through the one descriptor the sockets keep
	// (pread at 0 sees the table as it is now), and agree with ctnetlink
	// (kernels without the file); a maximum the caller knows is taken as
	// it is.
	var nl Pulse
	ns.Do(func() {
		k := socks.take()
		defer k.done()
		if !k.statOpen {
			t.Fatalf("%s not kept open: the pulse asked ctnetlink", statFile)
		}
		if pp, ok := k.readPulseProc(12345); !ok || pp.Conntrack.Max != 12345 || pp.Conntrack.Entries != 1 {
			t.Errorf("pulse with a known maximum: %d of %d (%v), want 1 of 12345", pp.Conntrack.Entries, pp.Conntrack.Max, ok)
		}
		ctc, err := k.conntrack()
		if err != nil {
			t.Fatal(err)
		}
		nl.Conntrack, nl.CTErr = readConntrackSize(ctc)
	})
	if nl.CTErr != nil || nl.Conntrack.Entries != p.Conntrack.Entries || nl.Conntrack.Max != p.Conntrack.Max {
		t.Errorf("ctnetlink %d of %d (%v), /proc %d of %d", nl.Conntrack.Entries, nl.Conntrack.Max, nl.CTErr, p.Conntrack.Entries, p.Conntrack.Max)
	}
}
