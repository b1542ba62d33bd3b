// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_zns.c - tests for the zone state machine of ftl/zns.c: every rule
 * of zns.h with exact expectations, and a randomized comparison against an
 * independent reference model written here.
 *
 * Unless a test says otherwise the namespace is Z8: 8 zones of 8 LBAs
 * (zone i = LBAs 8i .. 8i+7), capacity 8, no open/active limit, no ZASL.
 */
#include "zns.h"
#include "unit.h"

#define KIB	1024ULL
#define MIB	(1024ULL * KIB)
#define GIB	(1024ULL * MIB)

#define INIT(z, nr, zsze, zcap, mo, ma, zasl)				\
	do {								\
		struct zns_params p_ = { (nr), (zsze), (zcap), (mo),	\
					 (ma), (zasl) };		\
		if (zns_init(&(z), &p_))				\
			FAIL("zns_init failed");			\
	} while (0)

#define Z8(z)	INIT(z, 64, 8, 8, 0, 0, 0)

static u8 st(const struct zns *z, u32 i)
{
	return z->zones[i].state;
}

static u64 wp(const struct zns *z, u32 i)
{
	return z->zones[i].wp;
}

static enum zns_status act(struct zns *z, u32 a, u64 zslba)
{
	return zns_mgmt_send(z, a, zslba, false, NULL, NULL);
}

static enum zns_status wr(struct zns *z, u64 slba, u64 nlb)
{
	u32 zone;

	return zns_write(z, slba, nlb, &zone);
}

/* Ranges handed to the caller by Finish and Reset. */
struct ranges {
	u32 n;
	u64 slba[16];
	u64 nlb[16];
};

static void rec(void *arg, u64 slba, u64 nlb)
{
	struct ranges *r = arg;

	if (r->n < 16) {
		r->slba[r->n] = slba;
		r->nlb[r->n] = nlb;
	}
	r->n++;
}

/*
 * Put zone i of a limit-free namespace into @state.  Written amounts make
 * the write pointers distinct: ZSIO wp = ZSLBA + 1, ZSEO + 2, ZSC + 3,
 * ZSRO + 1 (before it became read only).  Returns 0 on success.
 */
static int make_state(struct zns *z, u32 i, u8 state)
{
	u64 s = (u64)i * z->p.zone_size;

	switch (state) {
	case ZNS_ZSE:
		return 0;
	case ZNS_ZSIO:
		return wr(z, s, 1);
	case ZNS_ZSEO:
		return act(z, ZNS_ACT_OPEN, s) || wr(z, s, 2);
	case ZNS_ZSC:
		return wr(z, s, 3) || act(z, ZNS_ACT_CLOSE, s);
	case ZNS_ZSF:
		return act(z, ZNS_ACT_FINISH, s);
	case ZNS_ZSRO:
		return wr(z, s, 1) || zns_set_read_only(z, i);
	default:
		return zns_set_offline(z, i);
	}
}

static const u8 all_states[] = {
	ZNS_ZSE, ZNS_ZSIO, ZNS_ZSEO, ZNS_ZSC, ZNS_ZSF, ZNS_ZSRO, ZNS_ZSO,
};

static const u32 all_actions[] = {
	ZNS_ACT_OPEN, ZNS_ACT_CLOSE, ZNS_ACT_FINISH, ZNS_ACT_RESET,
	ZNS_ACT_OFFLINE,
};

/* The per-zone counters derived from the states, for cross-checks. */
static void count_states(const struct zns *z, u32 *open, u32 *active)
{
	u32 i;

	*open = 0;
	*active = 0;
	for (i = 0; i < z->nr_zones; i++) {
		u8 s = st(z, i);

		if (s == ZNS_ZSIO || s == ZNS_ZSEO)
			(*open)++;
		if (s == ZNS_ZSIO || s == ZNS_ZSEO || s == ZNS_ZSC)
			(*active)++;
	}
}

/* ---- parameters ---- */

static void check_default(u64 bytes, u32 shift, u64 zsze, u32 nz, u32 mo,
			  u64 tail)
{
	struct zns_params p;
	struct zns z;

	zns_params_default(&p, bytes >> shift, shift);
	EXPECT_EQ_U64(p.nr_lbas, bytes >> shift);
	EXPECT_EQ_U64(p.zone_size, zsze);
	EXPECT_EQ_U64(p.zone_cap, zsze);
	EXPECT_EQ_U64(p.max_open, mo);
	EXPECT_EQ_U64(p.max_active, mo);
	EXPECT_EQ_U64(p.zasl, 0);
	EXPECT_TRUE(zns_check_params(&p) == NULL);
	EXPECT_EQ_INT(zns_init(&z, &p), 0);
	EXPECT_EQ_U64(zns_nr_zones(&z), nz);
	EXPECT_EQ_U64(zns_tail_lbas(&z), tail);
	EXPECT_EQ_U64(zns_nsze(&z), (u64)nz * zsze);
	EXPECT_EQ_U64(zns_mor(&z), mo - 1);
	EXPECT_EQ_U64(zns_mar(&z), mo - 1);
	zns_exit(&z);
}

static void test_default_params(void)
{
	/* 64 MiB: 16 zones of 4 MiB */
	check_default(64 * MIB, 9, 8192, 16, 14, 0);
	if (unit_failed_flag)
		return;
	check_default(64 * MIB, 12, 1024, 16, 14, 0);
	if (unit_failed_flag)
		return;
	/* 1 GiB: 16 zones of 64 MiB */
	check_default(GIB, 9, 131072, 16, 14, 0);
	if (unit_failed_flag)
		return;
	check_default(GIB, 12, 16384, 16, 14, 0);
	if (unit_failed_flag)
		return;
	/* 16 GiB: 256 zones of 64 MiB */
	check_default(16 * GIB, 9, 131072, 256, 14, 0);
	if (unit_failed_flag)
		return;
	check_default(16 * GIB, 12, 16384, 256, 14, 0);
	if (unit_failed_flag)
		return;
	/* 1 GiB + 4 KiB: still 64 MiB zones, the 4 KiB are the tail */
	check_default(GIB + 4 * KIB, 9, 131072, 16, 14, 8);
	if (unit_failed_flag)
		return;
	/* 100 MiB: 6.25 MiB -> 4 MiB zones, 25 zones */
	check_default(100 * MIB, 12, 1024, 25, 14, 0);
	if (unit_failed_flag)
		return;
	/* 8 x 512 B: 1-LBA zones, 8 zones, limits 7 */
	check_default(4 * KIB, 9, 1, 8, 7, 0);
	if (unit_failed_flag)
		return;
	/* one LBA: one zone, limits 1 */
	check_default(512, 9, 1, 1, 1, 0);
	if (unit_failed_flag)
		return;
	/* 2 LBAs: 2 zones, limits 1 */
	check_default(8 * KIB, 12, 1, 2, 1, 0);
}

static void test_invalid_params(void)
{
	static const struct {
		struct zns_params p;
		const char *field;
	} bad[] = {
		{ { 64, 0, 8, 0, 0, 0 }, "zone_size:" },
		{ { 64, 12, 8, 0, 0, 0 }, "zone_size:" },
		{ { 4, 8, 8, 0, 0, 0 }, "nr_lbas:" },
		{ { 0, 1, 1, 0, 0, 0 }, "nr_lbas:" },
		{ { (u64)ZNS_MAX_ZONES + 1, 1, 1, 0, 0, 0 }, "nr_lbas / zone_size:" },
		{ { 64, 8, 0, 0, 0, 0 }, "zone_cap:" },
		{ { 64, 8, 9, 0, 0, 0 }, "zone_cap:" },
		{ { 64, 8, 8, 9, 0, 0 }, "max_open:" },
		{ { 64, 8, 8, 8, 9, 0 }, "max_active:" },
		{ { 64, 8, 8, 0, 4, 0 }, "max_open:" },
		{ { 64, 8, 8, 5, 4, 0 }, "max_open:" },
		{ { 1ULL << 33, 1ULL << 33, 1ULL << 32, 0, 0, 0 }, "zone_cap:" },
	};
	static const struct zns_params good[] = {
		{ 64, 8, 8, 0, 0, 0 },
		{ 67, 8, 1, 8, 8, 0 },
		{ 64, 8, 8, 3, 0, 7 },
		{ 64, 8, 8, 3, 5, 7 },
		{ ZNS_MAX_ZONES, 1, 1, 0, 0, 0 },
		{ 1ULL << 63, 1ULL << 63, U32_MAX, 1, 1, 0 },
	};
	struct zns z;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(bad); i++) {
		const char *why = zns_check_params(&bad[i].p);

		if (!why)
			FAIL("bad[%zu] accepted", i);
		if (strncmp(why, bad[i].field, strlen(bad[i].field)))
			FAIL("bad[%zu]: \"%s\" does not name %s", i, why,
			     bad[i].field);
		EXPECT_EQ_INT(zns_init(&z, &bad[i].p), -EINVAL);
		EXPECT_TRUE(z.zones == NULL);
		zns_exit(&z);
	}
	for (i = 0; i < UNIT_ARRAY_SIZE(good); i++) {
		const char *why = zns_check_params(&good[i]);

		if (why)
			FAIL("good[%zu] refused: %s", i, why);
	}
}

static void test_geometry_tail_and_limits(void)
{
	struct zns z;

	/* 10 zones of 8 and a tail of 5 LBAs */
	INIT(z, 85, 8, 6, 3, 4, 0);
	EXPECT_EQ_U64(zns_nr_zones(&z), 10);
	EXPECT_EQ_U64(zns_nsze(&z), 80);
	EXPECT_EQ_U64(zns_tail_lbas(&z), 5);
	EXPECT_EQ_U64(zns_mor(&z), 2);
	EXPECT_EQ_U64(zns_mar(&z), 3);
	EXPECT_EQ_INT(wr(&z, 80, 1), ZNS_LBA_OUT_OF_RANGE);
	EXPECT_EQ_INT(zns_read_check(&z, 79, 2), ZNS_LBA_OUT_OF_RANGE);
	EXPECT_EQ_INT(zns_read_check(&z, 79, 1), ZNS_OK);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 80), ZNS_LBA_OUT_OF_RANGE);
	EXPECT_EQ_U64(sizeof(struct zns_zone), 16);
	zns_exit(&z);
	zns_exit(&z);

	INIT(z, 64, 8, 8, 0, 0, 0);
	EXPECT_EQ_U64(zns_mor(&z), 0xFFFFFFFFULL);
	EXPECT_EQ_U64(zns_mar(&z), 0xFFFFFFFFULL);
	EXPECT_EQ_U64(zns_tail_lbas(&z), 0);
	EXPECT_TRUE(z.open_fifo == NULL);
	zns_exit(&z);

	/* open limit without an active limit */
	INIT(z, 64, 8, 8, 2, 0, 0);
	EXPECT_EQ_U64(zns_mor(&z), 1);
	EXPECT_EQ_U64(zns_mar(&z), 0xFFFFFFFFULL);
	zns_exit(&z);
}

