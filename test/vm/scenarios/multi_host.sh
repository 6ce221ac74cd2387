#!/bin/sh
# Several hosts with long-lived flows (UDP, TCP, one behind the other bridge
# port), neighbour states churning all the time (the router pings everyone
# twice a second with a 1 s reachable time). One host changes MAC: it is
# healed, and every other host's entries survive untouched, before and
# after the change.
# needs: netfix
# timeout: 150
. /vm/scenarios/lib.sh

H1=192.168.1.240
H2=192.168.1.50
H3=192.168.1.51
H4=192.168.1.52
OLD=02:00:00:00:01:40
NEW=02:00:00:00:02:40

topo_up ports
check "netfix daemon starts" daemon_start
host_add h1 sw $H1 - $OLD
host_add h2 sw $H2 - 02:00:00:00:01:50
host_add h3 sw $H3 - 02:00:00:00:01:51
host_add h4 sw2 $H4 - 02:00:00:00:01:52
recv_start h1 $LOGS/h1-old.rx
recv_start h2 $LOGS/h2.rx
recv_tcp h3 5201 $LOGS/h3.rx
recv_start h4 $LOGS/h4.rx
send_start $H1:$PORT 40000 $LOGS/h1.echo
send_start $H2:$PORT 41000 $LOGS/h2.echo
send_tcp $H3:5201 42000 $LOGS/h3.echo
send_start $H4:$PORT 43000 $LOGS/h4.echo 2
for h in $H1 $H2 $H3; do check "flow to $h offloaded" ct_wait $h; done
check "both flows to $H4 offloaded" ct_wait $H4 2
# The bystanders' neighbour states, sampled every 200 ms while the churn
# runs: the proof that the churn the daemon must ignore really happened.
# (ip monitor's output is lost in its stdio buffer when it is killed.)
(while :; do /usr/sbin/ip -n router neigh show dev br-lan | grep -E "^($H2|$H3|$H4) "; usleep 200000; done) >$LOGS/neigh-samples.log 2>&1 &
SAMPLER_PID=$!
router_churn $H1 $H2 $H3 $H4
T0=$(now)
sleep 1
ct_dump $LOGS/ct-before
say "8 s of neighbour churn before the change"
sleep 8
ct_dump $LOGS/ct-mid
df=$(nfvm ct-diff -a $LOGS/ct-before -b $LOGS/ct-mid -v)
say "churn only: $(echo "$df" | head -n1)"
echo "$df" | grep "removed" | sed "s/^/NETFIX-LOG [$SCEN]   /"
check "neighbour churn deletes nothing" [ "$(kv removed_other "$df")" -eq 0 ]
kill $SAMPLER_PID 2>/dev/null
# A transition: a bystander's state differs from its previous sample.
churn=$(awk '{ s = $NF; if ($1 in last && last[$1] != s) n++; last[$1] = s } END { print n + 0 }' $LOGS/neigh-samples.log)
states=$(awk '{ print $NF }' $LOGS/neigh-samples.log | sort -u | tr '\n' ' ')
rec churn_transitions "$churn"
say "bystander neighbour state changes in 9 s: $churn (states seen: $states)"
check "churn happened: >= 3 neighbour state changes of the bystanders (got $churn)" [ "$churn" -ge 3 ]
check "churn left REACHABLE (states seen: $states)" sh -c "echo '$states' | grep -qE 'STALE|DELAY|PROBE'"

host_replace h1 sw $H1 - $NEW $REMOTE4:40000
f=$(nfvm first -log "$NEWLOG" -after $T_UP -wait 5s)
d=$(kv delay_ms "$f")
rec recovery_ms "$d"
check "h1 receives again within 2 s (${d} ms)" [ "$d" -ge 0 -a "$d" -le 2000 ]
say "6 s more of churn after the change"
sleep 6
ct_after_diff $H1
df=$CT_DIFF
rec bystander_entries_kept "$(kv kept "$df")"
rec bystander_entries_removed "$(kv removed_other "$df")"
check "every bystander entry survived" [ "$(kv removed_other "$df")" -eq 0 ]
status_json $LOGS/status.json
nfvm events $LOGS/status.json | sed "s/^/NETFIX-LOG [$SCEN]   /"
others=$(nfvm events $LOGS/status.json | grep '^event ' | grep -vc " ip=$H1 ")
rec events_other_hosts "$others"
check "no heal event for any other host" [ "$others" -eq 0 ]
n1=$(heal_events_for $H1 $LOGS/status.json)
rec events_h1 "$n1"
check "exactly one heal event for h1 (got $n1)" [ "$n1" -eq 1 ]
worst=0
for h in h2 h3 h4; do
	g=$(kv maxgap_ms "$(nfvm stats -log $LOGS/$h.rx -from $T0)")
	[ "$g" -gt "$worst" ] && worst=$g
	check "bystander $h kept receiving (max gap $g ms)" [ "$g" -le 1000 ]
done
rec bystander_maxgap_ms "$worst"
[ $FAILS -eq 0 ] || show_daemon_log 25
finish
