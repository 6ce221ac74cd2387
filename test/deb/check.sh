#!/usr/bin/env bash
# Checks the .deb packages of netfix (make deb-test):
#   - dpkg installs each into a throwaway root (dpkg --root, maintainer
#     scripts run chrootless and see DPKG_ROOT, so they touch nothing here)
#     and removes it again, the config surviving remove as a conffile;
#   - the installed files are where the unit expects them;
#   - systemd-analyze verify accepts the unit, against the binary in that
#     root (the host's native architecture's package);
#   - the unit keeps its hardening (capabilities, ProtectSystem=strict,
#     state and runtime directories, journal).
set -euo pipefail
dir=${1:?usage: check.sh DIR-WITH-DEBS}
fail() { echo "deb-test: FAIL: $*" >&2; exit 1; }
command -v dpkg >/dev/null || { echo "deb-test: SKIP: no dpkg"; exit 0; }
native=$(dpkg --print-architecture)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
shopt -s nullglob
debs=("$dir"/netfix_*.deb)
[ ${#debs[@]} -ge 2 ] || fail "want the amd64 and arm64 packages in $dir, found ${#debs[@]}"
for deb in "${debs[@]}"; do
	arch=$(dpkg-deb -f "$deb" Architecture)
	echo "== $(basename "$deb") ($arch, $(stat -c %s "$deb") bytes)"
	dpkg-deb -c "$deb" | awk '{print "   " $1, $6}'
	root="$tmp/root-$arch"
	mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
	: >"$root/var/lib/dpkg/status"
	: >"$root/var/lib/dpkg/available"
	dpkg --root="$root" --force-script-chrootless --force-architecture \
		--log=/dev/null -i "$deb" >/dev/null
	for f in usr/sbin/netfix usr/lib/systemd/system/netfix.service etc/netfix/netfix.conf usr/share/doc/netfix/README.md \
		usr/share/netfix/prometheus/netfix-alerts.yml; do
		[ -e "$root/$f" ] || fail "$arch: /$f not installed"
	done
	# Docker hosts run systemd-networkd: the package's binary must be able
	# to ask it over D-Bus (router builds leave that out, -tags nodbus).
	grep -q org.freedesktop.network1 "$root/usr/sbin/netfix" || fail "$arch: binary built without the D-Bus client (nodbus)"
	[ "$(stat -c %a "$root/etc/netfix/netfix.conf")" = 600 ] || fail "$arch: config is not 0600"
	# Debian users reload with systemctl and read the journal, not OpenWrt's tools.
	! grep -nE '/etc/init\.d/|logread' "$root/etc/netfix/netfix.conf" || fail "$arch: config tells OpenWrt commands"
	grep -q 'systemctl reload netfix' "$root/etc/netfix/netfix.conf" || fail "$arch: config does not say how to reload"
	grep -q -- '--metrics-file /var/lib/prometheus/node-exporter/netfix.prom' "$root/usr/lib/systemd/system/netfix.service" ||
		fail "$arch: the unit does not point the metrics at node exporter's textfile directory"
	dpkg --root="$root" -s netfix | grep -q '^Status: install ok installed' || fail "$arch: dpkg does not list netfix as installed"
	dpkg --root="$root" -s netfix | grep -q '^Conffiles:' || fail "$arch: no conffiles"
	unit="$root/usr/lib/systemd/system/netfix.service"
	for want in 'CapabilityBoundingSet=CAP_NET_ADMIN' 'ProtectSystem=strict' 'StateDirectory=netfix' \
		'RuntimeDirectory=netfix' 'StandardOutput=journal' 'NoNewPrivileges=yes' \
		'ReadWritePaths=-/var/lib/prometheus/node-exporter'; do
		grep -qx "$want" "$unit" || fail "$arch: unit lacks $want"
	done
	if [ "$arch" = "$native" ]; then
		"$root/usr/sbin/netfix" version
		if command -v systemd-analyze >/dev/null; then
			# verify resolves ExecStart against the real filesystem: point
			# it at the binary in the throwaway root.
			sed "s|/usr/sbin/netfix|$root/usr/sbin/netfix|" "$unit" >"$tmp/netfix.service"
			out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "$tmp/netfix.service" 2>&1) || fail "systemd-analyze verify: $out"
			[ -z "$out" ] || fail "systemd-analyze verify warns: $out"
			echo "   systemd-analyze verify: ok"
			if out=$(systemd-analyze security --offline=yes "$tmp/netfix.service" 2>/dev/null | tail -1); then
				echo "   $out"
			fi
		else
			echo "   systemd-analyze not installed: unit not verified (apt-get install systemd)"
		fi
	fi
	dpkg --root="$root" --force-script-chrootless --log=/dev/null -r netfix >/dev/null
	[ ! -e "$root/usr/sbin/netfix" ] || fail "$arch: binary left after remove"
	[ -e "$root/etc/netfix/netfix.conf" ] || fail "$arch: conffile removed by remove (only purge may)"
	dpkg --root="$root" --force-script-chrootless --log=/dev/null -P netfix >/dev/null
	[ ! -e "$root/etc/netfix/netfix.conf" ] || fail "$arch: conffile left after purge"
	echo "   install, remove, purge: ok"
done
echo "deb-test: ok"
