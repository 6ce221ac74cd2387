package fix

import (
	"strings"
	"testing"
)

// Only interface names reach an nft rule or a file path.
func TestValidBridge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ok   bool
	}{
		{"br-lan137", true},
		{"docker0", true},
		{"br-da66fb6805df", true},
		{"", false},
		{"br-0123456789abcdef", false}, // longer than IFNAMSIZ-1
		{"..", false},
		{"../../etc", false},
		{`br"x`, false},
		{"br x", false},
		{"br;reboot", true}, // a legal interface name, and only ever a cmp operand
		{"网桥", false},
	}
	for _, tt := range tests {
		_, err := validBridge(map[string]string{"bridge": tt.name})
		if (err == nil) != tt.ok {
			t.Errorf("validBridge(%q) error = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

func TestIncludeFile(t *testing.T) {
	t.Parallel()
	n := notrack{includeDir: "/tmp/r/usr/share/nftables.d"}
	if got := n.includePath("br-lan137"); got != "/tmp/r/usr/share/nftables.d/chain-post/raw_prerouting/50-netfix-br-lan137.nft" {
		t.Errorf("include path %s", got)
	}
	body := string(includeContent("br-lan137"))
	// One rule line fw4 pastes into its raw_prerouting chain, with the
	// comment undo looks for, and the marker undo checks before deleting.
	if !strings.Contains(body, `iifname "br-lan137" notrack comment "netfix: notrack for bridge br-lan137"`) || !strings.Contains(body, "netfix fix apply") {
		t.Errorf("include content %q", body)
	}
}
