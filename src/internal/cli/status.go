package cli

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/netfix/netfix/src/internal/env"
	"github.com/netfix/netfix/src/internal/flows"
	"github.com/netfix/netfix/src/internal/hostaddr"
	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/report"
	"github.com/netfix/netfix/src/internal/status"
)

// Status prints the running daemon's document: `netfix status [--json]`.
func Status(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("status", stderr)
	asJSON := fs.Bool("json", false, "print the status document as JSON")
	var paths pathFlags
	paths.socketFlag(fs, "daemon control socket")
	if err := fs.parse(args); err != nil {
		return usageExit(err)
	}
	e, err := paths.runEnv()
	if err != nil {
		return fail(stdout, stderr, *asJSON, "status", err)
	}
	var doc status.Document
	if err := ipc.Call(e.Socket(), ipc.Request{Method: "status"}, &doc, 5*time.Second); err != nil {
		if errors.Is(err, ipc.ErrNoDaemon) {
			err = fmt.Errorf("%w; `netfix check` diagnoses without it", err)
		}
		return fail(stdout, stderr, *asJSON, "status", err)
	}
	out := &output{w: stdout}
	if *asJSON {
		out.json(doc)
	} else {
		out.text(doc)
	}
	return out.done(stderr, "status", status.ExitCode(doc.Verdict))
}

// Flush deletes one host's offloaded entries now, through the daemon:
// `netfix flush --ip ADDR [--dry-run]`.
func Flush(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("flush", stderr)
	ipStr := fs.String("ip", "", "the host's IPv4 or IPv6 `address`")
	dry := fs.Bool("dry-run", false, "only count what would be deleted")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	var paths pathFlags
	paths.socketFlag(fs, "daemon control socket")
	if err := fs.parse(args); err != nil {
		return usageExit(err)
	}
	e, err := paths.runEnv()
	if err != nil {
		return fail(stdout, stderr, *asJSON, "flush", err)
	}
	ip, err := hostaddr.Parse(*ipStr)
	if err != nil {
		return fail(stdout, stderr, *asJSON, "flush", fmt.Errorf("--ip: %w", err))
	}
	ev, err := FlushHost(e, ip, *dry)
	if err != nil {
		return fail(stdout, stderr, *asJSON, "flush", err)
	}
	out := &output{w: stdout}
	if *asJSON {
		out.json(ev)
	} else {
		fmt.Fprintln(out, report.EventLine(ev))
	}
	return out.done(stderr, "flush", 0)
}

// FlushHost deletes ip's offloaded entries through the daemon (so the
// repair lands in its history), or directly when no daemon runs.
func FlushHost(e env.Env, ip netip.Addr, dryRun bool) (status.Event, error) {
	var ev status.Event
	err := ipc.Call(e.Socket(), ipc.Request{Method: "flush", IP: ip.String(), DryRun: dryRun}, &ev, 10*time.Second)
	if !errors.Is(err, ipc.ErrNoDaemon) {
		return ev, err
	}
	t, err := flows.Open()
	if err != nil {
		return ev, err
	}
	defer t.Close()
	return t.Flush(ip, dryRun)
}
