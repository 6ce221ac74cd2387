package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestJournalStreamIs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		value string
		want  bool
	}{
		{"set and matching", "2049:131077", true},
		{"set, other inode", "2049:131078", false},
		{"set, other device", "2050:131077", false},
		{"unset", "", false},
		{"no colon", "2049131077", false},
		{"not numbers", "dev:ino", false},
		{"negative", "-1:131077", false},
		{"extra field", "2049:131077:1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := journalStreamIs(tt.value, 2049, 131077); got != tt.want {
				t.Errorf("journalStreamIs(%q, 2049, 131077) = %v, want %v", tt.value, got, tt.want)
			}
		})
	}
}

// onJournal compares JOURNAL_STREAM with the stream's own device and
// inode: a process whose output was redirected (to f2 here) keeps the
// variable but is not on the journal any more.
func TestOnJournal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "stream"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f2, err := os.Create(filepath.Join(dir, "redirected"))
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	value := fmt.Sprintf("%d:%d", st.Dev, st.Ino)
	tests := []struct {
		name  string
		w     any
		value string
		want  bool
	}{
		{"set and matching", f, value, true},
		{"set, another file", f2, value, false},
		{"unset", f, "", false},
		{"not a file", &bytes.Buffer{}, value, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got bool
			switch w := tt.w.(type) {
			case *os.File:
				got = onJournal(w, tt.value)
			case *bytes.Buffer:
				got = onJournal(w, tt.value)
			}
			if got != tt.want {
				t.Errorf("onJournal(%s, %q) = %v, want %v", tt.name, tt.value, got, tt.want)
			}
		})
	}
}

// The daemon's own last words (a fatal error) carry the error priority on
// the journal and none elsewhere.
func TestFatalLine(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		journal bool
		want    string
	}{
		{false, "netfix daemon: lock: busy\n"},
		{true, "<3>netfix daemon: lock: busy\n"},
	} {
		if got := fatalLine(tt.journal, "lock: %s", "busy"); got != tt.want {
			t.Errorf("fatalLine(%v) = %q, want %q", tt.journal, got, tt.want)
		}
	}
}
