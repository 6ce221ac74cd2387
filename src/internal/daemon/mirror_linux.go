//go:build linux

// This file catches connections that conntrack tracks twice (scenario S4)
// as they happen: the second entry lives only milliseconds (the client's
// RST kills it), so a periodic dump almost never sees it. While the last
// sweep found an exposed bridge layout, the daemon listens to conntrack NEW
// events, and for each candidate asks the kernel for the entry whose
// original tuple is the candidate's reversed. It only observes: it never
// deletes an entry, and never applies the fix.

package daemon

import (
	"net/netip"
	"sync"
	"time"

	"github.com/ti-mo/conntrack"
	"github.com/ti-mo/netfilter"

	"github.com/netfix/netfix/src/internal/facts"
)

// mirrorWatch owns the NEW-event listener. pairs holds at most maxMirrors
// entries, newest first; the oldest is evicted. mu guards every field but
// spawn; the prober (update, stop at its end), the listener goroutine
// (check) and status reads (recent) take it, never across a netlink call
// but the listener's start and stop.
type mirrorWatch struct {
	// spawn runs the listener goroutine under Run's errgroup (nil: a
	// plain goroutine); set before the prober starts.
	spawn  func(func())
	mu     sync.Mutex
	hosts  map[netip.Addr]bool
	listen *conntrack.Conn // nil while no layout is exposed
	query  *conntrack.Conn
	done   chan struct{} // closed by stop: ends the reader goroutine
	pairs  []facts.MirrorPair
	total  uint64
}

// update starts or stops listening after a sweep: on while some layout is
// exposed, off otherwise, so ordinary hosts pay nothing.
func (m *mirrorWatch) update(b facts.BridgeNF, log *logger) {
	hosts := exposedHosts(b)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.hosts = hosts
	switch {
	case len(hosts) > 0 && m.listen == nil:
		if err := m.startLocked(log); err != nil {
			log.Warnf("conntrack events for the bridge layout that can track connections twice: %v", err)
		}
	case len(hosts) == 0 && m.listen != nil:
		m.stopLocked()
	}
}

func (m *mirrorWatch) startLocked(log *logger) error {
	listen, err := conntrack.Dial(nil)
	if err != nil {
		return err
	}
	query, err := conntrack.Dial(nil)
	if err != nil {
		listen.Close()
		return err
	}
	events := make(chan conntrack.Event, 256)
	errs, err := listen.Listen(events, 1, []netfilter.NetlinkGroup{netfilter.GroupCTNew})
	if err != nil {
		listen.Close()
		query.Close()
		return err
	}
	m.listen, m.query, m.done = listen, query, make(chan struct{})
	log.Infof("watching conntrack for connections tracked twice (hosts %v)", keysOf(m.hosts))
	done := m.done
	run := func() { m.run(events, errs, query, done, log) }
	if m.spawn != nil {
		m.spawn(run)
	} else {
		go run()
	}
	return nil
}

func (m *mirrorWatch) run(events <-chan conntrack.Event, errs <-chan error, query *conntrack.Conn, done <-chan struct{}, log *logger) {
	for {
		select {
		case <-done:
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			if ev.Type == conntrack.EventNew && ev.Flow != nil {
				m.check(*ev.Flow, query, log)
			}
		case err, ok := <-errs:
			if !ok {
				return
			}
			// ENOBUFS after a burst: events were lost; the next ones still
			// come, and the counters in netfix check cover the gap.
			log.Debugf("conntrack event listener: %v", err)
		}
	}
}

func (m *mirrorWatch) check(f conntrack.Flow, query *conntrack.Conn, log *logger) {
	m.mu.Lock()
	hosts := m.hosts
	m.mu.Unlock()
	if !mirrorCandidate(f, hosts) {
		return
	}
	first, err := query.Get(reversed(f))
	if err != nil {
		return // no such entry: not a mirror (or already gone)
	}
	p, ok := mirrorPair(first, f, time.Now())
	if !ok {
		return
	}
	m.mu.Lock()
	m.total++
	m.pairs = append([]facts.MirrorPair{p}, m.pairs...)
	if len(m.pairs) > maxMirrors {
		m.pairs = m.pairs[:maxMirrors]
	}
	n := m.total
	m.mu.Unlock()
	log.Warnf("connection tracked twice: %s mirrors %s, reply port rewritten to %d (%d so far); `netfix fix list` offers the notrack rule", p.Second, p.First, p.RewrittenPort, n)
}

// recent returns the kept pairs, newest first.
func (m *mirrorWatch) recent() []facts.MirrorPair {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]facts.MirrorPair(nil), m.pairs...)
}

func (m *mirrorWatch) stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stopLocked()
}

func (m *mirrorWatch) stopLocked() {
	if m.listen != nil {
		close(m.done)
		m.listen.Close()
		m.query.Close()
		m.listen, m.query = nil, nil
	}
}

func keysOf(m map[netip.Addr]bool) []netip.Addr {
	out := make([]netip.Addr, 0, len(m))
	for a := range m {
		out = append(out, a)
	}
	return out
}
