package ctusage

import (
	"bufio"
	"net"
	"net/netip"
	"strings"
	"unicode"
)

// Names maps LAN addresses to the names their owners gave them. The names
// come from LAN clients (DHCP hostnames), so Clean keeps them printable
// text: the CLI prints them, LuCI shows them with E() as text, and nothing
// ever passes them to a shell.
type Names struct {
	byAddr map[netip.Addr]string
	byMAC  map[string]string // from /etc/ethers, for addresses learnt from neighbours
}

// maxNameLen is the longest DNS label; longer names are cut.
const maxNameLen = 63

// Clean returns name as plain printable text of at most 63 runes; "" for
// dnsmasq's "*" (no name).
func Clean(name string) string {
	var b strings.Builder
	n := 0
	for _, r := range name {
		if n == maxNameLen {
			break
		}
		if !unicode.IsPrint(r) || r == '<' || r == '>' || r == '&' || r == '"' || r == '\'' || r == '`' {
			r = '_'
		}
		b.WriteRune(r)
		n++
	}
	s := strings.TrimSpace(b.String())
	if s == "*" {
		return ""
	}
	return s
}

// ParseNames reads dnsmasq's lease file (`expiry mac ip name client-id`,
// one lease a line) and /etc/ethers (`mac name-or-ip`). Either may be "".
// Broken lines are skipped: the files are written by other programs.
func ParseNames(leases, ethers string) *Names {
	n := &Names{byAddr: map[netip.Addr]string{}, byMAC: map[string]string{}}
	macToAddr := map[string]netip.Addr{}
	sc := bufio.NewScanner(strings.NewReader(leases))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 {
			continue
		}
		addr, err := netip.ParseAddr(f[2])
		if err != nil {
			continue
		}
		if mac, err := net.ParseMAC(f[1]); err == nil {
			macToAddr[mac.String()] = addr
		}
		if name := Clean(f[3]); name != "" {
			n.byAddr[addr] = name
		}
	}
	sc = bufio.NewScanner(strings.NewReader(ethers))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		mac, err := net.ParseMAC(f[0])
		if err != nil {
			continue
		}
		if _, err := netip.ParseAddr(f[1]); err == nil {
			continue // "mac ip": a static lease, no name
		}
		name := Clean(f[1])
		if name == "" {
			continue
		}
		n.byMAC[mac.String()] = name
		if addr, ok := macToAddr[mac.String()]; ok {
			if _, named := n.byAddr[addr]; !named {
				n.byAddr[addr] = name
			}
		}
	}
	return n
}

// Learn adds an address whose MAC is known (from the neighbour table), so
// /etc/ethers names hosts that took no DHCP lease.
func (n *Names) Learn(addr netip.Addr, mac string) {
	if _, ok := n.byAddr[addr]; ok {
		return
	}
	if name, ok := n.byMAC[mac]; ok {
		n.byAddr[addr] = name
	}
}

// Of returns the name of addr, "" when none is known.
func (n *Names) Of(addr netip.Addr) string {
	if n == nil {
		return ""
	}
	return n.byAddr[addr.Unmap()]
}
