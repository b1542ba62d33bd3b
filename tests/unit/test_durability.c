// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_durability.c - the durability op of the conv model (conv.h
 * "Durability"): which program unit (PU) a write waits for, which PU a
 * call made durable, and when.
 *
 * Unless a test says otherwise it uses P, the geometry of test_conv.c: 2
 * channels x 1 LUN (LUN l on channel l), 1 plane, 8 KiB pages, 2-page
 * one-shot (PU = 4 slots), MLC, 4 pages per block (group G = 8 slots, 2
 * PUs), 64 KiB capacity with 50% OP: Ls = 16, T = 4 groups (LUN 0: 0-1,
 * LUN 1: 2-3).  t_c = 10240 ns, t_l = 2000 ns, buffer 32 KiB = 8 slots.
 * A PU programmed on an idle LUN at fill time f ends at f + 4 t_c + PROG.
 */
#include "conv.h"
#include "unit.h"

#define KIB	1024ULL
#define MIB	(1024ULL * KIB)

#define FR	1000ULL		/* fw_read_ns */
#define FW	2000ULL		/* fw_write_ns */
#define FO	500ULL		/* fw_other_ns */
#define R4L	20000ULL
#define R4M	30000ULL
#define RPL	25000ULL
#define RPM	40000ULL
#define PROG	200000ULL
#define ERASE	1000000ULL
#define TC	10240ULL
#define TL	2000ULL
#define PUX	(4 * TC + PROG)	/* a PU's program on an idle LUN */

static const struct conv_params P = {
	.capacity = 64 * KIB, .op_percent = 50,
	.nr_channels = 2, .luns_per_channel = 1, .planes_per_lun = 1,
	.pages_per_block = 4, .page_size = 8192, .oneshot_pages = 2,
	.cell_bits = 2,
	.read_4k_ns = { R4L, R4M }, .read_page_ns = { RPL, RPM },
	.prog_ns = PROG, .erase_ns = ERASE,
	.channel_mbps = 400, .link_mbps = 2048,
	.fw_read_ns = FR, .fw_write_ns = FW, .fw_other_ns = FO,
	.buffer_kib = 32, .gc_policy = CONV_GC_GREEDY,
	.gc_threshold_pct = 0, .bg_gc_threshold_pct = 0,
};

/* The last request's completion and durability. */
static u64 done;
static struct model_durability d;

static void sched(struct conv_model *m, enum model_op op, u64 off, u64 len,
		  u64 now, bool fua)
{
	struct model_req r = { .op = op, .slba_bytes = off, .len = len,
			       .now = now, .fua = fua };

	done = conv_model_schedule(m, &r);
	memset(&d, 0xa5, sizeof(d));
	conv_model_durability(m, &r, &d);
}

static void wr(struct conv_model *m, u64 off, u64 len, u64 now)
{
	sched(m, MODEL_WRITE, off, len, now, false);
}

static void wr_fua(struct conv_model *m, u64 off, u64 len, u64 now)
{
	sched(m, MODEL_WRITE, off, len, now, true);
}

static void flush(struct conv_model *m, u64 now)
{
	sched(m, MODEL_FLUSH, 0, 0, now, false);
}

#define INIT(m, params)	EXPECT_EQ_INT(conv_model_init(&(m), (params)), 0)

#define EXPECT_DUR(at_, wait_, closed_, closed_at_)			\
	do {								\
		EXPECT_EQ_U64(d.at, (at_));				\
		EXPECT_EQ_U64(d.wait, (wait_));				\
		EXPECT_EQ_U64(d.closed, (closed_));			\
		EXPECT_EQ_U64(d.closed_at, (closed_at_));		\
	} while (0)

/*
 * A 4 KiB write waits for PU 1 (LUN 0); 12 KiB more fill it, so it is
 * programmed at the last slot's entry, 108000, and that write is durable
 * when the program ends.  The next write waits for PU 2 (LUN 1), which
 * the flush pads and programs at its ready time.
 */
