# Rig tests: shell scripts that drive the real binaries (xensim, vifd,
# vifctl, vif-guest, the hotplug scripts) on the simulated Xen, most in
# network namespaces (root). vifctl.sh and vif-guest.sh play the other
# side by hand and need no vifd.
RIG_TEST_FILES = \
	tests/rig/vifd-cli.sh \
	tests/rig/service.sh \
	tests/rig/control-handshake.sh \
	tests/rig/control-lifecycle.sh \
	tests/rig/concurrency.sh \
	tests/rig/data-traffic.sh \
	tests/rig/data-features.sh \
	tests/rig/mcast.sh \
	tests/rig/rss.sh \
	tests/rig/rss-software.sh \
	tests/rig/feature-mask.sh \
	tests/rig/xdp.sh \
	tests/rig/badinput.sh \
	tests/rig/sandbox.sh \
	tests/rig/privsep.sh \
	tests/rig/faults.sh \
	tests/rig/rate.sh \
	tests/rig/shape.sh \
	tests/rig/stats.sh \
	tests/rig/port.sh \
	tests/rig/switch.sh \
	tests/rig/switch-xdp.sh \
	tests/rig/libvirt-hook.sh \
	tests/rig/hotplug-vifd.sh \
	tests/rig/hotplug-scripts.sh \
	tests/rig/ovs.sh \
	tests/rig/vifctl.sh \
	tests/rig/vif-guest.sh
RIG_TESTS += $(RIG_TEST_FILES)
dist_noinst_SCRIPTS += $(RIG_TEST_FILES)
