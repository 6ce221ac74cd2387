package daemon

import (
	"sync"
	"time"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/metrics"
	"github.com/netfix/netfix/src/internal/probe"
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
// the number of links (an entry goes with RTM_DELNETCONF). mu guards every
// field; the forwarding watcher (values, restores, events), the prober
// and status reads (window, events) take it, each for a few map or slice
// operations, never across a probe.
type fwState struct {
	mu       sync.Mutex
	values   map[fwKey]bool
	restores map[string][]time.Time   // guard restores per interface, within guardWindow
	events   []status.ForwardingEvent // newest first, at most status.MaxEvents
	// window is the drop counters as sweeps and status reads sampled
	// them, for their growth over the last seconds.
	window sampleWindow[facts.ForwardingCounters]
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

// A status read measures the drop counters' growth over the last few
// seconds, as `netfix check` does over its own 2 s sample: the sweeps probe
// only every sweep_interval (up to an hour), and a status document whose
// counters are a sweep old said "WARNING +0" while forwarded packets were
// being dropped and the check said "CRITICAL +10". The counters are cheap
// to read (/proc/net/snmp and snmp6; conntrack's per-CPU statistics), so
// every status read samples them (serve_linux.go: liveCounters,
// liveConntrack).
const (
	// windowMin is the shortest span a growth is measured over, when an
	// older sample exists: the one-shot check's ForwardingSample.
	windowMin = 2 * time.Second
	// windowStep: a sample is kept only when the newest kept one is at
	// least this old, so a burst of reads keeps one sample a second.
	windowStep = time.Second
	// windowSamples bounds the kept samples (the oldest goes first).
	windowSamples = 8
)

type sample[T any] struct {
	at time.Time
	v  T
}

// sampleWindow is the last samples of a set of counters, oldest first, at
// most windowSamples, windowStep apart at least.
type sampleWindow[T any] struct {
	samples []sample[T]
}

// add keeps a sample taken at at, unless the newest kept one is younger
// than windowStep; a clock that went back starts the window afresh.
func (w *sampleWindow[T]) add(at time.Time, v T) {
	if n := len(w.samples); n > 0 {
		last := w.samples[n-1].at
		if at.Before(last) {
			w.samples = w.samples[:0]
		} else if at.Sub(last) < windowStep {
			return
		}
	}
	if len(w.samples) == windowSamples {
		copy(w.samples, w.samples[1:])
		w.samples = w.samples[:windowSamples-1]
	}
	w.samples = append(w.samples, sample[T]{at, v})
}

// base is the sample a reading at at is measured against: the newest kept
// one at least windowMin before at, or else the oldest kept one before
// at. It returns that sample and the whole seconds between the two (at
// least 1); ok is false when no sample precedes at.
func (w *sampleWindow[T]) base(at time.Time) (v T, seconds float64, ok bool) {
	var b *sample[T]
	for i := range w.samples {
		s := &w.samples[i]
		if !s.at.Before(at) {
			break
		}
		if b == nil || at.Sub(s.at) >= windowMin {
			b = s
		}
	}
	if b == nil {
		return v, 0, false
	}
	seconds = at.Sub(b.at).Round(time.Second).Seconds()
	if seconds < 1 {
		seconds = 1
	}
	return b.v, seconds, true
}

// growForwarding fills c's growth fields from w's base for at (ok false:
// no base, c unchanged).
func growForwarding(w *sampleWindow[facts.ForwardingCounters], at time.Time, c facts.ForwardingCounters) (facts.ForwardingCounters, bool) {
	b, secs, ok := w.base(at)
	if !ok {
		return c, false
	}
	probe.Grow(b, &c, secs)
	return c, true
}
