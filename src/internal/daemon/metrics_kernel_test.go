//go:build kernel

package daemon_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/netnstest"
)

// waitFile waits until path holds want.
func waitFile(t *testing.T, path, want string, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	var body []byte
	for time.Now().Before(deadline) {
		body, _ = os.ReadFile(path)
		if strings.Contains(string(body), want) {
			return string(body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never held %q; it holds:\n%s", path, want, body)
	return ""
}

// The metrics file: written once the daemon runs (option metrics_file),
// replaced atomically (no temporary file left beside it), and written a
// last time at stop saying the healer no longer runs.
func TestMetricsFile(t *testing.T) {
	r := newRig(t)
	file := filepath.Join(r.dir, "textfile", "netfix.prom")
	if err := os.Mkdir(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := "config netfix 'main'\n\toption sweep_interval '5'\n\toption metrics_file '" + file + "'\n"
	if err := os.WriteFile(filepath.Join(r.dir, "netfix"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	r.start()
	body := waitFile(t, file, "netfix_healer_running 1\n", 5*time.Second)
	for _, want := range []string{"# TYPE netfix_repairs_total counter\n", "netfix_start_time_seconds ", `netfix_heal_mode{mode="heal"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics file lacks %q:\n%s", want, body)
		}
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("metrics file mode %v, want 0644 (node exporter reads it as its own user)", st.Mode().Perm())
	}
	r.stop()
	waitFile(t, file, "netfix_healer_running 0\n", time.Second)
	entries, _ := os.ReadDir(filepath.Dir(file))
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("textfile directory holds %q, want only netfix.prom", names)
	}
}

// --metrics-file (the .deb's default) is used only where its directory
// exists, and metrics_file 'off' wins over it.
func TestMetricsFileDefault(t *testing.T) {
	for _, tc := range []struct {
		name, option string
		mkdir, want  bool
	}{
		{"directory exists", "", true, true},
		{"no directory", "", false, false},
		{"off in the config", "\toption metrics_file 'off'\n", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			dir := filepath.Join(r.dir, "node-exporter")
			if tc.mkdir {
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			cfg := "config netfix 'main'\n\toption sweep_interval '5'\n" + tc.option
			if err := os.WriteFile(filepath.Join(r.dir, "netfix"), []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "netfix.prom")
			r.log = &netnstest.Output{}
			r.cmd = r.daemonCmd()
			r.cmd.Args = append(r.cmd.Args, "--metrics-file", file)
			r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
			if err := r.cmd.Start(); err != nil {
				t.Fatal(err)
			}
			r.waitLog("watching neighbours")
			r.stop()
			_, err := os.Stat(file)
			if got := err == nil; got != tc.want {
				t.Errorf("metrics file written: %v, want %v (stat: %v)\n%s", got, tc.want, err, r.log.String())
			}
		})
	}
}
