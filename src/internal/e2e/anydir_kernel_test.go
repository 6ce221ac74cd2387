//go:build kernel

package e2e_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/fix"
	"github.com/netfix/netfix/src/internal/netnstest"
)

// anyDir runs netfix the way a user types it on a router: in an ssh shell
// whose working directory is whatever it is (/root), with every path at
// its default. Each command runs in ns and in a mount namespace of its own
// (ip netns exec makes one, a slave of the host's) in which /var/lib and
// /var/run are the test's directories: the defaults
// (/var/lib/netfix/fixes.json, /var/run/netfix.sock, /var/run/netfix/)
// land there, the host's stay untouched, and every command of the test
// sees the same ones.
type anyDir struct {
	t        *testing.T
	ns       *netnstest.NS
	bin      string
	lib, run string
	dirs     []string // the working directories handed out
}

func newAnyDir(t *testing.T, ns *netnstest.NS) *anyDir {
	if _, err := exec.LookPath("mount"); err != nil {
		netnstest.Skip(t, netnstest.Tool, "needs mount(8) to give each command its own /var/lib and /var/run")
	}
	return &anyDir{t: t, ns: ns, bin: netnstest.BuildNetfix(t), lib: t.TempDir(), run: t.TempDir()}
}

// dir is a fresh, empty working directory.
func (a *anyDir) dir() string {
	d := a.t.TempDir()
	a.dirs = append(a.dirs, d)
	return d
}

// command is netfix args, started in dir.
func (a *anyDir) command(dir string, args ...string) *exec.Cmd {
	const script = `mount --bind "$1" /var/lib && mount --bind "$2" /var/run && shift 2 && exec "$@"`
	cmd := a.ns.Command(append([]string{"sh", "-c", script, "sh", a.lib, a.run, a.bin}, args...)...)
	cmd.Dir = dir
	return cmd
}

// netfix runs netfix args in a fresh directory with stdin, and returns its
// stdout and exit code; stderr goes to the test log.
func (a *anyDir) netfix(stdin string, args ...string) (string, int) {
	a.t.Helper()
	dir := a.dir()
	cmd := a.command(dir, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		a.t.Fatalf("netfix %s: %v", strings.Join(args, " "), err)
	}
	if s := strings.TrimSpace(stderr.String()); s != "" {
		a.t.Logf("netfix %s (exit %d), stderr: %s", strings.Join(args, " "), code, s)
	}
	return string(out), code
}

// checkEmpty fails for every working directory that is not empty.
func (a *anyDir) checkEmpty() {
	a.t.Helper()
	for _, d := range a.dirs {
		var found []string
		_ = filepath.WalkDir(d, func(p string, _ os.DirEntry, _ error) error {
			if p != d {
				found = append(found, strings.TrimPrefix(p, d+"/"))
			}
			return nil
		})
		if len(found) > 0 {
			a.t.Errorf("a command run in %s left %v there", d, found)
		}
	}
}

