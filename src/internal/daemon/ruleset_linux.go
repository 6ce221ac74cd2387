//go:build linux

// This file keeps the flowtable layout the daemon acts on current without
// asking nf_tables every sweep: a ruleset changes when someone changes it
// (fw4 reload, LuCI, a VPN's hotplug script), and what the daemon does
// with the layout happens at two moments, a repair decision and a status
// read. Both have the prober ask for the ruleset's generation, one small
// request, and probe afresh when it moved. Asking every sweep instead was
// the costliest part of an idle sweep (the netlink request path, 7-14 ms
// of CPU on the test VM after 30 s idle), and still left a repair up to a
// sweep interval behind a new flowtable.

package daemon

import (
	"time"

	"github.com/netfix/netfix/src/internal/probe"
)

// rulesetMoved reports whether nf_tables' generation differs from the one
// the kept facts were read at, or one of the two is unknown (nf_tables
// came or went, the last read of the ruleset failed).
func (p *prober) rulesetMoved() bool {
	now, nowOK := probe.RulesetGeneration(&p.session.Sockets)
	kept, keptOK := p.session.NFT.Generation()
	return nowOK != keptOK || now != kept
}

// layoutUnsure is asked before a repair decision on link: when the last
// probe found it not stale-prone (the decision would be "nothing to do")
// and the ruleset may have changed since, the decision waits for the
// prober's answer (park), so a flowtable added since then is not missed.
// A link already stale-prone needs no check: the repair only deletes
// entries the kernel marks offloaded. Changes that come while others
// wait join them, in order.
func (e *eventsLoop) layoutUnsure(link int, now time.Time) bool {
	if !e.config().Heal || e.pub.Load().prone[e.linkName(link)] {
		return false
	}
	return len(e.parked) > 0 || layoutCheckDue(e.layoutCheckedAt, now)
}
