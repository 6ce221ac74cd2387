package fix

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/google/nftables/userdata"

	"github.com/netfix/netfix/src/internal/diagnose"
	"github.com/netfix/netfix/src/internal/probe/nft"
	"github.com/netfix/netfix/src/internal/shell"
)

// notrack is the S4 fix: exempt an address-less bridge from conntrack
// before conntrack sees its packets, so DNAT rules never fire on it and no
// connection is tracked twice:
//
//	table inet netfix {
//		chain raw_prerouting {
//			type filter hook prerouting priority raw;
//			iifname "br-lan137" notrack
//		}
//	}
//
// On OpenWrt the rule goes into fw4's own raw_prerouting chain instead,
// live and as an include file fw4 copies into that chain on every reload
// (/usr/share/nftables.d/chain-post/raw_prerouting/), so `fw4 reload`
// keeps it and fw4's table stays the only one.
type notrack struct {
	// includeDir is fw4's include directory, absolute (env.Env.IncludeDir).
	includeDir string
}

const (
	netfixTable = "netfix"
	rawChain    = "raw_prerouting"
	fw4Table    = "fw4"
)

// Change kinds, in Data["kind"].
const (
	kindTable = "table"
	kindChain = "chain"
	kindRule  = "rule"
	kindFile  = "file"
)

func (notrack) ID() string { return diagnose.NotrackAction }

// comment marks netfix's rule so undo deletes its own rule only.
func notrackComment(bridge string) string { return "netfix: notrack for bridge " + bridge }

func (n notrack) includePath(bridge string) string {
	return filepath.Join(n.includeDir, diagnose.NotrackIncludeRel(bridge))
}

func includeContent(bridge string) []byte {
	return []byte(fmt.Sprintf("# Added by `netfix fix apply`; `netfix fix undo` removes it.\niifname %q notrack comment %q\n", bridge, notrackComment(bridge)))
}

// validBridge refuses names that are not interface names, so nothing else
// ends up in a rule or a path.
func validBridge(args map[string]string) (string, error) {
	b := args["bridge"]
	if b == "" || len(b) > 15 || b == "." || b == ".." {
		return "", fmt.Errorf("bridge %q is not an interface name", b)
	}
	for _, c := range b {
		if c <= ' ' || c == '/' || c == '"' || c == '\'' || c == '\\' || c > '~' {
			return "", fmt.Errorf("bridge %q is not an interface name", b)
		}
	}
	return b, nil
}

// fw4Mode: fw4 owns the ruleset here (its table has the raw_prerouting
// chain and the include directory exists).
func (n notrack) fw4Mode(conn *nftables.Conn) bool {
	if _, err := os.Stat(n.includeDir); err != nil {
		return false
	}
	t := &nftables.Table{Family: nftables.TableFamilyINet, Name: fw4Table}
	c, err := conn.ListChain(t, rawChain)
	return err == nil && c != nil
}

func (n notrack) Plan(args map[string]string) ([]Change, error) {
	bridge, err := validBridge(args)
	if err != nil {
		return nil, err
	}
	conn, err := nftables.New()
	if err != nil {
		return nil, fmt.Errorf("open nftables: %w", err)
	}
	rules, err := nft.NotrackRules(conn)
	if err != nil {
		return nil, fmt.Errorf("read notrack rules: %w", err)
	}
	live := false
	for _, r := range rules {
		live = live || r.Iif == bridge
	}
	var plan []Change
	if n.fw4Mode(conn) {
		path := n.includePath(bridge)
		if cur, err := os.ReadFile(path); err != nil || !bytes.Equal(cur, includeContent(bridge)) {
			plan = append(plan, includeChange(path, bridge))
		}
		if !live {
			plan = append(plan, ruleChange(fw4Table, bridge))
		}
		return plan, nil
	}
	if live {
		return nil, nil
	}
	t := &nftables.Table{Family: nftables.TableFamilyINet, Name: netfixTable}
	if _, err := conn.ListTableOfFamily(netfixTable, nftables.TableFamilyINet); err != nil {
		plan = append(plan, Change{
			Object:      "table inet netfix",
			Command:     "nft add table inet netfix",
			UndoCommand: "nft delete table inet netfix",
			Data:        map[string]string{"kind": kindTable, "table": netfixTable},
		})
	}
	if c, err := conn.ListChain(t, rawChain); err != nil || c == nil {
		plan = append(plan, Change{
			Object:      "chain inet netfix raw_prerouting",
			Command:     "nft add chain inet netfix raw_prerouting '{ type filter hook prerouting priority raw; }'",
			UndoCommand: "nft delete chain inet netfix raw_prerouting",
			Data:        map[string]string{"kind": kindChain, "table": netfixTable, "chain": rawChain},
		})
	}
	return append(plan, ruleChange(netfixTable, bridge)), nil
}

