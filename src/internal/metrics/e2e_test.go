//go:build metrics_e2e

// This file runs netfix's metrics end to end with the real components:
// the daemon in a namespace scenario (S3, a Docker host whose uplink stops
// forwarding) performs a repair and writes its metrics file; Debian's
// prometheus-node-exporter serves the file with its textfile collector;
// Debian's prometheus scrapes it with netfix's alert rules loaded; the
// test reads the results from Prometheus's HTTP API. Everything listens on
// 127.0.0.1 only, on ports free when the test starts, and is stopped and
// removed at the end. make metrics-test runs it (root; build tag
// metrics_e2e).
package metrics_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/netnstest"
)

func need(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: make metrics-test needs Debian's prometheus, prometheus-node-exporter (scripts/deps.sh)", name)
	}
	return p
}

// freePort returns a loopback port nobody listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// start runs a process until the test ends, then stops it (SIGTERM, and
// SIGKILL after 10 s); its output is kept for failure messages.
func start(t *testing.T, cmd *exec.Cmd) *netnstest.Output {
	t.Helper()
	out := &netnstest.Output{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	return out
}

// promResult is the part of /api/v1/query's answer the test reads.
type promResult struct {
	Status string `json:"status"`
	Data   struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		} `json:"result"`
		Alerts []struct {
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
			State       string            `json:"state"`
		} `json:"alerts"`
	} `json:"data"`
}

