#!/bin/sh
# option heal '0': the daemon watches and reports, and deletes nothing.
# The S1 outage persists, the status says mode off, and the log says why.
# needs: netfix
# timeout: 120
. /vm/scenarios/lib.sh

H1=192.168.1.240
H2=192.168.1.50
OLD=02:00:00:00:01:40
NEW=02:00:00:00:02:40

topo_up ports dnat
cat >$CONF <<EOC
config netfix 'main'
	option enabled '1'
	option heal '0'
	option log_level 'debug'
EOC
check "netfix daemon starts" daemon_start
two_hosts_flowing
sleep 1
ct_dump $LOGS/ct-before

host_replace h1 sw $H1 - $NEW $REMOTE4:40000
sleep 4
st=$(nfvm stats -log "$NEWLOG" -from $T_UP)
rec rx_new_host_4s "$(kv count "$st")"
check "nothing repaired: the outage persists for 4 s" [ "$(kv count "$st")" -eq 0 ]
ct_after_diff $H1
check "none of h1's entries deleted" [ "$(kv removed_watched "$CT_DIFF")" -eq 0 ]
check "no other entry deleted" [ "$(kv removed_other "$CT_DIFF")" -eq 0 ]
check "netfix status" status_json $LOGS/status.json
m=$(nfvm json $LOGS/status.json .heal.mode)
rec mode "$m"
check "status mode is off (got $m)" [ "$m" = off ]
check "no event claims a repair" [ "$(nfvm events $LOGS/status.json | grep '^event ' | grep -c ' flows_deleted=[1-9]')" -eq 0 ]
check "the daemon saw the change and said healing is off" grep -q "$H1.*healing is off" $LOGS/netfix.log
[ $FAILS -eq 0 ] || show_daemon_log
finish