static void test_initial_state(void)
{
	struct zns_desc d;
	struct zns z;
	u32 i;

	Z8(z);
	for (i = 0; i < 8; i++) {
		zns_zone_desc(&z, i, &d);
		EXPECT_EQ_U64(d.type, 2);
		EXPECT_EQ_U64(d.state, ZNS_ZSE);
		EXPECT_EQ_U64(d.attrs, 0);
		EXPECT_EQ_U64(d.cap, 8);
		EXPECT_EQ_U64(d.zslba, 8 * i);
		EXPECT_EQ_U64(d.wp, 8 * i);
	}
	EXPECT_EQ_U64(zns_nr_open(&z), 0);
	EXPECT_EQ_U64(zns_nr_active(&z), 0);
	zns_exit(&z);
}

/* ---- the state machine, table driven ---- */

/* Expected result of a single-zone action on zone 1 of Z8. */
struct trans {
	u8 from;
	u32 action;
	enum zns_status status;
	u8 to;
};

#define X	ZNS_INVALID_TRANSITION

static const struct trans trans_table[] = {
	{ ZNS_ZSE,  ZNS_ACT_OPEN,    ZNS_OK, ZNS_ZSEO },
	{ ZNS_ZSIO, ZNS_ACT_OPEN,    ZNS_OK, ZNS_ZSEO },
	{ ZNS_ZSEO, ZNS_ACT_OPEN,    ZNS_OK, ZNS_ZSEO },
	{ ZNS_ZSC,  ZNS_ACT_OPEN,    ZNS_OK, ZNS_ZSEO },
	{ ZNS_ZSF,  ZNS_ACT_OPEN,    X,      ZNS_ZSF },
	{ ZNS_ZSRO, ZNS_ACT_OPEN,    X,      ZNS_ZSRO },
	{ ZNS_ZSO,  ZNS_ACT_OPEN,    X,      ZNS_ZSO },

	{ ZNS_ZSE,  ZNS_ACT_CLOSE,   X,      ZNS_ZSE },
	{ ZNS_ZSIO, ZNS_ACT_CLOSE,   ZNS_OK, ZNS_ZSC },
	{ ZNS_ZSEO, ZNS_ACT_CLOSE,   ZNS_OK, ZNS_ZSC },
	{ ZNS_ZSC,  ZNS_ACT_CLOSE,   ZNS_OK, ZNS_ZSC },
	{ ZNS_ZSF,  ZNS_ACT_CLOSE,   X,      ZNS_ZSF },
	{ ZNS_ZSRO, ZNS_ACT_CLOSE,   X,      ZNS_ZSRO },
	{ ZNS_ZSO,  ZNS_ACT_CLOSE,   X,      ZNS_ZSO },

	{ ZNS_ZSE,  ZNS_ACT_FINISH,  ZNS_OK, ZNS_ZSF },
	{ ZNS_ZSIO, ZNS_ACT_FINISH,  ZNS_OK, ZNS_ZSF },
	{ ZNS_ZSEO, ZNS_ACT_FINISH,  ZNS_OK, ZNS_ZSF },
	{ ZNS_ZSC,  ZNS_ACT_FINISH,  ZNS_OK, ZNS_ZSF },
	{ ZNS_ZSF,  ZNS_ACT_FINISH,  ZNS_OK, ZNS_ZSF },
	{ ZNS_ZSRO, ZNS_ACT_FINISH,  X,      ZNS_ZSRO },
	{ ZNS_ZSO,  ZNS_ACT_FINISH,  X,      ZNS_ZSO },

	{ ZNS_ZSE,  ZNS_ACT_RESET,   ZNS_OK, ZNS_ZSE },
	{ ZNS_ZSIO, ZNS_ACT_RESET,   ZNS_OK, ZNS_ZSE },
	{ ZNS_ZSEO, ZNS_ACT_RESET,   ZNS_OK, ZNS_ZSE },
	{ ZNS_ZSC,  ZNS_ACT_RESET,   ZNS_OK, ZNS_ZSE },
	{ ZNS_ZSF,  ZNS_ACT_RESET,   ZNS_OK, ZNS_ZSE },
	{ ZNS_ZSRO, ZNS_ACT_RESET,   X,      ZNS_ZSRO },
	{ ZNS_ZSO,  ZNS_ACT_RESET,   X,      ZNS_ZSO },

	{ ZNS_ZSE,  ZNS_ACT_OFFLINE, X,      ZNS_ZSE },
	{ ZNS_ZSIO, ZNS_ACT_OFFLINE, X,      ZNS_ZSIO },
	{ ZNS_ZSEO, ZNS_ACT_OFFLINE, X,      ZNS_ZSEO },
	{ ZNS_ZSC,  ZNS_ACT_OFFLINE, X,      ZNS_ZSC },
	{ ZNS_ZSF,  ZNS_ACT_OFFLINE, X,      ZNS_ZSF },
	{ ZNS_ZSRO, ZNS_ACT_OFFLINE, ZNS_OK, ZNS_ZSO },
	{ ZNS_ZSO,  ZNS_ACT_OFFLINE, ZNS_OK, ZNS_ZSO },
};

#undef X

/* Write pointer offset make_state() leaves in a zone of state @s. */
static u64 made_wp(u8 s);

/* An LBA offset inside the zone at which a write is "at the wp". */
static u64 at_wp(u8 s)
{
	return made_wp(s) < 8 ? made_wp(s) : 7;
}

static u64 made_wp(u8 s)
{
	switch (s) {
	case ZNS_ZSIO:
	case ZNS_ZSRO:
		return 1;
	case ZNS_ZSEO:
		return 2;
	case ZNS_ZSC:
		return 3;
	case ZNS_ZSF:
		return 8;
	default:
		return 0;
	}
}

static void test_transition_table(void)
{
	size_t i, j;

	/* the table covers every (state, action) pair exactly once */
	EXPECT_EQ_U64(UNIT_ARRAY_SIZE(trans_table),
		      UNIT_ARRAY_SIZE(all_states) *
		      UNIT_ARRAY_SIZE(all_actions));
	for (i = 0; i < UNIT_ARRAY_SIZE(all_states); i++)
		for (j = 0; j < UNIT_ARRAY_SIZE(all_actions); j++) {
			size_t k, n = 0;

			for (k = 0; k < UNIT_ARRAY_SIZE(trans_table); k++)
				n += trans_table[k].from == all_states[i] &&
				     trans_table[k].action == all_actions[j];
			EXPECT_EQ_U64(n, 1);
		}

	for (i = 0; i < UNIT_ARRAY_SIZE(trans_table); i++) {
		const struct trans *t = &trans_table[i];
		struct ranges r = { 0 };
		u64 w0 = made_wp(t->from), w1;
		u32 open, active;
		struct zns z;

		Z8(z);
		if (make_state(&z, 1, t->from))
			FAIL("row %zu: cannot reach state %u", i, t->from);
		EXPECT_EQ_U64(st(&z, 1), t->from);
		EXPECT_EQ_U64(wp(&z, 1), 8 + w0);
		EXPECT_EQ_INT(zns_mgmt_send(&z, t->action, 8, false, rec, &r),
			      t->status);
		if (st(&z, 1) != t->to)
			FAIL("row %zu: state %u -> %u, expected %u", i,
			     t->from, st(&z, 1), t->to);
		/* write pointer: ZSF -> capacity, ZSE -> start, else kept */
		w1 = t->to == ZNS_ZSF ? 8 : t->to == ZNS_ZSE ? 0 : w0;
		if (t->status)
			w1 = w0;
		EXPECT_EQ_U64(wp(&z, 1), 8 + w1);
		/* ranges: finish zeroes [wp, cap), reset [start, wp) */
		if (t->status == ZNS_OK && t->action == ZNS_ACT_FINISH &&
		    w0 < 8) {
			EXPECT_EQ_U64(r.n, 1);
			EXPECT_EQ_U64(r.slba[0], 8 + w0);
			EXPECT_EQ_U64(r.nlb[0], 8 - w0);
		} else if (t->status == ZNS_OK && t->action == ZNS_ACT_RESET &&
			   w0 > 0) {
			EXPECT_EQ_U64(r.n, 1);
			EXPECT_EQ_U64(r.slba[0], 8);
			EXPECT_EQ_U64(r.nlb[0], w0);
		} else {
			EXPECT_EQ_U64(r.n, 0);
		}
		count_states(&z, &open, &active);
		EXPECT_EQ_U64(zns_nr_open(&z), open);
		EXPECT_EQ_U64(zns_nr_active(&z), active);
		/* no other zone changed */
		for (j = 0; j < 8; j++) {
			if (j == 1)
				continue;
			EXPECT_EQ_U64(st(&z, j), ZNS_ZSE);
			EXPECT_EQ_U64(wp(&z, j), 8 * j);
		}
		zns_exit(&z);
	}
}

/* Writes and appends per state: which states accept data. */
static void test_write_per_state(void)
{
	static const struct {
		u8 from;
		enum zns_status status;
		u8 to;
	} t[] = {
		{ ZNS_ZSE,  ZNS_OK,             ZNS_ZSIO },
		{ ZNS_ZSIO, ZNS_OK,             ZNS_ZSIO },
		{ ZNS_ZSEO, ZNS_OK,             ZNS_ZSEO },
		{ ZNS_ZSC,  ZNS_OK,             ZNS_ZSIO },
		{ ZNS_ZSF,  ZNS_ZONE_FULL,      ZNS_ZSF },
		{ ZNS_ZSRO, ZNS_ZONE_READ_ONLY, ZNS_ZSRO },
		{ ZNS_ZSO,  ZNS_ZONE_OFFLINE,   ZNS_ZSO },
	};
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(t); i++) {
		u64 w0 = made_wp(t[i].from), lba = 0;
		struct zns z, y;
		u32 zone = 99;

		Z8(z);
		Z8(y);
		EXPECT_EQ_INT(make_state(&z, 2, t[i].from), 0);
		EXPECT_EQ_INT(make_state(&y, 2, t[i].from), 0);
		EXPECT_EQ_INT(zns_write(&z, 16 + at_wp(t[i].from), 1, &zone),
			      t[i].status);
		EXPECT_EQ_U64(st(&z, 2), t[i].to);
		EXPECT_EQ_INT(zns_append(&y, 16, 1, &lba), t[i].status);
		EXPECT_EQ_U64(st(&y, 2), t[i].to);
		if (t[i].status == ZNS_OK) {
			EXPECT_EQ_U64(zone, 2);
			EXPECT_EQ_U64(wp(&z, 2), 16 + w0 + 1);
			EXPECT_EQ_U64(lba, 16 + w0);
			EXPECT_EQ_U64(wp(&y, 2), 16 + w0 + 1);
		} else {
			EXPECT_EQ_U64(zone, 99);
			EXPECT_EQ_U64(lba, 0);
		}
		zns_exit(&z);
		zns_exit(&y);
	}
}

