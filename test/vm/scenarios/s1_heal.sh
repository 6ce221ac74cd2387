#!/bin/sh
# S1 with the daemon: same setup as s1_control, netfix running from the
# start. The new host must receive again within 2 s of the change, the
# status must hold the heal event, h1's stale entry must be gone and only
# h1's entries may be deleted.
# needs: netfix
# timeout: 120
. /vm/scenarios/lib.sh

H1=192.168.1.240
H2=192.168.1.50
OLD=02:00:00:00:01:40
NEW=02:00:00:00:02:40

topo_up ports dnat
check "netfix daemon starts" daemon_start
two_hosts_flowing
sleep 1
ct_dump $LOGS/ct-before

host_replace h1 sw $H1 - $NEW $REMOTE4:40000
f=$(nfvm first -log "$NEWLOG" -after $T_UP -wait 5s)
d=$(kv delay_ms "$f")
rec recovery_ms "$d"
check "new host receives again within 2 s (${d} ms)" [ "$d" -ge 0 -a "$d" -le 2000 ]

check "heal event for $H1 in netfix status" wait_heal_event $H1 $LOGS/status.json 5
ev=$(heal_event $H1 $LOGS/status.json)
say "event: $ev"
rec reason "$(kv reason "$ev")"
rec flows_deleted "$(kv flows_deleted "$ev")"
rec heal_latency_us "$(kv latency_us "$ev")"
check "event reason is mac_change" [ "$(kv reason "$ev")" = mac_change ]
check "event has old and new MAC" [ "$(kv old_mac "$ev")" = $OLD -a "$(kv new_mac "$ev")" = $NEW ]
check "event deleted h1's entry" [ "$(kv flows_deleted "$ev")" -ge 1 ]
check "event is not a dry run" [ "$(kv dry_run "$ev")" = false ]

sleep 2
ct_after_diff $H1
df=$CT_DIFF
rec removed_h1 "$(kv removed_watched "$df")"
check "h1's stale entry was deleted" [ "$(kv removed_watched "$df")" -ge 1 ]
check "only h1's entries were deleted" [ "$(kv removed_other "$df")" -eq 0 ]
# A status taken after the wait: a late event for the bystander counts.
check "netfix status after the wait" status_json $LOGS/status-after.json
check "no heal event for the bystander" [ "$(heal_events_for $H2 $LOGS/status-after.json)" -eq 0 ]
# The fleet view of the same real repair: `netfix metrics` (the daemon's
# exposition, what node exporter's textfile collector serves) counts it,
# with the flows it deleted and its latency in the histogram.
metrics_after() {
	nsx router netfix metrics --socket $SOCK >$LOGS/metrics.prom 2>>$LOGS/netfix-status.err || return 1
	grep -q '^netfix_repairs_total{reason="mac_change",result="ok"} [1-9]' $LOGS/metrics.prom &&
		grep -q '^netfix_flows_deleted_total{reason="mac_change"} [1-9]' $LOGS/metrics.prom &&
		grep -q '^netfix_repair_duration_seconds_count [1-9]' $LOGS/metrics.prom
}
check "netfix metrics count the repair and its latency" metrics_after
rec metrics_repairs "$(sed -n 's/^netfix_repairs_total{reason="mac_change",result="ok"} //p' $LOGS/metrics.prom)"
rec metrics_repair_seconds_sum "$(sed -n 's/^netfix_repair_duration_seconds_sum //p' $LOGS/metrics.prom)"
bs=$(nfvm stats -log $LOGS/h2.rx -from $T_DOWN)
rec bystander_maxgap_ms "$(kv maxgap_ms "$bs")"
check "bystander h2 kept receiving" [ "$(kv maxgap_ms "$bs")" -le 1000 ]
[ $FAILS -eq 0 ] || show_daemon_log
finish
