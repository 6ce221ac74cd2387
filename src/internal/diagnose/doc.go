// Package diagnose holds netfix's rules: pure functions from a
// facts.Snapshot to findings. They do no I/O, so every rule is tested with
// hand-built snapshots, the field reports' among them.
//
// One file per failure family; Run calls them in a fixed order so the
// report reads the same every time.
package diagnose
