package cli

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/fix"
	"github.com/netfix/netfix/src/internal/status"
)

// setAction is a fix action over an in-memory set: the domain boundary.
type setAction map[string]bool

func (setAction) ID() string { return "set.add" }
func (s setAction) Plan(args map[string]string) ([]fix.Change, error) {
	if s[args["x"]] {
		return nil, nil
	}
	return []fix.Change{{Object: args["x"], Command: "add", UndoCommand: "del"}}, nil
}
func (s setAction) Apply(_ map[string]string, plan []fix.Change) ([]fix.Change, error) {
	for _, c := range plan {
		s[c.Object] = true
	}
	return plan, nil
}
func (s setAction) Undo(cs []fix.Change) ([]fix.Change, error) {
	for _, c := range cs {
		delete(s, c.Object)
	}
	return cs, nil
}

// An apply with rollback needs the daemon that keeps the promise: with no
// daemon on the socket it is refused before anything changes, and so is a
// rollback time out of bounds; a plain apply and a dry run need no daemon.
func TestApplyFixWithRollbackNeedsTheDaemon(t *testing.T) {
	t.Parallel()
	sys := setAction{}
	reg, err := fix.NewRegistry(sys)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r := &fix.Runner{Actions: reg, Ledger: &fix.Ledger{Path: filepath.Join(dir, "fixes.json")},
		Findings: func() ([]status.Finding, error) {
			return []status.Finding{status.NewFinding("bridge.x", status.SeverityWarning, status.M("x"), nil, nil, "").WithFixAction("set.add", map[string]string{"x": "rule"})}, nil
		},
		IsRoot: func() bool { return true }, Now: time.Now}
	noDaemon := filepath.Join(dir, "none.sock")

	_, err = ApplyFix(r, noDaemon, "bridge.x", false, 90*time.Second)
	var ref *fix.Refused
	if !errors.As(err, &ref) || ref.Reason != fix.RefusedNoDaemon || sys["rule"] {
		t.Fatalf("apply with rollback and no daemon: %v (system %v)", err, sys)
	}
	if _, err = ApplyFix(r, noDaemon, "bridge.x", false, 2*time.Second); !errors.As(err, &ref) || ref.Reason != fix.RefusedRollback || sys["rule"] {
		t.Fatalf("rollback of 2s: %v (system %v)", err, sys)
	}
	if res, err := ApplyFix(r, noDaemon, "bridge.x", true, 90*time.Second); err != nil || res.Changed || sys["rule"] {
		t.Fatalf("dry run with rollback: %+v %v", res, err)
	}
	if res, err := ApplyFix(r, noDaemon, "bridge.x", false, 0); err != nil || !res.Changed || res.ConfirmBy != nil || !sys["rule"] {
		t.Fatalf("plain apply: %+v %v", res, err)
	}
}
