# scenario 18: dd-data - scenario 2's checks through the driver domain: a
# guest whose vif netdd serves (dd-a, bridged) with its offloads on, TCP
# each way between it and dom0 (guest -> vifd in netdd -> netdd's
# netfront -> dom0's backend), GSO counted by netdd's vifd (vifctl there;
# with xen-netback, frames above the MTU on its vif), a 4 MiB file each
# way intact.
BUDGET=600

scenario_main() {
	. "$LAB_DIR/dd-lib.sh"
	dd_guest_ensure dd-a 10 || return 1
	BE_DOMID=$(netdd_domid) BE_NAME=$NETDD BE_KIND=$(netdd_backend) KEEP_AS="dd_$(netdd_backend)_" \
	    data_check dd-a 10
}
