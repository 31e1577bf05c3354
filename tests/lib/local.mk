# The shell tests' library: tap.sh (the TAP words every shell test uses),
# rig.sh (the simulated machine of the rig tests), ovs.sh (a private Open
# vSwitch for a rig test) and vlan_arp.py (ARP in 802.1Q frames from a raw
# socket, where the kernel has no VLAN interfaces).
EXTRA_DIST += tests/lib/tap.sh tests/lib/rig.sh tests/lib/ovs.sh \
	tests/lib/vlan_arp.py
