package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/apk"
	"github.com/goreleaser/nfpm/v2/files"
)

// OpenWrt 25.12 installs packages with apk-tools 3, which still reads the
// apk v2 format nfpm writes (gzip streams: control tar with .PKGINFO and
// the scripts, then the data tar). This file turns the description of an
// ipk into the same package for apk, following what OpenWrt's own build
// does (include/package-pack.mk with CONFIG_USE_APK):
//
//   - the architecture is OpenWrt's (mipsel_24kc, aarch64_cortex-a53, ...),
//     "all" becomes "noarch";
//   - the version is PKG_VERSION-rPKG_RELEASE, the file <name>-<version>.apk;
//   - scripts: post-install runs the postinst; post-upgrade the same with
//     PKG_UPGRADE=1; pre-deinstall the prerm; post-deinstall the postrm.
//     apk does not run the old package's pre-deinstall on an upgrade and
//     passes versions as arguments, not configure/upgrade/remove;
//   - /lib/apk/packages/<name>.list (every file), <name>.conffiles (the
//     conffiles, which sysupgrade keeps) and <name>.conffiles_static (each
//     with the sha256 of the shipped file) are part of the data;
//   - the description is one line: apk reads .PKGINFO line by line, and
//     OpenWrt passes `description:$(strip $(Package/<name>/description))`
//     to apk mkpkg, the whole text with every run of spaces and line
//     breaks made one space (nfpm would write the later lines as
//     continuations apk drops: the description ended at its first line);
//   - url is the package's URL, as `--info "url:$(URL)"`.

// ApkPackagesDir is where OpenWrt's apk packages keep their file lists.
const ApkPackagesDir = "/lib/apk/packages"

// apkFileName is OpenWrt's name of a package file (PACK_$(1) in
// package-pack.mk).
func apkFileName(info *nfpm.Info) string {
	return fmt.Sprintf("%s-%s-%s.apk", info.Name, info.Version, info.Release)
}

// apkArch is the arch field OpenWrt's apk packages carry.
func apkArch(arch string) string {
	if arch == "all" {
		return "noarch"
	}
	return arch
}

// apkDescription is the description as OpenWrt's build gives it to apk:
// make's $(strip), every run of whitespace (line breaks included) one
// space, none at the ends.
func apkDescription(desc string) string {
	return strings.Join(strings.Fields(desc), " ")
}

// toApk rewrites an ipk description for the apk packager in place: scripts,
// architecture and the /lib/apk/packages files. scratch is where the
// generated files are written.
func toApk(info *nfpm.Info, scratch string) error {
	info.APK.Arch = apkArch(info.Arch)
	info.Description = apkDescription(info.Description)
	info.Homepage = info.IPK.Fields["URL"]

	s := info.Scripts
	var apkScripts nfpm.Scripts
	var err error
	if s.PostInstall != "" {
		if apkScripts.PostInstall, err = copyScript(scratch, "post-install", s.PostInstall, ""); err != nil {
			return err
		}
		if info.APK.Scripts.PostUpgrade, err = copyScript(scratch, "post-upgrade", s.PostInstall, "export PKG_UPGRADE=1\n"); err != nil {
			return err
		}
	}
	if s.PreRemove != "" {
		if apkScripts.PreRemove, err = copyScript(scratch, "pre-deinstall", s.PreRemove, ""); err != nil {
			return err
		}
	}
	if s.PostRemove != "" {
		if apkScripts.PostRemove, err = copyScript(scratch, "post-deinstall", s.PostRemove, ""); err != nil {
			return err
		}
	}
	info.Scripts = apkScripts

	var conffiles, static []string
	list := []string{ApkPackagesDir + "/" + info.Name + ".list"}
	for _, c := range info.Contents {
		list = append(list, c.Destination)
		if c.Type != files.TypeConfig && c.Type != files.TypeConfigNoReplace {
			continue
		}
		b, err := os.ReadFile(c.Source)
		if err != nil {
			return err
		}
		conffiles = append(conffiles, c.Destination)
		static = append(static, fmt.Sprintf("%s %x", c.Destination, sha256.Sum256(b)))
	}
	sort.Strings(list)
	meta := []struct{ suffix, body string }{{".list", lines(list)}}
	if len(conffiles) > 0 {
		meta = append(meta, struct{ suffix, body string }{".conffiles", lines(conffiles)},
			struct{ suffix, body string }{".conffiles_static", lines(static)})
	}
	for _, m := range meta {
		p := filepath.Join(scratch, info.Name+m.suffix)
		if err := os.WriteFile(p, []byte(m.body), 0o644); err != nil {
			return err
		}
		info.Contents = append(info.Contents, &files.Content{Source: p,
			Destination: ApkPackagesDir + "/" + info.Name + m.suffix, FileInfo: &files.ContentFileInfo{Mode: 0o644}})
	}
	return nil
}

func lines(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return strings.Join(l, "\n") + "\n"
}

// copyScript writes an apk script from an ipk one, with prefix right after
// the #! line, and gives it the package's file time so the control tar is
// the same bytes on every build.
func copyScript(dir, name, src, prefix string) (string, error) {
	b, err := os.ReadFile(src)
	if err != nil {
		return "", err
	}
	if prefix != "" {
		first, rest, _ := bytes.Cut(b, []byte("\n"))
		if !bytes.HasPrefix(first, []byte("#!")) {
			return "", fmt.Errorf("%s: no #! line", src)
		}
		out := make([]byte, 0, len(b)+len(prefix))
		out = append(out, first...)
		out = append(out, '\n')
		out = append(out, prefix...)
		b = append(out, rest...)
	}
	p := filepath.Join(dir, "apk."+name)
	return p, os.WriteFile(p, b, 0o755)
}

// packageApk writes info as an apk and returns its bytes.
func packageApk(info *nfpm.Info, scratch string) ([]byte, error) {
	if err := toApk(info, scratch); err != nil {
		return nil, err
	}
	for _, p := range []string{info.Scripts.PostInstall, info.APK.Scripts.PostUpgrade, info.Scripts.PreRemove, info.Scripts.PostRemove} {
		if p != "" {
			if err := os.Chtimes(p, info.MTime, info.MTime); err != nil {
				return nil, err
			}
		}
	}
	var buf bytes.Buffer
	if err := apk.Default.Package(info, &buf); err != nil {
		return nil, fmt.Errorf("nfpm apk: %w", err)
	}
	return buf.Bytes(), nil
}
