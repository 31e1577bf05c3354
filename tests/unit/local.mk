# Unit tests: one CUnit program per module, reporting TAP through
# tests/unit/cu_tap.c; they run plain and again under ASan+UBSan. Most
# need neither root nor Xen; test_backend and test_tap need root (a
# private network namespace), the xensim tests the sim's xenstored.
noinst_LIBRARIES += tests/unit/libcutap.a
tests_unit_libcutap_a_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_libcutap_a_SOURCES = tests/unit/cu_tap.c tests/unit/cu_tap.h

UNIT_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) $(XEN_CFLAGS) \
	-I$(top_srcdir)/tests/unit -I$(top_srcdir)/tools/xensim
UNIT_LDADD = tests/unit/libcutap.a $(VIFD_LDADD) $(CUNIT_LIBS)
# Frame builders shared by the tests of the header, checksum, vnet and
# RX modules and of vif-guest.
FRAMES_SRC = tests/unit/frames.c tests/unit/frames.h

# ---- the pure cores (src/core) ----------------------------------------------
UNIT_TESTS += tests/unit/test_tx tests/unit/test_mcast tests/unit/test_rx \
	tests/unit/test_hash tests/unit/test_ctrl \
	tests/unit/test_hdr \
	tests/unit/test_csum tests/unit/test_vnet_hdr tests/unit/test_ratelimit \
	tests/unit/test_shape \
	tests/unit/test_frontend tests/unit/test_xenbus_fsm \
	tests/unit/test_vifspec tests/unit/test_strparse \
	tests/unit/test_featmask tests/unit/test_ctl_cmd tests/unit/test_rxstall \
	tests/unit/test_privpolicy tests/unit/test_switch tests/unit/test_gso_seg \
	tests/unit/test_wireframe
check_PROGRAMS += tests/unit/test_tx tests/unit/test_mcast tests/unit/test_rx \
	tests/unit/test_hash tests/unit/test_ctrl \
	tests/unit/test_hdr \
	tests/unit/test_csum tests/unit/test_vnet_hdr tests/unit/test_ratelimit \
	tests/unit/test_shape \
	tests/unit/test_frontend tests/unit/test_xenbus_fsm \
	tests/unit/test_vifspec tests/unit/test_strparse \
	tests/unit/test_featmask tests/unit/test_ctl_cmd tests/unit/test_rxstall \
	tests/unit/test_privpolicy tests/unit/test_switch tests/unit/test_gso_seg \
	tests/unit/test_wireframe

tests_unit_test_switch_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_switch_SOURCES = tests/unit/test_switch.c
tests_unit_test_switch_LDADD = $(UNIT_LDADD)

tests_unit_test_privpolicy_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_privpolicy_SOURCES = tests/unit/test_privpolicy.c
tests_unit_test_privpolicy_LDADD = $(UNIT_LDADD)

tests_unit_test_tx_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_tx_SOURCES = tests/unit/test_tx.c
tests_unit_test_tx_LDADD = $(UNIT_LDADD)

tests_unit_test_mcast_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_mcast_SOURCES = tests/unit/test_mcast.c
tests_unit_test_mcast_LDADD = $(UNIT_LDADD)

tests_unit_test_hash_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_hash_SOURCES = tests/unit/test_hash.c
tests_unit_test_hash_LDADD = $(UNIT_LDADD)

tests_unit_test_ctrl_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ctrl_SOURCES = tests/unit/test_ctrl.c
tests_unit_test_ctrl_LDADD = $(UNIT_LDADD)

tests_unit_test_rx_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_rx_SOURCES = tests/unit/test_rx.c $(FRAMES_SRC)
tests_unit_test_rx_LDADD = $(UNIT_LDADD)

tests_unit_test_rxstall_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_rxstall_SOURCES = tests/unit/test_rxstall.c
tests_unit_test_rxstall_LDADD = $(UNIT_LDADD)

tests_unit_test_hdr_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_hdr_SOURCES = tests/unit/test_hdr.c $(FRAMES_SRC)
tests_unit_test_hdr_LDADD = $(UNIT_LDADD)

tests_unit_test_gso_seg_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_gso_seg_SOURCES = tests/unit/test_gso_seg.c $(FRAMES_SRC)
tests_unit_test_gso_seg_LDADD = $(UNIT_LDADD)

tests_unit_test_wireframe_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_wireframe_SOURCES = tests/unit/test_wireframe.c $(FRAMES_SRC)
tests_unit_test_wireframe_LDADD = $(UNIT_LDADD)

tests_unit_test_csum_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_csum_SOURCES = tests/unit/test_csum.c $(FRAMES_SRC)
tests_unit_test_csum_LDADD = $(UNIT_LDADD)

tests_unit_test_vnet_hdr_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_vnet_hdr_SOURCES = tests/unit/test_vnet_hdr.c $(FRAMES_SRC)
tests_unit_test_vnet_hdr_LDADD = $(UNIT_LDADD)

tests_unit_test_ratelimit_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ratelimit_SOURCES = tests/unit/test_ratelimit.c
tests_unit_test_ratelimit_LDADD = $(UNIT_LDADD)

