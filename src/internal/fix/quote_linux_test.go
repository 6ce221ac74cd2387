package fix

import (
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netfix/netfix/src/internal/shell/shelltest"
)

// The commands `netfix fix` prints for the notrack fix keep a hostile
// bridge name (and the path made from it) one argument in a real sh.
func TestNotrackCommandsQuoteNames(t *testing.T) {
	t.Parallel()
	for _, name := range shelltest.Hostile {
		if name == "" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := "/etc/50-netfix-" + name + ".nft"
			c := includeChange(p, name)
			check(t, c.Command, []shelltest.Call{{Name: "printf", Args: []string{`%s\n`, "iifname " + strconv.Quote(name) + " notrack comment " + strconv.Quote(notrackComment(name))}}})
			check(t, c.UndoCommand, []shelltest.Call{{Name: "rm", Args: []string{p}}})
			for _, table := range []string{fw4Table, netfixTable} {
				r := ruleChange(table, name)
				check(t, r.Command, []shelltest.Call{{Name: "nft", Args: []string{"add", "rule", "inet", table, rawChain,
					"iifname", strconv.Quote(name), "notrack", "comment", strconv.Quote(notrackComment(name))}}})
			}
		})
	}
}

func check(t *testing.T, cmd string, want []shelltest.Call) {
	t.Helper()
	if diff := cmp.Diff(want, shelltest.Run(t, cmd)); diff != "" {
		t.Errorf("sh -c %q calls (-want +got):\n%s", cmd, diff)
	}
}
