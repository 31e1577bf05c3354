# The simulated Xen: libxensim.a (the seam over a simulated machine and the
# guest-side API), the xensim command, and the xenstored stand-in library.
noinst_LIBRARIES += tools/xensim/libxensim.a
tools_xensim_libxensim_a_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tools_xensim_libxensim_a_SOURCES = \
	tools/xensim/xensim.h \
	tools/xensim/sim_env.c
