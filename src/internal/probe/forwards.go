package probe

import (
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe/links"
)

// Grow fills c's growth fields from an earlier sample; see links.Grow.
func Grow(earlier facts.ForwardingCounters, c *facts.ForwardingCounters, seconds float64) {
	links.Grow(earlier, c, seconds)
}