/* ---- writes ---- */

static void test_write_at_and_not_at_wp(void)
{
	struct zns z;
	u32 zone = 99;

	Z8(z);
	EXPECT_EQ_INT(wr(&z, 9, 1), ZNS_ZONE_INVALID_WRITE);
	EXPECT_EQ_U64(st(&z, 1), ZNS_ZSE);
	EXPECT_EQ_INT(zns_write(&z, 8, 3, &zone), ZNS_OK);
	EXPECT_EQ_U64(zone, 1);
	EXPECT_EQ_U64(wp(&z, 1), 11);
	EXPECT_EQ_U64(st(&z, 1), ZNS_ZSIO);
	EXPECT_EQ_INT(wr(&z, 10, 1), ZNS_ZONE_INVALID_WRITE);
	EXPECT_EQ_INT(wr(&z, 12, 1), ZNS_ZONE_INVALID_WRITE);
	EXPECT_EQ_INT(wr(&z, 8, 1), ZNS_ZONE_INVALID_WRITE);
	EXPECT_EQ_INT(wr(&z, 11, 2), ZNS_OK);
	EXPECT_EQ_U64(wp(&z, 1), 13);
	/* zone pointer is optional */
	EXPECT_EQ_INT(zns_write(&z, 13, 1, NULL), ZNS_OK);
	EXPECT_EQ_U64(wp(&z, 1), 14);
	/* nlb 0, LBA range, overflow */
	EXPECT_EQ_INT(wr(&z, 14, 0), ZNS_INVALID_FIELD);
	EXPECT_EQ_INT(wr(&z, 63, 2), ZNS_LBA_OUT_OF_RANGE);
	EXPECT_EQ_INT(wr(&z, 64, 1), ZNS_LBA_OUT_OF_RANGE);
	EXPECT_EQ_INT(wr(&z, 14, U64_MAX), ZNS_LBA_OUT_OF_RANGE);
	EXPECT_EQ_INT(wr(&z, U64_MAX, 1), ZNS_LBA_OUT_OF_RANGE);
	/* the state check comes before the write pointer check */
	EXPECT_EQ_INT(act(&z, ZNS_ACT_FINISH, 8), ZNS_OK);
	EXPECT_EQ_INT(wr(&z, 9, 1), ZNS_ZONE_FULL);
	/* the write pointer check comes before the boundary check */
	EXPECT_EQ_INT(wr(&z, 17, 9), ZNS_ZONE_INVALID_WRITE);
	EXPECT_EQ_U64(zns_nr_open(&z), 0);
	EXPECT_EQ_U64(zns_nr_active(&z), 0);
	zns_exit(&z);
}

static void test_boundary_and_full(void)
{
	struct zns_desc d;
	struct zns z;

	Z8(z);
	/* crossing into the next zone */
	EXPECT_EQ_INT(wr(&z, 8, 9), ZNS_ZONE_BOUNDARY_ERROR);
	EXPECT_EQ_U64(st(&z, 1), ZNS_ZSE);
	EXPECT_EQ_INT(wr(&z, 8, 5), ZNS_OK);
	EXPECT_EQ_INT(wr(&z, 13, 4), ZNS_ZONE_BOUNDARY_ERROR);
	EXPECT_EQ_U64(wp(&z, 1), 13);
	EXPECT_EQ_U64(st(&z, 1), ZNS_ZSIO);
	/* reaching capacity: ZSF, resources released */
	EXPECT_EQ_U64(zns_nr_open(&z), 1);
	EXPECT_EQ_INT(wr(&z, 13, 3), ZNS_OK);
	EXPECT_EQ_U64(st(&z, 1), ZNS_ZSF);
	EXPECT_EQ_U64(wp(&z, 1), 16);
	EXPECT_EQ_U64(zns_nr_open(&z), 0);
	EXPECT_EQ_U64(zns_nr_active(&z), 0);
	zns_zone_desc(&z, 1, &d);
	EXPECT_EQ_U64(d.wp, ZNS_WP_INVALID);
	/* a whole-zone write from ZSE */
	EXPECT_EQ_INT(wr(&z, 24, 8), ZNS_OK);
	EXPECT_EQ_U64(st(&z, 3), ZNS_ZSF);
	/* from ZSEO: full too */
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 32), ZNS_OK);
	EXPECT_EQ_INT(wr(&z, 32, 8), ZNS_OK);
	EXPECT_EQ_U64(st(&z, 4), ZNS_ZSF);
	EXPECT_EQ_U64(zns_nr_open(&z), 0);
	/* the last zone: crossing the namespace end is LBA Out of Range */
	EXPECT_EQ_INT(wr(&z, 56, 9), ZNS_LBA_OUT_OF_RANGE);
	EXPECT_EQ_INT(wr(&z, 56, 8), ZNS_OK);
	zns_exit(&z);
}

/* zone_cap 6 < zone_size 8: LBAs 6 and 7 of each zone are never written. */
static void test_zone_cap_below_size(void)
{
	struct ranges r = { 0 };
	struct zns_desc d;
	struct zns z;
	u64 lba;

	INIT(z, 32, 8, 6, 0, 0, 0);
	zns_zone_desc(&z, 1, &d);
	EXPECT_EQ_U64(d.cap, 6);
	EXPECT_EQ_U64(d.zslba, 8);
	EXPECT_EQ_INT(wr(&z, 8, 7), ZNS_ZONE_BOUNDARY_ERROR);
	EXPECT_EQ_INT(wr(&z, 8, 6), ZNS_OK);
	EXPECT_EQ_U64(st(&z, 1), ZNS_ZSF);
	EXPECT_EQ_U64(wp(&z, 1), 14);
	EXPECT_EQ_INT(wr(&z, 14, 1), ZNS_ZONE_FULL);
	/* reads of the whole zone, beyond capacity included, are fine */
	EXPECT_EQ_INT(zns_read_check(&z, 8, 8), ZNS_OK);
	EXPECT_EQ_INT(zns_read_check(&z, 14, 4), ZNS_OK);
	/* appends: up to capacity */
	EXPECT_EQ_INT(zns_append(&z, 16, 4, &lba), ZNS_OK);
	EXPECT_EQ_U64(lba, 16);
	EXPECT_EQ_INT(zns_append(&z, 16, 3, &lba), ZNS_ZONE_BOUNDARY_ERROR);
	EXPECT_EQ_INT(zns_append(&z, 16, 2, &lba), ZNS_OK);
	EXPECT_EQ_U64(lba, 20);
	EXPECT_EQ_U64(st(&z, 2), ZNS_ZSF);
	/* finish: wp to ZSLBA + cap, range [wp, ZSLBA + cap) */
	EXPECT_EQ_INT(wr(&z, 24, 1), ZNS_OK);
	EXPECT_EQ_INT(zns_mgmt_send(&z, ZNS_ACT_FINISH, 24, false, rec, &r),
		      ZNS_OK);
	EXPECT_EQ_U64(r.n, 1);
	EXPECT_EQ_U64(r.slba[0], 25);
	EXPECT_EQ_U64(r.nlb[0], 5);
	EXPECT_EQ_U64(wp(&z, 3), 30);
	/* reset of a full zone: range [ZSLBA, ZSLBA + cap) */
	r.n = 0;
	EXPECT_EQ_INT(zns_mgmt_send(&z, ZNS_ACT_RESET, 24, false, rec, &r),
		      ZNS_OK);
	EXPECT_EQ_U64(r.n, 1);
	EXPECT_EQ_U64(r.slba[0], 24);
	EXPECT_EQ_U64(r.nlb[0], 6);
	EXPECT_EQ_U64(wp(&z, 3), 24);
	/* a zone start is still a multiple of zone_size */
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 6), ZNS_INVALID_FIELD);
	zns_exit(&z);
}

/* ---- Zone Append ---- */

static void test_append(void)
{
	struct zns z;
	u64 lba = 77;

	INIT(z, 64, 8, 8, 0, 0, 3);
	EXPECT_EQ_INT(zns_append(&z, 8, 2, &lba), ZNS_OK);
	EXPECT_EQ_U64(lba, 8);
	EXPECT_EQ_U64(st(&z, 1), ZNS_ZSIO);
	EXPECT_EQ_INT(zns_append(&z, 8, 3, &lba), ZNS_OK);
	EXPECT_EQ_U64(lba, 10);
	EXPECT_EQ_INT(zns_append(&z, 8, 1, &lba), ZNS_OK);
	EXPECT_EQ_U64(lba, 13);
	EXPECT_EQ_U64(wp(&z, 1), 14);
	/* ZASL */
	lba = 77;
	EXPECT_EQ_INT(zns_append(&z, 16, 4, &lba), ZNS_INVALID_FIELD);
	EXPECT_EQ_U64(lba, 77);
	EXPECT_EQ_U64(st(&z, 2), ZNS_ZSE);
	/* not a zone start */
	EXPECT_EQ_INT(zns_append(&z, 9, 1, &lba), ZNS_INVALID_FIELD);
	EXPECT_EQ_INT(zns_append(&z, 14, 1, &lba), ZNS_INVALID_FIELD);
	/* range, nlb 0 */
	EXPECT_EQ_INT(zns_append(&z, 64, 1, &lba), ZNS_LBA_OUT_OF_RANGE);
	EXPECT_EQ_INT(zns_append(&z, 8, 0, &lba), ZNS_INVALID_FIELD);
	/* crossing capacity */
	EXPECT_EQ_INT(zns_append(&z, 8, 3, &lba), ZNS_ZONE_BOUNDARY_ERROR);
	EXPECT_EQ_U64(wp(&z, 1), 14);
	EXPECT_EQ_INT(zns_append(&z, 8, 2, &lba), ZNS_OK);
	EXPECT_EQ_U64(lba, 14);
	EXPECT_EQ_U64(st(&z, 1), ZNS_ZSF);
	EXPECT_EQ_INT(zns_append(&z, 8, 1, &lba), ZNS_ZONE_FULL);
	/* out pointer optional; writes and appends interleave */
	EXPECT_EQ_INT(zns_append(&z, 24, 1, NULL), ZNS_OK);
	EXPECT_EQ_INT(wr(&z, 25, 2), ZNS_OK);
	EXPECT_EQ_INT(zns_append(&z, 24, 1, &lba), ZNS_OK);
	EXPECT_EQ_U64(lba, 27);
	zns_exit(&z);

	/* zasl 0: no limit here */
	Z8(z);
	EXPECT_EQ_INT(zns_append(&z, 0, 8, &lba), ZNS_OK);
	EXPECT_EQ_U64(lba, 0);
	EXPECT_EQ_U64(st(&z, 0), ZNS_ZSF);
	zns_exit(&z);
}

