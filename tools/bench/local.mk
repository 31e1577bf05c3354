# The data-plane benchmark: vifd-bench (the TAP syscall-bound baselines
# and an AF_PACKET injector) and bench.sh, which measures guest TX and RX
# through vifd on the simulated Xen against those baselines in one run.
# `make bench` runs it (root; a few minutes at most). Benchmarks print
# numbers and are not part of `make check`; the frame builder has one
# unit test.
noinst_PROGRAMS += tools/bench/vifd-bench
tools_bench_vifd_bench_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) \
	-I$(top_srcdir)/tools/vif-guest
tools_bench_vifd_bench_SOURCES = \
	tools/bench/bench.h \
	tools/bench/main.c \
	tools/bench/bframe.c \
	tools/bench/btap.c \
	tools/bench/binject.c
tools_bench_vifd_bench_LDADD = tools/vif-guest/libvifguest.a $(VIFD_LDADD)

dist_noinst_SCRIPTS += tools/bench/bench.sh

# make bench [BENCH_ARGS='--seconds 2 --runs 5 --queues 2 ...']
bench: all
	$(BASH) $(top_srcdir)/tools/bench/bench.sh \
	    --builddir '$(abs_top_builddir)' $(BENCH_ARGS)
.PHONY: bench

UNIT_TESTS += tests/unit/test_bench_frame
check_PROGRAMS += tests/unit/test_bench_frame
tests_unit_test_bench_frame_CFLAGS = $(UNIT_CFLAGS) \
	-I$(top_srcdir)/tools/bench -I$(top_srcdir)/tools/vif-guest
tests_unit_test_bench_frame_SOURCES = tests/unit/test_bench_frame.c \
	tools/bench/bframe.c tools/bench/bench.h
tests_unit_test_bench_frame_LDADD = tools/vif-guest/libvifguest.a $(UNIT_LDADD)
