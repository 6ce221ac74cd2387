package heal

import (
	"net/netip"
	"time"
)

// Limiter allows at most Burst repairs of one host per Window. Its map
// holds only hosts repaired within the last Window, and is pruned of the
// others whenever it passes MaxHosts. Two devices
// fighting over one IP (an ARP flap) would otherwise make the daemon delete
// that host's flows in a loop.
type Limiter struct {
	Burst  int
	Window time.Duration
	seen   map[netip.Addr][]time.Time
}

// NewLimiter returns a limiter; burst <= 0 disables limiting.
func NewLimiter(burst int, window time.Duration) *Limiter {
	return &Limiter{Burst: burst, Window: window, seen: map[netip.Addr][]time.Time{}}
}

// Allow records a repair of ip at now and reports whether it may go ahead.
func (l *Limiter) Allow(ip netip.Addr, now time.Time) bool {
	if l.Burst <= 0 {
		return true
	}
	times := l.seen[ip]
	kept := times[:0]
	for _, t := range times {
		if now.Sub(t) < l.Window {
			kept = append(kept, t)
		}
	}
	if len(kept) >= l.Burst {
		l.seen[ip] = kept
		return false
	}
	l.seen[ip] = append(kept, now)
	if len(l.seen) > MaxHosts {
		l.prune(now)
	}
	return true
}

func (l *Limiter) prune(now time.Time) {
	for ip, times := range l.seen {
		if len(times) == 0 || now.Sub(times[len(times)-1]) >= l.Window {
			delete(l.seen, ip)
		}
	}
}
