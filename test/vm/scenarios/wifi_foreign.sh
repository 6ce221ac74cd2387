#!/bin/sh
# A roam to an access point that is not this router: a second hostapd in the
# switch namespace behind lanport0 (its radio bridged into br-sw, channel 11).
# The station's MAC moves from the router's radio wlan0 to its LAN port
# lanport0 (the foreign AP's Layer-2 Update comes in through the cable), and
# back. Flowtable { wlan0, wlan1, lanport0, wan0 }. Same assertions.
# needs: netfix
# timeout: 200
. /vm/scenarios/lib.sh
. /vm/scenarios/wifilib.sh

WIFI_FOREIGN=1
wifi_run
