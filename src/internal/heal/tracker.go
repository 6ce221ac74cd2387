package heal

import (
	"net/netip"
	"sort"
)

// Reasons for a repair, as they appear in status events.
const (
	ReasonMACChange = "mac_change"
	ReasonPortMove  = "port_move"
	ReasonFailed    = "neighbour_failed"
	ReasonReconcile = "reconcile"
	ReasonManual    = "manual"
)

// NeighMsg is one IPv4 ARP or IPv6 ND neighbour message (RTM_NEWNEIGH /
// RTM_DELNEIGH for AF_INET or AF_INET6).
type NeighMsg struct {
	Deleted   bool
	LinkIndex int
	IP        netip.Addr
	// MAC is empty while the neighbour is INCOMPLETE or FAILED.
	MAC string
	// Failed is NUD_FAILED: resolution gave up, the host does not answer.
	Failed bool
}

// FDBMsg is one bridge forwarding-database message (AF_BRIDGE), the bridge
// learning (or forgetting) on which port a MAC lives.
type FDBMsg struct {
	Deleted bool
	Bridge  int // the bridge's ifindex (NDA_MASTER)
	Port    int // the port's ifindex
	MAC     string
	VLAN    int
}

// Change is a host whose offloaded flows are now stale.
type Change struct {
	Reason    string
	LinkIndex int
	IP        netip.Addr
	OldMAC    string
	NewMAC    string
	OldPort   int
	NewPort   int
}

// Host is what the tracker remembers of one neighbour.
type Host struct {
	LinkIndex int        `json:"link"`
	IP        netip.Addr `json:"ip"`
	MAC       string     `json:"mac"`
	Failed    bool       `json:"failed,omitempty"`
	seen      uint32     // the last resync whose dump had it
}

// portEntry is the bridge port a MAC was last learned on.
type portEntry struct {
	port int
	seen uint32 // the last resync whose dump had it
}

type fdbKey struct {
	bridge int
	mac    string
	vlan   int
}

type hostKey struct {
	link int
	ip   netip.Addr
}

// MaxHosts bounds the neighbour memory: a /16 LAN scan must not grow the
// daemon without limit. Past it, forgotten (deleted) neighbours are
// dropped first.
const MaxHosts = 8192

// MaxPorts bounds the FDB memory. One LAN host sending frames from random
// source MACs makes the bridge learn each one; the tracker follows the
// bridge's deletes and ageing, and past this bound drops the entries of
// MACs no neighbour uses first (only those can never become a repair).
const MaxPorts = 16384

// Tracker remembers each neighbour's last MAC and each MAC's last bridge
// port, including after the kernel deletes them, so a host that disappears
// and comes back with a new MAC is still recognised as changed.
//
// Every map is bounded: hosts and gone by MaxHosts (evict: forgotten
// hosts first), macHosts by MaxHosts (one key per host MAC), ports by
// MaxPorts (evictPorts: MACs without a host first). A deleted FDB entry
// is kept only while a neighbour uses its MAC, and a resync forgets what
// the kernel no longer has (EndResync).
type Tracker struct {
	hosts    map[hostKey]*Host
	gone     map[hostKey]bool // deleted by the kernel, kept for comparison
	ports    map[fdbKey]portEntry
	macHosts map[string]int // how many tracked hosts use each MAC
	epoch    uint32         // the current resync (BeginResync)
	// portsHigh is the most entries ports held since it was last
	// rebuilt: a Go map keeps its memory when emptied, so after a flood
	// it is rebuilt at its new size (compactPorts).
	portsHigh int
	shrinks   uint64 // rebuilds of ports so far
	changes   uint64 // changes to what State exports (Changes)
}

// NewTracker returns an empty tracker.
func NewTracker() *Tracker {
	return &Tracker{hosts: map[hostKey]*Host{}, gone: map[hostKey]bool{}, ports: map[fdbKey]portEntry{}, macHosts: map[string]int{}}
}

