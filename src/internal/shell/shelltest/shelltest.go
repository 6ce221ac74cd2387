// Package shelltest runs a command netfix offers for copying through a
// real /bin/sh, as a user pasting it would, and records what each program
// would have been called with, so a test can check that a hostile value
// stays one argument. Nothing it names runs: every program is a shell
// function that records its arguments, PATH leads nowhere, and /etc and
// /usr/share (where the commands write) are empty tmpfs mounts of a mount
// namespace of its own, with the directories every host has (sysctl.d,
// systemd/network, config, init.d). Only for tests; needs root (unshare, mount).
package shelltest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Hostile are values an interface, bridge or file name can hold, for
// every test of a generated command. The kernel refuses '/', whitespace
// and ':' in interface names and file names hold all but '/' and NUL; the
// quoting must hold for any of them.
var Hostile = []string{"q';id;'", "a b", "$(id)", "`id`", "x\ny", "'", `\`, "\"", "-x", "*", "~root",
	"a;b&&c|d>e<f", "${IFS}", "é", ""}

// Call is one program run: its name and arguments.
type Call struct {
	Name string
	Args []string
}

// Programs are the names recorded instead of run; a command that calls
// anything else fails (not found on an empty PATH). Scripts are programs
// called by their path (OpenWrt's init scripts), recorded by a script at
// that path below the empty /etc.
var Programs = []string{"sysctl", "networkctl", "systemctl", "sed", "fw4", "nft", "printf", "echo",
	"uci", "rm", "cat", "tee", "ip", "ethtool", "journalctl", "id", "touch", "chmod"}

var Scripts = []string{"/etc/init.d/sysctl", "/etc/init.d/netfix", "/etc/init.d/firewall"}

const script = `set -u
mount -t tmpfs shelltest /etc && mount -t tmpfs shelltest /usr/share || exit 97
/bin/mkdir -p /etc/sysctl.d /etc/systemd/network /etc/config /etc/init.d
PATH=/nonexistent
rec() {
	{
		command printf '%s\n' --call
		for a do command printf '%d:%s\n' "${#a}" "$a"; done
	} >> "$SHELLTEST_LOG"
}
for p in $SHELLTEST_PROGRAMS; do eval "$p() { rec $p \"\$@\"; }"; done
mkdir() { rec mkdir "$@"; /bin/mkdir "$@"; }
for p in $SHELLTEST_SCRIPTS; do
	/bin/mkdir -p "${p%/*}"
	command printf '#!/bin/sh\nfor a in "$0" "$@"; do [ "$a" = "$0" ] && printf -- "--call\\n" >> "$SHELLTEST_LOG"; printf "%%d:%%s\\n" "${#a}" "$a" >> "$SHELLTEST_LOG"; done\n' > "$p"
	/bin/chmod 755 "$p"
done
eval "$SHELLTEST_CMD"
`

// Run runs cmd and returns the calls it made, in order. It fails the test
// when the shell reports anything (a syntax error, an unknown program) or
// exits non-zero.
func Run(t testing.TB, cmd string) []Call {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("shelltest needs root for a mount namespace (run the tests as root)")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Fatalf("unshare (util-linux) is missing: %v", err)
	}
	log := filepath.Join(t.TempDir(), "calls")
	c := exec.Command("unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script)
	c.Env = []string{"SHELLTEST_LOG=" + log, "SHELLTEST_CMD=" + cmd, "SHELLTEST_PROGRAMS=" + strings.Join(Programs, " "),
		"SHELLTEST_SCRIPTS=" + strings.Join(Scripts, " "), "LC_ALL=C"}
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("sh -c %q: %v\n%s", cmd, err, stderr.String())
	}
	b, err := os.ReadFile(log)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	calls, err := parse(b)
	if err != nil {
		t.Fatalf("record of %q: %v", cmd, err)
	}
	return calls
}

// parse reads the record: "--call\n", then "<bytes>:<argument>\n" per
// argument, the program's name first.
func parse(b []byte) ([]Call, error) {
	var calls []Call
	for len(b) > 0 {
		if bytes.HasPrefix(b, []byte("--call\n")) {
			calls = append(calls, Call{})
			b = b[len("--call\n"):]
			continue
		}
		i := bytes.IndexByte(b, ':')
		if i < 0 || len(calls) == 0 {
			return nil, errRecord(b)
		}
		n, err := strconv.Atoi(string(b[:i]))
		if err != nil || i+1+n >= len(b) || b[i+1+n] != '\n' {
			return nil, errRecord(b)
		}
		arg := string(b[i+1 : i+1+n])
		b = b[i+1+n+1:]
		c := &calls[len(calls)-1]
		if c.Name == "" {
			c.Name = arg
		} else {
			c.Args = append(c.Args, arg)
		}
	}
	return calls, nil
}

type errRecord []byte

func (e errRecord) Error() string {
	s := string(e)
	if len(s) > 40 {
		s = s[:40]
	}
	return "malformed at " + strconv.Quote(s)
}
