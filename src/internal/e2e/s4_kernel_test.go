//go:build kernel

package e2e_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/netnstest"
	"github.com/netfix/netfix/src/internal/status"
)

// The S4 seed on the host kernel: a main bridge with the host address, an
// address-less container bridge joined to it by a veth pair, a "docker"
// bridge with a service on port 5000 published by Docker's DNAT rule
// (`! -i br-docker`, written through iptables-nft as Docker does), and a
// client on the container bridge. The client's request is reset after the
// handshake; netfix names the three faults; `netfix fix apply` makes the
// request work, a second apply changes nothing, undo brings the reset back,
// and every other table stays byte for byte as it was.

const (
	s4Host   = "192.168.137.250"
	s4Client = "192.168.137.248"
	s4Svc    = "172.18.0.4"
)

type s4Lab struct {
	host, client, svc *netnstest.NS
	// ledger and socket are the lab's own: its fixes never touch the
	// host's ledger, and no daemon of the host is asked.
	ledger, socket string
}

func s4Prerequisites(t *testing.T) {
	netnstest.RequireRoot(t)
	for _, tool := range []string{"iptables", "nft", "tcpdump"} {
		if _, err := exec.LookPath(tool); err != nil {
			netnstest.Skip(t, netnstest.Tool, "S4 test: needs %s (bash scripts/deps.sh installs it)", tool)
		}
	}
	if out, _ := exec.Command("iptables", "-V").Output(); !strings.Contains(string(out), "nf_tables") {
		netnstest.Skip(t, netnstest.Tool, "S4 test: needs iptables-nft, as Docker uses it; iptables -V says %q", strings.TrimSpace(string(out)))
	}
	netnstest.LoadModule(t, "br_netfilter") // built in on some kernels; newS4Lab tests the feature
}

