package facts

import "strings"

// NormalizeSysctlKey writes a key in dotted form with '/' inside an
// interface name ("net/ipv4/conf/eth0.2/forwarding" →
// "net.ipv4.conf.eth0/2.forwarding"), the form sysctl(8) prints: the two
// spellings of one key then compare equal. A key whose first separator is
// '/' is in slash form (sysctl.d(5)).
func NormalizeSysctlKey(k string) string {
	dot, slash := strings.IndexByte(k, '.'), strings.IndexByte(k, '/')
	if slash < 0 || (dot >= 0 && dot < slash) {
		return k
	}
	parts := strings.Split(k, "/")
	for i := range parts {
		parts[i] = strings.ReplaceAll(parts[i], ".", "/")
	}
	return strings.Join(parts, ".")
}

// IsForwardingKey reports whether a normalized key sets IPv4 or IPv6
// forwarding globally or for some interface (globs included).
func IsForwardingKey(k string) bool {
	if k == "net.ipv4.ip_forward" {
		return true
	}
	_, _, _, ok := SplitConfKey(k)
	return ok
}

// SplitConfKey splits "net.ipv4.conf.<if>.forwarding" (or ipv6, or
// force_forwarding) into its family ("ipv4", "ipv6"), interface (with '/'
// turned back into '.') and leaf.
func SplitConfKey(k string) (family, iface, leaf string, ok bool) {
	rest, found := strings.CutPrefix(k, "net.")
	if !found {
		return "", "", "", false
	}
	family, rest, found = strings.Cut(rest, ".conf.")
	if !found || (family != "ipv4" && family != "ipv6") {
		return "", "", "", false
	}
	i := strings.LastIndexByte(rest, '.')
	if i <= 0 {
		return "", "", "", false
	}
	iface, leaf = strings.ReplaceAll(rest[:i], "/", "."), rest[i+1:]
	if leaf != "forwarding" && !(family == "ipv6" && leaf == "force_forwarding") {
		return "", "", "", false
	}
	return family, iface, leaf, true
}
