//go:build kernel

package e2e_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netfix/netfix/src/internal/netnstest"
)

// `netfix check` whose standard output is full or closed exits 3 with a
// message, never 0/1/2 having printed nothing: a script reading
// `check --json` must not take an empty answer for a verdict.
func TestCheckOutputFailsLoudly(t *testing.T) {
	ns, root := router(t)
	bin := netnstest.BuildNetfix(t)
	check := []string{bin, "check", "--root", root, "--socket", filepath.Join(root, "none.sock"), "--sample", "0"}
	run := func(t *testing.T, redirect string, args ...string) (int, string) {
		// sh applies the redirection, as a user's shell or a cron line does.
		line := `"$@" ` + redirect
		cmd := ns.Command(append([]string{"sh", "-c", line, "sh"}, append(check, args...)...)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return cmd.ProcessState.ExitCode(), stderr.String()
	}
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Fatalf("/dev/full is missing: %v", err)
	}
	// The same check printed to a file: a verdict (this router warns).
	out := filepath.Join(t.TempDir(), "out.json")
	if code, stderr := run(t, "> "+out, "--json"); code != 1 {
		t.Fatalf("check --json > file: exit %d, want 1; stderr %s", code, stderr)
	}
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), `"verdict"`) {
		t.Fatalf("check --json > file wrote %q", b)
	}
	for _, tt := range []struct {
		name, redirect string
		args           []string
		want           string
	}{
		{"json to /dev/full", "> /dev/full", []string{"--json"}, "no space left on device"},
		{"text to /dev/full", "> /dev/full", nil, "no space left on device"},
		// A closed stdout cannot be tested this way: Go's runtime opens
		// /dev/null on a closed fd 0-2 at start, so `>&-` is `>/dev/null`.
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stderr := run(t, tt.redirect, tt.args...)
			if code != 3 {
				t.Errorf("exit %d, want 3; stderr %q", code, stderr)
			}
			for _, w := range []string{"netfix check: could not print the result", tt.want} {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
		})
	}
}
