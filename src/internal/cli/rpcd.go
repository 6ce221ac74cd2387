package cli

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/netfix/netfix/src/internal/env"
	"github.com/netfix/netfix/src/internal/fix"
	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/rpcd"
	"github.com/netfix/netfix/src/internal/status"
)

const rpcdUsage = "usage: netfix rpcd [--root DIR] [--socket PATH] [--ledger FILE] list | call <method> < args.json\n(installed as /usr/libexec/rpcd/netfix, which rpcd runs without options; try: ubus call netfix status)"

// Rpcd is the exec plugin: `netfix rpcd list` and
// `netfix rpcd call <method>` (arguments on stdin). It always exits 0:
// rpcd ignores the status and reads only stdout. rpcd passes no options;
// the paths' options are for tests and other callers.
func Rpcd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("rpcd", stderr)
	var paths pathFlags
	paths.rootFlag(fs, "read UCI and the fix ledger below `DIR` instead of / (for tests)")
	paths.socketFlag(fs, "daemon control socket")
	paths.ledgerFlag(fs)
	fs.Usage = func() { fmt.Fprintln(stderr, rpcdUsage); fs.PrintDefaults() }
	if err := fs.parse(args); err != nil {
		return usageExit(err)
	}
	args = fs.args
	switch {
	case len(args) == 1 && args[0] == "list":
		if err := rpcd.List(stdout); err != nil {
			fmt.Fprintf(stderr, "netfix rpcd: %v\n", err)
		}
	case len(args) == 2 && args[0] == "call":
		e, err := paths.runEnv()
		if err != nil {
			fmt.Fprintf(stderr, "netfix rpcd: %v\n", err)
			return ExitFailed
		}
		if err := rpcd.Call(args[1], stdin, stdout, rpcBackend{env: e}); err != nil {
			fmt.Fprintf(stderr, "netfix rpcd: %v\n", err)
		}
	default:
		fmt.Fprintln(stderr, rpcdUsage)
		return ExitFailed
	}
	return 0
}

// rpcBackend asks the daemon and falls back to a one-shot check when it is
// down, so `ubus call netfix status` always answers.
type rpcBackend struct{ env env.Env }

// daemonTimeout is short: rpcd waits on the plugin, and LuCI on rpcd.
const daemonTimeout = 3 * time.Second

func (b rpcBackend) doc(method string) (status.Document, error) {
	var doc status.Document
	err := ipc.Call(b.env.Socket(), ipc.Request{Method: method}, &doc, daemonTimeout)
	if errors.Is(err, ipc.ErrNoDaemon) {
		return Diagnose(b.env, true)
	}
	return doc, err
}

func (b rpcBackend) Status() (status.Document, error) { return b.doc("status") }
func (b rpcBackend) Check() (status.Document, error)  { return b.doc("check") }

func (b rpcBackend) History(limit int) ([]status.Event, uint64, error) {
	var h struct {
		Events []status.Event `json:"events"`
		Total  uint64         `json:"total"`
	}
	err := ipc.Call(b.env.Socket(), ipc.Request{Method: "history", Limit: limit}, &h, daemonTimeout)
	if errors.Is(err, ipc.ErrNoDaemon) {
		return []status.Event{}, 0, nil // no daemon, no history
	}
	return h.Events, h.Total, err
}

func (b rpcBackend) Flush(ip netip.Addr, dryRun bool) (status.Event, error) {
	return FlushHost(b.env, ip, dryRun)
}

// Fix runs in the plugin itself: rpcd runs it as root, and the ledger's
// lock serialises it with the CLI. An apply with rollback needs the
// daemon (ApplyFix).
func (b rpcBackend) Fix(req rpcd.FixRequest) (fix.Result, error) {
	r, err := NewFixRunner(b.env)
	if err != nil {
		return fix.Result{}, err
	}
	switch {
	case req.Confirm:
		return r.Confirm(req.ID)
	case req.Undo:
		return r.Undo(req.ID, req.DryRun)
	default:
		return ApplyFix(r, b.env.Socket(), req.ID, req.DryRun, time.Duration(req.Rollback)*time.Second)
	}
}

// Fixes reads the ledger only.
func (b rpcBackend) Fixes() ([]fix.Record, []fix.Event, error) {
	l := &fix.Ledger{Path: b.env.Ledger()}
	return l.Records()
}
