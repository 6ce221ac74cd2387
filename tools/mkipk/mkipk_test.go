package main

// Tests that need nothing built: version rules, the Makefile reader, the
// Installed-Size fix-up on a package nfpm builds here, and that the feed
// Makefiles agree with the repository.

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/files"
	"github.com/goreleaser/nfpm/v2/ipk"
)

// repoRoot is the netfix checkout this module sits in.
const repoRoot = "../.."

func TestCheckVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		version, release string
		ok               bool
	}{
		{"0.1.0", "1", true},
		{"1.2", "12", true},
		{"1.2.3a", "1", true},
		{"1.2.3_rc1", "1", true},
		{"0.1.0_git20250101", "3", true},
		{"0.1.0-dev", "1", false},       // apk: no hyphen in the version
		{"0.1.0-3-gabcdef", "1", false}, // git describe
		{"v0.1.0", "1", false},          // the tag, not the version
		{"0.1.0", "r1", false},          // PKG_RELEASE is the number alone
		{"0.1.0", "0", false},
		{"0.1.0", "", false},
		{"", "1", false},
	} {
		err := checkVersion(tc.version, tc.release)
		if (err == nil) != tc.ok {
			t.Errorf("checkVersion(%q, %q) = %v, want ok=%v", tc.version, tc.release, err, tc.ok)
		}
	}
}

