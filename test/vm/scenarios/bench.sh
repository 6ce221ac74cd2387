#!/bin/sh
# Benchmark (figures only, no timing asserts). For each conntrack table size
# (default 1000, 10000, 50000 entries; change them with run.sh --args
# sizes:1000,10000/reps:5/idle:30), with the daemon healing a host that has
# 4 offloaded UDP flows:
#   - heal latency (the daemon's latency_us: netlink event to last delete),
#     p50/p99 over REPS MAC changes;
#   - time to recovery (host up -> first datagram received), p50/p99;
#   - the time `conntrack -D -d <ip>` takes to delete the same host's
#     entries from the same table (median of 3), and its ratio to the heal
#     latency p50;
#   - the daemon's start time with that table, its idle RSS and its CPU
#     time over 60 idle seconds (flows running, nothing changing; idle:0
#     skips it). sweep:N sets the daemon's sweep_interval (default 30).
# The filler entries are created over ctnetlink (nfvm ct-fill): assured UDP
# entries of other hosts; the kernel does not let user space set OFFLOAD.
# needs: netfix
# timeout: 2400
. /vm/scenarios/lib.sh

SIZES=$(echo "$NETFIX_ARGS" | tr '/ ' '\n\n' | sed -n 's/^sizes://p' | tr ',' ' ')
[ -n "$SIZES" ] || SIZES="1000 10000 50000"
REPS=$(echo "$NETFIX_ARGS" | tr '/ ' '\n\n' | sed -n 's/^reps://p')
[ -n "$REPS" ] || REPS=10
IDLE=$(echo "$NETFIX_ARGS" | tr '/ ' '\n\n' | sed -n 's/^idle://p')
[ -n "$IDLE" ] || IDLE=60
SWEEP=$(echo "$NETFIX_ARGS" | tr '/ ' '\n\n' | sed -n 's/^sweep://p')
[ -n "$SWEEP" ] || SWEEP=30
FLOWS=4
H1=192.168.1.240
FILL_DST=192.168.1.100,192.168.1.101,192.168.1.102,192.168.1.103,192.168.1.104,192.168.1.105,192.168.1.106,192.168.1.107

bench_line() { echo "NETFIX-BENCH $*"; }

for N in $SIZES; do
	teardown_all
	rm -f $LOGS/*.rx $LOGS/netfix-state.json
	topo_up ports
	host_add h1 sw $H1 - 02:00:00:00:00:40
	recv_start h1 $LOGS/h1-0.rx
	send_start $H1:$PORT 40000 $LOGS/h1.echo $FLOWS
	check "N=$N: $FLOWS flows to h1 offloaded" ct_wait $H1 $FLOWS
	fill=$(nsx router nfvm ct-fill -n $N -src 10.200.0.1 -dst $FILL_DST -timeout 3600 2>&1)
	say "N=$N: filler entries: $fill"
	cnt=$(ct_count "")
	say "N=$N: table: $cnt"
	total=$(kv total "$cnt")

	# Ten repairs of one host within a minute is what the benchmark does:
	# lift the per-host rate limit (default 10 a minute) out of the way.
	netfix_conf 0 $SWEEP "repair_burst '1000'"
	t0=$(now)
	check "N=$N: netfix daemon starts" daemon_start
	start_ms=$((($(now) - t0) / 1000))

	if [ "$IDLE" -gt 0 ]; then
		sleep 2
		p0=$(nfvm procstat -pid $DAEMON_PID)
		say "N=$N: idle for $IDLE s (flows running, no changes)"
		sleep $IDLE
		p1=$(nfvm procstat -pid $DAEMON_PID)
		idle_cpu=$(($(kv cpu_ms "$p1") - $(kv cpu_ms "$p0")))
		idle_rss=$(kv rss_kb "$p1")
		idle_hwm=$(kv hwm_kb "$p1")
		say "N=$N: idle: rss ${idle_rss} kB (peak ${idle_hwm} kB), cpu ${idle_cpu} ms in $IDLE s"
	else
		idle_cpu=-
		idle_rss=-
		idle_hwm=-
	fi

	: >$LOGS/recovery
	r=1
	while [ $r -le $REPS ]; do
		mac=02:00:00:00:$(printf %02x $r):40
		host_replace h1 sw $H1 - $mac $REMOTE4:40000 >/dev/null
		f=$(nfvm first -log "$NEWLOG" -after $T_UP -wait 10s)
		d=$(kv delay_ms "$f")
		echo "$d" >>$LOGS/recovery
		if ! ct_wait $H1 $FLOWS 30s; then
			say "N=$N: flows not offloaded again after change $r"
		fi
		sleep_ms 300
		r=$((r + 1))
	done
	say "N=$N: recoveries (ms): $(tr '\n' ' ' <$LOGS/recovery)"
	status_json $LOGS/status-$N.json
	nfvm events $LOGS/status-$N.json | grep "^event " | grep " ip=$H1 " >$LOGS/events-$N
	nev=$(wc -l <$LOGS/events-$N)
	check "N=$N: one heal event per change ($nev of $REPS)" [ "$nev" -eq "$REPS" ]
	lat=$(sed -n 's/.* latency_us=\([0-9]*\).*/\1/p' $LOGS/events-$N | nfvm pct -prefix lat_)
	say "N=$N: heal latencies (us, newest first): $(sed -n 's/.* latency_us=\([0-9]*\).*/\1/p' $LOGS/events-$N | tr '\n' ' ')"
	del=$(sed -n 's/.* flows_deleted=\([0-9]*\).*/\1/p' $LOGS/events-$N | nfvm pct -prefix del_)
	rcv=$(grep -v '^-' $LOGS/recovery | nfvm pct -prefix rec_)
	failed_rec=$(grep -c '^-' $LOGS/recovery)
	check "N=$N: every change recovered" [ "$failed_rec" -eq 0 ]

	# The same host's entries, the same table, with conntrack-tools.
	: >$LOGS/ctd
	for i in 1 2 3; do
		ct_wait $H1 $FLOWS 30s >/dev/null
		sleep_ms 300
		a=$(now)
		out=$(nsx router conntrack -D -d $H1 2>&1 >/dev/null)
		b=$(now)
		echo $(((b - a) / 1000)) >>$LOGS/ctd
		say "N=$N: conntrack -D -d $H1: $(((b - a) / 1000)) ms ($(echo "$out" | tail -n1))"
	done
	ctd=$(sort -n $LOGS/ctd | sed -n 2p)
	p50=$(kv lat_p50 "$lat")
	ratio=$(awk -v a="$ctd" -v b="$p50" 'BEGIN { if (b > 0) printf "%.1f", a * 1000 / b; else print "-" }')
	bench_line "entries=$total reps=$REPS flows_per_host=$FLOWS" \
		"heal_p50_us=$p50 heal_p99_us=$(kv lat_p99 "$lat") heal_max_us=$(kv lat_max "$lat")" \
		"deleted_per_heal=$(kv del_p50 "$del")" \
		"recovery_p50_ms=$(kv rec_p50 "$rcv") recovery_p99_ms=$(kv rec_p99 "$rcv")" \
		"conntrack_D_ms=$ctd ratio=$ratio" \
		"sweep_s=$SWEEP daemon_start_ms=$start_ms idle_rss_kb=$idle_rss idle_peak_rss_kb=$idle_hwm idle_cpu_ms_per_${IDLE}s=$idle_cpu"
	rec "n$N" "heal_p50_us:$p50,ctD_ms:$ctd,ratio:$ratio"
	daemon_stop
done
finish
