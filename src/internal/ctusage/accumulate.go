package ctusage

import (
	"net/netip"
	"sort"
	"strconv"

	"github.com/netfix/netfix/src/internal/facts"
)

// Bounds of the accumulator's maps, so a table of 250k entries from as many
// addresses costs a few hundred KB, not the table: once full, further
// hosts and ports are counted under OtherKey.
const (
	MaxHosts = 4096
	MaxPorts = 4096
	// OtherKey collects what did not fit.
	OtherKey = "other"
)

type hostAcc struct {
	entries, established int
	idle                 [7]int
}

// Accumulator aggregates a stream of entries; its memory does not grow
// with the table beyond MaxHosts and MaxPorts rows.
type Accumulator struct {
	established uint32
	reclaimIdle uint32

	dumped, estab, idleUnknown, reclaimable int
	protos                                  map[uint8]int
	states                                  map[uint8]int
	idle                                    [7]int
	hosts                                   map[netip.Addr]*hostAcc // bounded by MaxHosts; the rest go to other
	other                                   hostAcc
	otherUsed                               bool
	ports                                   map[portKey]int // bounded by MaxPorts-1
	otherPorts                              int             // what did not fit
}

// portKey is a ports row: a protocol and a destination port, named only
// when the breakdown is built (a string per entry cost an allocation and a
// string hash per entry).
type portKey struct {
	proto uint8
	port  uint16
}

// NewAccumulator counts idle times against established, the
// nf_conntrack_tcp_timeout_established in effect, and the entries idle for
// at least reclaimIdle seconds (0: not counted).
func NewAccumulator(established, reclaimIdle uint32) *Accumulator {
	return &Accumulator{
		established: established, reclaimIdle: reclaimIdle,
		protos: map[uint8]int{}, states: map[uint8]int{},
		hosts: map[netip.Addr]*hostAcc{}, ports: map[portKey]int{},
	}
}

// Add counts one entry.
func (a *Accumulator) Add(e Entry) {
	a.dumped++
	a.protos[e.Proto]++
	h := a.host(e.Host())
	h.entries++
	if e.Proto == ProtoTCP {
		a.states[e.TCPState]++
	}
	if e.Proto == ProtoTCP || e.Proto == ProtoUDP {
		k := portKey{e.Proto, e.OrigDstPort}
		// One row stays free for OtherKey.
		if _, ok := a.ports[k]; ok || len(a.ports) < MaxPorts-1 {
			a.ports[k]++
		} else {
			a.otherPorts++
		}
	}
	if !e.Established() {
		return
	}
	a.estab++
	h.established++
	idle, ok := Idle(e, a.established)
	if !ok {
		a.idleUnknown++
		return
	}
	b := facts.IdleBucketOf(idle)
	a.idle[b]++
	h.idle[b]++
	if a.reclaimIdle > 0 && idle >= a.reclaimIdle {
		a.reclaimable++
	}
}

func (a *Accumulator) host(addr netip.Addr) *hostAcc {
	addr = addr.Unmap()
	if h, ok := a.hosts[addr]; ok {
		return h
	}
	if len(a.hosts) >= MaxHosts {
		a.otherUsed = true
		return &a.other
	}
	h := &hostAcc{}
	a.hosts[addr] = h
	return h
}

// Reclaimable is the number of established entries idle for at least the
// reclaimIdle given to NewAccumulator.
func (a *Accumulator) Reclaimable() int { return a.reclaimable }

// Usage returns the breakdown; names maps a host address to its name
// ("" when unknown; nil for none).
func (a *Accumulator) Usage(names func(netip.Addr) string) facts.CTUsage {
	u := facts.CTUsage{
		Dumped:      a.dumped,
		Established: a.estab,
		IdleUnknown: a.idleUnknown,
		IdleEdgesS:  append([]uint32(nil), facts.IdleEdges...),
		Idle:        append([]int(nil), a.idle[:]...),
		HostsTotal:  len(a.hosts),
		Protocols:   []facts.CTCount{},
		TCPStates:   []facts.CTCount{},
	}
	for p, n := range a.protos {
		u.Protocols = append(u.Protocols, facts.CTCount{Key: ProtoName(p), Count: n})
	}
	for s, n := range a.states {
		u.TCPStates = append(u.TCPStates, facts.CTCount{Key: StateName(s), Count: n})
	}
	sortCounts(u.Protocols)
	sortCounts(u.TCPStates)
	ports := make([]facts.CTCount, 0, len(a.ports)+1)
	for k, n := range a.ports {
		ports = append(ports, facts.CTCount{Key: ProtoName(k.proto) + "/" + strconv.Itoa(int(k.port)), Count: n})
	}
	if a.otherPorts > 0 {
		ports = append(ports, facts.CTCount{Key: OtherKey, Count: a.otherPorts})
	}
	sortCounts(ports)
	u.Ports = top(ports)

	hosts := make([]facts.CTHost, 0, len(a.hosts)+1)
	for addr, h := range a.hosts {
		hosts = append(hosts, hostRow(addr.String(), h))
	}
	if a.otherUsed {
		hosts = append(hosts, hostRow(OtherKey, &a.other))
	}
	sort.Slice(hosts, func(i, j int) bool {
		if hosts[i].Entries != hosts[j].Entries {
			return hosts[i].Entries > hosts[j].Entries
		}
		return hosts[i].Addr < hosts[j].Addr
	})
	if len(hosts) > facts.MaxTopRows {
		hosts = hosts[:facts.MaxTopRows]
	}
	if names != nil {
		for i := range hosts {
			if addr, err := netip.ParseAddr(hosts[i].Addr); err == nil {
				hosts[i].Name = names(addr)
			}
		}
	}
	u.Hosts = hosts
	return u
}

func hostRow(addr string, h *hostAcc) facts.CTHost {
	return facts.CTHost{Addr: addr, Entries: h.entries, Established: h.established, Idle: append([]int(nil), h.idle[:]...)}
}

// sortCounts orders rows by count, then key, so output is stable.
func sortCounts(c []facts.CTCount) {
	sort.Slice(c, func(i, j int) bool {
		if c[i].Count != c[j].Count {
			return c[i].Count > c[j].Count
		}
		return c[i].Key < c[j].Key
	})
}

func top(c []facts.CTCount) []facts.CTCount {
	if len(c) > facts.MaxTopRows {
		return c[:facts.MaxTopRows]
	}
	return c
}
