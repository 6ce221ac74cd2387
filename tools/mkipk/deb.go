package main

import (
	"bytes"
	"debug/elf"
	"flag"
	"fmt"
	"os"
	"path/filepath"

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
	contents := files.Contents{
		{Source: o.Bin, Destination: BinPath, FileInfo: &files.ContentFileInfo{Mode: 0o755}},
		{Source: filepath.Join(dir, "netfix.service"), Destination: debUnit, FileInfo: &files.ContentFileInfo{Mode: 0o644}},
		{Source: filepath.Join(o.Files, "etc", "config", "netfix"), Destination: debConfig, Type: files.TypeConfig, FileInfo: &files.ContentFileInfo{Mode: 0o600}},
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

// buildDeb writes the .deb into dir.
func buildDeb(o options, dir string) (string, int64, error) {
	info, err := debInfo(o)
	if err != nil {
		return "", 0, err
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
