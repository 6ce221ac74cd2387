//go:build kernel

package daemon_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/netnstest"
	"github.com/netfix/netfix/src/internal/status"
)

// launch starts the daemon without waiting for it, its log in r.log.
func (r *rig) launch() {
	r.t.Helper()
	r.log = &netnstest.Output{}
	r.cmd = r.daemonCmd()
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
}

// waitExec waits until the rig's `ip netns exec` has become netfix: a
// signal sent before would hit ip.
func (r *rig) waitExec() {
	r.t.Helper()
	exe := fmt.Sprintf("/proc/%d/exe", r.cmd.Process.Pid)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if l, err := os.Readlink(exe); err == nil && l == r.bin {
			return
		}
		time.Sleep(100 * time.Microsecond)
	}
	r.t.Fatalf("%s never became %s", exe, r.bin)
}

// From the first poll on, the daemon's status claims nothing it has not
// checked: until its first probe is done it says "starting" with verdict
// unknown and no findings, through the socket and through the rpcd plugin.
func TestStatusDuringStartNeverClaimsHealthy(t *testing.T) {
	r := newRig(t)
	var polls, starting, viaPlugin atomic.Int64
	var mu sync.Mutex // t.Errorf from the plugin goroutine and the poll loop
	check := func(doc status.Document, via string) {
		polls.Add(1)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case doc.Heal.Starting:
			starting.Add(1)
			if doc.Verdict != status.VerdictUnknown || len(doc.Findings) != 0 {
				t.Errorf("%s while starting: verdict %q with %d findings, want unknown and none", via, doc.Verdict, len(doc.Findings))
			}
		case doc.GeneratedAt.IsZero() || doc.Host == "":
			t.Errorf("%s: verdict %q from a document with no probe behind it (generated_at %s, host %q)", via, doc.Verdict, doc.GeneratedAt, doc.Host)
		}
	}
	// A start can pass between two polls (a fast first probe, a slow
	// race-built plugin): start again, at most maxStarts times, until an
	// answer came from a daemon still starting. The plugin (what rpcd
	// runs, `netfix rpcd call status`) is called from its own goroutine
	// so its exec never holds up the socket polls.
	const maxStarts = 10
	for n := 1; starting.Load() == 0; n++ {
		if n > maxStarts {
			t.Fatalf("in %d starts no answer came while the daemon was starting (%d answers in all)", maxStarts, polls.Load())
		}
		r.stop()
		r.launch()
		var stop atomic.Bool
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				cmd := exec.Command(r.bin, "rpcd", "--socket", r.socket, "call", "status")
				cmd.Stdin = strings.NewReader("{}")
				out, err := cmd.Output()
				var doc status.Document
				if err == nil && json.Unmarshal(out, &doc) == nil && doc.Heal.Running {
					viaPlugin.Add(1)
					check(doc, "rpcd call status")
				}
			}
		}()
		for i := 0; !strings.Contains(r.log.String(), "watching neighbours"); i++ {
			var doc status.Document
			err := ipc.Call(r.socket, ipc.Request{Method: "status"}, &doc, time.Second)
			switch {
			case errors.Is(err, ipc.ErrNoDaemon):
				time.Sleep(time.Millisecond) // not listening yet
			case err != nil:
				stop.Store(true)
				wg.Wait()
				t.Fatalf("status during start: %v", err)
			default:
				check(doc, "socket status")
			}
			if i > 100000 {
				stop.Store(true)
				wg.Wait()
				t.Fatalf("daemon never started:\n%s", r.log.String())
			}
		}
		stop.Store(true)
		wg.Wait()
		t.Logf("start %d: %d answers so far (%d through the plugin), %d of them \"starting\"", n, polls.Load(), viaPlugin.Load(), starting.Load())
	}
}

// A second daemon on the same socket is refused with a clear message and
// touches nothing: the first keeps its socket, lock and state.
func TestSecondDaemonRefused(t *testing.T) {
	r := newRig(t)
	r.start()
	state := filepath.Join(r.dir, "state.json")
	before, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	sockBefore, err := os.Stat(r.socket)
	if err != nil {
		t.Fatal(err)
	}

	second := r.daemonCmd()
	var buf netnstest.Output
	second.Stdout, second.Stderr = &buf, &buf
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- second.Wait() }()
	select {
	case err = <-exited:
	case <-time.After(5 * time.Second):
		_ = second.Process.Kill()
		<-exited
		t.Fatalf("a second daemon on the same socket is running too:\n%s", buf.String())
	}
	out := buf.String()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("second daemon: %v, want a non-zero exit\n%s", err, out)
	}
	want := fmt.Sprintf("another netfix daemon is already running on %s (pid %d holds", r.socket, r.cmd.Process.Pid)
	if !strings.Contains(out, want) {
		t.Errorf("second daemon said %q, want it to contain %q", out, want)
	}

	sockAfter, err := os.Stat(r.socket)
	if err != nil || !os.SameFile(sockBefore, sockAfter) {
		t.Fatalf("the first daemon's socket is gone or replaced (%v)", err)
	}
	if after, _ := os.ReadFile(state); string(after) != string(before) {
		t.Errorf("the second daemon wrote the state file")
	}
	if st := r.rpc("status", "{}"); st["heal"].(map[string]any)["running"] != true {
		t.Errorf("the first daemon no longer answers: %v", st)
	}
}

