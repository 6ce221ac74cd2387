//go:build linux

package nlsock

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadProcValue(t *testing.T) {
	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, path, want string
		missing, fails   bool
	}{
		{name: "a sysctl as the kernel writes it", path: file("one", "1\n"), want: "1"},
		{name: "a number with blanks", path: file("num", "  432000 \n"), want: "432000"},
		{name: "empty", path: file("empty", ""), want: ""},
		{name: "exactly the longest value", path: file("max", strings.Repeat("7", maxProcValue)), want: strings.Repeat("7", maxProcValue)},
		{name: "longer than a value", path: file("long", strings.Repeat("7", maxProcValue+1)), fails: true},
		{name: "missing", path: filepath.Join(dir, "nope"), missing: true, fails: true},
		{name: "a directory", path: dir, fails: true},
		{name: "the kernel's own", path: "/proc/sys/net/ipv4/conf/lo/forwarding", want: "?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadProcValue(tc.path)
			if (err != nil) != tc.fails {
				t.Fatalf("ReadProcValue(%s) = %q, %v; want an error: %v", tc.path, got, err, tc.fails)
			}
			if errors.Is(err, os.ErrNotExist) != tc.missing {
				t.Errorf("error %v: errors.Is(ErrNotExist) = %v, want %v", err, !tc.missing, tc.missing)
			}
			if err != nil && !strings.Contains(err.Error(), tc.path) {
				t.Errorf("error %q does not name the file", err)
			}
			switch {
			case tc.want == "?":
				if got != "0" && got != "1" {
					t.Errorf("lo's forwarding switch = %q, want 0 or 1", got)
				}
			case err == nil && got != tc.want:
				t.Errorf("ReadProcValue(%s) = %q, want %q", tc.path, got, tc.want)
			}
		})
	}
}
