#!/bin/sh
# wifi_roam with 802.11r fast BSS transition: hostapd FT-PSK (one mobility
# domain, each AP its own nas_identifier, ft_psk_generate_local, FT over
# the air), wpa_supplicant key_mgmt FT-PSK; `wpa_cli roam` makes an FT
# authentication with the target, then a reassociation without the 4-way
# handshake. Same assertions as wifi_roam, and every roam (with and without
# the daemon) must be a fast transition: the target AP's hostapd logged
# "authentication OK (FT)" and "FT authentication already completed - do
# not start 4-way handshake" for the station, and no 4-way handshake.
#
# wpa_supplicant 2.10 first tries to install the PTK right after the FT
# authentication; mac80211 has left the old AP by then and cfg80211
# refuses it ("nl80211: kernel reports: key not allowed", "FT: Failed to
# set PTK prior to association - try again after reassociation"). That is
# expected: it installs the PTK once reassociated ("FT: Try to set PTK
# again now that we are associated", "FT: Completed successfully").
#
# sta_roam pins the station's network to the target BSSID before `wpa_cli
# roam`; without the pin the target can get two FT authentications for one
# roam and reject the reassociation ("FT: ANonce mismatch in FTIE", status
# 55), and wpa_supplicant falls back to a full association
# (docs/wifi-roam.md).
# needs: netfix
# timeout: 200
. /vm/scenarios/lib.sh
. /vm/scenarios/wifilib.sh

WIFI_FT=1
wifi_run