// includeChange writes fw4's include for bridge at path.
func includeChange(path, bridge string) Change {
	return Change{
		Object:      "file " + path,
		Command:     fmt.Sprintf("printf '%%s\\n' %s > %s", shell.Quote(fmt.Sprintf("iifname %q notrack comment %q", bridge, notrackComment(bridge))), shell.Quote(path)),
		UndoCommand: "rm " + shell.Quote(path),
		Data:        map[string]string{"kind": kindFile, "path": path},
	}
}

func ruleChange(table, bridge string) Change {
	return Change{
		Object:  fmt.Sprintf("rule inet %s %s: iifname %q notrack", table, rawChain, bridge),
		Command: fmt.Sprintf("nft add rule inet %s %s iifname %s notrack comment %s", shell.Quote(table), rawChain, shell.Quote(strconv.Quote(bridge)), shell.Quote(strconv.Quote(notrackComment(bridge)))),
		// The handle is known once the rule exists (Apply fills it in).
		UndoCommand: fmt.Sprintf("nft delete rule inet %s %s handle <handle>", shell.Quote(table), rawChain),
		Data:        map[string]string{"kind": kindRule, "table": table, "chain": rawChain, "bridge": bridge},
	}
}

func (n notrack) Apply(args map[string]string, plan []Change) ([]Change, error) {
	if _, err := validBridge(args); err != nil {
		return nil, err
	}
	conn, err := nftables.New()
	if err != nil {
		return nil, fmt.Errorf("open nftables: %w", err)
	}
	var made []Change
	for _, c := range plan {
		switch c.Data["kind"] {
		case kindFile:
			path := c.Data["path"]
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return made, fmt.Errorf("create %s: %w", filepath.Dir(path), err)
			}
			if err := os.WriteFile(path, includeContent(args["bridge"]), 0o644); err != nil {
				return made, fmt.Errorf("write %s: %w", path, err)
			}
			made = append(made, c)
		case kindTable:
			conn.AddTable(&nftables.Table{Family: nftables.TableFamilyINet, Name: c.Data["table"]})
			if err := conn.Flush(); err != nil {
				return made, fmt.Errorf("add table inet %s: %w", c.Data["table"], err)
			}
			made = append(made, c)
		case kindChain:
			conn.AddChain(&nftables.Chain{
				Table:    &nftables.Table{Family: nftables.TableFamilyINet, Name: c.Data["table"]},
				Name:     c.Data["chain"],
				Type:     nftables.ChainTypeFilter,
				Hooknum:  nftables.ChainHookPrerouting,
				Priority: nftables.ChainPriorityRaw,
			})
			if err := conn.Flush(); err != nil {
				return made, fmt.Errorf("add chain inet %s %s: %w", c.Data["table"], c.Data["chain"], err)
			}
			made = append(made, c)
		case kindRule:
			rc, err := addNotrackRule(conn, c)
			if err != nil {
				return made, err
			}
			made = append(made, rc)
		default:
			return made, fmt.Errorf("unknown change %q", c.Object)
		}
	}
	return made, nil
}

// addNotrackRule adds `iifname "<bridge>" notrack` with netfix's comment
// and records the handle the kernel gave it.
func addNotrackRule(conn *nftables.Conn, c Change) (Change, error) {
	t := &nftables.Table{Family: nftables.TableFamilyINet, Name: c.Data["table"]}
	ch := &nftables.Chain{Table: t, Name: c.Data["chain"]}
	bridge := c.Data["bridge"]
	name := make([]byte, 16) // IFNAMSIZ, NUL padded: an exact name match
	copy(name, bridge)
	comment := userdata.AppendString(nil, userdata.TypeComment, notrackComment(bridge))
	conn.AddRule(&nftables.Rule{Table: t, Chain: ch, UserData: comment, Exprs: []expr.Any{
		&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: name},
		&expr.Notrack{},
	}})
	if err := conn.Flush(); err != nil {
		return c, fmt.Errorf("add notrack rule for %s to inet %s %s: %w", bridge, t.Name, ch.Name, err)
	}
	hs, err := findOwnRules(conn, t, ch, bridge)
	if err != nil {
		return c, err
	}
	if len(hs) == 0 {
		return c, fmt.Errorf("the notrack rule for %s was added to inet %s %s but cannot be found again", bridge, t.Name, ch.Name)
	}
	h := hs[len(hs)-1] // the one just appended
	out := c
	out.Data = map[string]string{"kind": kindRule, "table": t.Name, "chain": ch.Name, "bridge": bridge, "handle": strconv.FormatUint(h, 10)}
	out.UndoCommand = fmt.Sprintf("nft delete rule inet %s %s handle %d", shell.Quote(t.Name), shell.Quote(ch.Name), h)
	return out, nil
}

