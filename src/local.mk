# vifd and libvifd.a, the library every program and test links.
noinst_LIBRARIES += src/libvifd.a
src_libvifd_a_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
src_libvifd_a_SOURCES = \
	src/log.c src/log.h \
	src/loop.c src/loop.h \
	src/xen_ops.h src/xen_real.c \
	src/xswatch.c src/xswatch.h \
	src/strparse.c src/strparse.h \
	src/xenbus_state.c src/xenbus_state.h

# Link order for programs: objects, libxensim (needs libvifd's xen_real_ops),
# libvifd. src/xen_env.c is compiled into each program (see its header).
VIFD_LDADD = tools/xensim/libxensim.a src/libvifd.a $(XEN_LIBS)
VIFD_ENV_SRC = src/xen_env.c

sbin_PROGRAMS += src/vifd
src_vifd_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/tools/xensim
src_vifd_SOURCES = src/main.c $(VIFD_ENV_SRC)
src_vifd_LDADD = $(VIFD_LDADD)

# Module fragments: each adds its sources to libvifd and its unit tests.
include src/tx.mk
include src/rx.mk
include src/ratelimit.mk
include src/backend.mk
