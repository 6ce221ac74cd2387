package fix

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/status"
)

// memAction is a fix action over an in-memory set of objects: the domain
// boundary of the runner. It adds one object per arg value and undoes
// exactly the objects it was handed.
type memAction struct {
	id      string
	objects map[string]bool // the "system"
}

func (m *memAction) ID() string { return m.id }

func (m *memAction) Plan(args map[string]string) ([]Change, error) {
	want := "notrack " + args["bridge"]
	if m.objects[want] {
		return nil, nil
	}
	return []Change{{Object: want, Command: "add " + want, UndoCommand: "delete " + want}}, nil
}

func (m *memAction) Apply(_ map[string]string, plan []Change) ([]Change, error) {
	for _, c := range plan {
		m.objects[c.Object] = true
	}
	return plan, nil
}

func (m *memAction) Undo(changes []Change) ([]Change, error) {
	var removed []Change
	for _, c := range changes {
		if m.objects[c.Object] {
			delete(m.objects, c.Object)
			removed = append(removed, c)
		}
	}
	return removed, nil
}

func s4Findings(present bool) []status.Finding {
	if !present {
		return []status.Finding{status.NewFinding("offload.summary", status.SeverityInfo, status.M("x"), nil, nil, "")}
	}
	args := map[string]string{"bridge": "br-lan137"}
	return []status.Finding{
		status.NewFinding("bridge.nf_call_iptables", status.SeverityWarning, status.M("x"), nil, nil, "nft ...").WithFixAction("mem.notrack", args),
		status.NewFinding("conntrack.double_tracking", status.SeverityCritical, status.M("x"), nil, nil, "nft ...").WithFixAction("mem.notrack", args),
		status.NewFinding("offload.config_mismatch", status.SeverityWarning, status.M("x"), nil, nil, "fw4 reload"),
	}
}

func newTestRunner(t *testing.T, present *bool, root bool) (*Runner, *memAction) {
	t.Helper()
	act := &memAction{id: "mem.notrack", objects: map[string]bool{"unrelated rule": true}}
	reg, err := NewRegistry(act)
	if err != nil {
		t.Fatal(err)
	}
	return &Runner{
		Actions:  reg,
		Ledger:   &Ledger{Path: filepath.Join(t.TempDir(), "fixes.json")},
		Findings: func() ([]status.Finding, error) { return s4Findings(*present), nil },
		IsRoot:   func() bool { return root },
		Now:      func() time.Time { return time.Unix(1700000000, 0).UTC() },
	}, act
}

func TestApplyUndoCycle(t *testing.T) {
	t.Parallel()
	present := true
	r, act := newTestRunner(t, &present, true)

	res, err := r.Apply("bridge.nf_call_iptables", true)
	if err != nil || res.Changed || len(res.Changes) != 1 || act.objects["notrack br-lan137"] {
		t.Fatalf("dry run changed the system or planned wrong: %+v %v %v", res, err, act.objects)
	}
	res, err = r.Apply("bridge.nf_call_iptables", false)
	if err != nil || !res.Changed || !act.objects["notrack br-lan137"] {
		t.Fatalf("apply: %+v %v", res, err)
	}
	// The fix cured the double tracking; the finding is gone, and a second
	// apply through it finds the ledger record and changes nothing.
	present = false
	res, err = r.Apply("bridge.nf_call_iptables", false)
	if err != nil || res.Changed || !strings.Contains(res.Message, "already in place") {
		t.Fatalf("second apply: %+v %v", res, err)
	}
	// The sibling finding shares the record, even with both findings gone:
	// a second apply through it changes nothing, and its undo removes the
	// rule, and only it.
	res, err = r.Apply("conntrack.double_tracking", false)
	if err != nil || res.Changed {
		t.Fatalf("apply through the sibling: %+v %v", res, err)
	}
	res, err = r.Undo("conntrack.double_tracking", false)
	if err != nil || !res.Changed || len(res.Changes) != 1 {
		t.Fatalf("undo: %+v %v", res, err)
	}
	if act.objects["notrack br-lan137"] || !act.objects["unrelated rule"] {
		t.Fatalf("undo must remove exactly what apply added: %v", act.objects)
	}
	present = true
	res, err = r.Undo("conntrack.double_tracking", false)
	if err != nil || res.Changed || !strings.Contains(res.Message, "no applied fix") {
		t.Fatalf("second undo: %+v %v", res, err)
	}
	l, err := r.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Applied) != 0 || len(l.Events) != 2 || l.Events[0].Op != OpUndo || l.Events[1].Op != OpApply {
		t.Errorf("ledger after apply and undo: %+v", l)
	}
}

// A rule the user had already added is not netfix's: apply adds nothing and
// records nothing, so undo cannot remove it.
func TestPreexistingStateIsNotAdopted(t *testing.T) {
	t.Parallel()
	present := true
	r, act := newTestRunner(t, &present, true)
	act.objects["notrack br-lan137"] = true
	if res, err := r.Apply("bridge.nf_call_iptables", false); err != nil || res.Changed {
		t.Fatalf("apply over existing state: %+v %v", res, err)
	}
	if res, err := r.Undo("bridge.nf_call_iptables", false); err != nil || res.Changed || !act.objects["notrack br-lan137"] {
		t.Fatalf("undo removed what netfix did not add: %+v %v %v", res, err, act.objects)
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		id      string
		present bool
		root    bool
		want    string
	}{
		{"not root", "bridge.nf_call_iptables", true, false, RefusedNotRoot},
		{"finding absent", "bridge.nf_call_iptables", false, true, RefusedNotPresent},
		{"unknown finding", "nope.nothing", true, true, RefusedNotPresent},
		{"manual fix", "offload.config_mismatch", true, true, RefusedNotAutomatic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			present := tt.present
			r, act := newTestRunner(t, &present, tt.root)
			_, err := r.Apply(tt.id, false)
			var ref *Refused
			if !errors.As(err, &ref) || ref.Reason != tt.want {
				t.Fatalf("Apply(%s) = %v, want refusal %s", tt.id, err, tt.want)
			}
			if ref.Msg.ID == "" || len(act.objects) != 1 {
				t.Errorf("refusal without message or with changes: %+v %v", ref, act.objects)
			}
		})
	}
}

func TestUnknownActionIsRefused(t *testing.T) {
	t.Parallel()
	present := true
	r, _ := newTestRunner(t, &present, true)
	r.Actions, _ = NewRegistry()
	_, err := r.Apply("bridge.nf_call_iptables", false)
	var ref *Refused
	if !errors.As(err, &ref) || ref.Reason != RefusedUnknownAction {
		t.Fatalf("err = %v", err)
	}
}

func TestRegistryRejectsDuplicates(t *testing.T) {
	t.Parallel()
	if _, err := NewRegistry(&memAction{id: "a"}, &memAction{id: "a"}); err == nil {
		t.Error("duplicate action ids accepted")
	}
}

func TestKeyIsOrderIndependent(t *testing.T) {
	t.Parallel()
	a := Key("x", map[string]string{"b": "2", "a": "1"})
	b := Key("x", map[string]string{"a": "1", "b": "2"})
	if a != b || a != `x a="1" b="2"` {
		t.Errorf("keys %q %q", a, b)
	}
}
