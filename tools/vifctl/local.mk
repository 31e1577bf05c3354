# vifctl, the toolstack of vifd's own tests and of standalone use. The xl
# vif= spec parser it shares with vifd is src/core/vifspec*.
bin_PROGRAMS += tools/vifctl/vifctl
tools_vifctl_vifctl_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) $(XML_CFLAGS) \
	-I$(top_srcdir)/tools/xensim
tools_vifctl_vifctl_SOURCES = \
	tools/vifctl/vifctl.h \
	tools/vifctl/main.c \
	tools/vifctl/common.c \
	tools/vifctl/cmd_parse.c \
	tools/vifctl/cmd_attach.c \
	tools/vifctl/cmd_detach.c \
	tools/vifctl/cmd_list.c \
	tools/vifctl/cmd_rate.c \
	tools/vifctl/cmd_stats.c \
	tools/vifctl/cmd_top.c \
	tools/vifctl/cmd_port.c \
	tools/vifctl/cmd_libvirt_hook.c \
	tools/vifctl/lvplan.c tools/vifctl/lvplan.h \
	tools/vifctl/setkeys.c \
	tools/vifctl/ctlclient.c \
	tools/vifctl/statsdoc.c \
	tools/vifctl/statsdoc.h \
	tools/vifctl/statsdoc_json.c \
	tools/vifctl/statsdoc_prom.c \
	tools/vifctl/cmd_features.c \
	$(VIFD_ENV_SRC)
tools_vifctl_vifctl_LDADD = $(VIFD_LDADD) $(XML_LIBS)
