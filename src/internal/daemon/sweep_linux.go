//go:build linux

// This file is the periodic sweep: a fresh probe for the findings and the
// stale-prone links, a resync, and the saved tracker state.

package daemon

import (
	"runtime/debug"
	"time"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/heal"
	"github.com/netfix/netfix/src/internal/probe"
)

// sweep runs every sweep_interval: a full probe when the pulse says one
// is due (pulse_linux.go), findings and stale-prone links first, so a
// resync repairs against the current flowtable layout.
func (d *Daemon) sweep() {
	now := time.Now()
	resync := resyncDue(now, d.nextResync)
	if reason := d.pulseReason(now, resync); reason != "" {
		d.log.Debugf("sweep: full probe (%s)", reason)
		d.refreshSnapshot()
	} else {
		d.log.Debugf("sweep: pulse unchanged")
	}
	if resync {
		d.resync("")
	}
	d.saveState()
	d.writeMetrics(true)
	d.releaseMemory()
}

// releaseMemory hands the heap a flood took back to the kernel once the
// tracker has let it go: the Go runtime would otherwise return it only
// slowly, and a router has no RAM to lend. One forced GC per shrink.
func (d *Daemon) releaseMemory() {
	d.mu.Lock()
	n := d.tracker.Shrinks()
	d.mu.Unlock()
	if n != d.shrinksSeen {
		d.shrinksSeen = n
		debug.FreeOSMemory()
	}
}

// refreshSnapshot probes the kernel afresh for the status document and
// recomputes which links are stale-prone.
func (d *Daemon) refreshSnapshot() {
	d.mu.Lock()
	known := d.snap.Offload.KernelSupport
	d.mu.Unlock()
	s, err := probe.Gather(d.conntrackProbeOptions(probe.Options{Env: d.opts.Env, Lenient: true, KnownSupport: known, Session: &d.probes}))
	if err != nil {
		d.log.Warnf("refresh findings: %v", err)
	}
	d.forwardingGrowth(&s, time.Now())
	d.conntrackSweep(&s)
	d.keepConntrackSample(s.Conntrack, time.Now())
	d.setSnapshot(s)
}

// setSnapshot installs a probe's facts: the findings' source and the
// stale-prone links repairs are limited to.
func (d *Daemon) setSnapshot(s facts.Snapshot) {
	d.mu.Lock()
	d.snap, d.probed = s, true
	d.prone = heal.ProneLinks(s.Offload)
	d.names = map[int]string{} // interfaces may have been recreated
	d.mu.Unlock()
	d.mirrors.update(s.BridgeNF, d.log)
}