func newS4Lab(t *testing.T) *s4Lab {
	s4Prerequisites(t)
	l := &s4Lab{host: netnstest.New(t, "s4host"), client: netnstest.New(t, "s4cli"), svc: netnstest.New(t, "s4svc")}
	if _, err := l.host.Exec("test", "-e", "/proc/sys/net/bridge/bridge-nf-call-iptables"); err != nil {
		netnstest.Skip(t, netnstest.Kernel, "S4 test: bridge netfilter is not available in a network namespace (modprobe br_netfilter; kernel >= 5.3)")
	}
	h := l.host.Run
	for _, c := range [][]string{
		{"ip", "link", "add", "br-main", "type", "bridge"},
		{"ip", "link", "add", "br-lan137", "type", "bridge"},
		{"ip", "link", "add", "br-docker", "type", "bridge"},
		{"ip", "link", "add", "veth137a", "type", "veth", "peer", "name", "veth137b"},
		{"ip", "link", "set", "veth137a", "master", "br-lan137"},
		{"ip", "link", "set", "veth137b", "master", "br-main"},
		{"ip", "link", "add", "vcli", "type", "veth", "peer", "name", "eth0", "netns", l.client.Name},
		{"ip", "link", "set", "vcli", "master", "br-lan137"},
		{"ip", "link", "add", "vsvc", "type", "veth", "peer", "name", "eth0", "netns", l.svc.Name},
		{"ip", "link", "set", "vsvc", "master", "br-docker"},
		{"ip", "addr", "add", s4Host + "/24", "dev", "br-main"},
		{"ip", "addr", "add", "172.18.0.1/16", "dev", "br-docker"},
		{"sysctl", "-qw", "net.ipv4.ip_forward=1"},
		{"sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=1"},
		{"sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0"},
		// Ubuntu's default, as on the seed's NAS.
		{"sysctl", "-qw", "net.ipv4.conf.br-lan137.rp_filter=2"},
		// Only br-main answers ARP for the host address, as in the seed:
		// a client that picks br-lan137's MAC hangs instead of resetting.
		{"sysctl", "-qw", "net.ipv4.conf.br-lan137.arp_ignore=1"},
		// Docker's rules for a published port, through iptables-nft.
		{"iptables", "-t", "nat", "-N", "DOCKER"},
		{"iptables", "-t", "nat", "-A", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j", "DOCKER"},
		{"iptables", "-t", "nat", "-A", "DOCKER", "-i", "br-docker", "-j", "RETURN"},
		{"iptables", "-t", "nat", "-A", "DOCKER", "!", "-i", "br-docker", "-p", "tcp", "--dport", "5000", "-j", "DNAT", "--to-destination", s4Svc + ":5000"},
		{"iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "172.18.0.0/16", "!", "-o", "br-docker", "-j", "MASQUERADE"},
		{"iptables", "-t", "filter", "-A", "FORWARD", "-o", "br-docker", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"},
		// A bystander at raw priority that netfix must leave alone.
		{"nft", `add table inet bystander; add chain inet bystander pre { type filter hook prerouting priority raw; }; add rule inet bystander pre iifname "br-main" counter`},
	} {
		h(c...)
	}
	for _, l := range []string{"br-main", "br-lan137", "br-docker", "veth137a", "veth137b", "vcli", "vsvc"} {
		h("ip", "link", "set", l, "up")
	}
	l.client.Run("ip", "addr", "add", s4Client+"/24", "dev", "eth0")
	l.client.Run("ip", "link", "set", "eth0", "up")
	l.client.Run("ip", "route", "add", "default", "via", s4Host)
	l.svc.Run("ip", "addr", "add", s4Svc+"/16", "dev", "eth0")
	l.svc.Run("ip", "link", "set", "eth0", "up")
	l.svc.Run("ip", "route", "add", "default", "via", "172.18.0.1")
	serve(t, l.svc)
	dir := t.TempDir()
	l.ledger, l.socket = filepath.Join(dir, "fixes.json"), filepath.Join(dir, "no-daemon.sock")
	return l
}

// serve answers every connection on port 5000 in ns with a short HTTP
// reply, like the published container.
func serve(t *testing.T, ns *netnstest.NS) {
	var ln net.Listener
	ns.Do(func() {
		var err error
		if ln, err = net.Listen("tcp4", ":5000"); err != nil {
			t.Fatal(err)
		}
	})
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(3 * time.Second))
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil || line == "\r\n" {
						break
					}
				}
				_, _ = io.WriteString(c, "HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n")
			}()
		}
	}()
}

// Outcomes of one request.
const (
	outOK      = "ok"
	outReset   = "reset"
	outTimeout = "timeout"
)

// request makes one HTTP request from the client to the published port.
func (l *s4Lab) request(t *testing.T) string {
	t.Helper()
	var c net.Conn
	var err error
	l.client.Do(func() { c, err = net.DialTimeout("tcp4", s4Host+":5000", 2*time.Second) })
	if err != nil {
		return classify(t, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.WriteString(c, "GET / HTTP/1.0\r\n\r\n"); err != nil {
		return classify(t, err)
	}
	body, err := io.ReadAll(c)
	if err != nil {
		return classify(t, err)
	}
	if !strings.HasSuffix(string(body), "hello\n") {
		t.Fatalf("unexpected reply %q", body)
	}
	return outOK
}

func classify(t *testing.T, err error) string {
	t.Helper()
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNRESET):
		return outReset
	case errors.As(err, &ne) && ne.Timeout():
		return outTimeout
	}
	t.Fatalf("request failed in an unexpected way: %v", err)
	return ""
}

// s4Marker is the UDP port of the datagram that ends a capture: the client
// sends it after the exchange, through br-lan137 like the exchange, so once
// tcpdump prints it, it has printed every packet the client saw before.
const s4Marker = 5999

