# The soak (issue 15): tests/soak/soak.sh, one vifd serving 64 vifs on the
# simulated Xen under traffic, detach/attach churn and hostile frontends,
# then checks that every well-behaved vif still passes traffic, that
# vifd's RSS and fds stayed flat and that nothing is left behind. Not part
# of make check (root, minutes):
#   make soak [SOAK_SECONDS=N]   the long run (600 s), its TAP on stdout
#   make soak-ci                 SOAK_CI_SECONDS (60) through the test
#                                harness: tests/soak/soak.trs, which
#                                tools/test.sh counts with the rig tests
SOAK_SECONDS = 600
SOAK_CI_SECONDS = 60
dist_noinst_SCRIPTS += tests/soak/soak.sh
soak: all
	@VIFD_BUILDDIR='$(abs_top_builddir)' VIFD_SRCDIR='$(abs_top_srcdir)' \
	    SOAK_SECONDS='$(SOAK_SECONDS)' $(BASH) $(top_srcdir)/tests/soak/soak.sh
# The harness runs it with TESTS_ENVIRONMENT: SOAK_SECONDS from there.
TESTS_ENVIRONMENT += SOAK_SECONDS='$(SOAK_SECONDS)'; export SOAK_SECONDS;
soak-ci: all
	@$(MAKE) $(AM_MAKEFLAGS) check TESTS=tests/soak/soak.sh \
	    SOAK_SECONDS='$(SOAK_CI_SECONDS)'
.PHONY: soak soak-ci