static void test_buffered_then_flush(void)
{
	struct conv_model m;
	u64 pend1 = 108000 + PUX, pend2 = 300000 + FO + PUX;

	INIT(m, &P);
	EXPECT_TRUE(conv_model_ops.durability != NULL);
	wr(&m, 0, 4096, 0);
	EXPECT_EQ_U64(done, FW + TL);
	EXPECT_DUR(FW + TL, 1, 0, 0);
	/* reads, discards and other ops neither wait nor close */
	sched(&m, MODEL_READ, 0, 4096, 50000, false);
	EXPECT_DUR(50000 + FR + TL, 0, 0, 0);
	sched(&m, MODEL_DISCARD, 15 * 4096, 4096, 60000, false);
	EXPECT_DUR(60000 + FO, 0, 0, 0);
	sched(&m, MODEL_WRITE_ZEROES, 14 * 4096, 4096, 70000, false);
	EXPECT_DUR(70000 + FO, 0, 0, 0);
	sched(&m, MODEL_OTHER, 0, 0, 80000, false);
	EXPECT_DUR(80000 + FO, 0, 0, 0);

	wr(&m, 4096, 12 * KIB, 100000);
	EXPECT_EQ_U64(done, 100000 + FW + 3 * TL);
	EXPECT_EQ_U64(pend1, 348960);
	EXPECT_DUR(pend1, 0, 1, pend1);

	wr(&m, 16 * KIB, 4096, 200000);
	EXPECT_DUR(200000 + FW + TL, 2, 0, 0);
	flush(&m, 300000);
	EXPECT_EQ_U64(done, pend2);
	EXPECT_DUR(pend2, 0, 2, pend2);
	EXPECT_TRUE(done >= d.closed_at);
	/* nothing open: the next flush closes nothing */
	flush(&m, 600000);
	EXPECT_DUR(600000 + FO, 0, 0, 0);
	/* the next PU is number 3 */
	wr(&m, 0, 4096, 700000);
	EXPECT_DUR(700000 + FW + TL, 3, 0, 0);
	conv_model_exit(&m);
}

/*
 * fua: the write's PU is padded, so it waits for nothing and is durable
 * when it completes; a fua write joining an open PU closes it.
 */
static void test_fua(void)
{
	struct conv_model m;
	u64 e = 2000000 + FW + TL;

	INIT(m, &P);
	wr_fua(&m, 0, 4096, 0);
	EXPECT_EQ_U64(done, FW + TL + PUX);
	EXPECT_DUR(FW + TL + PUX, 0, 0, 0);
	wr(&m, 4096, 4096, 1000000);
	EXPECT_DUR(1000000 + FW + TL, 2, 0, 0);
	wr_fua(&m, 8192, 4096, 2000000);
	EXPECT_EQ_U64(done, e + PUX);
	EXPECT_DUR(e + PUX, 0, 2, e + PUX);
	/* fua without data: nothing stored, nothing to wait for */
	wr_fua(&m, 0, 0, 3000000);
	EXPECT_DUR(3000000 + FW, 0, 0, 0);
	conv_model_exit(&m);
}

/* buffer_kib = 0: every write is durable when it completes. */
static void test_no_buffer(void)
{
	struct conv_params p = P;
	struct conv_model m;

	p.buffer_kib = 0;
	INIT(m, &p);
	wr(&m, 0, 4096, 0);
	EXPECT_DUR(FW + TL + PUX, 0, 0, 0);
	wr(&m, 4096, 16 * KIB, 1000000);
	/* slots 1-4 fill PU 2 (LUN 1) at 1010000; nothing stays open */
	EXPECT_EQ_U64(done, 1000000 + FW + 4 * TL + PUX);
	EXPECT_DUR(done, 0, 0, 0);
	wr(&m, 0, 6 * 4096, 2000000);
	EXPECT_DUR(done, 0, 0, 0);
	EXPECT_EQ_U64(m.pu_grp, U32_MAX);
	flush(&m, 3000000);
	EXPECT_DUR(3000000 + FO, 0, 0, 0);
	conv_model_exit(&m);
}

/*
 * A write spanning PUs.  Slot 0 waits for PU 1 (LUN 0).  Slots 1-8 at
 * 100000: slots 1-3 fill PU 1 at 108000 (ends pend1 = 348960), slots 4-7
 * fill PU 2 (LUN 1) at 116000 (ends 356960), slot 8 finds the 8-slot
 * buffer full and waits for PU 1's end, entering PU 3 (LUN 0) at 350960.
 * The write closed PU 1, is durable once PU 2 ends, waits for PU 3.  PU 2
 * was opened and programmed within the call: nobody waits for it.
 */
