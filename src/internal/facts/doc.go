// Package facts holds the plain values netfix reads from the kernel and from
// UCI. A Snapshot is gathered once by package probe and then handed, read
// only, to the pure rules in package diagnose and to the status document.
//
// Nothing here does I/O, so rules and their tests can build snapshots by hand.
package facts
