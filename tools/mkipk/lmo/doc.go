// Package lmo compiles gettext catalogs (.po) into LuCI's binary LMO
// format, the one luci-base's po2lmo writes and lmo.c reads
// (/usr/lib/lua/luci/i18n/<app>.<lang>.lmo), so a translation package can
// be built without the OpenWrt SDK.
//
// The file is: the translated strings one after another, each padded with
// NUL bytes to a multiple of 4; then the index, one 16-byte entry per
// string (key hash, value id, offset, length; big-endian uint32s) sorted
// by key hash; then the index's offset as the last big-endian uint32.
//
// The key hash is Paul Hsieh's SuperFastHash of the key, seeded with its
// length. Keys are "msgid", "ctxt\x01msgid" with a msgctxt, and
// "msgid\x02N" (or "ctxt\x01msgid\x02N") for plural form N; the entry with
// key 0 holds the Plural-Forms expression of the header. The browser side
// (LuCI's _() and N_()) hashes the same keys, so the lookups of this
// package mirror lmo.c and luci.js.
package lmo
