#!/bin/sh
# Benchmark (figures only, no asserts): a "real router" table, every entry
# really offloaded by the kernel's flowtable. The remote keeps N UDP flows
# to h1 alive (nfvm flows: a round of two datagrams per flow every 20 s,
# below the flowtable's 30 s UDP timeout; h1 drops them, so nothing comes
# back). With the table offloaded, side by side:
#   - netfix check --json  vs  conntrack -L           (median of REPS, ms)
#   - netfix flush -ip h1  vs  conntrack -D -d h1      (every entry is h1's)
#   - the daemon with that table: idle RSS, peak RSS (VmHWM, first probe
#     and sweeps included) and CPU over IDLE seconds with sweep_interval
#     SWEEP (the default 30 s).
# run.sh --args flows:20000/reps:3/idle:60/sweep:30 router_table
# Times are TCG emulation: compare them with each other, not with a router.
# needs: netfix
# timeout: 1500
. /vm/scenarios/lib.sh

arg() { echo "$NETFIX_ARGS" | tr '/ ' '\n\n' | sed -n "s/^$1://p"; }
N=$(arg flows)
[ -n "$N" ] || N=20000
REPS=$(arg reps)
[ -n "$REPS" ] || REPS=3
IDLE=$(arg idle)
[ -n "$IDLE" ] || IDLE=60
SWEEP=$(arg sweep)
[ -n "$SWEEP" ] || SWEEP=30
H1=192.168.1.240

bench_line() { echo "NETFIX-BENCH $*"; }

# offloaded_at_least K [SECONDS]: waits until K entries are offloaded.
offloaded_at_least() {
	_end=$(($(now) + ${2:-120} * 1000000))
	while [ "$(now)" -lt $_end ]; do
		_c=$(ct_count "")
		[ "$(kv offloaded "$_c")" -ge "$1" ] && return 0
		sleep 2
	done
	say "only $(kv offloaded "$_c") of $1 entries offloaded"
	return 1
}

# ms CMD...: runs CMD in the router namespace, output discarded; prints
# its wall time in ms.
ms() {
	_a=$(now)
	nsx router "$@" >/dev/null 2>>$LOGS/cmd.err
	_b=$(now)
	echo $(((_b - _a) / 1000))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

topo_up ports
nsx router sysctl -qw net.netfilter.nf_conntrack_max=$((N * 2 + 1000))
host_add h1 sw $H1 - 02:00:00:00:01:40
nsx h1 nft -f - <<EOF
table inet sink {
	chain input {
		type filter hook input priority filter; policy accept;
		udp dport $PORT drop
	}
}
EOF
nsx remote nfvm flows -to $H1:$PORT -n $N -every 20s >$LOGS/flows.log 2>&1 &
want=$((N * 9 / 10))
check "$want of $N flows offloaded" offloaded_at_least $want 240
cnt=$(ct_count "")
say "table: $cnt; sender: $(tail -n1 $LOGS/flows.log)"
off=$(kv offloaded "$cnt")

: >$LOGS/check.ms
: >$LOGS/ctl.ms
r=1
while [ $r -le "$REPS" ]; do
	ms netfix check --json --socket /run/none.sock >>$LOGS/check.ms
	ms conntrack -L >>$LOGS/ctl.ms
	r=$((r + 1))
done
say "check ms: $(tr '\n' ' ' <$LOGS/check.ms); conntrack -L ms: $(tr '\n' ' ' <$LOGS/ctl.ms)"
nsx router netfix check --json --socket /run/none.sock >$LOGS/check.json 2>/dev/null
say "check counts: offloaded=$(nfvm json $LOGS/check.json .conntrack.offloaded) hw_offloaded=$(nfvm json $LOGS/check.json .conntrack.hw_offloaded) entries=$(nfvm json $LOGS/check.json .conntrack.entries)"
ck=$(median <$LOGS/check.ms)
cl=$(median <$LOGS/ctl.ms)

: >$LOGS/flush.ms
: >$LOGS/ctd.ms
: >$LOGS/flush.n
r=1
while [ $r -le "$REPS" ]; do
	offloaded_at_least $want 120 || break
	_a=$(now)
	nsx router netfix flush --json -ip $H1 --socket /run/none.sock >$LOGS/flush.json 2>>$LOGS/cmd.err
	_b=$(now)
	echo $(((_b - _a) / 1000)) >>$LOGS/flush.ms
	nfvm json $LOGS/flush.json .flows_deleted >>$LOGS/flush.n
	offloaded_at_least $want 120 || break
	ms conntrack -D -d $H1 >>$LOGS/ctd.ms
	r=$((r + 1))
done
say "flush ms: $(tr '\n' ' ' <$LOGS/flush.ms) (deleted $(tr '\n' ' ' <$LOGS/flush.n)); conntrack -D ms: $(tr '\n' ' ' <$LOGS/ctd.ms)"
fl=$(median <$LOGS/flush.ms)
cd_=$(median <$LOGS/ctd.ms)

offloaded_at_least $want 120
netfix_conf 0 $SWEEP
check "netfix daemon starts" daemon_start
sleep 2
p0=$(nfvm procstat -pid $DAEMON_PID)
say "idle for $IDLE s with $N offloaded flows (sweep every $SWEEP s)"
sleep $IDLE
p1=$(nfvm procstat -pid $DAEMON_PID)
say "daemon: $p1"
idle_cpu=$(($(kv cpu_ms "$p1") - $(kv cpu_ms "$p0")))
daemon_stop

bench_line "offloaded=$off check_ms=$ck conntrack_L_ms=$cl check_ratio=$(ratio "$ck" "$cl")" \
	"flush_ms=$fl conntrack_D_ms=$cd_ flush_ratio=$(ratio "$fl" "$cd_") flush_deleted=$(median <$LOGS/flush.n)" \
	"daemon_idle_rss_kb=$(kv rss_kb "$p1") daemon_peak_rss_kb=$(kv hwm_kb "$p1") daemon_cpu_ms_per_${IDLE}s=$idle_cpu sweep_s=$SWEEP"
rec offloaded "$off"
rec check_ratio "$(ratio "$ck" "$cl")"
rec flush_ratio "$(ratio "$fl" "$cd_")"
finish
