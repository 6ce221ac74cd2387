package daemon

import (
	"os"
	"runtime"
)

// oneProcessor runs the daemon's goroutines on one processor
// (GOMAXPROCS=1) unless GOMAXPROCS is set in its environment. Nothing in
// the daemon computes in parallel: its goroutines wait on netlink sockets,
// the control socket and timers. With a processor per core, every garbage
// collection also ran mark workers on the idle ones and woke their
// threads: on the 2-vCPU test VM a collection of the idle daemon's heap
// cost 16-26 ms of CPU with two (gctrace), 4-6 ms with one. A router's
// MT7621 counts four.
func oneProcessor() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
}
