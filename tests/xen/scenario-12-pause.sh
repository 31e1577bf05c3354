# Scenario 12: xl pause of a guest for 30 s while dom0 pings it and sends
# it TCP, and pings a second guest; then xl unpause (tests/xen/move-lib.sh,
# move_pause). Scenario 16 runs the same round behind the other backend.
BUDGET=300

scenario_main() {
	. "$LAB_DIR/move-lib.sh"
	move_pause "" || return 1
	keep move_pause "$MOVE_OUTAGE"
}
