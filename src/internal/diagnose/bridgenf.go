package diagnose

import (
	"fmt"
	"path"
	"strings"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/shell"
	"github.com/netfix/netfix/src/internal/status"
)

// Scenario S4: a container bridge without an address (br-lan137) is joined
// by a veth pair to the bridge that holds the host's address. With bridge
// netfilter on, packets that br-lan137 only switches meet the IP hooks:
// DNAT rules without an input-interface match fire there, rp_filter drops
// what they turn into routed packets, and conntrack sees every connection
// to the host a second time, so NAT rewrites the reply port and the client
// resets. One notrack rule for br-lan137 cures all three.

// NotrackAction is the fix action of the three S4 findings.
const NotrackAction = "bridge.notrack"

// maxListed caps evidence lists (DNAT rules, mirror pairs).
const maxListed = 3

// exposed is one address-less bridge that the layout exposes, with what
// the rules need about it.
type exposed struct {
	facts.Joined
	dnat []facts.NATRule
}

// exposedBridges lists each address-less bridge joined to an addressed one
// while bridge netfilter is on and no notrack rule exempts it, once.
func exposedBridges(b facts.BridgeNF) []exposed {
	if !b.CallIPTables {
		return nil
	}
	var out []exposed
	seen := map[string]bool{}
	for _, j := range b.JoinedBridges() {
		if seen[j.IPless.Name] || b.NotrackFor(j.IPless.Name) {
			continue
		}
		seen[j.IPless.Name] = true
		var dnat []facts.NATRule
		for _, r := range b.DNATNoIif {
			if r.NotIif != j.IPless.Name {
				dnat = append(dnat, r)
			}
		}
		out = append(out, exposed{Joined: j, dnat: dnat})
	}
	return out
}

func bridgeNFCallIPTables(s facts.Snapshot) []Finding {
	var out []Finding
	for _, x := range exposedBridges(s.BridgeNF) {
		c, r := x.IPless.Name, x.Routed.Name
		detail := []status.Msg{
			status.M("net.bridge.bridge-nf-call-iptables is 1, so IPv4 packets that %s only switches still pass the IP prerouting hooks: NAT rules fire and conntrack tracks them there too.", c),
			status.M("%s is joined to %s, which holds the host address %s, by the veth pair %s/%s: a connection between a client on %s and this host is seen once on each bridge.", c, r, hostAddr(x.Routed), x.Link.Veth, x.Link.Peer, c),
		}
		if len(x.dnat) > 0 {
			detail = append(detail, status.MN(len(x.dnat),
				"%d DNAT rule matches any input interface, so it rewrites packets already while they cross %s.",
				"%d DNAT rules match any input interface, so they rewrite packets already while they cross %s.", len(x.dnat), c))
		}
		detail = append(detail,
			status.M("Which bridge answers ARP for the host address decides the symptom, a reset right after the handshake or a hang: here clients reach %s through %s, so replies cross %s a second time.", hostAddr(x.Routed), r, c))
		if x.IPless.ARPIgnoreEffective == 0 {
			detail = append(detail,
				status.M("%s answers ARP for the host address too (arp_ignore 0): clients that use its MAC address hang instead, and the notrack rule does not cure that; net.ipv4.conf.%s.arp_ignore=1 leaves the answer to %s.", c, c, r))
		}
		detail = append(detail, notrackAdvice(s, c)...)
		ev := []status.Msg{
			status.M("net.bridge.bridge-nf-call-iptables = 1"),
			status.M("bridge %s: no address, ports %s", c, strings.Join(x.IPless.Ports, " ")),
			status.M("bridge %s: %s, ports %s", r, strings.Join(x.Routed.Addresses, " "), strings.Join(x.Routed.Ports, " ")),
			status.M("veth pair %s (in %s) and %s (in %s)", x.Link.Veth, c, x.Link.Peer, r),
		}
		ev = append(ev, dnatEvidence(x.dnat)...)
		f := newFinding("bridge.nf_call_iptables", SeverityWarning,
			status.M("Bridge netfilter sends traffic on the address-less bridge %s through the IP firewall and conntrack", c),
			detail, ev, notrackCommand(s, c))
		out = append(out, f.withFixAction(NotrackAction, map[string]string{"bridge": c}))
	}
	return out
}

