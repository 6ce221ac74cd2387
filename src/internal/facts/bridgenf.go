package facts

// BridgeNF is what decides whether bridged traffic meets the IP firewall
// and conntrack (scenario S4): bridge netfilter, the bridges and the veth
// pairs that join them, rp_filter, DNAT rules that match any input
// interface, notrack rules, and the conntrack counters that grow when one
// connection is tracked twice.
type BridgeNF struct {
	// Error is set when the facts could not be read; the others are then
	// partial.
	Error string
	// Loaded is true when br_netfilter is loaded (the
	// net.bridge.bridge-nf-call-* sysctls exist in this namespace); the
	// call flags are all off when it is not.
	Loaded        bool
	CallIPTables  bool
	CallIP6Tables bool
	CallARPTables bool
	// RPFilterAll is net.ipv4.conf.all.rp_filter.
	RPFilterAll int
	Bridges     []Bridge
	// Links are veth pairs whose two ends are ports of two bridges.
	Links []BridgeLink
	// DNATNoIif are DNAT rules reached from a prerouting hook that do not
	// restrict the input interface (Docker's `! -i br-xxx` does not).
	DNATNoIif []NATRule
	// Notrack are rules that exempt traffic of one input interface from
	// conntrack before it is tracked (raw priority).
	Notrack []NotrackRule
	// IPTablesNFT is true when the host manages its firewall with
	// iptables-nft (Docker does): fixes are then also given as iptables
	// lines.
	IPTablesNFT bool
	// Counters are conntrack's statistics, summed over CPUs, sampled twice.
	Counters CounterSample
	// Mirrors are pairs of entries where one's original tuple is the other's
	// original tuple reversed: one connection tracked twice. The daemon
	// catches them from NEW events; a one-shot dump rarely does, as the
	// second entry lives only milliseconds.
	Mirrors []MirrorPair
}

// Bridge is one Linux bridge.
type Bridge struct {
	Name string
	// Addresses are its IPv4 and IPv6 addresses (CIDR), link-local
	// excluded; none means a layer-2-only bridge.
	Addresses []string
	Ports     []string
	// RPFilter is net.ipv4.conf.<bridge>.rp_filter; the kernel uses
	// max(all, RPFilter), stored in RPFilterEffective.
	RPFilter          int
	RPFilterEffective int
	// ARPIgnoreEffective is max(all, bridge) of net.ipv4.conf.*.arp_ignore.
	// At 0 an address-less bridge still answers ARP for the host's
	// addresses with its own MAC, and clients that pick it hang instead of
	// being reset.
	ARPIgnoreEffective int
}

// IPless reports whether the bridge has no address.
func (b Bridge) IPless() bool { return len(b.Addresses) == 0 }

// BridgeLink is a veth pair with one end in each of two bridges.
type BridgeLink struct {
	Veth   string
	Peer   string
	Bridge string
	PeerBr string
}

// NATRule is one nftables rule, as seen through nftables whether
// nft or iptables-nft wrote it.
type NATRule struct {
	Family string
	Table  string
	Chain  string
	// Handle is the rule's nftables handle.
	Handle uint64
	// NotIif is the interface a negated input match excludes (Docker's
	// `! -i br-xxx`), if any.
	NotIif string
	// Proto and Port are the match on the destination port, if any.
	Proto string
	Port  uint16
	// To is the DNAT target as "addr:port" when it could be decoded.
	To string
	// Compat is true when iptables-nft wrote it with xtables compat
	// expressions (older iptables-nft) rather than native ones.
	Compat bool
}

// NotrackRule is a rule that sets notrack for one input interface.
type NotrackRule struct {
	Family string
	Table  string
	Chain  string
	Iif    string
}

// CTCounters are conntrack statistics summed over CPUs.
type CTCounters struct {
	Found        uint64
	Invalid      uint64
	InsertFailed uint64
	// ClashResolve exists on kernels >= 5.x (HasClashResolve).
	ClashResolve    uint64
	HasClashResolve bool
}

