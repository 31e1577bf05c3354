# Rig tests: shell scripts that drive the real binaries (xensim, vifd,
# vifctl, vif-guest, the hotplug scripts) on the simulated Xen, most in
# network namespaces (root). vifctl.sh and vif-guest.sh play the other
# side by hand and need no vifd.
# Two groups. `make check-rig` runs the first two at a time (-j2; each
# test builds its own machine in namespaces named after its pid, so two
# never meet) and then the second one at a time: the second holds the
# tests that judge time or CPU (rates, shaping, a stats top's packets per
# second, vifd's CPU while idle, deadlines of a second or two, control
# rounds counted during traffic, the soak's neighbours), which another
# test on the same 2 cores would skew; and switch-xdp.sh, whose two AF_XDP
# uplinks lock 8 MiB, all of root's RLIMIT_MEMLOCK here (which root cannot
# raise on this machine): another test's vifd, its queues' io_uring rings
# counted against the same pool, would leave no room for the second. The longest come first in the first
# group, so that the two slots finish together.
# Measured on the 2-core development machine (2026-12-04): the rig took
# 795 s one at a time, of which the shared group 490 s; in two passes 583 s
# (the shared group 275 s, two at a time; the tests' own times as alone).
RIG_TESTS_SHARED = \
	tests/rig/badinput.sh \
	tests/rig/switch.sh \
	tests/rig/feature-mask.sh \
	tests/rig/data-traffic.sh \
	tests/rig/data-features.sh \
	tests/rig/mcast.sh \
	tests/rig/sandbox.sh \
	tests/rig/privsep.sh \
	tests/rig/xdp.sh \
	tests/rig/rss.sh \
	tests/rig/hotplug-scripts.sh \
	tests/rig/port.sh \
	tests/rig/rss-software.sh \
	tests/rig/libvirt-hook.sh \
	tests/rig/control-handshake.sh
RIG_TESTS_ALONE = \
	tests/rig/vifd-cli.sh \
	tests/rig/service.sh \
	tests/rig/control-lifecycle.sh \
	tests/rig/concurrency.sh \
	tests/rig/faults.sh \
	tests/rig/rate.sh \
	tests/rig/shape.sh \
	tests/rig/stats.sh \
	tests/rig/hotplug-vifd.sh \
	tests/rig/ovs.sh \
	tests/rig/vifctl.sh \
	tests/rig/vif-guest.sh \
	tests/rig/switch-xdp.sh
RIG_TEST_FILES = $(RIG_TESTS_SHARED) $(RIG_TESTS_ALONE)
RIG_TESTS += $(RIG_TEST_FILES)
dist_noinst_SCRIPTS += $(RIG_TEST_FILES)
