package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/netfix/netfix/src/internal/env"
	"github.com/netfix/netfix/src/internal/fix"
	"github.com/netfix/netfix/src/internal/status"
)

const fixUsage = `usage: netfix fix list [--json]
       netfix fix apply <finding-id> [--dry-run] [--json]
       netfix fix undo <finding-id> [--dry-run] [--json]

Applies or undoes the automatic fix a finding offers (see 'netfix check').
Only root, only on request: the daemon never applies a fix by itself.
Applying twice changes nothing; undo removes exactly what apply added.
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
	case "apply", "undo":
		if id == "" {
			fmt.Fprintf(stderr, "netfix fix %s: which finding? (ids are in 'netfix fix list')\n", sub)
			return ExitFailed
		}
		res, err := RunFix(r, id, sub == "undo", *dry)
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
