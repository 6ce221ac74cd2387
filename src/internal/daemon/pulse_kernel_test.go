package daemon_test

import (
	"strings"
	"testing"
	"time"
)

// TestSweepProbesFullyOnChange: between full probes the sweeps read only
// the pulse; a ruleset change makes the next sweep probe fully, and a
// status read of a snapshot older than the sweep interval gets a fresh
// one from the next read on.
func TestSweepProbesFullyOnChange(t *testing.T) {
	r := newRig(t) // sweep_interval 5 s, debug log
	r.start()
	const quiet = "sweep: pulse unchanged"
	r.waitLogFor(quiet, 12*time.Second)
	if full := strings.Count(r.log.String(), "sweep: full probe"); full != 0 {
		t.Fatalf("sweeps with nothing changed probed fully %d times:\n%s", full, r.log.String())
	}

	r.ns.Run("nft", "add table inet netfix_pulse_test")
	r.waitLogFor("sweep: full probe (ruleset changed)", 12*time.Second)
	probedAt := time.Now()

	generated := func() time.Time {
		t.Helper()
		at, err := time.Parse(time.RFC3339Nano, r.rpc("status", "{}")["generated_at"].(string))
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	// Past the interval with pulses only: the status is old, and reading
	// it asks for a refresh.
	time.Sleep(time.Until(probedAt.Add(6 * time.Second)))
	old := generated()
	if time.Since(old) < 5*time.Second {
		t.Fatalf("status generated %s ago after pulse-only sweeps, want older than the 5 s interval", time.Since(old))
	}
	deadline := time.Now().Add(3 * time.Second)
	for generated().Equal(old) {
		if time.Now().After(deadline) {
			t.Fatalf("status still generated at %s, 3 s after a read found it older than the sweep interval", old)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