func get(t *testing.T, u string) (promResult, []byte) {
	t.Helper()
	var r promResult
	resp, err := http.Get(u)
	if err != nil {
		return r, nil
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	_ = json.Unmarshal([]byte(b.String()), &r)
	return r, []byte(b.String())
}

// waitFor polls fn every 500 ms until it says done or within passes.
func waitFor(t *testing.T, what string, within time.Duration, fn func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	last := ""
	for time.Now().Before(deadline) {
		var ok bool
		if ok, last = fn(); ok {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s; last answer: %s", what, within, last)
}

func TestPrometheusEndToEnd(t *testing.T) {
	netnstest.RequireRoot(t)
	promBin, nodeBin, promtool := need(t, "prometheus"), need(t, "prometheus-node-exporter"), need(t, "promtool")
	repo, _ := filepath.Abs(filepath.Join("..", "..", ".."))
	dir := t.TempDir()

	// The repair: on this kernel nothing is offloaded (no flowtable), so
	// the daemon is the benchmark program (src/cmd/netfixbench, never
	// packaged), whose offload filter takes every conntrack entry: the
	// flush it is asked for deletes the host's real entries through the
	// same code path a repair on a router takes. The clients (flush,
	// metrics) are netfix itself.
	bin, benchBin := filepath.Join(dir, "netfix"), filepath.Join(dir, "netfixbench")
	for _, b := range []struct{ out, pkg string }{{bin, "./src/cmd/netfix"}, {benchBin, "./src/cmd/netfixbench"}} {
		build := exec.Command("go", "build", "-o", b.out, b.pkg)
		build.Dir, build.Env = repo, append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", b.pkg, err, out)
		}
	}

	h := netnstest.NewDockerHost(t, "mtx")
	textfile := filepath.Join(dir, "textfile")
	if err := os.Mkdir(textfile, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "netfix.conf")
	body := fmt.Sprintf("config netfix 'main'\n\toption sweep_interval '5'\n\toption log_level 'debug'\n\toption metrics_file '%s/netfix.prom'\n", textfile)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	socket := filepath.Join(dir, "netfix.sock")
	dlog := start(t, h.Host.Command(benchBin, "daemon", "--config", cfg, "--socket", socket, "--state", filepath.Join(dir, "state.json"), "--root", dir))
	waitFor(t, "daemon start", 10*time.Second, func() (bool, string) {
		return strings.Contains(dlog.String(), "watching neighbours"), dlog.String()
	})

	// Two established connections of the container, then S3: the uplink
	// stops forwarding IPv4 while ip_forward stays 1.
	for _, sport := range []string{"40001", "40002"} {
		h.Host.Run("conntrack", "-I", "-p", "tcp", "-s", "172.30.0.2", "-d", "198.51.100.7", "--sport", sport, "--dport", "443",
			"--state", "ESTABLISHED", "--timeout", "600")
	}
	h.SetUplinkForwarding(t, false)
	out, err := exec.Command(bin, "flush", "--ip", "172.30.0.2", "--socket", socket).CombinedOutput()
	if err != nil {
		t.Fatalf("netfix flush: %v\n%s\n%s", err, out, dlog.String())
	}
	t.Logf("netfix flush: %s", strings.TrimSpace(string(out)))

	// netfix metrics, from the daemon over its socket, is valid exposition.
	expo, err := exec.Command(bin, "metrics", "--socket", socket).Output()
	if err != nil {
		t.Fatalf("netfix metrics: %v", err)
	}
	lint := exec.Command(promtool, "check", "metrics")
	lint.Stdin = strings.NewReader(string(expo))
	if out, err := lint.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("promtool check metrics on netfix metrics: %v\n%s", err, out)
	}
	if !strings.Contains(string(expo), `netfix_repairs_total{reason="manual",result="ok"} 1`) {
		t.Errorf("netfix metrics has no repair:\n%s", expo)
	}

	nodePort, promPort := freePort(t), freePort(t)
	nlog := start(t, exec.Command(nodeBin, "--web.listen-address=127.0.0.1:"+fmt.Sprint(nodePort),
		"--collector.disable-defaults", "--collector.textfile", "--collector.textfile.directory="+textfile, "--collector.conntrack"))
	promDir := filepath.Join(dir, "prometheus")
	if err := os.Mkdir(promDir, 0o755); err != nil {
		t.Fatal(err)
	}
	promCfg := filepath.Join(promDir, "prometheus.yml")
	pc := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - %s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:%d']
`, filepath.Join(repo, "docs", "prometheus", "netfix-alerts.yml"), nodePort)
	if err := os.WriteFile(promCfg, []byte(pc), 0o644); err != nil {
		t.Fatal(err)
	}
	plog := start(t, exec.Command(promBin, "--config.file="+promCfg, "--storage.tsdb.path="+filepath.Join(promDir, "data"),
		"--web.listen-address=127.0.0.1:"+fmt.Sprint(promPort)))
	api := fmt.Sprintf("http://127.0.0.1:%d/api/v1/", promPort)
	query := func(q string) (promResult, []byte) { return get(t, api+"query?query="+url.QueryEscape(q)) }
	defer func() {
		if t.Failed() {
			t.Logf("daemon:\n%s\nnode exporter:\n%s\nprometheus:\n%s", dlog.String(), nlog.String(), plog.String())
		}
	}()

	// The repair counter and its latency, as Prometheus scraped them.
	for _, q := range []string{
		`netfix_repairs_total{reason="manual",result="ok"} == 1`,
		`netfix_flows_deleted_total{reason="manual"} == 2`,
		`netfix_repair_duration_seconds_count == 1`,
		`netfix_repair_duration_seconds_sum > 0`,
		`netfix_forwarding_enabled{interface="uplink0",family="ipv4",uplink="true"} == 0`,
		`netfix_finding_active{id="forwarding.interface_disabled"} == 1`,
	} {
		waitFor(t, q, 60*time.Second, func() (bool, string) {
			r, raw := query(q)
			return r.Status == "success" && len(r.Data.Result) == 1, string(raw)
		})
	}
	_, raw := query(`{__name__=~"netfix_repairs_total|netfix_flows_deleted_total|netfix_repair_duration_seconds_(count|sum)",reason=~"manual|"}`)
	t.Logf("Prometheus /api/v1/query after the repair:\n%s", raw)
	if p := os.Getenv("NETFIX_E2E_OUT"); p != "" {
		_ = os.WriteFile(p, raw, 0o644)
	}

	// And the S3 alert fires (for: 1m).
	waitFor(t, "alert NetfixForwardingOffOnUplink firing", 150*time.Second, func() (bool, string) {
		r, raw := get(t, api+"alerts")
		for _, a := range r.Data.Alerts {
			if a.Labels["alertname"] == "NetfixForwardingOffOnUplink" && a.State == "firing" && a.Labels["interface"] == "uplink0" {
				t.Logf("firing: %s", a.Annotations["summary"])
				return true, string(raw)
			}
		}
		return false, string(raw)
	})
	_, raw = get(t, api+"alerts")
	t.Logf("Prometheus /api/v1/alerts:\n%s", raw)

	// A screenshot of the series in Prometheus's own web UI, when asked
	// (docs/prometheus.png is one).
	if shot := os.Getenv("NETFIX_E2E_SCREENSHOT"); shot != "" {
		page := fmt.Sprintf("http://127.0.0.1:%d/graph?g0.expr=%s&g0.tab=1", promPort,
			url.QueryEscape(`{__name__=~"netfix_repairs_total|netfix_repair_duration_seconds_count|netfix_flows_deleted_total|netfix_forwarding_enabled|netfix_finding_active", reason=~"manual|", interface=~"uplink0|"}`))
		cmd := exec.Command("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
			"--window-size=1100,640", "--virtual-time-budget=8000", "--screenshot="+shot, page)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("chromium screenshot: %v\n%s", err, out)
		}
	}
}