// Every subcommand, typed in an empty directory with every path at its
// default, leaves the directory empty: the ledger, its lock, the socket,
// the state and the caches are where they belong whatever the directory.
func TestCommandsFromAnyDirectory(t *testing.T) {
	netnstest.RequireRoot(t)
	ns, _ := router(t)
	a := newAnyDir(t, ns)

	if _, code := a.netfix("", "check", "--json"); code == 3 {
		t.Errorf("check could not run from an empty directory")
	}
	if _, code := a.netfix("", "status"); code != 3 {
		t.Errorf("status without a daemon: exit %d, want 3", code)
	}
	if _, code := a.netfix("", "flush", "--ip", "192.0.2.7", "--dry-run"); code != 0 {
		t.Errorf("flush without a daemon: exit %d", code)
	}
	if _, code := a.netfix("", "fix", "list"); code != 0 {
		t.Errorf("fix list: exit %d", code)
	}
	// No finding asks for this fix here: apply is refused and undo finds
	// nothing, both after locking the ledger, which is where a
	// directory-relative ledger showed.
	if _, code := a.netfix("", "fix", "apply", "conntrack.near_full"); code != 3 {
		t.Errorf("fix apply of an absent finding: exit %d, want 3", code)
	}
	if out, code := a.netfix("", "fix", "undo", "conntrack.near_full"); code != 0 || !strings.Contains(out, "nothing") {
		t.Errorf("fix undo of a fix never applied: exit %d: %s", code, out)
	}
	if _, err := os.Stat(filepath.Join(a.lib, "netfix", "fixes.json.lock")); err != nil {
		t.Errorf("the fix ledger's lock is not at /var/lib/netfix/fixes.json.lock: %v", err)
	}
	if out, _ := a.netfix("", "rpcd", "list"); !strings.Contains(out, `"status"`) {
		t.Errorf("rpcd list = %s", out)
	}
	for _, m := range []string{"status", "fixes"} {
		out, _ := a.netfix("{}", "rpcd", "call", m)
		var reply map[string]any
		if err := json.Unmarshal([]byte(out), &reply); err != nil || reply["error"] != nil {
			t.Errorf("rpcd call %s without a daemon = %s (%v)", m, out, err)
		}
	}

	// The daemon in one directory, its clients in others, all through the
	// default socket.
	daemon := a.command(a.dir(), "daemon")
	var log netnstest.Output
	daemon.Stdout, daemon.Stderr = &log, &log
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- daemon.Wait() }()
	t.Cleanup(func() {
		_ = daemon.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = daemon.Process.Kill()
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, code := a.netfix("", "status", "--json")
		if code != 3 {
			if !strings.Contains(out, `"running": true`) {
				t.Errorf("status through the default socket: %s", out)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the daemon never answered on /var/run/netfix.sock:\n%s", log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(a.run, "netfix.sock")); err != nil {
		t.Errorf("the daemon's socket is not /var/run/netfix.sock: %v", err)
	}
	if _, code := a.netfix("", "flush", "--ip", "192.0.2.7", "--dry-run"); code != 0 {
		t.Errorf("flush through the daemon: exit %d", code)
	}
	if out, _ := a.netfix("{}", "rpcd", "call", "history"); !strings.Contains(out, `"events"`) {
		t.Errorf("rpcd call history through the daemon = %s", out)
	}
	_ = daemon.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("daemon: %v\n%s", err, log.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("daemon did not stop on SIGTERM:\n%s", log.String())
	}
	if _, err := os.Stat(filepath.Join(a.run, "netfix", "state.json")); err != nil {
		t.Errorf("the daemon's state is not at /var/run/netfix/state.json: %v", err)
	}
	a.checkEmpty()
}

// A fix applied from one directory is seen, and undone, from others: the
// CLI, the rpcd plugin (LuCI's "applied fixes") and a later undo all read
// the one default ledger.
func TestFixLedgerFromAnyDirectory(t *testing.T) {
	l := newS4Lab(t)
	l.host.Run("sysctl", "-qw", "net.ipv4.conf.br-lan137.rp_filter=0")
	a := newAnyDir(t, l.host)
	const id = "bridge.nf_call_iptables"
	applied := func(via string) int {
		t.Helper()
		var n int
		if via == "rpcd" {
			out, _ := a.netfix("{}", "rpcd", "call", "fixes")
			var r struct {
				Applied []fix.Record `json:"applied"`
			}
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("rpcd call fixes: %v: %s", err, out)
			}
			n = len(r.Applied)
		} else {
			out, code := a.netfix("", "fix", "list", "--json")
			var ls fix.Listing
			if err := json.Unmarshal([]byte(out), &ls); err != nil || code != 0 {
				t.Fatalf("fix list --json: exit %d, %v: %s", code, err, out)
			}
			n = len(ls.Applied)
		}
		return n
	}
	if out, code := a.netfix("", "fix", "apply", id); code != 0 || !strings.Contains(out, "Applied") {
		t.Fatalf("fix apply: exit %d: %s", code, out)
	}
	if _, err := os.Stat(filepath.Join(a.lib, "netfix", "fixes.json")); err != nil {
		t.Errorf("the ledger is not /var/lib/netfix/fixes.json: %v", err)
	}
	if n := applied("cli"); n != 1 {
		t.Errorf("fix list from another directory sees %d applied fixes, want 1", n)
	}
	if n := applied("rpcd"); n != 1 {
		t.Errorf("rpcd call fixes from another directory sees %d applied fixes, want 1", n)
	}
	if out, code := a.netfix("", "fix", "undo", id); code != 0 || !strings.Contains(out, "removed") {
		t.Errorf("fix undo from another directory: exit %d: %s", code, out)
	}
	if n := applied("cli"); n != 0 {
		t.Errorf("after undo fix list sees %d applied fixes, want 0", n)
	}
	if _, all := l.ruleset(t); strings.Contains(all, `iifname "br-lan137" notrack`) {
		t.Errorf("the notrack rule is still there after undo:\n%s", all)
	}
	a.checkEmpty()
}