// addHost and dropHost keep macHosts in step with hosts.
func (t *Tracker) addHost(k hostKey, h *Host) {
	t.hosts[k] = h
	t.macHosts[h.MAC]++
	t.changes++
}

func (t *Tracker) dropHost(k hostKey) {
	h := t.hosts[k]
	if h == nil {
		return
	}
	delete(t.hosts, k)
	delete(t.gone, k)
	t.unrefMAC(h.MAC)
	t.changes++
}

func (t *Tracker) unrefMAC(mac string) {
	if t.macHosts[mac] <= 1 {
		delete(t.macHosts, mac)
		return
	}
	t.macHosts[mac]--
}

// Neigh applies a neighbour message and returns the change it reveals.
func (t *Tracker) Neigh(m NeighMsg) (Change, bool) {
	if !m.IP.IsValid() {
		return Change{}, false
	}
	k := hostKey{m.LinkIndex, m.IP.Unmap()}
	h := t.hosts[k]
	if m.Deleted {
		if h != nil {
			t.gone[k] = true
		}
		return Change{}, false
	}
	if h == nil {
		if m.MAC == "" {
			return Change{}, false
		}
		t.evict()
		t.addHost(k, &Host{LinkIndex: m.LinkIndex, IP: k.ip, MAC: m.MAC, seen: t.epoch})
		return Change{}, false
	}
	delete(t.gone, k)
	if h.Failed != m.Failed {
		h.Failed = m.Failed
		t.changes++
	}
	h.seen = t.epoch
	if m.MAC == "" || m.MAC == h.MAC {
		// A state change (REACHABLE -> STALE ...) or a refresh.
		return Change{}, false
	}
	c := Change{Reason: ReasonMACChange, LinkIndex: m.LinkIndex, IP: k.ip, OldMAC: h.MAC, NewMAC: m.MAC}
	t.unrefMAC(h.MAC)
	h.MAC = m.MAC
	t.macHosts[h.MAC]++
	t.changes++
	return c, true
}

// FDB applies a bridge FDB message and returns one change per neighbour
// using a MAC that moved to another port of the bridge.
func (t *Tracker) FDB(m FDBMsg) []Change {
	if m.Bridge == 0 || m.MAC == "" {
		return nil
	}
	k := fdbKey{m.Bridge, m.MAC, m.VLAN}
	if m.Deleted {
		// Keep the last port of a neighbour's MAC: a flush followed by
		// learning on another port is still a move. Any other MAC can
		// never become a repair: forget it with the bridge (ageing, a
		// flood's entries expiring).
		if _, ok := t.ports[k]; ok && t.macHosts[m.MAC] == 0 {
			delete(t.ports, k)
			t.changes++
			t.compactPorts()
		}
		return nil
	}
	old, known := t.ports[k]
	if !known {
		t.evictPorts()
	}
	t.ports[k] = portEntry{port: m.Port, seen: t.epoch}
	t.portsHigh = max(t.portsHigh, len(t.ports))
	if !known || old.port != m.Port {
		t.changes++
	}
	if !known || old.port == m.Port || t.macHosts[m.MAC] == 0 {
		return nil
	}
	var out []Change
	for _, h := range t.sortedHosts() {
		if h.MAC == m.MAC {
			out = append(out, Change{Reason: ReasonPortMove, LinkIndex: h.LinkIndex, IP: h.IP, OldMAC: h.MAC, NewMAC: h.MAC, OldPort: old.port, NewPort: m.Port})
		}
	}
	return out
}

// PortOf returns the bridge port a MAC was last seen on, 0 if unknown.
func (t *Tracker) PortOf(bridge int, mac string) int {
	for k, p := range t.ports {
		if k.bridge == bridge && k.mac == mac {
			return p.port
		}
	}
	return 0
}

// Ports is the number of FDB entries remembered.
func (t *Tracker) Ports() int { return len(t.ports) }

// Len is the number of hosts tracked (present and remembered).
func (t *Tracker) Len() int { return len(t.hosts) }

