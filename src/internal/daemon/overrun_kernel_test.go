//go:build kernel

package daemon_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// netlinkUse is what the kernel holds for one process's netlink sockets:
// how many, and the bytes queued in their receive buffers.
type netlinkUse struct {
	sockets int
	rmem    int
}

// netlinkOf reads /proc/<pid>/fd for socket inodes and matches them with
// /proc/<pid>/net/netlink (the table of the process's own namespace).
func netlinkOf(t *testing.T, pid int) netlinkUse {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatalf("list the daemon's file descriptors: %v", err)
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		l, err := os.Readlink(filepath.Join(fmt.Sprintf("/proc/%d/fd", pid), fd.Name()))
		if err == nil && strings.HasPrefix(l, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	table, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/netlink", pid))
	if err != nil {
		t.Fatalf("read the daemon's /proc/net/netlink: %v", err)
	}
	// sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
	var u netlinkUse
	for _, line := range strings.Split(string(table), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 10 || !inodes[f[9]] {
			continue
		}
		u.sockets++
		rmem, _ := strconv.Atoi(f[4])
		u.rmem += rmem
	}
	return u
}

// An overrun (ENOBUFS) ends the neighbour subscription. The daemon must
// close the dead socket before it subscribes again: each overrun used to
// leave one more socket joined to the group with its receive buffer full.
// The storm runs while the daemon is stopped (SIGSTOP), so its buffer
// overflows for certain.
func TestOverrunLeaksNoSocket(t *testing.T) {
	r := newRig(t)
	r.neigh("192.168.1.240", macA, "reachable")
	r.start()
	pid := r.cmd.Process.Pid
	before := netlinkOf(t, pid)
	t.Logf("before the storms: %d netlink sockets, %d bytes queued", before.sockets, before.rmem)

	// 100k state changes of 200 neighbours (the table stays small, the
	// notifications do not).
	var batch strings.Builder
	for i := 0; i < 100_000; i++ {
		nud := "reachable"
		if (i/200)%2 == 1 {
			nud = "stale"
		}
		fmt.Fprintf(&batch, "neigh replace 192.168.1.%d lladdr 02:00:00:01:00:%02x dev br-lan nud %s\n", 2+i%200, i%200, nud)
	}
	batchFile := filepath.Join(r.dir, "storm.batch")
	if err := os.WriteFile(batchFile, []byte(batch.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	const storms = 5
	for i := 0; i < storms; i++ {
		if err := r.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		r.ns.Run("ip", "-batch", batchFile)
		if err := r.cmd.Process.Signal(syscall.SIGCONT); err != nil {
			t.Fatal(err)
		}
		waitCount(t, r, "neighbour subscription lost", i+1)
	}

	// The socket count and queued bytes come back to where they were
	// (a sweep may hold a probe socket for a moment, hence the wait).
	var after netlinkUse
	deadline := time.Now().Add(10 * time.Second)
	for {
		after = netlinkOf(t, pid)
		if after.sockets <= before.sockets && after.rmem <= before.rmem || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("after %d overruns: %d netlink sockets, %d bytes queued", storms, after.sockets, after.rmem)
	if after.sockets > before.sockets || after.rmem > before.rmem {
		t.Errorf("after %d overruns the daemon holds %d netlink sockets with %d bytes queued; before: %d with %d",
			storms, after.sockets, after.rmem, before.sockets, before.rmem)
	}

	// The new subscription works: a MAC change right after is seen.
	r.neigh("192.168.1.240", macB, "reachable")
	r.waitLog("192.168.1.240 on br-lan changed MAC " + macA + " -> " + macB)
}

// waitCount waits until the daemon has logged sub n times.
func waitCount(t *testing.T, r *rig, sub string, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Count(r.log.String(), sub) >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("daemon logged %q %d times, want %d (did the storm overrun its buffer?):\n%.4000s",
		sub, strings.Count(r.log.String(), sub), n, r.log.String())
}
