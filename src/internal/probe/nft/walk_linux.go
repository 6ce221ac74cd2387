//go:build linux

package nft

import (
	"encoding/binary"
	"fmt"
	"net"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/google/nftables/xt"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe/nlsock"
)

// Conntrack hooks prerouting at priority -200 (NF_IP_PRI_CONNTRACK): a
// notrack rule must run before it, at raw (-300) or anything below -200.
const priorityConntrack = -200

// ruleChain is one chain with its rules, as read from the kernel.
type ruleChain struct {
	Family string
	Table  string
	Name   string
	// Hook and Priority are set for base chains.
	Hook     *nftables.ChainHook
	Priority *nftables.ChainPriority
	Type     nftables.ChainType
	Rules    []*nftables.Rule
}

func (c ruleChain) isPrerouting() bool {
	return c.Hook != nil && *c.Hook == *nftables.ChainHookPrerouting
}

// ruleInfo is what one rule matches and does, decoded from its
// expressions whether nft wrote them natively or iptables-nft through
// xtables compat (older iptables-nft writes `-p tcp --dport` as a "tcp"
// match and DNAT as a "DNAT" target).
type ruleInfo struct {
	IifEq   string // input interface the rule requires ("" none)
	IifNeq  string // input interface a negated match excludes
	Proto   string
	Port    uint16
	DNAT    bool
	To      string
	Notrack bool
	Compat  bool
	Jump    string // chain of a jump or goto verdict
}

// decodeRule reads a rule's expressions, following the registers that
// meta/payload/immediate expressions load and cmp/nat expressions use.
func decodeRule(exprs []expr.Any) ruleInfo {
	var ri ruleInfo
	loaded := map[uint32]string{} // register -> what it holds
	imm := map[uint32][]byte{}
	for _, e := range exprs {
		switch e := e.(type) {
		case *expr.Meta:
			switch e.Key {
			case expr.MetaKeyIIFNAME:
				loaded[e.Register] = "iifname"
			case expr.MetaKeyL4PROTO:
				loaded[e.Register] = "l4proto"
			default:
				loaded[e.Register] = ""
			}
		case *expr.Payload:
			switch {
			case e.Base == expr.PayloadBaseTransportHeader && e.Offset == 2 && e.Len == 2:
				loaded[e.DestRegister] = "dport"
			case e.Base == expr.PayloadBaseNetworkHeader && e.Offset == 9 && e.Len == 1:
				loaded[e.DestRegister] = "l4proto"
			default:
				loaded[e.DestRegister] = ""
			}
		case *expr.Cmp:
			switch loaded[e.Register] {
			case "iifname":
				name := ifname(e.Data)
				if e.Op == expr.CmpOpEq {
					ri.IifEq = name
				} else if e.Op == expr.CmpOpNeq {
					ri.IifNeq = name
				}
			case "l4proto":
				if e.Op == expr.CmpOpEq && len(e.Data) == 1 {
					ri.Proto = protoName(e.Data[0])
				}
			case "dport":
				if e.Op == expr.CmpOpEq && len(e.Data) == 2 {
					ri.Port = binary.BigEndian.Uint16(e.Data)
				}
			}
		case *expr.Immediate:
			imm[e.Register] = e.Data
		case *expr.NAT:
			if e.Type == expr.NATTypeDestNAT {
				ri.DNAT = true
				ri.To = natTarget(imm[e.RegAddrMin], imm[e.RegProtoMin])
			}
		case *expr.Notrack:
			ri.Notrack = true
		case *expr.Match:
			switch info := e.Info.(type) {
			case *xt.Tcp:
				ri.Proto, ri.Compat = "tcp", true
				if info.DstPorts[0] == info.DstPorts[1] && info.InvFlags&xt.TcpInvDestPorts == 0 {
					ri.Port = info.DstPorts[0]
				}
			case *xt.Udp:
				ri.Proto, ri.Compat = "udp", true
				if info.DstPorts[0] == info.DstPorts[1] && info.InvFlags&xt.UdpInvDestPorts == 0 {
					ri.Port = info.DstPorts[0]
				}
			}
		case *expr.Target:
			decodeTarget(e, &ri)
		case *expr.Verdict:
			if e.Kind == expr.VerdictJump || e.Kind == expr.VerdictGoto {
				ri.Jump = e.Chain
			}
		}
	}
	return ri
}

// decodeTarget reads xtables targets that iptables-nft writes in compat
// form: DNAT, NOTRACK and CT --notrack.
func decodeTarget(t *expr.Target, ri *ruleInfo) {
	switch t.Name {
	case "DNAT":
		ri.DNAT, ri.Compat = true, true
		switch info := t.Info.(type) {
		case *xt.NatRange:
			ri.To = rangeTarget(info.MinIP, info.MinPort)
		case *xt.NatRange2:
			ri.To = rangeTarget(info.MinIP, info.MinPort)
		}
	case "NOTRACK":
		ri.Notrack, ri.Compat = true, true
	case "CT":
		// struct xt_ct_target_info{,_v1} starts with __u16 flags;
		// XT_CT_NOTRACK is bit 0.
		if raw, ok := t.Info.(*xt.Unknown); ok && len(*raw) >= 2 && binary.NativeEndian.Uint16(*raw)&1 == 1 {
			ri.Notrack, ri.Compat = true, true
		}
	}
}

