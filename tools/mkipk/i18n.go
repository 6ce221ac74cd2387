package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/files"

	"github.com/netfix/netfix/tools/mkipk/lmo"
)

// LuCI names a translation package and its catalog by a language code of
// its own: luci.mk maps the po/ directory (zh_Hans) to LUCI_LC_ALIAS
// (zh-cn), and titles it with LUCI_LANG. Only the languages netfix ships
// need an entry; others fall back to the lower-cased directory name.
var luciLangs = map[string]struct{ code, title string }{
	"zh_Hans": {"zh-cn", "简体中文 (Chinese Simplified)"},
	"zh_Hant": {"zh-tw", "繁體中文 (Chinese Traditional)"},
}

// luciLang returns LuCI's code and title for a po/ directory name.
func luciLang(dir string) (code, title string) {
	if l, ok := luciLangs[dir]; ok {
		return l.code, l.title
	}
	return strings.ToLower(strings.ReplaceAll(dir, "_", "-")), dir
}

// I18nLibDir is where luci.mk installs compiled catalogs (LUCI_LIBRARYDIR
// /i18n) and where LuCI's translation loader looks for <app>.<lang>.lmo.
const I18nLibDir = "/usr/lib/lua/luci/i18n"

// i18nInfo describes luci-i18n-netfix-<lang>_<version>_all.ipk the way
// luci.mk's LuciTranslation does: the compiled catalog of every
// po/<lang>/*.po, a uci-defaults script that adds the language to LuCI's
// list, depending on the app package.
func i18nInfo(o options) (*nfpm.Info, error) {
	mkPath := filepath.Join(o.LuciDir, "Makefile")
	mk, err := parseMakefile(mkPath)
	if err != nil {
		return nil, fmt.Errorf("read LuCI Makefile: %w", err)
	}
	app := mk.vars["LUCI_NAME"]
	if app == "" || strings.Contains(app, "$(") {
		return nil, fmt.Errorf("%s: set LUCI_NAME", mkPath)
	}
	base := strings.TrimPrefix(app, "luci-app-")
	code, title := luciLang(o.Lang)
	name := "luci-i18n-" + base + "-" + code

	pos, err := filepath.Glob(filepath.Join(o.LuciDir, "po", o.Lang, "*.po"))
	if err != nil || len(pos) == 0 {
		return nil, fmt.Errorf("%s: no po/%s/*.po to compile", o.LuciDir, o.Lang)
	}
	var contents files.Contents
	for _, po := range pos {
		src, err := os.ReadFile(po)
		if err != nil {
			return nil, err
		}
		cat, err := lmo.ParsePO(src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", po, err)
		}
		out, err := lmo.Compile(cat)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", po, err)
		}
		file := strings.TrimSuffix(filepath.Base(po), ".po") + "." + code + ".lmo"
		tmp := filepath.Join(o.Scratch, file)
		if err := os.WriteFile(tmp, out, 0o644); err != nil {
			return nil, err
		}
		contents = append(contents, &files.Content{Source: tmp, Destination: I18nLibDir + "/" + file,
			FileInfo: &files.ContentFileInfo{Mode: 0o644}})
	}
	defaults := name
	script := fmt.Sprintf("uci set luci.languages.%s='%s'; uci commit luci\n", strings.ReplaceAll(code, "-", "_"), title)
	tmp := filepath.Join(o.Scratch, defaults)
	if err := os.WriteFile(tmp, []byte(script), 0o644); err != nil {
		return nil, err
	}
	contents = append(contents, &files.Content{Source: tmp, Destination: "/etc/uci-defaults/" + defaults,
		FileInfo: &files.ContentFileInfo{Mode: 0o644}})

	info := baseInfo(o, name, "all", mk, "Package/"+name)
	info.Section = "luci"
	info.Description = fmt.Sprintf("Translation for %s - %s", app, title)
	info.Depends = []string{app}
	info.Contents = contents
	info.Scripts, err = writeScripts(o.Scratch, "i18n", []string{defaults})
	return info, err
}
