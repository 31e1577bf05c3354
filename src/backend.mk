# The control plane and the data-plane shell (the lead's files).
src_libvifd_a_SOURCES += \
	src/vifd.h src/ring.h src/copy_seg.h \
	src/xsutil.c src/xsutil.h \
	src/backend.c src/backend.h src/backend_int.h \
	src/backend_xs.c src/backend_hotplug.c src/backend_watch.c \
	src/xenbus_fsm.c src/xenbus_fsm.h \
	src/tap_linux.c src/tap.h \
	src/vif.c src/vif.h \
	src/queue.c src/queue.h src/queue_int.h src/queue_stats.h \
	src/queue_tx.c src/queue_rx.c src/queue_open.c \
	src/ctl.c src/ctl.h \
	src/daemon.c src/daemon.h
