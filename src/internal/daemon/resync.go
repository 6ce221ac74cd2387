package daemon

import "time"

// resyncEvery is how often a sweep compares the tracker with full dumps of
// the neighbour and FDB tables when nothing asked for one sooner. The
// subscription delivers every change, the kernel's deletes on ageing and
// garbage collection included, and an overrun ends it (the resubscribe
// resyncs at once), so the periodic dump is a safety net. Run at every
// sweep, it cost an idle router three sockets, three dumps and about
// 200 KB of garbage a sweep.
const resyncEvery = 10 * time.Minute

// nextResync is when the sweeps resync again after one that ended at at:
// resyncEvery later, or at the next sweep when a table changing under a
// dump interrupted it (it pruned nothing then).
func nextResync(at time.Time, complete bool) time.Time {
	if !complete {
		return at
	}
	return at.Add(resyncEvery)
}

// resyncDue says whether a sweep at now resyncs.
func resyncDue(now, next time.Time) bool {
	return !now.Before(next)
}