// CounterSample is two readings of the counters IntervalMS apart. A
// connection tracked twice grows Invalid by 2 and Found by 3 per failed
// request; InsertFailed and ClashResolve stay 0 in that case.
type CounterSample struct {
	Sampled    bool
	First      CTCounters
	Second     CTCounters
	IntervalMS int64
}

// Growth returns Second-First per counter (0 when a counter went back,
// e.g. a CPU went offline).
func (c CounterSample) Growth() CTCounters {
	sub := func(a, b uint64) uint64 {
		if b < a {
			return 0
		}
		return b - a
	}
	return CTCounters{
		Found:           sub(c.First.Found, c.Second.Found),
		Invalid:         sub(c.First.Invalid, c.Second.Invalid),
		InsertFailed:    sub(c.First.InsertFailed, c.Second.InsertFailed),
		ClashResolve:    sub(c.First.ClashResolve, c.Second.ClashResolve),
		HasClashResolve: c.Second.HasClashResolve,
	}
}

// MirrorPair is one connection tracked twice: Second's original tuple is
// First's original tuple reversed, and its reply tuple was rewritten by
// NAT's null binding (ReplyPort differs from First's original source port).
type MirrorPair struct {
	// First and Second are "proto src:sport -> dst:dport" of the original
	// tuples.
	First  string
	Second string
	// RewrittenPort is the port Second's reply tuple carries instead of
	// the connection's own (19460 in the seed), 0 when not rewritten.
	RewrittenPort uint16
	// SeenAt is RFC 3339, when the daemon caught it.
	SeenAt string
}

// Bridge returns the bridge named name.
func (b BridgeNF) Bridge(name string) (Bridge, bool) {
	for _, br := range b.Bridges {
		if br.Name == name {
			return br, true
		}
	}
	return Bridge{}, false
}

// NotrackFor reports whether a notrack rule covers traffic entering iif.
func (b BridgeNF) NotrackFor(iif string) bool {
	for _, n := range b.Notrack {
		if n.Iif == iif {
			return true
		}
	}
	return false
}

// Joined is an address-less bridge joined by a veth pair to a bridge that
// holds host addresses: the seed's br-lan137 and br-mellanox.
type Joined struct {
	IPless Bridge
	Routed Bridge
	Link   BridgeLink
}

// JoinedBridges lists every address-less bridge linked to an addressed one.
// With bridge netfilter on, a connection from a client on the first to the
// host is seen by conntrack on both.
func (b BridgeNF) JoinedBridges() []Joined {
	var out []Joined
	for _, l := range b.Links {
		x, okx := b.Bridge(l.Bridge)
		y, oky := b.Bridge(l.PeerBr)
		if !okx || !oky {
			continue
		}
		switch {
		case x.IPless() && !y.IPless():
			out = append(out, Joined{IPless: x, Routed: y, Link: l})
		case y.IPless() && !x.IPless():
			out = append(out, Joined{IPless: y, Routed: x, Link: BridgeLink{Veth: l.Peer, Peer: l.Veth, Bridge: l.PeerBr, PeerBr: l.Bridge}})
		}
	}
	return out
}

// Exposed lists the joined bridges where bridge netfilter is on, a DNAT
// rule that does not exclude the address-less bridge fires on it, and no
// notrack rule exempts it: where conntrack can track a connection twice.
func (b BridgeNF) Exposed() []Joined {
	if !b.CallIPTables {
		return nil
	}
	var out []Joined
	seen := map[string]bool{}
	for _, j := range b.JoinedBridges() {
		name := j.IPless.Name
		if seen[name] || b.NotrackFor(name) || !b.dnatFiresOn(name) {
			continue
		}
		seen[name] = true
		out = append(out, j)
	}
	return out
}

func (b BridgeNF) dnatFiresOn(bridge string) bool {
	for _, r := range b.DNATNoIif {
		if r.NotIif != bridge {
			return true
		}
	}
	return false
}
