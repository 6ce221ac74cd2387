package main

import (
	"bytes"
	"debug/elf"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
)

// DebArches are the Debian architectures of the .deb, with the ELF
// machine of the binary each must carry.
var DebArches = map[string]elf.Machine{
	"amd64": elf.EM_X86_64,
	"arm64": elf.EM_AARCH64,
}

// Where the Debian-only sources are (flags of -kind deb).
var (
	debDir    = flag.String("debian", "packaging/debian", "the unit and maintainer scripts of the .deb (deb)")
	debReadme = flag.String("readme", "README.md", "installed as /usr/share/doc/netfix/README.md (deb)")
	debAlerts = flag.String("alerts", "docs/prometheus/netfix-alerts.yml", "Prometheus alert rules, installed as "+debAlertsPath+" (deb)")
)

// Debian layout: the daemon's config is the same UCI-syntax file as on
// OpenWrt (files/etc/config/netfix), kept where Debian keeps package
// configuration; the unit and maintainer scripts are in packaging/debian.
const (
	debConfig = "/etc/netfix/netfix.conf"
	debUnit   = "/usr/lib/systemd/system/netfix.service"
	// debAlertsPath: Prometheus alert rules for the metrics the daemon
	// writes to node exporter's textfile directory (docs/metrics.md).
	debAlertsPath = "/usr/share/netfix/prometheus/netfix-alerts.yml"
)

// debInfo describes netfix_<version>-<release>_<arch>.deb: the binary,
// the hardened systemd unit, the config and the README; no OpenWrt files
// (init script, rpcd plugin).
func debInfo(o options) (*nfpm.Info, error) {
	want, ok := DebArches[o.Arch]
	if !ok {
		return nil, fmt.Errorf("unknown Debian architecture %q (want amd64 or arm64)", o.Arch)
	}
	if err := checkBinary(o.Bin, want); err != nil {
		return nil, err
	}
	dir := *debDir
	conf, err := writeDebConfig(filepath.Join(o.Files, "etc", "config", "netfix"))
	if err != nil {
		return nil, err
	}
	contents := files.Contents{
		{Source: o.Bin, Destination: BinPath, FileInfo: &files.ContentFileInfo{Mode: 0o755}},
		{Source: filepath.Join(dir, "netfix.service"), Destination: debUnit, FileInfo: &files.ContentFileInfo{Mode: 0o644}},
		{Source: conf, Destination: debConfig, Type: files.TypeConfig, FileInfo: &files.ContentFileInfo{Mode: 0o600}},
		{Source: *debReadme, Destination: "/usr/share/doc/netfix/README.md", FileInfo: &files.ContentFileInfo{Mode: 0o644}},
		{Source: *debAlerts, Destination: debAlertsPath, FileInfo: &files.ContentFileInfo{Mode: 0o644}},
	}
	for _, c := range contents {
		if _, err := os.Stat(c.Source); err != nil {
			return nil, fmt.Errorf("deb content: %w", err)
		}
		c.FileInfo.MTime = o.MTime
	}
	info := &nfpm.Info{
		Name:        "netfix",
		Arch:        o.Arch,
		Platform:    "linux",
		Version:     o.Version,
		Release:     o.Release,
		Section:     "net",
		Priority:    "optional",
		Maintainer:  "netfix developers",
		Description: "finds and repairs Linux fast-path faults\n netfix diagnoses flow offloading, conntrack exhaustion, per-interface\n forwarding and bridge netfilter on routers and Docker hosts (netfix check),\n repairs stale offloaded flows as a daemon, and applies the fixes its\n findings offer on request (netfix fix apply|undo).",
		License:     "Apache-2.0",
		MTime:       o.MTime,
	}
	info.Contents = contents
	info.Scripts = nfpm.Scripts{
		PostInstall: filepath.Join(dir, "postinst"),
		PreRemove:   filepath.Join(dir, "prerm"),
		PostRemove:  filepath.Join(dir, "postrm"),
	}
	return info, nil
}

// debConfigEdits are the lines of OpenWrt's config file that name
// OpenWrt's tools, and what a Debian user types instead: the unit's
// ExecReload sends the same SIGHUP as procd's reload, and the daemon's
// lines are in the journal with their priority (sd-daemon prefixes).
var debConfigEdits = []struct{ openwrt, debian string }{
	{"# Apply changes with: /etc/init.d/netfix reload\n", "# Apply changes with: systemctl reload netfix\n"},
	{"(logread -e netfix).\n", "(journalctl -u netfix; -p warning\n\t# shows the warnings and errors only).\n"},
}

// debConfigText is OpenWrt's config file with the lines that name OpenWrt's
// tools told the Debian way: the options and defaults stay one file. A
// line it expects and does not find, or an OpenWrt tool left over, is an
// error, so an edit of the OpenWrt file cannot ship OpenWrt advice to
// Debian.
func debConfigText(openwrt []byte) ([]byte, error) {
	s := string(openwrt)
	for _, e := range debConfigEdits {
		if strings.Count(s, e.openwrt) != 1 {
			return nil, fmt.Errorf("the config file no longer has the line %q once; update debConfigEdits in tools/mkipk/deb.go", strings.TrimSpace(e.openwrt))
		}
		s = strings.Replace(s, e.openwrt, e.debian, 1)
	}
	for _, tool := range []string{"/etc/init.d/", "logread", "uci ", "opkg", "procd"} {
		if strings.Contains(s, tool) {
			return nil, fmt.Errorf("the Debian config file would still mention %q: add its Debian form to debConfigEdits in tools/mkipk/deb.go", tool)
		}
	}
	return []byte(s), nil
}

// writeDebConfig writes debConfigText of the file at path to a temporary
// file and returns its path (nfpm takes files).
func writeDebConfig(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("deb config: %w", err)
	}
	d, err := debConfigText(b)
	if err != nil {
		return "", fmt.Errorf("deb config from %s: %w", path, err)
	}
	dir, err := os.MkdirTemp("", "mkipk-deb-")
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "netfix.conf")
	return out, os.WriteFile(out, d, 0o600)
}

// buildDeb writes the .deb into dir.
func buildDeb(o options, dir string) (string, int64, error) {
	info, err := debInfo(o)
	if err != nil {
		return "", 0, err
	}
	for _, c := range info.Contents {
		if c.Destination == debConfig {
			defer os.RemoveAll(filepath.Dir(c.Source)) // writeDebConfig's
		}
	}
	info = nfpm.WithDefaults(info)
	if err := nfpm.Validate(info); err != nil {
		return "", 0, fmt.Errorf("nfpm: %w", err)
	}
	var buf bytes.Buffer
	if err := deb.Default.Package(info, &buf); err != nil {
		return "", 0, fmt.Errorf("nfpm: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", 0, err
	}
	p := filepath.Join(dir, deb.Default.ConventionalFileName(info))
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		return "", 0, err
	}
	st, err := os.Stat(o.Bin)
	if err != nil {
		return "", 0, err
	}
	return p, st.Size(), nil
}
