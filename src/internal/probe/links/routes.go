package links

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
)

// Routes come from /proc/net/route and /proc/net/ipv6_route rather than an
// rtnetlink route dump: the dump's decoder (every encapsulation type) costs
// the router binary ~100 KB for two facts.

// parseDefaultRoutes4 returns the interfaces of the IPv4 main table's
// default routes (/proc/net/route: Destination and Mask 00000000, in
// hexadecimal, the route up).
func parseDefaultRoutes4(r io.Reader) []string {
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 8 || f[0] == "Iface" {
			continue
		}
		flags, err := strconv.ParseUint(f[3], 16, 32)
		if err != nil || flags&0x1 == 0 { // RTF_UP
			continue
		}
		if f[1] == "00000000" && f[7] == "00000000" {
			out = append(out, f[0])
		}
	}
	return out
}

// route6 is one IPv6 route: destination prefix and device.
type route6 struct {
	Dst string
	Dev string
}

// parseGlobalRoutes6 returns the IPv6 routes to global unicast prefixes
// (/proc/net/ipv6_route: destination, prefix length, ..., flags, device),
// leaving out reject routes and loopback.
func parseGlobalRoutes6(r io.Reader) []route6 {
	var out []route6
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[9] == "lo" {
			continue
		}
		b, err := hex.DecodeString(f[0])
		plen, perr := strconv.ParseUint(f[1], 16, 8)
		flags, ferr := strconv.ParseUint(f[8], 16, 32)
		if err != nil || len(b) != net.IPv6len || perr != nil || ferr != nil || plen == 0 || flags&0x0200 != 0 { // RTF_REJECT
			continue
		}
		ip := net.IP(b)
		if !ip.IsGlobalUnicast() {
			continue
		}
		out = append(out, route6{Dst: fmt.Sprintf("%s/%d", ip, plen), Dev: f[9]})
	}
	return out
}
