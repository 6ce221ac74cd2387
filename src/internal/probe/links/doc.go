// Package links reads the links of the current network namespace and
// what the kernel does with them: the flowtables' devices (kind, bridge,
// driver, hw-tc-offload through ethtool), the bridges with bridge
// netfilter's switches, and forwarding (the sysctls under /proc/sys, the
// routes and drop counters under /proc/net). Files of the host's
// configuration are package hostconf's.
package links
