//go:build linux

package links

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/vishvananda/netlink"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe/nlsock"
)

// procSys is where sysctls are read; /proc/sys shows the namespace of the
// reading process, so each network namespace has its own bridge-nf-call-*
// (kernels >= 5.3) and rp_filter.
const procSys = "/proc/sys"

// ReadBridgeNF reads the links' part of the S4 facts: bridge netfilter's
// switches, rp_filter and arp_ignore, and the bridges with their ports,
// addresses and the veth pairs between two of them. The rules and the
// counters are the caller's (packages nft and ct). links and linksErr are
// the probe's one listing of the links; h lists the bridges' addresses.
// The error says what of the bridges could not be read.
func ReadBridgeNF(h *netlink.Handle, links []netlink.Link, linksErr error) (facts.BridgeNF, error) {
	var b facts.BridgeNF
	b.Loaded, b.CallIPTables = sysctlBool("net/bridge/bridge-nf-call-iptables")
	_, b.CallIP6Tables = sysctlBool("net/bridge/bridge-nf-call-ip6tables")
	_, b.CallARPTables = sysctlBool("net/bridge/bridge-nf-call-arptables")
	b.RPFilterAll, _ = sysctlInt("net/ipv4/conf/all/rp_filter")
	arpIgnoreAll, _ := sysctlInt("net/ipv4/conf/all/arp_ignore")
	if linksErr != nil {
		return b, fmt.Errorf("list links: %v", linksErr)
	}
	return b, readBridges(h, links, &b, arpIgnoreAll)
}

// readBridges lists bridges with their ports, addresses and rp_filter, and
// the veth pairs whose ends sit in two different bridges.
func readBridges(h *netlink.Handle, links []netlink.Link, b *facts.BridgeNF, arpIgnoreAll int) error {
	byIndex := map[int]netlink.Link{}
	for _, l := range links {
		byIndex[l.Attrs().Index] = l
	}
	masterOf := func(l netlink.Link) string {
		m, ok := byIndex[l.Attrs().MasterIndex]
		if !ok || m.Type() != "bridge" {
			return ""
		}
		return m.Attrs().Name
	}
	// The addresses of every bridge from one dump, not one per bridge.
	var addrs map[int][]netlink.Addr
	for _, l := range links {
		if l.Type() != "bridge" {
			continue
		}
		if addrs == nil {
			all, err := h.AddrList(nil, netlink.FAMILY_ALL)
			if err != nil {
				return fmt.Errorf("list addresses: %w", err)
			}
			addrs = map[int][]netlink.Addr{}
			for _, a := range all {
				addrs[a.LinkIndex] = append(addrs[a.LinkIndex], a)
			}
		}
		br := facts.Bridge{Name: l.Attrs().Name, Addresses: []string{}, Ports: []string{}}
		for _, a := range addrs[l.Attrs().Index] {
			if a.IP.IsLinkLocalUnicast() {
				continue // every bridge with a port up has an fe80:: address
			}
			br.Addresses = append(br.Addresses, a.IPNet.String())
		}
		for _, p := range links {
			if p.Attrs().MasterIndex == l.Attrs().Index {
				br.Ports = append(br.Ports, p.Attrs().Name)
			}
		}
		sort.Strings(br.Ports)
		br.RPFilter, _ = sysctlInt("net/ipv4/conf/" + br.Name + "/rp_filter")
		br.RPFilterEffective = max(br.RPFilter, b.RPFilterAll)
		arpIgnore, _ := sysctlInt("net/ipv4/conf/" + br.Name + "/arp_ignore")
		br.ARPIgnoreEffective = max(arpIgnore, arpIgnoreAll)
		b.Bridges = append(b.Bridges, br)
	}
	seen := map[string]bool{}
	for _, l := range links {
		v, ok := l.(*netlink.Veth)
		if !ok || masterOf(l) == "" {
			continue
		}
		peerIdx, err := netlink.VethPeerIndex(v)
		if err != nil {
			continue // peer in another namespace: not a link between two of our bridges
		}
		peer, ok := byIndex[peerIdx]
		if !ok || masterOf(peer) == "" || masterOf(peer) == masterOf(l) {
			continue
		}
		a, p := l.Attrs().Name, peer.Attrs().Name
		if seen[p] {
			continue
		}
		seen[a] = true
		b.Links = append(b.Links, facts.BridgeLink{Veth: a, Peer: p, Bridge: masterOf(l), PeerBr: masterOf(peer)})
	}
	return nil
}

// sysctlBool reads a 0/1 sysctl: exists, and whether it is 1.
func sysctlBool(name string) (bool, bool) {
	v, err := sysctlInt(name)
	return err == nil, v == 1
}

func sysctlInt(name string) (int, error) {
	v, err := nlsock.ReadProcValue(filepath.Join(procSys, name))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return 0, err
		}
		return 0, fmt.Errorf("read sysctl %s: %w", name, err)
	}
	return strconv.Atoi(v)
}
