// Package ctreclaim frees a full conntrack table the only safe way netfix
// knows: it deletes ESTABLISHED TCP entries that have been silent for
// longer than a given time (their peers are gone; the kernel would keep
// them for days), oldest first, and nothing else. `netfix fix apply
// conntrack.near_full` and the daemon's opt-in reclaim both use it.
//
// It streams the table twice (plan, then delete as the dump delivers) and
// never holds it; deletes name the entry by its tuples and ID, so an entry
// replaced since the dump is left alone.
package ctreclaim
