#!/bin/sh
# A real 802.11 roam (mac80211_hwsim, hostapd, wpa_supplicant): a station
# with a UDP download at 100 packets/s roams between the router's two radios
# (wlan0, wlan1, ports of br-lan, WPA2-PSK). Without netfix the offloaded
# stream stalls; with the daemon each of 3 roams resumes within 1 s of the
# association, a bystander station's entry untouched. See wifilib.sh.
# needs: netfix
# timeout: 200
. /vm/scenarios/lib.sh
. /vm/scenarios/wifilib.sh


wifi_run
