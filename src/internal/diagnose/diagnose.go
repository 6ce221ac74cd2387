package diagnose

import (
	"sort"

	"github.com/netfix/netfix/src/internal/facts"
)

// Run applies every rule to s and returns the findings, worst first; rules
// of equal severity keep their fixed order.
func Run(s facts.Snapshot) []Finding {
	var out []Finding
	for _, rule := range rules {
		out = append(out, rule(s)...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Severity.Rank() > out[j].Severity.Rank()
	})
	return out
}

// rules in report order.
var rules = []func(facts.Snapshot) []Finding{
	interfaceDisabled,
	ipv6Disabled,
	hwIneffective,
	staleProne,
	configMismatch,
	hwFallback,
	healerNotRunning,
	healerNoAnswer,
	healerConfigUnreadable,
	offloadSummary,
	conntrackDropping,
	conntrackNearFull,
	bridgeNFCallIPTables,
	bridgeRPFilterIPless,
	conntrackDoubleTracking,
}
