# Scenario 16: scenarios 12-15's rounds (tests/xen/move-lib.sh) once more
# with Linux's xen-netback in place of vifd, same dom0, same guests, and the
# ratios of the outages (vifd / kernel: below 1, vifd's outage was
# shorter): the pause's resume time, the save and restore's longest gap in
# the replies, the migration's and the checkpoint's. Each round must pass
# behind xen-netback too. Then back to vifd.
BUDGET=720
BACKENDS="vifd"

scenario_main() {
	local r v k out=""
	. "$LAB_DIR/move-lib.sh"
	backend_use kernel || { fail "could not switch to xen-netback"; return 1; }
	for r in pause save migrate checkpoint; do
		"move_$r" kernel_ || return 1
		v=$(kept "move_$r")
		k=$MOVE_OUTAGE
		out="$out ${r}_ratio=$(ratio "$v" "$k")"
		[ -n "$v" ] || out="$out ${r}_vifd=none"
	done
	fig "${out# }"
	guests_destroy_all
	backend_use vifd || { fail "could not switch back to vifd"; return 1; }
}
