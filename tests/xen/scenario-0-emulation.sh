# Scenario 0: the emulated machine itself. Before any backend is judged,
# memstress (tests/xen/memstress.c) runs LAB_STRESS seconds (default 30) of
# short-lived processes in dom0 and in a 2-vCPU guest at once, each checking
# the memory it is handed and what it reads through its thread pointer;
# any fault, or any segfault or GPF the kernels logged meanwhile, fails it.
# Under QEMU TCG with Xen's lazy FPU switching this found 30-50 faults per
# 1000 processes (tests/xen/README.md); the lab now runs Xen with eager FPU
# switching, and this scenario is the guard that keeps it honest.
# Figures: the drivers that reported, processes run, faults, kernel faults.
BUDGET=$((180 + ${LAB_STRESS:-30}))

scenario_main() {
	local secs=${LAB_STRESS:-30} want=$((2 * ${LAB_STRESS_DRIVERS:-3})) out=$LAB_RUN/stress.out
	local drivers rounds faults kfaults
	lab_stress "$secs" || { fail "the stress guest did not come up"; return 1; }
	drivers=$(grep -c '^MEMSTRESS ' "$out")
	rounds=$(awk '$1 == "MEMSTRESS" { for (i = 3; i <= NF; i++) if ($i ~ /^rounds=/) r += substr($i, 8) } END { print r + 0 }' "$out")
	faults=$(awk '$1 == "MEMSTRESS" { for (i = 3; i <= NF; i++) if ($i ~ /^faults=/) f += substr($i, 8) } END { print f + 0 }' "$out")
	kfaults=$(grep -c '^KERNEL-FAULT ' "$out")
	fig "stress_s=$secs drivers=$drivers/$want processes=$rounds faults=$faults kernel_faults=$kfaults"
	[ "$drivers" = "$want" ] || { fail "$drivers of $want memstress drivers reported (a driver that dies is a fault too)"; return 1; }
	[ "$faults" = 0 ] || { fail "$faults of $rounds processes saw foreign memory: $(grep -m 2 '^MEMSTRESS-FAULT' "$out" | tr '\n' ';')"; return 1; }
	[ "$kfaults" = 0 ] || { fail "the kernels logged $kfaults faults: $(grep -m 2 '^KERNEL-FAULT' "$out" | tr '\n' ';')"; return 1; }
}
