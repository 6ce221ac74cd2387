//go:build linux

package probe

import (
	"strings"
	"time"

	"github.com/ti-mo/conntrack"
	"github.com/vishvananda/netlink"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe/ct"
	"github.com/netfix/netfix/src/internal/probe/links"
	"github.com/netfix/netfix/src/internal/probe/nft"
)

// readBridgeNF gathers the S4 facts: the bridges and bridge netfilter's
// switches (package links), the rules from the probe's reading of the
// ruleset (nr), and conntrack's counters. sample > 0 reads those twice
// that far apart, but only where the layout can track a connection twice
// (an address-less bridge joined to an addressed one while bridge
// netfilter is on), so ordinary hosts never wait.
//
// ls and linksErr are the probe's one listing of the links; h lists the
// bridges' addresses.
func readBridgeNF(nr nft.Reading, h *netlink.Handle, ls []netlink.Link, linksErr error, ctc *conntrack.Conn, sample time.Duration) facts.BridgeNF {
	var errs []string
	b, err := links.ReadBridgeNF(h, ls, linksErr)
	if err != nil {
		errs = append(errs, err.Error())
	}
	if nr.RulesErr != nil {
		errs = append(errs, nr.RulesErr.Error())
	}
	sum := nr.Rules
	b.DNATNoIif, b.Notrack, b.IPTablesNFT = sum.DNATNoIif, sum.Notrack, sum.IPTablesNFT
	if sample > 0 && ctc != nil && b.CallIPTables && len(b.JoinedBridges()) > 0 {
		cs, err := ct.SampleCounters(ctc, sample)
		if err != nil {
			errs = append(errs, err.Error())
		}
		b.Counters = cs
	}
	b.Error = strings.Join(errs, "; ")
	return b
}
