// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of ftl/resv.c: reservation actions with two and three hosts,
 * the generation counter, and the table of commands each reservation type
 * allows (NVMe Base Specification 2.0, 8.19).
 */
#include "unit.h"
#include "resv.h"

static struct resv r;
/* A and B by 64-bit Host Identifier; C a controller without one */
static struct resv_host A = { .id = { 0xa }, .cntlid = 1 };
static struct resv_host B = { .id = { 0xb }, .cntlid = 2 };
static struct resv_host C = { .cntlid = 3 };

static void setup(void)
{
	resv_init(&r);
}

static void test_register(void)
{
	struct resv_host a2 = A;

	setup();
	EXPECT_EQ_INT(resv_register(&r, &A, 0, false, 0, 1), RESV_OK);
	EXPECT_EQ_INT(r.gen, 1);
	/* the same host through another controller is registered */
	a2.cntlid = 7;
	EXPECT_EQ_INT(resv_find(&r, &a2), resv_find(&r, &A));
	EXPECT_EQ_INT(resv_register(&r, &a2, 0, false, 0, 1), RESV_OK);
	EXPECT_EQ_INT(resv_register(&r, &A, 0, false, 0, 2), RESV_CONFLICT);
	EXPECT_EQ_INT(r.gen, 2);
	EXPECT_EQ_INT(resv_register(&r, &A, 2, false, 5, 3), RESV_CONFLICT);
	EXPECT_EQ_INT(resv_register(&r, &A, 2, false, 1, 3), RESV_OK);
	EXPECT_EQ_INT(resv_register(&r, &A, 2, true, 99, 4), RESV_OK);
	EXPECT_EQ_U64(r.regs[resv_find(&r, &A)].rkey, 4);
	EXPECT_EQ_INT(resv_register(&r, &B, 1, false, 4, 0), RESV_CONFLICT);
	EXPECT_EQ_INT(resv_register(&r, &B, 2, true, 0, 4), RESV_CONFLICT);
	EXPECT_EQ_INT(resv_register(&r, &A, 3, false, 4, 0), RESV_INVALID);
	EXPECT_EQ_INT(resv_register(&r, &A, 1, false, 3, 0), RESV_CONFLICT);
	EXPECT_EQ_INT(resv_register(&r, &A, 1, false, 4, 0), RESV_OK);
	EXPECT_EQ_INT(r.nr, 0);
	EXPECT_EQ_INT(r.gen, 5);
	/* a controller without host id is its own host */
	EXPECT_EQ_INT(resv_register(&r, &C, 0, false, 0, 9), RESV_OK);
	a2 = C;
	a2.cntlid = 4;
	EXPECT_EQ_INT(resv_find(&r, &a2), -1);
}

static void test_full(void)
{
	struct resv_host h = { .cntlid = 0 };
	unsigned int i;

	setup();
	for (i = 0; i < RESV_MAX_REGS; i++) {
		h.cntlid = i + 1;
		EXPECT_EQ_INT(resv_register(&r, &h, 0, false, 0, i), RESV_OK);
	}
	h.cntlid = 100;
	EXPECT_EQ_INT(resv_register(&r, &h, 0, false, 0, 1), RESV_FULL);
}