// findOwnRules returns the handles of the rules that carry netfix's
// comment for bridge, in chain order. The comment, not the handle, marks
// netfix's rule: on fw4 the include file recreates it with a new handle at
// every reload.
func findOwnRules(conn *nftables.Conn, t *nftables.Table, ch *nftables.Chain, bridge string) ([]uint64, error) {
	rules, err := conn.GetRules(t, ch)
	if err != nil {
		return nil, fmt.Errorf("read rules of inet %s %s: %w", t.Name, ch.Name, err)
	}
	var out []uint64
	for _, r := range rules {
		if s, ok := userdata.GetString(r.UserData, userdata.TypeComment); ok && s == notrackComment(bridge) {
			out = append(out, r.Handle)
		}
	}
	return out, nil
}

// Undo removes, newest first, what Apply recorded: netfix's rule (the
// rule that carries netfix's comment), the chain and
// table only when netfix created them and they are empty again, the
// include file only while it holds what netfix wrote.
func (n notrack) Undo(changes []Change) ([]Change, error) {
	conn, err := nftables.New()
	if err != nil {
		return nil, fmt.Errorf("open nftables: %w", err)
	}
	var removed []Change
	var errs []error
	for i := len(changes) - 1; i >= 0; i-- {
		c := changes[i]
		ok, err := n.undoOne(conn, c)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			removed = append(removed, c)
		}
	}
	return removed, errors.Join(errs...)
}

func (n notrack) undoOne(conn *nftables.Conn, c Change) (bool, error) {
	t := &nftables.Table{Family: nftables.TableFamilyINet, Name: c.Data["table"]}
	switch c.Data["kind"] {
	case kindFile:
		path := c.Data["path"]
		cur, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("read %s: %w", path, err)
		}
		if !bytes.Contains(cur, []byte("netfix fix apply")) {
			return false, nil // someone rewrote it: not netfix's any more
		}
		if err := os.Remove(path); err != nil {
			return false, fmt.Errorf("remove %s: %w", path, err)
		}
		return true, nil
	case kindRule:
		ch := &nftables.Chain{Table: t, Name: c.Data["chain"]}
		hs, err := findOwnRules(conn, t, ch, c.Data["bridge"])
		if err != nil || len(hs) == 0 {
			return false, nil // chain or rule gone
		}
		for _, h := range hs {
			if err := conn.DelRule(&nftables.Rule{Table: t, Chain: ch, Handle: h}); err != nil {
				return false, fmt.Errorf("delete rule %d of inet %s %s: %w", h, t.Name, ch.Name, err)
			}
		}
		if err := conn.Flush(); err != nil {
			return false, fmt.Errorf("delete netfix's notrack rule of inet %s %s: %w", t.Name, ch.Name, err)
		}
		return true, nil
	case kindChain:
		ch, err := conn.ListChain(t, c.Data["chain"])
		if err != nil || ch == nil {
			return false, nil
		}
		if rules, err := conn.GetRules(t, ch); err != nil || len(rules) > 0 {
			return false, nil // someone else's rules live there now
		}
		conn.DelChain(ch)
		if err := conn.Flush(); err != nil {
			return false, fmt.Errorf("delete chain inet %s %s: %w", t.Name, ch.Name, err)
		}
		return true, nil
	case kindTable:
		if _, err := conn.ListTableOfFamily(t.Name, t.Family); err != nil {
			return false, nil
		}
		chains, err := conn.ListChainsOfTableFamily(nftables.TableFamilyINet)
		if err != nil {
			return false, fmt.Errorf("list chains: %w", err)
		}
		for _, ch := range chains {
			if ch.Table.Name == t.Name {
				return false, nil
			}
		}
		if sets, err := conn.GetSets(t); err != nil || len(sets) > 0 {
			return false, nil
		}
		conn.DelTable(t)
		if err := conn.Flush(); err != nil {
			return false, fmt.Errorf("delete table inet %s: %w", t.Name, err)
		}
		return true, nil
	}
	return false, fmt.Errorf("unknown change %q", c.Object)
}
