package status

// The wire types of the document's "bridge_nf" section (S4) and of the
// healer's configuration state; see schema_offload.go.

// BridgeNF is bridge netfilter and the layout it acts on.
type BridgeNF struct {
	// Error is set when the facts could not be read; the others are then
	// partial.
	Error string `json:"error,omitempty"`
	// Loaded is true when br_netfilter is loaded; Call* are the
	// net.bridge.bridge-nf-call-* sysctls.
	Loaded        bool `json:"loaded"`
	CallIPTables  bool `json:"call_iptables"`
	CallIP6Tables bool `json:"call_ip6tables"`
	CallARPTables bool `json:"call_arptables"`
	// RPFilterAll is net.ipv4.conf.all.rp_filter.
	RPFilterAll int      `json:"rp_filter_all"`
	Bridges     []Bridge `json:"bridges"`
	// Links are veth pairs joining two bridges.
	Links []BridgeLink `json:"links"`
	// DNATNoIif are DNAT rules that do not restrict the input interface;
	// Notrack the rules that exempt one input interface from conntrack.
	DNATNoIif []NATRule     `json:"dnat_no_iif"`
	Notrack   []NotrackRule `json:"notrack"`
	// IPTablesNFT is true when the host manages its firewall with
	// iptables-nft.
	IPTablesNFT bool          `json:"iptables_nft"`
	Counters    CounterSample `json:"counters"`
	// Mirrors are connections tracked twice.
	Mirrors []MirrorPair `json:"mirrors"`
}

// Bridge is one Linux bridge; Addresses are its CIDRs, link-local
// excluded.
type Bridge struct {
	Name               string   `json:"name"`
	Addresses          []string `json:"addresses"`
	Ports              []string `json:"ports"`
	RPFilter           int      `json:"rp_filter"`
	RPFilterEffective  int      `json:"rp_filter_effective"`
	ARPIgnoreEffective int      `json:"arp_ignore_effective"`
}

// BridgeLink is a veth pair with one end in each of two bridges.
type BridgeLink struct {
	_      noEq
	Veth   string `json:"veth"`
	Peer   string `json:"peer"`
	Bridge string `json:"bridge"`
	PeerBr string `json:"peer_bridge"`
}

// NATRule is one nftables DNAT rule.
type NATRule struct {
	_      noEq
	Family string `json:"family"`
	Table  string `json:"table"`
	Chain  string `json:"chain"`
	Handle uint64 `json:"handle"`
	NotIif string `json:"not_iif,omitempty"`
	Proto  string `json:"proto,omitempty"`
	Port   uint16 `json:"port,omitempty"`
	To     string `json:"to,omitempty"`
	Compat bool   `json:"compat,omitempty"`
}

// NotrackRule is a rule that sets notrack for one input interface.
type NotrackRule struct {
	_      noEq
	Family string `json:"family"`
	Table  string `json:"table"`
	Chain  string `json:"chain"`
	Iif    string `json:"iif"`
}

// CTCounters are conntrack statistics summed over CPUs.
type CTCounters struct {
	_               noEq
	Found           uint64 `json:"found"`
	Invalid         uint64 `json:"invalid"`
	InsertFailed    uint64 `json:"insert_failed"`
	ClashResolve    uint64 `json:"clash_resolve"`
	HasClashResolve bool   `json:"has_clash_resolve"`
}

// CounterSample is two readings of the counters IntervalMS apart.
type CounterSample struct {
	Sampled    bool       `json:"sampled"`
	First      CTCounters `json:"first"`
	Second     CTCounters `json:"second"`
	IntervalMS int64      `json:"interval_ms"`
}

// MirrorPair is one connection tracked twice: First and Second are
// "proto src:sport -> dst:dport" of the original tuples; SeenAt is
// RFC 3339.
type MirrorPair struct {
	_             noEq
	First         string `json:"first"`
	Second        string `json:"second"`
	RewrittenPort uint16 `json:"rewritten_port,omitempty"`
	SeenAt        string `json:"seen_at,omitempty"`
}

// HealerConfig is what the daemon made of /etc/config/netfix: Error why
// it could not be read, Fallback ("last_good", "report_only") what it
// runs with instead.
type HealerConfig struct {
	_        noEq
	Error    string `json:"error,omitempty"`
	Fallback string `json:"fallback,omitempty"`
}
