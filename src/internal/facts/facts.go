package facts

import "time"

// Snapshot is everything one check knows about the machine.
type Snapshot struct {
	TakenAt time.Time
	Host    string

	Firewall  Firewall
	Offload   Offload
	Conntrack Conntrack
	// Forwarding is per-interface IP forwarding (scenario S3).
	Forwarding Forwarding
	// BridgeNF is bridge netfilter and what it touches (S4).
	BridgeNF BridgeNF

	// HealerRunning tells the rules whether a netfix daemon covers the
	// stale-flow risk right now. A one-shot check sets it from the daemon
	// socket; the daemon sets it to true for itself.
	HealerRunning bool
	// HealerMode is "heal", "dry_run" or "off" when HealerRunning is true.
	HealerMode string
	// HealerExpected is true where the netfix daemon is installed (its
	// init script exists), so a daemon that is not running is a fault.
	HealerExpected bool
	// HealerConfig says whether the daemon could read its configuration.
	HealerConfig HealerConfig
	// HealerSilence is set when a daemon holds the control socket but gave
	// the check no usable answer; HealerRunning is false then.
	HealerSilence *HealerSilence
}

// Firewall is what /etc/config/firewall asks for. OpenWrt's fw4 turns the
// defaults section into the nftables flowtable at reload time, so the two
// can disagree until the next `fw4 reload`.
type Firewall struct {
	// Path is the file that was read.
	Path string
	// Present is false when the file does not exist (not an OpenWrt
	// firewall, e.g. a plain Debian or Docker host).
	Present bool
	// Error is set when the file exists but could not be read or parsed.
	Error string
	// FlowOffloading is defaults.flow_offloading ('1' enables software
	// offloading).
	FlowOffloading bool
	// FlowOffloadingHW is defaults.flow_offloading_hw ('1' asks fw4 for
	// `flags offload` with the physical ports as devices; where the kernel
	// refuses that, fw4 loads the software layout and the option stays).
	FlowOffloadingHW bool
}

// Mode names what UCI asks for.
func (f Firewall) Mode() string {
	switch {
	case !f.Present || !f.FlowOffloading:
		return ModeNone
	case f.FlowOffloadingHW:
		return ModeHardware
	default:
		return ModeSoftware
	}
}

// Offloading modes, as UCI or the live ruleset express them.
const (
	ModeNone     = "none"
	ModeSoftware = "software"
	ModeHardware = "hardware"
)

// Flowtable support states of the running kernel.
const (
	SupportYes     = "supported"
	SupportNo      = "unsupported"
	SupportUnknown = "unknown"
)

// Offload is the live flowtable state.
type Offload struct {
	// KernelSupport is SupportYes when the kernel answered a flowtable
	// dump, SupportNo when it rejected the request because it lacks
	// CONFIG_NF_FLOW_TABLE, SupportUnknown when nftables could not be read.
	KernelSupport string
	// Error is set when nftables could not be read at all.
	Error string
	// Mode is what the live ruleset does: none, software (flowtables
	// without `flags offload`) or hardware (at least one with it).
	Mode string
	// EffectiveMode is what the kernel really does, from the conntrack
	// bits: hardware only when some entry is [HW_OFFLOAD]. The S1 router's
	// ruleset said hardware; this said software.
	EffectiveMode string
	// Tables lists every nftables table as "family name" (e.g. "inet
	// fw4"), so rules can tell "fw4 not loaded" from "no flowtable".
	Tables     []string
	Flowtables []Flowtable
}

// Flowtable is one nftables flowtable as the kernel reports it.
type Flowtable struct {
	Table    string
	Family   string
	Name     string
	Hook     string
	Priority int32
	// HWOffloadFlag is `flags offload`.
	HWOffloadFlag bool
	// Counter is `counter`.
	Counter bool
	// Referenced is true when a rule of the same table has a
	// `flow add @name` (flow_offload expression) for it. An unreferenced
	// flowtable offloads nothing.
	Referenced bool
	Devices    []Device
}

// Device kinds, from the point of view of the flowtable path lookup.
const (
	KindBridge     = "bridge"      // a Linux bridge (br-lan)
	KindBridgePort = "bridge_port" // enslaved to a bridge (lan1 in br-lan)
	KindVLAN       = "vlan"        // 802.1q upper device (eth0.2)
	KindDSAPort    = "dsa_port"    // DSA user port (its conduit is the CPU port)
	KindPhysical   = "physical"    // anything else with a driver
	KindVirtual    = "virtual"     // veth, wireguard, ppp, tun ...
	KindMissing    = "missing"     // listed, but no such link exists
)

