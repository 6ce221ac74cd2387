package ctusage

// Plan picks the established entries a reclaim (or the fix) deletes,
// oldest first, without holding the table: a first pass over the dump
// fills an idle-time histogram of the candidates, Threshold then says from
// which idle time on to delete, and a second pass deletes the entries at or
// above it, at most the number needed.
//
// The histogram has planBuckets buckets between MinIdle and the
// established timeout, so "oldest first" is exact to one bucket's width
// (7 min for a 5-day timeout); its memory is fixed (8 KB).
type Plan struct {
	Established uint32 // nf_conntrack_tcp_timeout_established in effect
	MinIdle     uint32 // never an entry that moved within this time
	counts      [planBuckets]int
	candidates  int
	unknown     int
}

const planBuckets = 1024

// NewPlan plans over entries idle for at least minIdle seconds, idle time
// measured against the established timeout in effect.
func NewPlan(established, minIdle uint32) *Plan {
	return &Plan{Established: established, MinIdle: minIdle}
}

func (p *Plan) width() uint32 {
	if p.Established <= p.MinIdle {
		return 1
	}
	w := (p.Established - p.MinIdle + planBuckets - 1) / planBuckets
	if w == 0 {
		w = 1
	}
	return w
}

// Candidate reports whether e may be deleted at all, with its idle time:
// an ESTABLISHED TCP entry, with an idle time netfix can tell, silent for
// at least MinIdle. Nothing else is ever deleted.
func (p *Plan) Candidate(e Entry) (uint32, bool) {
	idle, ok := Idle(e, p.Established)
	if !ok || idle < p.MinIdle {
		return 0, false
	}
	return idle, true
}

// Add counts one entry of the first pass.
func (p *Plan) Add(e Entry) {
	if e.Established() {
		if _, ok := Idle(e, p.Established); !ok {
			p.unknown++
		}
	}
	idle, ok := p.Candidate(e)
	if !ok {
		return
	}
	b := int((idle - p.MinIdle) / p.width())
	if b >= planBuckets {
		b = planBuckets - 1
	}
	p.counts[b]++
	p.candidates++
}

// Candidates is the number of entries a second pass may delete.
func (p *Plan) Candidates() int { return p.candidates }

// Unknown counts established entries left alone because their idle time
// cannot be told (see Idle).
func (p *Plan) Unknown() int { return p.unknown }

// Threshold returns the idle time from which on deleting need entries,
// oldest first, suffices: the lowest bucket edge whose bucket and the older
// ones hold at least need candidates (MinIdle when all of them are needed).
// need <= 0 returns the oldest edge possible, and a zero count.
func (p *Plan) Threshold(need int) (idle uint32, count int) {
	if need <= 0 {
		return p.Established + 1, 0
	}
	sum := 0
	for b := planBuckets - 1; b >= 0; b-- {
		sum += p.counts[b]
		if sum >= need {
			return p.MinIdle + uint32(b)*p.width(), sum
		}
	}
	return p.MinIdle, sum
}

// NeedToFree is how many entries must go for count to fall under pct
// percent of max.
func NeedToFree(count, max uint32, pct int) int {
	target := uint64(max) * uint64(pct) / 100 // entries < target is "under pct"
	if max == 0 || uint64(count) < target {
		return 0
	}
	return int(uint64(count) - target + 1)
}
