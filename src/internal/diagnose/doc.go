// Package diagnose holds netfix's rules: pure functions from a
// facts.Snapshot to findings. They do no I/O, so every rule is tested with
// hand-built snapshots, the field reports' among them. A rule returns its
// own Finding (catalog messages, a Severity); assess turns it into the
// status document's, so the rules never depend on the wire format.
//
// One file per failure family; Run calls them in a fixed order so the
// report reads the same every time.
package diagnose
