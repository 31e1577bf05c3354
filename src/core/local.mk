# The pure cores: functions of their arguments only (no fd, no clock, no
# hypervisor), unit tested with in-memory rings and tables.
src_libvifd_a_SOURCES += \
	src/core/ring.h src/core/copy_seg.h src/core/netif_xdp.h \
	src/core/tx.c src/core/tx.h \
	src/core/mcast.c src/core/mcast.h \
	src/core/swfdb.c src/core/swfdb.h src/core/swfwd.c src/core/swfwd.h \
	src/core/swspec.c src/core/swspec.h \
	src/core/hash.c src/core/hash.h \
	src/core/ctrl.c src/core/ctrl.h \
	src/core/rx.c src/core/rx.h \
	src/core/rxstall.c src/core/rxstall.h \
	src/core/privpolicy.c src/core/privpolicy.h \
	src/core/hdr.c src/core/hdr.h \
	src/core/csum.c src/core/csum.h \
	src/core/gso_seg.c src/core/gso_seg.h \
	src/core/wireframe.c src/core/wireframe.h \
	src/core/vnet_hdr.c src/core/vnet_hdr.h \
	src/core/ratelimit.c src/core/ratelimit.h \
	src/core/shape.c src/core/shape.h \
	src/core/frontend.c src/core/frontend.h \
	src/core/featmask.c src/core/featmask.h \
	src/core/xenbus_fsm.c src/core/xenbus_fsm.h \
	src/core/xenbus_state.c src/core/xenbus_state.h \
	src/core/vifspec.c src/core/vifspec.h \
	src/core/vifspec_rate.c src/core/vifspec_nodes.c \
	src/core/vlanspec.c src/core/vlanspec.h \
	src/core/strparse.c src/core/strparse.h \
	src/core/ctl_cmd.c src/core/ctl_cmd.h
