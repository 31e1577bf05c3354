# Guest TX pure core (ring slots -> packets -> grant-copy segments ->
# responses) and its unit tests.
src_libvifd_a_SOURCES += src/tx.c src/tx.h

UNIT_TESTS += tests/unit/test_tx
check_PROGRAMS += tests/unit/test_tx
tests_unit_test_tx_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_tx_SOURCES = tests/unit/test_tx.c
tests_unit_test_tx_LDADD = $(UNIT_LDADD)
