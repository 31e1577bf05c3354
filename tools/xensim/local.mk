# The simulated Xen: libxensim.a (the seam over a simulated machine and the
# guest-side API), the xensim command, and the xenstored stand-in library.
noinst_LIBRARIES += tools/xensim/libxensim.a
tools_xensim_libxensim_a_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
# Where the machine finds the stand-in (after $XENSIM_PRELOAD and the
# running executable's directory): this build tree, then the install.
tools_xensim_libxensim_a_CPPFLAGS = $(AM_CPPFLAGS) \
	-DXENSIM_BUILD_SHIM='"$(abs_top_builddir)/tools/xensim/xensim-xsd.so"' \
	-DXENSIM_INSTALLED_SHIM='"$(pkglibexecdir)/xensim-xsd.so"'
tools_xensim_libxensim_a_SOURCES = \
	tools/xensim/xensim.h \
	tools/xensim/sim_int.h \
	tools/xensim/sim_priv.h \
	tools/xensim/sim_util.c \
	tools/xensim/sim_machine.c \
	tools/xensim/sim_evtchn.c \
	tools/xensim/sim_gnttab.c \
	tools/xensim/sim_guest.c \
	tools/xensim/sim_env.c

bin_PROGRAMS += tools/xensim/xensim
tools_xensim_xensim_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tools_xensim_xensim_SOURCES = tools/xensim/xensim.c
tools_xensim_xensim_LDADD = $(VIFD_LDADD)

# The stand-in for the hypervisor calls of xenstored, LD_PRELOADed into
# the (uninstrumented) C xenstored: a shared object built as a program,
# with per-target flags so that no sanitizer flag reaches it.
pkglibexec_PROGRAMS += tools/xensim/xensim-xsd.so
tools_xensim_xensim_xsd_so_CFLAGS = $(WARN_CFLAGS) -fPIC $(XENCTRL_CFLAGS)
tools_xensim_xensim_xsd_so_LDFLAGS = -shared
tools_xensim_xensim_xsd_so_LDADD = -ldl
tools_xensim_xensim_xsd_so_SOURCES = tools/xensim/xsd_shim.c \
	tools/xensim/sim_int.h

dist_man_MANS += man/xensim.1

# Unit tests: grant tables, event channels, xenstore and the machine,
# each on a machine of its own in a fresh temporary directory.
XENSIM_TEST_CPPFLAGS = $(AM_CPPFLAGS) \
	-DXENSIM_TEST_BIN='"$(abs_top_builddir)/tools/xensim/xensim"'
UNIT_TESTS += tests/unit/test_xensim_gnttab tests/unit/test_xensim_evtchn \
	tests/unit/test_xensim_xs
check_PROGRAMS += tests/unit/test_xensim_gnttab tests/unit/test_xensim_evtchn \
	tests/unit/test_xensim_xs
tests_unit_test_xensim_gnttab_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_xensim_gnttab_CPPFLAGS = $(XENSIM_TEST_CPPFLAGS)
tests_unit_test_xensim_gnttab_SOURCES = tests/unit/test_xensim_gnttab.c \
	tests/unit/test_xensim_fix.h $(VIFD_ENV_SRC)
tests_unit_test_xensim_gnttab_LDADD = $(UNIT_LDADD)
tests_unit_test_xensim_evtchn_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_xensim_evtchn_CPPFLAGS = $(XENSIM_TEST_CPPFLAGS)
tests_unit_test_xensim_evtchn_SOURCES = tests/unit/test_xensim_evtchn.c \
	tests/unit/test_xensim_fix.h $(VIFD_ENV_SRC)
tests_unit_test_xensim_evtchn_LDADD = $(UNIT_LDADD)
tests_unit_test_xensim_xs_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_xensim_xs_CPPFLAGS = $(XENSIM_TEST_CPPFLAGS)
tests_unit_test_xensim_xs_SOURCES = tests/unit/test_xensim_xs.c \
	tests/unit/test_xensim_fix.h $(VIFD_ENV_SRC)
tests_unit_test_xensim_xs_LDADD = $(UNIT_LDADD)
