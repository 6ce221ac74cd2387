package fix

import (
	"errors"
	"fmt"
	"time"

	"github.com/netfix/netfix/src/internal/status"
)

// Operations.
const (
	OpApply = "apply"
	OpUndo  = "undo"
)

// Reasons a request is refused; callers branch on them with errors.As.
const (
	RefusedNotRoot       = "not_root"
	RefusedNotPresent    = "not_present"
	RefusedNotAutomatic  = "not_automatic"
	RefusedUnknownAction = "unknown_action"
)

// Refused is a request netfix will not carry out, with the sentence that
// says why (a catalog message, so LuCI shows it translated).
type Refused struct {
	Reason string
	Msg    status.Msg
}

func (r *Refused) Error() string { return r.Msg.String() }

// Result is the answer to one apply or undo.
type Result struct {
	Finding string `json:"finding"`
	Op      string `json:"op"`
	DryRun  bool   `json:"dry_run"`
	// Changed is true when the system was changed (never in a dry run).
	Changed bool `json:"changed"`
	// Changes are what was (or, in a dry run, would be) added by apply or
	// removed by undo.
	Changes []Change `json:"changes"`
	// Message says what happened in one sentence; MessageMsg is its
	// catalog form.
	Message    string     `json:"message"`
	MessageMsg status.Msg `json:"message_msg"`
	// ConfirmBy is the deadline of an apply with rollback: unless it is
	// confirmed before then, netfix undoes it; RollbackS is the time it
	// was given, in seconds.
	ConfirmBy *time.Time `json:"confirm_by,omitempty"`
	RollbackS int        `json:"rollback_s,omitempty"`
}

func (r *Result) say(m status.Msg) {
	r.MessageMsg = m
	r.Message = m.String()
}

// Runner carries out fix requests.
type Runner struct {
	Actions *Registry
	Ledger  *Ledger
	// Findings diagnoses the machine now.
	Findings func() ([]status.Finding, error)
	// IsRoot reports whether the caller may change the system.
	IsRoot func() bool
	Now    func() time.Time

	// rollback is the confirmation time of the apply under way
	// (ApplyRollback); 0 for a plain apply.
	rollback time.Duration
}

// wanted is one action with its arguments that a finding asks for.
type wanted struct {
	action Action
	args   map[string]string
	// findings are the ids of every finding present now that asks for
	// this action with these args: the record lists them all, so undo
	// through any of them works after the fix made them disappear.
	findings []string
	// fromLedger: the finding is gone and only netfix's record names it;
	// such a fix may be confirmed in place, never applied anew.
	fromLedger bool
}

// begin is what apply and undo both start with: only root changes the
// system, and the ledger is locked (the caller unlocks) and read.
func (r *Runner) begin() (ledgerFile, func(), error) {
	if !r.IsRoot() {
		return ledgerFile{}, nil, &Refused{RefusedNotRoot, status.M("Only root can apply or undo a fix.")}
	}
	unlock, err := r.Ledger.lock()
	if err != nil {
		return ledgerFile{}, nil, err
	}
	lf, err := r.Ledger.load()
	if err != nil {
		unlock()
		return ledgerFile{}, nil, err
	}
	return lf, unlock, nil
}

