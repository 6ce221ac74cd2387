package cli

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/netfix/netfix/src/internal/assess"
	"github.com/netfix/netfix/src/internal/env"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/probe"
	"github.com/netfix/netfix/src/internal/report"
	"github.com/netfix/netfix/src/internal/smalljson"
	"github.com/netfix/netfix/src/internal/status"
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
	fs := newFlagSet("check", stderr)
	asJSON := fs.Bool("json", false, "print the status document as JSON")
	var paths pathFlags
	paths.rootFlag(fs, "read UCI and other files below `DIR` instead of / (for tests and offline images)")
	paths.socketFlag(fs, "daemon control socket, asked whether the healer runs")
	sample := fs.Duration("sample", DefaultSample, "where a bridge layout can track connections twice, read conntrack's counters twice this far apart (0: don't)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: netfix check [--json] [--root DIR]\n\nDiagnoses flow offloading on this machine.\nExit status: 0 healthy, 1 warnings, 2 critical, 3 the check could not run.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.parse(args); err != nil {
		return usageExit(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "netfix check: unexpected argument %q\n", fs.Arg(0))
		return ExitFailed
	}
	e, err := paths.runEnv()
	if err != nil {
		return fail(stdout, stderr, *asJSON, "check", err)
	}
	doc, err := DiagnoseSampled(e, false, *sample)
	if err != nil {
		return fail(stdout, stderr, *asJSON, "check", err)
	}
	out := &output{w: stdout}
	if *asJSON {
		out.json(doc)
	} else {
		out.text(doc)
	}
	return out.done(stderr, "check", status.ExitCode(doc.Verdict))
}

// Diagnose gathers a snapshot, asks the daemon (if any) for its healer
// state, and runs the rules. expectHealer makes a missing daemon a finding
// even where the init script is not found (the rpcd fallback).
func Diagnose(e env.Env, expectHealer bool) (status.Document, error) {
	return DiagnoseSampled(e, expectHealer, 0)
}

// DefaultSample is how far apart `netfix check` reads conntrack's counters
// on hosts whose bridge layout can track a connection twice: long enough
// to see a client retry.
const DefaultSample = 3 * time.Second

// DiagnoseSampled is Diagnose that also samples conntrack's counters
// (see probe.Options.SampleInterval). Only `netfix check` waits for it:
// LuCI polls and fix requests must answer at once.
//
// The document is the check's own: its probe's facts, and from the daemon
// only its healer state (the "healer" method, assess.Healer), never the
// daemon's document.
func DiagnoseSampled(e env.Env, expectHealer bool, sample time.Duration) (status.Document, error) {
	s, err := gatherCheck(probe.Options{Env: e, ForwardingSample: ForwardingSample, SampleInterval: sample})
	if err != nil {
		return status.Document{}, err
	}
	s.HealerExpected = s.HealerExpected || expectHealer
	h, silence := AskHealer(e.Socket(), HealerWait)
	if h != nil && h.Starting && expectHealer {
		// The daemon opened its socket while this check probed and has
		// not probed yet itself. The rpcd plugin's fallback answers with
		// the daemon's own document, as a status read that reached the
		// daemon at once does: it claims nothing (verdict unknown).
		// `netfix check` keeps its own findings with the healer's state
		// (assess.Check).
		return assess.Starting(*h, time.Now().UTC()), nil
	}
	return assess.Check(s, h, silence), nil
}

// HealerWait is how long a check waits for the daemon's healer state.
const HealerWait = 2 * time.Second

// AskHealer asks the daemon at socket for its healer state, waiting at
// most wait. It returns the state when the daemon answered; nothing when
// no daemon runs (ipc.ErrNoDaemon: no socket, or nobody listens on it);
// and the silence when something holds the socket but gave no usable
// answer: a timeout, a reply that cannot be read, an error reply, a
// refused permission. That daemon is not "not running": the document says
// it did not answer, with the error.
func AskHealer(socket string, wait time.Duration) (*assess.Healer, *facts.HealerSilence) {
	var h assess.Healer
	err := ipc.Call(socket, ipc.Request{Method: "healer"}, &h, wait)
	switch {
	case errors.Is(err, ipc.ErrNoDaemon):
		return nil, nil
	case err == nil && !h.Heal.Running:
		err = errors.New("its answer holds no healer state (a daemon always says it runs)")
	case err == nil:
		return &h, nil
	}
	return nil, &facts.HealerSilence{Socket: socket, WaitS: int((wait + time.Second - 1) / time.Second), Error: err.Error()}
}

// ForwardingSample is how long a one-shot check waits to see whether the
// forwarding drop counters grow, when some interface has forwarding off.
const ForwardingSample = 2 * time.Second

// fail reports an error that stopped a command: one line on stderr and,
// with --json, an {"error": ...} object so scripts never parse prose.
func fail(stdout, stderr io.Writer, asJSON bool, cmd string, err error) int {
	fmt.Fprintf(stderr, "netfix %s: %v\n", cmd, err)
	if asJSON {
		// Exit 3 already says it failed; a write error here adds nothing.
		(&output{w: stdout}).json(map[string]string{"error": err.Error()})
	}
	return ExitFailed
}

// output is a command's standard output that keeps the first error of
// encoding or writing the result: a full disk, a closed stdout or a value
// the encoder refuses must fail the command, never exit 0 having printed
// nothing (a script reading `check --json` would take that as healthy).
type output struct {
	w   io.Writer
	err error
}

func (o *output) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		o.err = err
	}
	return n, err
}

// json writes v as indented JSON.
func (o *output) json(v any) {
	enc := smalljson.NewEncoder(o)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil && o.err == nil {
		o.err = fmt.Errorf("encode the result as JSON: %w", err)
	}
}

// text writes doc as the human report.
func (o *output) text(doc status.Document) {
	if err := report.Text(o, doc); err != nil && o.err == nil {
		o.err = err
	}
}

// done returns code when the whole result was written, else ExitFailed
// with one line on stderr saying so.
func (o *output) done(stderr io.Writer, cmd string, code int) int {
	if o.err == nil {
		return code
	}
	next := "run it again"
	if cmd == "fix apply" || cmd == "fix undo" {
		next = "the command itself ran: `netfix fix list` shows what is applied now"
	}
	fmt.Fprintf(stderr, "netfix %s: could not print the result: %v (standard output is full or closed; "+
		"free space where it is redirected to, or keep the pipe's reader open); %s\n", cmd, o.err, next)
	return ExitFailed
}

func usageExit(err error) int {
	if err == errHelp {
		return 0
	}
	return ExitFailed
}
