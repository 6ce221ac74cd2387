//go:build linux

package daemon

import "golang.org/x/sys/unix"

// disableHugePages keeps the kernel from backing the daemon's memory with
// 2 MiB transparent huge pages. On kernels with THP "always" (Debian's,
// so most Docker hosts) the Go heap's few MB of live data then occupy
// whole huge pages: in the flowtable VM an idle daemon sat at 14.7 MB
// RSS, 12 MB of it AnonHugePages, over 3.4 MB of heap in use. OpenWrt's
// kernels build without THP, where this does nothing. Failure (an old
// kernel, a seccomp filter) only costs memory, so it is ignored.
func disableHugePages() {
	_ = unix.Prctl(unix.PR_SET_THP_DISABLE, 1, 0, 0, 0)
}
