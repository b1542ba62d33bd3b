// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_wear.c - worn NAND in the conv model (ftl/conv.h "Wear"): erase
 * counts, retirement at the rated cycles, injected bad blocks, spare and
 * read only, read errors, and the "GC never runs dry" guarantee while a
 * device wears out.
 *
 * Geometries:
 *   P_GC  test_conv.c's P without fw and transfer times and without a
 *         buffer: 2 LUNs x 2 groups of G = 8 slots (LUN 0: groups 0-1,
 *         LUN 1: groups 2-3), Ls = 16.  floor(Ls / G) = 2, E = 4 - 2 - 1 =
 *         1 extra group, spare0 = ceil(1 / 2) = 1.
 *   P1    P_GC on one LUN with 256 KiB at 100% OP: 16 groups (0-15) of 8
 *         slots, Ls = 64, PU = 4 slots = one 16 KiB write.  floor(Ls / G)
 *         = 8, E = 16 - 8 - 1 = 7, spare0 = 4.
 */
#include "conv.h"
#include "unit.h"

#define KIB	1024ULL
#define MIB	(1024ULL * KIB)
#define GIB	(1024ULL * MIB)

#define PROG	200000ULL
#define ERASE	1000000ULL
#define TR	10000000ULL	/* when the read-error tests read */

static const struct conv_params P_GC = {
	.capacity = 64 * KIB, .op_percent = 50,
	.nr_channels = 2, .luns_per_channel = 1, .planes_per_lun = 1,
	.pages_per_block = 4, .page_size = 8192, .oneshot_pages = 2,
	.cell_bits = 2,
	.read_4k_ns = { 20000, 30000 }, .read_page_ns = { 25000, 40000 },
	.prog_ns = PROG, .erase_ns = ERASE,
	.gc_policy = CONV_GC_GREEDY,
};

static struct conv_params p1(void)
{
	struct conv_params p = P_GC;

	p.nr_channels = 1;
	p.capacity = 256 * KIB;
	p.op_percent = 100;
	return p;
}

static u64 sched(struct conv_model *m, enum model_op op, u64 off, u64 len,
		 u64 now, bool fua)
{
	struct model_req r = { .op = op, .slba_bytes = off, .len = len,
			       .now = now, .fua = fua };

	return conv_model_schedule(m, &r);
}

static u64 wr(struct conv_model *m, u64 off, u64 len, u64 now)
{
	return sched(m, MODEL_WRITE, off, len, now, false);
}

static bool rd_err(struct conv_model *m, u64 off, u64 len, u64 now)
{
	struct model_req r = { .op = MODEL_READ, .slba_bytes = off,
			       .len = len, .now = now };

	conv_model_schedule(m, &r);
	return conv_model_read_error(m, &r);
}

static struct model_health health(struct conv_model *m)
{
	struct model_health h;

	conv_model_health(m, &h);
	return h;
}

static struct model_stats stats(struct conv_model *m)
{
	struct model_stats st;

	conv_model_stats(m, &st);
	return st;
}

#define INIT(m, params)	EXPECT_EQ_INT(conv_model_init(&(m), (params)), 0)

/* A reference splitmix64, to predict the model's draws. */
static u64 ref_state;

static u32 ref_draw(void)
{
	u64 z;

	ref_state += 0x9e3779b97f4a7c15ULL;
	z = ref_state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (u32)(z >> 32);
}

static bool ref_fails(u32 ppm)
{
	return (((u64)ref_draw() * 1000000) >> 32) < ppm;
}

/*
 * The W1-W8 sequence of test_conv.c's gc_full_device_exact on P_GC: W7's
 * GC round erases group 2 (taking the last free group, 3, for its
 * copies), W8's erases group 0.  Returns W7's and W8's completions.
 */
