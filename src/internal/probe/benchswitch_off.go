//go:build !netfixbench

package probe

// benchMatchEveryEntry is false in every real build: only entries the
// flowtable owns are counted, listed or deleted.
const benchMatchEveryEntry = false
