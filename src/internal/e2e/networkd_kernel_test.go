//go:build kernel

package e2e_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/netfix/netfix/src/internal/diagnose"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/netnstest"
	"github.com/netfix/netfix/src/internal/status"
)

// busConfig is a private system bus that lets anything own and call
// anything: the test's networkd and netfix are its only clients.
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/>
  </policy>
</busconfig>
`

// networkdScript runs systemd-networkd in its own mount namespace inside
// the test's network namespace, so it manages only the test's links and
// sees only the test's configuration: /sys read-only (networkd then does
// not wait for udev, as in a container), a private /run/systemd for its
// state, the test's .network files and networkd.conf bound over the
// system's, and the private bus.
const networkdScript = `set -e
mount --make-rprivate /
mount -o remount,bind,ro /sys
mount -t tmpfs tmpfs /run/systemd
mkdir -p /run/systemd/netif/links /run/systemd/netif/leases /run/systemd/netif/lldp
chown -R systemd-network:systemd-network /run/systemd/netif
mkdir -p /etc/systemd/network
mount --bind %[1]s/etc/systemd/network /etc/systemd/network
mount --bind %[2]s /usr/lib/systemd/network
mount --bind %[1]s/etc/systemd/networkd.conf /etc/systemd/networkd.conf
exec %[3]s
`

const uplinkNetwork = `[Match]
Name=uplink0

