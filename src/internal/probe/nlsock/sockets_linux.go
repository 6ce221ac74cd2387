//go:build linux

package nlsock

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
// descriptor of the pulse's /proc file (ct.ReadPulse). The daemon
// keeps one set open between its sweeps (probe.Session): opened afresh,
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
	// statFD is statPath, open while statOpen (ProcFile): the pulse
	// preads it every sweep.
	statFD   int
	statOpen bool
	statPath string
}

// Take starts a probe's use of s; nil gives a set of the probe's own.
// The caller defers Done.
func (s *Sockets) Take() *Sockets {
	if s == nil {
		return &Sockets{owned: true}
	}
	s.mu.Lock()
	return s
}

// Done ends the probe's use: a set of its own, or one a request failed
// on, is closed.
func (s *Sockets) Done() {
	if s.owned || s.failed {
		s.close()
		s.failed = false
	}
	if !s.owned {
		s.mu.Unlock()
	}
}

// Fail marks the set for closing at the end of the probe: a request
// through one of its sockets failed.
func (s *Sockets) Fail() { s.failed = true }

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
	s.CloseProcFile()
}

// Conntrack returns the ctnetlink socket, opening it when needed.
func (s *Sockets) Conntrack() (*conntrack.Conn, error) {
	if s.ct == nil {
		c, err := conntrack.Dial(nil)
		if err != nil {
			return nil, err
		}
		s.ct = c
	}
	return s.ct, nil
}

// Netfilter returns the nfnetlink socket, opening it when needed.
func (s *Sockets) Netfilter() (*netfilter.Conn, error) {
	if s.nf == nil {
		c, err := netfilter.Dial(nil)
		if err != nil {
			return nil, err
		}
		s.nf = c
	}
	return s.nf, nil
}

// Route returns the rtnetlink handle, opening it when needed. NETLINK_ROUTE
// only: with no argument NewHandle also opens NETLINK_XFRM, which fails
// (EPROTONOSUPPORT) wherever the xfrm_user module is not loaded: most
// OpenWrt images, and Debian's kernel in the flowtable VM (test/vm).
func (s *Sockets) Route() (*netlink.Handle, error) {
	if s.rt == nil {
		h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
		if err != nil {
			return nil, err
		}
		s.rt = h
	}
	return s.rt, nil
}

// ProcFile returns a descriptor of the /proc file at path, opened the
// first time and kept with the sockets, for a reader that preads it at
// every sweep (the pulse). One file is kept: asking for another path
// closes the one kept.
func (s *Sockets) ProcFile(path string) (int, error) {
	if s.statOpen && s.statPath != path {
		s.CloseProcFile()
	}
	if !s.statOpen {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return -1, err
		}
		s.statFD, s.statOpen, s.statPath = fd, true, path
	}
	return s.statFD, nil
}

// CloseProcFile closes the descriptor ProcFile keeps, if open: the
// file went away or could not be read whole.
func (s *Sockets) CloseProcFile() {
	if s.statOpen {
		_ = unix.Close(s.statFD)
		s.statOpen = false
	}
}

// Held tells which sockets and files are open now, opening none: what
// the tests of the sockets' reuse look at.
func (s *Sockets) Held() Held {
	return Held{CT: s.ct, NF: s.nf, RT: s.rt, ProcFile: s.statOpen}
}

// Held is what Sockets.Held reports: the sockets (nil when closed) and
// whether the /proc descriptor is open.
type Held struct {
	CT       *conntrack.Conn
	NF       *netfilter.Conn
	RT       *netlink.Handle
	ProcFile bool
}
