package netnstest

import (
	"fmt"
	"testing"
)

// recorder records what Skip asks of a test instead of ending it.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper()                           {}
func (r *recorder) Fatalf(format string, args ...any) { r.fatal = fmt.Sprintf(format, args...) }
func (r *recorder) Skipf(format string, args ...any)  { r.skip = fmt.Sprintf(format, args...) }

// In CI (CI=true) a skip fails unless CI is known to lack the
// prerequisite; elsewhere it skips.
func TestSkipFailsInCI(t *testing.T) {
	for _, c := range []struct {
		ci    string
		p     Prereq
		fails bool
	}{
		{"", Root, false},
		{"", Tool, false},
		{"", Flowtable, false},
		{"false", Tool, false},
		{"true", Root, true},
		{"true", Tool, true},
		{"true", Kernel, true},
		{"true", Flowtable, false},
		// This run has no -short: a long test that skips in CI fails.
		{"true", Long, true},
	} {
		t.Run(fmt.Sprintf("CI=%q/%s", c.ci, c.p), func(t *testing.T) {
			t.Setenv("CI", c.ci)
			r := &recorder{TB: t}
			Skip(r, c.p, "needs %s", "something")
			if failed := r.fatal != ""; failed != c.fails {
				t.Errorf("failed = %v (%q), skipped %q; want failed = %v", failed, r.fatal, r.skip, c.fails)
			}
			if !c.fails && r.skip == "" {
				t.Errorf("neither failed nor skipped")
			}
		})
	}
}