static void test_acquire_release(void)
{
	setup();
	EXPECT_EQ_INT(resv_acquire(&r, &A, 0, RESV_WE, 1, 0), RESV_CONFLICT);
	resv_register(&r, &A, 0, false, 0, 1);
	resv_register(&r, &B, 0, false, 0, 2);
	EXPECT_EQ_INT(resv_acquire(&r, &A, 0, 0, 1, 0), RESV_INVALID);
	EXPECT_EQ_INT(resv_acquire(&r, &A, 0, 7, 1, 0), RESV_INVALID);
	EXPECT_EQ_INT(resv_acquire(&r, &A, 3, RESV_WE, 1, 0), RESV_INVALID);
	EXPECT_EQ_INT(resv_acquire(&r, &A, 0, RESV_WE, 2, 0), RESV_CONFLICT);
	EXPECT_EQ_INT(resv_acquire(&r, &A, 0, RESV_WE, 1, 0), RESV_OK);
	EXPECT_EQ_INT(r.gen, 2);	/* acquire does not count */
	EXPECT_EQ_INT(resv_acquire(&r, &A, 0, RESV_WE, 1, 0), RESV_OK);
	EXPECT_EQ_INT(resv_acquire(&r, &A, 0, RESV_EA, 1, 0), RESV_CONFLICT);
	EXPECT_EQ_INT(resv_acquire(&r, &B, 0, RESV_WE, 2, 0), RESV_CONFLICT);
	EXPECT_TRUE(resv_holds(&r, resv_find(&r, &A)));
	EXPECT_TRUE(!resv_holds(&r, resv_find(&r, &B)));
	/* release by a non-holder: nothing happens */
	EXPECT_EQ_INT(resv_release(&r, &B, 0, RESV_WE, 2), RESV_OK);
	EXPECT_EQ_INT(r.type, RESV_WE);
	EXPECT_EQ_INT(resv_release(&r, &A, 0, RESV_WE, 2), RESV_CONFLICT);
	EXPECT_EQ_INT(resv_release(&r, &A, 0, RESV_EA, 1), RESV_INVALID);
	EXPECT_EQ_INT(resv_release(&r, &A, 2, RESV_WE, 1), RESV_INVALID);
	EXPECT_EQ_INT(resv_release(&r, &A, 0, RESV_WE, 1), RESV_OK);
	EXPECT_EQ_INT(r.type, RESV_NONE);
	EXPECT_EQ_INT(r.nr, 2);
	EXPECT_EQ_INT(r.gen, 2);
	/* the holder unregisters: the reservation goes */
	resv_acquire(&r, &B, 0, RESV_EA, 2, 0);
	EXPECT_EQ_INT(resv_register(&r, &B, 1, false, 2, 0), RESV_OK);
	EXPECT_EQ_INT(r.type, RESV_NONE);
	/* clear: everything goes, generation counts */
	resv_acquire(&r, &A, 0, RESV_WE_AR, 1, 0);
	EXPECT_EQ_INT(resv_release(&r, &C, 1, 0, 1), RESV_CONFLICT);
	EXPECT_EQ_INT(resv_release(&r, &A, 1, 0, 1), RESV_OK);
	EXPECT_EQ_INT(r.type, RESV_NONE);
	EXPECT_EQ_INT(r.nr, 0);
	EXPECT_EQ_INT(r.gen, 4);
}

static void test_preempt(void)
{
	setup();
	resv_register(&r, &A, 0, false, 0, 1);
	resv_register(&r, &B, 0, false, 0, 2);
	resv_register(&r, &C, 0, false, 0, 3);
	/* nothing held: registrants with PRKEY go */
	EXPECT_EQ_INT(resv_acquire(&r, &A, 1, RESV_WE, 1, 9), RESV_CONFLICT);
	EXPECT_EQ_INT(resv_acquire(&r, &A, 1, RESV_WE, 1, 3), RESV_OK);
	EXPECT_EQ_INT(resv_find(&r, &C), -1);
	EXPECT_EQ_INT(r.type, RESV_NONE);
	EXPECT_EQ_INT(r.gen, 4);
	resv_register(&r, &C, 0, false, 0, 3);
	/* B holds; A preempts B: B unregistered, A holds the new type */
	resv_acquire(&r, &B, 0, RESV_WE, 2, 0);
	EXPECT_EQ_INT(resv_acquire(&r, &A, 2, RESV_EA, 1, 2), RESV_OK);
	EXPECT_EQ_INT(resv_find(&r, &B), -1);
	EXPECT_EQ_INT(r.type, RESV_EA);
	EXPECT_TRUE(resv_holds(&r, resv_find(&r, &A)));
	/* PRKEY of a non-holder: that registrant goes, the holder stays */
	EXPECT_EQ_INT(resv_acquire(&r, &C, 1, RESV_WE, 3, 0), RESV_INVALID);
	EXPECT_EQ_INT(resv_acquire(&r, &C, 1, RESV_WE, 3, 8), RESV_CONFLICT);
	resv_register(&r, &B, 0, false, 0, 2);
	EXPECT_EQ_INT(resv_acquire(&r, &C, 1, RESV_WE, 3, 2), RESV_OK);
	EXPECT_EQ_INT(resv_find(&r, &B), -1);
	EXPECT_EQ_INT(r.type, RESV_EA);
	/* the holder preempts itself: a new type, still registered */
	EXPECT_EQ_INT(resv_acquire(&r, &A, 1, RESV_WE_RO, 1, 1), RESV_OK);
	EXPECT_EQ_INT(r.type, RESV_WE_RO);
	EXPECT_TRUE(resv_find(&r, &A) >= 0);
	/* all registrants: PRKEY 0 takes it alone */
	resv_release(&r, &A, 0, RESV_WE_RO, 1);
	resv_acquire(&r, &A, 0, RESV_EA_AR, 1, 0);
	EXPECT_TRUE(resv_holds(&r, resv_find(&r, &C)));
	EXPECT_EQ_INT(resv_acquire(&r, &C, 1, RESV_WE, 3, 0), RESV_OK);
	EXPECT_EQ_INT(resv_find(&r, &A), -1);
	EXPECT_EQ_INT(r.type, RESV_WE);
	EXPECT_EQ_INT(r.nr, 1);
}

