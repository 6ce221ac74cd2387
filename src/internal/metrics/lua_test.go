package metrics_test

import (
	"github.com/netfix/netfix/src/internal/netnstest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netfix/netfix/src/internal/metrics"
)

// The OpenWrt collector (prometheus-node-exporter-lua-netfix) under real
// Lua 5.1, loaded the way prometheus-node-exporter-lua loads collectors:
// what it serves must be what the daemon wrote, family by family, and pass
// promtool's lint.
func TestLuaCollector(t *testing.T) {
	lua, promtool := tool(t, "lua5.1", "lua5.1"), tool(t, "promtool", "prometheus")
	repo, _ := filepath.Abs(filepath.Join("..", "..", ".."))
	harness := filepath.Join(repo, "test", "metrics", "exporter-harness.lua")
	luaPath := filepath.Join(repo, "openwrt", "prometheus-node-exporter-lua-netfix", "files", "usr", "lib", "lua") + "/?.lua;;"
	dir := t.TempDir()
	uci := filepath.Join(dir, "netfix")
	run := func(t *testing.T, file string) string {
		t.Helper()
		cmd := exec.Command(lua, harness, "netfix")
		cmd.Env = append(os.Environ(), "LUA_PATH="+luaPath, "NETFIX_METRICS_FILE="+file, "NETFIX_UCI_CONFIG="+uci)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("collector: %v\n%s", err, stderr.String())
		}
		return string(out)
	}
	lint := func(t *testing.T, expo string) {
		t.Helper()
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = strings.NewReader(expo)
		if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("promtool check metrics on the collector's output: %v\n%s\n--- output:\n%s", err, out, expo)
		}
	}
	for name, in := range goldenInputs() {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(dir, name)
			want := metrics.Render(in)
			if err := metrics.WriteFile(file, want); err != nil {
				t.Fatal(err)
			}
			got := run(t, file)
			lint(t, got)
			if diff := cmp.Diff(parseExpo(t, string(want)), parseExpo(t, got)); diff != "" {
				t.Errorf("collector output differs from the file (-file +collector):\n%s", diff)
			}
		})
	}
	// Without NETFIX_METRICS_FILE the collector follows metrics_file in
	// netfix's UCI config, as on a router.
	t.Run("uci option", func(t *testing.T) {
		file := filepath.Join(dir, "from-uci.prom")
		if err := metrics.WriteFile(file, metrics.Render(goldenInputs()["s3_daemon.prom"])); err != nil {
			t.Fatal(err)
		}
		body := "config netfix 'main'\n\toption enabled '1'\n\toption metrics_file '" + file + "'\n"
		if err := os.WriteFile(uci, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(uci)
		if got := run(t, ""); !strings.Contains(got, `netfix_forwarding_enabled{`) {
			t.Errorf("collector did not read %s named by the UCI option:\n%s", file, got)
		}
	})
	t.Run("no file", func(t *testing.T) {
		if got := run(t, filepath.Join(dir, "absent.prom")); got != "" {
			t.Errorf("collector without a file printed:\n%s", got)
		}
	})
	// A file damaged mid-line (a full disk on an old netfix that wrote in
	// place): the collector drops what it cannot read, the page stays valid.
	t.Run("damaged", func(t *testing.T) {
		expo := string(metrics.Render(goldenInputs()["s1_healed.prom"]))
		cut := strings.Index(expo, `netfix_repairs_total{reason="port_move"`) + 30
		damaged := expo[:cut] + "\ngarbage line {\nnetfix_unrelated 3\n" + `netfix_repairs_total{reason="x` + "\n"
		file := filepath.Join(dir, "damaged.prom")
		if err := os.WriteFile(file, []byte(damaged), 0o644); err != nil {
			t.Fatal(err)
		}
		got := run(t, file)
		lint(t, got)
		if !strings.Contains(got, `netfix_verdict{verdict="healthy"} 0`) {
			t.Errorf("the intact families are gone:\n%s", got)
		}
	})
}

func tool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("NETFIX_METRICS_TEST") != "" {
			t.Fatalf("%s not found: install Debian's %s package (scripts/deps.sh)", name, pkg)
		}
		netnstest.Skip(t, netnstest.Tool, "%s not found (Debian package %s); make metrics-test requires it", name, pkg)
	}
	return p
}

// family is one metric family of an exposition, its samples normalised
// (labels sorted by name) and sorted.
type family struct {
	Help, Type string
	Samples    []string
}

func parseExpo(t *testing.T, s string) map[string]*family {
	t.Helper()
	out := map[string]*family{}
	get := func(n string) *family {
		if out[n] == nil {
			out[n] = &family{}
		}
		return out[n]
	}
	var cur string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "# HELP "):
			f := strings.SplitN(l[7:], " ", 2)
			get(f[0]).Help = f[1]
		case strings.HasPrefix(l, "# TYPE "):
			f := strings.Fields(l[7:])
			cur = f[0]
			get(cur).Type = f[1]
		case l == "":
		default:
			name, labels, value := splitSample(t, l)
			get(cur).Samples = append(get(cur).Samples, name+"{"+labels+"} "+value)
		}
	}
	for _, f := range out {
		sort.Strings(f.Samples)
	}
	return out
}

// splitSample splits name{a="1",b="2"} v into its parts, the labels
// sorted (the exporter prints them in Lua's table order).
func splitSample(t *testing.T, l string) (name, labels, value string) {
	t.Helper()
	sp := strings.LastIndexByte(l, ' ')
	value = l[sp+1:]
	head := l[:sp]
	i := strings.IndexByte(head, '{')
	if i < 0 {
		return head, "", value
	}
	name, body := head[:i], head[i+1:len(head)-1]
	var pairs []string
	for len(body) > 0 {
		eq := strings.Index(body, `="`)
		if eq < 0 {
			t.Fatalf("bad labels in %q", l)
		}
		j := eq + 2
		for ; j < len(body) && body[j] != '"'; j++ {
			if body[j] == '\\' {
				j++
			}
		}
		pairs = append(pairs, body[:j+1])
		body = strings.TrimPrefix(body[j+1:], ",")
	}
	sort.Strings(pairs)
	return name, strings.Join(pairs, ","), value
}
