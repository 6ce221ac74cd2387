#!/usr/bin/env bash
# Boots the flowtable VM once and runs scenarios in it; prints every guest
# line, then a summary, and exits non-zero if a scenario failed.
#
#   test/vm/run.sh                      the suite (every assertion scenario)
#   test/vm/run.sh s1_control s1_heal   named scenarios, in one boot
#   test/vm/run.sh bench                the benchmark (figures, no asserts)
#   test/vm/run.sh shell                an interactive shell in the guest
#
# Options (before the names):
#   --no-build      reuse build/vm/initramfs.cpio.gz as it is
#   --accel A       tcg, kvm or auto (default auto: KVM only if a quick probe
#                   boots this kernel under it; the result is cached)
#   --mem MB        guest memory (default 1024; bench: 2048)
#   --timeout S     give up on the whole boot after S seconds
#   --args STRING   passed to the guest scenarios as $NETFIX_ARGS (no blanks)
#   --quiet         print only the summary and failures
#   --results FILE  also write the NETFIX-RESULT lines to FILE
#
# Environment: NETFIX_VM_CACHE (default build/vm), NETFIX_VM_ACCEL.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${NETFIX_VM_CACHE:-$ROOT/build/vm}
BUILD=1
ACCEL=${NETFIX_VM_ACCEL:-auto}
MEM=""
TIMEOUT=""
ARGS=""
QUIET=0
RESULTS=""
while [ $# -gt 0 ]; do
	case $1 in
	--no-build) BUILD=0 ;;
	--accel) ACCEL=$2; shift ;;
	--mem) MEM=$2; shift ;;
	--timeout) TIMEOUT=$2; shift ;;
	--args) ARGS=$2; shift ;;
	--quiet) QUIET=1 ;;
	--results) RESULTS=$2; shift ;;
	-h | --help) sed -n '2,22p' "$0"; exit 0 ;;
	--*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
LIST=$(IFS=,; echo "${*:-suite}")

command -v qemu-system-x86_64 >/dev/null || { echo "run.sh: qemu-system-x86_64 missing (bash scripts/deps.sh)" >&2; exit 1; }
if [ $BUILD = 1 ]; then
	"$ROOT/test/vm/build.sh"
fi
[ -f "$CACHE/initramfs.cpio.gz" ] && [ -f "$CACHE/vmlinuz" ] || { echo "run.sh: no VM image, run test/vm/build.sh" >&2; exit 1; }
KVER=$(cat "$CACHE/kver")

case $LIST in
bench*) : "${MEM:=2048}" "${TIMEOUT:=3000}" ;;
shell) : "${TIMEOUT:=86400}" ;;
*) : "${TIMEOUT:=1500}" ;;
esac
: "${MEM:=1024}"

qemu() {
	local accel=$1 append=$2
	local cpu=max
	[ "$accel" = kvm ] && cpu=host
	qemu-system-x86_64 -accel "$accel" -cpu $cpu -m "$MEM" -smp 2 \
		-display none -monitor none -serial stdio -no-reboot -nic none \
		-kernel "$CACHE/vmlinuz" -initrd "$CACHE/initramfs.cpio.gz" \
		-append "console=ttyS0 quiet loglevel=3 panic=-1 $append"
}

# A stock kernel hangs under this host's KVM: use it only if it boots to
# /init within a few seconds, and remember the answer per kernel.
pick_accel() {
	case $ACCEL in
	tcg | kvm) echo "$ACCEL"; return ;;
	esac
	if [ ! -w /dev/kvm ]; then
		echo tcg
		return
	fi
	local f=$CACHE/kvm-probe-$KVER
	if [ ! -f "$f" ]; then
		if timeout 15 bash -c "$(declare -f qemu); CACHE='$CACHE' MEM=256 qemu kvm 'netfix.run=probe'" </dev/null 2>&1 |
			tr -d '\r' | grep -q NETFIX-BOOTED; then
			echo ok >"$f"
		else
			echo hangs >"$f"
		fi
	fi
	if [ "$(cat "$f")" = ok ]; then echo kvm; else echo tcg; fi
}
ACC=$(pick_accel)

