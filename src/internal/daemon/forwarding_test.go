package daemon

import (
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/report"
	"github.com/netfix/netfix/src/internal/status"
)

func TestForwardingGuardDecisions(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 14, 3, 12, 0, time.UTC)
	eno1 := fwKey{"ipv4", 2}
	tests := []struct {
		name     string
		global   bool
		key      fwKey
		old, new bool
		want     bool
	}{
		{"uplink flipped off while forwarding globally: restore", true, eno1, true, false, true},
		{"global forwarding off: leave it", false, eno1, true, false, false},
		{"was never on: never enable", true, eno1, false, false, false},
		{"switched on: nothing to do", true, eno1, false, true, false},
		{"global switch itself: not the guard's business", true, fwKey{"ipv4", netconfAll}, true, false, false},
		{"IPv6 per-interface: gates nothing", true, fwKey{"ipv6", 2}, true, false, false},
	}
	for _, tc := range tests {
		s := newFwState()
		s.seed(fwKey{"ipv4", netconfAll}, tc.global)
		if got := s.shouldRestore(tc.key, "eno1", tc.old, tc.new, now); got != tc.want {
			t.Errorf("%s: shouldRestore = %v, want %v", tc.name, got, tc.want)
		}
	}

	// A manager that keeps writing 0 gets guardBurst restores a window.
	s := newFwState()
	s.seed(fwKey{"ipv4", netconfAll}, true)
	n := 0
	for i := 0; i < 3*guardBurst; i++ {
		if s.shouldRestore(eno1, "eno1", true, false, now.Add(time.Duration(i)*time.Second)) {
			n++
		}
	}
	if n != guardBurst {
		t.Errorf("%d restores within a minute, want %d", n, guardBurst)
	}
	if !s.shouldRestore(eno1, "eno1", true, false, now.Add(guardWindow+time.Minute)) {
		t.Error("no restore after the window passed")
	}
}

func TestForwardingChange(t *testing.T) {
	t.Parallel()
	s := newFwState()
	k := fwKey{"ipv4", 7}
	if _, changed := s.change(k, true); changed {
		t.Error("a new link's first message is not a change")
	}
	if old, changed := s.change(k, false); !changed || !old {
		t.Errorf("1 -> 0: old %v changed %v", old, changed)
	}
	if _, changed := s.change(k, false); changed {
		t.Error("the same value again is not a change")
	}
	for i := 0; i < status.MaxEvents+5; i++ {
		s.record(status.ForwardingEvent{Interface: "eno1"})
	}
	if len(s.Events()) != status.MaxEvents {
		t.Errorf("%d events kept, want %d", len(s.Events()), status.MaxEvents)
	}
	line := report.ForwardingEventLine(status.ForwardingEvent{Time: time.Date(2026, 11, 22, 14, 3, 12, 345e6, time.UTC), Family: "ipv4", Interface: "eno1", Old: true, Restored: true})
	if want := "14:03:12.345 forwarding ipv4 on eno1: 1 -> 0, restored to 1 by forwarding_guard"; line != want {
		t.Errorf("event line %q, want %q", line, want)
	}
}
