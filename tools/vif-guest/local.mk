# vif-guest, the simulated Linux netfront (tests, demo, benchmarks), with
# its pure parts in a library of their own so the unit tests can link them.
noinst_LIBRARIES += tools/vif-guest/libvifguest.a
tools_vif_guest_libvifguest_a_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) \
	-I$(top_srcdir)/tools/xensim
tools_vif_guest_libvifguest_a_SOURCES = \
	tools/vif-guest/txplan.c tools/vif-guest/txplan.h \
	tools/vif-guest/rxasm.c tools/vif-guest/rxasm.h \
	tools/vif-guest/gframe.c tools/vif-guest/gframe.h \
	tools/vif-guest/gopts.c tools/vif-guest/gopts.h \
	tools/vif-guest/mclist.c tools/vif-guest/mclist.h

bin_PROGRAMS += tools/vif-guest/vif-guest
tools_vif_guest_vif_guest_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) \
	-I$(top_srcdir)/tools/xensim
tools_vif_guest_vif_guest_SOURCES = \
	tools/vif-guest/vif-guest.h \
	tools/vif-guest/main.c \
	tools/vif-guest/gbus.c \
	tools/vif-guest/gq.c \
	tools/vif-guest/galloc.c \
	tools/vif-guest/gtap.c \
	tools/vif-guest/evil.c \
	tools/vif-guest/grss.c \
	tools/vif-guest/evil_ctrl.c \
	tools/vif-guest/gxdp.c \
	$(VIFD_ENV_SRC)
tools_vif_guest_vif_guest_LDADD = tools/vif-guest/libvifguest.a $(VIFD_LDADD)
