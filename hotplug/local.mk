# Hotplug: the runner (src/hotplug.*) vifd's control thread uses, our own
# vif-* scripts (Xen's contract: see man/vifd-hotplug.7) and their tests.
src_libvifd_a_SOURCES += src/hotplug.h src/hotplug_int.h \
	src/hotplug_cmd.c src/hotplug_run.c

# The scripts and the helper they source from their own directory, in
# $(hotplugdir) (configure --with-hotplug-dir, default $(libexecdir)/vifd).
hotplug_SCRIPTS += hotplug/vif-bridge hotplug/vif-route hotplug/vif-nat
hotplug_DATA = hotplug/vifd-hotplug-common.sh
EXTRA_DIST += hotplug/vif-bridge hotplug/vif-route hotplug/vif-nat \
	hotplug/vifd-hotplug-common.sh

dist_man_MANS += man/vifd-hotplug.7

UNIT_TESTS += tests/unit/test_hotplug
check_PROGRAMS += tests/unit/test_hotplug
tests_unit_test_hotplug_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_hotplug_SOURCES = tests/unit/test_hotplug.c
tests_unit_test_hotplug_LDADD = $(UNIT_LDADD)

# Runs the scripts (ours and Xen's vif-bridge) on the simulated Xen's
# xenstored in network namespaces; needs root and tools/xensim/xensim.
RIG_TESTS += tests/rig/hotplug-scripts.sh
dist_noinst_SCRIPTS += tests/rig/hotplug-scripts.sh
