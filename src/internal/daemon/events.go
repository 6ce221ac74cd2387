package daemon

import (
	"sync"

	"github.com/netfix/netfix/src/internal/metrics"
	"github.com/netfix/netfix/src/internal/status"
)

// journal keeps the newest heal events, newest first, and the totals.
type journal struct {
	mu     sync.Mutex
	events []status.Event
	// counts holds only the totals of a status.Heal (EventsTotal,
	// Repairs, ManualFlushes, FlowsDeleted).
	counts status.Heal
	// metrics counts every event for the metrics (nil: not counted).
	metrics *metrics.Counters
}

func (j *journal) add(e status.Event) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.counts.Count(e)
	j.metrics.Event(e)
	j.events = append([]status.Event{e}, j.events...)
	if len(j.events) > status.MaxEvents {
		j.events = j.events[:status.MaxEvents]
	}
}

// last returns up to n newest events (all kept ones when n <= 0).
func (j *journal) last(n int) ([]status.Event, uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if n <= 0 || n > len(j.events) {
		n = len(j.events)
	}
	out := make([]status.Event, n)
	copy(out, j.events[:n])
	return out, j.counts.EventsTotal
}

func (j *journal) totals() (uint64, uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.counts.EventsTotal, j.counts.FlowsDeleted
}

// split returns the repairs and the manual flushes among the events.
func (j *journal) split() (repairs, manual uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.counts.Repairs, j.counts.ManualFlushes
}
