package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConntrackOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		reclaim bool
		idle    uint32
		problem string
	}{
		{"defaults: off, an hour", "config netfix 'main'\n", false, 3600, ""},
		{"opted in", "config netfix 'main'\n\toption conntrack_reclaim '1'\n\toption reclaim_idle '7440'\n", true, 7440, ""},
		{"idle too short keeps the default", "config netfix 'main'\n\toption conntrack_reclaim '1'\n\toption reclaim_idle '30'\n", true, 3600,
			`line 3 (option reclaim_idle): "30" is not a number of seconds from 300 to 432000; using 3600`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "netfix")
			if err := os.WriteFile(path, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, problems, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.ConntrackReclaim != tc.reclaim || cfg.ReclaimIdle != tc.idle {
				t.Errorf("reclaim %v idle %d, want %v %d", cfg.ConntrackReclaim, cfg.ReclaimIdle, tc.reclaim, tc.idle)
			}
			var got []string
			for _, p := range problems {
				got = append(got, p.String())
			}
			if all := strings.Join(got, "\n"); (tc.problem == "") != (all == "") || !strings.Contains(all, tc.problem) {
				t.Errorf("problems %q, want %q", all, tc.problem)
			}
		})
	}
}
