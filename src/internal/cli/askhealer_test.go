package cli

import (
	"bufio"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/assess"
	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/status"
)

// rawServer answers every connection on a fresh socket with reply after
// reading the request line, or closes it without a word when reply is "".
func rawServer(t *testing.T, path, reply string) {
	t.Helper()
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if _, err := bufio.NewReader(c).ReadString('\n'); err != nil || reply == "" {
					return
				}
				_, _ = c.Write([]byte(reply))
			}()
		}
	}()
}

// Only "no daemon" is no daemon. A socket that is held but gives no usable
// answer (never answers, answers garbage or an error, or an empty heal
// block) is a daemon that did not answer, with what went wrong; a check
// that took it for "not running" would tell a person to start a daemon
// that runs.
func TestAskHealer(t *testing.T) {
	t.Parallel()
	const wait = 300 * time.Millisecond
	tests := []struct {
		name string
		// setup makes the socket at path.
		setup     func(t *testing.T, path string)
		wantHeal  bool   // an answer came
		wantQuiet bool   // neither answer nor silence: no daemon
		wantErr   string // in the silence's error
	}{
		{name: "no socket file", setup: func(*testing.T, string) {}, wantQuiet: true},
		{name: "stale socket file, nobody listens", setup: func(t *testing.T, path string) {
			// A daemon that crashed leaves its socket file behind.
			l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
			if err != nil {
				t.Fatal(err)
			}
			l.SetUnlinkOnClose(false)
			l.Close()
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("the stale socket file is gone: %v", err)
			}
		}, wantQuiet: true},
		{name: "accepts but never answers", setup: func(t *testing.T, path string) {
			// Listening without serving: the kernel takes the
			// connection into the backlog, nobody reads it.
			l, err := ipc.Listen(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
		}, wantErr: "timeout"},
		{name: "closes without answering", setup: func(t *testing.T, path string) { rawServer(t, path, "") }, wantErr: "read daemon reply to healer"},
		{name: "garbage reply", setup: func(t *testing.T, path string) { rawServer(t, path, "{not json\n") }, wantErr: "read daemon reply to healer"},
		{name: "error reply", setup: func(t *testing.T, path string) {
			rawServer(t, path, `{"error":"unknown method \"healer\""}`+"\n")
		}, wantErr: `unknown method "healer"`},
		{name: "empty heal block", setup: func(t *testing.T, path string) { rawServer(t, path, `{"data":{}}`+"\n") }, wantErr: "holds no healer state"},
		{name: "answers", setup: func(t *testing.T, path string) {
			l, err := ipc.Listen(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
			go func() {
				_ = ipc.Serve(l, func(r ipc.Request) (any, error) {
					if r.Method != "healer" {
						return nil, errors.New("unknown method " + r.Method)
					}
					return assess.Healer{Heal: status.Heal{Running: true, Mode: status.ModeHeal, EventsTotal: 3}}, nil
				})
			}()
		}, wantHeal: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "netfix.sock")
			tt.setup(t, path)
			start := time.Now()
			h, silence := AskHealer(path, wait)
			if took := time.Since(start); took > wait+2*time.Second {
				t.Errorf("took %s, want at most about %s", took, wait)
			}
			switch {
			case tt.wantHeal:
				if h == nil || silence != nil || !h.Heal.Running || h.Heal.EventsTotal != 3 {
					t.Errorf("got %+v, %+v; want the daemon's heal block", h, silence)
				}
			case tt.wantQuiet:
				if h != nil || silence != nil {
					t.Errorf("got %+v, %+v; want no daemon (neither answer nor silence)", h, silence)
				}
			default:
				if h != nil || silence == nil {
					t.Fatalf("got %+v, %+v; want the silence of a daemon that did not answer", h, silence)
				}
				if silence.Socket != path || silence.WaitS != 1 || !strings.Contains(silence.Error, tt.wantErr) {
					t.Errorf("silence = %+v, want socket %s, 1 s and an error with %q", silence, path, tt.wantErr)
				}
			}
		})
	}
}
