// Package heal decides which conntrack entries a neighbour or bridge change
// has made stale, and deletes exactly those.
//
// The decisions are pure: Tracker turns neighbour and FDB messages into
// Changes (a host's MAC or bridge port really changed), Limiter bounds how
// often one host is repaired, and Select picks the offloaded entries tied
// to a host. The daemon feeds them from netlink and acts through conntrack.
//
// Neighbour messages arrive constantly for unchanged hosts (REACHABLE ->
// STALE -> DELAY -> PROBE, refreshes) and all carry the link-layer address;
// a healer that reacted to every message naming a MAC would delete healthy
// hosts' flows. Only a different MAC for the same IP, or a different bridge
// port for the same MAC, is a change.
package heal
