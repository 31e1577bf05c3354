# vif-guest, the simulated Linux netfront (tests, demo, benchmarks), its
# pure parts in a library of their own so the unit tests can link them,
# its man page and its unit tests.
noinst_LIBRARIES += tools/vif-guest/libvifguest.a
tools_vif_guest_libvifguest_a_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) \
	-I$(top_srcdir)/tools/xensim
tools_vif_guest_libvifguest_a_SOURCES = \
	tools/vif-guest/txplan.c tools/vif-guest/txplan.h \
	tools/vif-guest/rxasm.c tools/vif-guest/rxasm.h \
	tools/vif-guest/gframe.c tools/vif-guest/gframe.h \
	tools/vif-guest/gopts.c tools/vif-guest/gopts.h

bin_PROGRAMS += tools/vif-guest/vif-guest
tools_vif_guest_vif_guest_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) \
	-I$(top_srcdir)/tools/xensim
tools_vif_guest_vif_guest_SOURCES = \
	tools/vif-guest/vif-guest.h \
	tools/vif-guest/main.c \
	tools/vif-guest/gbus.c \
	tools/vif-guest/gq.c \
	tools/vif-guest/galloc.c \
	tools/vif-guest/gtap.c \
	tools/vif-guest/evil.c \
	$(VIFD_ENV_SRC)
tools_vif_guest_vif_guest_LDADD = tools/vif-guest/libvifguest.a $(VIFD_LDADD)

dist_man_MANS += man/vif-guest.1

# Unit tests of the pure parts: TX slot layout, RX response walk, frame
# builder and command line.
VIF_GUEST_TEST_LDADD = tools/vif-guest/libvifguest.a $(UNIT_LDADD)
VIF_GUEST_TEST_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/tools/vif-guest

UNIT_TESTS += tests/unit/test_vif_guest_txplan \
	tests/unit/test_vif_guest_rxasm \
	tests/unit/test_vif_guest_misc
check_PROGRAMS += tests/unit/test_vif_guest_txplan \
	tests/unit/test_vif_guest_rxasm \
	tests/unit/test_vif_guest_misc

tests_unit_test_vif_guest_txplan_CFLAGS = $(VIF_GUEST_TEST_CFLAGS)
tests_unit_test_vif_guest_txplan_SOURCES = tests/unit/test_vif_guest_txplan.c \
	tests/unit/frames.c tests/unit/frames.h
tests_unit_test_vif_guest_txplan_LDADD = $(VIF_GUEST_TEST_LDADD)

tests_unit_test_vif_guest_rxasm_CFLAGS = $(VIF_GUEST_TEST_CFLAGS)
tests_unit_test_vif_guest_rxasm_SOURCES = tests/unit/test_vif_guest_rxasm.c
tests_unit_test_vif_guest_rxasm_LDADD = $(VIF_GUEST_TEST_LDADD)

tests_unit_test_vif_guest_misc_CFLAGS = $(VIF_GUEST_TEST_CFLAGS)
tests_unit_test_vif_guest_misc_SOURCES = tests/unit/test_vif_guest_misc.c \
	tests/unit/frames.c tests/unit/frames.h
tests_unit_test_vif_guest_misc_LDADD = $(VIF_GUEST_TEST_LDADD)

# The control half against a hand-played backend on the simulated Xen
# (needs the sim's xenstored, no root, no vifd).
RIG_TESTS += tests/rig/vif-guest.sh
dist_noinst_SCRIPTS += tests/rig/vif-guest.sh