static void test_multi_pu_write(void)
{
	struct conv_model m;
	u64 pend1 = 108000 + PUX, pend2 = 116000 + PUX;
	u64 e = pend1 + TL, pend3 = 400000 + FO + PUX;

	INIT(m, &P);
	wr(&m, 0, 4096, 0);
	EXPECT_DUR(FW + TL, 1, 0, 0);
	wr(&m, 4096, 32 * KIB, 100000);
	EXPECT_EQ_U64(done, e);
	EXPECT_EQ_U64(e, 350960);
	EXPECT_DUR(pend2, 3, 1, pend1);
	flush(&m, 400000);
	EXPECT_EQ_U64(done, pend3);
	EXPECT_DUR(pend3, 0, 3, pend3);
	conv_model_exit(&m);
}

/*
 * P_GC: P without fw and transfer times, with the buffer.  W1-W5 write a
 * PU each (PUs 1-5): LBAs 0-3 (LUN 0, group 0 PU 0), 4-7 (LUN 1, group 2),
 * 8-11 (group 0 PU 1), 12-15 (group 2 PU 1), 0-3 again (LUN 0 opens group
 * 1; F = 1), each durable PROG after its now.
 */
static void pgc(struct conv_params *p)
{
	*p = P;
	p->fw_read_ns = p->fw_write_ns = p->fw_other_ns = 0;
	p->channel_mbps = p->link_mbps = 0;
}

static int w1_w5(struct conv_model *m)
{
	u64 i;

	for (i = 0; i < 5; i++) {
		wr(m, (i % 4) * 16 * KIB, 16 * KIB, i * 1000000);
		if (done != i * 1000000 || d.at != i * 1000000 + PROG ||
		    d.wait || d.closed)
			return -1;
	}
	return 0;
}

/*
 * Background GC fills the open PU.  After W1-W5, LBA 4 at 4.5e6 opens PU
 * 6 (group 1 PU 1, LUN 0) and waits for it.  A request at 1e7 finds the
 * device idle since 4.5e6 with F = 1 < bg_low = 2: a round on group 0 (4
 * valid: LBAs 8-11) reads page 2 (LSB, 2 slots) [4.5e6, 4.525e6) and page
 * 3 (MSB, 2 slots) [4.525e6, 4.565e6); the copies fill PU 6 at 4.565e6,
 * which programs until 4.765e6.  The request reports PU 6 closed.
 */
