package main

import (
	"bytes"
	"debug/elf"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
	"time"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/files"
)

//go:embed scripts
var scriptFS embed.FS

// Arches are the OpenWrt package architectures netfix is built for, with
// the ELF machine the binary for each must have. The two aarch64 names
// carry the same arm64 binary: Go targets ARMv8.0, which both run.
var Arches = map[string]elf.Machine{
	"mipsel_24kc":        elf.EM_MIPS,
	"aarch64_cortex-a53": elf.EM_AARCH64,
	"aarch64_generic":    elf.EM_AARCH64,
	"x86_64":             elf.EM_X86_64,
}

// BinPath is where the binary lives on the router; the rpcd plugin wrapper
// and the init script call it there.
const BinPath = "/usr/sbin/netfix"

// options are what the command line says; see main.go.
type options struct {
	Kind    string // "netfix", "luci" or "i18n"
	Version string // PKG_VERSION, e.g. 0.1.0
	Release string // PKG_RELEASE, e.g. 1
	Arch    string // OpenWrt architecture (netfix only)
	Bin     string // the cross-built binary (netfix only)
	Files   string // the files/ tree (netfix only)
	Feed    string // openwrt/netfix/Makefile (netfix only)
	LuciDir string // luci-app/ (luci and i18n)
	Lang    string // the po/ directory of a translation, e.g. zh_Hans (i18n only)
	Format  string // "ipk" (default) or "apk"
	MTime   time.Time
	Scratch string // where the maintainer scripts are written for nfpm
}

// netfixInfo describes netfix_<version>_<arch>.ipk. Its name, section,
// description, dependencies and conffiles come from the feed Makefile, so
// that this package and the one the SDK builds say the same.
func netfixInfo(o options) (*nfpm.Info, error) {
	want, ok := Arches[o.Arch]
	if !ok {
		return nil, fmt.Errorf("unknown architecture %q (want one of %s)", o.Arch, strings.Join(archNames(), ", "))
	}
	if err := checkBinary(o.Bin, want); err != nil {
		return nil, err
	}
	mk, err := parseMakefile(o.Feed)
	if err != nil {
		return nil, fmt.Errorf("read feed Makefile: %w", err)
	}
	name := mk.vars["PKG_NAME"]
	if name == "" {
		return nil, fmt.Errorf("%s: no PKG_NAME", o.Feed)
	}
	blk := "Package/" + name
	if _, ok := mk.blocks[blk]; !ok {
		return nil, fmt.Errorf("%s: no define %s", o.Feed, blk)
	}

	contents := files.Contents{{
		Source:      o.Bin,
		Destination: BinPath,
		FileInfo:    &files.ContentFileInfo{Mode: 0o755},
	}}
	tree, err := treeContents(o.Files, "/", netfixMode)
	if err != nil {
		return nil, err
	}
	contents = append(contents, tree...)
	if err := markConffiles(contents, mk.lines(blk+"/conffiles")); err != nil {
		return nil, fmt.Errorf("%s: %w", o.Feed, err)
	}

	info := baseInfo(o, name, o.Arch, mk, blk)
	info.Depends = opkgDepends(mk.blockVar(blk, "DEPENDS"))
	info.Contents = contents
	info.Scripts, err = writeScripts(o.Scratch, "netfix", nil)
	return info, err
}

// luciInfo describes luci-app-netfix_<version>_all.ipk: htdocs/ goes under
// /www and root/ under /, as luci.mk installs them.
func luciInfo(o options) (*nfpm.Info, error) {
	mkPath := filepath.Join(o.LuciDir, "Makefile")
	mk, err := parseMakefile(mkPath)
	if err != nil {
		return nil, fmt.Errorf("read LuCI Makefile: %w", err)
	}
	name := mk.vars["LUCI_NAME"]
	if name == "" {
		name = mk.vars["PKG_NAME"]
	}
	if name == "" || strings.Contains(name, "$(") {
		return nil, fmt.Errorf("%s: set LUCI_NAME (the directory name is not the package name)", mkPath)
	}

	var contents files.Contents
	for _, t := range []struct{ dir, dest string }{{"htdocs", "/www"}, {"root", "/"}} {
		tree, err := treeContents(filepath.Join(o.LuciDir, t.dir), t.dest, sourceMode)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		contents = append(contents, tree...)
	}
	if len(contents) == 0 {
		return nil, fmt.Errorf("%s: no htdocs/ or root/ to package: %w", o.LuciDir, fs.ErrNotExist)
	}
	blk := "Package/" + name
	if err := markConffiles(contents, mk.lines(blk+"/conffiles")); err != nil {
		return nil, fmt.Errorf("%s: %w", mkPath, err)
	}

	info := baseInfo(o, name, "all", mk, blk)
	info.Section = "luci"
	// luci.mk: the description is LUCI_DESCRIPTION, else the title.
	info.Description = mk.vars["LUCI_DESCRIPTION"]
	if info.Description == "" {
		info.Description = mk.vars["LUCI_TITLE"]
	}
	info.Depends = opkgDepends(mk.vars["LUCI_DEPENDS"])
	info.Contents = contents

	var defaults []string
	for _, c := range contents {
		if dir, file := path.Split(c.Destination); dir == "/etc/uci-defaults/" {
			defaults = append(defaults, file)
		}
	}
	sort.Strings(defaults)
	info.Scripts, err = writeScripts(o.Scratch, "luci", defaults)
	return info, err
}

