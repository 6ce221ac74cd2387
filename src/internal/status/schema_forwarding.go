package status

import "time"

// The wire types of the document's "forwarding" section (S3); see
// schema_offload.go.

// Forwarding is IP forwarding, globally and per interface, the drop
// counters that grow when it is off, and who configured it.
type Forwarding struct {
	// Error is set when the forwarding sysctls could not be read at all.
	Error string `json:"error,omitempty"`
	// IPv4 is net.ipv4.ip_forward, IPv6 net.ipv6.conf.all.forwarding;
	// IPv6Present is false where the kernel has no IPv6.
	IPv4        bool                  `json:"ipv4"`
	IPv6        bool                  `json:"ipv6"`
	IPv6Present bool                  `json:"ipv6_present"`
	Interfaces  []ForwardingInterface `json:"interfaces"`
	Counters    ForwardingCounters    `json:"counters"`
	// IPv6Signals say why the host looks like an IPv6 router.
	IPv6Signals []string `json:"ipv6_signals"`
	// Sysctl are the sysctl.d lines that set a forwarding key, in the
	// order they apply.
	Sysctl   []SysctlLine `json:"sysctl"`
	Networkd Networkd     `json:"networkd"`
	OpenWrt  bool         `json:"openwrt"`
}

// Interface returns the named interface and whether it is listed.
func (f Forwarding) Interface(name string) (ForwardingInterface, bool) {
	for _, i := range f.Interfaces {
		if i.Name == name {
			return i, true
		}
	}
	return ForwardingInterface{}, false
}

// ForwardingInterface is one interface's forwarding state and role.
type ForwardingInterface struct {
	Name                 string `json:"name"`
	IPv4                 bool   `json:"ipv4"`
	IPv6                 bool   `json:"ipv6"`
	ForceForwarding      bool   `json:"force_forwarding"`
	ForceForwardingKnown bool   `json:"force_forwarding_known"`
	// Roles say why it carries forwarded traffic (facts.RoleUplink ...).
	Roles []string `json:"roles"`
	// NetworkFile is the systemd-networkd .network file that manages it,
	// NetworkKeys that file's forwarding keys.
	NetworkFile string       `json:"network_file,omitempty"`
	NetworkKeys []ConfigLine `json:"network_keys"`
	// Since is when forwarding was last seen to flip on it.
	Since *time.Time `json:"since,omitempty"`
}

// Carries reports whether the interface carries forwarded traffic.
func (i ForwardingInterface) Carries() bool { return len(i.Roles) > 0 }

// HasRole reports whether the interface has role r.
func (i ForwardingInterface) HasRole(r string) bool {
	for _, x := range i.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// ForwardingCounters are the drop counters of forwarding and their growth
// over IntervalSeconds (Sampled false: one sample only).
type ForwardingCounters struct {
	_                     noEq
	InAddrErrors          uint64  `json:"in_addr_errors"`
	Ip6InAddrErrors       uint64  `json:"ip6_in_addr_errors"`
	Ip6OutNoRoutes        uint64  `json:"ip6_out_no_routes"`
	Sampled               bool    `json:"sampled"`
	IntervalSeconds       float64 `json:"interval_seconds"`
	InAddrErrorsGrowth    uint64  `json:"in_addr_errors_growth"`
	Ip6InAddrErrorsGrowth uint64  `json:"ip6_in_addr_errors_growth"`
	Ip6OutNoRoutesGrowth  uint64  `json:"ip6_out_no_routes_growth"`
}

// ConfigLine is one setting in a configuration file.
type ConfigLine struct {
	_     noEq
	File  string `json:"file"`
	Line  int    `json:"line"`
	Key   string `json:"key"`
	Value string `json:"value"`
}

// SysctlLine is one sysctl.d line that sets a forwarding key; Overridden
// is true when a later line sets the same key again. Its ConfigLine's
// members are its own in JSON.
type SysctlLine struct {
	ConfigLine
	Overridden bool `json:"overridden"`
}

// Networkd is what systemd-networkd said over D-Bus: State is one of
// facts.Networkd*, Version systemd's major version, Conf networkd.conf's
// forwarding keys.
type Networkd struct {
	State   string       `json:"state"`
	Error   string       `json:"error,omitempty"`
	Version int          `json:"version"`
	Conf    []ConfigLine `json:"conf"`
}
