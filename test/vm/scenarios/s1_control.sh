#!/bin/sh
# S1 control, no daemon: ports layout (fw4's flow_offloading_hw layout on
# OpenWrt's kernels, here without flags offload),
# the WireGuard container 192.168.1.240 behind a port forward is recreated
# with a new MAC. The router learns the new MAC at once, yet the offloaded
# flow keeps writing the old one: the new host receives nothing for 5 s.
# Then the manual fix (conntrack -D) restores it.
# timeout: 120
. /vm/scenarios/lib.sh

H1=192.168.1.240
H2=192.168.1.50
OLD=02:00:00:00:01:40
NEW=02:00:00:00:02:40

topo_up ports dnat
two_hosts_flowing
sn=$(sniff_dst lanport0 $H1)
say "before: frames on lanport0 go to $(kv dst_macs "$sn")"

host_replace h1 sw $H1 - $NEW $REMOTE4:40000
sleep 1
c1=$(nsx router conntrack -L --reply-src $H1 -p udp 2>/dev/null | head -n1)
o1=$(ct_count $H1)
sleep 4
st=$(nfvm stats -log "$NEWLOG" -from $T_UP -to $((T_UP + 5000000)))
rx=$(kv count "$st")
rec rx_new_host_5s "$rx"
check "new host receives nothing for 5 s (got $rx datagrams)" [ "$rx" -eq 0 ]

nm=$(neigh_mac $H1)
rec neigh_mac "$nm"
say "router neighbour: $(neigh_line $H1)"
check "router neighbour shows the new MAC" [ "$nm" = "$NEW" ]

o2=$(ct_count $H1)
rec offloaded "$(kv offloaded "$o2")"
check "h1's conntrack entry is still offloaded" [ "$(kv offloaded "$o2")" -ge 1 ]
c2=$(nsx router conntrack -L --reply-src $H1 -p udp 2>/dev/null | head -n1)
say "conntrack 1 s after: $c1"
say "conntrack 5 s after: $c2"
p1=$(echo "$c1" | sed -n 's/.*dport=51820 packets=\([0-9]*\).*/\1/p' | head -n1)
p2=$(echo "$c2" | sed -n 's/.*dport=51820 packets=\([0-9]*\).*/\1/p' | head -n1)
rec orig_packets_1s_5s "${p1:-?}-${p2:-?}"

sn=$(sniff_dst lanport0 $H1)
rec lanport0_dst_macs "$(kv dst_macs "$sn")"
say "after: frames on lanport0 still go to $(kv dst_macs "$sn")"
check "router still writes the old MAC" [ "$(kv dst_macs "$sn")" = "$OLD" ]

bs=$(nfvm stats -log $LOGS/h2.rx -from $T_DOWN)
rec bystander_maxgap_ms "$(kv maxgap_ms "$bs")"
check "bystander h2 kept receiving" [ "$(kv maxgap_ms "$bs")" -le 1000 ]

# The manual fix of the report: delete the entry.
T_FIX=$(now)
nsx router conntrack -D --reply-src $H1 >/dev/null 2>&1
f=$(nfvm first -log "$NEWLOG" -after $T_FIX -wait 10s)
rec manual_fix_recovery_ms "$(kv delay_ms "$f")"
check "conntrack -D restores the flow" [ "$(kv delay_ms "$f")" -ge 0 ]
finish
