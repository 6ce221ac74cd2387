package sighup

import (
	"errors"
	"github.com/netfix/netfix/src/internal/netnstest"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain: when this test binary is started as "<bin> daemon" (by
// TestSubscribedBeforeMain), package init has run and nothing else: the
// first thing it does is send itself a SIGHUP, which must be waiting in
// Reloads, and the process must still be alive to say so. Started as
// "<bin> check" the HUP must keep its default action and end it.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && (os.Args[1] == "daemon" || os.Args[1] == "check") {
		_ = syscall.Kill(os.Getpid(), syscall.SIGHUP)
		select {
		case <-Reloads():
			os.Stdout.WriteString("reload pending\n")
			os.Exit(0)
		case <-time.After(2 * time.Second):
			os.Stdout.WriteString("no reload\n")
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

func TestSubscribedBeforeMain(t *testing.T) {
	tests := []struct {
		cmd      string
		wantOut  string
		wantKill bool
	}{
		{cmd: "daemon", wantOut: "reload pending\n"},
		// Other commands keep SIGHUP's default action: a closed
		// terminal ends `netfix check`.
		{cmd: "check", wantKill: true},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			out, err := exec.Command(os.Args[0], tt.cmd).Output()
			var ee *exec.ExitError
			killed := errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signal() == syscall.SIGHUP
			if killed != tt.wantKill || string(out) != tt.wantOut {
				t.Errorf("%s: killed by SIGHUP %v, output %q, err %v; want killed %v, output %q", tt.cmd, killed, out, err, tt.wantKill, tt.wantOut)
			}
		})
	}
}

// sighup's init runs as early as the init order allows: right after
// os/signal's, before the libraries' and netfix's other packages'.
func TestInitRunsEarly(t *testing.T) {
	if testing.Short() {
		netnstest.Skip(t, netnstest.Long, "builds netfix")
	}
	bin := t.TempDir() + "/netfix"
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/netfix").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("netfix version: %v\n%s", err, out)
	}
	var order []string
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "init" {
			order = append(order, f[1])
		}
	}
	const self = "github.com/netfix/netfix/src/internal/sighup"
	pos := map[string]int{}
	for i, p := range order {
		pos[p] = i
	}
	at, ok := pos[self]
	if !ok || pos["os/signal"] != at-1 {
		t.Fatalf("sighup's init is not right after os/signal's: %v", order)
	}
	for p, i := range pos {
		if i < at && (strings.HasPrefix(p, "github.com/") || strings.HasPrefix(p, "golang.org/x/")) {
			t.Errorf("%s is initialised before sighup: %v", p, order[:at+1])
		}
	}
	t.Logf("sighup's init is %d of %d", at+1, len(order))
}
