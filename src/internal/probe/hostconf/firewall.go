package hostconf

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/netfix/netfix/src/internal/config"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/rootfs"
)

// ErrConfig: a UCI file exists but cannot be parsed, or the firewall
// config OpenWrt always has is missing.
var ErrConfig = errors.New("configuration file is broken")

// IsOpenWrt reports whether root holds an OpenWrt (or ImmortalWrt) system.
func IsOpenWrt(root string) bool {
	return rootfs.Exists(root, "etc/openwrt_release")
}

// ReadFirewall reads the defaults section of <root>/etc/config/firewall.
// A missing file is reported as Present=false with no error; the caller
// decides whether that is fatal (it is on OpenWrt). A file that exists but
// does not parse returns ErrConfig with the parser's position.
func ReadFirewall(root string) (facts.Firewall, error) {
	return ReadFirewallCached(root, nil)
}

// ReadFirewallCached is ReadFirewall with the parse kept in c between
// probes while the file is unchanged (nil: read afresh).
func ReadFirewallCached(root string, c *UCICache) (facts.Firewall, error) {
	fw := facts.Firewall{Path: rootfs.Join(root, "etc/config/firewall")}
	// Below --root every link resolves inside the root, and only a regular
	// file of bounded size is read (an image may hold anything). Only the
	// defaults section reaches the UCI reader: the rest of the file (rules,
	// ipsets with thousands of entries) is checked for syntax in one pass
	// and dropped (see config.UCI).
	u, body, err := c.read(root, "etc/config/firewall", firewallSections...)
	if errors.Is(err, fs.ErrNotExist) {
		return fw, nil
	}
	fw.Present = true
	if err != nil && body == nil {
		fw.Error = err.Error()
		return fw, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	if err != nil {
		fw.Error = config.DescribeSyntax(body, err)
		return fw, fmt.Errorf("%w: %s; fix that line (or restore the file from /rom/etc/config/firewall)", ErrConfig, fw.Error)
	}
	sections := u.Sections("defaults")
	if len(sections) == 0 {
		// fw4 treats a missing defaults section as all defaults: no
		// offloading.
		return fw, nil
	}
	// fw4 reads the first defaults section only.
	sec := sections[0]
	fw.FlowOffloading = uciBool(u, sec, "flow_offloading")
	fw.FlowOffloadingHW = uciBool(u, sec, "flow_offloading_hw")
	return fw, nil
}

// firewallSections are the section types a probe reads from the firewall
// file: the defaults (ReadFirewallCached) and the zones (ZoneDevices), in one
// parse that a probe's UCICache hands to both.
var firewallSections = []string{"defaults", "zone"}

// uciBool accepts the spellings OpenWrt's config loaders accept.
func uciBool(u *config.UCI, section, option string) bool {
	v, ok := u.GetLast(section, option)
	if !ok {
		return false
	}
	switch strings.ToLower(v) {
	case "1", "on", "true", "yes", "enabled":
		return true
	}
	return false
}