[Network]
# The test bed already configured uplink0: networkd only has to own it.
KeepConfiguration=yes
LinkLocalAddressing=no
`

func networkdBinary() string {
	for _, p := range []string{"/usr/lib/systemd/systemd-networkd", "/lib/systemd/systemd-networkd"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// A real systemd-networkd (Debian's) on a private dbus-daemon manages the
// uplink of the S3 host namespace: netfix must name its .network file and
// the key for this systemd version; before networkd runs, the check must
// say "not running" and still complete.
func TestNetworkdNamesTheNetworkFile(t *testing.T) {
	netnstest.RequireRoot(t)
	nd := networkdBinary()
	if nd == "" {
		netnstest.Skip(t, netnstest.Tool, "needs systemd-networkd (apt-get install systemd; systemd-networkd from Debian 13)")
	}
	for _, tool := range []string{"dbus-daemon", "unshare", "nsenter", "networkctl"} {
		if _, err := exec.LookPath(tool); err != nil {
			netnstest.Skip(t, netnstest.Tool, "needs %s (apt-get install dbus-daemon util-linux systemd)", tool)
		}
	}
	if _, err := user.Lookup("systemd-network"); err != nil {
		netnstest.Skip(t, netnstest.Tool, "needs the systemd-network user (apt-get install systemd)")
	}
	d := netnstest.NewDockerHost(t, "s3nd")
	// networkd drops to the systemd-network user: it must reach the bus
	// socket and read the configuration below the test's directory.
	dir := t.TempDir()
	for _, p := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	root := filepath.Join(dir, "root")
	for path, body := range map[string]string{
		"etc/config/firewall":                    "config defaults\n",
		"etc/systemd/network/10-uplink0.network": uplinkNetwork,
		"etc/systemd/networkd.conf":              "[Network]\nManageForeignRoutes=no\nManageForeignRoutingPolicyRules=no\n",
		"usr-lib-systemd-network-empty/.keep":    "",
	} {
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sock := filepath.Join(dir, "bus.sock")
	if err := os.WriteFile(filepath.Join(dir, "bus.conf"), []byte(fmt.Sprintf(busConfig, sock)), 0o644); err != nil {
		t.Fatal(err)
	}
	bus := exec.Command("dbus-daemon", "--config-file="+filepath.Join(dir, "bus.conf"), "--nofork")
	if err := bus.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopProcess(bus) })
	busAddr := "unix:path=" + sock
	waitFor(t, "the private bus socket", func() bool { _, err := os.Stat(sock); return err == nil })
	env := append(os.Environ(), "DBUS_SYSTEM_BUS_ADDRESS="+busAddr)
	check := func() (status.Document, time.Duration) {
		cmd := d.Host.Command(netnstest.BuildNetfix(t), "check", "--json", "--root", root, "--socket", filepath.Join(dir, "none.sock"))
		cmd.Env = env
		start := time.Now()
		out, _ := cmd.Output()
		took := time.Since(start)
		doc := mustDoc(t, out)
		return doc, took
	}

	// 1. Bus up, networkd not running: a clear note, and the check ends.
	d.SetUplinkForwarding(t, false)
	doc, took := check()
	if st := doc.Forwarding.Networkd.State; st != facts.NetworkdNotRunning {
		t.Errorf("networkd state %q before networkd started, want %q", st, facts.NetworkdNotRunning)
	}
	if f := finding(doc, diagnose.IDForwardingInterface); f == nil || !strings.Contains(strings.Join(f.Evidence, "\n"), "systemd-networkd is not running") {
		t.Errorf("finding %+v lacks the 'not running' note", f)
	}
	t.Logf("check without networkd took %s (2 s of it sampling the counters)", took.Round(time.Millisecond))

	// 2. networkd up and managing uplink0.
	var log netnstest.Output
	ndCmd := d.Host.Command("unshare", "-m", "sh", "-c", fmt.Sprintf(networkdScript, root, filepath.Join(root, "usr-lib-systemd-network-empty"), nd))
	ndCmd.Env = env
	ndCmd.Stdout, ndCmd.Stderr = &log, &log
	if err := ndCmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopProcess(ndCmd)
		if t.Failed() {
			t.Logf("systemd-networkd output:\n%s", log.String())
		}
	})
	waitFor(t, "networkd to own org.freedesktop.network1 and configure uplink0", func() bool {
		return ownsName(busAddr, "org.freedesktop.network1") && strings.Contains(log.String(), "uplink0: Configuring with")
	})
	d.SetUplinkForwarding(t, false)
	doc, _ = check()
	nwd := doc.Forwarding.Networkd
	up, _ := doc.Forwarding.Interface(d.Uplink)
	if nwd.State != facts.NetworkdRunning || nwd.Version == 0 {
		t.Fatalf("networkd = %+v, want running with a version; networkd log:\n%s", nwd, log.String())
	}
	if up.NetworkFile != "/etc/systemd/network/10-uplink0.network" {
		t.Errorf("uplink0's network file %q, want /etc/systemd/network/10-uplink0.network", up.NetworkFile)
	}
	f := finding(doc, diagnose.IDForwardingInterface)
	if f == nil || !strings.Contains(f.Detail, "/etc/systemd/network/10-uplink0.network") {
		t.Fatalf("finding %+v does not name the .network file", f)
	}
	t.Logf("netfix check against systemd-networkd %d:\n%s\n  why: %s\n  fix: %s", nwd.Version, f.Title, f.Detail, f.Fix)

	// 3. Does this networkd write per-link forwarding itself? From
	// systemd 256 (link_set_ip_forwarding) it does, from IPv4Forwarding=;
	// 228-255 only ever write the global ip_forward=1.
	reconfigure := func() {
		before := strings.Count(log.String(), "uplink0: Configuring with")
		c := exec.Command("nsenter", "-t", fmt.Sprint(ndCmd.Process.Pid), "-m", "-n", "networkctl", "reconfigure", "uplink0")
		c.Env = env
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("networkctl reconfigure: %v: %s", err, out)
		}
		waitFor(t, "networkd to reconfigure uplink0", func() bool { return strings.Count(log.String(), "uplink0: Configuring with") > before })
		// The sysctl writes follow that log line and come before the link's
		// setup state is "configured" again.
		waitFor(t, "networkd to finish configuring uplink0", func() bool {
			c := exec.Command("nsenter", "-t", fmt.Sprint(ndCmd.Process.Pid), "-m", "-n", "networkctl", "list", "--no-legend", "--no-pager", "uplink0")
			c.Env = env
			out, _ := c.Output()
			return strings.Contains(string(out), " configured")
		})
	}
	if nwd.Version >= facts.SystemdPerLinkForwarding {
		// The seed, with today's keys: a file that says no.
		writeFile(t, filepath.Join(root, "etc/systemd/network/10-uplink0.network.d/20-off.conf"), "[Network]\nIPv4Forwarding=no\n")
		d.SetUplinkForwarding(t, true)
		reconfigure()
		if v := d.UplinkForwarding(t); v != "0" {
			t.Fatalf("networkd %d with IPv4Forwarding=no left forwarding at %s", nwd.Version, v)
		}
		doc, _ = check()
		if f := finding(doc, diagnose.IDForwardingInterface); f == nil || !strings.Contains(f.Detail, "IPv4Forwarding=no") {
			t.Errorf("finding %+v does not name the IPv4Forwarding=no line", f)
		}
		return
	}
	d.SetUplinkForwarding(t, true)
	reconfigure()
	if v := d.UplinkForwarding(t); v != "1" {
		t.Fatalf("networkd %d wrote per-link forwarding %s: the version table in facts.SystemdPerLinkForwarding is wrong", nwd.Version, v)
	}
	t.Logf("systemd-networkd %d leaves per-link forwarding alone on reconfigure (it only writes the global ip_forward=1): the seed's per-link 0 cannot be reproduced with this networkd", nwd.Version)
	if !strings.Contains(f.Fix, "sysctl -w net.ipv4.conf.uplink0.forwarding=1") {
		t.Errorf("fix %q: for networkd < 256 the lasting fix is the sysctl", f.Fix)
	}
}

func finding(doc status.Document, id string) *status.Finding {
	for i := range doc.Findings {
		if doc.Findings[i].ID == id {
			return &doc.Findings[i]
		}
	}
	return nil
}

func ownsName(addr, name string) bool {
	c, err := dbus.Connect(addr)
	if err != nil {
		return false
	}
	defer c.Close()
	var has bool
	return c.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has) == nil && has
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stopProcess ends a process the test started: SIGTERM, then SIGKILL.
func stopProcess(c *exec.Cmd) {
	if c.Process == nil {
		return
	}
	_ = c.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = c.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = c.Process.Kill()
		<-done
	}
}

func writeFile(t *testing.T, p, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustDoc(t *testing.T, out []byte) status.Document {
	t.Helper()
	var doc status.Document
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("netfix check --json printed no document (%v): %s", err, out)
	}
	return doc
}
