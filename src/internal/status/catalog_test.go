package status_test

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/netfix/netfix/src/internal/status"
)

// The LuCI page translates every sentence of a finding by its msgid
// (status.Msg.ID) through luci-app/po. These tests read every status.M /
// status.MN call under src/internal as Go source, so a rule added anywhere
// (diagnose, daemon, fix, ...) cannot say a sentence the catalog lacks, and
// a translation cannot drop, add or reorder a placeholder: LuCI's
// String.prototype.format fills %s / %d strictly in order (no positional
// arguments), and any other '%' stops its formatting.

const (
	srcRoot     = ".."
	repoRoot    = "../../../"
	potPath     = repoRoot + "luci-app/po/templates/netfix.pot"
	poDir       = repoRoot + "luci-app/po"
	statusAlias = "status"
)

// use is one msgid the Go code can produce.
type use struct {
	id, plural string
	nargs      int // -1: spread (args...), not countable
	where      string
}

// msgUses parses every non-test Go file below src/internal and returns the
// literal msgids of status.M / status.MN calls (M / MN inside package
// status) and of status.Msg{ID: ...} literals. A msgid that is not a string
// literal is an error: the catalog could not be checked for it.
func msgUses(t *testing.T) []use {
	t.Helper()
	var uses []use
	var problems []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(srcRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		inStatus := file.Name.Name == "status"
		rel := filepath.ToSlash(strings.TrimPrefix(path, srcRoot+string(filepath.Separator)))
		where := func(p token.Pos) string {
			return fmt.Sprintf("src/internal/%s:%d", rel, fset.Position(p).Line)
		}
		lit := func(e ast.Expr, what string) (string, bool) {
			b, ok := e.(*ast.BasicLit)
			if ok && b.Kind == token.STRING {
				if s, err := strconv.Unquote(b.Value); err == nil {
					return s, true
				}
			}
			problems = append(problems, fmt.Sprintf("%s: the %s must be a string literal so the catalog can be checked", where(e.Pos()), what))
			return "", false
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				name := calledName(n.Fun, inStatus)
				nargs := func(fixed int) int {
					if n.Ellipsis.IsValid() {
						return -1
					}
					return len(n.Args) - fixed
				}
				switch name {
				case "M":
					if len(n.Args) == 0 {
						return true
					}
					if id, ok := lit(n.Args[0], "msgid of status.M"); ok {
						uses = append(uses, use{id: id, nargs: nargs(1), where: where(n.Pos())})
					}
				case "MN":
					if len(n.Args) < 3 {
						return true
					}
					id, ok1 := lit(n.Args[1], "singular msgid of status.MN")
					pl, ok2 := lit(n.Args[2], "plural msgid of status.MN")
					if ok1 && ok2 {
						uses = append(uses, use{id: id, plural: pl, nargs: nargs(3), where: where(n.Pos())})
					}
				}
			case *ast.CompositeLit:
				// Package status itself builds Msg values from the
				// parameters of M and MN.
				if inStatus || calledName(n.Type, inStatus) != "Msg" {
					return true
				}
				for _, el := range n.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "ID" {
						if id, ok := lit(kv.Value, "ID of a status.Msg literal"); ok {
							uses = append(uses, use{id: id, nargs: -1, where: where(n.Pos())})
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatalf("read the Go sources under src/internal: %v", err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	if len(uses) == 0 {
		t.Fatal("no status.M / status.MN call found under src/internal: the scan is broken")
	}
	return uses
}

// calledName is "M" for status.M (or M inside package status), else "".
func calledName(e ast.Expr, inStatus bool) string {
	switch f := e.(type) {
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok && x.Name == statusAlias {
			return f.Sel.Name
		}
	case *ast.Ident:
		if inStatus {
			return f.Name
		}
	}
	return ""
}

// poEntry is one message of a .po/.pot file.
type poEntry struct {
	ctxt, id, plural string
	str              []string // msgstr, or msgstr[0..n]
	fuzzy            bool
	line             int
}

// readPO is a reader for the subset of the gettext format the catalogs
// use: comments, msgctxt, msgid, msgid_plural, msgstr, msgstr[N] and
// continuation lines.
func readPO(t *testing.T, path string) map[string]poEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open the catalog: %v", err)
	}
	defer f.Close()
	out := map[string]poEntry{}
	var cur *poEntry
	var field *string
	flush := func() {
		if cur != nil && cur.id != "" {
			key := cur.ctxt + "\x04" + cur.id
			if prev, dup := out[key]; dup {
				t.Errorf("%s:%d: msgid %q is already defined at line %d (two helpers appended it? keep one)", path, cur.line, cur.id, prev.line)
			}
			out[key] = *cur
		}
		cur, field = nil, nil
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	fuzzyNext := false
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#~"):
			continue
		case strings.HasPrefix(line, "#"):
			if strings.HasPrefix(line, "#,") && strings.Contains(line, "fuzzy") {
				fuzzyNext = true
			}
			continue
		}
		kw, rest, _ := strings.Cut(line, " ")
		if strings.HasPrefix(line, `"`) {
			kw, rest = "", line
		}
		val, err := strconv.Unquote(rest)
		if err != nil {
			t.Fatalf("%s:%d: cannot read %q: %v", path, n, line, err)
		}
		onlyCtxt := cur != nil && cur.ctxt != "" && cur.id == "" && len(cur.str) == 0
		if kw == "msgctxt" || (kw == "msgid" && !onlyCtxt) {
			flush()
			cur = &poEntry{line: n, fuzzy: fuzzyNext}
			fuzzyNext = false
		}
		switch {
		case kw == "msgctxt":
			field = &cur.ctxt
		case kw == "msgid":
			field = &cur.id
		case cur == nil:
			t.Fatalf("%s:%d: %s before any msgid", path, n, kw)
		case kw == "msgid_plural":
			field = &cur.plural
		case kw == "msgstr" || strings.HasPrefix(kw, "msgstr["):
			cur.str = append(cur.str, "")
			field = &cur.str[len(cur.str)-1]
		case kw == "":
			if field == nil {
				t.Fatalf("%s:%d: continuation line outside an entry", path, n)
			}
		default:
			t.Fatalf("%s:%d: unknown keyword %q", path, n, kw)
		}
		*field += val
	}
	flush()
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return out
}

// placeholders lists the conversions of s in order ("%s", "%d"), and
// reports a '%' LuCI's String.format would stop at.
func placeholders(s string) (specs []string, bad string) {
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if i+1 < len(s) && (s[i+1] == 's' || s[i+1] == 'd') {
			specs = append(specs, s[i:i+2])
			i++
			continue
		}
		if i+1 < len(s) && s[i+1] == '%' {
			i++
			continue
		}
		return specs, fmt.Sprintf("a lone %% at byte %d (write %%%% for a percent sign; only %%s and %%d are conversions)", i)
	}
	return specs, ""
}

func poFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(poDir, "*", "netfix.po"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no luci-app/po/<lang>/netfix.po found (%v)", err)
	}
	return files
}

