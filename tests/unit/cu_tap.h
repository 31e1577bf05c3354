/*
 * cu_tap.h - runs a CUnit suite list and reports it as TAP.
 *
 * Every unit test program ends with `return cu_tap_run(suites);`. Each
 * test case becomes one TAP line ("ok 3 - suite: name"), failed
 * assertions become diagnostics, and the automake TAP driver counts test
 * cases rather than programs.
 */
#ifndef VIFD_CU_TAP_H
#define VIFD_CU_TAP_H

#include <CUnit/CUnit.h>

/* Returns 0 if every test passed, 1 otherwise. */
int cu_tap_run(CU_SuiteInfo *suites);

#endif
