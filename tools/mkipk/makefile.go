package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// makefile is the little of an OpenWrt package Makefile that mkipk reads, so
// that the SDK package and the ipk built here share one description, one
// dependency list and one conffiles list: plain variable assignments (also
// those indented inside a define block) and the text of define blocks.
// Nothing is expanded: a value that uses $(…) is left as written.
type makefile struct {
	vars   map[string]string // NAME → value, top level
	blocks map[string]string // "Package/netfix/description" → body
}

var assignment = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_./-]*)\s*(:=|\?=|\+=|=)\s*(.*)$`)

func parseMakefile(path string) (*makefile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	m := &makefile{vars: map[string]string{}, blocks: map[string]string{}}
	var (
		block   string // name of the define block being read, "" at top level
		body    []string
		pending string // a line continued with a backslash
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if block != "" {
			if strings.TrimSpace(line) == "endef" {
				m.blocks[block] = strings.Join(body, "\n")
				block, body = "", nil
				continue
			}
			body = append(body, line)
			continue
		}
		if strings.HasSuffix(line, `\`) {
			pending += strings.TrimSuffix(line, `\`) + " "
			continue
		}
		line, pending = pending+line, ""
		if name, ok := strings.CutPrefix(strings.TrimSpace(line), "define "); ok {
			block = strings.TrimSpace(name)
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if a := assignment.FindStringSubmatch(line); a != nil {
			m.set(a[1], a[2], a[3])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if block != "" {
		return nil, fmt.Errorf("%s: define %s has no endef", path, block)
	}
	return m, nil
}

func (m *makefile) set(name, op, value string) {
	value = strings.Join(strings.Fields(value), " ")
	switch op {
	case "+=":
		if old := m.vars[name]; old != "" {
			value = old + " " + value
		}
	case "?=":
		if _, ok := m.vars[name]; ok {
			return
		}
	}
	m.vars[name] = value
}

// blockVar reads NAME:=value inside a define block such as Package/netfix.
func (m *makefile) blockVar(block, name string) string {
	value := ""
	for _, line := range strings.Split(m.blocks[block], "\n") {
		if a := assignment.FindStringSubmatch(line); a != nil && a[1] == name {
			v := strings.Join(strings.Fields(a[3]), " ")
			if a[2] == "+=" && value != "" {
				v = value + " " + v
			}
			value = v
		}
	}
	return value
}

// lines returns the non-empty, trimmed lines of a define block.
func (m *makefile) lines(block string) []string {
	var out []string
	for _, l := range strings.Split(m.blocks[block], "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// opkgDepends turns an OpenWrt DEPENDS value into the package names opkg
// sees, the way include/package-pack.mk does: "+" only selects the package
// in menuconfig, "@" conditions never reach the control file, and every
// package depends on libc. Tokens that need make to expand them
// ($(GO_ARCH_DEPENDS), conditionals with ":") are architecture conditions
// the SDK resolves; they are dropped.
func opkgDepends(value string) []string {
	deps := []string{"libc"}
	seen := map[string]bool{"libc": true}
	for _, tok := range strings.Fields(value) {
		if strings.HasPrefix(tok, "@") || strings.Contains(tok, "$(") || strings.Contains(tok, ":") {
			continue
		}
		tok = strings.TrimPrefix(tok, "+")
		if tok == "" || seen[tok] {
			continue
		}
		seen[tok] = true
		deps = append(deps, tok)
	}
	return deps
}