// capture records tcpdump's lines for port 5000 on br-lan137 while fn runs.
func (l *s4Lab) capture(t *testing.T, fn func()) []string {
	t.Helper()
	cmd := l.host.Command("tcpdump", "-l", "-nn", "-i", "br-lan137", "tcp port 5000 or udp port "+strconv.Itoa(s4Marker))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errOut, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(errOut)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "listening on") {
				close(ready)
				break
			}
		}
		_, _ = io.Copy(io.Discard, errOut)
	}()
	var mu sync.Mutex
	var lines []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			mu.Lock()
			lines = append(lines, sc.Text())
			mu.Unlock()
		}
	}()
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("tcpdump did not start")
	}
	fn()
	marker := "." + strconv.Itoa(s4Marker) + ":"
	marked := func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, line := range lines {
			if strings.Contains(line, marker) {
				return true
			}
		}
		return false
	}
	for deadline := time.Now().Add(5 * time.Second); !marked(); {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("tcpdump on br-lan137 never showed the client's marker datagram (udp port %d) within 5 s", s4Marker)
		}
		l.client.Do(func() {
			if c, err := net.Dial("udp4", net.JoinHostPort(s4Host, strconv.Itoa(s4Marker))); err == nil {
				_, _ = c.Write([]byte("end of capture"))
				c.Close()
			}
		})
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Signal(os.Interrupt)
	<-done
	_ = cmd.Wait()
	mu.Lock()
	defer mu.Unlock()
	var exchange []string
	for _, line := range lines {
		if !strings.Contains(line, marker) {
			exchange = append(exchange, line)
		}
	}
	return exchange
}

func hasFlag(lines []string, flag string) bool {
	for _, l := range lines {
		if strings.Contains(l, "Flags ["+flag) {
			return true
		}
	}
	return false
}

// withPaths adds the options that point a command at the lab's ledger and
// socket.
func (l *s4Lab) withPaths(args []string) []string {
	switch args[0] {
	case "fix":
		return append(args, "--ledger", l.ledger, "--socket", l.socket)
	case "check":
		return append(args, "--socket", l.socket)
	}
	return args
}

