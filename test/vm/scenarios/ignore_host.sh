#!/bin/sh
# ignore_host: a host on the list is never repaired, even when its MAC
# changes on a stale-prone port; a host not on the list is, by the same
# daemon in the same run (so the first half cannot pass by doing nothing).
# needs: netfix
# timeout: 120
. /vm/scenarios/lib.sh

H1=192.168.1.240
H2=192.168.1.50
OLD=02:00:00:00:01:40
NEW=02:00:00:00:02:40

topo_up ports dnat
netfix_conf
printf "\tlist ignore_host '%s'\n" $H1 >>$CONF
check "netfix daemon starts" daemon_start
two_hosts_flowing
sleep 1
ct_dump $LOGS/ct-before

host_replace h1 sw $H1 - $NEW $REMOTE4:40000
sleep 3
st=$(nfvm stats -log "$NEWLOG" -from $T_UP)
rec rx_ignored_host_3s "$(kv count "$st")"
check "the ignored host is not repaired: nothing received for 3 s" [ "$(kv count "$st")" -eq 0 ]
ct_after_diff $H1
check "none of the ignored host's entries deleted" [ "$(kv removed_watched "$CT_DIFF")" -eq 0 ]
check "no bystander entry deleted" [ "$(kv removed_other "$CT_DIFF")" -eq 0 ]
check "netfix status" status_json $LOGS/status.json
check "no event for the ignored host" [ "$(heal_events_for $H1 $LOGS/status.json)" -eq 0 ]
check "the daemon logged the change as ignored" grep -q "$H1.*ignored by configuration" $LOGS/netfix.log

# The same daemon repairs a host that is not on the list.
host_replace h2 sw $H2 - 02:00:00:00:02:50 $REMOTE4:41000
f=$(nfvm first -log "$NEWLOG" -after $T_UP -wait 5s)
rec recovery_other_ms "$(kv delay_ms "$f")"
check "a host not on the list is repaired within 2 s" [ "$(kv delay_ms "$f")" -ge 0 -a "$(kv delay_ms "$f")" -le 2000 ]
check "heal event for $H2" wait_heal_event $H2 $LOGS/status.json 5
[ $FAILS -eq 0 ] || show_daemon_log
finish
