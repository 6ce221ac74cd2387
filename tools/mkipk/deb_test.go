package main

import (
	"os"
	"strings"
	"testing"
)

// The .deb's config is OpenWrt's with systemd's commands: the same
// options and defaults, no OpenWrt tool.
func TestDebConfigTellsSystemdCommands(t *testing.T) {
	owrt, err := os.ReadFile("../../files/etc/config/netfix")
	if err != nil {
		t.Fatal(err)
	}
	deb, err := debConfigText(owrt)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"systemctl reload netfix", "journalctl -u netfix"} {
		if !strings.Contains(string(deb), want) {
			t.Errorf("the Debian config does not say %q:\n%s", want, deb)
		}
	}
	if got, want := settings(string(deb)), settings(string(owrt)); got != want {
		t.Errorf("the Debian config's settings differ from OpenWrt's:\n%s\nwant\n%s", got, want)
	}
	// An edit of the OpenWrt file that drops a line the rewrite expects,
	// or adds an OpenWrt tool, stops the build.
	for _, bad := range []string{
		strings.Replace(string(owrt), "/etc/init.d/netfix reload", "service netfix reload", 1),
		string(owrt) + "\t# see logread\n",
	} {
		if _, err := debConfigText([]byte(bad)); err == nil {
			t.Errorf("debConfigText accepted a file it cannot make Debian's")
		}
	}
}

// settings is the file without comments and blank lines.
func settings(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
