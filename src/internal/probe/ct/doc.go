// Package ct reads the conntrack table of the current network namespace:
// its size and the kernel's statistics (the pulse the daemon reads between
// full probes, and the counters S4 samples), its sysctls, and the table
// itself as a stream of entries, filtered in the kernel where it can
// (CTFilter), counted for the flowtable's entries (CountOffloaded) or
// broken down for S2 (ReadCTUsage). It never deletes an entry: callers
// that do (flows, ctreclaim) send their own requests about the entries it
// streams.
package ct
