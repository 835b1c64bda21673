/* SPDX-License-Identifier: Apache-2.0 */
/* Untrusted text quoted for a log line: bounded, printable, cut marked. */
#include <string.h>

#include "cmocka-all.h"
#include "common/quote.h"

/* Printable text short enough is copied as it is. */
static void test_short_text_is_kept(void **state)
{
	char buf[SMMU_QUOTE_SIZE];

	(void)state;
	smmu_quote("format=vtd", 10, buf, sizeof(buf));
	assert_string_equal(buf, "format=vtd");
}

/* Control bytes and bytes above ASCII become '?', so nothing can be
 * written into the log but what was meant. */
static void test_unprintable_bytes_are_replaced(void **state)
{
	char buf[SMMU_QUOTE_SIZE];

	(void)state;
	smmu_quote("a\nb\033c\xff", 6, buf, sizeof(buf));
	assert_string_equal(buf, "a?b?c?");
}

/* Text longer than SMMU_QUOTE_MAX is cut and says so; a smaller buffer
 * only truncates. */
static void test_long_text_is_cut(void **state)
{
	char text[200], buf[SMMU_QUOTE_SIZE], small[8];

	(void)state;
	memset(text, 'x', sizeof(text));
	smmu_quote(text, sizeof(text), buf, sizeof(buf));
	assert_int_equal(strlen(buf), SMMU_QUOTE_MAX + 3);
	assert_string_equal(buf + SMMU_QUOTE_MAX, "...");
	smmu_quote(text, sizeof(text), small, sizeof(small));
	assert_string_equal(small, "xxxxxxx");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_text_is_kept),
		cmocka_unit_test(test_unprintable_bytes_are_replaced),
		cmocka_unit_test(test_long_text_is_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