// procd's reload_service sends SIGHUP right after start. HUPs sent while
// the daemon starts (config, probe, subscription, reconcile) reload it
// instead of killing it; it used to die of them until its first probe was
// done. The HUPs start once the daemon holds its lock, which it takes
// right after subscribing the signals: before that only the Go runtime's
// own start-up runs, a window no Go code can close.
func TestEarlySIGHUPReloads(t *testing.T) {
	r := newRig(t)
	r.launch()
	r.waitExec()
	pid := strconv.Itoa(r.cmd.Process.Pid) + "\n"
	for deadline := time.Now().Add(5 * time.Second); ; {
		if b, _ := os.ReadFile(r.socket + ".lock"); string(b) == pid {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("daemon never took its lock:\n%s", r.log.String())
		}
		time.Sleep(50 * time.Microsecond)
	}
	sent := 0
	for sent == 0 || !strings.Contains(r.log.String(), "watching neighbours") {
		if err := r.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			break // it died: reported below
		}
		sent++
		time.Sleep(time.Millisecond)
		if sent > 5000 {
			t.Fatalf("daemon never started:\n%s", r.log.String())
		}
	}
	r.waitLog("configuration reloaded")
	if err := r.cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("daemon gone after %d early SIGHUPs: %v\n%s", sent, err, r.log.String())
	}
	t.Logf("%d SIGHUPs during start-up", sent)
}

// The window before that: twenty daemons each get one SIGHUP 0 to 5 ms
// after their exec (a reload right after a start at boot). Package sighup
// subscribes SIGHUP in its init, right after os/signal's (see its test),
// and a daemon that got a HUP before it was ready handles it as a reload
// once it runs: every survivor must say "configuration reloaded", and
// nothing but the HUP may end one. Before sighup's init only the Go
// runtime's own start-up and the first package inits run, a window no Go
// code can close: a HUP that lands there still kills the daemon. How
// often depends on the machine's speed and load; the test logs the rate.
func TestSIGHUPRightAfterExec(t *testing.T) {
	r := newRig(t)
	const runs = 20
	var died []string
	for i := 0; i < runs; i++ {
		delay := time.Duration(i%6) * time.Millisecond
		r.launch()
		r.waitExec()
		time.Sleep(delay)
		if err := r.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatalf("run %d: SIGHUP: %v", i, err)
		}
		done := make(chan error, 1)
		go func() { done <- r.cmd.Wait() }()
		var exit error
		exited := false
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(r.log.String(), "configuration reloaded"); {
			select {
			case exit = <-done:
				exited = true
			case <-time.After(5 * time.Millisecond):
			}
			if exited || time.Now().After(deadline) {
				break
			}
		}
		if exited {
			var ee *exec.ExitError
			if errors.As(exit, &ee) && ee.Sys().(syscall.WaitStatus).Signal() == syscall.SIGHUP {
				died = append(died, delay.String())
				r.cmd = nil
				continue
			}
			t.Fatalf("run %d (HUP %s after exec): daemon exited: %v\n%s", i, delay, exit, r.log.String())
		}
		if !strings.Contains(r.log.String(), "configuration reloaded") {
			t.Fatalf("run %d (HUP %s after exec): never reloaded:\n%s", i, delay, r.log.String())
		}
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run %d: exit after SIGTERM: %v\n%s", i, err, r.log.String())
			}
		case <-time.After(5 * time.Second):
			_ = r.cmd.Process.Kill()
			t.Fatalf("run %d: daemon did not stop within 5 s of SIGTERM", i)
		}
		r.cmd = nil
	}
	t.Logf("%d of %d daemons killed by a SIGHUP 0-5 ms after exec (HUP sent at %v after exec)", len(died), runs, died)
}

