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

// networkdDisables returns the key of a .network file (or its drop-ins)
// that decides family's forwarding, when it leaves forwarding off: the
// last IPForward= (< 256) or IPv4Forwarding=/IPv6Forwarding= (≥ 256).
func networkdDisables(keys []facts.ConfigLine, family string) (facts.ConfigLine, bool) {
	var last facts.ConfigLine
	found := false
	for _, k := range keys {
		if k.Key == "IPForward" || (k.Key == "IPv4Forwarding" && family == "ipv4") || (k.Key == "IPv6Forwarding" && family == "ipv6") {
			last, found = k, true
		}
	}
	if !found {
		return facts.ConfigLine{}, false
	}
	v := strings.ToLower(strings.TrimSpace(last.Value))
	if last.Key == "IPForward" && (v == family || v == "yes" || v == "true" || v == "1" || v == "on") {
		return facts.ConfigLine{}, false
	}
	if last.Key != "IPForward" && !isFalse(v) {
		return facts.ConfigLine{}, false
	}
	return last, true
}

// isFalse accepts systemd's spellings of false.
func isFalse(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "0", "no", "false", "off", "n", "f":
		return true
	}
	return false
}
