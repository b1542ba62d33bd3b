// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_slc.c - the SLC cache of the conv model (ftl/conv.h "SLC cache"):
 * exact times of SLC and native programs and reads, the cache limit,
 * folding in idle time, parameter checks, and "off changes nothing".
 *
 * P: 2 channels x 1 LUN (LUN l on channel l), 1 plane, 8 KiB pages (2
 * slots), 2-page one-shot (PU = 4 slots), MLC, 4 pages per block (G = 8
 * slots, 2 PUs), 64 KiB with 50% OP: Ls = 16, B = 2, T = 4 (LUN 0: groups
 * 0-1, LUN 1: groups 2-3).  t_c = 10240 ns, t_l = 2000 ns.  No buffer
 * (writes complete when programmed).  slc_cache_pm = 500: C =
 * floor(floor(16 * 500 / 1000) / 8) = 1 group.
 */
#include "conv.h"
#include "unit.h"

#define KIB	1024ULL

#define FR	1000ULL
#define FW	2000ULL
#define R4L	20000ULL
#define R4M	30000ULL
#define PROG	200000ULL
#define TC	10240ULL
#define TL	2000ULL
#define SP	50000ULL	/* slc_prog_ns */
#define SR	8000ULL		/* slc_read_ns */

static const struct conv_params P = {
	.capacity = 64 * KIB, .op_percent = 50,
	.nr_channels = 2, .luns_per_channel = 1, .planes_per_lun = 1,
	.pages_per_block = 4, .page_size = 8192, .oneshot_pages = 2,
	.cell_bits = 2,
	.read_4k_ns = { R4L, R4M }, .read_page_ns = { 25000, 40000 },
	.prog_ns = PROG, .erase_ns = 1000000,
	.channel_mbps = 400, .link_mbps = 2048,
	.fw_read_ns = FR, .fw_write_ns = FW, .fw_other_ns = 500,
	.buffer_kib = 0, .gc_policy = CONV_GC_GREEDY,
	.slc_cache_pm = 500, .slc_prog_ns = SP, .slc_read_ns = SR,
};

static u64 sched(struct conv_model *m, enum model_op op, u64 off, u64 len,
		 u64 now)
{
	struct model_req r = { .op = op, .slba_bytes = off, .len = len,
			       .now = now };

	return conv_model_schedule(m, &r);
}

static u64 rd(struct conv_model *m, u64 off, u64 len, u64 now)
{
	return sched(m, MODEL_READ, off, len, now);
}

static u64 wr(struct conv_model *m, u64 off, u64 len, u64 now)
{
	return sched(m, MODEL_WRITE, off, len, now);
}

/* A write of one PU: FW, 4 slots over the link, the PU's transfer. */
#define PU_IN	(FW + 4 * TL + 4 * TC)

/*
 * The first host group (group 0, LUN 0) enters the cache; the second
 * (group 2, LUN 1) finds it full (C = 1) and is native.
 */