/* ---- open and active resources ---- */

static void test_implicit_close_on_limit(void)
{
	struct zns z;

	/* 8 zones, max_open 2, max_active 3 */
	INIT(z, 64, 8, 8, 2, 3, 0);
	EXPECT_EQ_INT(wr(&z, 0, 1), ZNS_OK);
	EXPECT_EQ_INT(wr(&z, 8, 1), ZNS_OK);
	EXPECT_EQ_U64(zns_nr_open(&z), 2);
	/* third zone: zone 0 (oldest ZSIO) is implicitly closed */
	EXPECT_EQ_INT(wr(&z, 16, 1), ZNS_OK);
	EXPECT_EQ_U64(st(&z, 0), ZNS_ZSC);
	EXPECT_EQ_U64(st(&z, 1), ZNS_ZSIO);
	EXPECT_EQ_U64(st(&z, 2), ZNS_ZSIO);
	EXPECT_EQ_U64(wp(&z, 0), 1);
	EXPECT_EQ_U64(zns_nr_open(&z), 2);
	EXPECT_EQ_U64(zns_nr_active(&z), 3);
	/* an empty zone: active limit reached, nothing changes */
	EXPECT_EQ_INT(wr(&z, 24, 1), ZNS_TOO_MANY_ACTIVE);
	EXPECT_EQ_INT(zns_append(&z, 24, 1, NULL), ZNS_TOO_MANY_ACTIVE);
	EXPECT_EQ_U64(st(&z, 1), ZNS_ZSIO);
	EXPECT_EQ_U64(st(&z, 3), ZNS_ZSE);
	/* writing on in an open zone needs nothing */
	EXPECT_EQ_INT(wr(&z, 9, 1), ZNS_OK);
	/* the closed zone 0 reopens; zone 1 is the oldest ZSIO now */
	EXPECT_EQ_INT(wr(&z, 1, 1), ZNS_OK);
	EXPECT_EQ_U64(st(&z, 0), ZNS_ZSIO);
	EXPECT_EQ_U64(st(&z, 1), ZNS_ZSC);
	EXPECT_EQ_U64(st(&z, 2), ZNS_ZSIO);
	/* explicit open of closed zone 1 closes zone 2 (older than 0) */
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 8), ZNS_OK);
	EXPECT_EQ_U64(st(&z, 1), ZNS_ZSEO);
	EXPECT_EQ_U64(st(&z, 2), ZNS_ZSC);
	EXPECT_EQ_U64(st(&z, 0), ZNS_ZSIO);
	/* explicit open of zone 2 closes zone 0 */
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 16), ZNS_OK);
	EXPECT_EQ_U64(st(&z, 0), ZNS_ZSC);
	EXPECT_EQ_U64(st(&z, 2), ZNS_ZSEO);
	/* both open zones are explicit: no room */
	EXPECT_EQ_INT(wr(&z, 2, 1), ZNS_TOO_MANY_OPEN);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 0), ZNS_TOO_MANY_OPEN);
	EXPECT_EQ_U64(st(&z, 0), ZNS_ZSC);
	EXPECT_EQ_U64(wp(&z, 0), 2);
	EXPECT_EQ_U64(zns_nr_open(&z), 2);
	EXPECT_EQ_U64(zns_nr_active(&z), 3);
	/* with active room but no open room: Too Many Open for ZSE */
	EXPECT_EQ_INT(act(&z, ZNS_ACT_RESET, 0), ZNS_OK);
	EXPECT_EQ_INT(wr(&z, 24, 1), ZNS_TOO_MANY_OPEN);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 24), ZNS_TOO_MANY_OPEN);
	EXPECT_EQ_U64(st(&z, 3), ZNS_ZSE);
	/* finishing one frees an open and an active resource */
	EXPECT_EQ_INT(act(&z, ZNS_ACT_FINISH, 8), ZNS_OK);
	EXPECT_EQ_U64(zns_nr_open(&z), 1);
	EXPECT_EQ_U64(zns_nr_active(&z), 1);
	EXPECT_EQ_INT(wr(&z, 24, 1), ZNS_OK);
	/* an explicit open evicts the ZSIO zone 3 too */
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 32), ZNS_OK);
	EXPECT_EQ_U64(st(&z, 3), ZNS_ZSC);
	EXPECT_EQ_U64(st(&z, 4), ZNS_ZSEO);
	EXPECT_EQ_U64(zns_nr_open(&z), 2);
	EXPECT_EQ_U64(zns_nr_active(&z), 3);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 40), ZNS_TOO_MANY_ACTIVE);
	/* closing one frees an open resource only */
	EXPECT_EQ_INT(act(&z, ZNS_ACT_CLOSE, 16), ZNS_OK);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 40), ZNS_TOO_MANY_ACTIVE);
	EXPECT_EQ_INT(wr(&z, 25, 1), ZNS_OK);
	EXPECT_EQ_U64(zns_nr_open(&z), 2);
	EXPECT_EQ_U64(zns_nr_active(&z), 3);
	/* ZSIO -> ZSEO needs nothing even at both limits */
	EXPECT_EQ_U64(st(&z, 3), ZNS_ZSIO);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 24), ZNS_OK);
	EXPECT_EQ_U64(st(&z, 3), ZNS_ZSEO);
	zns_exit(&z);
}

/* A write that fills a ZSE zone at once still needs (and may evict). */
static void test_full_write_passes_through_open(void)
{
	struct zns z;

	INIT(z, 64, 8, 8, 1, 1, 0);
	EXPECT_EQ_INT(wr(&z, 0, 1), ZNS_OK);
	EXPECT_EQ_INT(wr(&z, 8, 8), ZNS_TOO_MANY_ACTIVE);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_CLOSE, 0), ZNS_OK);
	EXPECT_EQ_INT(wr(&z, 8, 8), ZNS_TOO_MANY_ACTIVE);
	EXPECT_EQ_INT(wr(&z, 1, 7), ZNS_OK);
	EXPECT_EQ_U64(st(&z, 0), ZNS_ZSF);
	EXPECT_EQ_INT(wr(&z, 8, 8), ZNS_OK);
	EXPECT_EQ_U64(zns_nr_active(&z), 0);
	zns_exit(&z);

	/* open limit only: the implicit close happens for a filling write */
	INIT(z, 64, 8, 8, 1, 0, 0);
	EXPECT_EQ_INT(wr(&z, 0, 1), ZNS_OK);
	EXPECT_EQ_INT(wr(&z, 8, 8), ZNS_OK);
	EXPECT_EQ_U64(st(&z, 0), ZNS_ZSC);
	EXPECT_EQ_U64(st(&z, 1), ZNS_ZSF);
	EXPECT_EQ_U64(zns_nr_open(&z), 0);
	EXPECT_EQ_U64(zns_nr_active(&z), 1);
	zns_exit(&z);
}

static void test_explicit_open_limits(void)
{
	struct zns z;
	u32 i;

	INIT(z, 64, 8, 8, 3, 4, 0);
	for (i = 0; i < 3; i++)
		EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 8 * i), ZNS_OK);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 24), ZNS_TOO_MANY_OPEN);
	EXPECT_EQ_INT(wr(&z, 24, 1), ZNS_TOO_MANY_OPEN);
	EXPECT_EQ_U64(st(&z, 3), ZNS_ZSE);
	EXPECT_EQ_U64(zns_nr_open(&z), 3);
	EXPECT_EQ_U64(zns_nr_active(&z), 3);
	/* re-opening an explicitly open zone is a no-op */
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 0), ZNS_OK);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_CLOSE, 0), ZNS_OK);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 24), ZNS_OK);
	EXPECT_EQ_U64(zns_nr_active(&z), 4);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_CLOSE, 24), ZNS_OK);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 32), ZNS_TOO_MANY_ACTIVE);
	EXPECT_EQ_INT(wr(&z, 32, 1), ZNS_TOO_MANY_ACTIVE);
	EXPECT_EQ_U64(st(&z, 4), ZNS_ZSE);
	/* an empty zone may be finished and reset at the limits */
	EXPECT_EQ_INT(act(&z, ZNS_ACT_FINISH, 32), ZNS_OK);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_RESET, 32), ZNS_OK);
	/* closed zones reopen while active is at the limit */
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 0), ZNS_OK);
	EXPECT_EQ_U64(zns_nr_open(&z), 3);
	EXPECT_EQ_U64(zns_nr_active(&z), 4);
	zns_exit(&z);
}

/* ---- Select All ---- */

/* Zones 0..6 in the 7 states, zone 7 ZSE. */
static int make_all_states(struct zns *z)
{
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(all_states); i++)
		if (make_state(z, i, all_states[i]))
			return -1;
	return 0;
}

