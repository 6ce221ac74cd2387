package daemon

import (
	"os"
	"path/filepath"
	"testing"
)

func TestIsWireless(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"wlan0/wireless", "phy0-ap0/wireless", "lan1", "eth0/wireless-not"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A file named wireless is not cfg80211's directory.
	if err := os.WriteFile(filepath.Join(root, "lan1", "wireless"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		want bool
	}{
		{"wlan0", true},
		{"phy0-ap0", true},
		{"lan1", false},
		{"eth0", false},
		{"missing", false},
		{"", false},
		{"..", false},
		{"wlan0/../wlan0", false},
	}
	for _, tt := range tests {
		if got := isWireless(root, tt.name); got != tt.want {
			t.Errorf("isWireless(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
