package diagnose

import (
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/status"
)

// IDHealerConfigUnreadable: the daemon runs, but /etc/config/netfix could
// not be read.
const IDHealerConfigUnreadable = "heal.config_unreadable"

// healerConfigUnreadable says that the daemon does not run with what its
// configuration file says, and with what it runs instead.
func healerConfigUnreadable(s facts.Snapshot) []Finding {
	c := s.HealerConfig
	if !s.HealerRunning || c.Error == "" {
		return nil
	}
	title := status.M("The netfix configuration cannot be read: the daemon repairs nothing until it is fixed.")
	if c.Fallback == facts.FallbackLastGood {
		title = status.M("The netfix configuration cannot be read: the daemon keeps the settings it last read.")
	}
	// The service manager that reloads the daemon: procd on OpenWrt,
	// systemd where the .deb installed it.
	reload := "systemctl reload netfix"
	if s.Forwarding.OpenWrt {
		reload = "/etc/init.d/netfix reload"
	}
	return []Finding{newFinding(IDHealerConfigUnreadable, SeverityWarning, title,
		[]status.Msg{status.M("A file that cannot be read never switches repairs on: it may say heal '0'.")},
		[]status.Msg{status.M("configuration error: %s", c.Error)},
		"fix the line named above, then: "+reload)}
}
