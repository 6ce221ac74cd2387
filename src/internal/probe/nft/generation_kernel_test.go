//go:build linux && kernel

package nft

import (
	"testing"

	"github.com/netfix/netfix/src/internal/netnstest"
	"github.com/netfix/netfix/src/internal/probe/nlsock"
)

// TestRulesetGeneration: the generation the daemon's pulse asks for stands
// while the ruleset does, and moves with it.
func TestRulesetGeneration(t *testing.T) {
	netnstest.RequireRoot(t)
	ns := netnstest.New(t, "nftgen")
	var socks nlsock.Sockets
	defer socks.Close()
	gen := func() (g uint32) {
		t.Helper()
		var ok bool
		ns.Do(func() { g, ok = RulesetGeneration(&socks) })
		if !ok {
			t.Fatal("nf_tables did not tell its generation")
		}
		return g
	}
	firstGen := gen()
	if again := gen(); again != firstGen {
		t.Errorf("unchanged ruleset: generation %d -> %d", firstGen, again)
	}
	ns.Run("nft", "add table inet pulse")
	if g := gen(); g == firstGen {
		t.Errorf("a table added: generation still %d", g)
	}
}
