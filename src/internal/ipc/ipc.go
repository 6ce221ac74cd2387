// Package ipc is the daemon's control socket: a root-only unix socket on
// which each connection carries one JSON request line and one JSON reply.
// `netfix status`, `netfix check` and the rpcd plugin are its clients.
package ipc

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

// DefaultSocket is where the daemon listens. /var/run is a tmpfs on
// OpenWrt, so a stale socket never survives a reboot.
const DefaultSocket = "/var/run/netfix.sock"

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
	// DialUnix, not net.Dial: the generic dialer resolves addresses and so
	// links the DNS resolver into the binary (~330 KB on mipsle) for a
	// socket path that never needs it. A unix connect does not wait on
	// the network, nor on a full accept queue (Go's non-blocking connect
	// gets EAGAIN); the deadline below bounds the exchange.
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
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
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return fmt.Errorf("send %s request to daemon: %w", req.Method, err)
	}
	var reply struct {
		Error string          `json:"error"`
		Data  json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(bufio.NewReader(conn)).Decode(&reply); err != nil {
		return fmt.Errorf("read daemon reply to %s: %w", req.Method, err)
	}
	if reply.Error != "" {
		return &RemoteError{Msg: reply.Error}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(reply.Data, out); err != nil {
		return fmt.Errorf("decode daemon reply to %s: %w", req.Method, err)
	}
	return nil
}

// RemoteError is an error the daemon reported for a request.
type RemoteError struct{ Msg string }

func (e *RemoteError) Error() string { return e.Msg }

// Handler answers one request; a returned error is sent as {"error": ...}.
type Handler func(Request) (any, error)

// Serve accepts connections on l until it is closed.
func Serve(l net.Listener, h Handler) error {
	for {
		conn, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		go serveConn(conn, h)
	}
}

func serveConn(conn net.Conn, h Handler) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	var req Request
	reply := map[string]any{}
	if err := json.NewDecoder(bufio.NewReader(ioLimit(conn))).Decode(&req); err != nil {
		reply["error"] = "malformed request: " + err.Error()
	} else if data, err := h(req); err != nil {
		reply["error"] = err.Error()
	} else {
		reply["data"] = data
	}
	_ = json.NewEncoder(conn).Encode(reply)
}

// Listen creates the socket, readable and writable by root only (the
// flush method deletes conntrack entries).
func Listen(path string) (net.Listener, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove stale socket %s: %w", path, err)
	}
	old := umask(0o177)
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"}) // no resolver, see Call
	umask(old)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("restrict %s to root: %w", path, err)
	}
	return l, nil
}
