// Command netfix finds and repairs the kernel fast-path faults that make
// Linux routers silently blackhole traffic. See README.md.
package main

import (
	"fmt"
	"os"

	"github.com/netfix/netfix/src/internal/cli"
	"github.com/netfix/netfix/src/internal/version"
)

const usage = `usage: netfix <command> [options]

commands:
  check     diagnose this machine once and print the findings (--json for the document)
  daemon    watch neighbours and bridge ports and repair stale offloaded flows (run by procd)
  status    print the running daemon's status document (--json)
  flush     delete the offloaded conntrack entries of one host now
  metrics   print the metrics in Prometheus's text format (the daemon's, else a one-shot check's)
  fix       list, apply or undo the automatic fix a finding offers (root, on request only)
  rpcd      rpcd exec plugin protocol: netfix rpcd list | netfix rpcd call <method>
  version   print the version

Run 'netfix <command> -h' for a command's options.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(cli.ExitFailed)
	}
	cmd, args := os.Args[1], os.Args[2:]
	var code int
	switch cmd {
	case "check":
		code = cli.Check(args, os.Stdout, os.Stderr)
	case "daemon":
		code = cli.Daemon(args, os.Stdout, os.Stderr)
	case "status":
		code = cli.Status(args, os.Stdout, os.Stderr)
	case "flush":
		code = cli.Flush(args, os.Stdout, os.Stderr)
	case "fix":
		code = cli.Fix(args, os.Stdout, os.Stderr)
	case "metrics":
		code = cli.Metrics(args, os.Stdout, os.Stderr)
	case "rpcd":
		code = cli.Rpcd(args, os.Stdin, os.Stdout, os.Stderr)
	case "version", "--version", "-v":
		fmt.Println("netfix", version.Version)
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "netfix: unknown command %q\n\n%s", cmd, usage)
		code = cli.ExitFailed
	}
	os.Exit(code)
}
