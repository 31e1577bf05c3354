# The simulated Xen: libxensim.a (the seam over a simulated machine and the
# guest-side API), the xensim command, and the xenstored stand-in library.
noinst_LIBRARIES += tools/xensim/libxensim.a
tools_xensim_libxensim_a_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
# Where the machine finds the stand-in (after $XENSIM_PRELOAD and the
# running executable's directory): this build tree, then the install.
tools_xensim_libxensim_a_CPPFLAGS = $(AM_CPPFLAGS) \
	-DXENSIM_BUILD_SHIM='"$(abs_top_builddir)/tools/xensim/xensim-xsd.so"' \
	-DXENSIM_INSTALLED_SHIM='"$(pkglibexecdir)/xensim-xsd.so"'
tools_xensim_libxensim_a_SOURCES = \
	tools/xensim/xensim.h \
	tools/xensim/sim_int.h \
	tools/xensim/sim_priv.h \
	tools/xensim/sim_util.c \
	tools/xensim/sim_machine.c \
	tools/xensim/sim_evtchn.c \
	tools/xensim/sim_gnttab.c \
	tools/xensim/sim_guest.c \
	tools/xensim/sim_env.c

bin_PROGRAMS += tools/xensim/xensim
tools_xensim_xensim_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tools_xensim_xensim_SOURCES = tools/xensim/xensim.c
tools_xensim_xensim_LDADD = $(VIFD_LDADD)

# The stand-in for the hypervisor calls of xenstored, LD_PRELOADed into
# the (uninstrumented) C xenstored: a shared object built as a program,
# with per-target flags so that no sanitizer flag reaches it.
pkglibexec_PROGRAMS += tools/xensim/xensim-xsd.so
tools_xensim_xensim_xsd_so_CFLAGS = $(WARN_CFLAGS) -fPIC $(XENCTRL_CFLAGS)
tools_xensim_xensim_xsd_so_LDFLAGS = -shared
tools_xensim_xensim_xsd_so_LDADD = -ldl
tools_xensim_xensim_xsd_so_SOURCES = tools/xensim/xsd_shim.c \
	tools/xensim/sim_int.h
