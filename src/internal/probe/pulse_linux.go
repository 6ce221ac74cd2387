//go:build linux

// This file reads the pulse: the few values the daemon looks at between
// its full probes, to tell whether one is due before its time.

package probe

import "github.com/netfix/netfix/src/internal/facts"

// Pulse is what a sweep reads when the last full probe is recent: the
// conntrack table's size and refusal counters (the daemon's own actions
// depend on them) and the ruleset's generation (the flowtable layout the
// repairs are limited to). Three requests on the kept sockets and no
// listing: on an idle router a full probe every sweep was most of the
// daemon's CPU.
type Pulse struct {
	// Conntrack holds Entries and Max; CTErr is why they are missing.
	Conntrack facts.Conntrack
	CTErr     error
	// Stats are the per-CPU counters summed; StatsErr is why they are
	// missing.
	Stats    facts.CTStats
	StatsErr error
	// Gen is the ruleset's generation when GenOK (nf_tables answered).
	Gen   uint32
	GenOK bool
}

// ReadPulse reads the pulse through socks (nil: sockets of its own).
func ReadPulse(socks *Sockets) Pulse {
	k := socks.take()
	defer k.done()
	var p Pulse
	p.Gen, p.GenOK = rulesetGen(k)
	ctc, err := k.conntrack()
	if err != nil {
		p.CTErr = classify("open conntrack netlink socket", err, ErrConntrackMissing)
		p.StatsErr = p.CTErr
		return p
	}
	if p.Conntrack, p.CTErr = readConntrackSize(ctc); p.CTErr != nil {
		k.fail()
	}
	if p.Stats, p.StatsErr = ReadCTStats(ctc); p.StatsErr != nil {
		k.fail()
	}
	return p
}

// Generation is the ruleset generation the kept facts were read at; ok is
// false when nothing is kept (nothing read yet, or the last read failed).
func (c *NFTCache) Generation() (gen uint32, ok bool) {
	if c == nil {
		return 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen, c.kept
}
