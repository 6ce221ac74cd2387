// Package ctusage turns conntrack entries, one at a time, into the S2
// facts: the breakdown by protocol, TCP state, host and port, and the idle
// time of ESTABLISHED TCP entries. It is pure: the probe feeds it from a
// streaming dump (nobody holds the table), the rules and the tests feed it
// hand-built entries. It also plans which idle entries a reclaim or the
// conntrack.near_full fix may delete.
package ctusage
