// Command netfixbench is netfix's check, flush, daemon and status with the
// offload filter selecting every conntrack entry (ct.BenchmarkEveryEntry):
// the worst case of a router, where fw4 offloads every flow, measured on a
// kernel without a flowtable (test/bench/conntrack.sh, make bench).
//
// BENCHMARK ONLY. Its flush deletes every entry of the host it names,
// offloaded or not: run it in a throwaway namespace. It is never packaged,
// and netfix itself has no way to widen its filter. It links exactly what
// netfix links, so its start-up costs what netfix's does.
package main

import (
	"fmt"
	"os"

	"github.com/netfix/netfix/src/internal/cli"
	"github.com/netfix/netfix/src/internal/probe/ct"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: netfixbench check|flush|daemon|status [options] (netfix's command; every conntrack entry counts as offloaded)")
		os.Exit(cli.ExitFailed)
	}
	ct.BenchmarkEveryEntry()
	cmd, args := os.Args[1], os.Args[2:]
	var code int
	switch cmd {
	case "check":
		code = cli.Check(args, os.Stdout, os.Stderr)
	case "flush":
		code = cli.Flush(args, os.Stdout, os.Stderr)
	case "daemon":
		code = cli.Daemon(args, os.Stdout, os.Stderr)
	case "status":
		code = cli.Status(args, os.Stdout, os.Stderr)
	default:
		fmt.Fprintf(os.Stderr, "netfixbench: unknown command %q (check, flush, daemon or status)\n", cmd)
		code = cli.ExitFailed
	}
	os.Exit(code)
}
