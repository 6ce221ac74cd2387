package main

// Tests of the apk packages of `make apk` (OpenWrt 25.12, apk-tools 3
// reading the apk v2 format): structure, .PKGINFO fields, scripts, the
// /lib/apk/packages files, reproducible bytes, and the scripts run with the
// arguments apk passes. They read build/apk (NETFIX_APK_DIR) the way
// apk-tools does: a concatenation of gzip streams (control tar without its
// end-of-archive, then the data tar), the data stream's sha256 in
// .PKGINFO's datahash.

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/files"

	"github.com/netfix/netfix/tools/mkipk/lmo"
)

// apkPkg is an apk v2 package taken apart.
type apkPkg struct {
	path    string
	streams [][]byte            // the compressed gzip streams, as stored
	info    map[string][]string // .PKGINFO: key → values in order
	control map[string]*tarFile // .PKGINFO and the scripts
	data    map[string]*tarFile // data entries by absolute path
	mtime   time.Time
}

type tarFile struct {
	hdr  *tar.Header
	body []byte
}

func readApk(t *testing.T, p string) *apkPkg {
	t.Helper()
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	a := &apkPkg{path: p, info: map[string][]string{}, control: map[string]*tarFile{}, data: map[string]*tarFile{}}
	// gzip members one by one; bytes.Reader is an io.ByteReader, so the
	// decompressor stops exactly at each member's end.
	r := bytes.NewReader(raw)
	var plain [][]byte
	for r.Len() > 0 {
		start := len(raw) - r.Len()
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatalf("%s: gzip stream at byte %d: %v", p, start, err)
		}
		zr.Multistream(false)
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: gzip stream at byte %d: %v", p, start, err)
		}
		a.streams = append(a.streams, raw[start:len(raw)-r.Len()])
		plain = append(plain, b)
	}
	if len(a.streams) != 2 {
		t.Fatalf("%s: %d gzip streams, want 2 (control, data; unsigned)", p, len(a.streams))
	}
	// apk reads the streams as one tar: the control part must not end it.
	tr := tar.NewReader(bytes.NewReader(append(append([]byte{}, plain[0]...), plain[1]...)))
	inData := false
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: the streams do not read as one tar: %v", p, err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h.Name, ".") {
			inData = true
		}
		if !inData {
			a.control[h.Name] = &tarFile{h, body}
			continue
		}
		a.data["/"+strings.TrimPrefix(h.Name, "./")] = &tarFile{h, body}
		a.mtime = h.ModTime
	}
	pi, ok := a.control[".PKGINFO"]
	if !ok {
		t.Fatalf("%s: no .PKGINFO", p)
	}
	sc := bufio.NewScanner(bytes.NewReader(pi.body))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " = ")
		if ok {
			a.info[k] = append(a.info[k], v)
		}
	}
	return a
}

func (a *apkPkg) one(t *testing.T, key string) string {
	t.Helper()
	if len(a.info[key]) != 1 {
		t.Errorf("%s: .PKGINFO has %d %q lines, want 1", filepath.Base(a.path), len(a.info[key]), key)
		return ""
	}
	return a.info[key][0]
}