// Apply brings the fix of finding id into place, or in a dry run returns
// what it would change. Applying a fix that is in place changes nothing
// and says so.
func (r *Runner) Apply(id string, dryRun bool) (Result, error) {
	res := Result{Finding: id, Op: OpApply, DryRun: dryRun, Changes: []Change{}}
	lf, unlock, err := r.begin()
	if err != nil {
		return res, err
	}
	defer unlock()
	wants, err := r.wanted(id, lf)
	if err != nil {
		return res, err
	}
	var firstErr error
	for _, w := range wants {
		plan, err := w.action.Plan(w.args)
		if err != nil {
			return res, fmt.Errorf("plan %s for %s: %w", w.action.ID(), id, err)
		}
		if len(plan) == 0 {
			continue
		}
		if w.fromLedger {
			return res, &Refused{RefusedNotPresent, status.M("The finding %s is not present on this machine now; there is nothing to fix.", id)}
		}
		if dryRun {
			res.Changes = append(res.Changes, plan...)
			continue
		}
		made, err := w.action.Apply(w.args, plan)
		// Record what was made even when a later step failed, so undo can
		// remove the part that is in place.
		if len(made) > 0 {
			key := Key(w.action.ID(), w.args)
			rec := lf.Records[key]
			rec.Action, rec.Args, rec.Applied = w.action.ID(), w.args, r.Now()
			rec.Findings = addOnce(rec.Findings, id)
			for _, sib := range w.findings {
				rec.Findings = addOnce(rec.Findings, sib)
			}
			rec.Changes = append(rec.Changes, made...)
			if r.rollback > 0 {
				by := r.Now().Add(r.rollback)
				rec.ConfirmBy = &by
				res.ConfirmBy = &by
			}
			lf.Records[key] = rec
			res.Changes = append(res.Changes, made...)
			res.Changed = true
		}
		ev := Event{Time: r.Now(), Finding: id, Action: w.action.ID(), Op: OpApply, Changes: commands(made, false)}
		if err != nil {
			ev.Error = err.Error()
			if firstErr == nil {
				firstErr = fmt.Errorf("apply %s for %s: %w", w.action.ID(), id, err)
			}
		}
		if len(made) > 0 || err != nil {
			lf.Events = append([]Event{ev}, lf.Events...)
		}
	}
	if res.Changed || firstErr != nil {
		if err := r.Ledger.save(lf); err != nil {
			return res, fmt.Errorf("the fix was applied but not recorded, so undo cannot find it: %w", err)
		}
	}
	switch {
	case firstErr != nil:
		return res, firstErr
	case dryRun && len(res.Changes) == 0, !dryRun && !res.Changed:
		res.say(status.M("The fix for %s is already in place; nothing was changed.", id))
	case dryRun:
		res.say(status.MN(len(res.Changes), "Dry run: applying the fix for %s would make %d change.", "Dry run: applying the fix for %s would make %d changes.", id, len(res.Changes)))
	case res.ConfirmBy != nil:
		res.RollbackS = int(r.rollback / time.Second)
		res.say(status.MN(len(res.Changes), "Applied the fix for %s: %d change; netfix undoes it in %d seconds unless it is kept (`netfix fix confirm %s`).", "Applied the fix for %s: %d changes; netfix undoes them in %d seconds unless they are kept (`netfix fix confirm %s`).", id, len(res.Changes), res.RollbackS, id))
	default:
		res.say(status.MN(len(res.Changes), "Applied the fix for %s: %d change; `netfix fix undo %s` removes it.", "Applied the fix for %s: %d changes; `netfix fix undo %s` removes them.", id, len(res.Changes), id))
	}
	return res, nil
}

// wanted resolves what finding id asks for: from the findings present now,
// or, when the finding is gone because its fix cured it, from the ledger
// (so a second apply says "already in place" instead of refusing).
func (r *Runner) wanted(id string, lf ledgerFile) ([]wanted, error) {
	findings, err := r.Findings()
	if err != nil {
		return nil, fmt.Errorf("diagnose before fixing %s: %w", id, err)
	}
	var out []wanted
	present, manual := false, ""
	siblings := map[string][]string{}
	for _, f := range findings {
		if f.FixAction != "" {
			k := Key(f.FixAction, f.FixArgs)
			siblings[k] = addOnce(siblings[k], f.ID)
		}
	}
	for _, f := range findings {
		if f.ID != id {
			continue
		}
		present = true
		if f.FixAction == "" {
			manual = f.Fix
			continue
		}
		a, ok := r.Actions.Lookup(f.FixAction)
		if !ok {
			return nil, &Refused{RefusedUnknownAction, status.M("This netfix has no fix action %s (finding %s); update netfix or fix it by hand.", f.FixAction, id)}
		}
		out = append(out, wanted{action: a, args: f.FixArgs, findings: siblings[Key(f.FixAction, f.FixArgs)]})
	}
	if len(out) > 0 {
		return out, nil
	}
	if present {
		if manual == "" {
			return nil, &Refused{RefusedNotAutomatic, status.M("The finding %s has no automatic fix.", id)}
		}
		return nil, &Refused{RefusedNotAutomatic, status.M("The fix for %s is not automatic; do it by hand: %s", id, manual)}
	}
	for _, rec := range lf.Records {
		if !contains(rec.Findings, id) {
			continue
		}
		if a, ok := r.Actions.Lookup(rec.Action); ok {
			out = append(out, wanted{action: a, args: rec.Args, fromLedger: true})
		}
	}
	if len(out) == 0 {
		return nil, &Refused{RefusedNotPresent, status.M("The finding %s is not present on this machine now; there is nothing to fix.", id)}
	}
	return out, nil
}