static void test_all_registrants(void)
{
	setup();
	resv_register(&r, &A, 0, false, 0, 1);
	resv_register(&r, &B, 0, false, 0, 2);
	resv_acquire(&r, &A, 0, RESV_WE_AR, 1, 0);
	EXPECT_TRUE(resv_holds(&r, resv_find(&r, &B)));
	/* any registrant releases it */
	EXPECT_EQ_INT(resv_release(&r, &B, 0, RESV_WE_AR, 2), RESV_OK);
	EXPECT_EQ_INT(r.type, RESV_NONE);
	resv_acquire(&r, &A, 0, RESV_EA_AR, 1, 0);
	resv_register(&r, &A, 1, false, 1, 0);
	EXPECT_EQ_INT(r.type, RESV_EA_AR);	/* B still registered */
	resv_register(&r, &B, 1, false, 2, 0);
	EXPECT_EQ_INT(r.type, RESV_NONE);
}

/* The specification's table: Y = allowed; read and write per standing. */
static void test_table(void)
{
	static const struct {
		unsigned int type;
		const char *nonreg, *reg;	/* read, write */
	} t[] = {
		{ RESV_WE, "YN", "YN" },
		{ RESV_EA, "NN", "NN" },
		{ RESV_WE_RO, "YN", "YY" },
		{ RESV_EA_RO, "NN", "YY" },
		{ RESV_WE_AR, "YN", "YY" },
		{ RESV_EA_AR, "NN", "YY" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		EXPECT_EQ_INT(resv_type_allows(t[i].type, false, false, false),
			      t[i].nonreg[0] == 'Y');
		EXPECT_EQ_INT(resv_type_allows(t[i].type, false, false, true),
			      t[i].nonreg[1] == 'Y');
		EXPECT_EQ_INT(resv_type_allows(t[i].type, true, false, false),
			      t[i].reg[0] == 'Y');
		EXPECT_EQ_INT(resv_type_allows(t[i].type, true, false, true),
			      t[i].reg[1] == 'Y');
		EXPECT_TRUE(resv_type_allows(t[i].type, true, true, true));
	}
	EXPECT_TRUE(resv_type_allows(RESV_NONE, false, false, true));
}

/* resv_allows() for hosts by their standing */
static void test_allows(void)
{
	setup();
	resv_register(&r, &A, 0, false, 0, 1);
	resv_register(&r, &B, 0, false, 0, 2);
	EXPECT_TRUE(resv_allows(&r, &C, true));	/* nothing held */
	resv_acquire(&r, &A, 0, RESV_WE, 1, 0);
	EXPECT_TRUE(resv_allows(&r, &A, true));
	EXPECT_TRUE(!resv_allows(&r, &B, true));
	EXPECT_TRUE(resv_allows(&r, &B, false));
	EXPECT_TRUE(resv_allows(&r, &C, false));
	resv_release(&r, &A, 0, RESV_WE, 1);
	resv_acquire(&r, &A, 0, RESV_EA_RO, 1, 0);
	EXPECT_TRUE(resv_allows(&r, &B, true));
	EXPECT_TRUE(!resv_allows(&r, &C, false));
	EXPECT_TRUE(!resv_allows(&r, &C, true));
}

static const struct unit_test tests[] = {
	UNIT_TEST(register),
	UNIT_TEST(full),
	UNIT_TEST(acquire_release),
	UNIT_TEST(preempt),
	UNIT_TEST(all_registrants),
	UNIT_TEST(table),
	UNIT_TEST(allows),
};

int main(int argc, char **argv)
{
	return unit_main("unit/resv/", tests, UNIT_ARRAY_SIZE(tests), argc, argv);
}
