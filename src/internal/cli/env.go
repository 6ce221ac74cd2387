package cli

import (
	"os"

	"github.com/netfix/netfix/src/internal/ipc"
)

// socketFromEnv lets tests point the rpcd plugin, which rpcd starts with no
// options, at another daemon socket (NETFIX_SOCKET).
func socketFromEnv() string {
	if s := os.Getenv("NETFIX_SOCKET"); s != "" {
		return s
	}
	return ipc.DefaultSocket
}
