//go:build linux

package nft

import (
	"errors"
	"fmt"
	"sort"
	"syscall"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe/nlsock"
)

// probeTable is created and deleted inside one nftables transaction to
// learn whether the kernel can make flowtables; it never outlives the batch.
const probeTable = "netfix_probe"

// readFlowtables lists every flowtable of every table, marks those a rule
// of chains (the ruleset's rules, read once per probe; chainsErr the error
// reading them) feeds (`flow add @ft`), and, when there are none, asks the
// kernel whether it supports flowtables at all (unless known is already
// SupportYes or SupportNo). Devices are filled in by the caller.
func readFlowtables(conn *nftables.Conn, known string, chains []ruleChain, chainsErr error) (facts.Offload, error) {
	off := facts.Offload{KernelSupport: facts.SupportUnknown, Mode: facts.ModeNone, Tables: []string{}, Flowtables: []facts.Flowtable{}}
	tables, err := conn.ListTables()
	if err != nil {
		return off, nlsock.Classify("list nftables tables", err, nil)
	}
	for _, t := range tables {
		off.Tables = append(off.Tables, familyName(t.Family)+" "+t.Name)
		fts, err := conn.ListFlowtables(t)
		if err != nil {
			return off, nlsock.Classify(fmt.Sprintf("list flowtables of %s %s", familyName(t.Family), t.Name), err, nil)
		}
		if len(fts) == 0 {
			continue
		}
		if chainsErr != nil {
			return off, chainsErr
		}
		refs := flowtableRefs(chains, familyName(t.Family), t.Name)
		for _, ft := range fts {
			f := facts.Flowtable{
				Table:         t.Name,
				Family:        familyName(t.Family),
				Name:          ft.Name,
				Hook:          "ingress",
				HWOffloadFlag: ft.Flags&nftables.FlowtableFlagsHWOffload != 0,
				Counter:       ft.Flags&nftables.FlowtableFlagsCounter != 0,
				Referenced:    refs[ft.Name],
			}
			if ft.Priority != nil {
				f.Priority = int32(*ft.Priority)
			}
			for _, d := range ft.Devices {
				f.Devices = append(f.Devices, facts.Device{Name: d})
			}
			off.Flowtables = append(off.Flowtables, f)
		}
	}
	sort.Strings(off.Tables)

	switch {
	case len(off.Flowtables) > 0:
		off.KernelSupport = facts.SupportYes
	case known == facts.SupportYes || known == facts.SupportNo:
		off.KernelSupport = known
	default:
		off.KernelSupport, err = flowtableSupport(conn)
		if err != nil {
			return off, err
		}
	}
	for _, ft := range off.Flowtables {
		switch {
		case ft.Referenced && ft.HWOffloadFlag:
			off.Mode = facts.ModeHardware
		case ft.Referenced && off.Mode == facts.ModeNone:
			off.Mode = facts.ModeSoftware
		}
	}
	return off, nil
}

// flowtableRefs returns the flowtables some rule of table feeds.
func flowtableRefs(chains []ruleChain, family, table string) map[string]bool {
	refs := map[string]bool{}
	for _, c := range chains {
		if c.Family != family || c.Table != table {
			continue
		}
		for _, r := range c.Rules {
			for _, e := range r.Exprs {
				if fo, ok := e.(*expr.FlowOffload); ok {
					refs[fo.Name] = true
				}
			}
		}
	}
	return refs
}

// flowtableSupport adds a table with a device-less flowtable and deletes
// the table again in the same batch. The kernel either commits both (net
// effect: nothing) or rejects the batch with ENOENT because no flowtable
// type is registered: CONFIG_NF_FLOW_TABLE is off or the module is absent.
func flowtableSupport(conn *nftables.Conn) (string, error) {
	t := conn.AddTable(&nftables.Table{Name: probeTable, Family: nftables.TableFamilyINet})
	conn.AddFlowtable(&nftables.Flowtable{
		Table:    t,
		Name:     "probe",
		Hooknum:  nftables.FlowtableHookIngress,
		Priority: nftables.FlowtablePriorityFilter,
	})
	conn.DelTable(t)
	err := conn.Flush()
	switch {
	case err == nil:
		return facts.SupportYes, nil
	case errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.EOPNOTSUPP):
		return facts.SupportNo, nil
	default:
		return facts.SupportUnknown, nlsock.Classify("probe flowtable support", err, nil)
	}
}

func familyName(f nftables.TableFamily) string {
	switch f {
	case nftables.TableFamilyINet:
		return "inet"
	case nftables.TableFamilyIPv4:
		return "ip"
	case nftables.TableFamilyIPv6:
		return "ip6"
	case nftables.TableFamilyARP:
		return "arp"
	case nftables.TableFamilyNetdev:
		return "netdev"
	case nftables.TableFamilyBridge:
		return "bridge"
	default:
		return fmt.Sprintf("family%d", f)
	}
}
