#!/bin/sh
# Dry run: the daemon reports the repair it would make and deletes nothing,
# so the S1 outage persists.
# needs: netfix
# timeout: 120
. /vm/scenarios/lib.sh

H1=192.168.1.240
OLD=02:00:00:00:01:40
NEW=02:00:00:00:02:40

topo_up ports dnat
netfix_conf 1
check "netfix daemon starts in dry-run mode" daemon_start --dry-run
host_add h1 sw $H1 - $OLD
recv_start h1 $LOGS/h1-old.rx
send_start $WAN4:$PORT 40000 $LOGS/h1.echo
check "flow to h1 offloaded" ct_wait $H1
sleep 1
ct_dump $LOGS/ct-before

host_replace h1 sw $H1 - $NEW $REMOTE4:40000
check "dry-run event for $H1 in netfix status" wait_heal_event $H1 $LOGS/status.json 5
ev=$(heal_event $H1 $LOGS/status.json)
say "event: $ev"
rec flows_would_delete "$(kv flows_deleted "$ev")"
check "event is marked dry_run" [ "$(kv dry_run "$ev")" = true ]
check "event counts the entry it would delete" [ "$(kv flows_deleted "$ev")" -ge 1 ]
m=$(nfvm json $LOGS/status.json .heal.mode)
rec mode "$m"
check "status mode is dry_run" [ "$m" = dry_run ]
sleep_until=$((T_UP + 5000000))
while [ "$(now)" -lt $sleep_until ]; do sleep_ms 200; done
st=$(nfvm stats -log "$NEWLOG" -from $T_UP -to $sleep_until)
rec rx_new_host_5s "$(kv count "$st")"
check "the outage persists: nothing received for 5 s" [ "$(kv count "$st")" -eq 0 ]
ct_dump $LOGS/ct-after
df=$(nfvm ct-diff -a $LOGS/ct-before -b $LOGS/ct-after -watch $H1)
say "$df"
check "nothing was deleted" [ "$(kv removed_watched "$df")" -eq 0 -a "$(kv removed_other "$df")" -eq 0 ]
[ $FAILS -eq 0 ] || show_daemon_log
finish
