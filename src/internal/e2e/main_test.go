//go:build kernel

package e2e_test

import (
	"os"
	"testing"

	"github.com/netfix/netfix/src/internal/netnstest"
)

// The kernel tests share one netfix binary, removed when they end.
func TestMain(m *testing.M) { os.Exit(netnstest.Main(m)) }
