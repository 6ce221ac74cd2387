//go:build linux && kernel

package probe

import (
	"slices"
	"testing"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/netnstest"
)

// TestNFTCache: a probe with a cache reads the ruleset once and reuses it
// while the generation stands; every change of the ruleset (a table, a
// rule) is seen by the next probe.
func TestNFTCache(t *testing.T) {
	ns := netnstest.New(t, "nftcache")
	ns.Run("nft", "add table ip nat; add chain ip nat pre { type nat hook prerouting priority dstnat; }; "+
		"add rule ip nat pre tcp dport 8080 dnat to 10.0.0.2:80")
	var c NFTCache
	read := func() nftRead {
		t.Helper()
		var r nftRead
		var err error
		ns.Do(func() {
			k := (*Sockets)(nil).take()
			defer k.done()
			r, err = c.read(facts.SupportNo, k)
		})
		if err != nil || r.offErr != nil || r.rulesErr != nil || r.policiesErr != nil {
			t.Fatalf("read: %v; %v, %v, %v", err, r.offErr, r.rulesErr, r.policiesErr)
		}
		return r
	}
	r := read()
	if !slices.Contains(r.off.Tables, "ip nat") || len(r.rules.DNATNoIif) != 1 {
		t.Fatalf("first read: tables %v, DNAT without iif %v; want ip nat and one rule", r.off.Tables, r.rules.DNATNoIif)
	}
	gen := c.gen
	if !c.kept {
		t.Fatalf("a complete read was not kept")
	}
	r = read()
	if c.gen != gen || len(r.rules.DNATNoIif) != 1 {
		t.Errorf("unchanged ruleset: generation %d -> %d, DNAT %v", gen, c.gen, r.rules.DNATNoIif)
	}
	if &r.off.Tables[0] != &c.r.off.Tables[0] {
		t.Errorf("unchanged ruleset: read again instead of reused")
	}

	ns.Run("nft", "add table inet other")
	if r = read(); !slices.Contains(r.off.Tables, "inet other") {
		t.Errorf("a table added was not seen: %v", r.off.Tables)
	}
	ns.Run("nft", "flush chain ip nat pre")
	if r = read(); len(r.rules.DNATNoIif) != 0 {
		t.Errorf("a rule deleted was still seen: %v", r.rules.DNATNoIif)
	}
	if c.gen == gen {
		t.Errorf("the generation did not move with the ruleset (%d)", gen)
	}
}
