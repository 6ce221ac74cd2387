package facts

// BridgeNF is what decides whether bridged traffic meets the IP firewall
// and conntrack (scenario S4): bridge netfilter, the bridges and the veth
// pairs that join them, rp_filter, DNAT rules that match any input
// interface, notrack rules, and the conntrack counters that grow when one
// connection is tracked twice.
type BridgeNF struct {
	// Error is set when the facts could not be read; the others are then
	// partial.
	Error string `json:"error,omitempty"`
	// Loaded is true when br_netfilter is loaded (the
	// net.bridge.bridge-nf-call-* sysctls exist in this namespace); the
	// call flags are all off when it is not.
	Loaded        bool `json:"loaded"`
	CallIPTables  bool `json:"call_iptables"`
	CallIP6Tables bool `json:"call_ip6tables"`
	CallARPTables bool `json:"call_arptables"`
	// RPFilterAll is net.ipv4.conf.all.rp_filter.
	RPFilterAll int      `json:"rp_filter_all"`
	Bridges     []Bridge `json:"bridges"`
	// Links are veth pairs whose two ends are ports of two bridges.
	Links []BridgeLink `json:"links"`
	// DNATNoIif are DNAT rules reached from a prerouting hook that do not
	// restrict the input interface (Docker's `! -i br-xxx` does not).
	DNATNoIif []NATRule `json:"dnat_no_iif"`
	// Notrack are rules that exempt traffic of one input interface from
	// conntrack before it is tracked (raw priority).
	Notrack []NotrackRule `json:"notrack"`
	// IPTablesNFT is true when the host manages its firewall with
	// iptables-nft (Docker does): fixes are then also given as iptables
	// lines.
	IPTablesNFT bool `json:"iptables_nft"`
	// Counters are conntrack's statistics, summed over CPUs, sampled twice.
	Counters CounterSample `json:"counters"`
	// Mirrors are pairs of entries where one's original tuple is the other's
	// original tuple reversed: one connection tracked twice. The daemon
	// catches them from NEW events; a one-shot dump rarely does, as the
	// second entry lives only milliseconds.
	Mirrors []MirrorPair `json:"mirrors"`
}

// Bridge is one Linux bridge.
type Bridge struct {
	Name string `json:"name"`
	// Addresses are its IPv4 and IPv6 addresses (CIDR), link-local
	// excluded; none means a layer-2-only bridge.
	Addresses []string `json:"addresses"`
	Ports     []string `json:"ports"`
	// RPFilter is net.ipv4.conf.<bridge>.rp_filter; the kernel uses
	// max(all, RPFilter), stored in RPFilterEffective.
	RPFilter          int `json:"rp_filter"`
	RPFilterEffective int `json:"rp_filter_effective"`
	// ARPIgnoreEffective is max(all, bridge) of net.ipv4.conf.*.arp_ignore.
	// At 0 an address-less bridge still answers ARP for the host's
	// addresses with its own MAC, and clients that pick it hang instead of
	// being reset.
	ARPIgnoreEffective int `json:"arp_ignore_effective"`
}

// IPless reports whether the bridge has no address.
func (b Bridge) IPless() bool { return len(b.Addresses) == 0 }

// BridgeLink is a veth pair with one end in each of two bridges.
type BridgeLink struct {
	Veth   string `json:"veth"`
	Peer   string `json:"peer"`
	Bridge string `json:"bridge"`
	PeerBr string `json:"peer_bridge"`
}

// NATRule is one nftables rule, as seen through nftables whether
// nft or iptables-nft wrote it.
type NATRule struct {
	Family string `json:"family"`
	Table  string `json:"table"`
	Chain  string `json:"chain"`
	// Handle is the rule's nftables handle.
	Handle uint64 `json:"handle"`
	// NotIif is the interface a negated input match excludes (Docker's
	// `! -i br-xxx`), if any.
	NotIif string `json:"not_iif,omitempty"`
	// Proto and Port are the match on the destination port, if any.
	Proto string `json:"proto,omitempty"`
	Port  uint16 `json:"port,omitempty"`
	// To is the DNAT target as "addr:port" when it could be decoded.
	To string `json:"to,omitempty"`
	// Compat is true when iptables-nft wrote it with xtables compat
	// expressions (older iptables-nft) rather than native ones.
	Compat bool `json:"compat,omitempty"`
}

// NotrackRule is a rule that sets notrack for one input interface.
type NotrackRule struct {
	Family string `json:"family"`
	Table  string `json:"table"`
	Chain  string `json:"chain"`
	Iif    string `json:"iif"`
}

// CTCounters are conntrack statistics summed over CPUs.
type CTCounters struct {
	Found        uint64 `json:"found"`
	Invalid      uint64 `json:"invalid"`
	InsertFailed uint64 `json:"insert_failed"`
	// ClashResolve exists on kernels >= 5.x (HasClashResolve).
	ClashResolve    uint64 `json:"clash_resolve"`
	HasClashResolve bool   `json:"has_clash_resolve"`
}

// CounterSample is two readings of the counters IntervalMS apart. A
// connection tracked twice grows Invalid by 2 and Found by 3 per failed
// request; InsertFailed and ClashResolve stay 0 in that case.
type CounterSample struct {
	Sampled    bool       `json:"sampled"`
	First      CTCounters `json:"first"`
	Second     CTCounters `json:"second"`
	IntervalMS int64      `json:"interval_ms"`
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
	First  string `json:"first"`
	Second string `json:"second"`
	// RewrittenPort is the port Second's reply tuple carries instead of
	// the connection's own (19460 in the seed), 0 when not rewritten.
	RewrittenPort uint16 `json:"rewritten_port,omitempty"`
	// SeenAt is RFC 3339, when the daemon caught it.
	SeenAt string `json:"seen_at,omitempty"`
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

// BridgeNFForDocument returns b with empty lists instead of nil ones, so
// the status document always carries arrays (LuCI iterates them).
func BridgeNFForDocument(b BridgeNF) BridgeNF {
	if b.Bridges == nil {
		b.Bridges = []Bridge{}
	}
	for i := range b.Bridges {
		if b.Bridges[i].Addresses == nil {
			b.Bridges[i].Addresses = []string{}
		}
		if b.Bridges[i].Ports == nil {
			b.Bridges[i].Ports = []string{}
		}
	}
	if b.Links == nil {
		b.Links = []BridgeLink{}
	}
	if b.DNATNoIif == nil {
		b.DNATNoIif = []NATRule{}
	}
	if b.Notrack == nil {
		b.Notrack = []NotrackRule{}
	}
	if b.Mirrors == nil {
		b.Mirrors = []MirrorPair{}
	}
	return b
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
