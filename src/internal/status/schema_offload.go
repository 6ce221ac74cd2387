package status

import (
	"time"

	"github.com/netfix/netfix/src/internal/facts"
)

// The wire types of the document's "firewall", "offload" and "conntrack"
// sections (S1, S2). They are the schema: their json names, field order
// and omitempty are what the rpcd plugin, LuCI and scripts read, and the
// golden documents in testdata hold them. The probe's types in package
// facts are converted into them in convert.go, so renaming a fact changes
// no member name here.

// Firewall is what /etc/config/firewall asks for.
type Firewall struct {
	_ noEq
	// Path is the file that was read; Present is false when it does not
	// exist (no OpenWrt firewall); Error says why it could not be read.
	Path    string `json:"path"`
	Present bool   `json:"present"`
	Error   string `json:"error,omitempty"`
	// FlowOffloading and FlowOffloadingHW are defaults.flow_offloading
	// and defaults.flow_offloading_hw.
	FlowOffloading   bool `json:"flow_offloading"`
	FlowOffloadingHW bool `json:"flow_offloading_hw"`
}

// Offload is the live flowtable state.
type Offload struct {
	// KernelSupport is "supported", "unsupported" or "unknown".
	KernelSupport string `json:"kernel_support"`
	Error         string `json:"error,omitempty"`
	// Mode is what the live ruleset does (none, software, hardware);
	// EffectiveMode what the kernel really does, from the conntrack bits.
	Mode          string `json:"mode"`
	EffectiveMode string `json:"effective_mode"`
	// Tables lists every nftables table as "family name", at most
	// MaxTables.
	Tables     []string    `json:"tables"`
	Flowtables []Flowtable `json:"flowtables"`
}

// Flowtable is one nftables flowtable.
type Flowtable struct {
	Table    string `json:"table"`
	Family   string `json:"family"`
	Name     string `json:"name"`
	Hook     string `json:"hook"`
	Priority int32  `json:"priority"`
	// HWOffloadFlag is `flags offload`, Counter `counter`; Referenced is
	// true when a rule has `flow add @name` for it.
	HWOffloadFlag bool     `json:"hw_offload_flag"`
	Counter       bool     `json:"counter"`
	Referenced    bool     `json:"referenced"`
	Devices       []Device `json:"devices"`
}

// Device is one device listed by a flowtable. (A bridge's ports, which the
// rules use, are not in the document.)
type Device struct {
	_    noEq
	Name string `json:"name"`
	// Kind is bridge, bridge_port, vlan, dsa_port, physical, virtual or
	// missing; LinkType the kernel's link kind.
	Kind     string `json:"kind"`
	LinkType string `json:"link_type,omitempty"`
	Master   string `json:"master,omitempty"`
	Parent   string `json:"parent,omitempty"`
	Driver   string `json:"driver,omitempty"`
	// HWTCOffload is the NIC's hw-tc-offload feature; HWTCOffloadKnown is
	// false when the driver does not answer feature requests.
	HWTCOffload      bool `json:"hw_tc_offload"`
	HWTCOffloadKnown bool `json:"hw_tc_offload_known"`
}

// Conntrack is the connection tracking table.
type Conntrack struct {
	_ noEq
	// Available is false when conntrack netlink could not be used; Error
	// then says why.
	Available bool   `json:"available"`
	Error     string `json:"error,omitempty"`
	Entries   uint32 `json:"entries"`
	Max       uint32 `json:"max"`
	// Dumped is the number of entries Offloaded ([OFFLOAD]) and
	// HWOffloaded ([HW_OFFLOAD]) refer to; OffloadCountedAt is set when
	// they come from an earlier walk of the table than the document.
	Dumped           int        `json:"dumped"`
	Offloaded        int        `json:"offloaded"`
	HWOffloaded      int        `json:"hw_offloaded"`
	OffloadCountedAt *time.Time `json:"offload_counted_at,omitempty"`
	// Table is the S2 section: fill, statistics, timeouts, who holds the
	// entries.
	Table *CTTable `json:"table,omitempty"`
}

// Fill is entries / max in percent (0 when max is unknown).
func (c Conntrack) Fill() float64 {
	if c.Max == 0 {
		return 0
	}
	return float64(c.Entries) * 100 / float64(c.Max)
}

