// Package daemon is netfix's long-running side: it watches neighbour and
// bridge FDB changes over rtnetlink, asks package heal which offloaded
// conntrack entries they made stale, deletes exactly those, keeps the live
// status document, and serves it on the control socket.
package daemon
