package fix

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// An apply with rollback that nobody confirms is undone by RollbackExpired
// once its deadline passes, and only then; the ledger says so.
func TestRollbackUndoesUnconfirmedApply(t *testing.T) {
	t.Parallel()
	present := true
	r, act := newTestRunner(t, &present, true)
	now := time.Unix(1700000000, 0).UTC()
	r.Now = func() time.Time { return now }

	res, err := r.ApplyRollback("bridge.nf_call_iptables", false, 90*time.Second)
	if err != nil || !res.Changed || res.ConfirmBy == nil || !res.ConfirmBy.Equal(now.Add(90*time.Second)) || res.RollbackS != 90 {
		t.Fatalf("apply with rollback: %+v %v", res, err)
	}
	if !strings.Contains(res.Message, "undoes it in 90 seconds") {
		t.Errorf("message %q does not say the deadline", res.Message)
	}
	now = now.Add(89 * time.Second)
	if done, next, err := r.RollbackExpired(); err != nil || len(done) != 0 || !next.Equal(*res.ConfirmBy) || !act.objects["notrack br-lan137"] {
		t.Fatalf("before the deadline: %+v next %v %v %v", done, next, err, act.objects)
	}
	now = now.Add(time.Second)
	done, next, err := r.RollbackExpired()
	if err != nil || len(done) != 1 || !next.IsZero() || act.objects["notrack br-lan137"] || !act.objects["unrelated rule"] {
		t.Fatalf("at the deadline: %+v next %v %v %v", done, next, err, act.objects)
	}
	recs, events, _ := r.Ledger.Records()
	if len(recs) != 0 || events[0].Op != OpRollback || events[1].Op != OpApply {
		t.Errorf("ledger after rollback: %+v %+v", recs, events)
	}
	// A confirmation that comes too late is refused and says why.
	_, err = r.Confirm("bridge.nf_call_iptables")
	var ref *Refused
	if !errors.As(err, &ref) || ref.Reason != RefusedNoPending {
		t.Errorf("late confirm after the rollback: %v", err)
	}
}

// A confirmed apply stays; a confirmation after the deadline but before
// the daemon acted rolls back there and then.
func TestConfirm(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		after   time.Duration
		keep    bool
		refusal string
	}{
		{"in time", 30 * time.Second, true, ""},
		{"too late", 91 * time.Second, false, RefusedExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			present := true
			r, act := newTestRunner(t, &present, true)
			now := time.Unix(1700000000, 0).UTC()
			r.Now = func() time.Time { return now }
			if _, err := r.ApplyRollback("bridge.nf_call_iptables", false, 90*time.Second); err != nil {
				t.Fatal(err)
			}
			now = now.Add(tc.after)
			// Through the sibling finding, which shares the record.
			res, err := r.Confirm("conntrack.double_tracking")
			var ref *Refused
			if tc.refusal == "" && err != nil || tc.refusal != "" && (!errors.As(err, &ref) || ref.Reason != tc.refusal) {
				t.Fatalf("confirm: %+v %v", res, err)
			}
			now = now.Add(time.Hour)
			if _, _, err := r.RollbackExpired(); err != nil {
				t.Fatal(err)
			}
			if act.objects["notrack br-lan137"] != tc.keep {
				t.Errorf("rule present %v, want %v", act.objects["notrack br-lan137"], tc.keep)
			}
		})
	}
}

func TestRollbackBounds(t *testing.T) {
	t.Parallel()
	present := true
	r, act := newTestRunner(t, &present, true)
	for _, d := range []time.Duration{time.Second, 2 * time.Hour} {
		_, err := r.ApplyRollback("bridge.nf_call_iptables", false, d)
		var ref *Refused
		if !errors.As(err, &ref) || ref.Reason != RefusedRollback || act.objects["notrack br-lan137"] {
			t.Errorf("rollback %v: %v", d, err)
		}
	}
}
