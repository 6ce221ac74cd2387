package daemon

import (
	"testing"
	"time"
)

func TestResyncSchedule(t *testing.T) {
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	sweep := 30 * time.Second
	for _, tc := range []struct {
		name     string
		complete bool
		after    time.Duration // from the end of the last resync to the sweep
		due      bool
	}{
		{"complete: the next sweep does not", true, sweep, false},
		{"complete: a sweep just before ten minutes does not", true, resyncEvery - time.Second, false},
		{"complete: the sweep at ten minutes does", true, resyncEvery, true},
		{"complete: a late sweep does", true, resyncEvery + sweep, true},
		{"interrupted: the next sweep does", false, sweep, true},
		{"interrupted: even at once", false, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next := nextResync(at, tc.complete)
			if got := resyncDue(at.Add(tc.after), next); got != tc.due {
				t.Errorf("resyncDue(+%v) = %v, want %v (next resync %v)", tc.after, got, tc.due, next)
			}
		})
	}
	// A daemon that has not resynced yet (zero time) resyncs at once.
	if !resyncDue(at, time.Time{}) {
		t.Error("resyncDue with no resync yet = false, want true")
	}
}
