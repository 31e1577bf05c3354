# The data-plane benchmark: vifd-bench (the TAP syscall-bound baselines
# and an AF_PACKET injector) and bench.sh, which measures guest TX and RX
# through vifd on the simulated Xen against those baselines in one run.
# `make bench` runs it (root; a few minutes at most). Benchmarks print
# numbers and are not part of `make check`; the frame builder's unit test
# is tests/unit/test_bench_frame.
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

dist_noinst_SCRIPTS += tools/bench/bench.sh tools/bench/switch-bench.sh \
	tools/bench/uplink-bench.sh tools/bench/tcp-bench.sh \
	tools/bench/scale-bench.sh
EXTRA_DIST += tools/bench/benchlib.sh

# make bench [BENCH_ARGS='--seconds 2 --runs 5 --queues 2 ...']
bench: all
	$(BASH) $(top_srcdir)/tools/bench/bench.sh \
	    --builddir '$(abs_top_builddir)' $(BENCH_ARGS)
.PHONY: bench

# make switch-bench [BENCH_ARGS='--seconds 2 --runs 5']: guest to guest,
# Linux bridge against a switch inside vifd (issue 20).
switch-bench: all
	$(BASH) $(top_srcdir)/tools/bench/switch-bench.sh \
	    --builddir '$(abs_top_builddir)' $(BENCH_ARGS)
.PHONY: switch-bench

# make uplink-bench [BENCH_ARGS='--seconds 2 --runs 5']: a switch's TAP
# uplink on a Linux bridge against its AF_XDP uplink (issue 20).
uplink-bench: all
	$(BASH) $(top_srcdir)/tools/bench/uplink-bench.sh \
	    --builddir '$(abs_top_builddir)' $(BENCH_ARGS)
.PHONY: uplink-bench

# make tcp-bench [BENCH_ARGS='--seconds 5 --runs 3']: TCP guest <-> host,
# vifd's TAP I/O a frame per system call against a batch (issue 19).
tcp-bench: all
	$(BASH) $(top_srcdir)/tools/bench/tcp-bench.sh \
	    --builddir '$(abs_top_builddir)' $(BENCH_ARGS)
.PHONY: tcp-bench

# make scale-bench [BENCH_ARGS='--vifs 64 --seconds 3']: one vifd with
# many vifs, idle and all sending at once (issue 19).
scale-bench: all
	$(BASH) $(top_srcdir)/tools/bench/scale-bench.sh \
	    --builddir '$(abs_top_builddir)' $(BENCH_ARGS)
.PHONY: scale-bench
