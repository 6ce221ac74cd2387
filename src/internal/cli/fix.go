package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/netfix/netfix/src/internal/env"
	"github.com/netfix/netfix/src/internal/fix"
	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/status"
)

const fixUsage = `usage: netfix fix list [--json]
       netfix fix apply <finding-id> [--rollback 90s] [--dry-run] [--json]
       netfix fix confirm <finding-id> [--json]
       netfix fix undo <finding-id> [--dry-run] [--json]

Applies or undoes the automatic fix a finding offers (see 'netfix check').
Only root, only on request: the daemon never applies a fix by itself.
Applying twice changes nothing; undo removes exactly what apply added.

With --rollback, the fix is undone by netfix itself unless 'netfix fix
confirm' keeps it within that time (10s to 1h), as LuCI's own apply does.
The daemon keeps that promise (also across its restart), so an apply with
rollback is refused when the daemon is not running.
`

// Fix is `netfix fix list|apply|undo`.
func Fix(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, fixUsage)
		return ExitFailed
	}
	sub, rest := args[0], args[1:]
	fs := newFlagSet("fix "+sub, stderr)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	dry := fs.Bool("dry-run", false, "only say what would change")
	rollback := fs.Duration("rollback", 0, "undo the fix by itself after `TIME` (e.g. 90s) unless 'netfix fix confirm' keeps it")
	var paths pathFlags
	paths.rootFlag(fs, "read UCI and the fix ledger below `DIR` instead of / (for tests)")
	paths.socketFlag(fs, "daemon control socket, asked for the healer's state")
	paths.ledgerFlag(fs)
	fs.Usage = func() { fmt.Fprint(stderr, fixUsage); fs.PrintDefaults() }
	// The finding id may come before or after the flags.
	var id string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		id, rest = rest[0], rest[1:]
	}
	if err := fs.parse(rest); err != nil {
		return usageExit(err)
	}
	if id == "" && fs.NArg() > 0 {
		id = fs.Arg(0)
	} else if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "netfix fix %s: unexpected argument %q\n", sub, fs.Arg(0))
		return ExitFailed
	}
	if *rollback != 0 && sub != "apply" {
		fmt.Fprintf(stderr, "netfix fix %s: --rollback is an option of apply\n", sub)
		return ExitFailed
	}
	e, err := paths.runEnv()
	if err != nil {
		return fail(stdout, stderr, *asJSON, "fix", err)
	}
	r, err := NewFixRunner(e)
	if err != nil {
		return fail(stdout, stderr, *asJSON, "fix", err)
	}
	switch sub {
	case "list":
		l, err := r.List()
		if err != nil {
			return fail(stdout, stderr, *asJSON, "fix list", err)
		}
		out := &output{w: stdout}
		if *asJSON {
			out.json(l)
		} else {
			writeListing(out, l)
		}
		return out.done(stderr, "fix list", 0)
	case "apply", "undo", "confirm":
		if id == "" {
			fmt.Fprintf(stderr, "netfix fix %s: which finding? (ids are in 'netfix fix list')\n", sub)
			return ExitFailed
		}
		var res fix.Result
		switch sub {
		case "confirm":
			res, err = r.Confirm(id)
		case "apply":
			res, err = ApplyFix(r, e.Socket(), id, *dry, *rollback)
		default:
			res, err = RunFix(r, id, true, *dry)
		}
		if err != nil {
			return fail(stdout, stderr, *asJSON, "fix "+sub, err)
		}
		out := &output{w: stdout}
		if *asJSON {
			out.json(res)
		} else {
			writeResult(out, res)
		}
		return out.done(stderr, "fix "+sub, 0)
	default:
		fmt.Fprintf(stderr, "netfix fix: unknown subcommand %q\n\n%s", sub, fixUsage)
		return ExitFailed
	}
}

// RunFix applies or undoes the fix of finding id.
func RunFix(r *fix.Runner, id string, undo, dryRun bool) (fix.Result, error) {
	if undo {
		return r.Undo(id, dryRun)
	}
	return r.Apply(id, dryRun)
}

