// Package nlsock holds what every probe source shares: the netlink
// sockets a probe asks through (Sockets), the errors a refused request
// becomes (ErrNotPermitted, ErrConntrackMissing, Classify), and
// one-value /proc reads (ReadProcValue). It imports no other probe
// package.
package nlsock

import (
	"errors"
	"fmt"
	"syscall"
)

// Sentinel errors callers branch on with errors.Is.
var (
	// ErrNotPermitted: the kernel refused a netlink request; netfix needs
	// root (CAP_NET_ADMIN).
	ErrNotPermitted = errors.New("permission denied: netfix needs root (CAP_NET_ADMIN) to read nftables and conntrack; run it as root")
	// ErrConntrackMissing: the conntrack netlink interface is not there.
	ErrConntrackMissing = errors.New("conntrack netlink interface not available: load it with `modprobe nf_conntrack_netlink` (OpenWrt: kmod-nf-conntrack-netlink)")
)

// Classify maps a raw netlink error to one of the sentinels when the errno
// says which state we are in, keeping the original for the details;
// missing is the sentinel of an absent interface (nil: none).
func Classify(what string, err error, missing error) error {
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, syscall.EPERM), errors.Is(err, syscall.EACCES):
		return fmt.Errorf("%s: %w (%v)", what, ErrNotPermitted, err)
	case missing != nil && (errors.Is(err, syscall.EPROTONOSUPPORT) ||
		errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOENT) ||
		errors.Is(err, syscall.EINVAL)):
		return fmt.Errorf("%s: %w (%v)", what, missing, err)
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}

// AbsentSubsystem: the kernel lacks the netlink family or nfnetlink
// subsystem asked for (nfnetlink answers EINVAL for a subsystem no module
// registered, socket() EPROTONOSUPPORT for no nfnetlink at all).
func AbsentSubsystem(err error) bool {
	return errors.Is(err, syscall.EPROTONOSUPPORT) || errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.EINVAL)
}
