package probe

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
	// ErrConfig: a UCI file exists but cannot be parsed.
	ErrConfig = errors.New("configuration file is broken")
)

// classify maps a raw netlink error to one of the sentinels when the errno
// says which state we are in, keeping the original for the details.
func classify(what string, err error, missing error) error {
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
