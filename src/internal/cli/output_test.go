package cli

import (
	"errors"
	"github.com/netfix/netfix/src/internal/netnstest"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/status"
)

// failWriter fails every write after the first n bytes.
type failWriter struct {
	n   int
	err error
}

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) <= w.n {
		w.n -= len(p)
		return len(p), nil
	}
	k := w.n
	w.n = 0
	return k, w.err
}

// A result that cannot be written or encoded fails the command (exit 3)
// with one line on stderr; one that is written keeps the command's code.
func TestOutputErrorsReachExitStatus(t *testing.T) {
	t.Parallel()
	doc := status.Document{Version: "test", Verdict: status.VerdictWarning, GeneratedAt: time.Unix(0, 0).UTC()}
	devFull := func(t *testing.T) *os.File {
		f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			netnstest.Skip(t, netnstest.Kernel, "no /dev/full: %v", err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	closed := func(t *testing.T) *os.File {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		w.Close()
		return w
	}
	tests := []struct {
		name    string
		out     func(*testing.T) io.Writer
		write   func(*output)
		wantErr string // "" = the write succeeds
	}{
		{"json to /dev/full", func(t *testing.T) io.Writer { return devFull(t) },
			func(o *output) { o.json(doc) }, "no space left on device"},
		{"text to /dev/full", func(t *testing.T) io.Writer { return devFull(t) },
			func(o *output) { o.text(doc) }, "no space left on device"},
		{"json to a closed file", func(t *testing.T) io.Writer { return closed(t) },
			func(o *output) { o.json(doc) }, "file already closed"},
		{"json cut after 10 bytes (EPIPE)", func(*testing.T) io.Writer {
			return &failWriter{n: 10, err: syscall.EPIPE}
		}, func(o *output) { o.json(doc) }, "broken pipe"},
		{"short write without an error", func(*testing.T) io.Writer {
			return &failWriter{n: 10}
		}, func(o *output) { o.json(doc) }, "short write"},
		{"a value the encoder refuses", func(*testing.T) io.Writer {
			return &strings.Builder{}
		}, func(o *output) { o.json(make(chan int)) }, "encode the result as JSON"},
		{"written", func(*testing.T) io.Writer { return &strings.Builder{} },
			func(o *output) { o.json(doc) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := &output{w: tt.out(t)}
			tt.write(o)
			var stderr strings.Builder
			code := o.done(&stderr, "check", ExitWarning)
			if tt.wantErr == "" {
				if code != ExitWarning || stderr.Len() != 0 {
					t.Errorf("exit %d, stderr %q; want %d and nothing", code, stderr.String(), ExitWarning)
				}
				return
			}
			if code != ExitFailed {
				t.Errorf("exit %d, want %d", code, ExitFailed)
			}
			msg := stderr.String()
			for _, want := range []string{"netfix check: could not print the result", tt.wantErr, "run it again"} {
				if !strings.Contains(msg, want) {
					t.Errorf("stderr %q lacks %q", msg, want)
				}
			}
			if strings.Count(msg, "\n") != 1 {
				t.Errorf("stderr is not one line: %q", msg)
			}
		})
	}
}

// The first error sticks: later writes do not reach the writer.
func TestOutputStopsAtFirstError(t *testing.T) {
	t.Parallel()
	w := &failWriter{n: 0, err: errors.New("boom")}
	o := &output{w: w}
	if _, err := o.Write([]byte("x")); err == nil {
		t.Fatal("first write succeeded")
	}
	w.err = nil
	w.n = 100
	if _, err := o.Write([]byte("y")); err == nil || w.n != 100 {
		t.Errorf("second write: err %v, writer got %d bytes", err, 100-w.n)
	}
}
