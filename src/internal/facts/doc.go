// Package facts holds the plain values netfix reads from the kernel and from
// UCI. A Snapshot is gathered once by package probe and then handed, read
// only, to the pure rules in package diagnose and to the status document.
//
// These are not the wire format: package status has its own types for the
// document and copies the facts into them (status/convert.go), so a fact
// can be renamed or reshaped without the document changing. The types
// carry no json tags for that reason, except CTStats, which the probe
// keeps in its conntrack-stats.json cache between one-shot checks.
//
// Nothing here does I/O, so rules and their tests can build snapshots by hand.
package facts