static void test_slc_then_native(void)
{
	struct conv_model m;
	struct model_stats st;

	EXPECT_EQ_INT(conv_model_init(&m, &P), 0);
	EXPECT_EQ_U64(m.slc_cap, 1);
	/* 0 + 2000 + 4 * 2000 = 10000 entered; + 40960 + 50000 */
	EXPECT_EQ_U64(wr(&m, 0, 16 * KIB, 0), PU_IN + SP);
	EXPECT_EQ_U64(m.nr_slc, 1);
	EXPECT_EQ_U64(m.slc[0], 1);
	EXPECT_EQ_U64(wr(&m, 16 * KIB, 16 * KIB, 200000),
		      200000 + PU_IN + PROG);
	EXPECT_EQ_U64(m.slc[2], 0);
	EXPECT_EQ_U64(m.nr_slc, 1);
	/* group 0 is open (1 of 2 PUs): not a fold candidate */
	EXPECT_EQ_U64(m.nr_slc_full, 0);
	/* LBA 0: group 0, LSB page, SLC: tR = slc_read_ns */
	EXPECT_EQ_U64(rd(&m, 0, 4 * KIB, 1000000),
		      1000000 + FR + SR + TC + TL);
	/* LBA 4: group 2, LSB page, native */
	EXPECT_EQ_U64(rd(&m, 16 * KIB, 4 * KIB, 1100000),
		      1100000 + FR + R4L + TC + TL);
	/* LBA 2: slot 2 of PU 0 of group 0, an MSB page, SLC */
	EXPECT_EQ_U64(rd(&m, 8 * KIB, 4 * KIB, 1200000),
		      1200000 + FR + SR + TC + TL);
	conv_model_stats(&m, &st);
	EXPECT_EQ_U64(st.media_write_bytes, 2 * 16 * KIB);
	EXPECT_EQ_U64(m.slc_folds, 0);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/*
 * Group 0 fills (its second PU, SLC), then idle time folds it: 4 pages of
 * k = 2 valid slots read at slc_read_ns, then ceil(8 / 4) = 2 native
 * programs, all on LUN 0 from idle = the last program's end:
 *	W = 4 * (SR + 2 * TC) + 2 * (4 * TC + PROG) = 113920 + 481920
 * A request before idle + W finds no fold; one at or after it does.
 */
#define W_FOLD	(4 * (SR + 2 * TC) + 2 * (4 * TC + PROG))

static void fill_group0(struct conv_model *m)
{
	EXPECT_EQ_INT(conv_model_init(m, &P), 0);
	EXPECT_EQ_U64(wr(m, 0, 16 * KIB, 0), PU_IN + SP);
	EXPECT_EQ_U64(wr(m, 16 * KIB, 16 * KIB, 200000),
		      200000 + PU_IN + PROG);
	/* the cursor is back on LUN 0: PU 1 of group 0, SLC */
	EXPECT_EQ_U64(wr(m, 32 * KIB, 16 * KIB, 2000000),
		      2000000 + PU_IN + SP);
	EXPECT_EQ_U64(m->nr_slc_full, 1);
	EXPECT_EQ_U64(m->idle, 2000000 + PU_IN + SP);
}

static void test_slc_fold(void)
{
	const u64 idle = 2000000 + PU_IN + SP;	/* 2100960 */
	struct conv_model m;
	struct model_stats st;
	u64 now;

	EXPECT_EQ_U64(W_FOLD, 595840);
	/* one ns short of the fold: none, LBA 0 still reads as SLC */
	fill_group0(&m);
	now = idle + W_FOLD - 1;
	EXPECT_EQ_U64(rd(&m, 0, 4 * KIB, now), now + FR + SR + TC + TL);
	EXPECT_EQ_U64(m.slc_folds, 0);
	EXPECT_EQ_U64(m.nr_slc, 1);
	conv_model_exit(&m);

	/* exactly enough: folded, and the read is native */
	fill_group0(&m);
	now = idle + W_FOLD;
	EXPECT_EQ_U64(rd(&m, 0, 4 * KIB, now), now + FR + R4L + TC + TL);
	EXPECT_EQ_U64(m.slc_folds, 1);
	EXPECT_EQ_U64(m.nr_slc, 0);
	EXPECT_EQ_U64(m.nr_slc_full, 0);
	EXPECT_EQ_U64(m.slc[0], 0);
	EXPECT_EQ_U64(m.idle, now + FR + R4L + TC + TL);
	conv_model_stats(&m, &st);
	/* 3 host PUs + 2 fold programs; 8 + 1 slots read */
	EXPECT_EQ_U64(st.media_write_bytes, 5 * 16 * KIB);
	EXPECT_EQ_U64(st.media_read_bytes, 9 * 4 * KIB);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);

	/*
	 * The cache has room again: the next group host data opens is SLC.
	 * Cursor: LUN 1, whose open group 2 takes PU 1 (native, now full).
	 */
	now = 4000000;
	EXPECT_EQ_U64(wr(&m, 48 * KIB, 16 * KIB, now), now + PU_IN + PROG);
	/* LUN 0 opens group 1: SLC */
	now = 5000000;
	EXPECT_EQ_U64(wr(&m, 0, 16 * KIB, now), now + PU_IN + SP);
	EXPECT_EQ_U64(m.slc[1], 1);
	EXPECT_EQ_U64(m.nr_slc, 1);
	conv_model_exit(&m);
}

