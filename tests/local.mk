# Tests. Unit tests: one CUnit program per module, reporting TAP through
# tests/unit/cu_tap.c. Rig tests: shell scripts that drive the real binaries
# on the simulated Xen in network namespaces (need root).
noinst_LIBRARIES += tests/unit/libcutap.a
tests_unit_libcutap_a_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_libcutap_a_SOURCES = tests/unit/cu_tap.c tests/unit/cu_tap.h

UNIT_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) $(XEN_CFLAGS) \
	-I$(top_srcdir)/tests/unit -I$(top_srcdir)/tools/xensim
UNIT_LDADD = tests/unit/libcutap.a $(VIFD_LDADD) $(CUNIT_LIBS)

include tests/unit/local.mk
include tests/xen/local.mk

# Integration tests through the real binaries (the lead's).
LEAD_RIG_TESTS = \
	tests/rig/vifd-cli.sh \
	tests/rig/control-handshake.sh \
	tests/rig/control-lifecycle.sh \
	tests/rig/data-traffic.sh \
	tests/rig/data-features.sh \
	tests/rig/badinput.sh \
	tests/rig/rate.sh \
	tests/rig/hotplug-vifd.sh
RIG_TESTS += $(LEAD_RIG_TESTS)
dist_noinst_SCRIPTS += $(LEAD_RIG_TESTS)
EXTRA_DIST += tests/lib/tap.sh tests/lib/rig.sh