static void test_select_all(void)
{
	static const struct {
		u32 action;
		u8 after[8];
	} t[] = {
		{ ZNS_ACT_OPEN, { ZNS_ZSE, ZNS_ZSIO, ZNS_ZSEO, ZNS_ZSEO,
				  ZNS_ZSF, ZNS_ZSRO, ZNS_ZSO, ZNS_ZSE } },
		{ ZNS_ACT_CLOSE, { ZNS_ZSE, ZNS_ZSC, ZNS_ZSC, ZNS_ZSC,
				   ZNS_ZSF, ZNS_ZSRO, ZNS_ZSO, ZNS_ZSE } },
		{ ZNS_ACT_FINISH, { ZNS_ZSE, ZNS_ZSF, ZNS_ZSF, ZNS_ZSF,
				    ZNS_ZSF, ZNS_ZSRO, ZNS_ZSO, ZNS_ZSE } },
		{ ZNS_ACT_RESET, { ZNS_ZSE, ZNS_ZSE, ZNS_ZSE, ZNS_ZSE,
				   ZNS_ZSE, ZNS_ZSRO, ZNS_ZSO, ZNS_ZSE } },
		{ ZNS_ACT_OFFLINE, { ZNS_ZSE, ZNS_ZSIO, ZNS_ZSEO, ZNS_ZSC,
				     ZNS_ZSF, ZNS_ZSO, ZNS_ZSO, ZNS_ZSE } },
	};
	size_t i, j;

	for (i = 0; i < UNIT_ARRAY_SIZE(t); i++) {
		struct ranges r = { 0 };
		u32 open, active;
		struct zns z;

		Z8(z);
		EXPECT_EQ_INT(make_all_states(&z), 0);
		/* zslba is ignored: not a zone start, even out of range */
		EXPECT_EQ_INT(zns_mgmt_send(&z, t[i].action, 1000003, true,
					    rec, &r), ZNS_OK);
		for (j = 0; j < 8; j++)
			if (st(&z, j) != t[i].after[j])
				FAIL("action %u zone %zu: state %u, expected %u",
				     t[i].action, j, st(&z, j),
				     t[i].after[j]);
		count_states(&z, &open, &active);
		EXPECT_EQ_U64(zns_nr_open(&z), open);
		EXPECT_EQ_U64(zns_nr_active(&z), active);
		if (t[i].action == ZNS_ACT_FINISH) {
			/* zones 1 (wp +1), 2 (+2), 3 (+3), in order */
			EXPECT_EQ_U64(r.n, 3);
			for (j = 0; j < 3; j++) {
				EXPECT_EQ_U64(r.slba[j], 8 * (j + 1) + j + 1);
				EXPECT_EQ_U64(r.nlb[j], 8 - (j + 1));
				EXPECT_EQ_U64(wp(&z, j + 1), 8 * (j + 2));
			}
		} else if (t[i].action == ZNS_ACT_RESET) {
			/* zones 1, 2, 3 and the full zone 4 */
			EXPECT_EQ_U64(r.n, 4);
			for (j = 0; j < 3; j++) {
				EXPECT_EQ_U64(r.slba[j], 8 * (j + 1));
				EXPECT_EQ_U64(r.nlb[j], j + 1);
			}
			EXPECT_EQ_U64(r.slba[3], 32);
			EXPECT_EQ_U64(r.nlb[3], 8);
			for (j = 1; j < 5; j++)
				EXPECT_EQ_U64(wp(&z, j), 8 * j);
		} else {
			EXPECT_EQ_U64(r.n, 0);
		}
		zns_exit(&z);
	}
}

static void test_select_all_open_limits(void)
{
	struct zns z;
	u32 i;

	/* max_open 3: 1 open + 3 closed do not fit; 1 + 2 do */
	INIT(z, 64, 8, 8, 3, 0, 0);
	for (i = 0; i < 4; i++)
		EXPECT_EQ_INT(wr(&z, 8 * i, 1), ZNS_OK);
	/* zone 0 was implicitly closed by the 4th write */
	EXPECT_EQ_U64(st(&z, 0), ZNS_ZSC);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_CLOSE, 8), ZNS_OK);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_CLOSE, 16), ZNS_OK);
	EXPECT_EQ_U64(zns_nr_open(&z), 1);
	EXPECT_EQ_INT(zns_mgmt_send(&z, ZNS_ACT_OPEN, 0, true, NULL, NULL),
		      ZNS_TOO_MANY_OPEN);
	for (i = 0; i < 3; i++)
		EXPECT_EQ_U64(st(&z, i), ZNS_ZSC);
	EXPECT_EQ_U64(st(&z, 3), ZNS_ZSIO);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_FINISH, 0), ZNS_OK);
	EXPECT_EQ_INT(zns_mgmt_send(&z, ZNS_ACT_OPEN, 0, true, NULL, NULL),
		      ZNS_OK);
	EXPECT_EQ_U64(st(&z, 1), ZNS_ZSEO);
	EXPECT_EQ_U64(st(&z, 2), ZNS_ZSEO);
	EXPECT_EQ_U64(st(&z, 3), ZNS_ZSIO);
	EXPECT_EQ_U64(zns_nr_open(&z), 3);
	/* nothing closed: success, no change */
	EXPECT_EQ_INT(zns_mgmt_send(&z, ZNS_ACT_OPEN, 0, true, NULL, NULL),
		      ZNS_OK);
	EXPECT_EQ_U64(zns_nr_open(&z), 3);
	zns_exit(&z);
}

static void test_mgmt_send_errors(void)
{
	static const u32 bad_actions[] = { 0, 6, 0x10, 0xff, 0x100 };
	struct zns z;
	size_t i;

	Z8(z);
	EXPECT_EQ_INT(wr(&z, 8, 1), ZNS_OK);
	for (i = 0; i < UNIT_ARRAY_SIZE(bad_actions); i++) {
		EXPECT_EQ_INT(act(&z, bad_actions[i], 8), ZNS_INVALID_FIELD);
		EXPECT_EQ_INT(zns_mgmt_send(&z, bad_actions[i], 0, true, NULL,
					    NULL), ZNS_INVALID_FIELD);
	}
	for (i = 0; i < UNIT_ARRAY_SIZE(all_actions); i++) {
		EXPECT_EQ_INT(act(&z, all_actions[i], 9), ZNS_INVALID_FIELD);
		EXPECT_EQ_INT(act(&z, all_actions[i], 15), ZNS_INVALID_FIELD);
		EXPECT_EQ_INT(act(&z, all_actions[i], 64),
			      ZNS_LBA_OUT_OF_RANGE);
		EXPECT_EQ_INT(act(&z, all_actions[i], U64_MAX),
			      ZNS_LBA_OUT_OF_RANGE);
	}
	EXPECT_EQ_U64(st(&z, 1), ZNS_ZSIO);
	EXPECT_EQ_U64(wp(&z, 1), 9);
	zns_exit(&z);
}

/* ---- Report Zones ---- */

static void test_report_filters(void)
{
	static const struct {
		u32 opt;
		u32 n;
		u32 zone0;
	} t[] = {
		{ ZNS_REPORT_ALL, 8, 0 },
		{ ZNS_REPORT_EMPTY, 2, 0 },	/* zones 0, 7 */
		{ ZNS_REPORT_IMP_OPEN, 1, 1 },
		{ ZNS_REPORT_EXP_OPEN, 1, 2 },
		{ ZNS_REPORT_CLOSED, 1, 3 },
		{ ZNS_REPORT_FULL, 1, 4 },
		{ ZNS_REPORT_READ_ONLY, 1, 5 },
		{ ZNS_REPORT_OFFLINE, 1, 6 },
	};
	struct zns_desc buf[10];
	u32 copied;
	u64 total;
	size_t i;
	struct zns z;

	Z8(z);
	EXPECT_EQ_INT(make_all_states(&z), 0);
	for (i = 0; i < UNIT_ARRAY_SIZE(t); i++) {
		int partial;

		for (partial = 0; partial < 2; partial++) {
			memset(buf, 0xa5, sizeof(buf));
			EXPECT_EQ_INT(zns_report(&z, 0, t[i].opt, partial, buf,
						 10, &total, &copied), ZNS_OK);
			EXPECT_EQ_U64(total, t[i].n);
			EXPECT_EQ_U64(copied, t[i].n);
			EXPECT_EQ_U64(buf[0].zslba, 8 * t[i].zone0);
			EXPECT_EQ_U64(buf[copied].type, 0xa5);
		}
	}
	/* the descriptors of the all-zones report */
	EXPECT_EQ_INT(zns_report(&z, 0, ZNS_REPORT_ALL, false, buf, 10,
				 &total, &copied), ZNS_OK);
	for (i = 0; i < 8; i++) {
		u8 s = i < 7 ? all_states[i] : ZNS_ZSE;
		u64 w = s == ZNS_ZSF || s == ZNS_ZSRO || s == ZNS_ZSO ?
			ZNS_WP_INVALID : 8 * i + made_wp(s);

		EXPECT_EQ_U64(buf[i].type, ZNS_ZONE_TYPE_SEQ_WRITE);
		EXPECT_EQ_U64(buf[i].state, s);
		EXPECT_EQ_U64(buf[i].attrs, 0);
		EXPECT_EQ_U64(buf[i].cap, 8);
		EXPECT_EQ_U64(buf[i].zslba, 8 * i);
		EXPECT_EQ_U64(buf[i].wp, w);
	}
	/* errors */
	EXPECT_EQ_INT(zns_report(&z, 64, 0, false, buf, 10, &total, &copied),
		      ZNS_LBA_OUT_OF_RANGE);
	EXPECT_EQ_INT(zns_report(&z, 0, 8, false, buf, 10, &total, &copied),
		      ZNS_INVALID_FIELD);
	EXPECT_EQ_INT(zns_report(&z, 0, 0x10, true, buf, 10, &total, &copied),
		      ZNS_INVALID_FIELD);
	zns_exit(&z);
}

