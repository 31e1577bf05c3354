# Scenario 15: xl save -c (a checkpoint: suspend, save, fast resume in
# place) while dom0 pings the guest: netfront does not reconnect and the
# replies go on (tests/xen/move-lib.sh, move_checkpoint). Scenario 16 runs
# the same round behind the other backend.
BUDGET=300

scenario_main() {
	. "$LAB_DIR/move-lib.sh"
	move_checkpoint "" || return 1
	keep move_checkpoint "$MOVE_OUTAGE"
}
