//go:build netfixbench

package probe

// benchMatchEveryEntry makes OffloadFilter select every conntrack entry.
// BENCHMARK ONLY (make bench, test/bench): a binary built with
// -tags netfixbench counts every entry as offloaded and its flush deletes
// every entry of the host, offloaded or not. Never ship it.
const benchMatchEveryEntry = true
