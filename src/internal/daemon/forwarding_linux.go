//go:build linux

// This file watches IP forwarding: the rtnetlink netconf notifications
// (RTNLGRP_IPV4_NETCONF, RTNLGRP_IPV6_NETCONF) turn every flip of a
// forwarding switch into an event with its exact time and old/new value,
// and the opt-in forwarding_guard sets a flipped interface back.

package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	mnl "github.com/mdlayher/netlink"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe"
	"github.com/netfix/netfix/src/internal/report"
	"github.com/netfix/netfix/src/internal/status"
)

// Netconf attributes (include/uapi/linux/netconf.h).
const (
	netconfaIfindex    = 1
	netconfaForwarding = 2
)

// netconfRcvBuf holds a burst: writing ip_forward notifies once per link.
const netconfRcvBuf = 1 << 20

// netconfGroups are the netconf multicast groups as a bind mask (groups
// below 32: bit group-1).
const netconfGroups = 1<<(unix.RTNLGRP_IPV4_NETCONF-1) | 1<<(unix.RTNLGRP_IPV6_NETCONF-1)

// watchForwarding runs until ctx ends. Without the subscription (an old
// kernel, a seccomp filter) flips are still seen by the sweep's findings,
// only without their exact time.
//
// The socket waits in Go's network poller, so ctx's end wakes it through a
// read deadline and an idle router costs nothing: a receive timeout to
// poll ctx (4 wake-ups a second, each also waking the runtime's monitor
// thread) was about a fifth of the daemon's idle CPU.
func (d *Daemon) watchForwarding(ctx context.Context) {
	c, err := mnl.Dial(unix.NETLINK_ROUTE, &mnl.Config{Groups: netconfGroups})
	if err != nil {
		d.log.Warnf("subscribe to forwarding (netconf) notifications: %v; forwarding flips are seen by the sweep only, without their time", err)
		return
	}
	defer c.Close()
	// Past net.core.rmem_max: the daemon runs as root.
	if raw, err := c.SyscallConn(); err == nil {
		_ = raw.Control(func(fd uintptr) {
			_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, netconfRcvBuf)
		})
	}
	stop := context.AfterFunc(ctx, func() { _ = c.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	d.reconcileForwarding(time.Now())
	for {
		msgs, err := c.Receive()
		at := time.Now()
		switch {
		case ctx.Err() != nil:
			return
		case err == nil:
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.ENOBUFS):
			d.log.Warnf("forwarding notifications overran; re-reading every forwarding switch")
			d.reconcileForwarding(at)
			continue
		default:
			d.log.Warnf("forwarding notifications stopped: %v; flips are seen by the sweep only", err)
			return
		}
		for _, m := range msgs {
			d.onNetconf(uint16(m.Header.Type), m.Data, at)
		}
	}
}

// onNetconf handles one RTM_NEWNETCONF / RTM_DELNETCONF message: struct
// netconfmsg (the family, padded to 4 bytes), then attributes.
func (d *Daemon) onNetconf(typ uint16, data []byte, at time.Time) {
	if len(data) < 4 {
		return
	}
	family := ""
	switch data[0] {
	case unix.AF_INET:
		family = "ipv4"
	case unix.AF_INET6:
		family = "ipv6"
	default:
		return
	}
	ad, err := mnl.NewAttributeDecoder(data[4:])
	if err != nil {
		return
	}
	var index int32
	var fwd *bool
	for ad.Next() {
		if len(ad.Bytes()) != 4 {
			continue
		}
		v := int32(ad.Uint32())
		switch ad.Type() {
		case netconfaIfindex:
			index = v
		case netconfaForwarding:
			on := v != 0
			fwd = &on
		}
	}
	if ad.Err() != nil {
		return
	}
	k := fwKey{family, index}
	if typ == unix.RTM_DELNETCONF {
		d.fw.forget(k)
		return
	}
	if typ != unix.RTM_NEWNETCONF || fwd == nil || index == 0 {
		return
	}
	d.forwardingValue(k, *fwd, at)
}

