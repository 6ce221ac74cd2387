// Command nfvm is the flowtable VM test bed's multi-call helper. It runs
// inside the guest (static, no libc) and does what busybox cannot do well:
// long-lived UDP/TCP flows with per-datagram receive logs, microsecond
// clocks, conntrack dumps, fills and diffs over netlink, a tiny AF_PACKET
// sniffer that prints destination MACs, and JSON queries on `netfix status
// --json` output.
//
// Every subcommand prints machine-readable key=value lines so the guest
// scenario scripts (test/vm/scenarios) can use them with plain `eval` or
// `grep`.
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

type command struct {
	run  func(args []string) error
	help string
}

var commands = map[string]command{
	"now":       {cmdNow, "print the wall clock in unix microseconds"},
	"recv":      {cmdRecv, "receive a flow, log every datagram/message, echo it back"},
	"send":      {cmdSend, "send a flow of small datagrams/messages at a fixed interval"},
	"first":     {cmdFirst, "first logged receive at or after a time (waits for it)"},
	"stats":     {cmdStats, "count and largest gap of a receive log in a window"},
	"sniff":     {cmdSniff, "print destination MACs of frames leaving/entering an interface"},
	"json":      {cmdJSON, "query a JSON file with a dotted path"},
	"events":    {cmdEvents, "print netfix heal events of a status document as key=value lines"},
	"ct-dump":   {cmdCTDump, "dump the conntrack table of this netns, one entry a line"},
	"ct-fill":   {cmdCTFill, "create N conntrack entries over netlink"},
	"ct-diff":   {cmdCTDiff, "compare two ct-dump files"},
	"ct-count":  {cmdCTCount, "count conntrack entries that involve an address"},
	"ct-wait":   {cmdCTWait, "wait until an entry involving an address is offloaded"},
	"flows":     {cmdFlows, "keep N UDP flows alive with a round of datagrams every few seconds"},
	"procstat":  {cmdProcStat, "RSS and CPU ticks of a process"},
	"pct":       {cmdPct, "percentiles of numbers read from stdin"},
	"wait-file": {cmdWaitFile, "wait until a file contains a string"},
	"tcp-open":  {cmdTCPOpen, "open many TCP connections, say one line on each, optionally hold them"},
	"stamp":     {cmdStamp, "copy stdin to stdout, each line prefixed with unix microseconds"},
	"timed":     {cmdTimed, "run a command, append its wall seconds, peak RSS (kB) and CPU seconds to a file"},
	"neigh-lat": {cmdNeighLat, "change a neighbour's MAC and time the daemon's log line about it"},
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" {
		usage()
		os.Exit(2)
	}
	c, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "nfvm: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if err := c.run(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "nfvm %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("usage: nfvm COMMAND [flags]\n\ncommands:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  %-10s %s\n", n, commands[n].help)
	}
	fmt.Fprint(os.Stderr, b.String())
}
