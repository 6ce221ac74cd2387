package env

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNewRefusesEmptyAndRelativePaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		o       Options
		errPart string
	}{
		{"empty root", Options{}, "root directory is empty"},
		{"relative root", Options{Root: "img"}, `root directory "img" is a relative path`},
		{"dot root", Options{Root: "."}, `root directory "." is a relative path`},
		{"relative socket", Options{Root: "/", Socket: "netfix.sock"}, "control socket"},
		{"relative state dir", Options{Root: "/", StateDir: "var/run/netfix"}, "state directory"},
		{"relative daemon state", Options{Root: "/", DaemonState: "state.json"}, "daemon state file"},
		{"relative ledger", Options{Root: "/", Ledger: "var/lib/netfix/fixes.json"}, "fix ledger"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.errPart) {
				t.Errorf("New(%+v) = %v, want an error containing %q", tt.o, err, tt.errPart)
			}
		})
	}
}

func TestPathsAreAbsoluteAndBelowTheRoot(t *testing.T) {
	t.Parallel()
	plain := t.TempDir()
	owrt := t.TempDir()
	if err := os.MkdirAll(filepath.Join(owrt, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(owrt, "etc", "openwrt_release"), []byte("DISTRIB_ID='OpenWrt'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		o    Options
		want Env
	}{
		{"generic tree", Options{Root: plain + "/"}, Env{
			root: plain, socket: Socket, stateDir: StateDir, daemonState: StateDir + "/state.json",
			ledger: plain + "/var/lib/netfix/fixes.json", includeDir: plain + "/usr/share/nftables.d",
		}},
		{"OpenWrt tree", Options{Root: owrt}, Env{
			root: owrt, socket: Socket, stateDir: StateDir, daemonState: StateDir + "/state.json",
			ledger: owrt + "/etc/netfix/fixes.json", includeDir: owrt + "/usr/share/nftables.d", openWrt: true,
		}},
		{"every path given", Options{Root: plain, Socket: "/run/netfix/netfix.sock", StateDir: "/run/netfix/", DaemonState: "/tmp/s.json", Ledger: "/x/fixes.json"}, Env{
			root: plain, socket: "/run/netfix/netfix.sock", stateDir: "/run/netfix", daemonState: "/tmp/s.json",
			ledger: "/x/fixes.json", includeDir: plain + "/usr/share/nftables.d",
		}},
		{"state dir moves the daemon state", Options{Root: plain, StateDir: "/run/nf"}, Env{
			root: plain, socket: Socket, stateDir: "/run/nf", daemonState: "/run/nf/state.json",
			ledger: plain + "/var/lib/netfix/fixes.json", includeDir: plain + "/usr/share/nftables.d",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := New(tt.o)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("New(%+v)\n got %+v\nwant %+v", tt.o, got, tt.want)
			}
			if got.IsHost() {
				t.Errorf("IsHost() for root %s", got.Root())
			}
		})
	}
}

// The zero Env is the host's, never a relative path.
func TestZeroEnvIsTheHost(t *testing.T) {
	t.Parallel()
	var z Env
	for name, p := range map[string]string{
		"Root": z.Root(), "Socket": z.Socket(), "StateDir": z.StateDir(), "DaemonState": z.DaemonState(),
		"Ledger": z.Ledger(), "IncludeDir": z.IncludeDir(), "Path": z.Path("etc/config/firewall"),
		"StatePath": z.StatePath("flowtable-support"),
	} {
		if !filepath.IsAbs(p) {
			t.Errorf("zero Env's %s = %q, not absolute", name, p)
		}
	}
	if !z.IsHost() || z.Root() != "/" || z.Path("etc/config/firewall") != "/etc/config/firewall" || z != (Env{}) {
		t.Errorf("zero Env: root %q, IsHost %v", z.Root(), z.IsHost())
	}
	if Host() != host() || Host().Root() != "/" {
		t.Errorf("Host() = %+v", Host())
	}
}
