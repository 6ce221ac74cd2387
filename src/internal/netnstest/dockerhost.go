package netnstest

import (
	"fmt"
	"net"

	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netns"
)

// DockerHost is the S3 shape on the host kernel: a "host" namespace whose
// uplink leads to an "upstream" namespace, and a bridge (docker0) with a
// "container" namespace behind NAT. Upstream runs a UDP echo server at
// UpstreamAddr, so a datagram from the container comes back only if the
// host forwards the reply that arrives on its uplink.
type DockerHost struct {
	Host, Upstream, Container *NS
	Uplink                    string // the host's uplink interface
	Bridge                    string
	UpstreamAddr              *net.UDPAddr
	client                    *net.UDPConn
}

// NewDockerHost builds the namespaces; prefix names them (use the test's
// author so parallel runs do not clash). Everything is removed when t ends.
func NewDockerHost(t testing.TB, prefix string) *DockerHost {
	t.Helper()
	d := &DockerHost{
		Host: New(t, prefix+"-host"), Upstream: New(t, prefix+"-up"), Container: New(t, prefix+"-ctr"),
		Uplink: "uplink0", Bridge: "docker0",
		UpstreamAddr: &net.UDPAddr{IP: net.IPv4(10, 99, 0, 1), Port: 7007},
	}
	h, u, c := d.Host, d.Upstream, d.Container
	h.Run("ip", "link", "add", d.Uplink, "type", "veth", "peer", "name", "up0", "netns", u.Name)
	h.Run("ip", "addr", "add", "10.99.0.2/24", "dev", d.Uplink)
	h.Run("ip", "link", "set", d.Uplink, "up")
	u.Run("ip", "addr", "add", "10.99.0.1/24", "dev", "up0")
	u.Run("ip", "link", "set", "up0", "up")
	h.Run("ip", "route", "add", "default", "via", "10.99.0.1")

	h.Run("ip", "link", "add", d.Bridge, "type", "bridge")
	h.Run("ip", "addr", "add", "172.30.0.1/24", "dev", d.Bridge)
	h.Run("ip", "link", "add", "vethc0", "type", "veth", "peer", "name", "eth0", "netns", c.Name)
	h.Run("ip", "link", "set", "vethc0", "master", d.Bridge)
	h.Run("ip", "link", "set", "vethc0", "up")
	h.Run("ip", "link", "set", d.Bridge, "up")
	c.Run("ip", "addr", "add", "172.30.0.2/24", "dev", "eth0")
	c.Run("ip", "link", "set", "eth0", "up")
	c.Run("ip", "route", "add", "default", "via", "172.30.0.1")

	h.Run("sysctl", "-qw", "net.ipv4.ip_forward=1")
	h.Run("nft", "add table ip nat; add chain ip nat postrouting { type nat hook postrouting priority srcnat; }; add rule ip nat postrouting ip saddr 172.30.0.0/24 oifname "+d.Uplink+" masquerade")

	srv := ListenUDP(t, u, d.UpstreamAddr)
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := srv.ReadFromUDP(buf)
			if err != nil {
				return
			}
			_, _ = srv.WriteToUDP(buf[:n], from)
		}
	}()
	d.client = ListenUDP(t, c, &net.UDPAddr{IP: net.IPv4(172, 30, 0, 2)})
	return d
}

// ListenUDP opens a UDP socket inside ns (a socket stays in the namespace
// it was created in); it is closed when t ends.
func ListenUDP(t testing.TB, ns *NS, addr *net.UDPAddr) *net.UDPConn {
	t.Helper()
	type result struct {
		c   *net.UDPConn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // the thread dies with its namespace: never unlocked
		target, err := netns.GetFromPath(ns.Path())
		if err != nil {
			ch <- result{err: err}
			return
		}
		defer target.Close()
		if err := netns.Set(target); err != nil {
			ch <- result{err: err}
			return
		}
		c, err := net.ListenUDP("udp4", addr)
		ch <- result{c, err}
	}()
	r := <-ch
	if r.err != nil {
		t.Fatalf("udp socket in %s: %v", ns.Name, r.err)
	}
	t.Cleanup(func() { r.c.Close() })
	return r.c
}

// Echo sends one datagram from the container to upstream and reports
// whether the reply came back within wait.
func (d *DockerHost) Echo(wait time.Duration) bool {
	msg := []byte(strconv.FormatInt(time.Now().UnixNano(), 10))
	if _, err := d.client.WriteToUDP(msg, d.UpstreamAddr); err != nil {
		return false
	}
	buf := make([]byte, 64)
	deadline := time.Now().Add(wait)
	for {
		_ = d.client.SetReadDeadline(deadline)
		n, _, err := d.client.ReadFromUDP(buf)
		if err != nil {
			return false
		}
		if string(buf[:n]) == string(msg) {
			return true // older replies that arrived late are skipped
		}
	}
}

// InAddrErrors reads Ip: InAddrErrors of the host namespace.
func (d *DockerHost) InAddrErrors(t testing.TB) uint64 {
	t.Helper()
	out := d.Host.Run("cat", "/proc/net/snmp")
	var names []string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != "Ip:" {
			continue
		}
		if names == nil {
			names = f
			continue
		}
		for i, n := range names {
			if n == "InAddrErrors" {
				v, _ := strconv.ParseUint(f[i], 10, 64)
				return v
			}
		}
	}
	t.Fatalf("no InAddrErrors in the host namespace's /proc/net/snmp:\n%s", out)
	return 0
}

// SetUplinkForwarding writes net.ipv4.conf.<uplink>.forwarding in the host
// namespace.
func (d *DockerHost) SetUplinkForwarding(t testing.TB, on bool) {
	t.Helper()
	v := "0"
	if on {
		v = "1"
	}
	d.Host.Run("sysctl", "-qw", fmt.Sprintf("net.ipv4.conf.%s.forwarding=%s", d.Uplink, v))
}

// UplinkForwarding reads it back.
func (d *DockerHost) UplinkForwarding(t testing.TB) string {
	t.Helper()
	return strings.TrimSpace(d.Host.Run("cat", "/proc/sys/net/ipv4/conf/"+d.Uplink+"/forwarding"))
}