func bridgeRPFilterIPless(s facts.Snapshot) []Finding {
	var out []Finding
	b := s.BridgeNF
	for _, x := range exposedBridges(b) {
		c := x.IPless.Name
		if x.IPless.RPFilterEffective == 0 || len(x.dnat) == 0 {
			continue
		}
		detail := []status.Msg{
			status.M("Bridge netfilter and a DNAT rule without an input-interface match turn packets on %s into routed packets whose input device is %s.", c, c),
			status.M("Reverse-path filtering is on for %s (rp_filter %d, the larger of all=%d and the bridge's own %d) and a device without an address never passes it (fib_validate_source), so those packets are dropped: clients can ping the host, but connections to published ports hang.", c, x.IPless.RPFilterEffective, b.RPFilterAll, x.IPless.RPFilter),
			status.M("The notrack rule for %s keeps the DNAT rules off the bridge, so no packet is routed there and rp_filter can stay on.", c),
			status.M("Alternative: sysctl -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.%s.rp_filter=0, or an address on %s; either leaves the double tracking in place.", shell.Quote(dottedName(c)), c),
		}
		ev := []status.Msg{
			status.M("net.ipv4.conf.all.rp_filter = %d", b.RPFilterAll),
			status.M("net.ipv4.conf.%s.rp_filter = %d (effective %d)", c, x.IPless.RPFilter, x.IPless.RPFilterEffective),
			status.M("bridge %s: no address, ports %s", c, strings.Join(x.IPless.Ports, " ")),
		}
		ev = append(ev, dnatEvidence(x.dnat)...)
		f := newFinding("bridge.rp_filter_ipless", SeverityWarning,
			status.M("rp_filter drops routed packets that arrive on the address-less bridge %s", c),
			detail, ev, notrackCommand(s, c))
		out = append(out, f.withFixAction(NotrackAction, map[string]string{"bridge": c}))
	}
	return out
}

func conntrackDoubleTracking(s facts.Snapshot) []Finding {
	var out []Finding
	b := s.BridgeNF
	g := b.Counters.Growth()
	for _, x := range exposedBridges(b) {
		c, r := x.IPless.Name, x.Routed.Name
		if len(x.dnat) == 0 {
			continue
		}
		mirrors := b.Mirrors
		seen := len(mirrors) > 0 || (b.Counters.Sampled && g.Invalid >= 2)
		sev := SeverityWarning
		title := status.M("Conntrack can see connections through %s twice, once per bridge", c)
		if seen {
			sev = SeverityCritical
			title = status.M("Conntrack tracks connections through %s twice: NAT rewrites the reply port and clients get a reset", c)
		}
		detail := []status.Msg{
			status.M("The first packet is tracked and DNATed on %s; the reply, translated back, leaves through %s and crosses %s again, where conntrack takes it for a new connection whose original tuple mirrors the first one's.", c, r, c),
			status.M("That entry's reply tuple clashes with the first entry, so NAT's null binding rewrites the port; the client answers with RST right after the handshake."),
			status.M("The second entry lives only milliseconds: the daemon catches it from conntrack events, and netfix check samples the invalid and found counters, which grow by about 2 and 3 per failed request."),
		}
		var ev []status.Msg
		for i, m := range mirrors {
			if i == maxListed {
				ev = append(ev, status.MN(len(mirrors)-maxListed, "and %d more mirrored entry", "and %d more mirrored entries", len(mirrors)-maxListed))
				break
			}
			ev = append(ev, status.M("conntrack entry %s mirrors %s, reply port rewritten to %d", m.Second, m.First, m.RewrittenPort))
		}
		if b.Counters.Sampled {
			ev = append(ev, status.M("conntrack counters in %d ms: invalid +%d, found +%d, insert_failed +%d", b.Counters.IntervalMS, g.Invalid, g.Found, g.InsertFailed))
			if g.HasClashResolve {
				ev = append(ev, status.M("conntrack clash_resolve +%d", g.ClashResolve))
			}
		}
		ev = append(ev, dnatEvidence(x.dnat)...)
		f := newFinding("conntrack.double_tracking", sev, title, detail, ev, notrackCommand(s, c))
		out = append(out, f.withFixAction(NotrackAction, map[string]string{"bridge": c}))
	}
	return out
}

