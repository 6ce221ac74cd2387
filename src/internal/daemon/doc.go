// Package daemon is netfix's long-running side: it watches neighbour and
// bridge FDB changes over rtnetlink, asks package heal which offloaded
// conntrack entries they made stale, deletes exactly those, keeps the live
// status document, and serves it on the control socket.
//
// The daemon is a few goroutines, each owning its state, under one
// errgroup (run_linux.go): the events loop (events_linux.go) owns the
// tracker, the limiter and the delete path, and never waits for a probe;
// the prober (prober_linux.go, probe_linux.go, pulse_linux.go,
// conntrack_linux.go) alone reads the kernel for findings and publishes
// immutable snapshots; the server (serve_linux.go) answers the control
// socket from what they published; the forwarding, fix and mirror
// watchers (forwarding_linux.go, fixwatch_linux.go, mirror_linux.go)
// each watch one thing. Besides: lock_linux.go keeps one daemon per
// socket; config_linux.go loads the configuration; watch_linux.go holds
// the netlink subscription and the streamed resync; repair_linux.go
// decides and deletes (through a flows.FlowTable, so tests use
// flows.Fake); ruleset_linux.go decides when the flowtable layout must be
// read afresh; memlimit.go is the runtime's last memory safety net.
// docs/design.md has the goroutine map.
package daemon