// Device is one device listed by a flowtable.
type Device struct {
	Name string
	Kind string
	// LinkType is the kernel's link kind (bridge, veth, vlan, ...) or
	// "device" for a plain NIC.
	LinkType string
	// Master is the bridge a bridge port belongs to.
	Master string
	// Parent is the lower device of a VLAN.
	Parent string
	Driver string
	// HWTCOffload is the NIC's `hw-tc-offload` feature; HWTCOffloadKnown
	// is false when the driver does not answer feature requests at all.
	HWTCOffload      bool
	HWTCOffloadKnown bool
	// Ports are a bridge's ports, described the same way: the devices
	// fw4's hardware-offload probe tries in the bridge's place (it lists a
	// zone device's lower devices). Rules use them; the status document
	// leaves them out (offload.hw_fallback's evidence names them), so its
	// size stays bounded by the device cap.
	Ports []Device
}

// LowerDevices are the devices fw4 puts in a flowtable with `flags
// offload` where d is a zone device: a bridge's ports, else d itself (a
// bridge whose ports are unknown stands for itself).
func (d Device) LowerDevices() []Device {
	if d.Kind == KindBridge && len(d.Ports) > 0 {
		return d.Ports
	}
	return []Device{d}
}

// Conntrack is the connection tracking table as netlink reports it.
type Conntrack struct {
	// Available is false when the conntrack netlink interface could not be
	// used (module not loaded, not root); Error then says why.
	Available bool
	Error     string
	Entries   uint32
	Max       uint32
	// Dumped is the number of entries the offload counts refer to: the
	// kernel's count when it filtered the dump on the OFFLOAD bit, else
	// the number a full dump returned (it can differ from Entries while
	// the table changes).
	Dumped int
	// Offloaded counts entries with IPS_OFFLOAD (1<<14), shown as
	// [OFFLOAD] by conntrack-tools.
	Offloaded int
	// HWOffloaded counts entries with IPS_HW_OFFLOAD (1<<15), [HW_OFFLOAD].
	HWOffloaded int
	// OffloadCountedAt is set when Dumped, Offloaded and HWOffloaded come
	// from an earlier walk of the table than this snapshot: the daemon
	// walks a big table for them at most every few minutes, and at once
	// after a repair, a flush or a flowtable change. Unset: counted now.
	OffloadCountedAt *time.Time

	// Table fill, statistics, timeouts and who holds the entries (S2);
	// the types are in ctusage.go.
	Table *CTTable
}

// Conntrack status bits the rules care about (include/uapi/linux/
// netfilter/nf_conntrack_common.h). ti-mo/conntrack names only the first.
const (
	StatusOffload   uint32 = 1 << 14 // IPS_OFFLOAD_BIT
	StatusHWOffload uint32 = 1 << 15 // IPS_HW_OFFLOAD_BIT
)

// HasTable reports whether the ruleset has the table "family name".
func (o Offload) HasTable(family, name string) bool {
	for _, t := range o.Tables {
		if t == family+" "+name {
			return true
		}
	}
	return false
}

// BridgePorts returns the devices of ft that are enslaved to a bridge. The
// kernel's flowtable path lookup transmits straight out of such a port with
// the destination MAC it cached when the flow was offloaded.
func (ft Flowtable) BridgePorts() []Device {
	var out []Device
	for _, d := range ft.Devices {
		if d.Kind == KindBridgePort {
			out = append(out, d)
		}
	}
	return out
}

// DeviceNames lists the names of ft's devices in kernel order.
func (ft Flowtable) DeviceNames() []string {
	out := make([]string, 0, len(ft.Devices))
	for _, d := range ft.Devices {
		out = append(out, d.Name)
	}
	return out
}

// Ref names ft the way nft prints it: "inet fw4 ft".
func (ft Flowtable) Ref() string {
	return ft.Family + " " + ft.Table + " " + ft.Name
}

// EffectiveMode is what the kernel really does: hardware only when some
// entry is HW_OFFLOAD, software when flows are (or can be) offloaded.
func EffectiveMode(s Snapshot) string {
	switch {
	case s.Conntrack.HWOffloaded > 0:
		return ModeHardware
	case s.Conntrack.Offloaded > 0:
		return ModeSoftware
	}
	for _, ft := range s.Offload.Flowtables {
		if ft.Referenced {
			return ModeSoftware
		}
	}
	return ModeNone
}
