#!/bin/sh
# S2 (report 001), the suggested fix: a LAN host fills the 1024-entry
# conntrack table with connections whose peers vanished without a FIN.
# netfix must say near_full with that host on top and its idle entries,
# then dropping once new connections fail while the old UDP tunnel still
# passes; the fix it suggests (netfix fix apply + the sysctl) must free the
# table, after which new connections succeed.
# needs: netfix
# timeout: 240
. /vm/scenarios/lib.sh
. /vm/scenarios/s2lib.sh

s2_up
s2_fill
check "the table is full ($(ct_total) of $S2_MAX)" [ "$(ct_total)" -ge $((S2_MAX - 4)) ]
s2_age

# 1. near_full, with bt on top and its idle count.
s2_check $LOGS/check1.json
sev=$(finding_field conntrack.near_full severity $LOGS/check1.json)
rec near_full "$sev"
check "conntrack.near_full is critical" [ "$sev" = critical ]
top=$(nfvm json $LOGS/check1.json .conntrack.table.usage.hosts[0].addr)
topn=$(nfvm json $LOGS/check1.json .conntrack.table.usage.hosts[0].entries)
# Bucket 4 of the histogram is 2 h 4 min - 6 h: where 12000 s falls.
idle=$(nfvm json $LOGS/check1.json .conntrack.table.usage.hosts[0].idle[4])
rec top_host "$top"
rec top_entries "$topn"
rec top_idle_over_7440s "$idle"
check "bt ($BT) holds the most entries ($topn)" [ "$top" = $BT ]
check "most of bt's entries are idle for over 7440 s ($idle)" [ "$idle" -ge 900 ]
check "the evidence names bt and its idle entries" sh -c "grep -q '$BT holds' $LOGS/check1.json"
s2_text "before"

# 2. dropping: new connections fail, the tunnel still passes.
s2_check $LOGS/sample.json
t0=$(now)
opened=$(new_conns pc 3)
rec new_conns_when_full "$opened"
check "new connections fail while the table is full (opened $opened of 3)" [ "$opened" -eq 0 ]
if nsx router ping -c 1 -W 1 127.0.0.1 >$LOGS/ping.out 2>&1; then pinged=yes; else pinged=no; fi
say "router ping 127.0.0.1: $(tail -n 1 $LOGS/ping.out)"
rec router_ping_lo "$pinged"
check "the router's own ping 127.0.0.1 fails with EPERM" grep -q "Operation not permitted" $LOGS/ping.out
rx=$(tunnel_rx $t0)
rec tunnel_rx_while_full "$rx"
check "the old UDP tunnel still passes ($rx echoes)" [ "$rx" -ge 5 ]
s2_check $LOGS/check2.json
dsev=$(finding_field conntrack.dropping severity $LOGS/check2.json)
rec dropping "$dsev"
check "conntrack.dropping is reported" [ "$dsev" = critical ]
say "dropping: $(finding_field conntrack.dropping title $LOGS/check2.json)"

# 3. the suggested fix, exactly as netfix prints it.
nsx router netfix check >$LOGS/check3.txt 2>&1
fix=$(awk '/id: conntrack.near_full/ { f = 1 } f && /^  fix: / { sub(/^  fix: /, ""); print; exit }' $LOGS/check3.txt)
say "suggested fix: $fix"
check "the fix runs netfix fix apply and sets the sysctl" sh -c "echo '$fix' | grep -q 'netfix fix apply conntrack.near_full' && echo '$fix' | grep -q 'timeout_established=7440'"
mkdir -p /etc/sysctl.d
nsx router sh -c "$fix" >$LOGS/fix.out 2>&1
sed "s/^/NETFIX-LOG [$SCEN] fix> /" $LOGS/fix.out
left=$(ct_total)
rec entries_after_fix "$left"
check "the table is under 75 % after the fix ($left)" [ "$left" -lt $((S2_MAX * 3 / 4)) ]
est=$(nsx router sysctl -n $SYSCTL_EST)
check "the established timeout is 7440 s" [ "$est" = 7440 ]
check "the sysctl is kept in /etc/sysctl.d" grep -q "$SYSCTL_EST=7440" /etc/sysctl.d/90-netfix-conntrack.conf
t1=$(now)
opened=$(new_conns pc 3)
rec new_conns_after_fix "$opened"
check "new connections succeed again (opened $opened of 3)" [ "$opened" -eq 3 ]
sleep 1
check "the tunnel still passes" [ "$(tunnel_rx $t1)" -ge 3 ]
s2_check $LOGS/check4.json
check "near_full is gone" [ -z "$(finding_field conntrack.near_full severity $LOGS/check4.json)" ]
s2_text "after the timeout fix"
rm -f /etc/sysctl.d/90-netfix-conntrack.conf
s2_down
finish
