#!/bin/bash
# Conntrack scale benchmark on the host kernel (figures only, no asserts):
# what `netfix check`, `netfix flush` and the daemon cost on a table where
# every entry is offloaded, the worst case of a real router (fw4 offloads
# every established TCP/UDP flow).
#
# The host kernel has no flowtable and user space cannot set OFFLOAD, so
# the benchmark runs netfix's commands through the benchmark program
# netfixbench (src/cmd/netfixbench: `netfixbench check|flush|daemon|status`),
# which sets the offload filter to select every entry
# (probe.BenchmarkEveryEntry) before it runs the command and links exactly
# what netfix links. netfix itself has no such option; netfixbench lives
# in build/bench and is never packaged.
#
# For each table size, in a throwaway namespace filled over ctnetlink
# (UDP entries from 10.200.x to 8 LAN hosts, round robin), side by side:
#   - netfix check --json   vs  conntrack -L          (wall s, peak RSS)
#   - netfix flush <host>   vs  conntrack -D -d <host> (the host holds 1/8
#                                                       of the table)
#   - the daemon: idle RSS, peak RSS (VmHWM, sweeps included) and CPU over
#     an idle period with sweeps, with the benchmark build (every entry
#     crosses netlink each sweep) and with the real build (the kernel
#     filters on OFFLOAD, nothing here is offloaded). The idle period
#     starts WARM seconds after the daemon's first answer: its first
#     sweeps grow the heap to the garbage collector's first goal, fresh
#     pages each, which a daemon that has run for a while no longer pays.
#     The log line gives the CPU of that warm-up too.
# Medians of REPS runs. Run as root: make bench, or
#   test/bench/conntrack.sh [sizes...]     (default 10000 100000 250000)
# The idle CPU is given per minute, measured over IDLE seconds: the
# default 120 is one cycle of the idle daemon (a full probe every 2
# minutes, a pulse at the other sweeps, a forced garbage collection), so
# the figure does not depend on where a one-minute window falls.
# Environment: REPS (3), IDLE seconds (120), WARM seconds (60), SWEEP
# seconds (30), BUCKETS.
#
# BUCKETS=router (the default) sizes the kernel's conntrack hash for each
# table as on a router that holds it: the kernel's default there is one
# bucket per entry of nf_conntrack_max (max_factor 1 since Linux 5.15) and
# OpenWrt keeps it, so N entries get the power of two >= N (16,384 for
# 10k). Every walk, netfix's and conntrack-tools', locks each bucket, and
# this host's default (262,144, for its RAM) made a 10k-entry table cost
# 16 times the walk a router has. BUCKETS=host keeps the host's size. The
# hash is global: the original size is put back on exit.
set -euo pipefail

cd "$(dirname "$0")/../.."
SIZES=${*:-10000 100000 250000}
REPS=${REPS:-3}
IDLE=${IDLE:-120}
WARM=${WARM:-60}
SWEEP=${SWEEP:-30}
HOSTS=192.168.1.100,192.168.1.101,192.168.1.102,192.168.1.103,192.168.1.104,192.168.1.105,192.168.1.106,192.168.1.107
TARGET=192.168.1.100

