# The control plane (vifd's control thread): the daemon's wiring, the
# backends carrying out their XenbusState machines, the hotplug script
# runner, the control socket; and vifd itself, the process around them.
src_libvifd_a_SOURCES += \
	src/ctrl/vifd.h \
	src/ctrl/daemon.c src/ctrl/daemon.h \
	src/ctrl/xswatch.c src/ctrl/xswatch.h \
	src/ctrl/xsutil.c src/ctrl/xsutil.h \
	src/ctrl/backend.c src/ctrl/backend.h src/ctrl/backend_int.h \
	src/ctrl/backend_xs.c src/ctrl/backend_hotplug.c \
	src/ctrl/backend_watch.c src/ctrl/backend_port.c \
	src/ctrl/ovsport.c src/ctrl/ovsport.h \
	src/ctrl/hotplug.h src/ctrl/hotplug_int.h \
	src/ctrl/hotplug_cmd.c src/ctrl/hotplug_run.c \
	src/ctrl/ctl.c src/ctrl/ctl.h \
	src/ctrl/netback.c src/ctrl/netback.h \
	src/ctrl/xldevd.c src/ctrl/xldevd.h \
	src/ctrl/privpart.c src/ctrl/privpart.h

sbin_PROGRAMS += src/vifd
src_vifd_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/tools/xensim $(SYSTEMD_CFLAGS)
# ready.c (sd_notify) is vifd's alone: only vifd links libsystemd.
src_vifd_SOURCES = src/ctrl/main.c src/ctrl/ready.c src/ctrl/ready.h \
	$(VIFD_ENV_SRC)
src_vifd_LDADD = $(VIFD_LDADD) $(SYSTEMD_LIBS)
