package probe

import (
	"github.com/netfix/netfix/src/internal/probe/hostconf"
	"github.com/netfix/netfix/src/internal/probe/nlsock"
)

// Sentinel errors callers branch on with errors.Is. They are the sources'
// own values: an error of a source's function matches them too.
var (
	// ErrNotPermitted: the kernel refused a netlink request; netfix needs
	// root (CAP_NET_ADMIN).
	ErrNotPermitted = nlsock.ErrNotPermitted
	// ErrConntrackMissing: the conntrack netlink interface is not there.
	ErrConntrackMissing = nlsock.ErrConntrackMissing
	// ErrConfig: a UCI file exists but cannot be parsed.
	ErrConfig = hostconf.ErrConfig
)
