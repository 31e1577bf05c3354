# The data plane's shell: the queue workers around the cores, the vif
# that owns a device's queues, and the TAP.
src_libvifd_a_SOURCES += \
	src/data/queue.c src/data/queue.h src/data/queue_int.h \
	src/data/queue_stats.h \
	src/data/queue_tx.c src/data/queue_rx.c src/data/queue_open.c \
	src/data/queue_direct.c src/data/queue_direct.h \
	src/data/queue_limit.c src/data/shaper.c src/data/shaper.h \
	src/data/vif.c src/data/vif.h \
	src/data/vif_mcast.c src/data/vif_mcast.h \
	src/data/vif_rss.c src/data/vif_rss.h \
	src/data/inbox.c src/data/inbox.h \
	src/data/vswitch.c src/data/vswitch.h \
	src/data/vswitch_uplink.c src/data/vswitch_uplink.h \
	src/data/vswitch_xsk.c src/data/vswitch_xsk.h \
	src/data/xsk_prog.c src/data/xsk_prog.h \
	src/data/tap_steer.c src/data/tap_steer.h \
	src/data/ctrlring.c src/data/ctrlring.h \
	src/data/tap_linux.c src/data/tap.h \
	src/data/tapio.c src/data/tapio.h \
	src/data/brport.c src/data/brport.h
