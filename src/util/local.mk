# What every layer with effects uses: the log, the epoll loop, and how a
# helper program is started.
src_libvifd_a_SOURCES += \
	src/util/log.c src/util/log.h \
	src/util/loop.c src/util/loop.h \
	src/util/spawn.c src/util/spawn.h
