# Scenario 13: xl save of a guest to a file in dom0 under traffic, then xl
# restore: the old vif is cleaned up, the restored domain reconnects, a TCP
# transfer that spans both completes intact (tests/xen/move-lib.sh,
# move_save). Scenario 16 runs the same round behind the other backend.
BUDGET=360

scenario_main() {
	. "$LAB_DIR/move-lib.sh"
	move_save "" || return 1
	keep move_save "$MOVE_OUTAGE"
}
