package facts

import "time"

// Forwarding is the state of IP forwarding: global and per interface, the
// kernel counters that grow when forwarded packets are dropped for it, and
// who configured it (systemd-networkd, sysctl.d, UCI).
//
// IPv4 and IPv6 differ: an IPv4 packet is forwarded only when the
// interface it ARRIVED on has net.ipv4.conf.<if>.forwarding=1
// (ip_route_input_slow: !IN_DEV_FORWARD(in_dev) → InAddrErrors), whatever
// net.ipv4.ip_forward says; IPv6 forwards when net.ipv6.conf.all.forwarding
// is 1 (per interface it only switches router/host behaviour), or, from
// kernel 6.17, when the input interface has force_forwarding=1.
type Forwarding struct {
	// Error is set when the forwarding sysctls could not be read at all.
	Error string
	// IPv4 is net.ipv4.ip_forward (the same switch as
	// net.ipv4.conf.all.forwarding).
	IPv4 bool
	// IPv6 is net.ipv6.conf.all.forwarding; IPv6Present is false where
	// the kernel has no IPv6.
	IPv6        bool
	IPv6Present bool
	// Interfaces lists the interfaces that matter: the ones that carry
	// forwarded traffic, and any other with forwarding off.
	Interfaces []ForwardingInterface
	Counters   ForwardingCounters
	// IPv6Signals says why this host looks like an IPv6 router (routes
	// into container bridges, per-interface IPv6 forwarding asked for),
	// one line each; empty when nothing says so.
	IPv6Signals []string
	// Sysctl lists the sysctl.d / sysctl.conf lines that set a forwarding
	// key, in the order systemd-sysctl (or OpenWrt's sysctl init script)
	// applies them; the last line for a key wins.
	Sysctl   []SysctlLine
	Networkd Networkd
	// OpenWrt is true on OpenWrt/ImmortalWrt: fixes go through
	// /etc/sysctl.d and UCI.
	OpenWrt bool
}

// ForwardingInterface is one interface's forwarding state and role.
type ForwardingInterface struct {
	Name string
	// IPv4 is net.ipv4.conf.<if>.forwarding.
	IPv4 bool
	// IPv6 is net.ipv6.conf.<if>.forwarding (router behaviour only).
	IPv6 bool
	// ForceForwarding is net.ipv6.conf.<if>.force_forwarding (kernel
	// ≥ 6.17); ForceForwardingKnown is false where the kernel lacks it.
	ForceForwarding      bool
	ForceForwardingKnown bool
	// Roles say why the interface carries forwarded traffic (RoleUplink,
	// RoleBridge ...); empty for an interface that carries none (a
	// management NIC), which no rule flags.
	Roles []string
	// NetworkFile is the systemd-networkd .network file that manages the
	// interface, when networkd said so over D-Bus.
	NetworkFile string
	// NetworkKeys are the forwarding keys of that file's [Network]
	// section (and its drop-ins), with file and line.
	NetworkKeys []ConfigLine
	// Since is when forwarding was last seen to flip on this interface
	// (from the daemon's netconf events); zero when unknown.
	Since *time.Time
}

// Interface roles: why an interface carries forwarded traffic.
const (
	RoleUplink    = "uplink"     // it holds the default route
	RoleBridge    = "bridge"     // a bridge with ports (docker0, br-lan)
	RoleContainer = "container"  // docker0/podman/virbr/... even without ports yet
	RoleVeth      = "veth"       // a routed veth towards a container
	RoleZone      = "zone"       // OpenWrt: a network of a firewall zone
	RoleIPv6Route = "ipv6_route" // a global IPv6 route points into it
)

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

// ForwardingCounters are the drop counters of forwarding, with their growth
// between two samples Interval apart (Sampled false: one sample only).
type ForwardingCounters struct {
	// InAddrErrors is Ip: InAddrErrors of /proc/net/snmp: IPv4 packets
	// dropped because the input interface does not forward (among other
	// address errors).
	InAddrErrors uint64
	// Ip6InAddrErrors and Ip6OutNoRoutes are from /proc/net/snmp6.
	Ip6InAddrErrors uint64
	Ip6OutNoRoutes  uint64

	Sampled               bool
	IntervalSeconds       float64
	InAddrErrorsGrowth    uint64
	Ip6InAddrErrorsGrowth uint64
	Ip6OutNoRoutesGrowth  uint64
}

// ConfigLine is one setting in a configuration file.
type ConfigLine struct {
	File  string
	Line  int
	Key   string
	Value string
}

// SysctlLine is one sysctl.d line that sets a forwarding key. Overridden
// is true when a later line (or file) sets the same key again.
type SysctlLine struct {
	ConfigLine
	Overridden bool
}

// Networkd is what systemd-networkd said over D-Bus.
type Networkd struct {
	// State is one of the Networkd* states: whether networkd was asked
	// and answered.
	State string
	// Error is the D-Bus error behind NetworkdBusError.
	Error string
	// Version is systemd's major version (0 unknown); it decides between
	// IPForward= (< 256) and IPv4Forwarding=/IPv6Forwarding= (≥ 256).
	Version int
	// Conf lists networkd.conf's forwarding keys (≥ 256).
	Conf []ConfigLine
}

// States of the question to systemd-networkd.
const (
	NetworkdNotAsked   = "not_asked"   // nothing looked broken, or OpenWrt
	NetworkdRunning    = "running"     // it answered
	NetworkdNotRunning = "not_running" // nothing owns org.freedesktop.network1
	NetworkdNoBus      = "no_bus"      // no system D-Bus socket
	NetworkdBusError   = "bus_error"   // the bus refused or failed a call
	NetworkdTimeout    = "timeout"     // no answer in time
	NetworkdNotBuilt   = "not_built"   // netfix built without D-Bus (nodbus)
)

// SystemdPerLinkForwarding is the first systemd version whose networkd
// has IPv4Forwarding=/IPv6Forwarding= (PR #31423) and writes
// net.ipv{4,6}.conf.<link>.forwarding itself.
const SystemdPerLinkForwarding = 256

// Interface returns the named interface and whether it is listed.
func (f Forwarding) Interface(name string) (ForwardingInterface, bool) {
	for _, i := range f.Interfaces {
		if i.Name == name {
			return i, true
		}
	}
	return ForwardingInterface{}, false
}

// IPv4Off lists the interfaces that carry forwarded traffic but have IPv4
// forwarding off while the host forwards IPv4: packets arriving on them
// are dropped before any firewall rule sees them.
func (f Forwarding) IPv4Off() []ForwardingInterface {
	if !f.IPv4 {
		return nil
	}
	var out []ForwardingInterface
	for _, i := range f.Interfaces {
		if i.Carries() && !i.IPv4 {
			out = append(out, i)
		}
	}
	return out
}

// IPv6Off reports whether this host is meant to route IPv6 (IPv6Signals)
// but net.ipv6.conf.all.forwarding is 0 and no interface forces it.
func (f Forwarding) IPv6Off() bool {
	if !f.IPv6Present || f.IPv6 || len(f.IPv6Signals) == 0 {
		return false
	}
	for _, i := range f.Interfaces {
		if i.ForceForwarding {
			return false
		}
	}
	return true
}
