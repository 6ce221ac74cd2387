package fix

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/netfix/netfix/src/internal/status"
)

// Apply with rollback follows LuCI's own apply: the change is made at once
// and recorded with a deadline (Record.ConfirmBy) in the ledger; whoever
// asked confirms it before the deadline (Confirm), or netfix undoes it by
// itself (RollbackExpired). The deadline lives in the ledger, so a daemon
// that restarts in between still undoes it; the daemon runs
// RollbackExpired when it starts and when a deadline comes (see
// daemon/fixwatch_linux.go). Without a daemon nothing would keep the
// promise, so callers refuse an apply with rollback when none answers
// (RefusedNoDaemon).

// Rollback bounds: LuCI's own apply waits 90 s (apply_rollback); less than
// 10 s leaves a person no time to see the change work, more than an hour
// is not a rollback any more.
const (
	MinRollback     = 10 * time.Second
	MaxRollback     = time.Hour
	DefaultRollback = 90 * time.Second
)

// More reasons a request is refused.
const (
	RefusedNoDaemon  = "no_daemon"
	RefusedExpired   = "expired"
	RefusedBadID     = "bad_id"
	RefusedNoPending = "not_pending"
	RefusedRollback  = "bad_rollback"
)

// OpRollback is the ledger event of an apply netfix undid by itself
// because nobody confirmed it in time.
const OpRollback = "rollback"

// OpConfirm is the ledger event of a confirmed apply.
const OpConfirm = "confirm"

// CheckRollback refuses a rollback time outside MinRollback..MaxRollback.
func CheckRollback(d time.Duration) error {
	if d < MinRollback || d > MaxRollback {
		return &Refused{RefusedRollback, status.M("The rollback time must be between %d and %d seconds.", int(MinRollback/time.Second), int(MaxRollback/time.Second))}
	}
	return nil
}

// NoDaemon is the refusal of an apply with rollback when no daemon runs to
// undo it.
func NoDaemon() error {
	return &Refused{RefusedNoDaemon, status.M("netfix applies a fix with rollback only while its daemon runs, because the daemon is what undoes it when nobody confirms; the daemon is not running. Start it (/etc/init.d/netfix start or systemctl start netfix) or apply without rollback.")}
}

// BadID is the refusal of an argument that is not a finding id.
func BadID(id string) error {
	return &Refused{RefusedBadID, status.M("%s is not a finding id; finding ids look like bridge.nf_call_iptables.", fmt.Sprintf("%q", id))}
}

// ApplyRollback is Apply with a deadline: unless Confirm is called for id
// within rollback, netfix undoes what this apply added. rollback 0 is a
// plain Apply.
func (r *Runner) ApplyRollback(id string, dryRun bool, rollback time.Duration) (Result, error) {
	if rollback == 0 {
		return r.Apply(id, dryRun)
	}
	if err := CheckRollback(rollback); err != nil {
		return Result{Finding: id, Op: OpApply, DryRun: dryRun, Changes: []Change{}}, err
	}
	r.rollback = rollback
	defer func() { r.rollback = 0 }()
	return r.Apply(id, dryRun)
}

