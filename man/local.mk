dist_man_MANS += man/vifd.8