// RuleSummary is what the bridge-netfilter rules need from the ruleset.
type RuleSummary struct {
	DNATNoIif []facts.NATRule
	Notrack   []facts.NotrackRule
	// IPTablesNFT is true when iptables-nft's nat table is loaded (its
	// "ip nat" table with a PREROUTING chain): the host manages its
	// firewall with iptables, as Docker does.
	IPTablesNFT bool
}

// summarize walks every prerouting base chain and the chains it jumps to:
// DNAT rules that no input interface restricts, and notrack rules ahead of
// conntrack for one input interface.
func summarize(chains []ruleChain) RuleSummary {
	var out RuleSummary
	byName := map[string]ruleChain{}
	for _, c := range chains {
		byName[c.Family+" "+c.Table+" "+c.Name] = c
		if c.Family == "ip" && c.Table == "nat" && c.Name == "PREROUTING" {
			out.IPTablesNFT = true
		}
	}
	for _, c := range chains {
		if !c.isPrerouting() {
			continue
		}
		if c.Type == nftables.ChainTypeNAT {
			walkDNAT(c, byName, map[string]bool{}, &out.DNATNoIif)
		}
		if c.Priority != nil && int(*c.Priority) < priorityConntrack {
			walkNotrack(c, "", byName, map[string]bool{}, &out.Notrack)
		}
	}
	return out
}

func walkDNAT(c ruleChain, byName map[string]ruleChain, seen map[string]bool, out *[]facts.NATRule) {
	key := c.Family + " " + c.Table + " " + c.Name
	if seen[key] {
		return
	}
	seen[key] = true
	for _, r := range c.Rules {
		ri := decodeRule(r.Exprs)
		if ri.IifEq != "" {
			continue // restricted to one input interface, and so is all it jumps to
		}
		if ri.DNAT {
			*out = append(*out, facts.NATRule{Family: c.Family, Table: c.Table, Chain: c.Name, Handle: r.Handle,
				NotIif: ri.IifNeq, Proto: ri.Proto, Port: ri.Port, To: ri.To, Compat: ri.Compat})
		}
		if ri.Jump != "" {
			if next, ok := byName[c.Family+" "+c.Table+" "+ri.Jump]; ok {
				walkDNAT(next, byName, seen, out)
			}
		}
	}
}

func walkNotrack(c ruleChain, iif string, byName map[string]ruleChain, seen map[string]bool, out *[]facts.NotrackRule) {
	key := c.Family + " " + c.Table + " " + c.Name + " " + iif
	if seen[key] {
		return
	}
	seen[key] = true
	for _, r := range c.Rules {
		ri := decodeRule(r.Exprs)
		in := iif
		if ri.IifEq != "" {
			in = ri.IifEq
		}
		if ri.Notrack && in != "" {
			*out = append(*out, facts.NotrackRule{Family: c.Family, Table: c.Table, Chain: c.Name, Iif: in})
		}
		if ri.Jump != "" {
			if next, ok := byName[c.Family+" "+c.Table+" "+ri.Jump]; ok {
				walkNotrack(next, in, byName, seen, out)
			}
		}
	}
}

// ifname turns a cmp operand into an interface name: IFNAMSIZ bytes padded
// with NULs, or a shorter prefix for a wildcard match ("br-*").
func ifname(b []byte) string {
	s := string(b)
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s + "*"
}

func protoName(p byte) string {
	switch p {
	case 6:
		return "tcp"
	case 17:
		return "udp"
	default:
		return fmt.Sprint(p)
	}
}

func natTarget(addr, port []byte) string {
	var ip net.IP
	if len(addr) == 4 || len(addr) == 16 {
		ip = net.IP(addr)
	}
	var p uint16
	if len(port) == 2 {
		p = binary.BigEndian.Uint16(port)
	}
	return rangeTarget(ip, p)
}

func rangeTarget(ip net.IP, port uint16) string {
	switch {
	case ip == nil && port == 0:
		return ""
	case ip == nil:
		return fmt.Sprintf(":%d", port)
	case port == 0:
		return ip.String()
	default:
		return net.JoinHostPort(ip.String(), fmt.Sprint(port))
	}
}

// readRuleChains reads every chain and its rules.
func readRuleChains(nft *nftables.Conn) ([]ruleChain, error) {
	chains, err := nft.ListChains()
	if err != nil {
		return nil, nlsock.Classify("list nftables chains", err, nil)
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

// NotrackRules reads the rules that exempt one input interface from
// conntrack, wherever they are (nft, fw4, iptables-nft's raw table).
func NotrackRules(nft *nftables.Conn) ([]facts.NotrackRule, error) {
	chains, err := readRuleChains(nft)
	if err != nil {
		return nil, err
	}
	return summarize(chains).Notrack, nil
}