func TestEveryMsgidIsInTheCatalog(t *testing.T) {
	uses := msgUses(t)
	pot := readPO(t, potPath)
	catalogs := map[string]map[string]poEntry{}
	for _, f := range poFiles(t) {
		catalogs[f] = readPO(t, f)
	}
	seen := map[string]bool{}
	for _, u := range uses {
		if seen[u.id+"\x00"+u.where] {
			continue
		}
		seen[u.id+"\x00"+u.where] = true
		entry := func(what string, e poEntry, ok bool, file string) bool {
			if !ok {
				plural := ""
				if u.plural != "" {
					plural = fmt.Sprintf("\nmsgid_plural %q", u.plural)
				}
				t.Errorf("msgid %q (used at %s) is missing from %s: append at its end\n  msgid %q%s\n  %s", u.id, u.where, strings.TrimPrefix(file, repoRoot), u.id, plural, what)
				return false
			}
			if e.plural != u.plural {
				t.Errorf("msgid %q (used at %s): %s:%d has msgid_plural %q, the code says %q", u.id, u.where, file, e.line, e.plural, u.plural)
			}
			return true
		}
		e, ok := pot[""+"\x04"+u.id]
		entry(`msgstr ""`, e, ok, potPath)
		for file, cat := range catalogs {
			e, ok := cat["\x04"+u.id]
			if !entry(`msgstr "<translation>"`, e, ok, file) {
				continue
			}
			if e.fuzzy || len(e.str) == 0 || slices.Contains(e.str, "") {
				t.Errorf("msgid %q (used at %s) is not translated in %s:%d (empty or fuzzy)", u.id, u.where, file, e.line)
			}
		}
	}
	t.Logf("%d msgids used in the Go sources, all in %s and %d translations", len(seen), filepath.Base(potPath), len(catalogs))
}

func TestPlaceholdersMatch(t *testing.T) {
	for _, u := range msgUses(t) {
		for _, id := range []string{u.id, u.plural} {
			if id == "" {
				continue
			}
			if _, bad := placeholders(id); bad != "" {
				t.Errorf("msgid %q (used at %s): %s", id, u.where, bad)
			}
			if n := status.Placeholders(id); u.nargs >= 0 && n != u.nargs {
				t.Errorf("msgid %q (used at %s) has %d placeholders but the call passes %d arguments", id, u.where, n, u.nargs)
			}
		}
	}
	for _, f := range poFiles(t) {
		for _, e := range readPO(t, f) {
			if _, bad := placeholders(e.id); bad != "" {
				t.Errorf("%s:%d: msgid %q: %s", f, e.line, e.id, bad)
			}
			for i, s := range e.str {
				src := e.id
				if i > 0 && e.plural != "" {
					src = e.plural
				}
				want, _ := placeholders(src)
				got, bad := placeholders(s)
				if bad != "" {
					t.Errorf("%s:%d: translation of %q: %s", f, e.line, e.id, bad)
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s:%d: translation %q of %q has placeholders %v, want %v in that order (LuCI fills them in order)", f, e.line, s, e.id, got, want)
				}
			}
		}
	}
}
