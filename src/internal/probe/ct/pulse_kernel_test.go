//go:build linux && kernel

package ct

import (
	"testing"

	"github.com/netfix/netfix/src/internal/netnstest"
	"github.com/netfix/netfix/src/internal/probe/nlsock"
)

// TestReadPulse: the pulse sees what the daemon's sweeps act on without a
// full probe, the table's size and its counters, the same as ctnetlink
// reports them (what the full probe reads: ReadSize).
func TestReadPulse(t *testing.T) {
	netnstest.RequireRoot(t)
	ns := netnstest.New(t, "pulse")
	var socks nlsock.Sockets
	defer socks.Close()
	read := func() (p Pulse) {
		t.Helper()
		ns.Do(func() { p = ReadPulse(&socks, 0) })
		if p.CTErr != nil || p.StatsErr != nil {
			t.Fatalf("pulse: conntrack %v, counters %v", p.CTErr, p.StatsErr)
		}
		return p
	}
	first := read()
	if first.Conntrack.Max == 0 || first.Conntrack.Entries != 0 {
		t.Fatalf("new namespace: %d entries of %d, want 0 of a maximum", first.Conntrack.Entries, first.Conntrack.Max)
	}

	ns.Run("conntrack", "-I", "-p", "tcp", "-s", "192.0.2.1", "-d", "198.51.100.7", "--sport", "40001", "--dport", "443",
		"--state", "ESTABLISHED", "--timeout", "600")
	p := read()
	if p.Conntrack.Entries != 1 {
		t.Errorf("one entry inserted: pulse counts %d", p.Conntrack.Entries)
	}
	// The reads above went through the one descriptor the sockets keep
	// (pread at 0 sees the table as it is now), and agree with ctnetlink
	// (kernels without the file); a maximum the caller knows is taken as
	// it is.
	var nl Pulse
	ns.Do(func() {
		k := socks.Take()
		defer k.Done()
		if !k.Held().ProcFile {
			t.Fatalf("%s not kept open: the pulse asked ctnetlink", statFile)
		}
		if pp, ok := readPulseProc(k, 12345); !ok || pp.Conntrack.Max != 12345 || pp.Conntrack.Entries != 1 {
			t.Errorf("pulse with a known maximum: %d of %d (%v), want 1 of 12345", pp.Conntrack.Entries, pp.Conntrack.Max, ok)
		}
		ctc, err := k.Conntrack()
		if err != nil {
			t.Fatal(err)
		}
		nl.Conntrack, nl.CTErr = ReadSize(ctc)
	})
	if nl.CTErr != nil || nl.Conntrack.Entries != p.Conntrack.Entries || nl.Conntrack.Max != p.Conntrack.Max {
		t.Errorf("ctnetlink %d of %d (%v), /proc %d of %d", nl.Conntrack.Entries, nl.Conntrack.Max, nl.CTErr, p.Conntrack.Entries, p.Conntrack.Max)
	}
}
