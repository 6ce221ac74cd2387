package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// cmdTimed runs a command and appends "seconds maxrss_kB cpu_seconds" to a
// file, like /usr/bin/time -f '%e %M' but to the microsecond; the CPU is
// the command's user and system time (its rusage). The benchmark starts it
// inside the namespace (ip netns exec nfvm timed -- CMD), so the clock runs
// around CMD's fork, exec and wait only: `ip netns exec` itself (about 4.5 ms
// on the x86 host, mount namespace and /sys remount) is neither side's cost
// and added to both it pulled every ratio towards 1. The exit status is
// CMD's.
func cmdTimed(args []string) error {
	fs := flag.NewFlagSet("timed", flag.ContinueOnError)
	out := fs.String("o", "", "file the figures are appended to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	argv := fs.Args()
	if *out == "" || len(argv) == 0 {
		return errors.New("usage: nfvm timed -o FILE -- COMMAND [ARGS...]")
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	t0 := time.Now()
	err := cmd.Run()
	elapsed := time.Since(t0)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return err // not started
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var maxRSS int64
	var cpu time.Duration
	if ru != nil {
		maxRSS = int64(ru.Maxrss) // kB on Linux
		cpu = time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime))
	}
	f, ferr := os.OpenFile(*out, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if ferr != nil {
		return ferr
	}
	_, werr := fmt.Fprintf(f, "%.6f %d %.6f\n", elapsed.Seconds(), maxRSS, cpu.Seconds())
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return werr
	}
	os.Exit(cmd.ProcessState.ExitCode())
	return nil
}