// notrackCommand is the fix as one command, the way `netfix fix apply`
// makes it: on OpenWrt a line in fw4's raw_prerouting include and a
// reload, elsewhere a table of netfix's own.
func notrackCommand(s facts.Snapshot, bridge string) string {
	if s.Firewall.Present {
		inc := NotrackInclude(bridge)
		return fmt.Sprintf(`mkdir -p %s && echo %s > %s && fw4 reload`, shell.Quote(path.Dir(inc)), shell.Quote(`iifname "`+bridge+`" notrack`), shell.Quote(inc))
	}
	return "nft " + shell.Quote(`add table inet netfix; add chain inet netfix raw_prerouting { type filter hook prerouting priority raw; }; add rule inet netfix raw_prerouting iifname "`+bridge+`" notrack`)
}

// notrackAdvice says how the fix is kept on this host, and the
// alternatives.
func notrackAdvice(s facts.Snapshot, bridge string) []status.Msg {
	var out []status.Msg
	if s.Firewall.Present {
		out = append(out, status.M("On OpenWrt netfix keeps the rule where fw4 includes it on every reload: %s.", NotrackInclude(bridge)))
	}
	if s.BridgeNF.IPTablesNFT {
		out = append(out, status.M("With iptables the same rule is: iptables -t raw -I PREROUTING 1 -i %s -j NOTRACK", bridge))
	}
	out = append(out, status.M("Alternative: sysctl -w net.bridge.bridge-nf-call-iptables=0 cures it too, but Docker and other tools that filter bridged traffic may depend on it."))
	return out
}

// NotrackInclude is the fw4 include file that holds the notrack rule for
// bridge: fw4 copies files of chain-post/raw_prerouting into the end of its
// raw_prerouting chain (type filter hook prerouting priority raw) on every
// start and reload.
func NotrackInclude(bridge string) string {
	return "/usr/share/nftables.d/" + NotrackIncludeRel(bridge)
}

// NotrackIncludeRel is NotrackInclude relative to fw4's include directory
// (env.Env.IncludeDir).
func NotrackIncludeRel(bridge string) string {
	return "chain-post/raw_prerouting/50-netfix-" + bridge + ".nft"
}

func dnatEvidence(rules []facts.NATRule) []status.Msg {
	var out []status.Msg
	for i, r := range rules {
		if i == maxListed {
			out = append(out, status.MN(len(rules)-maxListed, "and %d more DNAT rule", "and %d more DNAT rules", len(rules)-maxListed))
			break
		}
		out = append(out, status.M("DNAT without input-interface match in %s: %s", r.Family+" "+r.Table+" "+r.Chain, describeNAT(r)))
	}
	return out
}

// describeNAT renders a DNAT rule the way nft lists it.
func describeNAT(r facts.NATRule) string {
	var parts []string
	if r.NotIif != "" {
		parts = append(parts, fmt.Sprintf("iifname != %q", r.NotIif))
	}
	if r.Proto != "" && r.Port != 0 {
		parts = append(parts, fmt.Sprintf("%s dport %d", r.Proto, r.Port))
	} else if r.Proto != "" {
		parts = append(parts, "meta l4proto "+r.Proto)
	}
	if r.To != "" {
		parts = append(parts, "dnat to "+r.To)
	} else {
		parts = append(parts, "dnat")
	}
	return strings.Join(parts, " ")
}

// hostAddr is the bridge's first address without its prefix length.
func hostAddr(b facts.Bridge) string {
	if len(b.Addresses) == 0 {
		return ""
	}
	a, _, _ := strings.Cut(b.Addresses[0], "/")
	return a
}
