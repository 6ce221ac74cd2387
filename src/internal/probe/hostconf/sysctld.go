package hostconf

import (
	"bufio"
	"bytes"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/rootfs"
)

// sysctlDirs are systemd-sysctl's directories in precedence order: a file
// in an earlier directory masks a file of the same name in a later one
// (sysctl.d(5)). OpenWrt's /etc/init.d/sysctl reads /etc/sysctl.d only.
var sysctlDirs = []string{"etc/sysctl.d", "run/sysctl.d", "usr/local/lib/sysctl.d", "usr/lib/sysctl.d", "lib/sysctl.d"}

// maxConfFile bounds a sysctl.d file or a systemd-networkd file, read
// whole: real ones are a few hundred bytes, and the daemon reads the
// sysctl files at every sweep.
const maxConfFile = 1 << 20

// sysctlFiles lists the files in the order they are applied: the union of
// the directories by file name (first directory wins), sorted by file name,
// then /etc/sysctl.conf, which procps' `sysctl --system` and OpenWrt apply
// last (Debian links it in as /etc/sysctl.d/99-sysctl.conf: read once).
// The paths are below root, and every directory and link is resolved
// inside it (rootfs).
func sysctlFiles(root string) []string {
	byName := map[string]string{}
	for _, d := range sysctlDirs {
		ents, err := rootfs.ReadDir(root, d)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if !strings.HasSuffix(e.Name, ".conf") || e.Dir {
				continue
			}
			if _, masked := byName[e.Name]; !masked {
				byName[e.Name] = "/" + d + "/" + e.Name
			}
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []string
	var seen []fs.FileInfo
	for _, n := range append(names, "") {
		p := byName[n]
		if n == "" {
			p = "/etc/sysctl.conf"
		}
		// A link to /dev/null masks the name (systemd's way to disable a
		// vendor file): resolved inside root it is a device, or nothing in
		// an image without /dev; only regular files are read.
		fi, err := rootfs.Stat(root, p)
		if err != nil || !fi.Mode().IsRegular() || sameFile(seen, fi) {
			continue
		}
		seen = append(seen, fi)
		out = append(out, p)
	}
	return out
}

func sameFile(seen []fs.FileInfo, fi fs.FileInfo) bool {
	for _, s := range seen {
		if os.SameFile(s, fi) {
			return true
		}
	}
	return false
}

// ReadSysctlD returns every line of the sysctl files below root that sets
// a forwarding key, in the order they are applied, with Overridden set on
// each line a later line of the same key replaces.
func ReadSysctlD(root string) []facts.SysctlLine {
	var out []facts.SysctlLine
	for _, p := range sysctlFiles(root) {
		b, err := rootfs.ReadFile(root, p, maxConfFile)
		if err != nil {
			continue
		}
		out = append(out, parseSysctl(bytes.NewReader(b), p)...)
	}
	markOverridden(out)
	return out
}

// parseSysctl returns the forwarding lines of one sysctl.d file. file is
// the name to report (below root).
func parseSysctl(f io.Reader, file string) []facts.SysctlLine {
	var out []facts.SysctlLine
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		key := facts.NormalizeSysctlKey(strings.TrimPrefix(strings.TrimSpace(k), "-"))
		if !facts.IsForwardingKey(key) {
			continue
		}
		out = append(out, facts.SysctlLine{ConfigLine: facts.ConfigLine{File: file, Line: n, Key: key, Value: strings.TrimSpace(v)}})
	}
	return out
}

func markOverridden(lines []facts.SysctlLine) {
	last := map[string]int{}
	for i, l := range lines {
		if j, ok := last[l.Key]; ok {
			lines[j].Overridden = true
		}
		last[l.Key] = i
	}
}
