/*
 * cu_tap.c - CUnit's core runner, reporting in TAP.
 *
 * Owns nothing but the translation: CUnit runs the registered suites and
 * calls our completion handlers, which print one TAP line per test case
 * with the failed assertions (file:line: condition) as diagnostics.
 */
#include <stdio.h>
#include <stdlib.h>

#include <CUnit/CUnit.h>
#include <CUnit/TestRun.h>

#include "cu_tap.h"

static unsigned int cu_tap_n;
static unsigned int cu_tap_failed;

static void
cu_tap_test_done(const CU_pTest test, const CU_pSuite suite,
    const CU_pFailureRecord failure)
{
	CU_pFailureRecord f;

	cu_tap_n++;
	if (failure == NULL) {
		printf("ok %u - %s: %s\n", cu_tap_n, suite->pName, test->pName);
	} else {
		cu_tap_failed++;
		printf("not ok %u - %s: %s\n", cu_tap_n, suite->pName,
		    test->pName);
		for (f = failure; f != NULL; f = f->pNext)
			printf("# %s:%u: %s\n", f->strFileName ? f->strFileName :
			    "?", f->uiLineNumber, f->strCondition ?
			    f->strCondition : "?");
	}
	fflush(stdout);
}

static void
cu_tap_suite_init_failed(const CU_pSuite suite)
{
	cu_tap_n++;
	cu_tap_failed++;
	printf("not ok %u - %s: suite set-up failed\n", cu_tap_n, suite->pName);
	fflush(stdout);
}

int
cu_tap_run(CU_SuiteInfo *suites)
{
	/* A test that loses stdout buffering when it forks or crashes must
	 * not duplicate or lose lines. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (CU_initialize_registry() != CUE_SUCCESS) {
		printf("Bail out! cannot initialise CUnit\n");
		return 1;
	}
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		printf("Bail out! cannot register suites: %s\n",
		    CU_get_error_msg());
		CU_cleanup_registry();
		return 1;
	}
	CU_set_test_complete_handler(cu_tap_test_done);
	CU_set_suite_init_failure_handler(cu_tap_suite_init_failed);
	CU_run_all_tests();
	printf("1..%u\n", cu_tap_n);
	CU_cleanup_registry();
	return cu_tap_failed == 0 && cu_tap_n > 0 ? 0 : 1;
}