tests_unit_test_shape_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_shape_SOURCES = tests/unit/test_shape.c
tests_unit_test_shape_LDADD = $(UNIT_LDADD)

tests_unit_test_frontend_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_frontend_SOURCES = tests/unit/test_frontend.c
tests_unit_test_frontend_LDADD = $(UNIT_LDADD)

tests_unit_test_featmask_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_featmask_SOURCES = tests/unit/test_featmask.c
tests_unit_test_featmask_LDADD = $(UNIT_LDADD)

tests_unit_test_xenbus_fsm_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_xenbus_fsm_SOURCES = tests/unit/test_xenbus_fsm.c
tests_unit_test_xenbus_fsm_LDADD = $(UNIT_LDADD)

# Where Xen's libxlutil is installed (Debian: libxen-dev) test_vifspec
# also checks our rate= parser against xlu_vif_parse_rate.
tests_unit_test_vifspec_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_vifspec_SOURCES = tests/unit/test_vifspec.c
tests_unit_test_vifspec_LDADD = $(UNIT_LDADD)
if HAVE_XLUTIL
tests_unit_test_vifspec_CFLAGS += -DHAVE_XLUTIL=1 $(XLUTIL_CFLAGS)
tests_unit_test_vifspec_LDADD += $(XLUTIL_LIBS)
endif

UNIT_TESTS += tests/unit/test_vlanspec
check_PROGRAMS += tests/unit/test_vlanspec
tests_unit_test_vlanspec_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_vlanspec_SOURCES = tests/unit/test_vlanspec.c
tests_unit_test_vlanspec_LDADD = $(UNIT_LDADD)

# vifctl's reading of vifd's stats answer (tools/vifctl/statsdoc*).
UNIT_TESTS += tests/unit/test_statsdoc
check_PROGRAMS += tests/unit/test_statsdoc
tests_unit_test_statsdoc_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/tools/vifctl
tests_unit_test_statsdoc_SOURCES = tests/unit/test_statsdoc.c \
	tools/vifctl/statsdoc.c tools/vifctl/statsdoc.h \
	tools/vifctl/statsdoc_json.c tools/vifctl/statsdoc_prom.c
tests_unit_test_statsdoc_LDADD = $(UNIT_LDADD)

tests_unit_test_strparse_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_strparse_SOURCES = tests/unit/test_strparse.c
tests_unit_test_strparse_LDADD = $(UNIT_LDADD)

tests_unit_test_ctl_cmd_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ctl_cmd_SOURCES = tests/unit/test_ctl_cmd.c
tests_unit_test_ctl_cmd_LDADD = $(UNIT_LDADD)

# ---- the data plane (src/data) ------------------------------------------------
UNIT_TESTS += tests/unit/test_queue tests/unit/test_tap \
	tests/unit/test_tap_steer tests/unit/test_sandbox \
	tests/unit/test_privdrop tests/unit/test_inbox tests/unit/test_tapio
check_PROGRAMS += tests/unit/test_queue tests/unit/test_tap \
	tests/unit/test_sandbox tests/unit/test_privdrop tests/unit/test_inbox \
	tests/unit/test_tapio

tests_unit_test_tapio_CFLAGS = $(UNIT_CFLAGS) $(URING_CFLAGS)
tests_unit_test_tapio_SOURCES = tests/unit/test_tapio.c
tests_unit_test_tapio_LDADD = $(UNIT_LDADD)

tests_unit_test_inbox_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_inbox_SOURCES = tests/unit/test_inbox.c
tests_unit_test_inbox_LDADD = $(UNIT_LDADD)

tests_unit_test_privdrop_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_privdrop_SOURCES = tests/unit/test_privdrop.c
tests_unit_test_privdrop_LDADD = $(UNIT_LDADD)

tests_unit_test_sandbox_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sandbox_SOURCES = tests/unit/test_sandbox.c
tests_unit_test_sandbox_LDADD = $(UNIT_LDADD)

tests_unit_test_queue_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_queue_SOURCES = tests/unit/test_queue.c
tests_unit_test_queue_LDADD = $(UNIT_LDADD)

tests_unit_test_tap_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_tap_SOURCES = tests/unit/test_tap.c
tests_unit_test_tap_LDADD = $(UNIT_LDADD)

# The kernel's TAP steering (BPF) against core/hash.c, frame by frame.
check_PROGRAMS += tests/unit/test_tap_steer
tests_unit_test_tap_steer_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_tap_steer_SOURCES = tests/unit/test_tap_steer.c $(FRAMES_SRC)
tests_unit_test_tap_steer_LDADD = $(UNIT_LDADD)

# ---- the control plane (src/ctrl) and the loop (src/util) ----------------------
UNIT_TESTS += tests/unit/test_backend tests/unit/test_hotplug \
	tests/unit/test_loop
check_PROGRAMS += tests/unit/test_backend tests/unit/test_hotplug \
	tests/unit/test_loop

