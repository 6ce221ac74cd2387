package daemon

import "time"

// fullProbeEvery is the longest the sweeps go on the pulse alone (see
// pulse_linux.go) while nothing they watch changes. A full probe lists
// links and addresses, reads every sysctl and file the findings use and
// builds the snapshot; a pulse asks three small questions. On the x86
// test VM a full probe after 30 s of idling cost 13-17 ms of CPU, most of
// it in touching again about 2 MB of code and heap the host had let go
// cold, and a pulse about 2 ms. What no pulse sees (a sysctl, a file in
// /etc/sysctl.d, a link added to a bridge) reaches the findings within
// this time, and within one sweep interval for a status read (Status
// asks for a refresh when its snapshot is older than that).
const fullProbeEvery = 2 * time.Minute

// pulseView is what a sweep compares: the pulse it read against what the
// last full probe and the daemon's conntrack watch saw.
type pulseView struct {
	probed    bool          // a full probe is done
	sinceFull time.Duration // since that probe started
	interval  time.Duration // sweep_interval
	resync    bool          // this sweep resyncs the neighbour tables

	genNow, genKept     uint32 // ruleset generations
	genNowOK, genKeptOK bool   // nf_tables answered / facts are kept

	ctNowOK, ctThenOK bool // conntrack readable now / at the full probe
	level, lastLevel  int  // fill levels (fillLevel) now / at the last full probe
	statsOK           bool // counters read now and at the last full probe
	refusals          uint64

	configChanged bool // a kept UCI file changed (probe.UCICache.Changed)
}

// fullProbeReason says why this sweep probes fully, "" when the pulse is
// enough. Every reason is something the daemon acts on by itself: the
// flowtable layout repairs are limited to, the conntrack fill and
// refusals it records, dumps and reclaims at, the firewall's options.
func fullProbeReason(v pulseView) string {
	if r := scheduledReason(v); r != "" {
		return r
	}
	switch {
	case v.genNowOK != v.genKeptOK || v.genNow != v.genKept:
		return "ruleset changed"
	case v.ctNowOK != v.ctThenOK:
		return "conntrack availability changed"
	case v.level != v.lastLevel:
		return "conntrack fill level changed"
	// From 75 % on, every sweep probes fully, as before the pulse: the
	// findings follow a filling table and reclaim (at 90 %) runs each
	// sweep while it stays full.
	case v.level > 0:
		return "conntrack table filling"
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
