//go:build linux

package probe

import (
	"testing"

	"github.com/netfix/netfix/src/internal/netnstest"
)

// TestReadCTTimeoutPolicies: a ct timeout object of the ruleset is found,
// and none is found in a ruleset without one.
func TestReadCTTimeoutPolicies(t *testing.T) {
	ns := netnstest.New(t, "s2ctto")
	var got []string
	var err error
	ns.Do(func() { got, err = ReadCTTimeoutPolicies(nil) })
	if err != nil || len(got) != 0 {
		t.Fatalf("empty ruleset: %v, %v; want none", got, err)
	}
	if out, err := ns.Exec("nft", "add table inet s2t; add ct timeout inet s2t short_tcp { protocol tcp; l3proto ip; policy = { established: 120 }; }"); err != nil {
		t.Skipf("this kernel or nft has no ct timeout objects (CONFIG_NF_CONNTRACK_TIMEOUT, nft_ct): %v: %s", err, out)
	}
	ns.Do(func() { got, err = ReadCTTimeoutPolicies(nil) })
	if err != nil || len(got) != 1 || got[0] != "inet s2t short_tcp" {
		t.Errorf("ReadCTTimeoutPolicies = %v, %v; want [inet s2t short_tcp]", got, err)
	}
}
