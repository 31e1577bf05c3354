# The TAP steering program: steer.bpf.c compiled by clang for the BPF
# target (configure checked it can), then the ELF object turned into a C
# array (steer_obj.c) that libvifd.a carries, so vifd loads it from its
# own memory (data/tap_steer.c).
src_libvifd_a_SOURCES += src/bpf/steer.h src/bpf/steer_obj.h
nodist_src_libvifd_a_SOURCES += src/bpf/steer_obj.c
EXTRA_DIST += src/bpf/steer.bpf.c
BUILT_SOURCES += src/bpf/steer_obj.c
CLEANFILES += src/bpf/steer.bpf.o src/bpf/steer_obj.c

src/bpf/steer.bpf.o: $(top_srcdir)/src/bpf/steer.bpf.c $(top_srcdir)/src/bpf/steer.h
	@$(MKDIR_P) src/bpf
	$(AM_V_GEN)$(CLANG) -O2 -g -Wall -Wextra -Werror -target bpf \
	    $(BPF_CPPFLAGS) $(BPF_CFLAGS) -I$(top_srcdir)/src \
	    -c $(top_srcdir)/src/bpf/steer.bpf.c -o $@

# od prints the bytes as hex, 16 a line; sed makes them initialisers.
src/bpf/steer_obj.c: src/bpf/steer.bpf.o
	$(AM_V_GEN){ \
	  echo '/* Generated from src/bpf/steer.bpf.c by src/bpf/local.mk. */'; \
	  echo '#include "config.h"'; \
	  echo '#include "bpf/steer_obj.h"'; \
	  echo 'const unsigned char steer_obj[] = {'; \
	  od -An -v -tx1 src/bpf/steer.bpf.o | \
	      sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '};'; \
	  echo 'const size_t steer_obj_len = sizeof(steer_obj);'; \
	} >$@.tmp && mv $@.tmp $@
