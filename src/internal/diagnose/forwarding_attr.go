package diagnose

import (
	"path"
	"strings"

	"github.com/netfix/netfix/src/internal/facts"
)

// sysctlCulprit returns the sysctl.d line that leaves family's forwarding
// of iface at 0 at boot: the LAST applied line among those that touch it
// (the global switch, conf.all, conf.default, the interface itself or a
// glob matching it), when that line writes 0. Writing ip_forward or
// conf.all.forwarding sets every interface, so a later global 1 undoes an
// earlier per-interface 0 and the other way round.
func sysctlCulprit(lines []facts.SysctlLine, family, iface string) (facts.SysctlLine, bool) {
	var last facts.SysctlLine
	found := false
	for _, l := range lines {
		if touches(l.Key, family, iface) {
			last, found = l, true
		}
	}
	if !found || !isZero(last.Value) {
		return facts.SysctlLine{}, false
	}
	return last, true
}

// touches reports whether writing key changes family's forwarding of
// iface. For IPv6 only conf.all gates forwarding (and, from 6.17, the
// interface's force_forwarding); per-interface forwarding is router/host
// behaviour, so the interface does not matter.
func touches(key, family, iface string) bool {
	if family == "ipv4" && key == "net.ipv4.ip_forward" {
		return true
	}
	fam, ifc, leaf, ok := facts.SplitConfKey(key)
	if !ok || fam != family || leaf != "forwarding" {
		return false
	}
	if family == "ipv6" {
		return ifc == "all"
	}
	if ifc == "all" || ifc == "default" || ifc == iface {
		return true
	}
	m, err := path.Match(ifc, iface)
	return err == nil && m
}

func isZero(v string) bool { return strings.TrimSpace(v) == "0" }

// networkdKeyFor is the .network key that enables family's forwarding for
// systemd version v (0: unknown, assume current).
func networkdKeyFor(family string, v int) (key, value string) {
	if v != 0 && v < facts.SystemdPerLinkForwarding {
		if family == "ipv6" {
			return "IPForward", "ipv6"
		}
		return "IPForward", "ipv4"
	}
	if family == "ipv6" {
		return "IPv6Forwarding", "yes"
	}
	return "IPv4Forwarding", "yes"
}

// networkdWrite is what systemd-networkd (systemd >= 256) writes to one
// link's net.ipv4.conf.<link>.forwarding when it configures the link, and
// the line that decides it. networkd-sysctl.c (link_get_ip_forwarding):
// the .network file's IPv4Forwarding= (or the deprecated IPForward=),
// else 1 when IPMasquerade= covers IPv4, else networkd.conf's
// IPv4Forwarding=, else nothing: the link keeps whatever it has. Only
// then does networkd's sysctl monitor know the setting and log a foreign
// process that changes it ("Foreign process 'sysctl[600]' changed sysctl
// ... conflicting with our setting to '1'").
type networkdWrite struct {
	state  int              // networkdKeeps, networkdWritesOn or networkdWritesOff
	line   facts.ConfigLine // the deciding line (state != networkdKeeps)
	global bool             // line is networkd.conf's default for every link
}

const (
	networkdKeeps = iota
	networkdWritesOn
	networkdWritesOff
)

// networkdIPv4 decides networkdWrite from a link's .network keys (file and
// drop-ins, in the order networkd reads them) and networkd.conf's. An
// assignment networkd cannot parse is ignored, as networkd ignores it
// (the one before it stands).
func networkdIPv4(keys, conf []facts.ConfigLine) networkdWrite {
	var w networkdWrite
	for _, k := range keys {
		var on, ok bool
		switch k.Key {
		case "IPv4Forwarding":
			on, ok = parseBool(k.Value)
		case "IPForward":
			on, ok = addressFamilyHasIPv4(k.Value)
		default:
			continue
		}
		if ok {
			w = networkdWrite{state: stateOf(on), line: k}
		}
	}
	if w.state != networkdKeeps {
		return w
	}
	var masq networkdWrite
	for _, k := range keys {
		if k.Key != "IPMasquerade" {
			continue
		}
		if on, ok := addressFamilyHasIPv4(k.Value); ok {
			masq = networkdWrite{line: k}
			if on {
				masq.state = networkdWritesOn
			}
		}
	}
	if masq.state != networkdKeeps {
		return masq
	}
	for _, k := range conf {
		if k.Key != "IPv4Forwarding" {
			continue
		}
		if on, ok := parseBool(k.Value); ok {
			w = networkdWrite{state: stateOf(on), line: k, global: true}
		}
	}
	return w
}

func stateOf(on bool) int {
	if on {
		return networkdWritesOn
	}
	return networkdWritesOff
}

// parseBool accepts systemd's spellings of a boolean (parse_boolean).
func parseBool(v string) (on, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "yes", "y", "true", "t", "on":
		return true, true
	case "0", "no", "n", "false", "f", "off":
		return false, true
	}
	return false, false
}

// addressFamilyHasIPv4 reads an address-family value (IPForward=,
// IPMasquerade=): ipv4, ipv6, both, or a boolean (yes: both).
func addressFamilyHasIPv4(v string) (on, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "ipv4", "both":
		return true, true
	case "ipv6":
		return false, true
	}
	return parseBool(v)
}
