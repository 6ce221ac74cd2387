// Package shell quotes values for the POSIX shell commands netfix offers
// for copying: the fix of a finding, the commands `netfix fix` prints, the
// parameters of catalog messages that are commands. Interface names,
// bridge names and file names come from the machine and may hold any byte
// the kernel allows (a bridge named q';id;' is legal), so every one goes
// through Quote.
package shell

import "strings"

// Quote returns s as one POSIX shell word. A string of bytes the shell
// never treats specially (letters, digits and @%+=:,./-_) is returned as
// it is, so ordinary names stay readable; anything else is put in single
// quotes, inside which the shell interprets nothing, and each quote in s
// ends them, is written escaped and opens them again:
//
//	q';id;'  ->  'q'\'';id;'\'''
//
// Text made of those safe bytes may be put right before or after the
// result: the shell joins them into the same one word
// (net.ipv4.conf.'a b'.forwarding=1).
func Quote(s string) string {
	if s != "" && strings.IndexFunc(s, unsafe) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func unsafe(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return false
	}
	return !strings.ContainsRune("@%+=:,./-_", r)
}
