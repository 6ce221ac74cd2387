// Package ipc is the daemon's control socket: a root-only unix socket on
// which each connection carries one JSON request line and one JSON reply.
// `netfix status`, `netfix check` and the rpcd plugin are its clients.
package ipc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mdlayher/socket"
	"golang.org/x/sys/unix"

	"github.com/netfix/netfix/src/internal/smalljson"
)

// maxRequest bounds what the server reads from one client.
const maxRequest = 64 << 10

// Request is one call.
type Request struct {
	Method string `json:"method"`
	// Limit is for "history".
	Limit int `json:"limit,omitempty"`
	// IP and DryRun are for "flush".
	IP     string `json:"ip,omitempty"`
	DryRun bool   `json:"dry_run,omitempty"`
}

// ErrNoDaemon: nothing listens on the socket.
var ErrNoDaemon = errors.New("the netfix daemon is not running (start it with /etc/init.d/netfix start)")

// ErrPermission: something may listen on the socket, but this user may
// not connect to it. It is not "no daemon": answering with the fallback
// would hide a running healer behind an empty history.
var ErrPermission = errors.New("permission denied on the netfix control socket (it is root's: run as root; rpcd runs its plugins as root)")

// Call sends req to the daemon at path and decodes its reply into out.
func Call(path string, req Request, out any, timeout time.Duration) error {
	conn, err := dial(path, timeout)
	if err != nil {
		switch {
		case errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED):
			return fmt.Errorf("%w: no daemon at %s", ErrNoDaemon, path)
		case errors.Is(err, os.ErrPermission):
			return fmt.Errorf("%w: %s", ErrPermission, path)
		}
		return fmt.Errorf("connect to netfix daemon at %s: %w", path, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(timeout))
	if err := smalljson.NewEncoder(conn).Encode(req); err != nil {
		return fmt.Errorf("send %s request to daemon: %w", req.Method, err)
	}
	var reply struct {
		Error string               `json:"error"`
		Data  smalljson.RawMessage `json:"data"`
	}
	if err := smalljson.NewDecoder(bufio.NewReader(conn)).Decode(&reply); err != nil {
		return fmt.Errorf("read daemon reply to %s: %w", req.Method, err)
	}
	if reply.Error != "" {
		return &RemoteError{Msg: reply.Error}
	}
	if out == nil {
		return nil
	}
	if err := smalljson.Unmarshal(reply.Data, out); err != nil {
		return fmt.Errorf("decode daemon reply to %s: %w", req.Method, err)
	}
	return nil
}

// RemoteError is an error the daemon reported for a request.
type RemoteError struct{ Msg string }

func (e *RemoteError) Error() string { return e.Msg }

// Handler answers one request; a returned error is sent as {"error": ...}.
type Handler func(Request) (any, error)

// The socket is a unix stream socket from mdlayher/socket (already in the
// binary for netlink), not from package net: net's sockets pull in its
// dialer, listener and address machinery, about 100 KB on mipsle, for one
// local path. socket.Conn has the same non-blocking, deadline-aware
// reads and writes through the runtime poller.

func dial(path string, timeout time.Duration) (*socket.Conn, error) {
	c, err := socket.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0, "netfix-ipc", nil)
	if err != nil {
		return nil, err
	}
	// A unix connect does not wait on the network; with the backlog full
	// it waits for room, bounded by the same deadline as the exchange.
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if _, err := c.Connect(ctx, &unix.SockaddrUnix{Name: path}); err != nil {
		c.Close()
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(timeout))
	return c, nil
}

// Listener is the daemon's end of the socket.
type Listener struct {
	conn   *socket.Conn
	path   string
	closed atomic.Bool
}

// Close stops Serve and removes the socket file.
func (l *Listener) Close() error {
	if l.closed.Swap(true) {
		return nil
	}
	err := l.conn.Close()
	if rmErr := os.Remove(l.path); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) && err == nil {
		err = rmErr
	}
	return err
}

// Serve accepts connections on l until it is closed, each answered on a
// goroutine of its own. It returns only after every one of them has: the
// daemon's shutdown joins its control socket too. At close, connections
// still open get a deadline of now, so a client that sends nothing does
// not hold the shutdown for its 10 s.
func Serve(l *Listener, h Handler) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex // guards open: taken by Serve and each connection's goroutine
		open = map[*socket.Conn]bool{}
	)
	defer func() {
		mu.Lock()
		for c := range open {
			_ = c.SetDeadline(time.Now())
		}
		mu.Unlock()
		wg.Wait()
	}()
	for {
		conn, _, err := l.conn.Accept(context.Background(), 0)
		if err != nil {
			if l.closed.Load() {
				return nil
			}
			if errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EINTR) {
				continue // the client went away before we took it
			}
			return err
		}
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		mu.Lock()
		open[conn] = true
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			serveConn(conn, h)
			mu.Lock()
			delete(open, conn)
			mu.Unlock()
		}()
	}
}

func serveConn(conn *socket.Conn, h Handler) {
	defer conn.Close()
	var req Request
	reply := map[string]any{}
	if err := smalljson.NewDecoder(bufio.NewReader(ioLimit(conn))).Decode(&req); err != nil {
		reply["error"] = "malformed request: " + err.Error()
	} else if data, err := h(req); err != nil {
		reply["error"] = err.Error()
	} else {
		reply["data"] = data
	}
	_ = smalljson.NewEncoder(conn).Encode(reply)
}

// Listen creates the socket, readable and writable by root only (the
// flush method deletes conntrack entries).
func Listen(path string) (*Listener, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove stale socket %s: %w", path, err)
	}
	c, err := socket.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0, "netfix-ipc", nil)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	old := umask(0o177)
	err = c.Bind(&unix.SockaddrUnix{Name: path})
	umask(old)
	if err == nil {
		err = c.Listen(unix.SOMAXCONN)
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	l := &Listener{conn: c, path: path}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("restrict %s to root: %w", path, err)
	}
	return l, nil
}