static void test_report_paging(void)
{
	struct zns_desc buf[8];
	struct zns z;
	u32 copied;
	u64 total;
	u32 i;

	/* 8 zones; zones 1, 3, 4, 6 are ZSIO */
	Z8(z);
	EXPECT_EQ_INT(wr(&z, 8, 1), ZNS_OK);
	EXPECT_EQ_INT(wr(&z, 24, 2), ZNS_OK);
	EXPECT_EQ_INT(wr(&z, 32, 3), ZNS_OK);
	EXPECT_EQ_INT(wr(&z, 48, 4), ZNS_OK);
	/* slba in the middle of zone 1: zone 1 is included */
	EXPECT_EQ_INT(zns_report(&z, 13, ZNS_REPORT_IMP_OPEN, false, buf, 8,
				 &total, &copied), ZNS_OK);
	EXPECT_EQ_U64(total, 4);
	EXPECT_EQ_U64(copied, 4);
	EXPECT_EQ_U64(buf[0].zslba, 8);
	EXPECT_EQ_U64(buf[3].zslba, 48);
	EXPECT_EQ_U64(buf[3].wp, 52);
	/* from the middle of zone 2: zones 3, 4, 6 */
	EXPECT_EQ_INT(zns_report(&z, 23, ZNS_REPORT_IMP_OPEN, false, buf, 8,
				 &total, &copied), ZNS_OK);
	EXPECT_EQ_U64(total, 3);
	EXPECT_EQ_U64(buf[0].zslba, 24);
	/* max_descs 2 < 4 matches: partial 0 counts all, partial 1 copied */
	EXPECT_EQ_INT(zns_report(&z, 0, ZNS_REPORT_IMP_OPEN, false, buf, 2,
				 &total, &copied), ZNS_OK);
	EXPECT_EQ_U64(total, 4);
	EXPECT_EQ_U64(copied, 2);
	EXPECT_EQ_U64(buf[1].zslba, 24);
	EXPECT_EQ_INT(zns_report(&z, 0, ZNS_REPORT_IMP_OPEN, true, buf, 2,
				 &total, &copied), ZNS_OK);
	EXPECT_EQ_U64(total, 2);
	EXPECT_EQ_U64(copied, 2);
	/* the next page starts after the last zone returned */
	EXPECT_EQ_INT(zns_report(&z, buf[1].zslba + 8, ZNS_REPORT_IMP_OPEN,
				 true, buf, 2, &total, &copied), ZNS_OK);
	EXPECT_EQ_U64(total, 2);
	EXPECT_EQ_U64(buf[0].zslba, 32);
	EXPECT_EQ_U64(buf[1].zslba, 48);
	/* max_descs 0: a header only */
	EXPECT_EQ_INT(zns_report(&z, 0, ZNS_REPORT_ALL, false, buf, 0,
				 &total, &copied), ZNS_OK);
	EXPECT_EQ_U64(total, 8);
	EXPECT_EQ_U64(copied, 0);
	EXPECT_EQ_INT(zns_report(&z, 0, ZNS_REPORT_ALL, true, buf, 0,
				 &total, &copied), ZNS_OK);
	EXPECT_EQ_U64(total, 0);
	/* the all report from the last LBA: one zone */
	EXPECT_EQ_INT(zns_report(&z, 63, ZNS_REPORT_ALL, false, buf, 8,
				 &total, &copied), ZNS_OK);
	EXPECT_EQ_U64(total, 1);
	EXPECT_EQ_U64(buf[0].zslba, 56);
	/* no match at all */
	EXPECT_EQ_INT(zns_report(&z, 0, ZNS_REPORT_FULL, false, buf, 8,
				 &total, &copied), ZNS_OK);
	EXPECT_EQ_U64(total, 0);
	EXPECT_EQ_U64(copied, 0);
	for (i = 0; i < 8; i++)
		EXPECT_EQ_U64(st(&z, i),
			      i == 1 || i == 3 || i == 4 || i == 6 ?
			      ZNS_ZSIO : ZNS_ZSE);
	zns_exit(&z);
}

/* ---- reads ---- */

static void test_read_check(void)
{
	struct zns z;

	Z8(z);
	EXPECT_EQ_INT(wr(&z, 8, 2), ZNS_OK);
	/* across zone boundaries, beyond the write pointer: fine */
	EXPECT_EQ_INT(zns_read_check(&z, 0, 64), ZNS_OK);
	EXPECT_EQ_INT(zns_read_check(&z, 5, 20), ZNS_OK);
	EXPECT_EQ_INT(zns_read_check(&z, 10, 1), ZNS_OK);
	EXPECT_EQ_INT(zns_read_check(&z, 0, 0), ZNS_INVALID_FIELD);
	EXPECT_EQ_INT(zns_read_check(&z, 60, 5), ZNS_LBA_OUT_OF_RANGE);
	EXPECT_EQ_INT(zns_read_check(&z, 64, 1), ZNS_LBA_OUT_OF_RANGE);
	EXPECT_EQ_INT(zns_read_check(&z, 1, U64_MAX), ZNS_LBA_OUT_OF_RANGE);
	/* read only and full zones read; offline zones do not */
	EXPECT_EQ_INT(zns_set_read_only(&z, 1), ZNS_OK);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_FINISH, 16), ZNS_OK);
	EXPECT_EQ_INT(zns_read_check(&z, 8, 16), ZNS_OK);
	EXPECT_EQ_INT(zns_set_offline(&z, 3), ZNS_OK);
	EXPECT_EQ_INT(zns_read_check(&z, 0, 64), ZNS_ZONE_OFFLINE);
	EXPECT_EQ_INT(zns_read_check(&z, 23, 2), ZNS_ZONE_OFFLINE);
	EXPECT_EQ_INT(zns_read_check(&z, 31, 1), ZNS_ZONE_OFFLINE);
	EXPECT_EQ_INT(zns_read_check(&z, 24, 1), ZNS_ZONE_OFFLINE);
	EXPECT_EQ_INT(zns_read_check(&z, 23, 1), ZNS_OK);
	EXPECT_EQ_INT(zns_read_check(&z, 32, 32), ZNS_OK);
	zns_exit(&z);
}

/*
 * The data of a zone ends with the write pointer, except after Finish, and
 * a reset discards it at once: nothing above the end is ever data, so no
 * zeroing is left for later (a stale reset cannot leave old data behind).
 */
static void test_data_end(void)
{
	struct zns_params p = { 64, 8, 6, 0, 0, 0 };
	struct zns z;
	u32 i;

	EXPECT_EQ_INT(zns_init(&z, &p), 0);
	for (i = 0; i < 8; i++)
		EXPECT_EQ_U64(zns_data_end(&z, i), 8 * i);
	EXPECT_EQ_INT(wr(&z, 8, 2), ZNS_OK);
	EXPECT_EQ_U64(zns_data_end(&z, 1), 10);
	EXPECT_EQ_INT(wr(&z, 10, 1), ZNS_OK);
	EXPECT_EQ_U64(zns_data_end(&z, 1), 11);
	/* a failed write changes nothing */
	EXPECT_EQ_INT(wr(&z, 12, 1), ZNS_ZONE_INVALID_WRITE);
	EXPECT_EQ_INT(wr(&z, 11, 4), ZNS_ZONE_BOUNDARY_ERROR);
	EXPECT_EQ_U64(zns_data_end(&z, 1), 11);
	/* finish: the write pointer moves to the capacity, the data does not */
	EXPECT_EQ_INT(act(&z, ZNS_ACT_FINISH, 8), ZNS_OK);
	EXPECT_EQ_U64(wp(&z, 1), 14);
	EXPECT_EQ_U64(zns_data_end(&z, 1), 11);
	/* reset of the full zone: no data at all */
	EXPECT_EQ_INT(act(&z, ZNS_ACT_RESET, 8), ZNS_OK);
	EXPECT_EQ_U64(zns_data_end(&z, 1), 8);
	/* filled to the capacity by writes and appends */
	EXPECT_EQ_INT(wr(&z, 16, 4), ZNS_OK);
	EXPECT_EQ_INT(zns_append(&z, 16, 2, NULL), ZNS_OK);
	EXPECT_EQ_INT(st(&z, 2), ZNS_ZSF);
	EXPECT_EQ_U64(zns_data_end(&z, 2), 22);
	/* select-all reset discards every zone's data */
	EXPECT_EQ_INT(wr(&z, 24, 3), ZNS_OK);
	EXPECT_EQ_INT(zns_mgmt_send(&z, ZNS_ACT_RESET, 0, true, NULL, NULL),
		      ZNS_OK);
	for (i = 0; i < 8; i++)
		EXPECT_EQ_U64(zns_data_end(&z, i), 8 * i);
	/* read only and offline keep theirs; a reset of them is refused */
	EXPECT_EQ_INT(wr(&z, 32, 5), ZNS_OK);
	EXPECT_EQ_INT(zns_set_read_only(&z, 4), ZNS_OK);
	EXPECT_EQ_U64(zns_data_end(&z, 4), 37);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_RESET, 32), ZNS_INVALID_TRANSITION);
	EXPECT_EQ_INT(zns_set_offline(&z, 4), ZNS_OK);
	EXPECT_EQ_U64(zns_data_end(&z, 4), 37);
	zns_exit(&z);
}

/* ---- controller-initiated transitions ---- */

static void test_fault_hooks(void)
{
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(all_states); i++) {
		u8 s = all_states[i];
		struct zns_desc d;
		u32 open, active;
		struct zns z;

		INIT(z, 64, 8, 8, 4, 4, 0);
		EXPECT_EQ_INT(make_state(&z, 2, s), 0);
		EXPECT_EQ_INT(zns_set_read_only(&z, 2),
			      s == ZNS_ZSO ? ZNS_INVALID_TRANSITION : ZNS_OK);
		EXPECT_EQ_U64(st(&z, 2), s == ZNS_ZSO ? ZNS_ZSO : ZNS_ZSRO);
		EXPECT_EQ_U64(zns_nr_open(&z), 0);
		EXPECT_EQ_U64(zns_nr_active(&z), 0);
		zns_zone_desc(&z, 2, &d);
		EXPECT_EQ_U64(d.wp, ZNS_WP_INVALID);
		EXPECT_EQ_INT(wr(&z, 16 + at_wp(s), 1),
			      s == ZNS_ZSO ? ZNS_ZONE_OFFLINE :
			      ZNS_ZONE_READ_ONLY);
		EXPECT_EQ_INT(zns_append(&z, 16, 1, NULL),
			      s == ZNS_ZSO ? ZNS_ZONE_OFFLINE :
			      ZNS_ZONE_READ_ONLY);
		EXPECT_EQ_INT(zns_set_offline(&z, 2), ZNS_OK);
		EXPECT_EQ_U64(st(&z, 2), ZNS_ZSO);
		zns_exit(&z);

		INIT(z, 64, 8, 8, 4, 4, 0);
		EXPECT_EQ_INT(make_state(&z, 2, s), 0);
		EXPECT_EQ_INT(wr(&z, 0, 1), ZNS_OK);
		EXPECT_EQ_INT(zns_set_offline(&z, 2), ZNS_OK);
		EXPECT_EQ_U64(st(&z, 2), ZNS_ZSO);
		count_states(&z, &open, &active);
		EXPECT_EQ_U64(open, 1);
		EXPECT_EQ_U64(zns_nr_open(&z), 1);
		EXPECT_EQ_U64(zns_nr_active(&z), active);
		EXPECT_EQ_INT(zns_set_read_only(&z, 2),
			      ZNS_INVALID_TRANSITION);
		zns_exit(&z);
	}
}

static void test_fault_hooks_bad_zone(void)
{
	struct zns z;

	Z8(z);
	EXPECT_EQ_INT(zns_set_read_only(&z, 8), ZNS_INVALID_FIELD);
	EXPECT_EQ_INT(zns_set_offline(&z, 8), ZNS_INVALID_FIELD);
	EXPECT_EQ_INT(zns_set_offline(&z, U32_MAX), ZNS_INVALID_FIELD);
	zns_exit(&z);
}

