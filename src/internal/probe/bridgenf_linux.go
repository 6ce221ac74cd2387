//go:build linux

package probe

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/nftables"
	"github.com/ti-mo/conntrack"
	"github.com/vishvananda/netlink"

	"github.com/netfix/netfix/src/internal/facts"
)

// procSys is where sysctls are read; /proc/sys shows the namespace of the
// reading process, so each network namespace has its own bridge-nf-call-*
// (kernels >= 5.3) and rp_filter.
const procSys = "/proc/sys"

// readBridgeNF gathers the S4 facts, the rules from the probe's reading of
// the ruleset. sample > 0 reads conntrack's counters twice that far apart,
// but only where the layout can track a connection twice (an address-less
// bridge joined to an addressed one while bridge netfilter is on), so
// ordinary hosts never wait.
//
// links and linksErr are the probe's one listing of the links; h lists
// the bridges' addresses.
func readBridgeNF(nr nftRead, h *netlink.Handle, links []netlink.Link, linksErr error, ctc *conntrack.Conn, sample time.Duration) facts.BridgeNF {
	var b facts.BridgeNF
	var errs []string
	b.Loaded, b.CallIPTables = sysctlBool("net/bridge/bridge-nf-call-iptables")
	_, b.CallIP6Tables = sysctlBool("net/bridge/bridge-nf-call-ip6tables")
	_, b.CallARPTables = sysctlBool("net/bridge/bridge-nf-call-arptables")
	b.RPFilterAll, _ = sysctlInt("net/ipv4/conf/all/rp_filter")
	arpIgnoreAll, _ := sysctlInt("net/ipv4/conf/all/arp_ignore")

	if linksErr != nil {
		errs = append(errs, fmt.Sprintf("list links: %v", linksErr))
	} else if err := readBridges(h, links, &b, arpIgnoreAll); err != nil {
		errs = append(errs, err.Error())
	}
	if nr.rulesErr != nil {
		errs = append(errs, nr.rulesErr.Error())
	}
	sum := nr.rules
	b.DNATNoIif, b.Notrack, b.IPTablesNFT = sum.DNATNoIif, sum.Notrack, sum.IPTablesNFT
	if sample > 0 && ctc != nil && b.CallIPTables && len(b.JoinedBridges()) > 0 {
		cs, err := SampleCounters(ctc, sample)
		if err != nil {
			errs = append(errs, err.Error())
		}
		b.Counters = cs
	}
	b.Error = strings.Join(errs, "; ")
	return b
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

// readRuleChains reads every chain and its rules.
func readRuleChains(nft *nftables.Conn) ([]ruleChain, error) {
	chains, err := nft.ListChains()
	if err != nil {
		return nil, classify("list nftables chains", err, nil)
	}
	var out []ruleChain
	for _, c := range chains {
		rules, err := nft.GetRules(c.Table, c)
		if err != nil {
			return out, fmt.Errorf("read rules of %s %s %s: %w", familyName(c.Table.Family), c.Table.Name, c.Name, err)
		}
		out = append(out, ruleChain{Family: familyName(c.Table.Family), Table: c.Table.Name, Name: c.Name,
			Hook: c.Hooknum, Priority: c.Priority, Type: c.Type, Rules: rules})
	}
	return out, nil
}

// SampleCounters reads conntrack's counters, waits, and reads them again.
func SampleCounters(ctc *conntrack.Conn, wait time.Duration) (facts.CounterSample, error) {
	var cs facts.CounterSample
	first, err := ReadCounters(ctc)
	if err != nil {
		return cs, err
	}
	start := time.Now()
	time.Sleep(wait)
	second, err := ReadCounters(ctc)
	if err != nil {
		return cs, err
	}
	return facts.CounterSample{Sampled: true, First: first, Second: second, IntervalMS: time.Since(start).Milliseconds()}, nil
}

// ReadCounters sums conntrack's per-CPU statistics. ti-mo/conntrack has
// no clash_resolve (kernel 5.7+), so that one comes from
// /proc/net/stat/nf_conntrack when it has the column.
func ReadCounters(ctc *conntrack.Conn) (facts.CTCounters, error) {
	var c facts.CTCounters
	stats, err := ctc.Stats()
	if err != nil {
		return c, fmt.Errorf("read conntrack statistics: %w", err)
	}
	for _, s := range stats {
		c.Found += uint64(s.Found)
		c.Invalid += uint64(s.Invalid)
		c.InsertFailed += uint64(s.InsertFailed)
	}
	if f, err := os.Open("/proc/net/stat/nf_conntrack"); err == nil {
		// The proc file calls it "clashres" (ctnetlink: CTA_STATS_CLASH_RESOLVE).
		c.ClashResolve, c.HasClashResolve = procStatColumn(f, "clashres")
		f.Close()
	}
	return c, nil
}

// procStatColumn sums one column of /proc/net/stat/nf_conntrack: a header
// line of names, then one line of hexadecimal values per CPU.
func procStatColumn(f io.Reader, name string) (uint64, bool) {
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0, false
	}
	col := -1
	for i, h := range strings.Fields(sc.Text()) {
		if h == name {
			col = i
		}
	}
	if col < 0 {
		return 0, false
	}
	var sum uint64
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if col < len(fields) {
			v, err := strconv.ParseUint(fields[col], 16, 64)
			if err == nil {
				sum += v
			}
		}
	}
	return sum, true
}

// sysctlBool reads a 0/1 sysctl: exists, and whether it is 1.
func sysctlBool(name string) (bool, bool) {
	v, err := sysctlInt(name)
	return err == nil, v == 1
}

func sysctlInt(name string) (int, error) {
	v, err := readProcValue(filepath.Join(procSys, name))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return 0, err
		}
		return 0, fmt.Errorf("read sysctl %s: %w", name, err)
	}
	return strconv.Atoi(v)
}

// NotrackRules reads the rules that exempt one input interface from
// conntrack, wherever they are (nft, fw4, iptables-nft's raw table).
func NotrackRules(nft *nftables.Conn) ([]facts.NotrackRule, error) {
	chains, err := readRuleChains(nft)
	if err != nil {
		return nil, err
	}
	return summarize(chains).Notrack, nil
}
