package assess

import (
	"time"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/status"
	"github.com/netfix/netfix/src/internal/version"
)

// Healer is the daemon's answer to the control socket's "healer" method:
// what a one-shot check needs from the live daemon to assemble its own
// document, and nothing else. The check's probe gives the facts; the
// daemon gives only what a one-shot probe cannot see.
type Healer struct {
	// Heal is the daemon's heal block: mode, counters, events, the
	// configuration it could not read.
	Heal status.Heal `json:"heal"`
	// Mirrors are the bridge mirror pairs the daemon caught from
	// conntrack's events: a one-shot dump almost never sees an entry
	// that lives milliseconds.
	Mirrors []status.MirrorPair `json:"mirrors"`
	// Starting: the daemon's first probe is not done. Its heal block is
	// real, but its live lists (mirrors, forwarding flips) are still
	// empty.
	Starting bool `json:"starting,omitempty"`
}

// Check is the document of a one-shot check: s from the check's own probe
// and what it learnt of the daemon. h is the daemon's answer, nil where
// none came; silence says why a daemon that holds the socket gave none
// (nil where no daemon runs).
//
// A daemon still starting gives its heal block but not its mirrors (it
// caught none yet), and its starting mark stays out: that belongs to the
// daemon's own document (Starting), which claims nothing, whereas
// this one holds the check's findings.
func Check(s facts.Snapshot, h *Healer, silence *facts.HealerSilence) status.Document {
	if h == nil {
		s.HealerSilence = silence
		return Document(s, status.Heal{})
	}
	heal := h.Heal
	heal.Starting = false
	if !h.Starting {
		s.BridgeNF.Mirrors = make([]facts.MirrorPair, len(h.Mirrors))
		for i, m := range h.Mirrors {
			s.BridgeNF.Mirrors[i] = facts.MirrorPair{First: m.First, Second: m.Second, RewrittenPort: m.RewrittenPort, SeenAt: m.SeenAt}
		}
	}
	return Document(s, heal)
}

// NewHealer is the daemon's answer to "healer": its heal block, the mirror
// pairs it caught, and whether its first probe is still to come.
func NewHealer(heal status.Heal, mirrors []facts.MirrorPair, starting bool) Healer {
	return Healer{Heal: heal, Starting: starting, Mirrors: status.MirrorPairs(mirrors)}
}

// Starting is the daemon's own document while its first probe is not done
// (h.Starting): verdict unknown, no findings, its heal block marked
// starting. The rpcd plugin's fallback answers with it when the daemon
// came up while the plugin probed.
func Starting(h Healer, now time.Time) status.Document {
	return status.Starting(version.Version, now, h.Heal)
}