// ApplyFix applies the fix of finding id, with a rollback deadline when
// rollback is not 0. The daemon is what undoes an unconfirmed apply, so
// with rollback it must answer before the change is made, and it is told
// the new deadline after; if it stopped answering in between, the change
// is undone at once rather than left without its safety net.
func ApplyFix(r *fix.Runner, socket, id string, dryRun bool, rollback time.Duration) (fix.Result, error) {
	if rollback == 0 || dryRun {
		return r.Apply(id, dryRun)
	}
	if err := fix.CheckRollback(rollback); err != nil {
		return fix.Result{Finding: id, Op: fix.OpApply, Changes: []fix.Change{}}, err
	}
	var ack struct {
		Watching bool `json:"watching"`
	}
	if err := ipc.Call(socket, ipc.Request{Method: "fix_watch"}, &ack, daemonTimeout); err != nil || !ack.Watching {
		if err == nil || errors.Is(err, ipc.ErrNoDaemon) {
			return fix.Result{Finding: id, Op: fix.OpApply, Changes: []fix.Change{}}, fix.NoDaemon()
		}
		return fix.Result{Finding: id, Op: fix.OpApply, Changes: []fix.Change{}}, fmt.Errorf("ask the daemon to watch the rollback: %w", err)
	}
	res, err := r.ApplyRollback(id, false, rollback)
	if err != nil || res.ConfirmBy == nil {
		return res, err
	}
	if err := ipc.Call(socket, ipc.Request{Method: "fix_watch"}, &ack, daemonTimeout); err != nil {
		if _, uerr := r.Undo(id, false); uerr != nil {
			return res, fmt.Errorf("the daemon stopped answering after the fix for %s was applied (%v), and undoing it failed: %w; run netfix fix undo %s", id, err, uerr, id)
		}
		return res, fmt.Errorf("the daemon stopped answering after the fix for %s was applied (%v), so nothing would undo it in time: netfix undid it; start the daemon and apply again", id, err)
	}
	return res, nil
}

// NewFixRunner wires the runner to the run's environment: the findings of
// a fresh diagnosis, the ledger file, and the caller's uid.
func NewFixRunner(e env.Env) (*fix.Runner, error) {
	actions, err := fix.Actions(e)
	if err != nil {
		return nil, err
	}
	return &fix.Runner{
		Actions: actions,
		Ledger:  &fix.Ledger{Path: e.Ledger()},
		Findings: func() ([]status.Finding, error) {
			doc, err := Diagnose(e, false)
			return doc.Findings, err
		},
		IsRoot: func() bool { return os.Geteuid() == 0 },
		Now:    time.Now,
	}, nil
}

func writeResult(w io.Writer, res fix.Result) {
	fmt.Fprintln(w, res.Message)
	verb := "+"
	if res.Op == fix.OpUndo {
		verb = "-"
	}
	for _, c := range res.Changes {
		cmd := c.Command
		if res.Op == fix.OpUndo {
			cmd = c.UndoCommand
		}
		fmt.Fprintf(w, "  %s %s\n      %s\n", verb, c.Object, cmd)
	}
}

func writeListing(w io.Writer, l fix.Listing) {
	if len(l.Offers) == 0 {
		fmt.Fprintln(w, "No finding offers a fix now.")
	}
	for _, o := range l.Offers {
		kind := "manual"
		switch {
		case o.Applied:
			kind = "applied (" + o.Action + ")"
		case o.Action != "":
			kind = "automatic (" + o.Action + ")"
		}
		fmt.Fprintf(w, "%-28s %-9s %s\n    %s\n    fix: %s\n", o.Finding, o.Severity, kind, o.Title, o.Fix)
	}
	if len(l.Applied) > 0 {
		fmt.Fprintln(w, "\nApplied by netfix:")
	}
	for _, rec := range l.Applied {
		fmt.Fprintf(w, "  %s for %s since %s\n", rec.Action, strings.Join(rec.Findings, ", "), rec.Applied.Format(time.RFC3339))
		if rec.ConfirmBy != nil && len(rec.Findings) > 0 {
			fmt.Fprintf(w, "    not confirmed: netfix undoes it at %s unless 'netfix fix confirm %s' keeps it\n", rec.ConfirmBy.Format(time.RFC3339), rec.Findings[0])
		}
		for _, c := range rec.Changes {
			fmt.Fprintf(w, "    %s\n      undo: %s\n", c.Object, c.UndoCommand)
		}
	}
	if len(l.Events) > 0 {
		fmt.Fprintln(w, "\nRecent fix events:")
	}
	for _, e := range l.Events {
		line := fmt.Sprintf("  %s %s %s (%s): %d change(s)", e.Time.Format(time.RFC3339), e.Op, e.Finding, e.Action, len(e.Changes))
		if e.Error != "" {
			line += ": error: " + e.Error
		}
		fmt.Fprintln(w, line)
	}
}
