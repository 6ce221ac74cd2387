//go:build linux && kernel

package nft

import (
	"slices"
	"testing"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/netnstest"
	"github.com/netfix/netfix/src/internal/probe/nlsock"
)

// TestNFTCache: a probe with a cache reads the ruleset once and reuses it
// while the generation stands; every change of the ruleset (a table, a
// rule) is seen by the next probe.
func TestNFTCache(t *testing.T) {
	ns := netnstest.New(t, "nftcache")
	ns.Run("nft", "add table ip nat; add chain ip nat pre { type nat hook prerouting priority dstnat; }; "+
		"add rule ip nat pre tcp dport 8080 dnat to 10.0.0.2:80")
	var c Cache
	read := func() Reading {
		t.Helper()
		var r Reading
		var err error
		ns.Do(func() {
			k := (*nlsock.Sockets)(nil).Take()
			defer k.Done()
			r, err = c.Read(facts.SupportNo, k)
		})
		if err != nil || r.OffloadErr != nil || r.RulesErr != nil || r.PoliciesErr != nil {
			t.Fatalf("read: %v; %v, %v, %v", err, r.OffloadErr, r.RulesErr, r.PoliciesErr)
		}
		return r
	}
	r := read()
	if !slices.Contains(r.Offload.Tables, "ip nat") || len(r.Rules.DNATNoIif) != 1 {
		t.Fatalf("first read: tables %v, DNAT without iif %v; want ip nat and one rule", r.Offload.Tables, r.Rules.DNATNoIif)
	}
	gen := c.gen
	if !c.kept {
		t.Fatalf("a complete read was not kept")
	}
	r = read()
	if c.gen != gen || len(r.Rules.DNATNoIif) != 1 {
		t.Errorf("unchanged ruleset: generation %d -> %d, DNAT %v", gen, c.gen, r.Rules.DNATNoIif)
	}
	if &r.Offload.Tables[0] != &c.r.Offload.Tables[0] {
		t.Errorf("unchanged ruleset: read again instead of reused")
	}

	ns.Run("nft", "add table inet other")
	if r = read(); !slices.Contains(r.Offload.Tables, "inet other") {
		t.Errorf("a table added was not seen: %v", r.Offload.Tables)
	}
	ns.Run("nft", "flush chain ip nat pre")
	if r = read(); len(r.Rules.DNATNoIif) != 0 {
		t.Errorf("a rule deleted was still seen: %v", r.Rules.DNATNoIif)
	}
	if c.gen == gen {
		t.Errorf("the generation did not move with the ruleset (%d)", gen)
	}
}