mkdir -p "$CACHE/logs"
LOG=$CACHE/logs/$(date +%Y%m%d-%H%M%S)-$(echo "$LIST" | tr ',' '+' | cut -c1-60).log
echo "vm: booting Debian kernel $KVER under $ACC (${MEM} MB, 2 CPUs), scenarios: $LIST" >&2
echo "vm: serial log: $LOG" >&2

APPEND="netfix.run=$LIST"
[ -n "$ARGS" ] && APPEND="$APPEND netfix.args=$ARGS"
start=$(date +%s)
if [ "$LIST" = shell ]; then
	qemu "$ACC" "$APPEND"
	exit 0
fi
set +e
timeout "$TIMEOUT" bash -c "$(declare -f qemu); CACHE='$CACHE' MEM='$MEM' qemu '$ACC' '$APPEND'" </dev/null 2>&1 |
	sed -u 's/\r$//' | tee "$LOG" | while IFS= read -r line; do
	case $line in
	NETFIX-LOG*) [ $QUIET = 1 ] && [[ $line != *FAIL* ]] || echo "  ${line#NETFIX-LOG }" ;;
	NETFIX-RESULT*) echo "${line}" ;;
	NETFIX-START* | NETFIX-END* | NETFIX-BOOTED* | NETFIX-READY* | NETFIX-DONE* | NETFIX-ERROR*)
		[ $QUIET = 1 ] || echo "$line" ;;
	NETFIX-BENCH* | NETFIX-DEMO*) echo "${line}" ;;
	*) [ $QUIET = 1 ] || echo "  | $line" ;;
	esac
done
rc=${PIPESTATUS[0]}
set -e
elapsed=$(($(date +%s) - start))

[ -n "$RESULTS" ] && grep '^NETFIX-RESULT' "$LOG" >"$RESULTS" || true
echo
echo "vm: $ACC boot finished in ${elapsed}s (qemu exit $rc)"
pass=0
fail=0
while IFS= read -r line; do
	name=$(sed -n 's/.* scenario=\([^ ]*\).*/\1/p' <<<"$line")
	if [[ $line == *" pass=1"* ]]; then
		pass=$((pass + 1))
		printf '  PASS  %-20s %s\n' "$name" "$(sed 's/^NETFIX-RESULT scenario=[^ ]* pass=1 *//' <<<"$line")"
	else
		fail=$((fail + 1))
		printf '  FAIL  %-20s %s\n' "$name" "$(sed 's/^NETFIX-RESULT scenario=[^ ]* pass=0 *//' <<<"$line")"
	fi
done < <(grep '^NETFIX-RESULT' "$LOG" || true)
if ! grep -q '^NETFIX-DONE' "$LOG"; then
	echo "vm: the guest did not finish (timeout ${TIMEOUT}s or crash); see $LOG"
	fail=$((fail + 1))
fi
if grep -q '^NETFIX-BENCH' "$LOG"; then
	echo
	echo "benchmark (Debian $KVER under $ACC; times are TCG-emulated, slower than real hardware):"
	grep '^NETFIX-BENCH' "$LOG" | awk '
		function v(k,   i, kv) { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] } return "-" }
		BEGIN { printf "  %8s %13s %13s %11s %11s %13s %7s %10s %9s %13s\n", "entries", "heal p50 us", "heal p99 us", "recov p50", "recov p99", "conntrack -D", "ratio", "start ms", "idle RSS", "CPU/60s idle" }
		{ idle = v("idle_cpu_ms_per_60s"); if (idle == "-") for (i = 2; i <= NF; i++) if ($i ~ /^idle_cpu_ms_per_/) { split($i, kv, "="); idle = kv[2] }
		  printf "  %8s %13s %13s %8s ms %8s ms %10s ms %6sx %10s %6s kB %10s ms\n", v("entries"), v("heal_p50_us"), v("heal_p99_us"), v("recovery_p50_ms"), v("recovery_p99_ms"), v("conntrack_D_ms"), v("ratio"), v("daemon_start_ms"), v("idle_rss_kb"), idle }'
fi
if [[ $LIST != bench* ]]; then
	echo "vm: $pass passed, $fail failed"
fi
[ $fail -eq 0 ]
