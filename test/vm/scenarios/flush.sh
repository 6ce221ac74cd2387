#!/bin/sh
# netfix flush: deletes the offloaded entries of one host and nothing else,
# without a daemon (straight over ctnetlink) and through the daemon (the
# repair lands in its history as a manual event); --dry-run deletes
# nothing.
# needs: netfix
# timeout: 120
. /vm/scenarios/lib.sh

H1=192.168.1.240
H2=192.168.1.50

topo_up ports
host_add h1 sw $H1 - 02:00:00:00:01:40
host_add h2 sw $H2 - 02:00:00:00:01:50
recv_start h1 $LOGS/h1.rx
recv_start h2 $LOGS/h2.rx
send_start $H1:$PORT 40000 $LOGS/h1.echo 3
send_start $H2:$PORT 41000 $LOGS/h2.echo
check "3 flows to h1 offloaded" ct_wait $H1 3
check "flow to h2 offloaded" ct_wait $H2
sleep 1

# flush_json OUT ARGS...: netfix flush --json in the router namespace.
flush_json() {
	_o=$1
	shift
	nsx router netfix flush --json "$@" >"$_o" 2>>$LOGS/flush.err
}

ct_dump $LOGS/ct-before
check "dry run without a daemon" flush_json $LOGS/dry.json -ip $H1 --dry-run --socket /run/none.sock
n=$(nfvm json $LOGS/dry.json .flows_deleted)
rec dry_run_would_delete "$n"
check "dry run counts h1's 3 offloaded entries (got $n)" [ "$n" -eq 3 ]
ct_after_diff $H1
check "dry run deleted nothing" [ "$(kv removed_watched "$CT_DIFF")" -eq 0 -a "$(kv removed_other "$CT_DIFF")" -eq 0 ]

check "flush without a daemon" flush_json $LOGS/flush.json -ip $H1 --socket /run/none.sock
n=$(nfvm json $LOGS/flush.json .flows_deleted)
rec deleted_no_daemon "$n"
check "flush deleted h1's 3 entries (got $n)" [ "$n" -eq 3 ]
ct_after_diff $H1
check "h1's entries are gone" [ "$(kv removed_watched "$CT_DIFF")" -eq 3 ]
check "no bystander entry deleted" [ "$(kv removed_other "$CT_DIFF")" -eq 0 ]
check "h1's flows are offloaded again" ct_wait $H1 3

check "netfix daemon starts" daemon_start
ct_dump $LOGS/ct-before
check "flush through the daemon" flush_json $LOGS/flush-daemon.json -ip $H1 --socket $SOCK
n=$(nfvm json $LOGS/flush-daemon.json .flows_deleted)
rec deleted_daemon "$n"
check "flush through the daemon deleted h1's 3 entries (got $n)" [ "$n" -eq 3 ]
ct_after_diff $H1
check "no bystander entry deleted by the daemon's flush" [ "$(kv removed_other "$CT_DIFF")" -eq 0 ]
check "manual event for $H1 in netfix status" wait_heal_event $H1 $LOGS/status.json 5
ev=$(heal_event $H1 $LOGS/status.json)
say "event: $ev"
check "event reason is manual" [ "$(kv reason "$ev")" = manual ]
bs=$(nfvm stats -log $LOGS/h2.rx -from $DAEMON_START)
check "bystander h2 kept receiving" [ "$(kv maxgap_ms "$bs")" -le 1000 ]
[ $FAILS -eq 0 ] || show_daemon_log
finish
