package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/netfix/netfix/src/internal/fix"
	"github.com/netfix/netfix/src/internal/heal"
	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/metrics"
	"github.com/netfix/netfix/src/internal/version"
)

// Metrics prints the Prometheus exposition: the running daemon's, with
// its counters, or a one-shot check's (gauges only) when no daemon runs:
// `netfix metrics [--socket PATH] [--root DIR]`.
func Metrics(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("metrics", stderr)
	socket := fs.String("socket", ipc.DefaultSocket, "daemon control socket")
	root := fs.String("root", "", "without a daemon: read UCI and other files below `DIR` instead of /")
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
	var text string
	err := ipc.Call(*socket, ipc.Request{Method: "metrics"}, &text, 5*time.Second)
	if errors.Is(err, ipc.ErrNoDaemon) {
		text, err = oneShotMetrics(*root, *socket)
	}
	if err != nil {
		fmt.Fprintf(stderr, "netfix metrics: %v\n", err)
		return ExitFailed
	}
	fmt.Fprint(stdout, text)
	return 0
}

func oneShotMetrics(root, socket string) (string, error) {
	doc, err := Diagnose(root, socket, false)
	if err != nil {
		return "", err
	}
	in := metrics.Input{
		Doc: doc, Version: version.Version, GoVersion: runtime.Version(),
		StaleProneLinks: len(heal.ProneLinks(doc.Offload)), Now: time.Now(),
	}
	ledger := os.Getenv("NETFIX_FIX_LEDGER")
	if ledger == "" {
		r := root
		if r == "" {
			r = "/"
		}
		ledger = fix.DefaultLedgerPath(r)
	}
	if recs, _, err := (&fix.Ledger{Path: ledger}).Records(); err == nil {
		for _, r := range recs {
			for _, f := range r.Findings {
				in.Fixes = append(in.Fixes, metrics.Fix{Action: r.Action, Finding: f})
			}
		}
	}
	return string(metrics.Render(in)), nil
}
