# The hypervisor seam: the table of operations, the real libraries behind
# it, and the choice between them and the simulated machine.
src_libvifd_a_SOURCES += src/seam/xen_ops.h src/seam/xen_real.c

# Link order for programs: objects, libxensim (needs libvifd's
# xen_real_ops), libvifd. xen_env.c is compiled into each program: it
# depends on both the real seam (libvifd) and the simulated one
# (libxensim).
VIFD_LDADD = tools/xensim/libxensim.a src/libvifd.a $(XEN_LIBS) $(MNL_LIBS) $(BPF_LIBS) $(XDP_LIBS) $(SECCOMP_LIBS) $(CAP_LIBS) $(URING_LIBS)
VIFD_ENV_SRC = src/seam/xen_env.c