// Undo removes exactly what apply added for finding id (through any
// finding that shares the fix). Undoing what is not applied changes
// nothing and says so.
func (r *Runner) Undo(id string, dryRun bool) (Result, error) {
	res := Result{Finding: id, Op: OpUndo, DryRun: dryRun, Changes: []Change{}}
	lf, unlock, err := r.begin()
	if err != nil {
		return res, err
	}
	defer unlock()
	keys := r.recordsFor(id, lf)
	var firstErr error
	for _, key := range keys {
		rec := lf.Records[key]
		if dryRun {
			res.Changes = append(res.Changes, rec.Changes...)
			continue
		}
		a, ok := r.Actions.Lookup(rec.Action)
		if !ok {
			return res, &Refused{RefusedUnknownAction, status.M("This netfix has no fix action %s (finding %s); update netfix or fix it by hand.", rec.Action, id)}
		}
		removed, err := a.Undo(rec.Changes)
		ev := Event{Time: r.Now(), Finding: id, Action: rec.Action, Op: OpUndo, Changes: commands(removed, true)}
		if err != nil {
			ev.Error = err.Error()
			if firstErr == nil {
				firstErr = fmt.Errorf("undo %s for %s: %w", rec.Action, id, err)
			}
		} else {
			delete(lf.Records, key)
		}
		lf.Events = append([]Event{ev}, lf.Events...)
		res.Changes = append(res.Changes, removed...)
		res.Changed = res.Changed || len(removed) > 0
	}
	if !dryRun && len(keys) > 0 {
		if err := r.Ledger.save(lf); err != nil {
			return res, errors.Join(firstErr, fmt.Errorf("record undo: %w", err))
		}
	}
	switch {
	case firstErr != nil:
		return res, firstErr
	case len(keys) == 0:
		res.say(status.M("netfix has no applied fix for %s; nothing was changed.", id))
	case dryRun:
		res.say(status.MN(len(res.Changes), "Dry run: undoing the fix for %s would remove %d change.", "Dry run: undoing the fix for %s would remove %d changes.", id, len(res.Changes)))
	case !res.Changed:
		res.say(status.M("What netfix added for %s was already gone; nothing was changed.", id))
	default:
		res.say(status.MN(len(res.Changes), "Undid the fix for %s: removed %d change.", "Undid the fix for %s: removed %d changes.", id, len(res.Changes)))
	}
	return res, nil
}

// recordsFor returns the ledger keys undo of id removes: records applied
// through id, and records of the action and arguments that id's finding
// asks for now (the same fix applied through a sibling finding).
func (r *Runner) recordsFor(id string, lf ledgerFile) []string {
	var keys []string
	seen := map[string]bool{}
	add := func(k string) {
		if _, ok := lf.Records[k]; ok && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for k, rec := range lf.Records {
		if contains(rec.Findings, id) {
			add(k)
		}
	}
	if findings, err := r.Findings(); err == nil {
		for _, f := range findings {
			if f.ID == id && f.FixAction != "" {
				add(Key(f.FixAction, f.FixArgs))
			}
		}
	}
	return sortedStrings(keys)
}

func commands(cs []Change, undo bool) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		if undo {
			out = append(out, c.UndoCommand)
		} else {
			out = append(out, c.Command)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func addOnce(list []string, s string) []string {
	if contains(list, s) {
		return list
	}
	return append(list, s)
}
