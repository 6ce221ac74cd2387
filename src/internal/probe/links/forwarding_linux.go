//go:build linux

package links

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vishvananda/netlink"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe/nlsock"
)

// maxForwardingInterfaces caps the interface list (a Kubernetes node can
// have hundreds of routed veths); the interfaces with forwarding off come
// first, so the cap never hides a problem.
const maxForwardingInterfaces = 64

// containerBridgePrefixes name the bridges container and VM managers
// create: they carry forwarded traffic as soon as a guest starts.
var containerBridgePrefixes = []string{"docker", "br-", "virbr", "lxcbr", "lxdbr", "incusbr", "podman", "cni", "cbr"}

// ReadForwarding reads the kernel's side of forwarding: the global and
// per-interface switches, who carries forwarded traffic (zones, called
// only when the links were listed, names the devices of the host's
// firewall zones) and the drop counters. ok is false when
// net.ipv4.ip_forward cannot be read: f.Error says why and nothing else
// is read. Everything comes from the current network namespace; links
// and linksErr are the probe's one listing of the links.
func ReadForwarding(links []netlink.Link, linksErr error, zones func() map[string]string) (f facts.Forwarding, ok bool) {
	v4, err := readSysctlBool("ipv4/ip_forward")
	if err != nil {
		f.Error = fmt.Sprintf("read net.ipv4.ip_forward: %v", err)
		return f, false
	}
	f.IPv4 = v4
	if v6, err := readSysctlBool("ipv6/conf/all/forwarding"); err == nil {
		f.IPv6, f.IPv6Present = v6, true
	}
	if linksErr == nil {
		f.Interfaces, f.IPv6Signals = interfaceRoles(links, zones(), f.IPv4, f.IPv6)
	}
	f.Counters, err = readCounters()
	if err != nil {
		f.Error = err.Error()
	}
	return f, true
}

// interfaceRoles lists the interfaces that matter with their forwarding
// sysctls and roles, and the signs that this host routes IPv6.
func interfaceRoles(links []netlink.Link, zones map[string]string, v4all, v6all bool) ([]facts.ForwardingInterface, []string) {
	roles := map[string][]string{}
	add := func(name, r string) {
		for _, x := range roles[name] {
			if x == r {
				return
			}
		}
		roles[name] = append(roles[name], r)
	}
	ports := map[int]int{}
	for _, l := range links {
		if m := l.Attrs().MasterIndex; m != 0 {
			ports[m]++
		}
	}
	if f, err := os.Open("/proc/net/route"); err == nil {
		for _, dev := range parseDefaultRoutes4(f) {
			add(dev, facts.RoleUplink)
		}
		f.Close()
	}
	for _, l := range links {
		a := l.Attrs()
		switch {
		case l.Type() == "bridge" && hasPrefix(a.Name, containerBridgePrefixes):
			add(a.Name, facts.RoleContainer)
			if ports[a.Index] > 0 {
				add(a.Name, facts.RoleBridge)
			}
		case l.Type() == "bridge" && ports[a.Index] > 0:
			add(a.Name, facts.RoleBridge)
		case l.Type() == "veth" && a.MasterIndex == 0 && len(roles[a.Name]) == 0:
			// An unenslaved veth is a routed link to a container,
			// unless it is the uplink itself (a host that is a
			// container or a test namespace).
			add(a.Name, facts.RoleVeth)
		}
		if _, ok := zones[a.Name]; ok {
			add(a.Name, facts.RoleZone)
		}
	}
	// A global IPv6 route into a bridge or veth that is not the uplink:
	// hosts behind this one get IPv6, which needs IPv6 forwarding.
	var signals []string
	if f, err := os.Open("/proc/net/ipv6_route"); err == nil {
		for _, r := range parseGlobalRoutes6(f) {
			rs := roles[r.Dev]
			if len(rs) == 0 || (len(rs) == 1 && rs[0] == facts.RoleUplink) {
				continue
			}
			add(r.Dev, facts.RoleIPv6Route)
			signals = append(signals, fmt.Sprintf("ip -6 route: %s dev %s", r.Dst, r.Dev))
		}
		f.Close()
	}
	var out []facts.ForwardingInterface
	for _, l := range links {
		a := l.Attrs()
		if a.Flags&net.FlagLoopback != 0 {
			continue
		}
		fi := facts.ForwardingInterface{Name: a.Name, Roles: roles[a.Name]}
		v4, err := readSysctlBool("ipv4/conf/" + a.Name + "/forwarding")
		if err != nil {
			continue // no IPv4 on it (e.g. a CAN device)
		}
		fi.IPv4 = v4
		fi.IPv6, _ = readSysctlBool("ipv6/conf/" + a.Name + "/forwarding")
		if ff, err := readSysctlBool("ipv6/conf/" + a.Name + "/force_forwarding"); err == nil {
			fi.ForceForwarding, fi.ForceForwardingKnown = ff, true
		}
		// Besides the carriers, list an interface that stays out of a
		// forwarding host's routing (a management NIC): its state is
		// worth showing, though no rule flags it.
		if !fi.Carries() && (fi.IPv4 || !v4all) {
			continue
		}
		if fi.IPv6 && !v6all && fi.Carries() {
			signals = append(signals, fmt.Sprintf("sysctl: net.ipv6.conf.%s.forwarding = 1", dotted(a.Name)))
		}
		if fi.Roles == nil {
			fi.Roles = []string{}
		}
		out = append(out, fi)
	}
	// Problems first, then by name, so the cap drops healthy ones.
	sort.SliceStable(out, func(i, j int) bool {
		bi, bj := out[i].Carries() && !out[i].IPv4, out[j].Carries() && !out[j].IPv4
		if bi != bj {
			return bi
		}
		return out[i].Name < out[j].Name
	})
	if len(out) > maxForwardingInterfaces {
		out = out[:maxForwardingInterfaces]
	}
	return out, signals
}

func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// dotted writes an interface name as sysctl(8) does inside a dotted key:
// eth0.2 becomes eth0/2 (its /proc/sys directory keeps the dot).
func dotted(n string) string { return strings.ReplaceAll(n, ".", "/") }

func readSysctlBool(rel string) (bool, error) {
	v, err := nlsock.ReadProcValue(filepath.Join("/proc/sys/net", rel))
	if err != nil {
		return false, err
	}
	return v != "0", nil
}

// ReadForwardingCounters reads the forwarding drop counters alone (two
// small /proc reads): the daemon samples them at every status read.
func ReadForwardingCounters() (facts.ForwardingCounters, error) { return readCounters() }

func readCounters() (facts.ForwardingCounters, error) {
	var c facts.ForwardingCounters
	f, err := os.Open("/proc/net/snmp")
	if err != nil {
		return c, fmt.Errorf("read /proc/net/snmp: %w", err)
	}
	c.InAddrErrors, err = parseSNMP(f)
	f.Close()
	if err != nil {
		return c, fmt.Errorf("read /proc/net/snmp: %w", err)
	}
	if f6, err := os.Open("/proc/net/snmp6"); err == nil {
		err = parseSNMP6(f6, &c)
		f6.Close()
		if err != nil {
			return c, fmt.Errorf("read /proc/net/snmp6: %w", err)
		}
	}
	return c, nil
}
