package cli

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/netfix/netfix/src/internal/fix"
	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/rpcd"
	"github.com/netfix/netfix/src/internal/status"
)

// Rpcd is the exec plugin: `netfix rpcd list` and
// `netfix rpcd call <method>` (arguments on stdin). It always exits 0:
// rpcd ignores the status and reads only stdout.
func Rpcd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 1 && args[0] == "list":
		if err := rpcd.List(stdout); err != nil {
			fmt.Fprintf(stderr, "netfix rpcd: %v\n", err)
		}
	case len(args) == 2 && args[0] == "call":
		be := rpcBackend{socket: socketFromEnv()}
		if err := rpcd.Call(args[1], stdin, stdout, be); err != nil {
			fmt.Fprintf(stderr, "netfix rpcd: %v\n", err)
		}
	default:
		fmt.Fprintln(stderr, "usage: netfix rpcd list | netfix rpcd call <method> < args.json\n(installed as /usr/libexec/rpcd/netfix; try: ubus call netfix status)")
		return ExitFailed
	}
	return 0
}

// rpcBackend asks the daemon and falls back to a one-shot check when it is
// down, so `ubus call netfix status` always answers.
type rpcBackend struct{ socket string }

// daemonTimeout is short: rpcd waits on the plugin, and LuCI on rpcd.
const daemonTimeout = 3 * time.Second

func (b rpcBackend) doc(method string) (status.Document, error) {
	var doc status.Document
	err := ipc.Call(b.socket, ipc.Request{Method: method}, &doc, daemonTimeout)
	if errors.Is(err, ipc.ErrNoDaemon) {
		return Diagnose("", b.socket, true)
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
	err := ipc.Call(b.socket, ipc.Request{Method: "history", Limit: limit}, &h, daemonTimeout)
	if errors.Is(err, ipc.ErrNoDaemon) {
		return []status.Event{}, 0, nil // no daemon, no history
	}
	return h.Events, h.Total, err
}

func (b rpcBackend) Flush(ip netip.Addr, dryRun bool) (status.Event, error) {
	return FlushHost(b.socket, ip, dryRun)
}

// Fix runs in the plugin itself: rpcd runs it as root, and the ledger's
// lock serialises it with the CLI. An apply with rollback needs the
// daemon (ApplyFix).
func (b rpcBackend) Fix(req rpcd.FixRequest) (fix.Result, error) {
	r, err := NewFixRunner("", b.socket)
	if err != nil {
		return fix.Result{}, err
	}
	switch {
	case req.Confirm:
		return r.Confirm(req.ID)
	case req.Undo:
		return r.Undo(req.ID, req.DryRun)
	default:
		return ApplyFix(r, b.socket, req.ID, req.DryRun, time.Duration(req.Rollback)*time.Second)
	}
}

// Fixes reads the ledger only.
func (b rpcBackend) Fixes() ([]fix.Record, []fix.Event, error) {
	l := &fix.Ledger{Path: fix.LedgerPath("/")}
	return l.Records()
}
