# What every layer with effects uses: the log, the epoll loop, the data
# plane's seccomp sandbox, how a helper program is started, and the
# start-up deadline.
src_libvifd_a_SOURCES += \
	src/util/bpfobj.c src/util/bpfobj.h \
	src/util/log.c src/util/log.h \
	src/util/loop.c src/util/loop.h \
	src/util/sandbox.c src/util/sandbox.h \
	src/util/privsep.h src/util/privsep_client.c \
	src/util/privdrop.c src/util/privdrop.h \
	src/util/spawn.c src/util/spawn.h \
	src/util/watchdog.c src/util/watchdog.h
