// Package cli implements netfix's subcommands. Each takes its arguments
// and output streams and returns the process exit code, so tests can run
// them in-process and main stays a dispatcher.
package cli
