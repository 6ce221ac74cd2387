package daemon

import (
	"sync"

	"github.com/netfix/netfix/src/internal/metrics"
	"github.com/netfix/netfix/src/internal/status"
)

// journal keeps the newest heal events, newest first, and the totals:
// repairs and manual flushes in events, the conntrack table's events
// (status.IsTableEvent) apart in table, so a table warning is never
// shown or counted as a repair.
type journal struct {
	// mu guards every field; the events loop (repairs, flushes), the
	// prober (conntrack table events) and the server (status, history,
	// metrics) take it, each for a copy or an append, never across a
	// probe or a delete pass.
	mu     sync.Mutex
	events []status.Event
	table  []status.Event
	// counts holds only the totals of a status.Heal (EventsTotal,
	// Repairs, ManualFlushes, FlowsDeleted, TableEventsTotal).
	counts status.Heal
	// metrics counts every event for the metrics (nil: not counted).
	metrics *metrics.Counters
}

func (j *journal) add(e status.Event) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.counts.Count(e)
	j.metrics.Event(e)
	list := &j.events
	if status.IsTableEvent(e) {
		list = &j.table
	}
	*list = append([]status.Event{e}, *list...)
	if len(*list) > status.MaxEvents {
		*list = (*list)[:status.MaxEvents]
	}
}

// tableEvents returns the table's events, newest first, and their total.
func (j *journal) tableEvents() ([]status.Event, uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]status.Event{}, j.table...), j.counts.TableEventsTotal
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