/* Read only zones release resources: a write elsewhere may proceed. */
static void test_read_only_frees_resources(void)
{
	struct zns z;

	INIT(z, 64, 8, 8, 1, 1, 0);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 0), ZNS_OK);
	EXPECT_EQ_INT(wr(&z, 8, 1), ZNS_TOO_MANY_ACTIVE);
	EXPECT_EQ_INT(zns_set_read_only(&z, 0), ZNS_OK);
	EXPECT_EQ_INT(wr(&z, 8, 1), ZNS_OK);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OFFLINE, 0), ZNS_OK);
	EXPECT_EQ_U64(st(&z, 0), ZNS_ZSO);
	EXPECT_EQ_U64(zns_nr_active(&z), 1);
	zns_exit(&z);
}

/* ---- power loss ---- */

static void test_power_lost(void)
{
	struct zns z;
	u32 open, active;

	INIT(z, 64, 8, 6, 4, 4, 0);
	/* zone 0 ZSIO with 5 LBAs; it loses [3, 5) */
	EXPECT_EQ_INT(wr(&z, 0, 5), ZNS_OK);
	zns_power_lost(&z, 3);
	EXPECT_EQ_U64(wp(&z, 0), 3);
	EXPECT_EQ_U64(zns_data_end(&z, 0), 3);
	EXPECT_EQ_U64(st(&z, 0), ZNS_ZSIO);
	/* losing beyond the data changes nothing */
	zns_power_lost(&z, 4);
	EXPECT_EQ_U64(wp(&z, 0), 3);
	EXPECT_EQ_U64(zns_data_end(&z, 0), 3);
	/* the next write goes at the new write pointer */
	EXPECT_EQ_INT(wr(&z, 5, 1), ZNS_ZONE_INVALID_WRITE);
	EXPECT_EQ_INT(wr(&z, 3, 1), ZNS_OK);
	/* zone 1 full by writes: stays ZSF, its data ends at the loss */
	EXPECT_EQ_INT(wr(&z, 8, 6), ZNS_OK);
	EXPECT_EQ_U64(st(&z, 1), ZNS_ZSF);
	zns_power_lost(&z, 10);
	EXPECT_EQ_U64(st(&z, 1), ZNS_ZSF);
	EXPECT_EQ_U64(zns_data_end(&z, 1), 10);
	/* zone 2 ZSEO, everything lost: write pointer at ZSLBA */
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 16), ZNS_OK);
	EXPECT_EQ_INT(wr(&z, 16, 2), ZNS_OK);
	zns_power_lost(&z, 16);
	EXPECT_EQ_U64(wp(&z, 2), 16);
	EXPECT_EQ_U64(zns_data_end(&z, 2), 16);
	/* zone 3 read only keeps its state, loses data; zone 4 offline
	 * keeps all; LBAs beyond the zones do nothing */
	EXPECT_EQ_INT(wr(&z, 24, 4), ZNS_OK);
	EXPECT_EQ_INT(zns_set_read_only(&z, 3), ZNS_OK);
	zns_power_lost(&z, 25);
	EXPECT_EQ_U64(st(&z, 3), ZNS_ZSRO);
	EXPECT_EQ_U64(zns_data_end(&z, 3), 25);
	EXPECT_EQ_INT(wr(&z, 32, 4), ZNS_OK);
	EXPECT_EQ_INT(zns_set_offline(&z, 4), ZNS_OK);
	zns_power_lost(&z, 33);
	EXPECT_EQ_U64(zns_data_end(&z, 4), 36);
	zns_power_lost(&z, 64);
	zns_power_lost(&z, U64_MAX);
	count_states(&z, &open, &active);
	EXPECT_EQ_U64(zns_nr_open(&z), open);
	EXPECT_EQ_U64(zns_nr_active(&z), active);
	zns_exit(&z);
}

static void test_power_on_closes(void)
{
	struct zns z;
	u32 open, active;

	INIT(z, 64, 8, 8, 3, 5, 0);
	EXPECT_EQ_INT(wr(&z, 0, 2), ZNS_OK);		/* 0: ZSIO, data */
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 8), ZNS_OK);	/* 1: ZSEO, none */
	EXPECT_EQ_INT(act(&z, ZNS_ACT_OPEN, 16), ZNS_OK);
	EXPECT_EQ_INT(wr(&z, 16, 1), ZNS_OK);		/* 2: ZSEO, data */
	EXPECT_EQ_INT(wr(&z, 24, 3), ZNS_OK);
	EXPECT_EQ_INT(act(&z, ZNS_ACT_CLOSE, 24), ZNS_OK);	/* 3: ZSC */
	/* 4: ZSF, passing through ZSIO: zone 0 is closed implicitly */
	EXPECT_EQ_INT(wr(&z, 32, 8), ZNS_OK);
	EXPECT_EQ_U64(st(&z, 0), ZNS_ZSC);
	/* zone 0 lost everything: ZSC without data */
	zns_power_lost(&z, 0);
	EXPECT_EQ_U64(zns_nr_open(&z), 2);
	EXPECT_EQ_U64(zns_nr_active(&z), 4);	/* ZSF is not active */
	zns_power_on(&z);
	EXPECT_EQ_U64(st(&z, 0), ZNS_ZSE);
	EXPECT_EQ_U64(st(&z, 1), ZNS_ZSE);
	EXPECT_EQ_U64(st(&z, 2), ZNS_ZSC);
	EXPECT_EQ_U64(wp(&z, 2), 17);
	EXPECT_EQ_U64(st(&z, 3), ZNS_ZSC);
	EXPECT_EQ_U64(st(&z, 4), ZNS_ZSF);
	EXPECT_EQ_U64(zns_nr_open(&z), 0);
	EXPECT_EQ_U64(zns_nr_active(&z), 2);
	count_states(&z, &open, &active);
	EXPECT_EQ_U64(open, 0);
	EXPECT_EQ_U64(active, 2);
	/* the resources are free again: three zones open */
	EXPECT_EQ_INT(wr(&z, 17, 1), ZNS_OK);
	EXPECT_EQ_INT(wr(&z, 0, 1), ZNS_OK);
	EXPECT_EQ_INT(wr(&z, 8, 1), ZNS_OK);
	EXPECT_EQ_U64(zns_nr_open(&z), 3);
	zns_exit(&z);
}

/* ---- randomized comparison with a reference model ---- */

/*
 * The reference keeps, per zone, the state, the write pointer offset and
 * the time it last became open; the victim of an implicit close is the
 * ZSIO zone with the smallest such time.  Counters are recounted from the
 * states.  It shares no code with zns.c.
 */
#define RMAX	32

struct ref {
	u32 nz, mo, ma, zasl;
	u64 zsze, zcap;
	u8 s[RMAX];
	u64 off[RMAX];	/* wp - zslba */
	u64 t_open[RMAX];
	u64 now;
};

static bool r_open(u8 s)
{
	return s == ZNS_ZSIO || s == ZNS_ZSEO;
}

static bool r_active(u8 s)
{
	return r_open(s) || s == ZNS_ZSC;
}

static bool r_dead(u8 s)
{
	return s == ZNS_ZSRO || s == ZNS_ZSO;
}

static u32 r_count(const struct ref *r, bool (*f)(u8))
{
	u32 i, n = 0;

	for (i = 0; i < r->nz; i++)
		n += f(r->s[i]);
	return n;
}

static void r_to(struct ref *r, u32 i, u8 s)
{
	if (!r_open(r->s[i]) && r_open(s))
		r->t_open[i] = ++r->now;
	r->s[i] = s;
}

static int r_room(struct ref *r, u32 i)
{
	u32 k, v = RMAX;

	if (r->s[i] == ZNS_ZSE && r->ma && r_count(r, r_active) >= r->ma)
		return ZNS_TOO_MANY_ACTIVE;
	if (!r->mo || r_count(r, r_open) < r->mo)
		return 0;
	for (k = 0; k < r->nz; k++)
		if (r->s[k] == ZNS_ZSIO &&
		    (v == RMAX || r->t_open[k] < r->t_open[v]))
			v = k;
	if (v == RMAX)
		return ZNS_TOO_MANY_OPEN;
	r->s[v] = ZNS_ZSC;
	return 0;
}

static int r_write(struct ref *r, u64 slba, u64 nlb, bool append,
		   u64 *lba)
{
	u64 nsze = r->nz * r->zsze;
	u32 i;
	int e;

	if (!nlb)
		return ZNS_INVALID_FIELD;
	if (slba >= nsze || nlb > nsze - slba)
		return ZNS_LBA_OUT_OF_RANGE;
	i = slba / r->zsze;
	if (append) {
		if (slba % r->zsze)
			return ZNS_INVALID_FIELD;
		if (r->zasl && nlb > r->zasl)
			return ZNS_INVALID_FIELD;
	}
	if (r->s[i] == ZNS_ZSF)
		return ZNS_ZONE_FULL;
	if (r->s[i] == ZNS_ZSRO)
		return ZNS_ZONE_READ_ONLY;
	if (r->s[i] == ZNS_ZSO)
		return ZNS_ZONE_OFFLINE;
	if (append)
		slba = i * r->zsze + r->off[i];
	if (slba != i * r->zsze + r->off[i])
		return ZNS_ZONE_INVALID_WRITE;
	if (r->off[i] + nlb > r->zcap)
		return ZNS_ZONE_BOUNDARY_ERROR;
	if (r->s[i] == ZNS_ZSE || r->s[i] == ZNS_ZSC) {
		e = r_room(r, i);
		if (e)
			return e;
		r_to(r, i, ZNS_ZSIO);
	}
	*lba = slba;
	r->off[i] += nlb;
	if (r->off[i] == r->zcap)
		r_to(r, i, ZNS_ZSF);
	return 0;
}

static int r_act1(struct ref *r, u32 a, u32 i)
{
	u8 s = r->s[i];
	int e;

	switch (a) {
	case ZNS_ACT_OPEN:
		if (s == ZNS_ZSEO)
			return 0;
		if (s == ZNS_ZSIO) {
			r->s[i] = ZNS_ZSEO;
			return 0;
		}
		if (s != ZNS_ZSE && s != ZNS_ZSC)
			return ZNS_INVALID_TRANSITION;
		e = r_room(r, i);
		if (!e)
			r_to(r, i, ZNS_ZSEO);
		return e;
	case ZNS_ACT_CLOSE:
		if (s == ZNS_ZSC)
			return 0;
		if (!r_open(s))
			return ZNS_INVALID_TRANSITION;
		r_to(r, i, ZNS_ZSC);
		return 0;
	case ZNS_ACT_FINISH:
		if (s == ZNS_ZSF)
			return 0;
		if (s != ZNS_ZSE && !r_active(s))
			return ZNS_INVALID_TRANSITION;
		r_to(r, i, ZNS_ZSF);
		r->off[i] = r->zcap;
		return 0;
	case ZNS_ACT_RESET:
		if (s == ZNS_ZSE)
			return 0;
		if (s != ZNS_ZSF && !r_active(s))
			return ZNS_INVALID_TRANSITION;
		r_to(r, i, ZNS_ZSE);
		r->off[i] = 0;
		return 0;
	case ZNS_ACT_OFFLINE:
		if (s == ZNS_ZSO)
			return 0;
		if (s != ZNS_ZSRO)
			return ZNS_INVALID_TRANSITION;
		r_to(r, i, ZNS_ZSO);
		return 0;
	default:
		return ZNS_INVALID_FIELD;
	}
}

