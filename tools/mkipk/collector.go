package main

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"

	"github.com/goreleaser/nfpm/v2"
)

// CollectorPath is where prometheus-node-exporter-lua loads collectors
// from (it lists /usr/lib/lua/prometheus-collectors/*.lua at start).
const CollectorPath = "/usr/lib/lua/prometheus-collectors/netfix.lua"

// collectorInfo describes prometheus-node-exporter-lua-netfix_<version>_all
// from its feed directory (-src): the Makefile's control fields, files/
// installed under /, a postinst that runs its uci-defaults script and
// restarts the exporter, as the SDK's default_postinst and the Makefile's
// own postinst do.
func collectorInfo(o options) (*nfpm.Info, error) {
	mkPath := filepath.Join(o.LuciDir, "Makefile")
	mk, err := parseMakefile(mkPath)
	if err != nil {
		return nil, fmt.Errorf("read collector Makefile: %w", err)
	}
	name := mk.vars["PKG_NAME"]
	blk := "Package/" + name
	if _, ok := mk.blocks[blk]; name == "" || !ok {
		return nil, fmt.Errorf("%s: no PKG_NAME with its define Package/<name>", mkPath)
	}
	contents, err := treeContents(filepath.Join(o.LuciDir, "files"), "/", sourceMode)
	if err != nil {
		return nil, err
	}
	found := false
	var defaults []string
	for _, c := range contents {
		found = found || c.Destination == CollectorPath
		if dir, file := path.Split(c.Destination); dir == "/etc/uci-defaults/" {
			defaults = append(defaults, file)
		}
	}
	if !found {
		return nil, fmt.Errorf("%s: no files%s", o.LuciDir, CollectorPath)
	}
	sort.Strings(defaults)
	info := baseInfo(o, name, "all", mk, blk)
	info.Depends = opkgDepends(mk.blockVar(blk, "DEPENDS"))
	info.Contents = contents
	info.Scripts, err = writeScripts(o.Scratch, "collector", defaults)
	return info, err
}
