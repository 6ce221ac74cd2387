package ipc

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "s.sock")
	l, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		_ = Serve(l, func(r Request) (any, error) {
			switch r.Method {
			case "echo":
				return r, nil
			default:
				return nil, errors.New("unknown method " + r.Method)
			}
		})
	}()
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode = %v (%v), want 0600: flush deletes conntrack entries", fi.Mode(), err)
	}

	var got Request
	if err := Call(path, Request{Method: "echo", IP: "192.168.1.2", DryRun: true, Limit: 7}, &got, time.Second); err != nil {
		t.Fatal(err)
	}
	if got.IP != "192.168.1.2" || !got.DryRun || got.Limit != 7 {
		t.Errorf("echo = %+v", got)
	}
	var re *RemoteError
	if err := Call(path, Request{Method: "nope"}, nil, time.Second); !errors.As(err, &re) || !strings.Contains(re.Msg, "unknown method nope") {
		t.Errorf("remote error = %v", err)
	}

	// A client that sends garbage gets an error object, and the server
	// keeps serving.
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Write([]byte("{not json\n"))
	buf := make([]byte, 512)
	n, _ := c.Read(buf)
	c.Close()
	if !strings.Contains(string(buf[:n]), "malformed request") {
		t.Errorf("garbage reply = %q", buf[:n])
	}
	if err := Call(path, Request{Method: "echo"}, &got, time.Second); err != nil {
		t.Errorf("server died after garbage: %v", err)
	}
}

func TestNoDaemon(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := Call(filepath.Join(dir, "missing.sock"), Request{Method: "status"}, nil, time.Second); !errors.Is(err, ErrNoDaemon) {
		t.Errorf("missing socket: %v, want ErrNoDaemon", err)
	}
	// A stale socket file with nobody listening (daemon crashed).
	path := filepath.Join(dir, "stale.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if err := Call(path, Request{Method: "status"}, nil, time.Second); !errors.Is(err, ErrNoDaemon) {
		t.Errorf("stale socket: %v, want ErrNoDaemon", err)
	}
	// Listen replaces the stale file.
	l2, err := Listen(path)
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	l2.Close()
}

// Close ends Serve without an error and removes the socket file, as the
// daemon's exit must leave no socket that answers "refused".
func TestCloseEndsServe(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "c.sock")
	l, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- Serve(l, func(Request) (any, error) { return nil, nil }) }()
	if err := Call(path, Request{Method: "x"}, nil, time.Second); err != nil {
		t.Fatalf("call before close: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after Close = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve still running 5 s after Close")
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file after Close: %v, want it gone", err)
	}
	if err := Call(path, Request{Method: "x"}, nil, time.Second); !errors.Is(err, ErrNoDaemon) {
		t.Errorf("call after close = %v, want ErrNoDaemon", err)
	}
}
