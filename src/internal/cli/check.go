package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/netfix/netfix/src/internal/diagnose"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/probe"
	"github.com/netfix/netfix/src/internal/report"
	"github.com/netfix/netfix/src/internal/status"
	"github.com/netfix/netfix/src/internal/version"
)

// Exit codes of `netfix check`.
const (
	ExitHealthy  = 0
	ExitWarning  = 1
	ExitCritical = 2
	ExitFailed   = 3
)

// Check runs one diagnosis: `netfix check [--json] [--root DIR]`.
func Check(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the status document as JSON")
	root := fs.String("root", "", "read UCI and other files below `DIR` instead of / (for tests and offline images)")
	socket := fs.String("socket", ipc.DefaultSocket, "daemon control socket, asked whether the healer runs")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: netfix check [--json] [--root DIR]\n\nDiagnoses flow offloading on this machine.\nExit status: 0 healthy, 1 warnings, 2 critical, 3 the check could not run.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageExit(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "netfix check: unexpected argument %q\n", fs.Arg(0))
		return ExitFailed
	}
	doc, err := Diagnose(*root, *socket, false)
	if err != nil {
		return fail(stdout, stderr, *asJSON, "check", err)
	}
	if *asJSON {
		writeJSON(stdout, doc)
	} else {
		_ = report.Text(stdout, doc)
	}
	return status.ExitCode(doc.Verdict)
}

// Diagnose gathers a snapshot, asks the daemon (if any) for its healer
// state, and runs the rules. expectHealer makes a missing daemon a finding
// even where the init script is not found (the rpcd fallback).
func Diagnose(root, socket string, expectHealer bool) (status.Document, error) {
	s, err := probe.Gather(probe.Options{Root: root})
	if err != nil {
		return status.Document{}, err
	}
	s.HealerExpected = s.HealerExpected || expectHealer
	var heal status.Heal
	var live status.Document
	if err := ipc.Call(socket, ipc.Request{Method: "status"}, &live, 2*time.Second); err == nil {
		heal = live.Heal
	}
	return DiagnoseWith(s, heal), nil
}

// DiagnoseWith runs the rules over s with the given healer state.
func DiagnoseWith(s facts.Snapshot, heal status.Heal) status.Document {
	s.HealerRunning = heal.Running
	s.HealerMode = heal.Mode
	if heal.Config != nil {
		s.HealerConfig = *heal.Config
	}
	return status.Build(version.Version, s, diagnose.Run(s), heal)
}

// fail reports an error that stopped a command: one line on stderr and,
// with --json, an {"error": ...} object so scripts never parse prose.
func fail(stdout, stderr io.Writer, asJSON bool, cmd string, err error) int {
	fmt.Fprintf(stderr, "netfix %s: %v\n", cmd, err)
	if asJSON {
		writeJSON(stdout, map[string]string{"error": err.Error()})
	}
	return ExitFailed
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func usageExit(err error) int {
	if err == flag.ErrHelp {
		return 0
	}
	return ExitFailed
}
