# The BPF programs vifd loads: each NAME.bpf.c compiled by clang for the
# BPF target (configure checked it can), then the ELF object turned into
# a C array (NAME_obj.c) that libvifd.a carries, so vifd loads it from its
# own memory. steer: the TAP's queue steering (data/tap_steer.c); xsk: the
# AF_XDP uplink's redirect (data/xsk_prog.c).
src_libvifd_a_SOURCES += src/bpf/steer.h src/bpf/steer_obj.h \
	src/bpf/xsk.h src/bpf/xsk_obj.h
BPF_OBJS = src/bpf/steer.bpf.o src/bpf/xsk.bpf.o
BPF_EMBED = src/bpf/steer_obj.c src/bpf/xsk_obj.c
nodist_src_libvifd_a_SOURCES += $(BPF_EMBED)
EXTRA_DIST += src/bpf/steer.bpf.c src/bpf/xsk.bpf.c
BUILT_SOURCES += $(BPF_EMBED)
CLEANFILES += $(BPF_OBJS) $(BPF_EMBED)

$(BPF_OBJS): src/bpf/%.bpf.o: $(top_srcdir)/src/bpf/%.bpf.c $(top_srcdir)/src/bpf/%.h
	@$(MKDIR_P) src/bpf
	$(AM_V_GEN)$(CLANG) -O2 -g -Wall -Wextra -Werror -target bpf \
	    $(BPF_CPPFLAGS) $(BPF_CFLAGS) -I$(top_srcdir)/src \
	    -c $(top_srcdir)/src/bpf/$*.bpf.c -o $@

# od prints the bytes as hex, 16 a line; sed makes them initialisers.
$(BPF_EMBED): src/bpf/%_obj.c: src/bpf/%.bpf.o
	$(AM_V_GEN){ \
	  echo '/* Generated from src/bpf/$*.bpf.c by src/bpf/local.mk. */'; \
	  echo '#include "config.h"'; \
	  echo '#include "bpf/$*_obj.h"'; \
	  echo 'const unsigned char $*_obj[] = {'; \
	  od -An -v -tx1 src/bpf/$*.bpf.o | \
	      sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '};'; \
	  echo 'const size_t $*_obj_len = sizeof($*_obj);'; \
	} >$@.tmp && mv $@.tmp $@