// Confirm keeps the fix of finding id that waits for confirmation. When
// its deadline has passed it is undone here and then, and the refusal says
// so.
func (r *Runner) Confirm(id string) (Result, error) {
	res := Result{Finding: id, Op: OpConfirm, Changes: []Change{}}
	lf, unlock, err := r.begin()
	if err != nil {
		return res, err
	}
	defer unlock()
	now := r.Now()
	var keys, late []string
	for k, rec := range lf.Records {
		if rec.ConfirmBy == nil || !contains(rec.Findings, id) {
			continue
		}
		if now.Before(*rec.ConfirmBy) {
			keys = append(keys, k)
		} else {
			late = append(late, k)
		}
	}
	if len(keys) == 0 && len(late) == 0 {
		return res, &Refused{RefusedNoPending, status.M("No fix for %s waits for confirmation; nothing was changed.", id)}
	}
	if len(late) > 0 {
		_, rerr := r.rollbackKeys(&lf, sortedStrings(late), now)
		if err := r.Ledger.save(lf); err != nil {
			rerr = errors.Join(rerr, err)
		}
		if rerr != nil {
			return res, fmt.Errorf("roll back the unconfirmed fix for %s: %w", id, rerr)
		}
		return res, &Refused{RefusedExpired, status.M("The time to keep the fix for %s ran out, so netfix undid it. Apply it again if you still want it.", id)}
	}
	for _, k := range keys {
		rec := lf.Records[k]
		rec.ConfirmBy = nil
		lf.Records[k] = rec
		res.Changes = append(res.Changes, rec.Changes...)
	}
	lf.Events = append([]Event{{Time: now, Finding: id, Action: lf.Records[keys[0]].Action, Op: OpConfirm, Changes: commands(res.Changes, false)}}, lf.Events...)
	if err := r.Ledger.save(lf); err != nil {
		return res, fmt.Errorf("record the confirmation of %s: %w", id, err)
	}
	res.say(status.M("Kept the fix for %s: it stays until you undo it.", id))
	return res, nil
}

// RollbackExpired undoes every applied fix whose confirmation deadline has
// passed and returns what it undid, and the earliest deadline still ahead
// (zero when none). It needs no diagnosis: the ledger says what to remove.
func (r *Runner) RollbackExpired() ([]Result, time.Time, error) {
	if _, err := os.Stat(r.Ledger.Path); errors.Is(err, os.ErrNotExist) {
		return nil, time.Time{}, nil // nothing was ever applied
	}
	unlock, err := r.Ledger.lock()
	if err != nil {
		return nil, time.Time{}, err
	}
	defer unlock()
	lf, err := r.Ledger.load()
	if err != nil {
		return nil, time.Time{}, err
	}
	now := r.Now()
	var due []string
	var next time.Time
	for k, rec := range lf.Records {
		switch {
		case rec.ConfirmBy == nil:
		case !now.Before(*rec.ConfirmBy):
			due = append(due, k)
		case next.IsZero() || rec.ConfirmBy.Before(next):
			next = *rec.ConfirmBy
		}
	}
	if len(due) == 0 {
		return nil, next, nil
	}
	out, rerr := r.rollbackKeys(&lf, sortedStrings(due), now)
	if err := r.Ledger.save(lf); err != nil {
		rerr = errors.Join(rerr, fmt.Errorf("record rollback: %w", err))
	}
	return out, next, rerr
}

// rollbackKeys undoes the records under keys (the ledger is locked and
// loaded in lf) and logs each as a rollback event. A record whose undo
// failed stays, without its deadline, so the failure is shown once and the
// person can undo by hand.
func (r *Runner) rollbackKeys(lf *ledgerFile, keys []string, now time.Time) ([]Result, error) {
	var out []Result
	var errs []error
	for _, k := range keys {
		rec := lf.Records[k]
		finding := ""
		if len(rec.Findings) > 0 {
			finding = rec.Findings[0]
		}
		res := Result{Finding: finding, Op: OpRollback, Changes: []Change{}}
		ev := Event{Time: now, Finding: finding, Action: rec.Action, Op: OpRollback}
		a, ok := r.Actions.Lookup(rec.Action)
		var err error
		var removed []Change
		if !ok {
			err = fmt.Errorf("this netfix has no fix action %s", rec.Action)
		} else {
			removed, err = a.Undo(rec.Changes)
		}
		ev.Changes = commands(removed, true)
		res.Changes = append(res.Changes, removed...)
		res.Changed = len(removed) > 0
		if err != nil {
			ev.Error = err.Error()
			rec.ConfirmBy = nil
			lf.Records[k] = rec
			errs = append(errs, fmt.Errorf("roll back %s for %s: %w", rec.Action, finding, err))
		} else {
			delete(lf.Records, k)
			res.say(status.M("Nobody kept the fix for %s in time, so netfix undid it.", finding))
		}
		lf.Events = append([]Event{ev}, lf.Events...)
		out = append(out, res)
	}
	return out, errors.Join(errs...)
}
