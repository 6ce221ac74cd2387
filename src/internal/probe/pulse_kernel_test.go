//go:build linux && kernel

package probe

import (
	"testing"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/netnstest"
)

// TestPulseMatchesGather: the pulse the daemon reads between full probes,
// through the session's sockets, counts the table as the full probe does.
func TestPulseMatchesGather(t *testing.T) {
	netnstest.RequireRoot(t)
	ns := netnstest.New(t, "pulse")
	var sess Session
	defer sess.Close()
	ns.Run("conntrack", "-I", "-p", "tcp", "-s", "192.0.2.1", "-d", "198.51.100.7", "--sport", "40001", "--dport", "443",
		"--state", "ESTABLISHED", "--timeout", "600")
	var p Pulse
	ns.Do(func() { p = ReadPulse(&sess.Sockets, 0) })
	if p.CTErr != nil || p.StatsErr != nil {
		t.Fatalf("pulse: conntrack %v, counters %v", p.CTErr, p.StatsErr)
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
}
