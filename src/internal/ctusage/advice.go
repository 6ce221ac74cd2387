package ctusage

import "github.com/netfix/netfix/src/internal/facts"

// FreeIdleAction is the id of the fix action that frees idle ESTABLISHED
// entries (package fix); the conntrack findings name it in fix_action with
// the arguments idle_s (seconds) and cap_unknown ("1").
const FreeIdleAction = "conntrack.free_idle"

// Thresholds of the conntrack rules, in percent of nf_conntrack_max.
const (
	WarnPct     = 75
	CriticalPct = 90
)

// TimeoutCandidates are the established timeouts netfix proposes, longest
// first: OpenWrt's 7440 s (above the 7200 s TCP keepalive, so idle SSH
// sessions survive), then an hour, then ten minutes.
var TimeoutCandidates = []uint32{7440, 3600, 600}

// ChooseTimeout returns the longest candidate T, shorter than the
// established timeout in effect, for which freeing the entries idle longer
// than T brings the table under WarnPct; ok is false when none does (the
// table is full of active entries: it needs a larger max, not a shorter
// timeout). freed is the number of entries idle longer than T.
func ChooseTimeout(u facts.CTUsage, entries, max, established uint32) (t uint32, freed int, ok bool) {
	need := NeedToFree(entries, max, WarnPct)
	for _, c := range TimeoutCandidates {
		if established != 0 && c >= established {
			continue
		}
		n := u.IdleAtLeast(c)
		if n > 0 && n >= need {
			return c, n, true
		}
	}
	return 0, 0, false
}

// BytesPerEntry is what one conntrack entry costs the kernel, roughly
// (struct nf_conn plus extensions and hash slot).
const BytesPerEntry = 300

// LargerMax proposes a larger nf_conntrack_max: twice the entries in use,
// rounded up to a multiple of 1024, within an eighth of the router's
// memory. ok is false when memory does not allow more than max.
func LargerMax(entries, max uint32, memTotal uint64) (uint32, bool) {
	want := uint64(entries) * 2
	want = (want + 1023) / 1024 * 1024
	if memTotal > 0 {
		limit := memTotal / 8 / BytesPerEntry / 1024 * 1024
		if want > limit {
			want = limit
		}
	}
	if want <= uint64(max) {
		return 0, false
	}
	if want > 1<<31 {
		want = 1 << 31
	}
	return uint32(want), true
}