static void test_background_gc_closes(void)
{
	struct conv_params p;
	struct conv_model m;
	u64 pend6 = 4500000 + RPL + RPM + PROG;

	pgc(&p);
	p.bg_gc_threshold_pct = 50;
	INIT(m, &p);
	EXPECT_EQ_INT(w1_w5(&m), 0);
	wr(&m, 16 * KIB, 4096, 4500000);
	EXPECT_DUR(4500000, 6, 0, 0);
	sched(&m, MODEL_OTHER, 0, 0, 10000000, false);
	EXPECT_TRUE(m.nand.st.gc_background >= 1);
	EXPECT_EQ_U64(pend6, 4765000);
	EXPECT_DUR(10000000, 0, 6, pend6);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/*
 * Foreground GC: copies and host data share PUs.  After W1-W5, W6 rewrites
 * LBAs 4-7 (PU 6, group 1 PU 1: group 2 keeps LBAs 12-15); LBA 15 is
 * trimmed.  LBA 8 at 5.6e6: LUN 1 must open a group with F = 1, so GC
 * collects group 2: page 2 (LSB, 2 slots) [5.6e6, 5.625e6), page 3 (MSB,
 * 1 slot) [5.625e6, 5.655e6), erase [5.655e6, 6.655e6); the 3 copies open
 * PU 7 in group 3 and LBA 8 fills it: programmed after the erase, ends
 * 6.855e6.  No PU was open at the start and none is left: no wait, no
 * closed, the write is durable at 6.855e6.
 * LBAs 9-11 at 6e6: LUN 0 collects group 0 (LBAs 9-11): page 2 (1 slot)
 * [6e6, 6.02e6), page 3 [6.02e6, 6.06e6), erase [6.06e6, 7.06e6); the
 * copies go to PU 8 (group 3 PU 1), LBA 9 fills it, programmed on LUN 1
 * after PU 7: [6.855e6, 7.055e6); LBAs 10-11 open PU 9 (the erased group
 * 0): the write waits for PU 9 and is durable at 7.055e6 for LBA 9.  The
 * flush at 9e6 pads PU 9: [9e6, 9.2e6).
 */
static void test_foreground_gc(void)
{
	struct conv_params p;
	struct conv_model m;
	u64 pend7 = 5600000 + RPL + R4M + ERASE + PROG;

	pgc(&p);
	INIT(m, &p);
	EXPECT_EQ_INT(w1_w5(&m), 0);
	wr(&m, 16 * KIB, 16 * KIB, 5000000);
	EXPECT_DUR(5000000 + PROG, 0, 0, 0);
	sched(&m, MODEL_DISCARD, 15 * 4096, 4096, 5500000, false);
	EXPECT_DUR(5500000, 0, 0, 0);
	wr(&m, 8 * 4096, 4096, 5600000);
	EXPECT_EQ_U64(done, 5600000);
	EXPECT_EQ_U64(pend7, 6855000);
	EXPECT_DUR(pend7, 0, 0, 0);
	EXPECT_EQ_U64(m.nand.st.gc_foreground, 1);
	wr(&m, 9 * 4096, 3 * 4096, 6000000);
	EXPECT_EQ_U64(m.nand.st.gc_foreground, 2);
	EXPECT_DUR(pend7 + PROG, 9, 0, 0);
	flush(&m, 9000000);
	EXPECT_DUR(9000000 + PROG, 0, 9, 9000000 + PROG);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/* reset keeps the open PU and its number; times restart. */
static void test_reset_keeps_number(void)
{
	struct conv_model m;

	INIT(m, &P);
	wr(&m, 0, 4096, 0);
	EXPECT_DUR(FW + TL, 1, 0, 0);
	conv_model_reset(&m);
	wr(&m, 4096, 4096, 0);
	EXPECT_DUR(FW + TL, 1, 0, 0);
	flush(&m, 10000);
	EXPECT_DUR(10000 + FO + PUX, 0, 1, 10000 + FO + PUX);
	wr(&m, 8192, 4096, 1000000);
	EXPECT_DUR(1000000 + FW + TL, 2, 0, 0);
	conv_model_reset(&m);
	flush(&m, 0);
	EXPECT_DUR(FO + PUX, 0, 2, FO + PUX);
	conv_model_exit(&m);
}

/* A read-only model stores nothing: durable at completion, no wait. */
static void test_read_only(void)
{
	struct conv_model m;

	INIT(m, &P);
	wr(&m, 0, 4096, 0);
	EXPECT_DUR(FW + TL, 1, 0, 0);
	EXPECT_EQ_U64(conv_inject_bad(&m, 1), 1);
	EXPECT_TRUE(m.read_only);
	wr(&m, 4096, 4096, 100000);
	EXPECT_DUR(100000 + FW, 0, 0, 0);
	/* the flush still pads the open PU (no new PU needed) */
	flush(&m, 200000);
	EXPECT_DUR(200000 + FO + PUX, 0, 1, 200000 + FO + PUX);
	conv_model_exit(&m);
}

/* A small LCG for the tests' own randomness. */
static u64 lcg_state;

static u32 lcg(void)
{
	lcg_state = lcg_state * 6364136223846793005ULL +
		    1442695040888963407ULL;
	return (u32)(lcg_state >> 33);
}

/*
 * Random writes, flushes, discards and reads with GC: every PU waited for
 * is closed exactly once, later, by number order, at or after the at of
 * every write that waited for it; after a flush nothing waits and the
 * flush completes after every closed_at and every stored write's at.
 */
static void random_run(const struct conv_params *p, u64 seed, int n)
{
	struct conv_model m;
	u64 now = 0, last_closed = 0, max_closed_at = 0, max_at = 0;
	u64 waiting = 0, waiting_at = 0, nwaits = 0, ncloses = 0;
	int i;

	INIT(m, p);
	lcg_state = seed;
	for (i = 0; i < n; i++) {
		u32 r = lcg() % 100;
		u64 off = (u64)(lcg() % m.lba_slots) * 4096;
		u64 len = (u64)(lcg() % 12 + 1) * 4096;
		bool fua = lcg() % 8 == 0;
		bool stored = false;	/* a write: it always stores */

		now += lcg() % 4 ? lcg() % 20000 : lcg() % 3000000;
		if (r < 60) {
			stored = true;
			sched(&m, MODEL_WRITE, off, len, now, fua);
		} else if (r < 68) {
			flush(&m, now);
		} else if (r < 78) {
			sched(&m, MODEL_DISCARD, off, len, now, false);
		} else if (r < 98) {
			sched(&m, MODEL_READ, off, len, now, false);
		} else {
			sched(&m, MODEL_OTHER, 0, 0, now, false);
		}
		EXPECT_TRUE(done >= now);
		EXPECT_TRUE(d.at >= done);
		if (!stored)
			EXPECT_EQ_U64(d.at, done);
		if (d.closed) {
			EXPECT_TRUE(d.closed > last_closed);
			if (waiting) {
				/* only the open PU may be waited for */
				EXPECT_EQ_U64(d.closed, waiting);
				EXPECT_TRUE(d.closed_at >= waiting_at);
				waiting = 0;
				waiting_at = 0;
				ncloses++;
			}
			last_closed = d.closed;
			if (d.closed_at > max_closed_at)
				max_closed_at = d.closed_at;
		} else {
			EXPECT_EQ_U64(d.closed_at, 0);
		}
		if (d.wait) {
			EXPECT_TRUE(d.wait > d.closed);
			EXPECT_TRUE(!fua && stored);
			EXPECT_TRUE(!waiting || waiting == d.wait);
			EXPECT_EQ_U64(d.wait, m.pu_num);
			EXPECT_TRUE(m.pu_grp != U32_MAX);
			if (!waiting)
				nwaits++;
			waiting = d.wait;
			if (d.at > waiting_at)
				waiting_at = d.at;
		}
		if (stored && d.at > max_at)
			max_at = d.at;
		if (r >= 60 && r < 68) {
			EXPECT_EQ_U64(waiting, 0);
			EXPECT_EQ_U64(m.pu_grp, U32_MAX);
			EXPECT_TRUE(done >= max_closed_at);
			EXPECT_TRUE(done >= max_at);
		}
	}
	flush(&m, now);
	if (d.closed && waiting) {
		EXPECT_EQ_U64(d.closed, waiting);
		EXPECT_TRUE(d.closed_at >= waiting_at);
		ncloses++;
		waiting = 0;
	}
	EXPECT_EQ_U64(waiting, 0);
	EXPECT_EQ_U64(nwaits, ncloses);
	EXPECT_TRUE(nwaits > 100);
	EXPECT_TRUE(m.nand.st.gc_foreground + m.nand.st.gc_background > 0);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

static void test_random_invariants(void)
{
	struct conv_params p = P;

	p.capacity = MIB;
	p.op_percent = 15;
	p.bg_gc_threshold_pct = 10;
	random_run(&p, 1, 20000);
	if (unit_failed_flag)
		return;
	/* a bigger buffer, 2 LUNs per channel, cost-benefit GC */
	p.luns_per_channel = 2;
	p.buffer_kib = 256;
	p.gc_policy = CONV_GC_COST_BENEFIT;
	random_run(&p, 2, 20000);
	if (unit_failed_flag)
		return;
	/* the default drive, small */
	conv_params_default(&p);
	p.capacity = 16 * MIB;
	random_run(&p, 3, 20000);
}

static const struct unit_test tests[] = {
	UNIT_TEST(buffered_then_flush),
	UNIT_TEST(fua),
	UNIT_TEST(no_buffer),
	UNIT_TEST(multi_pu_write),
	UNIT_TEST(background_gc_closes),
	UNIT_TEST(foreground_gc),
	UNIT_TEST(reset_keeps_number),
	UNIT_TEST(read_only),
	UNIT_TEST(random_invariants),
};

int main(int argc, char **argv)
{
	return unit_main("unit/durability/", tests, UNIT_ARRAY_SIZE(tests),
			 argc, argv);
}
