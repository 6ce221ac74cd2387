package cli

import (
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// onJournal reports whether w is the stream journald connected this
// process to. systemd sets JOURNAL_STREAM to "DEVICE:INODE" of that
// stream (systemd.exec(5)); a process whose output was redirected since
// (a shell in the unit, `netfix daemon > file`) inherits the variable but
// not the stream, so the numbers are compared with w's own (sd-daemon(3)).
func onJournal(w io.Writer, journalStream string) bool {
	f, ok := w.(*os.File)
	if !ok || journalStream == "" {
		return false
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		return false
	}
	return journalStreamIs(journalStream, uint64(st.Dev), uint64(st.Ino))
}

// journalStreamIs reports whether JOURNAL_STREAM's value names the file
// with device dev and inode ino.
func journalStreamIs(value string, dev, ino uint64) bool {
	d, i, ok := strings.Cut(value, ":")
	if !ok {
		return false
	}
	vd, err1 := strconv.ParseUint(d, 10, 64)
	vi, err2 := strconv.ParseUint(i, 10, 64)
	return err1 == nil && err2 == nil && vd == dev && vi == ino
}