// forwardingValue records a value of one switch; a change of a value known
// before is an event.
func (d *Daemon) forwardingValue(k fwKey, v bool, at time.Time) {
	old, changed := d.fw.change(k, v)
	if !changed {
		return
	}
	e := status.ForwardingEvent{Time: at.UTC(), Family: k.family, Interface: netconfName(k.index), Old: old, New: v}
	if d.config().ForwardingGuard && d.fw.shouldRestore(k, e.Interface, old, v, at) {
		if err := writeForwarding(e.Interface); err != nil {
			e.Error = err.Error()
		} else {
			e.Restored = true
		}
	}
	d.fw.record(e)
	if v {
		d.log.Infof("%s", report.ForwardingEventLine(e))
	} else {
		d.log.Warnf("%s", report.ForwardingEventLine(e))
	}
	// The findings say "since" and name the file at once, not at the
	// next sweep.
	d.kick(wantProbe)
}

// reconcileForwarding reads every forwarding switch: at start it learns
// them silently; after an overrun, differences become events.
func (d *Daemon) reconcileForwarding(at time.Time) {
	read := func(rel string) (bool, bool) {
		b, err := os.ReadFile(filepath.Join("/proc/sys/net", rel))
		if err != nil {
			return false, false
		}
		return strings.TrimSpace(string(b)) != "0", true
	}
	if v, ok := read("ipv4/ip_forward"); ok {
		d.forwardingValue(fwKey{"ipv4", netconfAll}, v, at)
	}
	if v, ok := read("ipv6/conf/all/forwarding"); ok {
		d.forwardingValue(fwKey{"ipv6", netconfAll}, v, at)
	}
	links, err := netlink.LinkList()
	if err != nil {
		return
	}
	for _, l := range links {
		a := l.Attrs()
		for _, fam := range []string{"ipv4", "ipv6"} {
			if v, ok := read(fam + "/conf/" + a.Name + "/forwarding"); ok {
				d.forwardingValue(fwKey{fam, int32(a.Index)}, v, at)
			}
		}
	}
}

// netconfName names a switch: the link, or all/default.
func netconfName(index int32) string {
	switch index {
	case netconfAll:
		return "all"
	case netconfDefault:
		return "default"
	}
	if l, err := netlink.LinkByIndex(int(index)); err == nil {
		return l.Attrs().Name
	}
	return fmt.Sprintf("ifindex %d", index)
}

// writeForwarding is the guard's repair: net.ipv4.conf.<name>.forwarding=1.
func writeForwarding(name string) error {
	p := filepath.Join("/proc/sys/net/ipv4/conf", name, "forwarding")
	if err := os.WriteFile(p, []byte("1\n"), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// forwardingGrowth gives a sweep's snapshot the counters' growth since the
// sample before it (the previous sweep's, or a status read's at least
// windowMin before; a one-shot check samples twice instead).
func (d *Daemon) forwardingGrowth(s *facts.Snapshot, at time.Time) {
	if s.Forwarding.Error != "" {
		return
	}
	d.fw.mu.Lock()
	defer d.fw.mu.Unlock()
	s.Forwarding.Counters, _ = growForwarding(&d.fw.window, at, s.Forwarding.Counters)
	d.fw.window.add(at, s.Forwarding.Counters)
}

// liveCounters reads the forwarding drop counters now, for a status read,
// with their growth over the last seconds (sampleWindow). ok is false
// when they cannot be read or nothing was sampled before.
func (d *Daemon) liveCounters(at time.Time) (facts.ForwardingCounters, bool) {
	c, err := probe.ReadForwardingCounters()
	if err != nil {
		return c, false
	}
	d.fw.mu.Lock()
	defer d.fw.mu.Unlock()
	c, ok := growForwarding(&d.fw.window, at, c)
	d.fw.window.add(at, c)
	return c, ok
}
