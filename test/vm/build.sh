#!/usr/bin/env bash
# Builds the flowtable VM: Debian's own kernel (which has nf_flow_table as
# modules, unlike the host kernel here) and a gzip initramfs with busybox,
# nft, conntrack, iproute2, the netfix binary, the nfvm helper and the guest
# scenario scripts.
#
#   test/vm/build.sh            kernel (cached) + initramfs (rebuilt, ~2 s)
#
# Environment:
#   NETFIX_VM_CACHE   cache and output directory (default: build/vm)
#   NETFIX_VM_KPKG    kernel package to use (default: what linux-image-amd64
#                     depends on)
#   NETFIX_VM_NO_NETFIX=1  build without the netfix binary (control runs only)
#   NETFIX_VM_NETFIX_BIN   use this netfix binary instead of `make cross`'s x86_64 one
#
# Outputs: $CACHE/vmlinuz, $CACHE/initramfs.cpio.gz, $CACHE/kver.
# Downloads go to $CACHE/kernel/ and are reused; nothing here is committed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VMDIR=$ROOT/test/vm
CACHE=${NETFIX_VM_CACHE:-$ROOT/build/vm}
mkdir -p "$CACHE/kernel"

log() { echo "vm-build: $*" >&2; }

need() {
	local missing=()
	for c in "$@"; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
	if [ ${#missing[@]} -gt 0 ]; then
		log "missing commands: ${missing[*]} (run: bash scripts/deps.sh)"
		exit 1
	fi
}
need busybox nft conntrack ip go gzip dpkg-deb apt-get apt-cache ldd

# ---- 1. kernel -------------------------------------------------------------

kernel_pkg() {
	if [ -n "${NETFIX_VM_KPKG:-}" ]; then
		echo "$NETFIX_VM_KPKG"
		return
	fi
	local dep
	dep=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	if [ -z "$dep" ]; then
		apt-get update -qq >/dev/null 2>&1 || true
		dep=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	fi
	echo "$dep"
}

KPKG=$(kernel_pkg)
if [ -z "$KPKG" ]; then
	# Offline and no package index: reuse whatever kernel is cached.
	KPKG=$(ls -1 "$CACHE/kernel" 2>/dev/null | grep '^linux-image-' | sort -V | tail -n1 || true)
	[ -n "$KPKG" ] || { log "cannot resolve linux-image-amd64 and nothing is cached"; exit 1; }
	log "apt index unavailable, using cached $KPKG"
fi
KDIR=$CACHE/kernel/$KPKG
if [ ! -f "$KDIR/.complete" ]; then
	log "downloading $KPKG"
	rm -rf "$KDIR" "$CACHE/kernel/dl"
	mkdir -p "$CACHE/kernel/dl" "$KDIR"
	# apt's sandbox user cannot write to root-owned dirs: download in a
	# world-writable temp dir, then move.
	tmp=$(mktemp -d)
	chmod 777 "$tmp"
	(cd "$tmp" && apt-get download "$KPKG" >/dev/null 2>&1) || {
		apt-get update -qq >/dev/null 2>&1 || true
		(cd "$tmp" && apt-get download "$KPKG")
	}
	mv "$tmp"/*.deb "$CACHE/kernel/dl/"
	rmdir "$tmp"
	dpkg-deb -x "$CACHE"/kernel/dl/"$KPKG"_*.deb "$KDIR/x"
	kver=$(ls "$KDIR/x/lib/modules" | head -n1)
	log "depmod $kver"
	busybox depmod -b "$KDIR/x" "$kver"
	echo "$kver" >"$KDIR/kver"
	rm -rf "$CACHE/kernel/dl"
	touch "$KDIR/.complete"
fi
KVER=$(cat "$KDIR/kver")
MODDIR=$KDIR/x/lib/modules/$KVER
cp -f "$KDIR/x/boot/vmlinuz-$KVER" "$CACHE/vmlinuz"
echo "$KVER" >"$CACHE/kver"

# ---- 2. module closure, in load order ---------------------------------------

# Roots: what the test bed uses. Dependencies come from modules.dep; the
# order is a depth-first post-order, so every module follows its deps.
# crc32c_generic is a soft dependency of libcrc32c (crypto API), not in
# modules.dep, so it comes first by hand.
ROOTS="crc32c_generic libcrc32c nfnetlink nf_tables nf_defrag_ipv4 nf_defrag_ipv6
nf_conntrack nf_conntrack_netlink nft_ct nf_flow_table nf_flow_table_inet
nft_flow_offload nf_nat nft_nat nft_chain_nat nft_masq llc stp bridge veth
mac80211_hwsim ccm ctr"

modorder=$(awk -v roots="$ROOTS" '
	function base(p,   b) { b = p; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b); gsub(/-/, "_", b); return b }
	function visit(m,   i, n, d) {
		if (m in seen) return
		seen[m] = 1
		if (!(m in path)) { missing = missing " " m; return }
		n = split(deps[m], d, " ")
		# modules.dep lists deps nearest-first; load the farthest first.
		for (i = n; i >= 1; i--) visit(base(d[i]))
		order[++cnt] = path[m]
	}
	{
		p = $1; sub(/:$/, "", p)
		m = base(p); path[m] = p
		$1 = ""; deps[m] = $0
	}
	END {
		n = split(roots, r, /[ \n]+/)
		for (i = 1; i <= n; i++) if (r[i] != "") visit(r[i])
		if (missing != "") { print "MISSING" missing > "/dev/stderr" }
		for (i = 1; i <= cnt; i++) print order[i]
	}' "$MODDIR/modules.dep")

# ---- 3. Go binaries ---------------------------------------------------------

GOBUILD=(env CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath -ldflags "-s -w")
mkdir -p "$CACHE/bin"
(cd "$ROOT" && "${GOBUILD[@]}" -o "$CACHE/bin/nfvm" ./test/vm/cmd/nfvm)
NETFIX_BIN=""
if [ -n "${NETFIX_VM_NETFIX_BIN:-}" ]; then
	NETFIX_BIN=$NETFIX_VM_NETFIX_BIN
elif [ "${NETFIX_VM_NO_NETFIX:-0}" != 1 ] && [ -d "$ROOT/src/cmd/netfix" ]; then
	# The router packages' x86_64 build (make cross: their Go, flags and
	# -tags nodbus), so the scenarios run what a router runs.
	if (cd "$ROOT" && make -s cross >"$CACHE/netfix-build.log" 2>&1); then
		NETFIX_BIN=$ROOT/build/x86_64/netfix
	else
		log "WARNING: make cross failed, the image has no netfix (daemon scenarios will fail):"
		tail -n 20 "$CACHE/netfix-build.log" >&2
	fi
fi

# ---- 4. root file system ----------------------------------------------------

RFS=$CACHE/rootfs
rm -rf "$RFS"
mkdir -p "$RFS"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,run,etc,root,vm/scenarios}
mkdir -p "$RFS/var"
ln -s /run "$RFS/var/run"

# The initramfs has no libc for busybox: it must be busybox-static's.
BUSYBOX=$(command -v busybox)
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	log "$BUSYBOX is dynamically linked: install busybox-static (bash scripts/deps.sh)"
	exit 1
fi
cp "$BUSYBOX" "$RFS/bin/busybox"
for a in $(busybox --list); do
	case $a in busybox | ip | bridge) continue ;; esac
	[ -e "$RFS/bin/$a" ] || ln -s busybox "$RFS/bin/$a"
done

# Dynamically linked tools with their libraries. iproute2's ip lives in
# /usr/sbin; scripts call it by full path (busybox's ip applet would win).
copy_with_libs() {
	local src=$1 dst=$2 lib
	cp -L "$src" "$RFS$dst"
	for lib in $(ldd "$src" | awk '/=> \// {print $3} /^\t\/lib/ {print $1}'); do
		[ -e "$RFS$lib" ] && continue
		mkdir -p "$RFS$(dirname "$lib")"
		cp -L "$lib" "$RFS$lib"
	done
}
copy_with_libs "$(readlink -f "$(command -v ip)")" /usr/sbin/ip
copy_with_libs "$(command -v nft)" /usr/sbin/nft
copy_with_libs "$(command -v conntrack)" /usr/sbin/conntrack
if command -v bridge >/dev/null; then copy_with_libs "$(command -v bridge)" /usr/sbin/bridge; fi
if command -v tcpdump >/dev/null; then copy_with_libs "$(command -v tcpdump)" /usr/sbin/tcpdump; fi
# The Wi-Fi scenarios (wifi_*): Debian's hostapd, wpa_supplicant and iw on
# mac80211_hwsim radios. Without them those scenarios report a failure; the
# rest of the suite does not need them.
for t in hostapd hostapd_cli wpa_supplicant wpa_cli iw; do
	if command -v $t >/dev/null; then
		copy_with_libs "$(command -v $t)" /usr/sbin/$t
	else
		log "WARNING: $t missing, the wifi_* scenarios will fail (bash scripts/deps.sh)"
	fi
done
# The loader is named by its canonical path in the binaries' PT_INTERP.
[ -e "$RFS/lib64/ld-linux-x86-64.so.2" ] || cp -L /lib64/ld-linux-x86-64.so.2 "$RFS/lib64/"
# nft and conntrack look up protocol and service names.
for f in /etc/protocols /etc/services; do [ -f "$f" ] && cp "$f" "$RFS/etc/"; done
echo "root:x:0:0:root:/root:/bin/sh" >"$RFS/etc/passwd"
echo "root:x:0:" >"$RFS/etc/group"
# iproute2 reads its tables from /usr/share/iproute2 or /etc/iproute2.
[ -d /usr/share/iproute2 ] && mkdir -p "$RFS/usr/share" && cp -r /usr/share/iproute2 "$RFS/usr/share/"

# Kernel modules (decompressed if the package ships them compressed).
KMOD=$RFS/lib/modules/$KVER
mkdir -p "$KMOD"
: >"$RFS/vm/modules.order"
for p in $modorder; do
	mkdir -p "$KMOD/$(dirname "$p")"
	case $p in
	*.ko.xz) xz -dc "$MODDIR/$p" >"$KMOD/${p%.xz}"; p=${p%.xz} ;;
	*.ko.zst) zstd -qdc "$MODDIR/$p" >"$KMOD/${p%.zst}"; p=${p%.zst} ;;
	*.ko.gz) gzip -dc "$MODDIR/$p" >"$KMOD/${p%.gz}"; p=${p%.gz} ;;
	*) cp "$MODDIR/$p" "$KMOD/$p" ;;
	esac
	echo "/lib/modules/$KVER/$p" >>"$RFS/vm/modules.order"
done

cp "$CACHE/bin/nfvm" "$RFS/usr/bin/nfvm"
if [ -n "$NETFIX_BIN" ]; then
	cp "$NETFIX_BIN" "$RFS/usr/bin/netfix"
fi
cp "$VMDIR/init" "$RFS/init"
cp "$VMDIR"/scenarios/*.sh "$RFS/vm/scenarios/"
chmod 755 "$RFS/init" "$RFS"/vm/scenarios/*.sh
echo "$KVER" >"$RFS/vm/kver"

(cd "$RFS" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1 >"$CACHE/initramfs.cpio.gz.tmp")
mv "$CACHE/initramfs.cpio.gz.tmp" "$CACHE/initramfs.cpio.gz"
log "kernel $KVER, $(wc -l <"$RFS/vm/modules.order") modules, netfix: ${NETFIX_BIN:+yes}${NETFIX_BIN:-no}," \
	"initramfs $(du -h "$CACHE/initramfs.cpio.gz" | cut -f1)"
