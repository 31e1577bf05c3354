# Scenario 14: local live migration (xl migrate -s '' lab-a 'xl
# migrate-receive') while dom0 pings the guest every 0.1 s: both vifs exist
# for a while, then only the new one; the longest gap in the replies is the
# only loss (tests/xen/move-lib.sh, move_migrate). Scenario 16 runs the
# same round behind the other backend.
BUDGET=360

scenario_main() {
	. "$LAB_DIR/move-lib.sh"
	move_migrate "" || return 1
	keep move_migrate "$MOVE_OUTAGE"
}