// Hosts returns the tracked hosts sorted by IP, for persistence and
// reconciliation.
func (t *Tracker) Hosts() []Host {
	var out []Host
	for _, h := range t.sortedHosts() {
		out = append(out, *h)
	}
	return out
}

// FailedHosts are neighbours currently in NUD_FAILED.
func (t *Tracker) FailedHosts() []Host {
	var out []Host
	for _, h := range t.sortedHosts() {
		if h.Failed && !t.gone[hostKey{h.LinkIndex, h.IP}] {
			out = append(out, *h)
		}
	}
	return out
}

func (t *Tracker) sortedHosts() []*Host {
	out := make([]*Host, 0, len(t.hosts))
	for _, h := range t.hosts {
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].LinkIndex != out[j].LinkIndex {
			return out[i].LinkIndex < out[j].LinkIndex
		}
		return out[i].IP.Less(out[j].IP)
	})
	return out
}

// evict makes room for one more host, dropping forgotten ones first.
func (t *Tracker) evict() {
	if len(t.hosts) < MaxHosts {
		return
	}
	for k := range t.gone {
		t.dropHost(k)
		if len(t.hosts) < MaxHosts {
			return
		}
	}
	for k := range t.hosts { // still full: drop an arbitrary one
		t.dropHost(k)
		return
	}
}

// evictPorts makes room for one more FDB entry. At the bound it drops
// entries of MACs no neighbour uses down to three quarters of it (so a
// flood costs one pass per MaxPorts/4 new MACs), then, if neighbours'
// MACs alone fill it, an arbitrary one.
func (t *Tracker) evictPorts() {
	if len(t.ports) < MaxPorts {
		return
	}
	for k := range t.ports {
		if t.macHosts[k.mac] == 0 {
			delete(t.ports, k)
			t.changes++
			if len(t.ports) <= MaxPorts*3/4 {
				return
			}
		}
	}
	for k := range t.ports {
		if len(t.ports) < MaxPorts {
			return
		}
		delete(t.ports, k)
		t.changes++
	}
}

// compactPorts rebuilds ports once it holds under a quarter of its high
// mark, so the memory a flood took goes back; the copy costs O(entries)
// once per such shrink.
func (t *Tracker) compactPorts() {
	if t.portsHigh < 1024 || len(t.ports)*4 > t.portsHigh {
		return
	}
	fresh := make(map[fdbKey]portEntry, len(t.ports))
	for k, p := range t.ports {
		fresh[k] = p
	}
	t.ports, t.portsHigh = fresh, len(fresh)
	t.shrinks++
}

// Changes counts the changes to what State exports (hosts, their MACs and
// FAILED marks, FDB entries): the daemon writes its state file only when
// it moved, not at every sweep of an idle router.
func (t *Tracker) Changes() uint64 { return t.changes }

// Shrinks counts the times a flood's memory was let go (ports rebuilt at
// under a quarter of its high mark): the daemon then hands the freed heap
// back to the kernel.
func (t *Tracker) Shrinks() uint64 { return t.shrinks }

// BeginResync starts a full dump of the kernel's tables; EndResync then
// forgets what the dump did not confirm.
func (t *Tracker) BeginResync() { t.epoch++ }

// EndResync ends a dump. A neighbour it did not confirm was deleted while
// nobody listened (an overrun, or the daemon was down): it is remembered
// as gone, first to be evicted. An FDB entry it did not confirm is
// forgotten unless a neighbour uses its MAC. neigh and fdb say which
// dumps completed; an incomplete one proves nothing and prunes nothing.
func (t *Tracker) EndResync(neigh, fdb bool) {
	if neigh {
		for k, h := range t.hosts {
			if h.seen != t.epoch {
				t.gone[k] = true
			}
		}
	}
	if fdb {
		for k, p := range t.ports {
			if p.seen != t.epoch && t.macHosts[k.mac] == 0 {
				delete(t.ports, k)
				t.changes++
			}
		}
		t.compactPorts()
	}
}
