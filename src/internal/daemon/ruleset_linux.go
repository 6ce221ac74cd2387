//go:build linux

// This file keeps the flowtable layout the daemon acts on current without
// asking nf_tables every sweep: a ruleset changes when someone changes it
// (fw4 reload, LuCI, a VPN's hotplug script), and what the daemon does
// with the layout happens at two moments, a repair decision and a status
// read. Both ask for the ruleset's generation, one small request, and
// probe afresh when it moved. Asking every sweep instead was the costliest
// part of an idle sweep (the netlink request path, 7-14 ms of CPU on the
// test VM after 30 s idle), and still left a repair up to a sweep interval
// behind a new flowtable.

package daemon

import (
	"time"

	"github.com/netfix/netfix/src/internal/probe"
)

// rulesetMoved reports whether nf_tables' generation differs from the one
// the kept facts were read at, or one of the two is unknown (nf_tables
// came or went, the last read of the ruleset failed).
func (d *Daemon) rulesetMoved() bool {
	now, nowOK := probe.RulesetGeneration(&d.probes.Sockets)
	kept, keptOK := d.probes.NFT.Generation()
	return nowOK != keptOK || now != kept
}

// refreshIfRulesetMoved probes afresh when the ruleset changed since the
// kept facts: the status read's check (in the background).
func (d *Daemon) refreshIfRulesetMoved() {
	if d.rulesetMoved() {
		d.log.Debugf("ruleset changed since the last probe: probing afresh")
		d.refreshSnapshot()
	}
}

// confirmLayout runs before a repair decision on link: when the last probe
// found it not stale-prone (the decision would be "nothing to do") and the
// ruleset changed since, it probes afresh first, so a flowtable added
// since then is not missed. A link already stale-prone needs no check:
// the repair only deletes entries the kernel marks offloaded. Main loop
// only.
func (d *Daemon) confirmLayout(link int, now time.Time) {
	d.mu.Lock()
	check := d.cfg.Heal && !d.prone[d.linkName(link)]
	d.mu.Unlock()
	if !check || !layoutCheckDue(d.layoutCheckedAt, now) {
		return
	}
	d.layoutCheckedAt = now
	if d.rulesetMoved() {
		d.log.Debugf("ruleset changed since the last probe: probing before the repair decision")
		d.refreshSnapshot()
	}
}
