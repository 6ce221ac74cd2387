//go:build linux && !nodbus

package hostconf

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/smalljson"
)

// networkdTimeout bounds everything netfix asks systemd-networkd over
// D-Bus together: a hung bus or daemon must never hang a check.
const networkdTimeout = 2 * time.Second

const (
	networkdName = "org.freedesktop.network1"
	networkdPath = dbus.ObjectPath("/org/freedesktop/network1")
	networkdMgr  = "org.freedesktop.network1.Manager"
	systemdName  = "org.freedesktop.systemd1"
	systemdPath  = dbus.ObjectPath("/org/freedesktop/systemd1")
)

// AskNetworkd asks systemd-networkd on the system bus which .network file
// manages each named link, and systemd's version. It returns a note (no
// bus, networkd not running) instead of an error when there is nothing to
// ask, and never takes longer than networkdTimeout.
func AskNetworkd(names []string) NetworkdAnswer {
	ctx, cancel := context.WithTimeout(context.Background(), networkdTimeout)
	defer cancel()
	if addr := os.Getenv("DBUS_SYSTEM_BUS_ADDRESS"); addr == "" {
		if _, err := os.Stat("/run/dbus/system_bus_socket"); err != nil {
			return NetworkdAnswer{State: facts.NetworkdNoBus}
		}
	}
	done := make(chan NetworkdAnswer, 1)
	var conn *dbus.Conn
	connCh := make(chan *dbus.Conn, 1)
	go func() {
		c, err := dbus.SystemBusPrivate(dbus.WithContext(ctx))
		if err == nil {
			connCh <- c
			if err = c.Auth(nil); err == nil {
				err = c.Hello()
			}
		}
		if err != nil {
			done <- NetworkdAnswer{State: facts.NetworkdBusError, Error: fmt.Sprintf("connect to the system D-Bus: %v", err)}
			return
		}
		done <- queryNetworkd(ctx, c, names)
	}()
	var a NetworkdAnswer
	select {
	case a = <-done:
	case <-ctx.Done():
		a = NetworkdAnswer{State: facts.NetworkdTimeout, Error: fmt.Sprintf("no answer within %s", networkdTimeout)}
	}
	select {
	case conn = <-connCh:
		conn.Close()
	default:
	}
	return a
}

func queryNetworkd(ctx context.Context, c *dbus.Conn, names []string) NetworkdAnswer {
	var has bool
	if err := c.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, networkdName).Store(&has); err != nil {
		return NetworkdAnswer{State: facts.NetworkdBusError, Error: fmt.Sprintf("NameHasOwner: %v", err)}
	}
	if !has {
		return NetworkdAnswer{State: facts.NetworkdNotRunning}
	}
	a := NetworkdAnswer{State: facts.NetworkdRunning, Files: map[string]string{}}
	a.Version = systemdVersion(ctx, c)
	mgr := c.Object(networkdName, networkdPath)
	for _, name := range names {
		var idx int32
		var path dbus.ObjectPath
		if err := mgr.CallWithContext(ctx, networkdMgr+".GetLinkByName", 0, name).Store(&idx, &path); err != nil {
			// Not a link networkd knows (it was created in another
			// namespace or after networkd's last enumeration).
			continue
		}
		var desc string
		if err := mgr.CallWithContext(ctx, networkdMgr+".DescribeLink", 0, idx).Store(&desc); err != nil {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				a.Error = fmt.Sprintf("DescribeLink %s: no answer within %s", name, networkdTimeout)
				break
			}
			continue
		}
		if f := networkFileOf(desc); f != "" {
			a.Files[name] = f
		}
	}
	return a
}

// networkFileOf picks the .network file out of DescribeLink's JSON.
func networkFileOf(desc string) string {
	var d struct {
		NetworkFile string `json:"NetworkFile"`
	}
	if smalljson.Unmarshal([]byte(desc), &d) != nil {
		return ""
	}
	return d.NetworkFile
}

// systemdVersion asks systemd (PID 1) for its version, falling back to the
// version in the name of libsystemd-shared, which networkd links against.
func systemdVersion(ctx context.Context, c *dbus.Conn) int {
	var v dbus.Variant
	err := c.Object(systemdName, systemdPath).CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0, systemdName+".Manager", "Version").Store(&v)
	if err == nil {
		if s, ok := v.Value().(string); ok {
			if n := leadingInt(strings.TrimPrefix(strings.TrimSpace(s), "v")); n > 0 {
				return n
			}
		}
	}
	return SharedLibVersion("/")
}
