package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// prometheus-node-exporter-lua-netfix as make ipk / make apk built it:
// architecture all, the collector where the exporter loads collectors,
// depending on the exporter and netfix, a postinst that runs its
// uci-defaults script, reloads netfix and restarts the exporter.
func TestCollectorPackage(t *testing.T) {
	e := needPackages(t)
	src := filepath.Join(e.root, "openwrt", "prometheus-node-exporter-lua-netfix")
	mk, err := parseMakefile(filepath.Join(src, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	name := mk.vars["PKG_NAME"]
	full := fullVersion(e.version, or(mk.vars["PKG_RELEASE"], "1"))
	u := unpack(t, filepath.Join(e.ipkDir, fmt.Sprintf("%s_%s_all.ipk", name, full)))
	checkFormat(t, u)
	checkControl(t, u, name, full, "all", opkgDepends("prometheus-node-exporter-lua netfix"), "utils")
	tree, err := treeContents(filepath.Join(src, "files"), "/", sourceMode)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]os.FileMode{}
	for _, c := range tree {
		want[c.Destination] = c.FileInfo.Mode
	}
	if _, ok := want[CollectorPath]; !ok {
		t.Fatalf("files/ has no %s", CollectorPath)
	}
	checkFiles(t, u, want)
	post := checkScript(t, u, "postinst")
	if !strings.Contains(post, ". /etc/uci-defaults/90_netfix-metrics") {
		t.Errorf("postinst does not run the uci-defaults script:\n%s", post)
	}
	checkScript(t, u, "postrm")

	runScript := newScriptRunner(t)
	for _, tc := range []struct {
		script string
		want   []string
	}{
		{"postinst", []string{"netfix reload", "prometheus-node-exporter-lua restart"}},
		{"postrm", []string{"prometheus-node-exporter-lua restart"}},
	} {
		t.Run(tc.script, func(t *testing.T) {
			// The uci-defaults script is not on this machine: the postinst
			// goes on without it, as on a router where it already ran.
			got := runScript(t, filepath.Join(u.ctlDir, tc.script), []string{"IPKG_INSTROOT=", "PKG_UPGRADE=0"}, "configure")
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s ran %q, want %q", tc.script, got, tc.want)
			}
		})
	}

	apkDir := os.Getenv("NETFIX_APK_DIR")
	if apkDir == "" {
		t.Fatal("NETFIX_APK_DIR must be set with NETFIX_IPK_DIR (make pkg-test sets both)")
	}
	a := readApk(t, filepath.Join(apkDir, name+"-"+full+".apk"))
	checkApk(t, a, u, name, full, "noarch")
}
