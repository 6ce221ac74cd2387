#!/usr/bin/env bash
# Installs what `make test` and `make demo` need on a fresh Debian machine
# that has only Go. Idempotent: does nothing when everything is present.
set -euo pipefail

pkgs=(nftables conntrack iproute2 kmod ethtool)
# make pkg-test: run the mipsel and arm64 builds; unpack the packages.
pkgs+=(qemu-user-static tar gzip util-linux)
# make vm-test, vm-bench, demo: Debian's kernel under QEMU (TCG), a static
# busybox for the initramfs (test/vm/build.sh downloads the kernel package).
pkgs+=(qemu-system-x86 seabios busybox-static)
# make luci-test: headless Chromium; CJK fonts for the zh_Hans screenshot.
pkgs+=(chromium fonts-noto-cjk)
# S3 test against a real systemd-networkd on a private bus (Debian 12 ships
# networkd in systemd; Debian 13 in its own package).
pkgs+=(systemd dbus-daemon)
if apt-cache show systemd-networkd >/dev/null 2>&1; then pkgs+=(systemd-networkd); fi
# S4 namespace test: Docker-style DNAT through iptables-nft (Debian's
# default iptables), capture of the reset; make deb-test checks the unit
# with systemd-analyze (systemd, above).
pkgs+=(iptables tcpdump)
# make metrics-test (docs/metrics.md): promtool (in prometheus) lints the
# exposition and unit-tests the alert rules; the end-to-end test runs the
# real prometheus-node-exporter (textfile collector) and prometheus on
# loopback ports of its own; the OpenWrt collector runs under Lua 5.1. On
# a systemd host the packages also start their own services (ports 9090,
# 9100): the test does not use them.
pkgs+=(prometheus prometheus-node-exporter lua5.1)
# make integration: the race detector (the netfix binary the daemon's
# kernel tests exec, the daemon's own tests) needs cgo, so a C compiler.
pkgs+=(gcc libc6-dev)
# make vm-test, the wifi_* scenarios: real 802.11 roams on mac80211_hwsim
# with Debian's hostapd, wpa_supplicant and iw (test/vm/build.sh copies
# them and their libraries into the initramfs).
pkgs+=(hostapd wpasupplicant iw)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: need root to apt-get install ${missing[*]} (run: sudo make test)" >&2
		exit 1
	fi
	echo "deps: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
go mod download
