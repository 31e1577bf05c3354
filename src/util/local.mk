# What every layer with effects uses: the log and the epoll loop.
src_libvifd_a_SOURCES += \
	src/util/log.c src/util/log.h \
	src/util/loop.c src/util/loop.h
