// Package version holds the version stamped in at link time
// (-X github.com/netfix/netfix/src/internal/version.Version=...).
package version

// Version is "dev" in an unstamped build.
var Version = "dev"