/* slc_cache_pm = 0: the other slc fields change nothing. */
static void test_slc_off_unchanged(void)
{
	struct conv_params a = P, b = P;
	struct conv_model ma, mb;
	u64 now = 0, x = 12345, ta, tb;
	u32 i;

	a.slc_cache_pm = 0;
	a.slc_prog_ns = 0;
	a.slc_read_ns = 0;
	b.slc_cache_pm = 0;
	b.slc_prog_ns = 1;
	b.slc_read_ns = 77;
	a.buffer_kib = b.buffer_kib = 16;
	EXPECT_EQ_INT(conv_model_init(&ma, &a), 0);
	EXPECT_EQ_INT(conv_model_init(&mb, &b), 0);
	EXPECT_TRUE(mb.slc == NULL);
	for (i = 0; i < 2000; i++) {
		u64 off = ((x >> 8) % 16) * 4 * KIB;
		bool w = x & 1;

		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		ta = w ? wr(&ma, off, 4 * KIB, now) : rd(&ma, off, 4 * KIB, now);
		tb = w ? wr(&mb, off, 4 * KIB, now) : rd(&mb, off, 4 * KIB, now);
		EXPECT_EQ_U64(tb, ta);
		now += (x >> 40) % 300000;
	}
	EXPECT_EQ_U64(mb.slc_folds, 0);
	conv_model_exit(&ma);
	conv_model_exit(&mb);
}

/* A cache smaller than one group is no cache. */
static void test_slc_cap_rounds_down(void)
{
	struct conv_params p = P;
	struct conv_model m;

	p.slc_cache_pm = 499;	/* floor(16 * 499 / 1000) = 7 < G */
	EXPECT_EQ_INT(conv_model_init(&m, &p), 0);
	EXPECT_EQ_U64(m.slc_cap, 0);
	EXPECT_EQ_U64(wr(&m, 0, 16 * KIB, 0), PU_IN + PROG);
	conv_model_exit(&m);
	p.slc_cache_pm = 1000;	/* 2 groups */
	EXPECT_EQ_INT(conv_model_init(&m, &p), 0);
	EXPECT_EQ_U64(m.slc_cap, 2);
	conv_model_exit(&m);
}

static void test_slc_invalid(void)
{
	struct conv_params p = P;

	EXPECT_TRUE(conv_check_params(&p) == NULL);
	p.slc_cache_pm = 1001;
	EXPECT_TRUE(conv_check_params(&p) != NULL);
	p = P;
	p.slc_prog_ns = 0;
	EXPECT_TRUE(conv_check_params(&p) != NULL);
	p.slc_prog_ns = PROG + 1;
	EXPECT_TRUE(conv_check_params(&p) != NULL);
	p.slc_prog_ns = PROG;
	EXPECT_TRUE(conv_check_params(&p) == NULL);
	p.slc_read_ns = 0;
	EXPECT_TRUE(conv_check_params(&p) != NULL);
	p.slc_read_ns = 10000001;
	EXPECT_TRUE(conv_check_params(&p) != NULL);
	p = P;
	p.capacity = 64 * 1024 * KIB;
	p.op_percent = 50;
	p.fdp_rgs = 1;
	p.fdp_ruhs = 1;
	EXPECT_TRUE(conv_check_params(&p) != NULL);
	p.slc_cache_pm = 0;
	EXPECT_TRUE(conv_check_params(&p) == NULL);
}

static const struct unit_test tests[] = {
	UNIT_TEST(slc_then_native),
	UNIT_TEST(slc_fold),
	UNIT_TEST(slc_off_unchanged),
	UNIT_TEST(slc_cap_rounds_down),
	UNIT_TEST(slc_invalid),
};

int main(int argc, char **argv)
{
	return unit_main("unit/slc/", tests, UNIT_ARRAY_SIZE(tests),
			 argc, argv);
}
