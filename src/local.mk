# vifd's sources, by layer (see the README's map). libvifd.a holds them
# all; every program and test links it. Each layer lists its own files.
noinst_LIBRARIES += src/libvifd.a
src_libvifd_a_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) $(MNL_CFLAGS) $(BPF_CFLAGS) \
	$(XDP_CFLAGS) $(URING_CFLAGS)
src_libvifd_a_SOURCES =
nodist_src_libvifd_a_SOURCES =

include src/core/local.mk
include src/data/local.mk
include src/ctrl/local.mk
include src/seam/local.mk
include src/util/local.mk
include src/bpf/local.mk
