package daemon

import (
	"sync"
	"time"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/metrics"
	"github.com/netfix/netfix/src/internal/status"
)

// Netconf interface indexes for the global switches (include/uapi/linux/
// netconf.h).
const (
	netconfAll     = -1 // NETCONFA_IFINDEX_ALL: net.ipv4.conf.all / ip_forward
	netconfDefault = -2 // NETCONFA_IFINDEX_DEFAULT
)

// guardBurst restores of one interface are allowed per guardWindow: a
// manager that keeps writing 0 (networkd re-applying a link) must not turn
// the guard into a write loop; after that the finding stands alone.
const (
	guardBurst  = 5
	guardWindow = time.Minute
)

// fwKey names one forwarding switch.
type fwKey struct {
	family string // "ipv4", "ipv6"
	index  int32  // ifindex, netconfAll or netconfDefault
}

// fwState is what the daemon knows of the forwarding switches: the last
// value of each, so a notification becomes an old → new change. Bounded by
// the number of links (an entry goes with RTM_DELNETCONF).
type fwState struct {
	mu       sync.Mutex
	values   map[fwKey]bool
	restores map[string][]time.Time   // guard restores per interface, within guardWindow
	events   []status.ForwardingEvent // newest first, at most status.MaxEvents
	// counters and countersAt are the last sweep's drop counters, for
	// their growth between sweeps.
	counters   facts.ForwardingCounters
	countersAt time.Time
	// metrics counts every flip for the metrics (nil: not counted).
	metrics *metrics.Counters
}

func newFwState() *fwState {
	return &fwState{values: map[fwKey]bool{}, restores: map[string][]time.Time{}}
}

// seed records a value read at start or from a new link's first message,
// without an event.
func (s *fwState) seed(k fwKey, v bool) {
	s.mu.Lock()
	s.values[k] = v
	s.mu.Unlock()
}

func (s *fwState) forget(k fwKey) {
	s.mu.Lock()
	delete(s.values, k)
	s.mu.Unlock()
}

// change records a notified value and reports the old one and whether it
// is a change of a value known before (a new link's first message is not).
func (s *fwState) change(k fwKey, v bool) (old bool, changed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, known := s.values[k]
	s.values[k] = v
	return old, known && old != v
}

// shouldRestore is the guard's decision: an IPv4 interface that was
// forwarding flipped to 0 while global forwarding stays on, within the
// burst. The guard never enables forwarding that was never on, and leaves
// the global switches to whoever set them.
func (s *fwState) shouldRestore(k fwKey, name string, old, new bool, now time.Time) bool {
	if k.family != "ipv4" || k.index <= 0 || !old || new {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.values[fwKey{"ipv4", netconfAll}] {
		return false
	}
	var recent []time.Time
	for _, t := range s.restores[name] {
		if now.Sub(t) < guardWindow {
			recent = append(recent, t)
		}
	}
	if len(recent) >= guardBurst {
		s.restores[name] = recent
		return false
	}
	s.restores[name] = append(recent, now)
	return true
}

// record keeps an event, newest first, capped at status.MaxEvents.
func (s *fwState) record(e status.ForwardingEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.metrics.Forwarding(e)
	s.events = append([]status.ForwardingEvent{e}, s.events...)
	if len(s.events) > status.MaxEvents {
		s.events = s.events[:status.MaxEvents]
	}
}

// Events returns the kept events, newest first.
func (s *fwState) Events() []status.ForwardingEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]status.ForwardingEvent(nil), s.events...)
}
