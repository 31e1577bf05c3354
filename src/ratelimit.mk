# Pure modules: the TX credit scheduler (xl rate=) and the frontend's
# xenstore key parsers, with their unit tests.
src_libvifd_a_SOURCES += \
	src/ratelimit.c src/ratelimit.h \
	src/frontend.c src/frontend.h

UNIT_TESTS += tests/unit/test_ratelimit tests/unit/test_frontend
check_PROGRAMS += tests/unit/test_ratelimit tests/unit/test_frontend

tests_unit_test_ratelimit_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ratelimit_SOURCES = tests/unit/test_ratelimit.c
tests_unit_test_ratelimit_LDADD = $(UNIT_LDADD)

tests_unit_test_frontend_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_frontend_SOURCES = tests/unit/test_frontend.c
tests_unit_test_frontend_LDADD = $(UNIT_LDADD)