tests_unit_test_backend_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_backend_SOURCES = tests/unit/test_backend.c $(VIFD_ENV_SRC)
tests_unit_test_backend_LDADD = $(UNIT_LDADD)

tests_unit_test_hotplug_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_hotplug_SOURCES = tests/unit/test_hotplug.c
tests_unit_test_hotplug_LDADD = $(UNIT_LDADD)

tests_unit_test_loop_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_loop_SOURCES = tests/unit/test_loop.c
tests_unit_test_loop_LDADD = $(UNIT_LDADD)

# ---- the simulated Xen (tools/xensim) -------------------------------------------
# (These need xen-utils' xenstored, test_backend and test_tap root: the
# Debian package's build runs every other unit test, `make check-noroot`.)
UNIT_TESTS_PRIV = tests/unit/test_backend tests/unit/test_tap \
	tests/unit/test_xensim_gnttab tests/unit/test_xensim_evtchn \
	tests/unit/test_xensim_xs
# Grant tables, event channels, xenstore and the machine, each on a machine
# of its own in a fresh temporary directory.
XENSIM_TEST_CPPFLAGS = $(AM_CPPFLAGS) \
	-DXENSIM_TEST_BIN='"$(abs_top_builddir)/tools/xensim/xensim"'
UNIT_TESTS += tests/unit/test_xensim_gnttab tests/unit/test_xensim_evtchn \
	tests/unit/test_xensim_xs
check_PROGRAMS += tests/unit/test_xensim_gnttab tests/unit/test_xensim_evtchn \
	tests/unit/test_xensim_xs

tests_unit_test_xensim_gnttab_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_xensim_gnttab_CPPFLAGS = $(XENSIM_TEST_CPPFLAGS)
tests_unit_test_xensim_gnttab_SOURCES = tests/unit/test_xensim_gnttab.c \
	tests/unit/test_xensim_fix.h $(VIFD_ENV_SRC)
tests_unit_test_xensim_gnttab_LDADD = $(UNIT_LDADD)

tests_unit_test_xensim_evtchn_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_xensim_evtchn_CPPFLAGS = $(XENSIM_TEST_CPPFLAGS)
tests_unit_test_xensim_evtchn_SOURCES = tests/unit/test_xensim_evtchn.c \
	tests/unit/test_xensim_fix.h $(VIFD_ENV_SRC)
tests_unit_test_xensim_evtchn_LDADD = $(UNIT_LDADD)

tests_unit_test_xensim_xs_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_xensim_xs_CPPFLAGS = $(XENSIM_TEST_CPPFLAGS)
tests_unit_test_xensim_xs_SOURCES = tests/unit/test_xensim_xs.c \
	tests/unit/test_xensim_fix.h $(VIFD_ENV_SRC)
tests_unit_test_xensim_xs_LDADD = $(UNIT_LDADD)

# ---- vif-guest and the benchmark's pure parts (tools/) -------------------------
# TX slot layout, RX response walk, frame builder and command line.
VIF_GUEST_TEST_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/tools/vif-guest
VIF_GUEST_TEST_LDADD = tools/vif-guest/libvifguest.a $(UNIT_LDADD)
UNIT_TESTS += tests/unit/test_vif_guest_txplan \
	tests/unit/test_vif_guest_rxasm tests/unit/test_vif_guest_misc \
	tests/unit/test_bench_frame
check_PROGRAMS += tests/unit/test_vif_guest_txplan \
	tests/unit/test_vif_guest_rxasm tests/unit/test_vif_guest_misc \
	tests/unit/test_bench_frame

tests_unit_test_vif_guest_txplan_CFLAGS = $(VIF_GUEST_TEST_CFLAGS)
tests_unit_test_vif_guest_txplan_SOURCES = \
	tests/unit/test_vif_guest_txplan.c $(FRAMES_SRC)
tests_unit_test_vif_guest_txplan_LDADD = $(VIF_GUEST_TEST_LDADD)

tests_unit_test_vif_guest_rxasm_CFLAGS = $(VIF_GUEST_TEST_CFLAGS)
tests_unit_test_vif_guest_rxasm_SOURCES = tests/unit/test_vif_guest_rxasm.c
tests_unit_test_vif_guest_rxasm_LDADD = $(VIF_GUEST_TEST_LDADD)

tests_unit_test_vif_guest_misc_CFLAGS = $(VIF_GUEST_TEST_CFLAGS)
tests_unit_test_vif_guest_misc_SOURCES = tests/unit/test_vif_guest_misc.c \
	$(FRAMES_SRC)
tests_unit_test_vif_guest_misc_LDADD = $(VIF_GUEST_TEST_LDADD)

tests_unit_test_bench_frame_CFLAGS = $(VIF_GUEST_TEST_CFLAGS) \
	-I$(top_srcdir)/tools/bench
tests_unit_test_bench_frame_SOURCES = tests/unit/test_bench_frame.c \
	tools/bench/bframe.c tools/bench/bench.h
tests_unit_test_bench_frame_LDADD = $(VIF_GUEST_TEST_LDADD)
