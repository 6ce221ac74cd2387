package facts

// Fallbacks: what the daemon runs with when its configuration file cannot
// be read. Never the defaults (which heal): a broken file that said
// `heal '0'` must not turn healing on.
const (
	// FallbackLastGood: the last configuration that loaded, kept.
	FallbackLastGood = "last_good"
	// FallbackReportOnly: no configuration loaded since start; the
	// defaults with healing off.
	FallbackReportOnly = "report_only"
)

// HealerConfig is what the daemon made of /etc/config/netfix.
type HealerConfig struct {
	// Error is why the file could not be read; "" when it was.
	Error string
	// Fallback is FallbackLastGood or FallbackReportOnly when Error is set.
	Fallback string
}
