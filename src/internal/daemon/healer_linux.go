//go:build linux

package daemon

import "github.com/netfix/netfix/src/internal/assess"

// healerState answers the "healer" method: the daemon's heal block, the
// mirrors it caught, whether its first probe is done. `netfix check`
// assembles its own document from its probe and this (assess.Check). It
// reads live state only: unlike a status read, it never even hints the
// prober.
func (d *Daemon) healerState() assess.Healer {
	heal := d.Heal()
	if !d.pub.Load().probed {
		return assess.NewHealer(heal, nil, true)
	}
	return assess.NewHealer(heal, d.mirrors.recent(), false)
}
