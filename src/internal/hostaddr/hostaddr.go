// Package hostaddr checks that an address names one LAN or WAN host whose
// offloaded conntrack entries may be flushed. It is the one validator behind
// every entry point that takes such an address: the rpcd flush method, the
// daemon's control socket and `netfix flush`.
package hostaddr

import (
	"errors"
	"fmt"
	"net/netip"
)

// ErrNotHost is wrapped by every refusal, so callers can tell a bad
// argument from a failed flush.
var ErrNotHost = errors.New("not a host address")

// broadcast is the IPv4 limited broadcast address. A subnet's directed
// broadcast depends on the interface's prefix and is not refused here: on
// a /31 or /32 it is a host.
var broadcast = netip.AddrFrom4([4]byte{255, 255, 255, 255})

// Parse returns the host address s names, IPv4-mapped IPv6 unmapped, or an
// error that says why it cannot be flushed. It refuses what matches no
// single host's conntrack entries — the unspecified address (it would match
// nothing or, with a buggy filter, everything), multicast, broadcast,
// loopback (the router's own traffic is never offloaded) — and zoned
// addresses (fe80::1%eth0): conntrack has no zones, so the zone would be
// silently dropped and the flush could hit a host on another link.
func Parse(s string) (netip.Addr, error) {
	if s == "" {
		return netip.Addr{}, fmt.Errorf("%w: the address is empty (give the host's IPv4 or IPv6 address)", ErrNotHost)
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%w: %q is not an IPv4 or IPv6 address", ErrNotHost, s)
	}
	if ip.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("%w: %s has a zone (%%%s); give the address without it", ErrNotHost, s, ip.Zone())
	}
	ip = ip.Unmap()
	switch {
	case ip.IsUnspecified():
		return netip.Addr{}, fmt.Errorf("%w: %s is the unspecified address", ErrNotHost, ip)
	case ip.IsMulticast():
		return netip.Addr{}, fmt.Errorf("%w: %s is a multicast address", ErrNotHost, ip)
	case ip == broadcast:
		return netip.Addr{}, fmt.Errorf("%w: %s is the broadcast address", ErrNotHost, ip)
	case ip.IsLoopback():
		return netip.Addr{}, fmt.Errorf("%w: %s is a loopback address (the router's own traffic is never offloaded)", ErrNotHost, ip)
	}
	return ip, nil
}
