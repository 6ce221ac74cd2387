package daemon

import "time"

// fullProbeEvery is the longest the sweeps go on the pulse alone (see
// pulse_linux.go) while nothing they watch changes. A full probe lists
// links and addresses, reads the ruleset's generation, every sysctl and
// file the findings use and builds the snapshot: 0.9 ms of CPU warm, and
// on the x86 test VM, whose host lets an idle guest's memory go cold,
// 17-29 ms two minutes after the last; a pulse is one pread of a /proc
// file. What no pulse sees (a sysctl, a file in /etc/sysctl.d, a port
// added to a bridge) reaches the findings within this time, within one
// sweep interval for a status read (Status asks for a refresh when its
// snapshot is older than that), and a ruleset change at once where it
// matters (ruleset_linux.go).
const fullProbeEvery = 2 * time.Minute

// pulseView is what a sweep compares: the pulse it read against what the
// last full probe and the daemon's conntrack watch saw.
type pulseView struct {
	probed    bool          // a full probe is done
	sinceFull time.Duration // since that probe started
	interval  time.Duration // sweep_interval
	resync    bool          // this sweep resyncs the neighbour tables

	ctNowOK, ctThenOK bool // conntrack readable now / at the full probe
	level, lastLevel  int  // fill levels (fillLevel) now / at the last full probe
	statsOK           bool // counters read now and at the last full probe
	refusals          uint64
	reclaim           bool // conntrack_reclaim is on

	configChanged bool // a kept UCI file changed (probe.UCICache.Changed)
}

// fullProbeReason says why this sweep probes fully, "" when the pulse is
// enough. Every reason is something the daemon acts on by itself: the
// conntrack fill and refusals it records, dumps and reclaims at, the
// firewall's options. The flowtable layout repairs are limited to is
// checked where it matters instead (ruleset_linux.go).
func fullProbeReason(v pulseView) string {
	if r := scheduledReason(v); r != "" {
		return r
	}
	switch {
	case v.ctNowOK != v.ctThenOK:
		return "conntrack availability changed"
	case v.level != v.lastLevel:
		return "conntrack fill level changed"
	// Reclaim runs at every sweep while the table stays over 90 %.
	case v.level == 2 && v.reclaim:
		return "conntrack table full, reclaim on"
	case !v.statsOK && v.ctNowOK:
		return "conntrack counters unread"
	case v.refusals > 0:
		return "conntrack refusing connections"
	case v.configChanged:
		return "configuration files changed"
	}
	return ""
}

// scheduledReason is the part of fullProbeReason that needs no pulse.
func scheduledReason(v pulseView) string {
	switch {
	case !v.probed:
		return "first probe"
	// Half an interval early: a sweep that lands just before the mark
	// would otherwise wait a whole interval more.
	case v.sinceFull+v.interval/2 >= fullProbeEvery:
		return "periodic"
	case v.resync:
		return "resync due" // repairs against the current flowtable layout
	}
	return ""
}

// layoutCheckEvery bounds the generation requests of a burst of changes on
// links that are not stale-prone (a router without offloading sees every
// MAC change there): one a second at most.
const layoutCheckEvery = time.Second

// layoutCheckDue says whether a repair decision at now asks for the
// ruleset's generation, the last one having asked at last (zero: never).
// A clock that went back asks again.
func layoutCheckDue(last, now time.Time) bool {
	return now.Before(last) || now.Sub(last) >= layoutCheckEvery
}
