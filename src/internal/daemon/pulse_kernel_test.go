//go:build kernel

package daemon_test

import (
	"strings"
	"testing"
	"time"
)

// TestSweepProbesFullyOnChange: between full probes the sweeps read only
// the pulse, a ruleset change included; a status read gets a fresh
// snapshot from the next read on when its own is older than the sweep
// interval or older than a ruleset change, and a repair decision on a
// link found not stale-prone probes afresh first when the ruleset moved.
func TestSweepProbesFullyOnChange(t *testing.T) {
	r := newRig(t) // sweep_interval 5 s, debug log
	r.neigh("192.168.1.240", macA, "reachable")
	r.start()
	started := time.Now()
	const quiet = "sweep: pulse unchanged"
	r.waitLogFor(quiet, 12*time.Second)

	generated := func() time.Time {
		t.Helper()
		at, err := time.Parse(time.RFC3339Nano, r.rpc("status", "{}")["generated_at"].(string))
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	// newer waits up to 3 s for a status generated after old.
	newer := func(old time.Time, why string) time.Time {
		t.Helper()
		deadline := time.Now().Add(3 * time.Second)
		for {
			at := generated()
			if at.After(old) {
				return at
			}
			if time.Now().After(deadline) {
				t.Fatalf("status still generated at %s, 3 s after a read %s", old, why)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// Past the interval with pulses only: the status is old, and reading
	// it asks for a refresh.
	time.Sleep(time.Until(started.Add(6 * time.Second)))
	old := generated()
	if time.Since(old) < 5*time.Second {
		t.Fatalf("status generated %s ago after pulse-only sweeps, want older than the 5 s interval", time.Since(old))
	}
	fresh := newer(old, "found it older than the sweep interval")

	// A ruleset change: no sweep probes for it, a status read does. The
	// change must come well within the interval of the snapshot it makes
	// old, or the refresh could be the interval's: on a slow runner, take
	// the refresh that change caused as the next fresh snapshot and change
	// the ruleset again, for up to a minute.
	giveUp := time.Now().Add(time.Minute)
	for try := 0; ; try++ {
		r.ns.Run("nft", "add table inet netfix_pulse_test"+strings.Repeat("x", try))
		late := time.Since(fresh)
		fresh = newer(fresh, "after a ruleset change")
		if late <= 4*time.Second {
			break
		}
		if time.Now().After(giveUp) {
			t.Fatalf("for a minute every ruleset change came more than 4 s after the status refresh (last %s): too late to tell the ruleset's refresh from the interval's", late)
		}
	}
	r.waitLog("ruleset changed since the last probe: probing afresh")

	// A repair decision on br-lan (not stale-prone: no flowtable on this
	// kernel) after another change probes first.
	r.ns.Run("nft", "add table inet netfix_pulse_test2")
	r.neigh("192.168.1.240", macB, "reachable")
	r.waitLog("ruleset changed since the last probe: probing before the repair decision")
	r.waitLog("flows via br-lan are not stale-prone")

	// One more sweep, and none of them probed fully.
	pulses := strings.Count(r.log.String(), quiet)
	deadline := time.Now().Add(12 * time.Second)
	for strings.Count(r.log.String(), quiet) == pulses {
		if time.Now().After(deadline) {
			t.Fatalf("no sweep within 12 s:\n%s", r.log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if full := strings.Count(r.log.String(), "sweep: full probe"); full != 0 {
		t.Errorf("sweeps probed fully %d times, with only ruleset changes and status reads:\n%s", full, r.log.String())
	}
}