// CTTable gathers the S2 facts of the table.
type CTTable struct {
	// Buckets is nf_conntrack_buckets, MemTotal /proc/meminfo's in bytes.
	Buckets  uint32 `json:"buckets"`
	MemTotal uint64 `json:"mem_total"`
	// Stats are the counters now; Growth how much they grew over
	// GrowthSeconds (absent on a first sample).
	Stats         CTStats    `json:"stats"`
	Growth        *CTStats   `json:"growth,omitempty"`
	GrowthSeconds int        `json:"growth_s,omitempty"`
	Timeouts      CTTimeouts `json:"timeouts"`
	// Usage is the breakdown of a full dump (absent when none was taken);
	// UsageError says why a dump failed.
	Usage      *CTUsage   `json:"usage,omitempty"`
	UsageError string     `json:"usage_error,omitempty"`
	Reclaim    *CTReclaim `json:"reclaim,omitempty"`
}

// CTStats are the kernel's conntrack statistics summed over CPUs
// (`conntrack -S`); Extended says whether ClashResolve and ChainTooLong
// were read.
type CTStats struct {
	_             noEq
	Found         uint64 `json:"found"`
	Invalid       uint64 `json:"invalid"`
	InsertFailed  uint64 `json:"insert_failed"`
	Drop          uint64 `json:"drop"`
	EarlyDrop     uint64 `json:"early_drop"`
	Error         uint64 `json:"error"`
	SearchRestart uint64 `json:"search_restart"`
	ClashResolve  uint64 `json:"clash_resolve"`
	ChainTooLong  uint64 `json:"chaintoolong"`
	Extended      bool   `json:"extended"`
}

// CTTimeouts are the conntrack timeout sysctls; Read is false when they
// could not be read. Policies are the nftables `ct timeout` objects.
type CTTimeouts struct {
	Read          bool     `json:"read"`
	Established   uint32   `json:"established"`
	UDP           uint32   `json:"udp"`
	UDPStream     uint32   `json:"udp_stream"`
	Loose         bool     `json:"tcp_loose"`
	Acct          bool     `json:"acct"`
	Policies      []string `json:"policies,omitempty"`
	PoliciesError string   `json:"policies_error,omitempty"`
}

// CTCount is one row of a breakdown.
type CTCount struct {
	_     noEq
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// CTHost is one LAN host and the entries it holds. Name comes from the
// DHCP leases: text chosen by the client, never markup or a command.
type CTHost struct {
	Addr        string `json:"addr"`
	Name        string `json:"name,omitempty"`
	Entries     int    `json:"entries"`
	Established int    `json:"established"`
	// Idle splits the established entries by idle time along the usage's
	// IdleEdgesS.
	Idle []int `json:"idle"`
}

// CTUsage is the breakdown of one full dump of the table.
type CTUsage struct {
	Dumped     int       `json:"dumped"`
	Protocols  []CTCount `json:"protocols"`
	TCPStates  []CTCount `json:"tcp_states"`
	Ports      []CTCount `json:"ports"`
	Hosts      []CTHost  `json:"hosts"`
	HostsTotal int       `json:"hosts_total"`
	// Established counts ESTABLISHED TCP entries; Idle splits them by idle
	// time along IdleEdgesS; IdleUnknown are those whose idle time cannot
	// be told.
	Established int      `json:"established"`
	IdleEdgesS  []uint32 `json:"idle_edges_s"`
	Idle        []int    `json:"idle"`
	IdleUnknown int      `json:"idle_unknown"`
}

// CTReclaim is the daemon's reclaim setting and what it may delete.
type CTReclaim struct {
	_           noEq
	Enabled     bool   `json:"enabled"`
	IdleSeconds uint32 `json:"idle_s"`
	Reclaimable int    `json:"reclaimable"`
}

// IdleAtLeast reports how many of h's established entries have been idle
// for at least edge seconds, where edge is one of facts.IdleEdges (the
// edges the document's idle_edges_s repeats).
func (h CTHost) IdleAtLeast(edge uint32) int {
	n := 0
	for i, e := range facts.IdleEdges {
		if e >= edge && i < len(h.Idle) {
			n += h.Idle[i]
		}
	}
	return n
}

// noEq, as a wire type's first field, makes the type incomparable: nothing
// compares documents, and every comparable struct with strings costs the
// binary a generated equality function (6.7 KB of mipsle code for the 14
// types that carry it). It takes no space and is no JSON member.
type noEq [0]func()