func (a *apkPkg) files() []string {
	var out []string
	for n, f := range a.data {
		if f.hdr.Typeflag != tar.TypeDir {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// checkApk: the fields, scripts and /lib/apk/packages files every apk of
// netfix must have. ipk is the same package as an ipk, for comparison.
func checkApk(t *testing.T, a *apkPkg, u *unpacked, name, version, arch string) {
	t.Helper()
	if got := filepath.Base(a.path); got != name+"-"+version+".apk" {
		t.Errorf("file name %s, want %s-%s.apk (OpenWrt's PACK name)", got, name, version)
	}
	for k, want := range map[string]string{"pkgname": name, "pkgver": version, "arch": arch} {
		if got := a.one(t, k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	// The whole description on one line (apk reads one), and the URL.
	if got, want := a.one(t, "pkgdesc"), strings.Join(strings.Fields(u.control["Description"]), " "); got != want || want == "" {
		t.Errorf("pkgdesc = %q, want the ipk's whole description on one line %q", got, want)
	}
	if got, want := a.one(t, "url"), u.control["URL"]; got != want || want == "" {
		t.Errorf("url = %q, want the ipk's URL %q", got, want)
	}
	for _, line := range strings.Split(string(a.control[".PKGINFO"].body), "\n") {
		if line != "" && !strings.Contains(line, " = ") && !strings.HasPrefix(line, "#") {
			t.Errorf(".PKGINFO line %q is not key = value (apk drops it)", line)
		}
	}
	var ipkDeps []string
	for _, d := range strings.Split(u.control["Depends"], ",") {
		if d = strings.TrimSpace(d); d != "" {
			ipkDeps = append(ipkDeps, d)
		}
	}
	if !reflect.DeepEqual(a.info["depend"], ipkDeps) {
		t.Errorf("depend %q, want the ipk's %q", a.info["depend"], ipkDeps)
	}
	sum := sha256.Sum256(a.streams[1])
	if got := a.one(t, "datahash"); got != hex.EncodeToString(sum[:]) {
		t.Errorf("datahash %s, but the data stream hashes to %x", got, sum)
	}
	var size int64
	for _, f := range a.data {
		if f.hdr.Typeflag == tar.TypeReg {
			size += int64(len(f.body))
		}
	}
	if got := a.one(t, "size"); got != strconv.FormatInt(size, 10) {
		t.Errorf("size %s, want %d (the data files)", got, size)
	}

	// Scripts: apk's names, each the ipk one (post-upgrade with
	// PKG_UPGRADE=1), nothing else.
	want := map[string]string{".post-install": "postinst", ".post-upgrade": "postinst", ".pre-deinstall": "prerm", ".post-deinstall": "postrm"}
	for n := range a.control {
		if n == ".PKGINFO" {
			continue
		}
		if _, ok := want[n]; !ok {
			t.Errorf("unexpected control entry %s", n)
		}
	}
	for n, ipkName := range want {
		ipkScript, err := os.ReadFile(filepath.Join(u.ctlDir, ipkName))
		if os.IsNotExist(err) {
			if _, ok := a.control[n]; ok {
				t.Errorf("%s exists but the ipk has no %s", n, ipkName)
			}
			continue
		}
		f, ok := a.control[n]
		if !ok {
			t.Errorf("no %s (the ipk has %s)", n, ipkName)
			continue
		}
		wantBody := string(ipkScript)
		if n == ".post-upgrade" {
			wantBody = "#!/bin/sh\nexport PKG_UPGRADE=1\n" + strings.TrimPrefix(wantBody, "#!/bin/sh\n")
		}
		if string(f.body) != wantBody {
			t.Errorf("%s differs from the ipk's %s:\n%s", n, ipkName, f.body)
		}
		if f.hdr.Mode&0o777 != 0o755 {
			t.Errorf("%s: mode %o, want 755", n, f.hdr.Mode)
		}
	}

	// The data: the ipk's files, byte for byte, plus /lib/apk/packages.
	meta := ApkPackagesDir + "/" + name
	var wantFiles []string
	for _, f := range u.regularFiles() {
		wantFiles = append(wantFiles, f)
		b, _ := os.ReadFile(filepath.Join(u.dataDir, f))
		if af, ok := a.data[f]; !ok || !bytes.Equal(af.body, b) {
			t.Errorf("%s: missing or not the ipk's bytes", f)
		}
	}
	list := append(append([]string{}, wantFiles...), meta+".list")
	sort.Strings(list)
	wantFiles = append(wantFiles, meta+".list")
	var conffiles, static []string
	for _, c := range strings.Fields(readFileOr(filepath.Join(u.ctlDir, "conffiles"))) {
		conffiles = append(conffiles, c)
		s := sha256.Sum256(a.data[c].body)
		static = append(static, fmt.Sprintf("%s %x", c, s))
	}
	if len(conffiles) > 0 {
		wantFiles = append(wantFiles, meta+".conffiles", meta+".conffiles_static")
		if got := string(a.data[meta+".conffiles"].body); got != strings.Join(conffiles, "\n")+"\n" {
			t.Errorf("%s.conffiles is %q, want the ipk's conffiles %q", meta, got, conffiles)
		}
		if got := string(a.data[meta+".conffiles_static"].body); got != strings.Join(static, "\n")+"\n" {
			t.Errorf("%s.conffiles_static is %q, want %q", meta, got, static)
		}
	}
	sort.Strings(wantFiles)
	if got := a.files(); !reflect.DeepEqual(got, wantFiles) {
		t.Errorf("files %q, want %q", got, wantFiles)
	}
	if got, ok := a.data[meta+".list"]; !ok || string(got.body) != strings.Join(list, "\n")+"\n" {
		t.Errorf("%s.list does not list every file of the package", meta)
	}
}

func readFileOr(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}

func needApk(t *testing.T) (pkgEnv, string) {
	t.Helper()
	e := needPackages(t)
	dir := os.Getenv("NETFIX_APK_DIR")
	if dir == "" {
		t.Fatal("NETFIX_APK_DIR must be set with NETFIX_IPK_DIR (make pkg-test sets both)")
	}
	return e, dir
}

func TestApkPackages(t *testing.T) {
	e, dir := needApk(t)
	full := fullVersion(e.version, e.release)
	for arch := range buildDirOf {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			a := readApk(t, filepath.Join(dir, arch, "netfix-"+full+".apk"))
			u := unpack(t, filepath.Join(e.ipkDir, fmt.Sprintf("netfix_%s_%s.ipk", full, arch)))
			checkApk(t, a, u, "netfix", full, arch)
			if got := string(a.data[ApkPackagesDir+"/netfix.conffiles"].body); got != "/etc/config/netfix\n" {
				t.Errorf("netfix.conffiles is %q: sysupgrade would not keep /etc/config/netfix", got)
			}
		})
	}
	mk, err := parseMakefile(filepath.Join(e.root, "luci-app", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	luciFull := fullVersion(e.version, or(mk.vars["PKG_RELEASE"], "1"))
	for _, name := range []string{"luci-app-netfix", "luci-i18n-netfix-zh-cn"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := readApk(t, filepath.Join(dir, name+"-"+luciFull+".apk"))
			u := unpack(t, filepath.Join(e.ipkDir, fmt.Sprintf("%s_%s_all.ipk", name, luciFull)))
			checkApk(t, a, u, name, luciFull, "noarch")
			if name != "luci-i18n-netfix-zh-cn" {
				return
			}
			f, err := lmo.Open(a.data[I18nLibDir+"/netfix.zh-cn.lmo"].body)
			if err != nil {
				t.Fatal(err)
			}
			if s, ok := f.Translate("", "Critical"); !ok || s != "严重" {
				t.Errorf("the catalog says %q (found %v) for Critical, want 严重", s, ok)
			}
		})
	}
}

// Two builds of the same commit are the same bytes.
func TestApkReproducible(t *testing.T) {
	e, dir := needApk(t)
	full := fullVersion(e.version, e.release)
	p := filepath.Join(dir, "x86_64", "netfix-"+full+".apk")
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	o := options{
		Kind: "netfix", Format: "apk", Version: e.version, Release: e.release, Arch: "x86_64",
		Bin:   filepath.Join(e.buildDir, "x86_64", "netfix"),
		Files: filepath.Join(e.root, "files"), Feed: filepath.Join(e.root, "openwrt/netfix/Makefile"),
		MTime: readApk(t, p).mtime,
	}
	again, _, err := build(o, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(again)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, raw) {
		t.Errorf("a second build of %s differs (%d vs %d bytes)", filepath.Base(p), len(b), len(raw))
	}
}

// The scripts with the arguments apk passes (versions, not
// configure/upgrade/remove). apk runs no pre-deinstall of the old package
// on an upgrade, so an upgrade is post-upgrade alone: the daemon restarts
// and stays enabled.
func TestApkScriptsRun(t *testing.T) {
	e, dir := needApk(t)
	runScript := newScriptRunner(t)
	full := fullVersion(e.version, e.release)
	a := readApk(t, filepath.Join(dir, "x86_64", "netfix-"+full+".apk"))
	scripts := t.TempDir()
	for n, f := range a.control {
		if err := os.WriteFile(filepath.Join(scripts, n), f.body, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		script string
		args   []string
		want   []string
	}{
		{".post-install", []string{full}, []string{"netfix enable", "netfix restart", "rpcd reload"}},
		{".post-upgrade", []string{full, "0.0.9-r1"}, []string{"netfix enable", "netfix restart", "rpcd reload"}},
		{".pre-deinstall", []string{full}, []string{"netfix stop", "netfix disable"}},
		{".post-deinstall", []string{full}, []string{"rpcd reload"}},
	} {
		t.Run(tc.script, func(t *testing.T) {
			env := []string{"IPKG_INSTROOT=", "PKG_UPGRADE="}
			if got := runScript(t, filepath.Join(scripts, tc.script), env, tc.args...); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s %s ran %q, want %q", tc.script, tc.args, got, tc.want)
			}
		})
	}
}

// The apk's description is the whole text on one line, as OpenWrt's build
// gives it ($(strip)), and its url is the package's URL. Runs without
// `make apk`: one package built here.
func TestApkDescriptionAndURL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, desc, url string
		wantDesc        string
	}{
		{"feed description of several lines", "netfix finds and repairs the kernel fast-path faults that make a Linux\nrouter silently blackhole traffic.\nIt has a one-shot diagnosis (netfix check).",
			"https://github.com/netfix/netfix",
			"netfix finds and repairs the kernel fast-path faults that make a Linux router silently blackhole traffic. It has a one-shot diagnosis (netfix check)."},
		{"indented lines, tabs, CRLF and blank lines", "  first line\r\n\n\tsecond\t line  \n\n", "https://example.org/x", "first line second line"},
		{"one line", "Translation for luci-app-netfix - 中文 (Chinese)", "", "Translation for luci-app-netfix - 中文 (Chinese)"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			scratch := filepath.Join(dir, strconv.Itoa(i))
			if err := os.MkdirAll(scratch, 0o755); err != nil {
				t.Fatal(err)
			}
			info := &nfpm.Info{
				Name: "demo", Arch: "x86_64", Platform: "linux", Version: "1.0.0", Release: "r1",
				VersionSchema: "none", Maintainer: "m", Description: tt.desc, MTime: time.Unix(1700000000, 0),
				Overridables: nfpm.Overridables{
					Contents: files.Contents{{Source: bin, Destination: "/usr/sbin/demo", FileInfo: &files.ContentFileInfo{Mode: 0o755}}},
					IPK:      nfpm.IPK{Arch: "x86_64", Fields: map[string]string{"SourceName": "demo"}},
				},
			}
			if tt.url != "" {
				info.IPK.Fields["URL"] = tt.url
			}
			b, err := packageApk(info, scratch)
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(scratch, "demo.apk")
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			a := readApk(t, p)
			if got := a.one(t, "pkgdesc"); got != tt.wantDesc {
				t.Errorf("pkgdesc = %q, want %q", got, tt.wantDesc)
			}
			if tt.url == "" {
				if len(a.info["url"]) != 0 {
					t.Errorf("url = %q, want none", a.info["url"])
				}
			} else if got := a.one(t, "url"); got != tt.url {
				t.Errorf("url = %q, want %q", got, tt.url)
			}
			for _, line := range strings.Split(string(a.control[".PKGINFO"].body), "\n") {
				if line != "" && !strings.Contains(line, " = ") && !strings.HasPrefix(line, "#") {
					t.Errorf(".PKGINFO line %q is not key = value (apk drops it)", line)
				}
			}
		})
	}
}
