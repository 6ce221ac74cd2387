package daemon

import (
	"bytes"
	"strings"
	"testing"
)

func TestLogLinesAreBounded(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	l := newLogger(Stream{W: &b}, Stream{})
	l.setLevel("info")
	l.Warnf("option %s", strings.Repeat("v", 10<<20))
	l.Infof("short %d", 1)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2 || len(lines[0]) > maxLogLine+64 || !strings.HasSuffix(lines[0], "(10485767 bytes, cut)") || lines[1] != "info: short 1" {
		t.Errorf("log = %d lines, first %d bytes: %.60s … %s", len(lines), len(lines[0]), lines[0], lines[0][max(0, len(lines[0])-40):])
	}
}

// Info and debug lines go to the first stream (procd: LOG_INFO), warnings
// and errors to the second (procd: LOG_ERR); on journald's stream each
// line carries its sd-daemon priority prefix.
func TestLogStreamsAndPriorities(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		journal          bool
		wantOut, wantErr string
	}{
		{
			name:    "procd or a terminal",
			wantOut: "info: watching\ndebug: event\n",
			wantErr: "error: broken\nwarn: odd\n",
		},
		{
			name:    "journald",
			journal: true,
			wantOut: "<6>info: watching\n<7>debug: event\n",
			wantErr: "<3>error: broken\n<4>warn: odd\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			l := newLogger(Stream{W: &out, Journal: tt.journal}, Stream{W: &errOut, Journal: tt.journal})
			l.setLevel("debug")
			l.Errorf("broken")
			l.Infof("watching")
			l.Warnf("odd")
			l.Debugf("event")
			if out.String() != tt.wantOut || errOut.String() != tt.wantErr {
				t.Errorf("out %q, err %q; want %q and %q", out.String(), errOut.String(), tt.wantOut, tt.wantErr)
			}
		})
	}
}

// Levels below the configured one are dropped before any stream.
func TestLogLevelFilters(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	l := newLogger(Stream{W: &b, Journal: true}, Stream{})
	l.setLevel("warn")
	l.Infof("no")
	l.Debugf("no")
	l.Warnf("yes")
	if b.String() != "<4>warn: yes\n" {
		t.Errorf("log = %q", b.String())
	}
}
