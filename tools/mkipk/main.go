package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/files"
	"github.com/goreleaser/nfpm/v2/ipk"
)

// exitSkipped tells the Makefile that the LuCI package could not be built
// because luci-app/ has nothing to package yet (not an error).
const exitSkipped = 3

func main() {
	var o options
	var out, mtime string
	flag.StringVar(&o.Kind, "kind", "netfix", "package to build: netfix, luci, i18n (a translation of the LuCI app), collector (prometheus-node-exporter-lua-netfix, -src its feed directory) or deb (Debian/Ubuntu, -arch amd64|arm64)")
	flag.StringVar(&o.Lang, "lang", "zh_Hans", "the po/ directory the translation package is built from (i18n)")
	flag.StringVar(&o.Version, "version", "", "PKG_VERSION, e.g. 0.1.0")
	flag.StringVar(&o.Release, "release", "1", "PKG_RELEASE, a number")
	flag.StringVar(&o.Arch, "arch", "", "OpenWrt architecture of the netfix package")
	flag.StringVar(&o.Bin, "bin", "", "the cross-built netfix binary")
	flag.StringVar(&o.Files, "files", "files", "the tree installed under / (netfix)")
	flag.StringVar(&o.Feed, "feed", "openwrt/netfix/Makefile", "the feed Makefile the control fields come from (netfix)")
	flag.StringVar(&o.LuciDir, "src", "luci-app", "the luci.mk app directory (luci, i18n), the collector's feed directory (collector)")
	flag.StringVar(&o.Format, "format", "ipk", "ipk (opkg, OpenWrt 24.10) or apk (apk-tools, OpenWrt 25.12)")
	flag.StringVar(&out, "out", "build/ipk", "output directory")
	flag.StringVar(&mtime, "mtime", os.Getenv("SOURCE_DATE_EPOCH"), "file times as Unix seconds (default $SOURCE_DATE_EPOCH, else now)")
	flag.Parse()

	var err error
	if o.MTime, err = parseMTime(mtime); err != nil {
		fatal(err)
	}
	p, size, err := build(o, out)
	if o.Kind == "luci" && errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(os.Stderr, "mkipk: skipping luci-app-netfix: %v\n", err)
		os.Exit(exitSkipped)
	}
	if err != nil {
		fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		fatal(err)
	}
	fmt.Printf("%-52s %9d bytes, Installed-Size %9d\n", p, st.Size(), size)
}

// build writes one package into dir and returns its path and its
// Installed-Size.
func build(o options, dir string) (string, int64, error) {
	if err := checkVersion(o.Version, o.Release); err != nil {
		return "", 0, err
	}
	if o.Kind == "deb" {
		return buildDeb(o, dir)
	}
	scratch, err := os.MkdirTemp("", "mkipk")
	if err != nil {
		return "", 0, err
	}
	defer os.RemoveAll(scratch)
	o.Scratch = scratch

	var info *nfpm.Info
	switch o.Kind {
	case "netfix":
		info, err = netfixInfo(o)
	case "luci":
		info, err = luciInfo(o)
	case "i18n":
		info, err = i18nInfo(o)
	case "collector":
		info, err = collectorInfo(o)
	default:
		err = fmt.Errorf("unknown -kind %q: want netfix, luci, i18n or collector", o.Kind)
	}
	if err != nil {
		return "", 0, err
	}

	var pkg []byte
	var size int64
	var name string
	switch o.Format {
	case "ipk", "":
		var buf bytes.Buffer
		if err := ipk.Default.Package(info, &buf); err != nil {
			return "", 0, fmt.Errorf("nfpm: %w", err)
		}
		if pkg, size, err = opkgFixup(buf.Bytes()); err != nil {
			return "", 0, err
		}
		name = fmt.Sprintf("%s_%s_%s.ipk", info.Name, fullVersion(o.Version, o.Release), info.Arch)
	case "apk":
		if pkg, err = packageApk(info, scratch); err != nil {
			return "", 0, err
		}
		for _, c := range info.Contents {
			if c.Type != files.TypeDir && c.Type != files.TypeImplicitDir && c.Type != files.TypeSymlink {
				size += c.Size()
			}
		}
		name = apkFileName(info)
	default:
		return "", 0, fmt.Errorf("unknown -format %q: want ipk or apk", o.Format)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", 0, err
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pkg, 0o644); err != nil {
		return "", 0, err
	}
	return p, size, nil
}

// parseMTime: packages built from the same commit should be the same
// bytes, so file times come from SOURCE_DATE_EPOCH (the Makefile sets it to
// the commit time) rather than the clock.
func parseMTime(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC().Truncate(time.Second), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("mtime %q: want Unix seconds", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "mkipk:", err)
	os.Exit(1)
}
