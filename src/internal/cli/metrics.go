package cli

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/netfix/netfix/src/internal/assess"
	"github.com/netfix/netfix/src/internal/env"
	"github.com/netfix/netfix/src/internal/fix"
	"github.com/netfix/netfix/src/internal/heal"
	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/metrics"
	"github.com/netfix/netfix/src/internal/probe"
	"github.com/netfix/netfix/src/internal/status"
	"github.com/netfix/netfix/src/internal/version"
)

// Metrics prints the Prometheus exposition: the running daemon's, with
// its counters, or a one-shot check's (gauges only) when no daemon runs:
// `netfix metrics [--socket PATH] [--root DIR]`.
func Metrics(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("metrics", stderr)
	var paths pathFlags
	paths.socketFlag(fs, "daemon control socket")
	paths.rootFlag(fs, "without a daemon: read UCI and other files below `DIR` instead of /")
	paths.ledgerFlag(fs)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: netfix metrics [--socket PATH]\n\nPrints netfix's metrics in Prometheus's text format: the running daemon's,\nelse those of a one-shot check (no counters). See docs/metrics.md.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.parse(args); err != nil {
		return usageExit(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "netfix metrics: unexpected argument %q\n", fs.Arg(0))
		return ExitFailed
	}
	e, err := paths.runEnv()
	if err != nil {
		fmt.Fprintf(stderr, "netfix metrics: %v\n", err)
		return ExitFailed
	}
	var text string
	err = ipc.Call(e.Socket(), ipc.Request{Method: "metrics"}, &text, 5*time.Second)
	if errors.Is(err, ipc.ErrNoDaemon) {
		text, err = oneShotMetrics(e)
	}
	if err != nil {
		fmt.Fprintf(stderr, "netfix metrics: %v\n", err)
		return ExitFailed
	}
	fmt.Fprint(stdout, text)
	return 0
}

func oneShotMetrics(e env.Env) (string, error) {
	// No daemon answered: a one-shot probe, assessed as `netfix check`
	// does. The stale-prone links come from the facts, as the daemon's
	// do (the document's flowtables are its capped wire copy).
	s, err := probe.Gather(probe.Options{Env: e, ForwardingSample: ForwardingSample})
	if err != nil {
		return "", err
	}
	in := metrics.Input{
		Doc: assess.Document(s, status.Heal{}), Version: version.Version, GoVersion: runtime.Version(),
		StaleProneLinks: len(heal.ProneLinks(s.Offload)), Now: time.Now(),
	}
	ledger := e.Ledger()
	if recs, _, err := (&fix.Ledger{Path: ledger}).Records(); err == nil {
		for _, r := range recs {
			for _, f := range r.Findings {
				in.Fixes = append(in.Fixes, metrics.Fix{Action: r.Action, Finding: f})
			}
		}
	}
	return string(metrics.Render(in)), nil
}
