//go:build linux

package daemon

import "github.com/netfix/netfix/src/internal/assess"

// healerState answers the "healer" method: the daemon's heal block, the
// mirrors it caught, whether its first probe is done. `netfix check`
// assembles its own document from its probe and this (assess.Check). It
// reads live state only: unlike a status read, it never starts a probe.
func (d *Daemon) healerState() assess.Healer {
	h := assess.Healer{Heal: d.Heal()}
	d.mu.Lock()
	h.Starting = !d.probed
	d.mu.Unlock()
	if !h.Starting {
		h.Mirrors = d.mirrors.recent()
	}
	return h
}