// The init script starts the daemon with SIGHUP ignored, which closes
// what Go cannot: twenty daemons started as /etc/init.d/netfix starts
// them each get a SIGHUP 0 to 5 ms after their exec, and none may die;
// once up, each reloads on the next SIGHUP.
func TestSIGHUPRightAfterExecUnderInitScript(t *testing.T) {
	initd, err := os.ReadFile("../../../files/etc/init.d/netfix")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*procd_set_param command /bin/sh -c '([^']*)' "\$PROG" daemon `).FindSubmatch(initd)
	if m == nil {
		t.Fatalf("/etc/init.d/netfix does not start the daemon through /bin/sh -c '…' \"$PROG\" daemon")
	}
	r := newRig(t)
	for i := 0; i < 20; i++ {
		delay := time.Duration(i%6) * time.Millisecond
		r.log = &netnstest.Output{}
		r.cmd = r.ns.Command("/bin/sh", "-c", string(m[1]), r.bin, "daemon", "--config", filepath.Join(r.dir, "netfix"),
			"--socket", r.socket, "--state", filepath.Join(r.dir, "state.json"), "--root", r.dir)
		r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
		if err := r.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		r.waitExec()
		time.Sleep(delay)
		if err := r.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatalf("run %d: SIGHUP: %v", i, err)
		}
		done := make(chan error, 1)
		go func() { done <- r.cmd.Wait() }()
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(r.log.String(), "watching neighbours"); {
			select {
			case err := <-done:
				r.cmd = nil
				t.Fatalf("run %d: daemon ended by a SIGHUP %s after exec: %v\n%s", i, delay, err, r.log.String())
			case <-time.After(5 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("run %d: daemon never started:\n%s", i, r.log.String())
			}
		}
		reloads := strings.Count(r.log.String(), "configuration reloaded")
		_ = r.cmd.Process.Signal(syscall.SIGHUP)
		for deadline := time.Now().Add(5 * time.Second); strings.Count(r.log.String(), "configuration reloaded") == reloads; {
			if time.Now().After(deadline) {
				t.Fatalf("run %d: no reload on a SIGHUP once up:\n%s", i, r.log.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run %d: exit after SIGTERM: %v", i, err)
			}
		case <-time.After(5 * time.Second):
			_ = r.cmd.Process.Kill()
			t.Fatalf("run %d: daemon did not stop within 5 s of SIGTERM", i)
		}
		r.cmd = nil
	}
}

// When whoever reads the log goes away, the next log line must not kill
// the daemon with SIGPIPE: it keeps healing and answering.
func TestLogReaderGone(t *testing.T) {
	r := newRig(t)
	r.neigh("192.168.1.240", macA, "reachable")
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.log = &netnstest.Output{}
	r.cmd = r.daemonCmd()
	r.cmd.Stdout, r.cmd.Stderr = pw, pw
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	lines := bufio.NewScanner(pr)
	for lines.Scan() && !strings.Contains(lines.Text(), "watching neighbours") {
	}
	pr.Close() // the reader is gone

	// Debug lines now hit a pipe without a reader: the changes' and the
	// sweep's that saves the last MAC (every 5 s in the rig), which is
	// how the test knows the daemon handled them.
	for _, mac := range []string{macB, macA, macC} {
		r.neigh("192.168.1.240", mac, "reachable")
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		b, _ := os.ReadFile(filepath.Join(r.dir, "state.json"))
		if strings.Contains(string(b), macC) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the daemon's state never held 192.168.1.240's last MAC %s within 15 s (a sweep every 5 s): %s", macC, b)
		}
	}
	if st := r.rpc("status", "{}"); st["heal"].(map[string]any)["running"] != true {
		t.Errorf("daemon no longer answers after its log reader left: %v", st)
	}
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("daemon died when its log reader left: %v", err)
	}
	err = r.cmd.Wait()
	r.cmd = nil
	if err != nil {
		t.Errorf("daemon exit after its log reader left and SIGTERM: %v, want 0 (141 is SIGPIPE)", err)
	}
}

// A caller that may not open the root-only socket gets "permission
// denied", not the daemon-less answer (an empty history would say the
// healer never did anything).
func TestPermissionDeniedIsNotNoDaemon(t *testing.T) {
	r := newRig(t)
	r.start()
	// nobody must reach the binary and the socket's directory; only the
	// socket's own mode (0600, root) stands in the way.
	dir, err := os.MkdirTemp("", "netfix-daemon-eacces-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "netfix")
	data, err := os.ReadFile(r.bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, r.dir} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{"history", "status"} {
		cmd := exec.Command(bin, "rpcd", "--socket", r.socket, "call", method)
		cmd.Env = []string{}
		cmd.Stdin = strings.NewReader("{}")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("rpcd call %s as nobody: %v", method, err)
		}
		var reply map[string]any
		if err := json.Unmarshal(out, &reply); err != nil {
			t.Fatalf("rpcd call %s: %v: %s", method, err, out)
		}
		if msg, _ := reply["error"].(string); !strings.Contains(msg, "permission denied on the netfix control socket") || len(reply) != 1 {
			t.Errorf("rpcd call %s as nobody = %s, want only an error saying permission denied", method, out)
		}
	}
}
