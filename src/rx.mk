# Guest RX (TAP -> frontend) pure core and the header, checksum and
# virtio-net-header modules it shares with the TX side.
src_libvifd_a_SOURCES += \
	src/hdr.c src/hdr.h \
	src/csum.c src/csum.h \
	src/vnet_hdr.c src/vnet_hdr.h \
	src/rx.c src/rx.h

# Frame builders shared by the tests below.
RX_TEST_SRC = tests/unit/frames.c tests/unit/frames.h

UNIT_TESTS += tests/unit/test_hdr tests/unit/test_csum \
	tests/unit/test_vnet_hdr tests/unit/test_rx
check_PROGRAMS += tests/unit/test_hdr tests/unit/test_csum \
	tests/unit/test_vnet_hdr tests/unit/test_rx

tests_unit_test_hdr_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_hdr_SOURCES = tests/unit/test_hdr.c $(RX_TEST_SRC)
tests_unit_test_hdr_LDADD = $(UNIT_LDADD)

tests_unit_test_csum_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_csum_SOURCES = tests/unit/test_csum.c $(RX_TEST_SRC)
tests_unit_test_csum_LDADD = $(UNIT_LDADD)

tests_unit_test_vnet_hdr_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_vnet_hdr_SOURCES = tests/unit/test_vnet_hdr.c $(RX_TEST_SRC)
tests_unit_test_vnet_hdr_LDADD = $(UNIT_LDADD)

tests_unit_test_rx_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_rx_SOURCES = tests/unit/test_rx.c $(RX_TEST_SRC)
tests_unit_test_rx_LDADD = $(UNIT_LDADD)
