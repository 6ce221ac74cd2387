// Package sighup subscribes the daemon to SIGHUP as early as a Go program
// can: in its package init, which the init order runs as soon as os/signal
// is ready, before the libraries' and netfix's own packages (about 7 ms of
// a router's start), and long before main parses options and reads the
// configuration.
//
// procd's reload sends SIGHUP right after start (a reload right after a
// start at boot), and until a handler exists SIGHUP's default action kills
// the process. Only the Go runtime's own start-up, before any package
// init, stays uncovered: no Go code runs there.
//
// A SIGHUP that arrives before the daemon is ready waits in the channel's
// buffer, and the daemon handles it as a reload once it runs: its
// configuration may have changed after the daemon read it.
package sighup

import (
	"os"
	"os/signal"
	"syscall"
)

// ch receives SIGHUP from init on, for `netfix daemon` only: other
// commands keep SIGHUP's default action (a closed terminal ends them).
var ch chan os.Signal

func init() {
	if len(os.Args) > 1 && os.Args[1] == "daemon" {
		ch = make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGHUP)
	}
}

// Reloads is the channel that receives SIGHUP since the process started,
// or nil when this process is not the daemon.
func Reloads() <-chan os.Signal { return ch }