static int r_mgmt(struct ref *r, u32 a, u64 zslba, bool all)
{
	static const u8 sel[6][8] = {
		[ZNS_ACT_OPEN] = { ZNS_ZSC },
		[ZNS_ACT_CLOSE] = { ZNS_ZSIO, ZNS_ZSEO },
		[ZNS_ACT_FINISH] = { ZNS_ZSIO, ZNS_ZSEO, ZNS_ZSC },
		[ZNS_ACT_RESET] = { ZNS_ZSIO, ZNS_ZSEO, ZNS_ZSC, ZNS_ZSF },
		[ZNS_ACT_OFFLINE] = { ZNS_ZSRO },
	};
	u32 i, k;

	if (a < 1 || a > 5)
		return ZNS_INVALID_FIELD;
	if (!all) {
		if (zslba >= r->nz * r->zsze)
			return ZNS_LBA_OUT_OF_RANGE;
		if (zslba % r->zsze)
			return ZNS_INVALID_FIELD;
		return r_act1(r, a, zslba / r->zsze);
	}
	if (a == ZNS_ACT_OPEN && r->mo &&
	    r_count(r, r_open) + r_count(r, r_active) - r_count(r, r_open) >
	    r->mo)
		return ZNS_TOO_MANY_OPEN;
	for (i = 0; i < r->nz; i++)
		for (k = 0; k < 8 && sel[a][k]; k++)
			if (r->s[i] == sel[a][k]) {
				r_act1(r, a, i);
				break;
			}
	return 0;
}

static u64 lcg_state;

static u32 lcg(void)
{
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (u32)(lcg_state >> 33);
}

struct rcfg {
	u32 nz, mo, ma, zasl;
	u64 zsze, zcap;
};

/* Run @steps random operations; returns the failing step or -1. */
static long run_model(const struct rcfg *c, u64 seed, u32 steps,
		      char *why, size_t whylen)
{
	struct zns_params p = { 0, c->zsze, c->zcap, c->mo, c->ma, c->zasl };
	struct zns_desc buf[RMAX];
	struct ref r;
	struct zns z;
	u32 n, i;

	lcg_state = seed;
	p.nr_lbas = c->nz * c->zsze + lcg() % c->zsze;	/* and a tail */
	memset(&r, 0, sizeof(r));
	r.nz = c->nz;
	r.mo = c->mo;
	r.ma = c->ma;
	r.zasl = c->zasl;
	r.zsze = c->zsze;
	r.zcap = c->zcap;
	for (i = 0; i < r.nz; i++)
		r.s[i] = ZNS_ZSE;
	if (zns_init(&z, &p)) {
		snprintf(why, whylen, "init");
		return 0;
	}
	for (n = 0; n < steps; n++) {
		u32 op = lcg() % 100, zi = lcg() % (c->nz + 1);
		u32 dead = r_count(&r, r_dead);

		/* rare faults, and never more than a quarter of the zones */
		if (op >= 93 && op < 97 &&
		    (lcg() % 64 || 4 * (dead + 1) > c->nz))
			op = 97;
		u64 zs = (u64)zi * c->zsze, slba, nlb, l1 = 0, l2 = 0;
		int e1, e2;

		if (op < 40) {			/* write, mostly at the wp */
			slba = zs + (zi < c->nz ? r.off[zi] : 0);
			if (lcg() % 8 == 0)
				slba = slba + lcg() % 3 - 1;
			nlb = lcg() % 4 ? 1 + lcg() % 3 : lcg() % (c->zsze + 2);
			e1 = zns_write(&z, slba, nlb, NULL);
			e2 = r_write(&r, slba, nlb, false, &l2);
		} else if (op < 55) {		/* append */
			slba = zs + (lcg() % 10 == 0);
			nlb = lcg() % 3 ? 1 + lcg() % 3 : lcg() % (c->zsze + 2);
			e1 = zns_append(&z, slba, nlb, &l1);
			e2 = r_write(&r, slba, nlb, true, &l2);
			if (!e1 && !e2 && l1 != l2) {
				snprintf(why, whylen, "append lba %llu vs %llu",
					 (unsigned long long)l1,
					 (unsigned long long)l2);
				break;
			}
		} else if (op < 93) {		/* zone management */
			u32 a = lcg() % 6;
			bool all = lcg() % 8 == 0;

			if (a == 0)
				a = ZNS_ACT_OPEN;
			if (lcg() % 16 == 0)
				a = lcg() % 8;
			if (lcg() % 20 == 0)
				zs += 1;
			e1 = zns_mgmt_send(&z, a, zs, all, NULL, NULL);
			e2 = r_mgmt(&r, a, zs, all);
		} else if (op < 96) {		/* read only */
			zi %= c->nz;
			e1 = zns_set_read_only(&z, zi);
			e2 = r.s[zi] == ZNS_ZSO ? ZNS_INVALID_TRANSITION : 0;
			if (!e2)
				r_to(&r, zi, ZNS_ZSRO);
		} else if (op < 97) {		/* offline */
			zi %= c->nz;
			e1 = zns_set_offline(&z, zi);
			e2 = 0;
			r_to(&r, zi, ZNS_ZSO);
		} else {			/* reads */
			slba = lcg() % (c->nz * c->zsze + 2);
			nlb = lcg() % (3 * c->zsze);
			e1 = zns_read_check(&z, slba, nlb);
			if (!nlb)
				e2 = ZNS_INVALID_FIELD;
			else if (slba + nlb > c->nz * c->zsze)
				e2 = ZNS_LBA_OUT_OF_RANGE;
			else
				e2 = 0;
			for (i = slba / c->zsze;
			     !e2 && i <= (slba + nlb - 1) / c->zsze; i++)
				if (r.s[i] == ZNS_ZSO)
					e2 = ZNS_ZONE_OFFLINE;
		}
		if (e1 != e2) {
			snprintf(why, whylen, "op %u status %#x vs ref %#x",
				 op, e1, e2);
			break;
		}
		for (i = 0; i < c->nz; i++) {
			u64 w = (u64)i * c->zsze + r.off[i];

			if (st(&z, i) != r.s[i] || wp(&z, i) != w) {
				snprintf(why, whylen,
					 "op %u zone %u state %u wp %llu vs %u %llu",
					 op, i, st(&z, i),
					 (unsigned long long)wp(&z, i),
					 r.s[i], (unsigned long long)w);
				break;
			}
		}
		if (i < c->nz)
			break;
		if (zns_nr_open(&z) != r_count(&r, r_open) ||
		    zns_nr_active(&z) != r_count(&r, r_active)) {
			snprintf(why, whylen, "counters %u/%u vs %u/%u",
				 zns_nr_open(&z), zns_nr_active(&z),
				 r_count(&r, r_open), r_count(&r, r_active));
			break;
		}
		if (n % 64 == 0) {		/* a full report agrees */
			u64 total;
			u32 copied;

			zns_report(&z, 0, ZNS_REPORT_ALL, false, buf, RMAX,
				   &total, &copied);
			for (i = 0; i < c->nz; i++) {
				u64 w = (u64)i * c->zsze + r.off[i];

				if (r_dead(r.s[i]) || r.s[i] == ZNS_ZSF)
					w = ZNS_WP_INVALID;
				if (buf[i].state != r.s[i] || buf[i].wp != w)
					break;
			}
			if (total != c->nz || copied != c->nz || i < c->nz) {
				snprintf(why, whylen, "report");
				break;
			}
		}
	}
	zns_exit(&z);
	return n < steps ? (long)n : -1;
}

static void test_random_model(void)
{
	static const struct rcfg cfgs[] = {
		{ 8, 0, 0, 0, 8, 8 },
		{ 8, 2, 3, 0, 8, 8 },
		{ 12, 3, 3, 2, 8, 6 },
		{ 16, 4, 6, 4, 16, 13 },
		{ 6, 1, 1, 0, 4, 4 },
		{ 10, 3, 0, 0, 8, 5 },
		{ 32, 14, 14, 0, 4, 3 },
		{ 5, 5, 5, 1, 2, 1 },
	};
	static const u64 seeds[] = { 1, 2, 3, 0x5eed, 0xdeadbeef, 42 };
	char why[160];
	size_t c, s;

	for (c = 0; c < UNIT_ARRAY_SIZE(cfgs); c++)
		for (s = 0; s < UNIT_ARRAY_SIZE(seeds); s++) {
			long at = run_model(&cfgs[c], seeds[s], 20000, why,
					    sizeof(why));

			if (at >= 0)
				FAIL("cfg %zu seed %llu step %ld: %s", c,
				     (unsigned long long)seeds[s], at, why);
		}
}

static const struct unit_test tests[] = {
	UNIT_TEST(default_params),
	UNIT_TEST(invalid_params),
	UNIT_TEST(geometry_tail_and_limits),
	UNIT_TEST(initial_state),
	UNIT_TEST(transition_table),
	UNIT_TEST(write_per_state),
	UNIT_TEST(write_at_and_not_at_wp),
	UNIT_TEST(boundary_and_full),
	UNIT_TEST(zone_cap_below_size),
	UNIT_TEST(append),
	UNIT_TEST(implicit_close_on_limit),
	UNIT_TEST(full_write_passes_through_open),
	UNIT_TEST(explicit_open_limits),
	UNIT_TEST(select_all),
	UNIT_TEST(select_all_open_limits),
	UNIT_TEST(mgmt_send_errors),
	UNIT_TEST(report_filters),
	UNIT_TEST(report_paging),
	UNIT_TEST(read_check),
	UNIT_TEST(data_end),
	UNIT_TEST(fault_hooks),
	UNIT_TEST(fault_hooks_bad_zone),
	UNIT_TEST(read_only_frees_resources),
	UNIT_TEST(power_lost),
	UNIT_TEST(power_on_closes),
	UNIT_TEST(random_model),
};

int main(int argc, char **argv)
{
	return unit_main("unit/zns/", tests, UNIT_ARRAY_SIZE(tests),
			 argc, argv);
}
