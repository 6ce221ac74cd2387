#!/bin/sh
# wifi_roam with 802.11r fast BSS transition: hostapd FT-PSK (one mobility
# domain, ft_psk_generate_local), wpa_supplicant key_mgmt FT-PSK, `wpa_cli
# roam` does FT over the air (a reassociation without the 4-way handshake,
# so the station is authorized, and the Layer-2 Update sent, at another
# moment). Same assertions.
#
# Not in the suite: on Debian's 6.1 kernel with bookworm's wpa_supplicant
# 2.10 the station cannot complete FT over the air. After the FT
# authentication wpa_supplicant installs the PTK before reassociating,
# cfg80211 refuses it ("nl80211: kernel reports: key not allowed", "FT:
# Failed to set PTK to the driver": the station is no longer connected
# once mac80211 left the old AP), the target rejects the reassociation
# (status 55) and wpa_supplicant falls back to a full association with
# another AP. Run it by name (test/vm/run.sh wifi_ft) to see that.
# needs: netfix
# timeout: 200
. /vm/scenarios/lib.sh
. /vm/scenarios/wifilib.sh

WIFI_FT=1
wifi_run