// netfix runs the binary in the host namespace with the lab's ledger.
func (l *s4Lab) netfix(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := l.host.Command(append([]string{netnstest.BuildNetfix(t)}, l.withPaths(args)...)...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

func (l *s4Lab) findings(t *testing.T, args ...string) map[string]status.Finding {
	t.Helper()
	cmd := l.host.Command(append([]string{netnstest.BuildNetfix(t)}, l.withPaths(append([]string{"check", "--json"}, args...))...)...)
	out, _ := cmd.Output()
	var doc status.Document
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("netfix check --json: %v: %s", err, out)
	}
	got := map[string]status.Finding{}
	for _, f := range doc.Findings {
		if strings.HasPrefix(f.ID, "bridge.") || f.ID == "conntrack.double_tracking" {
			got[f.ID] = f
		}
	}
	return got
}

// ruleset is `nft -s list ruleset` (without counter values, which traffic
// changes) and the same without netfix's own table.
func (l *s4Lab) ruleset(t *testing.T) (all, others string) {
	t.Helper()
	out, err := l.host.Command("nft", "-s", "list", "ruleset").Output()
	if err != nil {
		t.Fatal(err)
	}
	all = string(out)
	var b strings.Builder
	skip := false
	for _, line := range strings.SplitAfter(all, "\n") {
		if strings.HasPrefix(line, "table inet netfix {") {
			skip = true
		}
		if !skip {
			b.WriteString(line)
		}
		if skip && strings.HasPrefix(line, "}") {
			skip = false
		}
	}
	return all, b.String()
}

func TestS4BridgedContainersResetAndFix(t *testing.T) {
	l := newS4Lab(t)

	// As the seed found it: rp_filter drops what the DNAT rule routes off
	// the address-less bridge; the request hangs, and netfix names all
	// three faults.
	if got := l.request(t); got != outTimeout {
		t.Fatalf("with rp_filter 2 on br-lan137 the request should hang, got %s", got)
	}
	three := l.findings(t, "--sample", "0")
	for _, id := range []string{"bridge.nf_call_iptables", "bridge.rp_filter_ipless", "conntrack.double_tracking"} {
		f, ok := three[id]
		if !ok {
			t.Fatalf("netfix check did not report %s; got %v", id, keys(three))
		}
		if f.FixAction != "bridge.notrack" || f.FixArgs["bridge"] != "br-lan137" {
			t.Errorf("%s offers %q %v", id, f.FixAction, f.FixArgs)
		}
	}
	before, _ := l.netfix(t, "check")
	t.Logf("netfix check, seed layout:\n%s", before)

	// The seed's second stage: rp_filter off. Now the connection is reset
	// right after the handshake.
	l.host.Run("sysctl", "-qw", "net.ipv4.conf.br-lan137.rp_filter=0")
	var outcome string
	lines := l.capture(t, func() { outcome = l.request(t) })
	if outcome != outReset || !hasFlag(lines, "R") {
		t.Fatalf("request = %s, want reset with an RST on br-lan137; capture:\n%s", outcome, strings.Join(lines, "\n"))
	}
	t.Logf("capture on br-lan137, reset:\n%s", strings.Join(lines, "\n"))

	// While requests fail, check sees the counters grow.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
				l.request(t)
			}
		}
	}()
	sampled := l.findings(t, "--sample", "2s")
	close(stop)
	wg.Wait()
	f := sampled["conntrack.double_tracking"]
	if f.Severity != status.SeverityCritical {
		t.Errorf("double tracking with failing requests: %q, want critical; evidence %v", f.Severity, f.Evidence)
	}
	t.Logf("netfix check --sample 2s while requests fail: [%s] %s\n  %s", f.Severity, f.Title, strings.Join(f.Evidence, "\n  "))
	if _, ok := sampled["bridge.rp_filter_ipless"]; ok {
		t.Error("rp_filter is off: no rp_filter finding expected")
	}

	base, baseOthers := l.ruleset(t)
	if out, code := l.netfix(t, "fix", "apply", "conntrack.double_tracking", "--dry-run"); code != 0 || !strings.Contains(out, "Dry run") {
		t.Fatalf("dry run: %d %s", code, out)
	}
	if all, _ := l.ruleset(t); all != base {
		t.Fatal("a dry run changed the ruleset")
	}
	out, code := l.netfix(t, "fix", "apply", "conntrack.double_tracking")
	if code != 0 || !strings.Contains(out, "Applied") {
		t.Fatalf("fix apply: %d %s", code, out)
	}
	t.Logf("netfix fix apply:\n%s", out)
	applied, appliedOthers := l.ruleset(t)
	if appliedOthers != baseOthers {
		t.Fatalf("fix apply changed other tables:\n--- before\n%s\n--- after\n%s", baseOthers, appliedOthers)
	}
	if !strings.Contains(applied, `iifname "br-lan137" notrack`) {
		t.Fatalf("no notrack rule after apply:\n%s", applied)
	}
	t.Logf("ruleset diff of apply:\n%s", lineDiff(base, applied))

	lines = l.capture(t, func() { outcome = l.request(t) })
	if outcome != outOK || hasFlag(lines, "R") {
		t.Fatalf("after fix apply: %s; capture:\n%s", outcome, strings.Join(lines, "\n"))
	}
	t.Logf("capture on br-lan137, after fix apply:\n%s", strings.Join(lines, "\n"))
	after, code := l.netfix(t, "check")
	if code != 0 {
		t.Errorf("netfix check after the fix exits %d:\n%s", code, after)
	}
	t.Logf("netfix check after fix apply:\n%s", after)

	// A second apply, through a sibling finding that the fix made vanish.
	out, code = l.netfix(t, "fix", "apply", "bridge.nf_call_iptables")
	if code != 0 || !strings.Contains(out, "already in place") {
		t.Fatalf("second apply: %d %s", code, out)
	}
	if again, _ := l.ruleset(t); again != applied {
		t.Fatalf("second apply changed the ruleset:\n%s", lineDiff(applied, again))
	}

	out, code = l.netfix(t, "fix", "undo", "bridge.nf_call_iptables")
	if code != 0 || !strings.Contains(out, "Undid") {
		t.Fatalf("fix undo: %d %s", code, out)
	}
	t.Logf("netfix fix undo:\n%s", out)
	undone, _ := l.ruleset(t)
	if undone != base {
		t.Fatalf("undo did not restore the ruleset byte for byte:\n%s", lineDiff(base, undone))
	}
	t.Logf("ruleset diff of undo:\n%s", lineDiff(applied, undone))
	lines = l.capture(t, func() { outcome = l.request(t) })
	if outcome != outReset || !hasFlag(lines, "R") {
		t.Fatalf("after undo: %s, want the reset back; capture:\n%s", outcome, strings.Join(lines, "\n"))
	}
	if got := l.request(t); got != outReset {
		t.Fatalf("after undo the reset should be back, got %s", got)
	}
	if out, _ := l.netfix(t, "fix", "undo", "bridge.nf_call_iptables"); !strings.Contains(out, "nothing was changed") {
		t.Errorf("second undo: %s", out)
	}
}