static void w1_w8(struct conv_model *m, u64 *w7, u64 *w8)
{
	wr(m, 0, 16 * KIB, 0);
	wr(m, 16 * KIB, 16 * KIB, 1000000);
	wr(m, 32 * KIB, 16 * KIB, 2000000);
	wr(m, 48 * KIB, 16 * KIB, 3000000);
	wr(m, 0, 16 * KIB, 4000000);
	wr(m, 16 * KIB, 16 * KIB, 5000000);
	*w7 = wr(m, 32 * KIB, 16 * KIB, 6000000);
	*w8 = wr(m, 48 * KIB, 16 * KIB, 8000000);
}

/*
 * Below the rating nothing changes: W1-W8 take the times of
 * gc_full_device_exact with pe_cycles 0 and 2; the erase counts are
 * {1, 0, 1, 0} either way.  Percentage Used with 2 cycles: floor(floor(2 *
 * 100 / 4) / 2) = 25; with 0 it stays 0.
 */
static void test_counts_below_rating(void)
{
	static const u32 pe[] = { 0, 2 };
	struct conv_params p = P_GC;
	struct conv_model m;
	struct model_health h;
	u64 w7, w8;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(pe); i++) {
		p.pe_cycles = pe[i];
		INIT(m, &p);
		EXPECT_EQ_U64(m.spare0, 1);
		w1_w8(&m, &w7, &w8);
		EXPECT_EQ_U64(w7, 7465000);
		EXPECT_EQ_U64(w8, 8000000 + ERASE + PROG);
		EXPECT_EQ_U64(m.erase_cnt[0], 1);
		EXPECT_EQ_U64(m.erase_cnt[1], 0);
		EXPECT_EQ_U64(m.erase_cnt[2], 1);
		EXPECT_EQ_U64(m.erase_cnt[3], 0);
		h = health(&m);
		EXPECT_EQ_U64(h.percent_used, pe[i] ? 25 : 0);
		EXPECT_EQ_U64(h.avail_spare, 100);
		EXPECT_EQ_U64(h.spare_thresh, CONV_SPARE_THRESH_PCT);
		EXPECT_EQ_U64(h.max_erase, 1);
		EXPECT_EQ_U64(h.avg_erase, 0);
		EXPECT_EQ_U64(h.retired_groups, 0);
		EXPECT_TRUE(!h.read_only);
		EXPECT_EQ_U64(stats(&m).erases, 2);
		EXPECT_EQ_INT(conv_check_consistency(&m), 0);
		conv_model_exit(&m);
	}
}

/*
 * pe_cycles 1 on P_GC: W7's round wears group 2 out, but its copies took
 * the last other free group, so group 2 goes back to the free list
 * (deferred) and W7 keeps its time.  W8's round erases group 0 with group
 * 2 free: group 0 retires, the only spare group is gone, and the model is
 * read only within W8, which stores nothing: it completes at its
 * now (no fw time), not waiting for the erase.  Later writes store
 * nothing either; reads, flushes and trims still work.
 */
