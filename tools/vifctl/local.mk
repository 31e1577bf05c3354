# vifctl, the toolstack of vifd's own tests and of standalone use, and the xl
# vif= spec parser it shares with vifd (src/vifspec.*).
src_libvifd_a_SOURCES += src/vifspec.c src/vifspec.h \
	src/vifspec_rate.c src/vifspec_nodes.c

bin_PROGRAMS += tools/vifctl/vifctl
tools_vifctl_vifctl_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) \
	-I$(top_srcdir)/tools/xensim
tools_vifctl_vifctl_SOURCES = \
	tools/vifctl/vifctl.h \
	tools/vifctl/main.c \
	tools/vifctl/common.c \
	tools/vifctl/cmd_parse.c \
	tools/vifctl/cmd_attach.c \
	tools/vifctl/cmd_detach.c \
	tools/vifctl/cmd_list.c \
	tools/vifctl/cmd_rate.c \
	tools/vifctl/cmd_stats.c \
	$(VIFD_ENV_SRC)
tools_vifctl_vifctl_LDADD = $(VIFD_LDADD)

dist_man_MANS += man/vifctl.8

# The parser's unit test; where Xen's libxlutil is installed (Debian:
# libxen-dev) it also checks our rate= parser against xlu_vif_parse_rate.
UNIT_TESTS += tests/unit/test_vifspec
check_PROGRAMS += tests/unit/test_vifspec
tests_unit_test_vifspec_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_vifspec_SOURCES = tests/unit/test_vifspec.c
tests_unit_test_vifspec_LDADD = $(UNIT_LDADD)
if HAVE_XLUTIL
tests_unit_test_vifspec_CFLAGS += -DHAVE_XLUTIL=1 $(XLUTIL_CFLAGS)
tests_unit_test_vifspec_LDADD += $(XLUTIL_LIBS)
endif

# Golden files for `vifctl parse`: needs no root and no Xen, so it is a unit
# test (and runs under the sanitizers too).
UNIT_TESTS += tests/golden/vifctl.sh
dist_noinst_SCRIPTS += tests/golden/vifctl.sh
EXTRA_DIST += tests/golden/vifctl

# attach/detach/list/rate against a real xenstored on the simulated Xen,
# with the test playing the backend.
RIG_TESTS += tests/rig/vifctl.sh
dist_noinst_SCRIPTS += tests/rig/vifctl.sh
