//go:build linux

package probe

import (
	"sync"

	"github.com/ti-mo/conntrack"
	"github.com/ti-mo/netfilter"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Sockets are the netlink sockets a probe asks through: ctnetlink (the
// table's statistics), nfnetlink (the ruleset's generation, the
// cttimeout policies) and rtnetlink (links and addresses), and the
// descriptor of the pulse's /proc file (ReadPulse). The daemon
// keeps one set open between its sweeps (Options.Sockets): opened afresh,
// they cost every sweep five sockets, each with a bind, a netpoller
// registration and a random source, on a router that is otherwise idle.
// Without a set, a probe opens its own and closes them when it is done.
//
// A probe holds the set for its whole run, so two probes (a refresh after
// a repair, during a sweep) take turns. After a request through a kept
// socket fails, the probe closes the set: the next one opens new sockets,
// so a socket left with a half-read reply is never asked again.
type Sockets struct {
	mu     sync.Mutex
	ct     *conntrack.Conn
	nf     *netfilter.Conn
	rt     *netlink.Handle
	failed bool // a request failed during the current probe
	owned  bool // opened for one probe: closed at its end
	// statFD is statFile, open while statOpen: the pulse reads it with
	// pread (pulse_linux.go).
	statFD   int
	statOpen bool
}

// take starts a probe's use of s; nil gives a set of the probe's own.
// The caller defers done.
func (s *Sockets) take() *Sockets {
	if s == nil {
		return &Sockets{owned: true}
	}
	s.mu.Lock()
	return s
}

// done ends the probe's use: a set of its own, or one a request failed
// on, is closed.
func (s *Sockets) done() {
	if s.owned || s.failed {
		s.close()
		s.failed = false
	}
	if !s.owned {
		s.mu.Unlock()
	}
}

// fail marks the set for closing at the end of the probe.
func (s *Sockets) fail() { s.failed = true }

// Close releases the sockets; the daemon calls it when it stops.
func (s *Sockets) Close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.close()
}

func (s *Sockets) close() {
	if s.ct != nil {
		_ = s.ct.Close()
		s.ct = nil
	}
	if s.nf != nil {
		_ = s.nf.Close()
		s.nf = nil
	}
	if s.rt != nil {
		s.rt.Close()
		s.rt = nil
	}
	s.closeStat()
}

// conntrack returns the ctnetlink socket, opening it when needed.
func (s *Sockets) conntrack() (*conntrack.Conn, error) {
	if s.ct == nil {
		c, err := conntrack.Dial(nil)
		if err != nil {
			return nil, err
		}
		s.ct = c
	}
	return s.ct, nil
}

// netfilter returns the nfnetlink socket, opening it when needed.
func (s *Sockets) netfilter() (*netfilter.Conn, error) {
	if s.nf == nil {
		c, err := netfilter.Dial(nil)
		if err != nil {
			return nil, err
		}
		s.nf = c
	}
	return s.nf, nil
}

// route returns the rtnetlink handle, opening it when needed. NETLINK_ROUTE
// only: with no argument NewHandle also opens NETLINK_XFRM, which fails
// (EPROTONOSUPPORT) wherever the xfrm_user module is not loaded: most
// OpenWrt images, and Debian's kernel in the flowtable VM (test/vm).
func (s *Sockets) route() (*netlink.Handle, error) {
	if s.rt == nil {
		h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
		if err != nil {
			return nil, err
		}
		s.rt = h
	}
	return s.rt, nil
}