// baseInfo fills the control fields both packages share.
func baseInfo(o options, name, arch string, mk *makefile, blk string) *nfpm.Info {
	desc := strings.Join(mk.lines(blk+"/description"), "\n")
	if title := mk.blockVar(blk, "TITLE"); desc == "" {
		desc = title
	}
	maintainer := mk.vars["PKG_MAINTAINER"]
	if maintainer == "" {
		maintainer = "netfix developers"
	}
	info := &nfpm.Info{
		Name:          name,
		Arch:          arch,
		Platform:      "linux",
		Version:       o.Version,
		Release:       "r" + o.Release,
		VersionSchema: "none",
		Section:       mk.blockVar(blk, "SECTION"),
		Maintainer:    maintainer,
		Description:   desc,
		License:       mk.vars["PKG_LICENSE"],
		MTime:         o.MTime,
	}
	info.IPK.Arch = arch
	// OpenWrt's own packages name their source and home page this way
	// (include/package-pack.mk); opkg ignores fields it does not know.
	info.IPK.Fields = map[string]string{"SourceName": name}
	url := mk.blockVar(blk, "URL")
	if url == "" {
		url = mk.vars["LUCI_URL"] // luci.mk: a LuCI app's URL
	}
	if url != "" {
		info.IPK.Fields["URL"] = url
	}
	return info
}

// checkBinary refuses a binary built for another machine, or one that
// would need a dynamic loader the router may not have.
func checkBinary(p string, want elf.Machine) error {
	f, err := elf.Open(p)
	if err != nil {
		return fmt.Errorf("binary %s: %w", p, err)
	}
	defer f.Close()
	if f.Machine != want {
		return fmt.Errorf("binary %s is for %s, want %s", p, f.Machine, want)
	}
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			return fmt.Errorf("binary %s is dynamically linked; build with CGO_ENABLED=0", p)
		}
	}
	return nil
}

// modeFunc gives the mode of a file at its destination path.
type modeFunc func(dest string, src fs.FileMode) fs.FileMode

// netfixMode follows what the feed Makefile's install section does with
// $(INSTALL_BIN) and $(INSTALL_CONF): programs and scripts 0755 whatever
// the checkout says, UCI configs 0600, the rest 0644.
func netfixMode(dest string, src fs.FileMode) fs.FileMode {
	switch path.Dir(dest) {
	case "/etc/init.d", "/usr/libexec/rpcd", "/usr/sbin", "/usr/bin", "/etc/uci-defaults":
		return 0o755
	case "/etc/config":
		return 0o600
	}
	return sourceMode(dest, src)
}

// sourceMode keeps the executable bit of the checkout, like luci.mk's cp -p.
func sourceMode(_ string, src fs.FileMode) fs.FileMode {
	if src&0o111 != 0 {
		return 0o755
	}
	return 0o644
}

// treeContents lists every file and symlink under dir as a package entry
// below dest, sorted, with explicit modes.
func treeContents(dir, dest string, mode modeFunc) (files.Contents, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, err
	}
	var out files.Contents
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		to := path.Join(dest, filepath.ToSlash(rel))
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out = append(out, &files.Content{Source: target, Destination: to, Type: files.TypeSymlink})
		case d.Type().IsRegular():
			fi, err := d.Info()
			if err != nil {
				return err
			}
			out = append(out, &files.Content{
				Source:      p,
				Destination: to,
				FileInfo:    &files.ContentFileInfo{Mode: mode(to, fi.Mode())},
			})
		default:
			return fmt.Errorf("%s: not a file or a symlink", p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk %s: %w", dir, err)
	}
	return out, nil
}

// markConffiles makes the listed paths conffiles (opkg keeps a user's
// changes to them across upgrades). Each must be a file of the package,
// and every UCI config under /etc/config must be listed.
func markConffiles(contents files.Contents, conffiles []string) error {
	want := map[string]bool{}
	for _, c := range conffiles {
		want[c] = true
	}
	for _, c := range contents {
		switch {
		case want[c.Destination]:
			c.Type = files.TypeConfig
			delete(want, c.Destination)
		case path.Dir(c.Destination) == "/etc/config":
			return fmt.Errorf("%s is a UCI config but not in conffiles", c.Destination)
		}
	}
	for c := range want {
		return fmt.Errorf("conffile %s is not in the package", c)
	}
	return nil
}

// writeScripts renders the maintainer scripts of kind into dir, where nfpm
// reads them.
func writeScripts(dir, kind string, defaults []string) (nfpm.Scripts, error) {
	var s nfpm.Scripts
	for _, sc := range []struct {
		name string
		dst  *string
	}{
		{"postinst", &s.PostInstall},
		{"prerm", &s.PreRemove},
		{"postrm", &s.PostRemove},
	} {
		src, err := scriptFS.ReadFile("scripts/" + kind + "." + sc.name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return s, err
		}
		t, err := template.New(sc.name).Parse(string(src))
		if err != nil {
			return s, fmt.Errorf("%s.%s: %w", kind, sc.name, err)
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, struct{ Defaults []string }{defaults}); err != nil {
			return s, err
		}
		p := filepath.Join(dir, kind+"."+sc.name)
		if err := os.WriteFile(p, buf.Bytes(), 0o755); err != nil {
			return s, err
		}
		*sc.dst = p
	}
	return s, nil
}

func archNames() []string {
	var names []string
	for a := range Arches {
		names = append(names, a)
	}
	sort.Strings(names)
	return names
}
