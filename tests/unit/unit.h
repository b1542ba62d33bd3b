/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * unit.h - minimal unit-test framework for the userspace builds of ftl/.
 *
 *	static void test_foo(void)
 *	{
 *		EXPECT_EQ_U64(1 + 1, 2);
 *	}
 *
 *	static const struct unit_test tests[] = { UNIT_TEST(foo), };
 *
 *	int main(int argc, char **argv)
 *	{
 *		return unit_main("unit/nvm/", tests, UNIT_ARRAY_SIZE(tests),
 *				 argc, argv);
 *	}
 *
 * A failed EXPECT_* records the first failure and returns from the test
 * function.  Each test prints exactly one line,
 *	@@RESULT PASS <prefix><name>
 *	@@RESULT FAIL <prefix><name>: <reason>
 * and the run ends with "<N> passed, <N> failed".  The exit status is 0
 * iff nothing failed.  Command-line arguments, if any, select tests by
 * name.
 */
#ifndef _NVMEV_UNIT_H
#define _NVMEV_UNIT_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

#define UNIT_TEST(n)		{ #n, test_##n }
#define UNIT_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static int unit_failed_flag;
static char unit_reason[512];

static void __attribute__((format(printf, 3, 4)))
unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (unit_failed_flag)
		return;
	unit_failed_flag = 1;
	n = snprintf(unit_reason, sizeof(unit_reason), "%s:%d: ", file, line);
	if (n < 0 || (size_t)n >= sizeof(unit_reason))
		return;
	va_start(ap, fmt);
	vsnprintf(unit_reason + n, sizeof(unit_reason) - n, fmt, ap);
	va_end(ap);
}

#define EXPECT_TRUE(cond)						\
	do {								\
		if (!(cond)) {						\
			unit_fail(__FILE__, __LINE__, "%s is false",	\
				  #cond);				\
			return;						\
		}							\
	} while (0)

#define EXPECT_EQ_U64(actual, expected)					\
	do {								\
		unsigned long long a_ = (actual);			\
		unsigned long long e_ = (expected);			\
		if (a_ != e_) {						\
			unit_fail(__FILE__, __LINE__,			\
				  "%s = %llu, expected %llu",		\
				  #actual, a_, e_);			\
			return;						\
		}							\
	} while (0)

#define EXPECT_EQ_INT(actual, expected)					\
	do {								\
		long long a_ = (actual);				\
		long long e_ = (expected);				\
		if (a_ != e_) {						\
			unit_fail(__FILE__, __LINE__,			\
				  "%s = %lld, expected %lld",		\
				  #actual, a_, e_);			\
			return;						\
		}							\
	} while (0)

#define FAIL(...)							\
	do {								\
		unit_fail(__FILE__, __LINE__, __VA_ARGS__);		\
		return;							\
	} while (0)

static int unit_selected(const char *name, int argc, char **argv)
{
	int i;

	if (argc < 2)
		return 1;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

static int unit_main(const char *prefix, const struct unit_test *tests,
		     size_t nr_tests, int argc, char **argv)
{
	unsigned int passed = 0, failed = 0;
	size_t i;

	for (i = 0; i < nr_tests; i++) {
		if (!unit_selected(tests[i].name, argc, argv))
			continue;
		unit_failed_flag = 0;
		unit_reason[0] = '\0';
		tests[i].fn();
		if (unit_failed_flag) {
			printf("@@RESULT FAIL %s%s: %s\n", prefix,
			       tests[i].name, unit_reason);
			failed++;
		} else {
			printf("@@RESULT PASS %s%s\n", prefix, tests[i].name);
			passed++;
		}
		fflush(stdout);
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

#endif /* _NVMEV_UNIT_H */
