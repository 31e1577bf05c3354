# Tests, one fragment per kind: unit/ (CUnit programs), golden/ (vifctl's
# golden files), rig/ (the real binaries on the simulated Xen), lib/ (the
# shell tests' library), xen/ (the real-Xen lab, not part of make check),
# fuzz/ (libFuzzer targets), soak/ (64 vifs for minutes: make soak).
include tests/unit/local.mk
include tests/golden/local.mk
include tests/rig/local.mk
include tests/lib/local.mk
include tests/xen/local.mk
include tests/fuzz/local.mk
include tests/soak/local.mk
