//go:build linux

// This file is the prober's probe and sweep: a full probe for the
// findings and the stale-prone links, or, between full probes, the pulse
// (pulse_linux.go).

package daemon

import (
	"time"

	"github.com/netfix/netfix/src/internal/probe"
)

// sweep runs every sweep_interval: a full probe when the pulse says one
// is due.
func (p *prober) sweep() {
	if reason := p.pulseReason(time.Now()); reason != "" {
		p.log.Debugf("sweep: full probe (%s)", reason)
		p.probe()
	} else {
		p.log.Debugf("sweep: pulse unchanged")
	}
}

// probe reads the kernel afresh for the status document, the stale-prone
// links and the conntrack watch, and publishes the result.
func (p *prober) probe() {
	started := time.Now()
	known := p.pub.Load().snap.Offload.KernelSupport
	s, err := p.gather(p.conntrackProbeOptions(probe.Options{Env: p.opts.Env, Lenient: true, KnownSupport: known, Session: &p.session}))
	if err != nil {
		p.log.Warnf("refresh findings: %v", err)
	}
	p.forwardingGrowth(&s, time.Now())
	p.conntrackSweep(&s)
	p.keepConntrackSample(s.Conntrack, time.Now())
	p.publish(s, started)
}