static void test_retire_and_read_only(void)
{
	struct conv_params p = P_GC;
	struct conv_model m;
	struct model_health h;
	struct model_stats st;
	u64 w7, w8;

	p.pe_cycles = 1;
	INIT(m, &p);
	w1_w8(&m, &w7, &w8);
	EXPECT_EQ_U64(w7, 7465000);
	EXPECT_EQ_U64(m.deferred, 1);
	EXPECT_EQ_U64(w8, 8000000);
	EXPECT_TRUE(m.read_only);
	EXPECT_EQ_U64(m.nr_retired, 1);
	EXPECT_EQ_U64(m.nr_free, 1);	/* group 2 */
	EXPECT_EQ_U64(m.erase_cnt[0], 1);
	EXPECT_EQ_U64(m.erase_cnt[2], 1);
	h = health(&m);
	EXPECT_TRUE(h.read_only);
	EXPECT_EQ_U64(h.avail_spare, 0);
	EXPECT_EQ_U64(h.retired_groups, 1);
	EXPECT_EQ_U64(h.retired_blocks, 1);
	EXPECT_EQ_U64(h.percent_used, 50);
	st = stats(&m);
	EXPECT_EQ_U64(st.erases, 2);
	/* W8 was counted; a write now is not, and stores nothing */
	EXPECT_EQ_U64(st.host_write_bytes, 8 * 16 * KIB);
	EXPECT_EQ_U64(wr(&m, 0, 64 * KIB, 10000000), 10000000);
	EXPECT_EQ_U64(stats(&m).host_write_bytes, 8 * 16 * KIB);
	EXPECT_EQ_U64(stats(&m).media_write_bytes, st.media_write_bytes);
	/* LBA 12's copy is still on group 3 PU 0 (LSB page) */
	EXPECT_EQ_U64(sched(&m, MODEL_READ, 48 * KIB, 4096, 20000000, false),
		      20000000 + 20000);
	EXPECT_EQ_U64(sched(&m, MODEL_FLUSH, 0, 0, 30000000, false),
		      30000000);
	sched(&m, MODEL_DISCARD, 0, 16 * KIB, 30000000, false);
	EXPECT_EQ_U64(m.valid[1], 4);
	EXPECT_EQ_U64(m.place_failures, 0);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/*
 * P1, filled with 16 KiB writes (groups 0-7 hold LBAs 0-63), then
 * overwritten in order from LBA 0 until one group is free: groups 8-14
 * take LBAs 0-55, groups 0-6 hold no valid data, group 15 is free.
 */
static void p1_to_one_free(struct conv_model *m, u64 *t)
{
	u64 i;

	for (i = 0; i < 16 + 14; i++)
		*t = wr(m, (i % 16) * 16 * KIB, 16 * KIB, *t);
}

/*
 * Retirement at exactly pe_cycles.  P1 from p1_to_one_free() with
 * pe_cycles 1: the next write needs a group, F = 1 < 2, so GC erases the
 * empty groups 0, 1, 2, ... (greedy: fewest valid, then lowest id); each
 * reaches 1 erase, retires (group 15 is still free), until the fourth
 * uses up spare0 = 4 and the write stores nothing.  With pe_cycles 2 the
 * same write erases group 0 only, which goes back to the free list.
 */
static void test_retire_at_rating(void)
{
	struct conv_params p = p1();
	struct conv_model m;
	u64 t = 0, g;

	p.pe_cycles = 1;
	INIT(m, &p);
	EXPECT_EQ_U64(m.nr_groups, 16);
	EXPECT_EQ_U64(m.spare0, 4);
	p1_to_one_free(&m, &t);
	EXPECT_EQ_U64(m.nr_free, 1);
	EXPECT_EQ_U64(m.free_head[0], 15);
	EXPECT_EQ_U64(stats(&m).erases, 0);
	EXPECT_EQ_U64(wr(&m, 56 * 4096, 16 * KIB, t), t);
	EXPECT_TRUE(m.read_only);
	EXPECT_EQ_U64(m.nr_retired, 4);
	for (g = 0; g < 16; g++)
		EXPECT_EQ_U64(m.erase_cnt[g], g < 4);
	EXPECT_EQ_U64(m.deferred, 0);
	EXPECT_EQ_U64(m.nr_free, 1);
	EXPECT_EQ_U64(health(&m).avail_spare, 0);
	/* sum 4 * 100 / 16 groups = 25, / 1 cycle */
	EXPECT_EQ_U64(health(&m).percent_used, 25);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);

	p.pe_cycles = 2;
	INIT(m, &p);
	t = 0;
	p1_to_one_free(&m, &t);
	/* one erase on LUN 0, then the PU program: t + ERASE + PROG */
	EXPECT_EQ_U64(wr(&m, 56 * 4096, 16 * KIB, t), t + ERASE + PROG);
	EXPECT_TRUE(!m.read_only);
	EXPECT_EQ_U64(m.nr_retired, 0);
	EXPECT_EQ_U64(m.erase_cnt[0], 1);
	EXPECT_EQ_U64(m.nr_free, 1);
	EXPECT_EQ_U64(health(&m).percent_used, 3);	/* 100 / 16 / 2 */
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/*
 * Sequential overwrites copy nothing, so every worn victim retires at the
 * erase that reaches the rating (never deferred): at every step a retired
 * group has exactly pe_cycles erases and a group in service fewer, and
 * the model turns read only in the write that retires the fourth group.
 */
static void test_retire_exactly_in_sequence(void)
{
	struct conv_params p = p1();
	struct conv_model m;
	u64 t = 0, i, g, writes = 0;
	u32 prev;

	p.pe_cycles = 3;
	INIT(m, &p);
	for (i = 0; i < 16; i++)
		t = wr(&m, i * 16 * KIB, 16 * KIB, t);
	for (i = 0; !m.read_only && i < 100000; i++) {
		prev = m.nr_retired;
		t = wr(&m, (i % 16) * 16 * KIB, 16 * KIB, t);
		writes++;
		for (g = 0; g < m.nr_groups; g++) {
			if (m.state[g] == 3)	/* CONV_GRP_RETIRED */
				EXPECT_EQ_U64(m.erase_cnt[g], 3);
			else
				EXPECT_TRUE(m.erase_cnt[g] < 3);
		}
		EXPECT_TRUE(m.read_only == (m.nr_retired >= 4));
		EXPECT_TRUE(!m.read_only || prev < 4);
		EXPECT_EQ_U64(health(&m).avail_spare,
			      (4 - (m.nr_retired < 4 ? m.nr_retired : 4)) *
			      25);
		EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	}
	EXPECT_TRUE(m.read_only);
	EXPECT_EQ_U64(m.nr_retired, 4);
	EXPECT_EQ_U64(m.deferred, 0);
	EXPECT_EQ_U64(m.place_failures, 0);
	EXPECT_TRUE(writes > 16 * 3);
	conv_model_exit(&m);
}

/*
 * Injected bad blocks on a fresh P1 (16 free groups on LUN 0, spare0 =
 * 4): free groups retire at once from the head of the list, Available
 * Spare ceil(100 * spare / 4): 75, 50, 25, then 0 and read only; nothing
 * more is marked after that.
 */
static void test_inject_free(void)
{
	struct conv_params p = p1();
	struct conv_model m;
	struct model_health h;

	INIT(m, &p);
	EXPECT_EQ_U64(conv_inject_bad(&m, 1), 1);
	EXPECT_EQ_U64(m.state[0], 3);
	EXPECT_EQ_U64(m.free_head[0], 1);
	EXPECT_EQ_U64(m.nr_free, 15);
	EXPECT_EQ_U64(health(&m).avail_spare, 75);
	EXPECT_EQ_U64(conv_inject_bad(&m, 2), 2);
	h = health(&m);
	EXPECT_EQ_U64(h.avail_spare, 25);
	EXPECT_EQ_U64(h.retired_groups, 3);
	EXPECT_EQ_U64(h.percent_used, 0);
	EXPECT_EQ_U64(h.max_erase, 0);
	EXPECT_TRUE(!h.read_only);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	EXPECT_EQ_U64(conv_inject_bad(&m, 5), 1);
	EXPECT_TRUE(health(&m).read_only);
	EXPECT_EQ_U64(health(&m).avail_spare, 0);
	EXPECT_EQ_U64(conv_inject_bad(&m, 5), 0);
	EXPECT_EQ_U64(m.nr_free, 12);
	EXPECT_EQ_U64(m.free_head[0], 4);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	/* the ops table reaches the same code */
	EXPECT_EQ_U64(conv_model_ops.inject_bad(&m, 1), 0);
	conv_model_exit(&m);

	/* two LUNs: the LUN with more free groups gives first */
	p = P_GC;
	p.capacity = 2 * MIB;
	INIT(m, &p);
	EXPECT_EQ_U64(m.nr_luns, 2);
	wr(&m, 0, 16 * KIB, 0);		/* opens LUN 0's first group */
	EXPECT_EQ_U64(conv_inject_bad(&m, 1), 1);
	EXPECT_EQ_U64(m.state[m.blocks_per_plane], 3);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/*
 * With one free group left, injection marks groups holding data (lowest
 * id first; the empty full groups 0-6 of p1_to_one_free() count) and they
 * retire when GC erases them: the next write's GC erases group 0 (bad:
 * retired), group 1 (bad: retired), then group 2 (freed, F = 2); three
 * erases on LUN 0 back to back, then the PU program.
 */
static void test_inject_data_groups(void)
{
	struct conv_params p = p1();
	struct conv_model m;
	u64 t = 0;

	INIT(m, &p);
	p1_to_one_free(&m, &t);
	EXPECT_EQ_U64(conv_inject_bad(&m, 2), 2);
	EXPECT_EQ_U64(m.nr_bad, 2);
	EXPECT_TRUE(m.bad[0] && m.bad[1] && !m.bad[2]);
	EXPECT_EQ_U64(m.nr_retired, 0);
	EXPECT_EQ_U64(health(&m).avail_spare, 100);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	EXPECT_EQ_U64(wr(&m, 56 * 4096, 16 * KIB, t), t + 3 * ERASE + PROG);
	EXPECT_EQ_U64(m.nr_retired, 2);
	EXPECT_EQ_U64(m.nr_bad, 0);
	EXPECT_EQ_U64(m.state[0], 3);
	EXPECT_EQ_U64(m.state[1], 3);
	EXPECT_EQ_U64(m.erase_cnt[2], 1);
	EXPECT_EQ_U64(health(&m).avail_spare, 50);
	EXPECT_EQ_U64(health(&m).retired_groups, 2);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/*
 * Read errors on P_GC with pe_cycles 2 after W1-W8: groups 0 and 2 have 1
 * erase (1 + 1 >= 2: failing), 1 and 3 none.  LBAs 12-15 are on group 0,
 * LBAs 0-7 on group 1, 8-11 on group 3.  ppm 1000000 fails every read
 * touching LBAs 12-15 and none other; ppm 0 never fails.
 */
static void test_read_errors_edges(void)
{
	struct conv_params p = P_GC;
	struct conv_model m;
	u64 w7, w8, lba;
	int i;

	p.pe_cycles = 2;
	p.read_error_ppm = 1000000;
	INIT(m, &p);
	w1_w8(&m, &w7, &w8);
	for (i = 0; i < 3; i++) {
		for (lba = 0; lba < 16; lba++)
			EXPECT_EQ_INT(rd_err(&m, lba * 4096, 4096, TR),
				      lba >= 12);
		EXPECT_TRUE(rd_err(&m, 0, 64 * KIB, TR));
		EXPECT_TRUE(!rd_err(&m, 0, 48 * KIB, TR));
	}
	EXPECT_EQ_U64(health(&m).read_errors, 3 * 4 + 3);
	/* only reads fail */
	{
		struct model_req r = { .op = MODEL_WRITE, .len = 64 * KIB };

		EXPECT_TRUE(!conv_model_read_error(&m, &r));
		EXPECT_TRUE(!conv_model_ops.read_error(&m, &r));
		r.op = MODEL_READ;
		EXPECT_TRUE(conv_model_ops.read_error(&m, &r));
	}
	conv_model_exit(&m);

	p.read_error_ppm = 0;
	INIT(m, &p);
	w1_w8(&m, &w7, &w8);
	for (i = 0; i < 100; i++)
		EXPECT_TRUE(!rd_err(&m, 0, 64 * KIB, TR));
	EXPECT_EQ_U64(health(&m).read_errors, 0);
	EXPECT_EQ_U64(m.rng, 0);	/* nothing drawn */
	conv_model_exit(&m);

	/* no rating and nothing bad: nothing fails */
	p.pe_cycles = 0;
	p.read_error_ppm = 1000000;
	INIT(m, &p);
	w1_w8(&m, &w7, &w8);
	EXPECT_TRUE(!rd_err(&m, 0, 64 * KIB, TR));
	/* an injected bad group with data fails, though */
	EXPECT_EQ_U64(conv_inject_bad(&m, 1), 1);
	EXPECT_EQ_U64(m.bad[0], 1);
	EXPECT_TRUE(rd_err(&m, 48 * KIB, 4096, TR));
	EXPECT_TRUE(!rd_err(&m, 0, 48 * KIB, TR));
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/* Unwritten slots and slots still in the open PU never fail. */
static void test_read_errors_unmapped_and_buffer(void)
{
	struct conv_params p = P_GC;
	struct conv_model m;

	p.pe_cycles = 1;	/* every group is in its last cycle */
	p.read_error_ppm = 1000000;
	p.buffer_kib = 16;
	INIT(m, &p);
	EXPECT_TRUE(!rd_err(&m, 0, 64 * KIB, 0));
	wr(&m, 0, 8 * KIB, 0);		/* half a PU: buffered */
	EXPECT_EQ_U64(m.pu_fill, 2);
	EXPECT_TRUE(!rd_err(&m, 0, 64 * KIB, 1000));
	wr(&m, 8 * KIB, 8 * KIB, 2000);	/* PU full: programmed */
	EXPECT_TRUE(rd_err(&m, 0, 4096, 3000));
	EXPECT_TRUE(!rd_err(&m, 16 * KIB, 48 * KIB, 4000));
	conv_model_exit(&m);
}

/*
 * The same seed gives the same errors, predicted by a reference
 * splitmix64: one draw per failing slot until the first failure.  LBAs
 * 8-15 read together: 8-11 are healthy (no draw), 12-15 draw until one
 * fails.
 */
static void test_read_errors_seeded(void)
{
	static const u32 seeds[] = { 0, 1, 12345, 0xffffffffU };
	struct conv_params p = P_GC;
	struct conv_model a, b;
	u64 w7, w8;
	int i, k, fails;
	size_t s;
	bool want;

	p.pe_cycles = 2;
	p.read_error_ppm = 250000;
	for (s = 0; s < UNIT_ARRAY_SIZE(seeds); s++) {
		p.seed = seeds[s];
		INIT(a, &p);
		INIT(b, &p);
		w1_w8(&a, &w7, &w8);
		w1_w8(&b, &w7, &w8);
		ref_state = seeds[s];
		fails = 0;
		for (i = 0; i < 2000; i++) {
			if (i % 2) {
				want = ref_fails(p.read_error_ppm);
				EXPECT_EQ_INT(rd_err(&a, 12 * 4096, 4096, TR),
					      want);
				EXPECT_EQ_INT(rd_err(&b, 12 * 4096, 4096, TR),
					      want);
			} else {
				for (want = false, k = 0; k < 4 && !want; k++)
					want = ref_fails(p.read_error_ppm);
				EXPECT_EQ_INT(rd_err(&a, 8 * 4096, 32 * KIB,
						     TR), want);
				EXPECT_EQ_INT(rd_err(&b, 8 * 4096, 32 * KIB,
						     TR), want);
			}
			fails += want;
		}
		EXPECT_EQ_U64(a.rng, ref_state);
		EXPECT_EQ_U64(health(&a).read_errors, fails);
		EXPECT_EQ_U64(health(&b).read_errors, fails);
		/* 1000 reads at 25%, 1000 at 1 - 0.75^4 = 68%: ~930 */
		EXPECT_TRUE(fails > 800 && fails < 1100);
		conv_model_exit(&a);
		conv_model_exit(&b);
	}
}

/* A small LCG for the workloads (never rand()). */
static u64 lcg_state;

static u32 lcg(void)
{
	lcg_state = lcg_state * 6364136223846793005ULL +
		    1442695040888963407ULL;
	return (u32)(lcg_state >> 33);
}

/*
 * Wear a device out: random 4 KiB..64 KiB writes (pattern 0), with trims
 * (1), hot/cold (2), with flushes, fua and reads, and with @inject bad
 * groups injected now and then, until read only; then 1000 more commands
 * of every kind.  Consistency every 4096 slots and at the end;
 * place_failures stays 0.  Returns 0 or a negative code.
 */
static int wear_out(const struct conv_params *p, int pat, u64 seed,
		    bool inject)
{
	struct conv_model m;
	struct model_stats st;
	u64 t = 0, written = 0, n, lba, len, host;
	int err = 0, i;
	u32 r;

	if (conv_model_init(&m, p))
		return -100;
	n = m.lba_slots;
	lcg_state = seed;
	while (!m.read_only && !err) {
		len = 1 + lcg() % 16;
		r = lcg();
		if (pat == 2)
			lba = (r % 10) ? lcg() % (n / 10 + 1) : lcg() % n;
		else
			lba = lcg() % n;
		if (lba + len > n)
			len = n - lba;
		if (pat == 1 && r % 4 == 0) {
			t = sched(&m, MODEL_DISCARD, lba * 4096,
				  len * 4096 * 8, t, false);
			continue;
		}
		if (r % 64 == 1)
			t = sched(&m, MODEL_FLUSH, 0, 0, t, false);
		if (r % 16 == 5)
			t = sched(&m, MODEL_READ, lba * 4096, len * 4096, t,
				  false);
		if (inject && r % 4096 == 7)
			conv_inject_bad(&m, 1 + lcg() % 2);
		t = sched(&m, MODEL_WRITE, lba * 4096, len * 4096, t,
			  r % 32 == 3);
		/* idle gaps now and then, for background GC */
		if (r % 128 == 9)
			t += 50000000;
		written += len;
		if ((written & 4095) < len)
			err = conv_check_consistency(&m);
		if (written > 2000 * n)
			err = -101;	/* never wore out */
	}
	if (!err && m.nr_retired != m.spare0)
		err = -102;
	st = stats(&m);
	host = st.host_write_bytes;
	for (i = 0; i < 1000 && !err; i++) {
		lba = lcg() % n;
		t = sched(&m, (enum model_op)(lcg() % 6), lba * 4096,
			  (1 + lcg() % 16) * 4096, t, lcg() & 1);
	}
	if (!err && stats(&m).host_write_bytes != host)
		err = -103;
	if (!err && stats(&m).erases != st.erases)
		err = -104;
	if (!err)
		err = conv_check_consistency(&m);
	if (!err && m.place_failures)
		err = -105;
	conv_model_exit(&m);
	return err;
}

/*
 * GC never runs dry while a device wears out, on a roomy and on the
 * tightest geometries (as test_conv.c's never_runs_dry), with greedy and
 * cost-benefit GC, background GC, and injected bad blocks.
 */
static void test_wear_out_never_runs_dry(void)
{
	struct conv_params g[6];
	int i, pat, err;
	u64 seed;

	g[0] = P_GC;
	g[0].capacity = 2 * MIB;
	g[0].op_percent = 7;
	g[0].buffer_kib = 32;
	g[0].pe_cycles = 5;
	g[1] = g[0];
	g[1].op_percent = 1;
	g[1].gc_policy = CONV_GC_COST_BENEFIT;
	g[1].bg_gc_threshold_pct = 20;
	g[1].pe_cycles = 3;
	if (conv_min_capacity(&g[1]) > g[1].capacity)
		g[1].capacity = conv_min_capacity(&g[1]);
	g[2] = g[0];
	g[2].nr_channels = 1;
	g[2].op_percent = 1;
	g[2].capacity = conv_min_capacity(&g[2]);
	g[2].buffer_kib = 0;
	g[2].pe_cycles = 4;
	conv_params_default(&g[3]);
	g[3].capacity = 32 * MIB;
	g[3].nr_channels = 2;
	g[3].luns_per_channel = 2;
	g[3].pages_per_block = 24;
	g[3].op_percent = 3;
	g[3].pe_cycles = 3;
	g[3].read_error_ppm = 1000;
	/* lots of spare: dozens of groups retire before read only */
	g[4] = g[0];
	g[4].op_percent = 100;
	g[5] = g[3];
	g[5].op_percent = 40;
	g[5].gc_policy = CONV_GC_COST_BENEFIT;
	g[5].bg_gc_threshold_pct = 10;
	g[5].pe_cycles = 8;
	for (i = 0; i < 6; i++) {
		if (conv_check_params(&g[i]))
			FAIL("geometry %d: %s", i, conv_check_params(&g[i]));
		for (pat = 0; pat < 3; pat++) {
			for (seed = 1; seed <= 2; seed++) {
				err = wear_out(&g[i], pat, seed * 7919 + pat,
					       seed == 2);
				if (err)
					FAIL("geometry %d pattern %d seed %llu: %d",
					     i, pat, (unsigned long long)seed,
					     err);
			}
		}
	}
}

/*
 * The presets carry a rating; their spare at 1 GiB: the default drive has
 * T = 384 groups of 768 slots for Ls = 262144: E = 384 - 341 - 1 = 42,
 * spare0 = 21.  Fresh: 0% used, 100% spare.
 */
static void test_presets_and_defaults(void)
{
	static const struct conv_params pre[] = {
		CONV_PARAMS_DEFAULT_INIT, CONV_PARAMS_MLC_970PRO,
		CONV_PARAMS_TLC_DC, CONV_PARAMS_QLC,
	};
	static const u32 rated[] = { 3000, 6000, 7000, 1000 };
	struct conv_params p;
	struct conv_model m;
	struct model_health h;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(pre); i++) {
		EXPECT_EQ_U64(pre[i].pe_cycles, rated[i]);
		EXPECT_EQ_U64(pre[i].read_error_ppm, 0);
	}
	conv_params_default(&p);
	EXPECT_EQ_U64(p.pe_cycles, 3000);
	INIT(m, NULL);
	EXPECT_EQ_U64(m.spare0, 21);
	h = health(&m);
	EXPECT_EQ_U64(h.percent_used, 0);
	EXPECT_EQ_U64(h.avail_spare, 100);
	EXPECT_EQ_U64(h.spare_thresh, 10);
	EXPECT_TRUE(!h.read_only);
	EXPECT_TRUE(conv_model_ops.health != NULL);
	conv_model_ops.health(&m, &h);
	EXPECT_EQ_U64(h.avail_spare, 100);
	conv_model_exit(&m);
	/* the other models report no wear */
	EXPECT_TRUE(nvm_model_ops.health == NULL);
	EXPECT_TRUE(nvm_model_ops.read_error == NULL);
	EXPECT_TRUE(zns_timing_ops.health == NULL);
	EXPECT_TRUE(zns_timing_ops.inject_bad == NULL);
}

/* The new fields' ranges. */
static void test_params(void)
{
	struct conv_params p = P_GC;
	const char *why;

	p.pe_cycles = CONV_MAX_PE_CYCLES;
	p.read_error_ppm = CONV_MAX_READ_ERROR_PPM;
	p.seed = U32_MAX;
	EXPECT_TRUE(conv_check_params(&p) == NULL);
	p.pe_cycles++;
	why = conv_check_params(&p);
	EXPECT_TRUE(why && strstr(why, "pe_cycles"));
	p.pe_cycles = 1;
	p.read_error_ppm++;
	why = conv_check_params(&p);
	EXPECT_TRUE(why && strstr(why, "read_error_ppm"));
}

static const struct unit_test tests[] = {
	UNIT_TEST(counts_below_rating),
	UNIT_TEST(retire_and_read_only),
	UNIT_TEST(retire_at_rating),
	UNIT_TEST(retire_exactly_in_sequence),
	UNIT_TEST(inject_free),
	UNIT_TEST(inject_data_groups),
	UNIT_TEST(read_errors_edges),
	UNIT_TEST(read_errors_unmapped_and_buffer),
	UNIT_TEST(read_errors_seeded),
	UNIT_TEST(wear_out_never_runs_dry),
	UNIT_TEST(presets_and_defaults),
	UNIT_TEST(params),
};

int main(int argc, char **argv)
{
	return unit_main("unit/wear/", tests, UNIT_ARRAY_SIZE(tests),
			 argc, argv);
}
