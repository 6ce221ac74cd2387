// Command mkipk builds the opkg packages of netfix without the OpenWrt SDK:
// netfix_<version>-r<release>_<arch>.ipk from a cross-built binary and the
// files/ tree, and luci-app-netfix_<version>-r<release>_all.ipk from the
// luci-app/ tree laid out the way luci.mk installs it.
//
// The archives are written by goreleaser's nfpm (its ipk packager). Two
// things are set here because nfpm does not know OpenWrt: the architecture
// names (mipsel_24kc, aarch64_cortex-a53, …) and Installed-Size, which nfpm
// writes in KiB while opkg reads bytes (libopkg/opkg_install.c divides by
// 1024 before its free-space check; scripts/ipkg-build stores the length of
// the uncompressed data.tar). mkipk rewrites that one control line after
// nfpm has built the package; see fixup.go.
//
// The module is separate from netfix's own so that netfix's go.mod keeps
// the Go version the OpenWrt 24.10 SDK builds with, and none of nfpm's
// dependencies.
//
// Usage (the Makefile's ipk target runs it):
//
//	mkipk -kind netfix -arch mipsel_24kc -bin build/mipsel_24kc/netfix \
//		-files files -version 0.1.0 -release 1 -out build/ipk
//	mkipk -kind luci -src luci-app -version 0.1.0 -release 1 -out build/ipk
//
// The tests in this module check the built packages when NETFIX_IPK_DIR
// names the directory holding them (make pkg-test); see pkg_test.go.
package main
