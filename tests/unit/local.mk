UNIT_TESTS += tests/unit/test_loop
check_PROGRAMS += tests/unit/test_loop
tests_unit_test_loop_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_loop_SOURCES = tests/unit/test_loop.c
tests_unit_test_loop_LDADD = $(UNIT_LDADD)

UNIT_TESTS += tests/unit/test_backend
check_PROGRAMS += tests/unit/test_backend
tests_unit_test_backend_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_backend_SOURCES = tests/unit/test_backend.c $(VIFD_ENV_SRC)
tests_unit_test_backend_LDADD = $(UNIT_LDADD)

UNIT_TESTS += tests/unit/test_tap
check_PROGRAMS += tests/unit/test_tap
tests_unit_test_tap_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_tap_SOURCES = tests/unit/test_tap.c
tests_unit_test_tap_LDADD = $(UNIT_LDADD)

UNIT_TESTS += tests/unit/test_strparse
check_PROGRAMS += tests/unit/test_strparse
tests_unit_test_strparse_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_strparse_SOURCES = tests/unit/test_strparse.c
tests_unit_test_strparse_LDADD = $(UNIT_LDADD)

UNIT_TESTS += tests/unit/test_queue
check_PROGRAMS += tests/unit/test_queue
tests_unit_test_queue_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_queue_SOURCES = tests/unit/test_queue.c
tests_unit_test_queue_LDADD = $(UNIT_LDADD)

UNIT_TESTS += tests/unit/test_xenbus_fsm
check_PROGRAMS += tests/unit/test_xenbus_fsm
tests_unit_test_xenbus_fsm_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_xenbus_fsm_SOURCES = tests/unit/test_xenbus_fsm.c
tests_unit_test_xenbus_fsm_LDADD = $(UNIT_LDADD)