func keys(m map[string]status.Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// lineDiff lists lines only in a ("-") or only in b ("+").
func lineDiff(a, b string) string {
	count := map[string]int{}
	for _, l := range strings.Split(a, "\n") {
		count[l]++
	}
	var out []string
	for _, l := range strings.Split(b, "\n") {
		if count[l] > 0 {
			count[l]--
			continue
		}
		out = append(out, "+ "+l)
	}
	for _, l := range strings.Split(a, "\n") {
		if count[l] > 0 {
			count[l]--
			out = append(out, "- "+l)
		}
	}
	return strings.Join(out, "\n")
}

// On OpenWrt the fix goes into fw4's raw_prerouting chain and into the
// include file fw4 copies there on every reload; no table of netfix's own.
func TestS4FixOnFirewall4(t *testing.T) {
	l := newS4Lab(t)
	l.host.Run("sysctl", "-qw", "net.ipv4.conf.br-lan137.rp_filter=0")
	l.host.Run("nft", "add table inet fw4; add chain inet fw4 raw_prerouting { type filter hook prerouting priority raw; }; add chain inet fw4 dstnat { type nat hook prerouting priority dstnat; }")
	root := t.TempDir()
	for p, body := range map[string]string{
		"etc/openwrt_release": "DISTRIB_ID='OpenWrt'\n",
		"etc/config/firewall": "config defaults\n\toption input 'ACCEPT'\n",
	} {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// firewall4 installs the include directory.
	if err := os.MkdirAll(filepath.Join(root, "usr/share/nftables.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := l.request(t); got != outReset {
		t.Fatalf("before the fix: %s, want reset", got)
	}
	base, _ := l.ruleset(t)
	out, code := l.netfix(t, "fix", "apply", "bridge.nf_call_iptables", "--root", root)
	if code != 0 || !strings.Contains(out, "Applied") {
		t.Fatalf("fix apply: %d %s", code, out)
	}
	include := filepath.Join(root, "usr/share/nftables.d/chain-post/raw_prerouting/50-netfix-br-lan137.nft")
	body, err := os.ReadFile(include)
	if err != nil || !strings.Contains(string(body), `iifname "br-lan137" notrack`) {
		t.Fatalf("fw4 include %s: %v %q", include, err, body)
	}
	applied, _ := l.ruleset(t)
	if strings.Contains(applied, "table inet netfix") {
		t.Error("on fw4 netfix must not add a table of its own")
	}
	if d := lineDiff(base, applied); strings.Count(d, "\n") != 0 || !strings.Contains(d, `+ 		iifname "br-lan137" notrack`) {
		t.Errorf("apply on fw4 must add exactly the one rule:\n%s", d)
	}
	if got := l.request(t); got != outOK {
		t.Fatalf("after fix apply on fw4: %s", got)
	}
	out, code = l.netfix(t, "fix", "undo", "bridge.nf_call_iptables", "--root", root)
	if code != 0 || !strings.Contains(out, "removed 2 changes") {
		t.Fatalf("fix undo: %d %s", code, out)
	}
	if undone, _ := l.ruleset(t); undone != base {
		t.Errorf("undo on fw4 did not restore the ruleset:\n%s", lineDiff(base, undone))
	}
	if _, err := os.Stat(include); !os.IsNotExist(err) {
		t.Errorf("include file left after undo: %v", err)
	}
}

// The daemon catches the second entry as it is born, which a dump almost
// never sees, and the live document turns double tracking critical.
func TestS4DaemonCatchesMirrors(t *testing.T) {
	l := newS4Lab(t)
	l.host.Run("sysctl", "-qw", "net.ipv4.conf.br-lan137.rp_filter=0")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "netfix")
	if err := os.WriteFile(cfg, []byte("config netfix 'main'\n\toption enabled '1'\n\toption sweep_interval '30'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "netfix.sock")
	logs := &netnstest.Output{}
	cmd := l.host.Command(netnstest.BuildNetfix(t), "daemon", "--config", cfg, "--socket", sock, "--state", filepath.Join(dir, "state.json"))
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	liveDoc := func() status.Document {
		var doc status.Document
		c := l.host.Command(netnstest.BuildNetfix(t), "status", "--json", "--socket", sock)
		out, _ := c.Output()
		_ = json.Unmarshal(out, &doc)
		return doc
	}
	deadline := time.Now().Add(10 * time.Second)
	for liveDoc().Schema == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("daemon did not answer on %s:\n%s", sock, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The socket answers before the first sweep has started the event
	// listener: wait for it, then fail requests until one is caught.
	for !strings.Contains(logs.String(), "watching conntrack for connections tracked twice") {
		if time.Now().After(deadline) {
			t.Fatalf("the daemon did not start watching conntrack:\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	var doc status.Document
	for {
		if got := l.request(t); got != outReset {
			t.Fatalf("request = %s, want reset", got)
		}
		time.Sleep(100 * time.Millisecond)
		doc = liveDoc()
		if len(doc.BridgeNF.Mirrors) > 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(doc.BridgeNF.Mirrors) == 0 {
		t.Fatalf("the daemon saw no mirrored entry; log:\n%s", logs.String())
	}
	m := doc.BridgeNF.Mirrors[0]
	if !strings.HasPrefix(m.Second, "tcp "+s4Host+":5000 -> "+s4Client+":") || !strings.HasPrefix(m.First, "tcp "+s4Client+":") || m.RewrittenPort == 0 {
		t.Errorf("mirror pair %+v", m)
	}
	var dbl status.Finding
	for _, f := range doc.Findings {
		if f.ID == "conntrack.double_tracking" {
			dbl = f
		}
	}
	if dbl.Severity != status.SeverityCritical || !strings.Contains(strings.Join(dbl.Evidence, "\n"), "mirrors") {
		t.Errorf("live double tracking finding: %s %v", dbl.Severity, dbl.Evidence)
	}

	// `netfix check` has the pairs the daemon caught from its healer
	// state ("healer"), with its own probe: its dump almost never sees one.
	out, _ := l.host.Command(netnstest.BuildNetfix(t), "check", "--json", "--sample", "0", "--socket", sock).Output()
	var checked status.Document
	if err := json.Unmarshal(out, &checked); err != nil {
		t.Fatalf("netfix check --json: %v: %s", err, out)
	}
	caught := false
	for _, cm := range checked.BridgeNF.Mirrors {
		caught = caught || cm.First == m.First && cm.Second == m.Second && cm.RewrittenPort == m.RewrittenPort
	}
	var checkedDbl status.Severity
	for _, f := range checked.Findings {
		if f.ID == "conntrack.double_tracking" {
			checkedDbl = f.Severity
		}
	}
	if !checked.Heal.Running || !caught || checkedDbl != status.SeverityCritical {
		t.Errorf("netfix check: heal running %v, mirrors %+v (want %+v among them), double tracking %q (want critical)",
			checked.Heal.Running, checked.BridgeNF.Mirrors, m, checkedDbl)
	}
	t.Logf("daemon: %s", strings.TrimSpace(logs.String()))
}
