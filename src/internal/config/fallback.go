package config

import "github.com/netfix/netfix/src/internal/facts"

// Fallback is the configuration to run with when the file cannot be read:
// the last one that loaded when there is one, else the defaults with
// healing off. A broken file never switches healing on: it may have said
// heal '0'.
func Fallback(last *Config) (Config, string) {
	if last != nil {
		return *last, facts.FallbackLastGood
	}
	c := Default()
	c.Heal = false
	return c, facts.FallbackReportOnly
}
