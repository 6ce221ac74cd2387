package hostconf

import (
	"bufio"
	"bytes"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/rootfs"
)

// networkdKeys are the [Network] keys of a .network file that decide a
// link's forwarding: IPForward= up to systemd 255, IPv4Forwarding= and
// IPv6Forwarding= from 256, and IPMasquerade=, which implies forwarding.
var networkdKeys = map[string]bool{"IPForward": true, "IPv4Forwarding": true, "IPv6Forwarding": true, "IPMasquerade": true}

// networkdConfKeys are networkd.conf's [Network] defaults (systemd ≥ 256).
var networkdConfKeys = map[string]bool{"IPv4Forwarding": true, "IPv6Forwarding": true}

// parseUnitSection returns the lines of section [sec] whose key is in keys,
// in file order (systemd's unit file syntax: later assignments win).
func parseUnitSection(r io.Reader, file, sec string, keys map[string]bool) []facts.ConfigLine {
	var out []facts.ConfigLine
	sc := bufio.NewScanner(r)
	in := false
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
			continue
		case line[0] == '[':
			in = line == "["+sec+"]"
			continue
		case !in:
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if keys[k] {
			out = append(out, facts.ConfigLine{File: file, Line: n, Key: k, Value: strings.TrimSpace(v)})
		}
	}
	return out
}

// networkdDirs are systemd-networkd's configuration directories, highest
// precedence first (systemd.network(5)).
var networkdDirs = []string{"etc/systemd/network", "run/systemd/network", "usr/local/lib/systemd/network", "usr/lib/systemd/network", "lib/systemd/network"}

// readUnitWithDropins reads [sec] keys from path and then from its drop-ins
// (<name>.d/*.conf in every networkd directory, by file name, the first
// directory winning), in the order networkd applies them. path is as
// networkd reports it; root prefixes every read.
func readUnitWithDropins(root, path, sec string, keys map[string]bool, dirs []string) []facts.ConfigLine {
	out := readUnitFile(root, path, sec, keys)
	base := filepath.Base(path) + ".d"
	byName := map[string]string{}
	for _, d := range dirs {
		dir := "/" + d + "/" + base
		ents, err := rootfs.ReadDir(root, dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			// systemd skips directories (conf-files.c): they mask nothing.
			if strings.HasSuffix(e.Name, ".conf") && !e.Dir {
				if _, masked := byName[e.Name]; !masked {
					byName[e.Name] = dir + "/" + e.Name
				}
			}
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out = append(out, readUnitFile(root, byName[n], sec, keys)...)
	}
	return out
}

// readUnitFile reads path below root, resolved inside it (rootfs): a
// regular file of at most maxConfFile bytes.
func readUnitFile(root, path, sec string, keys map[string]bool) []facts.ConfigLine {
	b, err := rootfs.ReadFile(root, path, maxConfFile)
	if err != nil {
		return nil
	}
	return parseUnitSection(bytes.NewReader(b), path, sec, keys)
}

// ReadNetworkFile returns the forwarding keys of a .network file and its
// drop-ins.
func ReadNetworkFile(root, path string) []facts.ConfigLine {
	return readUnitWithDropins(root, path, "Network", networkdKeys, networkdDirs)
}

// ReadNetworkdConf returns networkd.conf's forwarding defaults: the main
// file, then networkd.conf.d drop-ins.
func ReadNetworkdConf(root string) []facts.ConfigLine {
	dirs := []string{"etc/systemd", "run/systemd", "usr/local/lib/systemd", "usr/lib/systemd", "lib/systemd"}
	return readUnitWithDropins(root, "/etc/systemd/networkd.conf", "Network", networkdConfKeys, dirs)
}
