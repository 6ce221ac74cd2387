// Package daemon is netfix's long-running side: it watches neighbour and
// bridge FDB changes over rtnetlink, asks package heal which offloaded
// conntrack entries they made stale, deletes exactly those, keeps the live
// status document, and serves it on the control socket.
//
// One concern per file: daemon_linux.go wires the parts and runs the main
// loop; lock_linux.go keeps one daemon per socket; config_linux.go loads
// the configuration; watch_linux.go holds the netlink subscription and
// the streamed resync; repair_linux.go decides and deletes (through a
// flows.FlowTable, so tests use flows.Fake); sweep_linux.go is the
// periodic probe; serve_linux.go answers the control socket; memlimit.go
// is the runtime's last memory safety net.
package daemon
