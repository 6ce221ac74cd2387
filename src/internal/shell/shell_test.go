package shell_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netfix/netfix/src/internal/shell"
	"github.com/netfix/netfix/src/internal/shell/shelltest"
)

func TestQuoteIsOneWord(t *testing.T) {
	t.Parallel()
	for _, v := range append(shelltest.Hostile, "br-lan", "eth0.2", "eth0/2", "wg_0@x", "veth+1%2=3:4,5") {
		calls := shelltest.Run(t, "echo "+shell.Quote(v)+" && sysctl -w net.ipv4.conf."+shell.Quote(v)+".forwarding=1")
		want := []shelltest.Call{
			{Name: "echo", Args: []string{v}},
			{Name: "sysctl", Args: []string{"-w", "net.ipv4.conf." + v + ".forwarding=1"}},
		}
		if diff := cmp.Diff(want, calls); diff != "" {
			t.Errorf("Quote(%q) = %s (-want +got):\n%s", v, shell.Quote(v), diff)
		}
	}
}

func TestQuoteKeepsPlainNames(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"br-lan": "br-lan", "eth0.2": "eth0.2", "/etc/sysctl.d/99-netfix.conf": "/etc/sysctl.d/99-netfix.conf",
		"a b": "'a b'", "q';id;'": `'q'\'';id;'\'''`, "": "''", `"br0"`: `'"br0"'`,
	} {
		if got := shell.Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}