func TestOpkgDepends(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", []string{"libc"}},
		{"$(GO_ARCH_DEPENDS) +kmod-nf-conntrack-netlink", []string{"libc", "kmod-nf-conntrack-netlink"}},
		{"+netfix +luci-base @!SMALL_FLASH +PACKAGE_x:y", []string{"libc", "netfix", "luci-base"}},
		{"+libc +netfix netfix", []string{"libc", "netfix"}},
	} {
		if got := opkgDepends(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("opkgDepends(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseMakefile(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "Makefile")
	src := `include $(TOPDIR)/rules.mk
PKG_NAME:=demo
PKG_VERSION:=1.0
LONG:=one \
	two
X?=first
X?=second
# PKG_NAME:=commented
define Package/demo
  SECTION:=net
  DEPENDS:=+a
  DEPENDS+=+b
endef

define Package/demo/conffiles
/etc/config/demo

endef
`
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	mk, err := parseMakefile(p)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"PKG_NAME": "demo", "PKG_VERSION": "1.0", "LONG": "one two", "X": "first"} {
		if got := mk.vars[name]; got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if got := mk.blockVar("Package/demo", "SECTION"); got != "net" {
		t.Errorf("SECTION = %q", got)
	}
	if got := mk.blockVar("Package/demo", "DEPENDS"); got != "+a +b" {
		t.Errorf("DEPENDS = %q", got)
	}
	if got := mk.lines("Package/demo/conffiles"); !reflect.DeepEqual(got, []string{"/etc/config/demo"}) {
		t.Errorf("conffiles = %q", got)
	}
}

// TestOpkgFixup builds a package with nfpm alone and checks what the fix-up
// changes: Installed-Size becomes the length of the uncompressed data.tar
// (nfpm wrote KiB), an empty conffiles goes, the rest is untouched.
func TestOpkgFixup(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, bytes.Repeat([]byte("x"), 300_000), 0o755); err != nil {
		t.Fatal(err)
	}
	build := func(conf bool) []byte {
		t.Helper()
		c := &files.Content{Source: big, Destination: "/usr/sbin/big", FileInfo: &files.ContentFileInfo{Mode: 0o755}}
		if conf {
			c.Destination, c.Type = "/etc/config/big", files.TypeConfig
		}
		info := &nfpm.Info{
			Name: "big", Arch: "x86_64", Platform: "linux", Version: "1.0", Release: "r1",
			VersionSchema: "none", Maintainer: "m", Description: "d",
			MTime:        time.Unix(1700000000, 0),
			Overridables: nfpm.Overridables{Contents: files.Contents{c}, IPK: nfpm.IPK{Arch: "x86_64"}},
		}
		var buf bytes.Buffer
		if err := ipk.Default.Package(info, &buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}

	for _, conf := range []bool{false, true} {
		raw := build(conf)
		fixed, size, err := opkgFixup(raw)
		if err != nil {
			t.Fatal(err)
		}
		before, _ := readTarGz(raw)
		after, err := readTarGz(fixed)
		if err != nil {
			t.Fatal(err)
		}
		if names(before) != names(after) {
			t.Errorf("outer entries changed: %s → %s", names(before), names(after))
		}
		if !bytes.Equal(find(before, "data.tar.gz").body, find(after, "data.tar.gz").body) {
			t.Error("data.tar.gz changed")
		}
		want, _ := gunzippedLen(find(after, "data.tar.gz").body)
		if size != want || size < 300_000 {
			t.Errorf("Installed-Size %d, want %d (bytes of data.tar)", size, want)
		}
		ctl, err := readTarGz(find(after, "control.tar.gz").body)
		if err != nil {
			t.Fatal(err)
		}
		fields, err := parseControl(find(ctl, "control").body)
		if err != nil {
			t.Fatal(err)
		}
		if got := fields["Installed-Size"]; got != itoa(want) {
			t.Errorf("control says Installed-Size %q, want %d", got, want)
		}
		cf := find(ctl, "conffiles")
		switch {
		case conf && (cf == nil || string(cf.body) != "/etc/config/big\n"):
			t.Errorf("conffiles lost: %v", cf)
		case !conf && cf != nil:
			t.Errorf("empty conffiles kept: %q", cf.body)
		}
	}
}

func names(ms []member) string {
	var n []string
	for _, m := range ms {
		n = append(n, m.hdr.Name)
	}
	return strings.Join(n, " ")
}

// TestFeedVersionsMatch: the SDK packages and `make ipk` must carry the same
// version, and it must be one apk accepts.
func TestFeedVersionsMatch(t *testing.T) {
	t.Parallel()
	top, err := parseMakefile(filepath.Join(repoRoot, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	want := top.vars["VERSION"]
	feeds := []string{filepath.Join(repoRoot, "openwrt/netfix/Makefile")}
	if _, err := os.Stat(filepath.Join(repoRoot, "luci-app/Makefile")); err == nil {
		feeds = append(feeds, filepath.Join(repoRoot, "luci-app/Makefile"))
	}
	for _, p := range feeds {
		mk, err := parseMakefile(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := mk.vars["PKG_VERSION"]; got != want {
			t.Errorf("%s: PKG_VERSION %q, but the top-level Makefile's VERSION is %q", p, got, want)
		}
		if err := checkVersion(mk.vars["PKG_VERSION"], mk.vars["PKG_RELEASE"]); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

// TestFeedInstallsEveryFile: `make ipk` packs all of files/; the feed
// Makefile names each file in its install section. A file added to files/
// must be added there too, or the SDK package silently lacks it.
func TestFeedInstallsEveryFile(t *testing.T) {
	t.Parallel()
	mk, err := parseMakefile(filepath.Join(repoRoot, "openwrt/netfix/Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	install := mk.blocks["Package/netfix/install"]
	tree, err := treeContents(filepath.Join(repoRoot, "files"), "/", netfixMode)
	if err != nil {
		t.Fatal(err)
	}
	if len(tree) == 0 {
		t.Fatal("files/ is empty")
	}
	for _, c := range tree {
		if !strings.Contains(install, "files"+c.Destination+" ") {
			t.Errorf("openwrt/netfix/Makefile does not install files%s", c.Destination)
		}
		verb := "$(INSTALL_DATA)"
		switch c.FileInfo.Mode {
		case 0o755:
			verb = "$(INSTALL_BIN)"
		case 0o600:
			verb = "$(INSTALL_CONF)"
		}
		if !strings.Contains(install, verb+" $(PKG_BUILD_DIR)/files"+c.Destination+" ") {
			t.Errorf("openwrt/netfix/Makefile should install files%s with %s (mode %o in the ipk)", c.Destination, verb, c.FileInfo.Mode)
		}
	}
	var conf []string
	for _, c := range tree {
		if filepath.Dir(c.Destination) == "/etc/config" {
			conf = append(conf, c.Destination)
		}
	}
	sort.Strings(conf)
	if got := mk.lines("Package/netfix/conffiles"); !reflect.DeepEqual(got, conf) {
		t.Errorf("conffiles %q, want every UCI config: %q", got, conf)
	}
}

// TestFeedScan finds the packages the OpenWrt build system finds when this
// repository is a feed. include/scan.mk does not parse Makefiles, it greps
// them: `find -L <feed> -mindepth 1 -maxdepth 5 -name Makefile | xargs grep
// -aHE 'call (Build/DefaultTargets|BuildPackage|KernelPackage)'`. So a
// package whose Makefile lacks that text is invisible (luci.mk packages
// carry "# call BuildPackage - OpenWrt buildroot signature" for this), and
// any other Makefile with it (the top-level one, a test's) would become a
// broken package of the feed.
func TestFeedScan(t *testing.T) {
	t.Parallel()
	sig := regexp.MustCompile(`call (Build/DefaultTargets|BuildPackage|KernelPackage)`)
	var found []string
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repoRoot, p)
		if d.IsDir() {
			if rel == ".git" || rel == "build" || strings.Count(rel, "/") >= 4 {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() != "Makefile" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if sig.Match(b) {
			found = append(found, filepath.ToSlash(filepath.Dir(rel)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(found)
	want := []string{"openwrt/netfix", "openwrt/prometheus-node-exporter-lua-netfix"}
	if _, err := os.Stat(filepath.Join(repoRoot, "luci-app/Makefile")); err == nil {
		want = append([]string{"luci-app"}, want...)
	}
	if !reflect.DeepEqual(found, want) {
		t.Errorf("the feed scan finds packages in %q, want %q", found, want)
	}
}

// The translation package: two builds of the same sources are the same
// bytes, and its catalog is where LuCI loads it.
func TestI18nPackageReproducible(t *testing.T) {
	t.Parallel()
	o := options{Kind: "i18n", Version: "0.1.0", Release: "1", LuciDir: "../../luci-app", Lang: "zh_Hans",
		MTime: time.Unix(1764600000, 0).UTC()}
	var got [][]byte
	for i := 0; i < 2; i++ {
		p, _, err := build(o, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(p) != "luci-i18n-netfix-zh-cn_0.1.0-r1_all.ipk" {
			t.Errorf("package file %s, want luci-i18n-netfix-zh-cn_0.1.0-r1_all.ipk", filepath.Base(p))
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, b)
	}
	if !bytes.Equal(got[0], got[1]) {
		t.Errorf("two builds differ (%d vs %d bytes)", len(got[0]), len(got[1]))
	}
}

func TestLuciLang(t *testing.T) {
	t.Parallel()
	for dir, want := range map[string][2]string{
		"zh_Hans": {"zh-cn", "简体中文 (Chinese Simplified)"},
		"zh_Hant": {"zh-tw", "繁體中文 (Chinese Traditional)"},
		"pt_BR":   {"pt-br", "pt_BR"},
		"de":      {"de", "de"},
	} {
		if code, title := luciLang(dir); code != want[0] || title != want[1] {
			t.Errorf("luciLang(%q) = %q, %q; want %q, %q", dir, code, title, want[0], want[1])
		}
	}
}

func TestApkArchAndName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"all": "noarch", "mipsel_24kc": "mipsel_24kc", "aarch64_cortex-a53": "aarch64_cortex-a53", "x86_64": "x86_64"} {
		if got := apkArch(in); got != want {
			t.Errorf("apkArch(%q) = %q, want %q", in, got, want)
		}
	}
	o := options{Kind: "i18n", Format: "apk", Version: "0.1.0", Release: "1", LuciDir: "../../luci-app", Lang: "zh_Hans",
		MTime: time.Unix(1764600000, 0).UTC()}
	var got [][]byte
	for i := 0; i < 2; i++ {
		p, _, err := build(o, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(p) != "luci-i18n-netfix-zh-cn-0.1.0-r1.apk" {
			t.Errorf("apk file %s, want luci-i18n-netfix-zh-cn-0.1.0-r1.apk", filepath.Base(p))
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, b)
	}
	if !bytes.Equal(got[0], got[1]) {
		t.Errorf("two apk builds differ (%d vs %d bytes)", len(got[0]), len(got[1]))
	}
}
