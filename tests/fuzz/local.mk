# libFuzzer targets (tests/fuzz/fuzz_*.c), one per input a guest or a
# local user controls. They are built with $(CLANG) and
# -fsanitize=fuzzer,address,undefined whatever $(CC) is, from the pure
# cores they drive, so they are plain make rules rather than automake
# programs (which would use $(CC)). configure decides whether clang can
# (--enable-fuzz; the FUZZ conditional).
#   make fuzz FUZZ_SECONDS=N [FUZZ_TARGETS="tx rx"]   each target N s
#   make fuzz-ci                                      a short pass each, as
#                                                     tools/test.sh counts it
# tests/fuzz/run.sh runs them and says per target: execs, coverage, PASS
# or FAIL with the crashing input kept and shown.
FUZZ_ALL = tx rx hdr csum frontend ctrl vifspec rate ctl
FUZZ_TARGETS = $(FUZZ_ALL)
FUZZ_SECONDS = 60
# 8 s: at 25 s the nine targets took about 2.5 minutes of CI's 20 (two at
# a time on its 2 cores), at 12 s 78 s; longer runs are for make fuzz.
FUZZ_CI_SECONDS = 8
EXTRA_DIST += tests/fuzz/run.sh tests/fuzz/seeds.py tests/fuzz/fuzz.h \
	tests/fuzz/fuzz.c $(FUZZ_ALL:%=tests/fuzz/fuzz_%.c) tests/fuzz/corpus

# The cores, their shared test helpers and the input reader, compiled
# once into one archive.
FUZZ_CORE_SRC = src/core/tx.c src/core/rx.c src/core/mcast.c \
	src/core/hash.c src/core/ctrl.c src/core/hdr.c src/core/csum.c \
	src/core/vnet_hdr.c src/core/ratelimit.c src/core/frontend.c \
	src/core/featmask.c src/core/vifspec.c src/core/vifspec_rate.c \
	src/core/vifspec_nodes.c src/core/vlanspec.c src/core/swspec.c \
	src/core/strparse.c src/core/ctl_cmd.c tests/unit/frames.c \
	tests/fuzz/fuzz.c
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=all \
	-Wall -Wextra -Wno-unused-parameter -Werror -std=gnu11
FUZZ_CPPFLAGS = -I$(abs_top_srcdir)/src -I$(abs_top_builddir) \
	-I$(abs_top_srcdir)/tests/unit -I$(abs_top_srcdir)/tests/fuzz $(XEN_CFLAGS)

if FUZZ
tests/fuzz/libfuzzcore.a: $(FUZZ_CORE_SRC:%=$(top_srcdir)/%) $(top_builddir)/config.h
	$(AM_V_GEN)rm -rf tests/fuzz/obj && $(MKDIR_P) tests/fuzz/obj && \
	cd tests/fuzz/obj && $(CLANG) $(FUZZ_CFLAGS) $(FUZZ_CPPFLAGS) \
	    -fsanitize=fuzzer-no-link,address,undefined -c \
	    $(FUZZ_CORE_SRC:%=$(abs_top_srcdir)/%) && \
	cd ../../.. && rm -f $@ && $(AR) cr $@ tests/fuzz/obj/*.o

# Each target: its own source against the archive.
FUZZ_BINS = $(FUZZ_ALL:%=tests/fuzz/fuzz_%)
$(FUZZ_BINS): tests/fuzz/fuzz_%: $(top_srcdir)/tests/fuzz/fuzz_%.c tests/fuzz/libfuzzcore.a
	$(AM_V_CCLD)$(CLANG) $(FUZZ_CFLAGS) $(FUZZ_CPPFLAGS) \
	    -fsanitize=fuzzer,address,undefined -o $@ $< tests/fuzz/libfuzzcore.a

fuzz-build: $(FUZZ_BINS)
fuzz: fuzz-build
	@$(BASH) $(top_srcdir)/tests/fuzz/run.sh $(abs_top_builddir) \
	    $(abs_top_srcdir) $(FUZZ_SECONDS) $(FUZZ_TARGETS)
# The CI pass (tools/test.sh): a .trs per target, counted with the
# other tests. A build failure is one failed result. FUZZ_ALL in two
# halves at once, one per core of the CI machine: the pass takes 5
# targets' time, not 9 (test.sh has a 20-minute budget there).
fuzz-ci:
	@if $(MAKE) $(AM_MAKEFLAGS) fuzz-build; then \
	    a= b= i=0; \
	    for t in $(FUZZ_ALL); do \
	        if [ $$((i % 2)) = 0 ]; then a="$$a $$t"; else b="$$b $$t"; fi; \
	        i=$$((i + 1)); \
	    done; \
	    $(BASH) $(top_srcdir)/tests/fuzz/run.sh --trs $(abs_top_builddir) \
	        $(abs_top_srcdir) $(FUZZ_CI_SECONDS) $$a & p=$$!; \
	    $(BASH) $(top_srcdir)/tests/fuzz/run.sh --trs $(abs_top_builddir) \
	        $(abs_top_srcdir) $(FUZZ_CI_SECONDS) $$b; r=$$?; \
	    wait $$p && test $$r = 0; \
	else \
	    $(BASH) $(top_srcdir)/tests/fuzz/run.sh --trs-fail build \
	        $(abs_top_builddir); \
	fi
else
fuzz fuzz-build fuzz-ci:
	@echo "make $@: configure found no clang able to build libFuzzer targets (tools/deps.sh installs libclang-rt-14-dev)" >&2
	@$(BASH) $(top_srcdir)/tests/fuzz/run.sh --trs-fail configure \
	    $(abs_top_builddir)
	@false
endif
clean-local: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz/obj tests/fuzz/libfuzzcore.a $(FUZZ_ALL:%=tests/fuzz/fuzz_%) \
	    tests/fuzz/work tests/fuzz/artifacts
.PHONY: fuzz fuzz-build fuzz-ci clean-fuzz