[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (network namespaces, conntrack)" >&2; exit 2; }
for t in conntrack ip go; do
	command -v $t >/dev/null || { echo "bench: needs $t (bash scripts/deps.sh)" >&2; exit 2; }
done

B=build/bench
mkdir -p $B
# Built like the router packages (make cross): their Go, compiler flags and
# build tags (nodbus: no D-Bus client on OpenWrt, nor its start-up cost).
export GOTOOLCHAIN=$(make -s --no-print-directory print-ROUTER_GOTOOLCHAIN)
read -r -a GCFLAGS <<<"$(make -s --no-print-directory print-ROUTER_GCFLAGS)"
read -r -a TAGS <<<"$(make -s --no-print-directory print-ROUTER_TAGS)"
echo "build: $B/netfixbench (netfix's commands, every entry offloaded), $B/netfix-real, $B/nfvm ($GOTOOLCHAIN ${TAGS[*]} ${GCFLAGS[*]})"
CGO_ENABLED=0 go build -trimpath "${TAGS[@]}" "${GCFLAGS[@]}" -ldflags "-s -w" -o $B/netfixbench ./src/cmd/netfixbench
CGO_ENABLED=0 go build -trimpath "${TAGS[@]}" "${GCFLAGS[@]}" -ldflags "-s -w" -o $B/netfix-real ./src/cmd/netfix
CGO_ENABLED=0 go build -trimpath -o $B/nfvm ./test/vm/cmd/nfvm

NS=nfx-stream-bench-$$
TMP=$(mktemp -d /tmp/netfix-bench.XXXXXX)
DPID=
BUCKETS=${BUCKETS:-router}
HASH=/proc/sys/net/netfilter/nf_conntrack_buckets
modprobe nf_conntrack 2>/dev/null || true
[ -r $HASH ] || { echo "bench: no $HASH (nf_conntrack not loaded)" >&2; exit 2; }
ORIG_BUCKETS=$(cat $HASH)
case $BUCKETS in
router | host) ;;
*) echo "bench: BUCKETS is router or host, not $BUCKETS" >&2; exit 2 ;;
esac
cleanup() {
	[ "$(cat $HASH)" = "$ORIG_BUCKETS" ] || echo "$ORIG_BUCKETS" >$HASH || true
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null || true
	ip netns del $NS 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap "exit 130" INT TERM

nsx() { ip netns exec $NS "$@"; }

# timed OUT CMD...: runs CMD in the namespace, stdout to /dev/null; appends
# "seconds maxrss_kB" to OUT. nfvm times CMD from inside the namespace, to
# the microsecond: `ip netns exec` (about 4.5 ms here) is not part of
# either side and, added to both, pulled the ratios towards 1.
timed() {
	local out=$1
	shift
	: >"$TMP/t"
	nsx $B/nfvm timed -o "$TMP/t" -- "$@" >/dev/null 2>"$TMP/err" || {
		local rc=$?
		# netfix check exits 1/2 for warnings/critical findings: a result.
		if [ "$1" != "$B/netfixbench" ] || [ $rc -ge 3 ] || [ ! -s "$TMP/t" ]; then
			echo "bench: $* failed ($rc):" >&2
			cat "$TMP/err" >&2
			exit 1
		fi
	}
	awk '{ printf "%.4f %s\n", $1, $2 }' "$TMP/t" >>"$out"
}

# median FILE COLUMN
median() { sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# proc PID: "rss_kB hwm_kB cpu_ns" from /proc. The CPU time is the sum of
# the threads' schedstat run times (nanoseconds; /proc/PID/stat counts
# 10 ms ticks, too coarse for a few ms a sweep).
proc() {
	local rss hwm cpu
	rss=$(awk '/^VmRSS:/ { print $2 }' /proc/$1/status)
	hwm=$(awk '/^VmHWM:/ { print $2 }' /proc/$1/status)
	cpu=$(cat /proc/$1/task/*/schedstat | awk '{ s += $1 } END { printf "%d", s }')
	echo "$rss $hwm $cpu"
}

count_entries() { nsx conntrack -C; }

# daemon BINARY: starts it in the namespace, waits for its first probe and
# WARM seconds, idles IDLE seconds; prints "idle_rss_kB peak_rss_kB cpu_ms
# warm_cpu_ms" (CPU in the idle period, and in the warm-up).
daemon_run() {
	local bin=$1 conf=$TMP/netfix.conf
	printf "config netfix 'main'\n\toption sweep_interval '%s'\n\toption log_level 'warn'\n" "$SWEEP" >"$conf"
	rm -f "$TMP/d.sock" "$TMP/state.json"
	# Not through nsx: a backgrounded function is a subshell and $! would be
	# its PID; ip netns exec execs the daemon, so $! is the daemon.
	ip netns exec $NS "$bin" daemon --config "$conf" --socket "$TMP/d.sock" --state "$TMP/state.json" --root "$TMP/root" \
		>>"$TMP/daemon.log" 2>&1 &
	DPID=$!
	local i=0
	# Serving starts with the first probe done: generated_at is set. The
	# exit code says warnings/critical, not whether it answered.
	until { nsx "$bin" status --json --socket "$TMP/d.sock" >"$TMP/status.json" 2>/dev/null || true; } &&
		grep -q '"generated_at": "2' "$TMP/status.json"; do
		sleep 0.2
		i=$((i + 1))
		[ $i -lt 300 ] || { echo "bench: daemon did not answer" >&2; cat "$TMP/daemon.log" >&2; exit 1; }
	done
	sleep 1
	local w p0 p1
	w=$(proc $DPID)
	sleep "$WARM"
	p0=$(proc $DPID)
	sleep "$IDLE"
	p1=$(proc $DPID)
	kill $DPID
	wait $DPID 2>/dev/null || true
	DPID=
	set -- $w $p0 $p1
	echo "$7 $8 $((($9 - $6) / 1000000)) $((($6 - $3) / 1000000))"
}

# An OpenWrt-like root for check and the daemon: fw4 with software and
# hardware offloading on, as on the routers of the field reports.
mkdir -p "$TMP/root/etc/config"
printf "config defaults\n\toption flow_offloading '1'\n\toption flow_offloading_hw '1'\n" >"$TMP/root/etc/config/firewall"
printf '%-8s %-8s %-28s %-28s %-7s %-28s %-28s %-7s %s\n' entries buckets "check s / peak MB" "conntrack -L s / MB" ratio \
	"flush s / peak MB" "conntrack -D s / MB" ratio "daemon idle MB / peak MB / CPU ms a minute over ${IDLE}s (bench | real)" >"$TMP/table"
# Every namespace's entries share the kernel's one conntrack hash table, and
# every walk steps over all of it: entries elsewhere slow both sides of a
# ratio. Say how many there are.
others() {
	local n=$(cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo 0) ns c
	for ns in $(ip netns list | awk '{print $1}'); do
		[ "$ns" = "$NS" ] && continue
		c=$(ip netns exec "$ns" cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo 0)
		n=$((n + c))
	done
	echo "$n"
}
for N in $SIZES; do
	if [ "$BUCKETS" = router ]; then
		nb=1024
		while [ $nb -lt "$N" ]; do nb=$((nb * 2)); done
		echo $nb >$HASH
	fi
	nb=$(cat $HASH)
	ip netns del $NS 2>/dev/null || true
	ip netns add $NS
	nsx ip link set lo up
	echo "N=$N: fill $(nsx $B/nfvm ct-fill -n "$N" -src 10.200.0.1 -dst $HOSTS -timeout 3600 -workers 2)"
	echo "N=$N: table $(count_entries) entries in $nb buckets; $(others) more in other namespaces (0 for clean figures)"
	: >"$TMP/check" && : >"$TMP/ctl" && : >"$TMP/flush" && : >"$TMP/ctd"
	for r in $(seq "$REPS"); do
		timed "$TMP/check" $B/netfixbench check --json --root "$TMP/root" --socket "$TMP/none.sock"
		timed "$TMP/ctl" conntrack -L
	done
	per=$((N / 8))
	for r in $(seq "$REPS"); do
		timed "$TMP/flush" $B/netfixbench flush -ip $TARGET --socket "$TMP/none.sock"
		nsx $B/nfvm ct-fill -n $per -src 10.$((201 + 2 * r)).0.1 -dst $TARGET -timeout 3600 -workers 2 >/dev/null
		timed "$TMP/ctd" conntrack -D -d $TARGET
		nsx $B/nfvm ct-fill -n $per -src 10.$((202 + 2 * r)).0.1 -dst $TARGET -timeout 3600 -workers 2 >/dev/null
	done
	echo "N=$N: table after the flushes $(count_entries) entries"
	ck=$(median "$TMP/check" 1) ckm=$(median "$TMP/check" 2)
	cl=$(median "$TMP/ctl" 1) clm=$(median "$TMP/ctl" 2)
	fl=$(median "$TMP/flush" 1) flm=$(median "$TMP/flush" 2)
	cd_=$(median "$TMP/ctd" 1) cdm=$(median "$TMP/ctd" 2)
	echo "N=$N: check $(tr '\n' ';' <"$TMP/check") conntrack -L $(tr '\n' ';' <"$TMP/ctl")"
	echo "N=$N: flush $(tr '\n' ';' <"$TMP/flush") conntrack -D $(tr '\n' ';' <"$TMP/ctd")"
	if [ "$IDLE" -gt 0 ]; then
		read -r irss ipeak icpu iwarm < <(daemon_run $B/netfixbench)
		read -r rrss rpeak rcpu rwarm < <(daemon_run $B/netfix-real)
		echo "N=$N: daemon (bench build) idle ${irss} kB, peak ${ipeak} kB, ${icpu} ms CPU in ${IDLE} s (${iwarm} ms in the ${WARM} s warm-up); real build ${rrss} kB, peak ${rpeak} kB, ${rcpu} ms (${rwarm} ms)"
		dm=$(awk -v a="$irss" -v b="$ipeak" -v c="$icpu" -v d="$rrss" -v e="$rpeak" -v f="$rcpu" -v s="$IDLE" \
			'BEGIN { printf "%.1f / %.1f / %d | %.1f / %.1f / %d", a/1024, b/1024, c*60/s, d/1024, e/1024, f*60/s }')
	else
		dm="-"
	fi
	printf '%-8s %-8s %-28s %-28s %-7s %-28s %-28s %-7s %s\n' "$N" "$nb" \
		"$ck / $(awk -v m="$ckm" 'BEGIN { printf "%.1f", m/1024 }')" \
		"$cl / $(awk -v m="$clm" 'BEGIN { printf "%.1f", m/1024 }')" "$(ratio "$ck" "$cl")" \
		"$fl / $(awk -v m="$flm" 'BEGIN { printf "%.1f", m/1024 }')" \
		"$cd_ / $(awk -v m="$cdm" 'BEGIN { printf "%.1f", m/1024 }')" "$(ratio "$fl" "$cd_")" "$dm" >>"$TMP/table"
	ip netns del $NS
done
echo
echo "Every entry offloaded (benchmark build); flush: the host holds 1/8 of the table; medians of $REPS;"
echo "conntrack hash: $BUCKETS-sized (BUCKETS=router|host); timed inside the namespace (nfvm timed)."
echo "Goals: check <= 0.6x conntrack -L, flush <= 0.5x conntrack -D, daemon peak <= 16 MB, idle <= 10 MB, <= 50 ms CPU a minute idle."
cat "$TMP/table"
