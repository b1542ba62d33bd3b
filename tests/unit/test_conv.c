// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_conv.c - tests for the conventional NAND SSD model (ftl/conv.c):
 * exact completion times by the rules of conv.h, GC and its guarantees,
 * metadata budget, parameters.
 *
 * Unless a test says otherwise it uses P: 2 channels x 1 LUN (LUN l on
 * channel l), 1 plane, 8 KiB pages (2 slots), 2-page one-shot (PU = 4
 * slots), MLC (page types LSB, MSB), 4 pages per block (group G = 8 slots,
 * 2 PUs), 64 KiB capacity with 50% OP: Ls = 16, B = 2, T = 4 groups (LUN 0:
 * groups 0-1, LUN 1: groups 2-3).  t_c = 4096000 / 400 = 10240 ns,
 * t_l = 4096000 / 2048 = 2000 ns.  Buffer 32 KiB = 8 slots.
 */
#include <time.h>

#include "conv.h"
#include "unit.h"

#define KIB	1024ULL
#define MIB	(1024ULL * KIB)
#define GIB	(1024ULL * MIB)

#define FR	1000ULL		/* fw_read_ns */
#define FW	2000ULL		/* fw_write_ns */
#define FO	500ULL		/* fw_other_ns */
#define R4L	20000ULL	/* read_4k_ns[LSB] */
#define R4M	30000ULL	/* read_4k_ns[MSB] */
#define RPL	25000ULL	/* read_page_ns[LSB] */
#define RPM	40000ULL	/* read_page_ns[MSB] */
#define PROG	200000ULL
#define ERASE	1000000ULL
#define TC	10240ULL	/* ns per slot on a channel */
#define TL	2000ULL		/* ns per slot on the link */

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

static u64 sched(struct conv_model *m, enum model_op op, u64 off, u64 len,
		 u64 now, bool fua)
{
	struct model_req r = { .op = op, .slba_bytes = off, .len = len,
			       .now = now, .fua = fua };

	return conv_model_schedule(m, &r);
}

static u64 rd(struct conv_model *m, u64 off, u64 len, u64 now)
{
	return sched(m, MODEL_READ, off, len, now, false);
}

static u64 wr(struct conv_model *m, u64 off, u64 len, u64 now)
{
	return sched(m, MODEL_WRITE, off, len, now, false);
}

static u64 wr_fua(struct conv_model *m, u64 off, u64 len, u64 now)
{
	return sched(m, MODEL_WRITE, off, len, now, true);
}

static u64 flush(struct conv_model *m, u64 now)
{
	return sched(m, MODEL_FLUSH, 0, 0, now, false);
}

static u64 trim(struct conv_model *m, u64 off, u64 len, u64 now)
{
	return sched(m, MODEL_DISCARD, off, len, now, false);
}

static struct model_stats stats(struct conv_model *m)
{
	struct model_stats st;

	conv_model_stats(m, &st);
	return st;
}

#define INIT(m, params)	EXPECT_EQ_INT(conv_model_init(&(m), (params)), 0)

/*
 * Write slots 0..7 (PU 0: LUN 0 group 0, PU 1: LUN 1 group 2), flush, then
 * reset so every resource is idle and the data sits on NAND.  Slot i of
 * PU 0 is on page i / 2 (page 0 LSB, page 1 MSB).
 */
static int fill8(struct conv_model *m)
{
	if (wr(m, 0, 32 * KIB, 0) == U64_MAX)
		return -1;
	flush(m, 0);
	conv_model_reset(m);
	return conv_check_consistency(m);
}

/* Defaults: the documented drive; init(NULL) uses it at 1 GiB. */
static void test_defaults(void)
{
	struct conv_params p;
	struct conv_model m;

	memset(&p, 0xff, sizeof(p));
	conv_params_default(&p);
	EXPECT_EQ_U64(p.capacity, GIB);
	EXPECT_EQ_U64(p.nr_channels, 8);
	EXPECT_EQ_U64(p.luns_per_channel, 4);
	EXPECT_EQ_U64(p.planes_per_lun, 2);
	EXPECT_EQ_U64(p.page_size, 16384);
	EXPECT_EQ_U64(p.oneshot_pages, 3);
	EXPECT_EQ_U64(p.cell_bits, 3);
	EXPECT_EQ_U64(p.op_percent, 7);
	EXPECT_TRUE(conv_check_params(&p) == NULL);
	INIT(m, NULL);
	EXPECT_EQ_U64(m.lba_slots, GIB / 4096);
	EXPECT_EQ_U64(m.nr_luns, 32);
	EXPECT_EQ_U64(m.pu_slots, 2 * 3 * 4);
	EXPECT_EQ_U64(m.grp_slots, 2 * 96 * 4);
	/* raw = 1.07 GiB in whole 96 MiB lines: 12 lines, 1152 MiB */
	EXPECT_EQ_U64(m.blocks_per_plane, 12);
	EXPECT_EQ_U64(m.t_ch, 5120);
	EXPECT_EQ_U64(m.t_link, 1171);
	EXPECT_TRUE(conv_model_volatile_cache(&m));
	/* a lone 4 KiB write lands in the buffer: fw + t_l */
	EXPECT_EQ_U64(wr(&m, 0, 4096, 1000), 1000 + 4000 + 1171);
	conv_model_exit(&m);
}

/* The derived geometry of P. */
static void test_geometry(void)
{
	struct conv_model m;

	INIT(m, &P);
	EXPECT_EQ_U64(m.lba_slots, 16);
	EXPECT_EQ_U64(m.blocks_per_plane, 2);
	EXPECT_EQ_U64(m.nr_groups, 4);
	EXPECT_EQ_U64(m.phys_slots, 32);
	EXPECT_EQ_U64(m.pu_slots, 4);
	EXPECT_EQ_U64(m.grp_slots, 8);
	EXPECT_EQ_U64(m.t_ch, TC);
	EXPECT_EQ_U64(m.t_link, TL);
	EXPECT_EQ_U64(m.nr_free, 4);
	EXPECT_EQ_U64(m.gc_low, 1);
	/* L2P: ceil(log2(33)) = 6 bits; reverse map: log2(16) = 4 bits */
	EXPECT_EQ_U64(m.l2p_bits, 6);
	EXPECT_EQ_U64(m.rev_bits + m.rev_drop, 4);
	conv_model_exit(&m);
}

/* A read on an idle die: fw + tR + k * t_c + k * t_l, tR by page type. */
static void test_read_idle_die(void)
{
	struct conv_model m;

	INIT(m, &P);
	EXPECT_EQ_INT(fill8(&m), 0);
	/* slot 0: LSB page, one slot: read_4k_ns[LSB] */
	EXPECT_EQ_U64(rd(&m, 0, 4096, 10000000),
		      10000000 + FR + R4L + TC + TL);
	conv_model_reset(&m);
	/* slot 2: MSB page */
	EXPECT_EQ_U64(rd(&m, 2 * 4096, 4096, 0), FR + R4M + TC + TL);
	conv_model_reset(&m);
	/* slots 0-1: one LSB page, two slots: read_page_ns */
	EXPECT_EQ_U64(rd(&m, 0, 8192, 0), FR + RPL + 2 * TC + 2 * TL);
	conv_model_reset(&m);
	/* 512 bytes in the middle of slot 3 cost a whole slot (MSB) */
	EXPECT_EQ_U64(rd(&m, 3 * 4096 + 1024, 512, 0), FR + R4M + TC + TL);
	EXPECT_EQ_U64(stats(&m).media_read_bytes, 5 * 4096);
	EXPECT_EQ_U64(stats(&m).host_read_bytes, 4096 + 4096 + 8192 + 512);
	conv_model_exit(&m);
}

/* Two reads on one die: the second starts when the first's data is out. */
static void test_two_reads_one_die(void)
{
	struct conv_model m;
	u64 first = FR + R4L + TC;	/* end of the first channel transfer */

	INIT(m, &P);
	EXPECT_EQ_INT(fill8(&m), 0);
	EXPECT_EQ_U64(rd(&m, 0, 4096, 0), first + TL);
	/* slot 2 (MSB), LUN 0 again: waits for LUN 0 */
	EXPECT_EQ_U64(rd(&m, 2 * 4096, 4096, 0), first + R4M + TC + TL);
	/* one request, two pages of LUN 0: page 0 then page 1 */
	conv_model_reset(&m);
	EXPECT_EQ_U64(rd(&m, 0, 16 * KIB, 0),
		      FR + RPL + 2 * TC + RPM + 2 * TC + 2 * TL);
	conv_model_exit(&m);
}

/* Two reads on different dies and channels run in parallel. */
static void test_two_reads_two_dies(void)
{
	struct conv_params p = P;
	struct conv_model m;

	INIT(m, &P);
	EXPECT_EQ_INT(fill8(&m), 0);
	EXPECT_EQ_U64(rd(&m, 0, 4096, 0), FR + R4L + TC + TL);
	/* slot 4: LUN 1, channel 1; only the link is shared */
	EXPECT_EQ_U64(rd(&m, 4 * 4096, 4096, 0), FR + R4L + TC + 2 * TL);
	conv_model_exit(&m);

	/* with an instantaneous link both end together */
	p.link_mbps = 0;
	INIT(m, &p);
	EXPECT_EQ_INT(fill8(&m), 0);
	EXPECT_EQ_U64(rd(&m, 0, 4096, 0), FR + R4L + TC);
	EXPECT_EQ_U64(rd(&m, 4 * 4096, 4096, 0), FR + R4L + TC);
	conv_model_exit(&m);
}

/* Same channel, different LUNs: tR overlaps, transfers take turns. */
static void test_two_dies_one_channel(void)
{
	struct conv_params p = P;
	struct conv_model m;

	p.nr_channels = 1;
	p.luns_per_channel = 2;
	p.link_mbps = 0;
	INIT(m, &p);
	EXPECT_EQ_INT(fill8(&m), 0);
	EXPECT_EQ_U64(rd(&m, 0, 4096, 0), FR + R4L + TC);
	/* LUN 1: tR in parallel, channel busy until FR + R4L + TC */
	EXPECT_EQ_U64(rd(&m, 4 * 4096, 4096, 0), FR + R4L + 2 * TC);
	conv_model_exit(&m);
}

/* Unmapped slots take no NAND time: fw + k * t_l. */
/*
 * Independent plane reads (plane_reads, nand.h "Timelines").  P with 2
 * planes: PU = 2 planes x 2 pages x 2 slots = 8 slots on one LUN, G = 16
 * slots; 96 KiB capacity (Ls = 24, B = 2, T = 4, S = 40 > G).  Slots 0..7
 * of the first PU (LUN 0): 0-1 plane 0 LSB, 2-3 plane 0 MSB, 4-5 plane 1
 * LSB, 6-7 plane 1 MSB.
 */
static void plane_params(struct conv_params *p, u32 plane_reads)
{
	*p = P;
	p->planes_per_lun = 2;
	p->capacity = 96 * KIB;
	p->plane_reads = plane_reads;
}

static void test_plane_reads(void)
{
	struct conv_params p;
	struct conv_model m;
	u64 a = FR + R4L + TC;	/* end of the first read's transfer */
	u32 pr;

	for (pr = 0; pr <= 1; pr++) {
		plane_params(&p, pr);
		INIT(m, &p);
		EXPECT_EQ_U64(m.pu_slots, 8);
		EXPECT_EQ_U64(wr(&m, 0, 32 * KIB, 0), FW + 8 * TL);
		flush(&m, 0);
		conv_model_reset(&m);
		/* slot 0 (plane 0) and slot 4 (plane 1), both at 0 */
		EXPECT_EQ_U64(rd(&m, 0, 4096, 0), a + TL);
		if (pr)	/* plane 1 senses at once; its transfer waits for
			 * the channel: s = a - R4L */
			EXPECT_EQ_U64(rd(&m, 4 * 4096, 4096, 0),
				      a + TC + TL);
		else	/* the die is busy until a */
			EXPECT_EQ_U64(rd(&m, 4 * 4096, 4096, 0),
				      a + R4L + TC + TL);
		/* slot 2 (plane 0 again, MSB) waits for plane 0 either way */
		conv_model_reset(&m);
		EXPECT_EQ_U64(rd(&m, 0, 4096, 0), a + TL);
		EXPECT_EQ_U64(rd(&m, 2 * 4096, 4096, 0),
			      a + R4M + TC + TL);
		EXPECT_EQ_U64(stats(&m).media_read_bytes, 4 * 4096);
		conv_model_exit(&m);
	}

	/* a program occupies every plane: a read of plane 1 waits for it */
	plane_params(&p, 1);
	INIT(m, &p);
	/* fua: slots in at FW + 2000 .. FW + 8 * TL = 18000, then the PU */
	EXPECT_EQ_U64(sched(&m, MODEL_WRITE, 0, 32 * KIB, 0, true),
		      FW + 8 * TL + 8 * TC + PROG);
	EXPECT_EQ_U64(rd(&m, 4 * 4096, 4096, 20000),
		      FW + 8 * TL + 8 * TC + PROG + R4L + TC + TL);
	conv_model_exit(&m);

	/* 2 is out of range */
	plane_params(&p, 2);
	EXPECT_TRUE(conv_check_params(&p) &&
		    strstr(conv_check_params(&p), "plane_reads"));
}

static u64 other(struct conv_model *m, u64 now)
{
	return sched(m, MODEL_OTHER, 0, 0, now, false);
}

/* Firmware cores (conv.h "Firmware cores"). */
static void test_fw_cores(void)
{
	struct conv_params p = P;
	struct conv_model m;

	/* 0: every command's firmware time overlaps */
	INIT(m, &p);
	EXPECT_EQ_U64(other(&m, 0), FO);
	EXPECT_EQ_U64(other(&m, 0), FO);
	EXPECT_EQ_U64(other(&m, 0), FO);
	conv_model_exit(&m);

	/* one core: one command after another */
	p.fw_cores = 1;
	INIT(m, &p);
	EXPECT_EQ_U64(other(&m, 0), FO);
	EXPECT_EQ_U64(other(&m, 0), 2 * FO);
	EXPECT_EQ_U64(other(&m, 0), 3 * FO);
	/* an idle core adds nothing */
	EXPECT_EQ_U64(other(&m, 10000), 10000 + FO);
	conv_model_exit(&m);

	/* two cores: the earliest free (lowest on ties) */
	p.fw_cores = 2;
	INIT(m, &p);
	EXPECT_EQ_U64(other(&m, 0), FO);		/* core 0 */
	EXPECT_EQ_U64(other(&m, 0), FO);		/* core 1 */
	/* an unmapped read: core 0 from FO, ready FO + FR, then the link */
	EXPECT_EQ_U64(rd(&m, 0, 4096, 0), FO + FR + TL);
	/* a write on core 1 from FO: one slot into the empty buffer */
	EXPECT_EQ_U64(wr(&m, 0, 4096, 0), FO + FW + TL);
	/* a flush on core 0 (free at FO + FR): pads and programs the PU */
	EXPECT_EQ_U64(flush(&m, 0), FO + FW + TL + 4 * TC + PROG);
	/* reset frees the cores */
	conv_model_reset(&m);
	EXPECT_EQ_U64(other(&m, 0), FO);
	EXPECT_EQ_U64(other(&m, 0), FO);
	EXPECT_EQ_U64(other(&m, 0), 2 * FO);
	conv_model_exit(&m);

	p.fw_cores = CONV_MAX_FW_CORES;
	EXPECT_TRUE(!conv_check_params(&p));
	p.fw_cores++;
	EXPECT_TRUE(conv_check_params(&p) &&
		    strstr(conv_check_params(&p), "fw_cores"));
}

static void test_read_unmapped(void)
{
	struct conv_model m;

	INIT(m, &P);
	EXPECT_EQ_U64(rd(&m, 0, 4096, 5), 5 + FR + TL);
	EXPECT_EQ_U64(rd(&m, 0, 16 * KIB, 100000), 100000 + FR + 4 * TL);
	EXPECT_EQ_U64(rd(&m, 0, 0, 7), 7 + FR);
	/* beyond the capacity: ignored */
	EXPECT_EQ_U64(rd(&m, 64 * KIB, 4096, 300000), 300000 + FR);
	EXPECT_EQ_U64(stats(&m).media_read_bytes, 0);
	/* mapped slot, then a trimmed one */
	EXPECT_EQ_INT(fill8(&m), 0);
	trim(&m, 0, 4096, 0);
	conv_model_reset(&m);
	EXPECT_EQ_U64(rd(&m, 0, 4096, 0), FR + TL);
	EXPECT_EQ_U64(rd(&m, 4096, 4096, 0), FR + R4L + TC + TL);
	conv_model_exit(&m);
}

/* Data still in the open PU (the buffer) is read without NAND time. */
static void test_read_from_buffer(void)
{
	struct conv_model m;

	INIT(m, &P);
	EXPECT_EQ_U64(wr(&m, 0, 8192, 0), FW + 2 * TL);
	EXPECT_EQ_U64(m.pu_fill, 2);
	EXPECT_EQ_U64(rd(&m, 0, 8192, 10000), 10000 + FR + 2 * TL);
	EXPECT_EQ_U64(stats(&m).media_read_bytes, 0);
	conv_model_exit(&m);
}

/* A write that fits the buffer completes after its link transfer. */
static void test_write_fits_buffer(void)
{
	struct conv_model m;

	INIT(m, &P);
	EXPECT_EQ_U64(wr(&m, 0, 4096, 1000), 1000 + FW + TL);
	/*
	 * 16 KiB, slots 1-4: slots 1-3 fill the open PU, which is programmed
	 * in the background; slot 4 starts the next one.
	 */
	EXPECT_EQ_U64(wr(&m, 4096, 16 * KIB, 100000), 100000 + FW + 4 * TL);
	EXPECT_EQ_U64(stats(&m).media_write_bytes, 16 * KIB);
	EXPECT_EQ_U64(stats(&m).host_write_bytes, 20 * KIB);
	EXPECT_EQ_U64(stats(&m).buffer_waits, 0);
	EXPECT_EQ_U64(m.pu_fill, 1);
	conv_model_exit(&m);
}

/*
 * A write that overfills the 8-slot buffer waits for the first program:
 * slots 0-3 (PU on LUN 0) are buffered at 4000..10000, slots 4-7 (LUN 1)
 * at 12000..18000.  PU 0 programs over [10000, 10000 + 4 t_c + PROG);
 * slot 8 waits for it, then slots 9-11 follow at link speed.
 */
static void test_write_backpressure(void)
{
	struct conv_model m;
	u64 pend0 = 10000 + 4 * TC + PROG;

	INIT(m, &P);
	EXPECT_EQ_U64(wr(&m, 0, 48 * KIB, 0), pend0 + 4 * TL);
	EXPECT_EQ_U64(stats(&m).buffer_waits, 1);
	/* PU 2 (slots 8-11) filled too; it went to LUN 0 behind PU 0 */
	EXPECT_EQ_U64(stats(&m).media_write_bytes, 48 * KIB);
	EXPECT_EQ_U64(flush(&m, 0), pend0 + 4 * TL + 4 * TC + PROG);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/* Flush pads the open PU and waits for every program. */
static void test_flush_drains(void)
{
	struct conv_model m;
	u64 pend;

	INIT(m, &P);
	EXPECT_EQ_U64(flush(&m, 100), 100 + FO);	/* nothing buffered */
	EXPECT_EQ_U64(wr(&m, 0, 4096, 0), FW + TL);
	EXPECT_EQ_U64(stats(&m).media_write_bytes, 0);
	/* padded PU programs at the flush's ready time */
	pend = 5000 + FO + 4 * TC + PROG;
	EXPECT_EQ_U64(flush(&m, 5000), pend);
	EXPECT_EQ_U64(stats(&m).media_write_bytes, 16 * KIB);
	EXPECT_EQ_U64(m.pu_fill, 0);
	/* a second flush has nothing to pad but still waits */
	EXPECT_EQ_U64(flush(&m, 6000), pend);
	EXPECT_EQ_U64(flush(&m, pend + 1), pend + 1 + FO);
	EXPECT_EQ_U64(stats(&m).media_write_bytes, 16 * KIB);
	/* the padding is not valid data; slot 0 is */
	EXPECT_EQ_U64(m.valid[0], 1);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/* fua: the write completes when its own data is programmed. */
static void test_fua_waits_program(void)
{
	struct conv_model m;
	u64 e;

	INIT(m, &P);
	EXPECT_EQ_U64(wr_fua(&m, 0, 4096, 0), FW + TL + 4 * TC + PROG);
	EXPECT_EQ_U64(stats(&m).media_write_bytes, 16 * KIB);
	/* a buffered write, then a fua one joining the same PU */
	EXPECT_EQ_U64(wr(&m, 4096, 4096, 1000000), 1000000 + FW + TL);
	e = 2000000 + FW + TL;
	EXPECT_EQ_U64(wr_fua(&m, 8192, 4096, 2000000), e + 4 * TC + PROG);
	EXPECT_TRUE(conv_model_volatile_cache(&m));
	/* fua without data: nothing to wait for */
	EXPECT_EQ_U64(wr_fua(&m, 0, 0, 3000000), 3000000 + FW);
	conv_model_exit(&m);
}

/* buffer_kib = 0: no volatile cache, every write waits for its program. */
static void test_no_buffer(void)
{
	struct conv_params p = P;
	struct conv_model m;

	p.buffer_kib = 0;
	INIT(m, &p);
	EXPECT_TRUE(!conv_model_volatile_cache(&m));
	EXPECT_EQ_U64(wr(&m, 0, 16 * KIB, 0),
		      FW + 4 * TL + 4 * TC + PROG);
	/* a partial PU is padded */
	EXPECT_EQ_U64(wr(&m, 16 * KIB, 4096, 0),
		      FW + 5 * TL + 4 * TC + PROG);
	EXPECT_EQ_U64(stats(&m).media_write_bytes, 32 * KIB);
	EXPECT_EQ_U64(stats(&m).buffer_waits, 0);
	EXPECT_EQ_U64(flush(&m, 10), FW + 5 * TL + 4 * TC + PROG);
	conv_model_exit(&m);
}

/*
 * A write far larger than the buffer streams through.  With transfers
 * instantaneous, each group of 8 slots (two PUs, one per LUN) waits for
 * the previous group's programs: 256 slots take fw + 31 * PROG.
 */
static void test_write_larger_than_buffer(void)
{
	struct conv_params p = P;
	struct conv_model m;
	u64 t;

	p.capacity = 4 * MIB;
	p.channel_mbps = 0;
	p.link_mbps = 0;
	INIT(m, &p);
	EXPECT_EQ_U64(wr(&m, 0, MIB, 0), FW + 31 * PROG);
	EXPECT_EQ_U64(stats(&m).buffer_waits, 1);
	conv_model_exit(&m);

	/* with real transfers: completes, and no faster than the NAND */
	p = P;
	p.capacity = 4 * MIB;
	INIT(m, &p);
	t = wr(&m, 0, 2 * MIB, 0);
	EXPECT_TRUE(t != U64_MAX);
	/* 128 PUs over 2 LUNs, each at least 4 t_c + PROG */
	EXPECT_TRUE(t >= 63 * (4 * TC + PROG));
	EXPECT_TRUE(t <= FW + 512 * TL + 64 * (4 * TC + PROG) + 4 * TL);
	EXPECT_EQ_U64(stats(&m).media_write_bytes, 2 * MIB);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	/* and a 3 MiB write on top, overwriting, with GC */
	t = wr(&m, MIB, 3 * MIB, t);
	EXPECT_TRUE(t != U64_MAX);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/*
 * GC under a full device, by hand.  P_GC: P without fw and transfer times,
 * no buffer (a write completes when programmed).  Each "W" writes one PU.
 *   W1 LBAs 0-3   t=0    LUN 0, group 0 PU 0   ends   200000
 *   W2 LBAs 4-7   t=1e6  LUN 1, group 2 PU 0   ends  1200000
 *   W3 LBAs 8-11  t=2e6  LUN 0, group 0 PU 1   ends  2200000
 *   W4 LBAs 12-15 t=3e6  LUN 1, group 2 PU 1   ends  3200000
 * The device is full; F = 2 (groups 1, 3).
 *   W5 LBAs 0-3   t=4e6  LUN 0 opens group 1 (F = 1)     ends 4200000
 *   W6 LBAs 4-7   t=5e6  LUN 1 must open a group, but F < 2 and its only
 *      full group (2) is all valid: no victim; on to LUN 0, which has
 *      room (group 1 PU 1)                                  ends 5200000
 *   W7 LBAs 8-11  t=6e6  LUN 1, F < 2: GC round on group 2 (valid: LBAs
 *      12-15): page 2 (LSB, 2 slots) read [6e6, 6.025e6), page 3 (MSB)
 *      [6.025e6, 6.065e6); the copies open group 3 (GC may take the last
 *      free group) and program [6.065e6, 6.265e6); group 2 is erased
 *      [6.265e6, 7.265e6).  LUN 1 has no other victim, but now has room:
 *      W7 takes group 3 PU 1, programmed after the erase  ends 7465000
 *   W8 LBAs 12-15 t=8e6  LUN 0 must open a group, F_0 = 0: GC round on
 *      group 0, whose data was all overwritten: nothing to copy, only the
 *      erase [8e6, 9e6); then W8 opens group 0            ends 9200000
 */
static void test_gc_full_device_exact(void)
{
	struct conv_params p = P;
	struct conv_model m;
	struct model_stats st;

	p.fw_read_ns = p.fw_write_ns = p.fw_other_ns = 0;
	p.channel_mbps = p.link_mbps = 0;
	p.buffer_kib = 0;
	INIT(m, &p);
	EXPECT_EQ_U64(wr(&m, 0, 16 * KIB, 0), 200000);
	EXPECT_EQ_U64(wr(&m, 16 * KIB, 16 * KIB, 1000000), 1200000);
	EXPECT_EQ_U64(wr(&m, 32 * KIB, 16 * KIB, 2000000), 2200000);
	EXPECT_EQ_U64(wr(&m, 48 * KIB, 16 * KIB, 3000000), 3200000);
	EXPECT_EQ_U64(m.nr_free, 2);
	EXPECT_EQ_U64(wr(&m, 0, 16 * KIB, 4000000), 4200000);
	EXPECT_EQ_U64(m.nr_free, 1);
	EXPECT_EQ_U64(wr(&m, 16 * KIB, 16 * KIB, 5000000), 5200000);
	EXPECT_EQ_U64(stats(&m).gc_foreground, 0);
	EXPECT_EQ_U64(wr(&m, 32 * KIB, 16 * KIB, 6000000), 7465000);
	st = stats(&m);
	EXPECT_EQ_U64(st.gc_foreground, 1);
	EXPECT_EQ_U64(st.gc_blocks, 1);
	EXPECT_EQ_U64(st.erases, 1);
	EXPECT_EQ_U64(st.gc_pages, 4);
	EXPECT_EQ_U64(st.media_read_bytes, 4 * 4096);
	EXPECT_EQ_U64(st.media_write_bytes, 8 * 16 * KIB);
	EXPECT_EQ_U64(st.host_write_bytes, 7 * 16 * KIB);
	EXPECT_EQ_U64(m.nr_free, 1);
	EXPECT_EQ_U64(m.valid[0], 0);
	/* the copied LBA 12 now reads from group 3 PU 0 (LUN 1, LSB) */
	EXPECT_EQ_U64(rd(&m, 48 * KIB, 4096, 7500000), 7500000 + R4L);
	EXPECT_EQ_U64(wr(&m, 48 * KIB, 16 * KIB, 8000000),
		      8000000 + ERASE + PROG);
	st = stats(&m);
	EXPECT_EQ_U64(st.gc_foreground, 2);
	EXPECT_EQ_U64(st.erases, 2);
	EXPECT_EQ_U64(st.gc_pages, 4);
	EXPECT_EQ_U64(flush(&m, 8000000), 9200000);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/*
 * Foreground GC on a bigger device: overwrites of a full device make GC
 * run, its counters move and some host writes take far longer than a
 * program (they wait for GC's reads and erases).
 */
static void test_gc_foreground_counters(void)
{
	struct conv_params p = P;
	struct conv_model m;
	struct model_stats st;
	u64 t = 0, lat, worst = 0, i, n;

	p.capacity = 1 * MIB;
	p.op_percent = 10;
	p.buffer_kib = 0;
	INIT(m, &p);
	n = m.lba_slots;
	for (i = 0; i < n; i += 4)
		t = wr(&m, i * 4096, 16 * KIB, t);
	EXPECT_EQ_U64(stats(&m).gc_foreground, 0);
	for (i = 0; i < 2 * n; i += 4) {
		u64 now = t;

		t = wr(&m, ((i * 7) % n) * 4096, 16 * KIB, now);
		lat = t - now;
		if (lat > worst)
			worst = lat;
	}
	st = stats(&m);
	EXPECT_TRUE(st.gc_foreground > 0);
	EXPECT_TRUE(st.gc_pages > 0);
	EXPECT_EQ_U64(st.erases, st.gc_blocks);
	EXPECT_TRUE(st.media_write_bytes > st.host_write_bytes);
	EXPECT_TRUE(worst > FW + 4 * TL + 4 * TC + PROG + ERASE);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/*
 * Background GC in an idle gap: the P_GC state after W1-W5 (free: group
 * 3), bg threshold 50% (2 of 4 groups).  A request at 5e6 does not leave
 * room for a round (t = 4.2e6, W = reads 25000 + 40000 + one PU 200000 +
 * erase 1e6); one at 1e7 does: group 0's slots 8-11 are copied into group
 * 3 and group 0 is erased, all before 1e7, and the request itself sees an
 * idle device.
 */
static void test_background_gc(void)
{
	struct conv_params p = P;
	struct conv_model m;
	u64 t;

	p.fw_read_ns = p.fw_write_ns = p.fw_other_ns = 0;
	p.channel_mbps = p.link_mbps = 0;
	p.buffer_kib = 0;
	p.bg_gc_threshold_pct = 50;
	INIT(m, &p);
	EXPECT_EQ_U64(m.bg_low, 2);
	wr(&m, 0, 16 * KIB, 0);
	wr(&m, 16 * KIB, 16 * KIB, 1000000);
	wr(&m, 32 * KIB, 16 * KIB, 2000000);
	wr(&m, 48 * KIB, 16 * KIB, 3000000);
	EXPECT_EQ_U64(wr(&m, 0, 16 * KIB, 4000000), 4200000);
	EXPECT_EQ_U64(m.nr_free, 1);
	EXPECT_EQ_U64(m.idle, 4200000);
	/* too short a gap: a read at 5e6 runs no GC */
	EXPECT_EQ_U64(rd(&m, 63 * KIB, 1024, 5000000), 5000000 + R4M);
	EXPECT_EQ_U64(stats(&m).gc_background, 0);
	/* a long one */
	t = wr(&m, 16 * KIB, 16 * KIB, 10000000);
	EXPECT_EQ_U64(stats(&m).gc_background, 1);
	EXPECT_EQ_U64(stats(&m).gc_foreground, 0);
	EXPECT_EQ_U64(stats(&m).erases, 1);
	EXPECT_EQ_U64(stats(&m).gc_pages, 4);
	/* reads 4.2e6..4.265e6, erase until 5.265e6, copies' PU 4.465e6 */
	EXPECT_EQ_U64(t, 10000000 + PROG);
	EXPECT_EQ_U64(m.nr_free, 1);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/* A small LCG for the tests' own randomness (never rand()). */
static u64 lcg_state;

static u32 lcg(void)
{
	lcg_state = lcg_state * 6364136223846793005ULL +
		    1442695040888963407ULL;
	return (u32)(lcg_state >> 33);
}

/*
 * Random 4 KiB overwrites over the first @live slots (after a full
 * sequential fill): WAF of the overwrite phase.  With @trim_rest, the
 * slots beyond @live are trimmed first.
 */
static double overwrite_waf(const struct conv_params *p, u64 live,
			    bool trim_rest, u64 seed)
{
	struct conv_model m;
	struct model_stats a, b;
	u64 t = 0, i, n;

	if (conv_model_init(&m, p))
		return -1;
	n = m.lba_slots;
	for (i = 0; i < n; i += 16)
		t = wr(&m, i * 4096, 64 * KIB, t);
	if (trim_rest)
		t = trim(&m, live * 4096, (n - live) * 4096, t);
	lcg_state = seed;
	a = stats(&m);
	for (i = 0; i < 3 * n; i++)
		t = wr(&m, (lcg() % live) * 4096, 4096, t);
	b = stats(&m);
	if (conv_check_consistency(&m))
		return -2;
	conv_model_exit(&m);
	return (double)(b.media_write_bytes - a.media_write_bytes) /
	       (double)(b.host_write_bytes - a.host_write_bytes);
}

/* Trimmed space is free space: the same overwrites cost less. */
static void test_trim_lowers_waf(void)
{
	struct conv_params p;
	double plain, trimmed;

	conv_params_default(&p);
	p.capacity = 64 * MIB;
	p.nr_channels = 2;
	p.luns_per_channel = 2;
	p.pages_per_block = 48;
	p.bg_gc_threshold_pct = 0;
	plain = overwrite_waf(&p, 8192, false, 1);
	trimmed = overwrite_waf(&p, 8192, true, 1);
	if (plain < 0 || trimmed < 0)
		FAIL("init or consistency failed (%f, %f)", plain, trimmed);
	if (!(trimmed < plain * 0.6) || !(plain > 2.0) || !(trimmed < 2.0))
		FAIL("WAF %.3f with trim, %.3f without", trimmed, plain);
}

/* Partial slots at the ends of a trim stay mapped. */
static void test_trim_partial_slots(void)
{
	struct conv_model m;

	INIT(m, &P);
	EXPECT_EQ_INT(fill8(&m), 0);
	/* [2 KiB, 14 KiB): whole slots 1 and 2 only */
	EXPECT_EQ_U64(trim(&m, 2048, 12 * KIB, 100), 100 + FO);
	EXPECT_TRUE(m.valid[0] == 2);
	EXPECT_EQ_U64(sched(&m, MODEL_WRITE_ZEROES, 12 * KIB, 4096, 0, false),
		      FO);
	EXPECT_TRUE(m.valid[0] == 1);
	EXPECT_EQ_U64(rd(&m, 4096, 8192, 0), FR + 2 * TL);
	/* whole-device trim, twice (the second finds nothing mapped) */
	trim(&m, 0, 64 * KIB, 0);
	trim(&m, 0, U64_MAX, 0);
	EXPECT_EQ_U64(m.valid[0] + m.valid[2], 0);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/*
 * Hammer: @rounds times the capacity of 4 KiB..64 KiB writes in the
 * pattern @pat (0 random, 1 sequential, 2 random with trims, 3 hot/cold),
 * checking consistency on the way.  Returns 0 or a negative code.
 */
static int hammer(const struct conv_params *p, int pat, u64 seed, u64 rounds)
{
	struct conv_model m;
	u64 t = 0, written = 0, n, i, seq = 0;
	int err;

	if (conv_model_init(&m, p))
		return -100;
	n = m.lba_slots;
	lcg_state = seed;
	while (written < rounds * n) {
		u64 len = 1 + lcg() % 16, lba;
		u32 r = lcg();

		if (pat == 1) {
			lba = seq;
			seq = (seq + len) % n;
		} else if (pat == 3) {
			/* 90% of writes to 10% of the space */
			lba = (r % 10) ? lcg() % (n / 10 + 1) : lcg() % n;
		} else {
			lba = lcg() % n;
		}
		if (lba + len > n)
			len = n - lba;
		if (pat == 2 && r % 4 == 0) {
			t = trim(&m, lba * 4096, len * 4096 * 8, t);
			continue;
		}
		if (r % 64 == 1)
			t = flush(&m, t);
		t = sched(&m, MODEL_WRITE, lba * 4096, len * 4096, t,
			  r % 32 == 3);
		if (t == U64_MAX)
			return -101;
		written += len;
		if ((written & 8191) < len) {
			err = conv_check_consistency(&m);
			if (err)
				return err;
		}
	}
	for (i = 0; i < n; i += 64)
		t = rd(&m, i * 4096, 64 * 4096, t);
	err = conv_check_consistency(&m);
	if (!err && m.place_failures)
		err = -102;
	if (!err && m.nr_free < 1)
		err = -103;
	conv_model_exit(&m);
	return err;
}

/*
 * GC never runs out of free groups: 3x the capacity of random,
 * sequential, trim-mixed and skewed writes, several seeds, on geometries
 * from roomy to the tightest spare init allows (S just above G).
 */
static void test_never_runs_dry(void)
{
	struct conv_params g[4];
	int i, pat, err;
	u64 seed;

	g[0] = P;
	g[0].capacity = 2 * MIB;
	g[0].op_percent = 7;
	g[1] = g[0];
	g[1].op_percent = 1;
	g[1].gc_policy = CONV_GC_COST_BENEFIT;
	g[1].bg_gc_threshold_pct = 20;
	if (conv_min_capacity(&g[1]) > g[1].capacity)
		g[1].capacity = conv_min_capacity(&g[1]);
	/* one LUN: spare of 8 slots + rounding over 8-slot groups */
	g[2] = g[0];
	g[2].nr_channels = 1;
	g[2].op_percent = 1;
	g[2].capacity = conv_min_capacity(&g[2]);
	g[2].buffer_kib = 0;
	conv_params_default(&g[3]);
	g[3].capacity = 32 * MIB;
	g[3].nr_channels = 2;
	g[3].luns_per_channel = 2;
	g[3].pages_per_block = 24;
	g[3].op_percent = 3;
	for (i = 0; i < 4; i++) {
		if (conv_check_params(&g[i]))
			FAIL("geometry %d: %s", i, conv_check_params(&g[i]));
		for (pat = 0; pat < 4; pat++) {
			for (seed = 1; seed <= 3; seed++) {
				err = hammer(&g[i], pat, seed * 7919 + pat, 3);
				if (err)
					FAIL("geometry %d pattern %d seed %llu: %d",
					     i, pat, (unsigned long long)seed,
					     err);
			}
		}
	}
}

/* Metadata: within 1.5 MiB per GiB; 16 GiB and 64 GiB allocate fast. */
static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void test_metadata_budget(void)
{
	static const u64 caps[] = { GIB, 16 * GIB, 64 * GIB };
	struct conv_params p;
	struct conv_model m;
	double t0, el;
	size_t i, bytes;

	conv_params_default(&p);
	for (i = 0; i < UNIT_ARRAY_SIZE(caps); i++) {
		p.capacity = caps[i];
		t0 = seconds_now();
		INIT(m, &p);
		el = seconds_now() - t0;
		bytes = conv_metadata_bytes(&m);
		if (bytes > caps[i] / GIB * 3 * MIB / 2)
			FAIL("%llu GiB: %zu bytes of metadata",
			     (unsigned long long)(caps[i] / GIB), bytes);
		if (el > 0.5)
			FAIL("%llu GiB: init took %.3f s",
			     (unsigned long long)(caps[i] / GIB), el);
		if (i == 0) {
			/* exercise the 1 GiB one a little */
			EXPECT_TRUE(wr(&m, 0, 8 * MIB, 0) != U64_MAX);
			trim(&m, 0, GIB, 0);
			EXPECT_EQ_INT(conv_check_consistency(&m), 0);
		}
		conv_model_exit(&m);
	}
}

/* Presets are valid at 64 MiB and 1 GiB; conv_min_capacity() <= 4 KiB. */
static void test_presets(void)
{
	static const struct conv_params pre[] = {
		CONV_PARAMS_DEFAULT_INIT, CONV_PARAMS_MLC_970PRO,
		CONV_PARAMS_TLC_DC, CONV_PARAMS_QLC,
	};
	struct conv_params p;
	struct conv_model m;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(pre); i++) {
		p = pre[i];
		EXPECT_EQ_U64(conv_min_capacity(&p), 4096);
		p.capacity = 64 * MIB;
		EXPECT_TRUE(conv_check_params(&p) == NULL);
		INIT(m, &p);
		EXPECT_TRUE(wr(&m, 0, MIB, 0) != U64_MAX);
		conv_model_exit(&m);
		p.capacity = GIB;
		INIT(m, &p);
		if (conv_metadata_bytes(&m) > 3 * MIB / 2)
			FAIL("preset %zu: %zu bytes at 1 GiB", i,
			     conv_metadata_bytes(&m));
		conv_model_exit(&m);
	}
}

/* Brute force: the smallest Ls from which on every Ls up to @limit fits. */
static u64 min_slots_brute(const struct conv_params *p, u64 limit)
{
	u64 n = (u64)p->nr_channels * p->luns_per_channel;
	u64 g = (u64)p->planes_per_lun * p->pages_per_block *
		(p->page_size / 4096);
	u64 ls, ok_from = 1;

	for (ls = 1; ls <= limit; ls++) {
		u64 raw = (ls * (100 + p->op_percent) + 99) / 100;
		u64 b = (raw + n * g - 1) / (n * g);

		if (b * n * g - ls <= g)
			ok_from = ls + 1;
	}
	return ok_from;
}

static void test_min_capacity(void)
{
	struct conv_params p = P;
	struct conv_model m;
	u64 minc;
	u32 op;

	/*
	 * P: a line is 16 slots, G = 8.  Ls = 8..10 needs one line (raw
	 * <= 16) and leaves S = 16 - Ls <= 8; from Ls = 11 on, two lines.
	 */
	EXPECT_EQ_U64(conv_min_capacity(&P), 11 * 4096);
	EXPECT_EQ_U64(min_slots_brute(&P, 2000), 11);
	/* one LUN, small OP */
	p.nr_channels = 1;
	for (op = 1; op <= 30; op++) {
		p.op_percent = op;
		minc = conv_min_capacity(&p);
		EXPECT_EQ_U64(minc, min_slots_brute(&p, 2000) * 4096);
	}
	p.op_percent = 2;
	minc = conv_min_capacity(&p);
	EXPECT_TRUE(minc > 4096);
	p.capacity = minc;
	EXPECT_TRUE(conv_check_params(&p) == NULL);
	INIT(m, &p);
	conv_model_exit(&m);
	p.capacity = minc - 4096;
	EXPECT_TRUE(conv_check_params(&p) != NULL);
	EXPECT_TRUE(strstr(conv_check_params(&p), "capacity") != NULL);
	EXPECT_EQ_INT(conv_model_init(&m, &p), -EINVAL);
	conv_model_exit(&m);
	/* invalid geometry: 0 */
	p.cell_bits = 5;
	EXPECT_EQ_U64(conv_min_capacity(&p), 0);
}

/* Every field out of range is refused with a reason naming it. */
static void test_invalid_params(void)
{
	static const struct {
		size_t off;
		u32 val;
		const char *name;
	} bad[] = {
#define B(f, v) { offsetof(struct conv_params, f), v, #f }
		B(op_percent, 0), B(op_percent, 101),
		B(nr_channels, 0), B(nr_channels, 65),
		B(luns_per_channel, 0), B(luns_per_channel, 65),
		B(planes_per_lun, 0), B(planes_per_lun, 9),
		B(pages_per_block, 0), B(pages_per_block, 5),
		B(pages_per_block, 8194),
		B(page_size, 0), B(page_size, 4095), B(page_size, 6144),
		B(page_size, 131072),
		B(oneshot_pages, 0), B(oneshot_pages, 9),
		B(cell_bits, 0), B(cell_bits, 5),
		B(gc_policy, 2), B(gc_threshold_pct, 51),
		B(bg_gc_threshold_pct, 51),
		B(buffer_kib, 2), B(buffer_kib, 6), B(buffer_kib, 12),
		B(buffer_kib, 262148),
#undef B
	};
	struct conv_params p;
	struct conv_model m;
	const char *why;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(bad); i++) {
		p = P;
		memcpy((char *)&p + bad[i].off, &bad[i].val, sizeof(u32));
		why = conv_check_params(&p);
		if (!why || !strstr(why, bad[i].name))
			FAIL("%s = %u: %s", bad[i].name, bad[i].val,
			     why ? why : "accepted");
		EXPECT_EQ_INT(conv_model_init(&m, &p), -EINVAL);
		EXPECT_TRUE(m.l2p == NULL);
		conv_model_exit(&m);	/* safe after failure */
	}
	p = P;
	p.capacity = 64 * KIB + 512;
	EXPECT_TRUE(strstr(conv_check_params(&p), "capacity") != NULL);
	p.capacity = 0;
	EXPECT_EQ_INT(conv_model_init(&m, &p), -EINVAL);
	p.capacity = CONV_MAX_CAPACITY + 4096;
	EXPECT_TRUE(strstr(conv_check_params(&p), "capacity") != NULL);
	/* edges accepted */
	p = P;
	p.buffer_kib = 16;	/* one PU */
	EXPECT_TRUE(conv_check_params(&p) == NULL);
	p.op_percent = 100;
	p.gc_threshold_pct = 50;
	EXPECT_TRUE(conv_check_params(&p) == NULL);
	INIT(m, &p);
	conv_model_exit(&m);
	conv_model_exit(&m);	/* idempotent */
}

/* Same inputs, same outputs: two instances side by side. */
static void test_deterministic(void)
{
	struct conv_params p;
	struct conv_model a, b;
	struct model_stats sa, sb;
	struct model_req q;
	u64 now = 0;
	int i;

	conv_params_default(&p);
	p.capacity = 16 * MIB;
	p.nr_channels = 2;
	p.pages_per_block = 24;
	p.bg_gc_threshold_pct = 10;
	p.gc_policy = CONV_GC_COST_BENEFIT;
	INIT(a, &p);
	INIT(b, &p);
	lcg_state = 42;
	for (i = 0; i < 40000; i++) {
		u32 r = lcg();

		q.op = (r % 10 < 5) ? MODEL_WRITE : (r % 10 < 8) ?
		       MODEL_READ : (r % 10 == 8) ? MODEL_DISCARD :
		       MODEL_FLUSH;
		q.slba_bytes = (u64)(lcg() % (16 * MIB)) & ~511ULL;
		q.len = (u64)(1 + lcg() % 64) * 512;
		q.fua = (lcg() % 16) == 0;
		now += (lcg() % 8 == 0) ? lcg() % 20000000 : lcg() % 20000;
		q.now = now;
		EXPECT_EQ_U64(conv_model_schedule(&a, &q),
			      conv_model_schedule(&b, &q));
	}
	conv_model_stats(&a, &sa);
	conv_model_stats(&b, &sb);
	EXPECT_TRUE(memcmp(&sa, &sb, sizeof(sa)) == 0);
	EXPECT_TRUE(sa.gc_foreground + sa.gc_background > 0);
	EXPECT_EQ_INT(conv_check_consistency(&a), 0);
	conv_model_exit(&a);
	conv_model_exit(&b);
}

/* reset forgets busy times, keeps the data where it is. */
static void test_reset_keeps_mappings(void)
{
	struct conv_model m;
	struct model_stats st;

	INIT(m, &P);
	EXPECT_EQ_INT(fill8(&m), 0);
	/* make LUN 0 and the link busy far ahead */
	wr(&m, 32 * KIB, 16 * KIB, 0);
	EXPECT_TRUE(rd(&m, 0, 4096, 0) > PROG);
	st = stats(&m);
	conv_model_reset(&m);
	EXPECT_EQ_U64(m.idle, 0);
	EXPECT_EQ_U64(rd(&m, 0, 4096, 0), FR + R4L + TC + TL);
	EXPECT_EQ_U64(stats(&m).host_write_bytes, st.host_write_bytes);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/*
 * Victim choice.  One LUN, 16 groups of 8 slots (P with 1 channel, 256 KiB,
 * 100% OP), no fw or transfer times, no buffer.  Groups 0-7 get LBAs 0-63
 * in order; group 0 is full at 1e6, group 7 at 1e9.  Trimming LBAs 0-2
 * leaves group 0 with 5 valid slots, trimming 56-59 group 7 with 4.
 * Greedy takes group 7.  Cost-benefit at t = 1.2e9: group 0 scores
 * (8 - 5) * ((1.2e9 - 1e6) >> 20) / 10 = 3 * 1143 / 10 = 342, group 7
 * 4 * ((1.2e9 - 1e9) >> 20) / 8 = 4 * 190 / 8 = 95: group 0.  A group with
 * no valid slot comes first under both.
 */
static void test_victim_policies(void)
{
	struct conv_params p = P;
	struct conv_model m;
	u64 i;

	p.nr_channels = 1;
	p.capacity = 256 * KIB;
	p.op_percent = 100;
	p.fw_read_ns = p.fw_write_ns = p.fw_other_ns = 0;
	p.channel_mbps = p.link_mbps = 0;
	p.buffer_kib = 0;
	INIT(m, &p);
	EXPECT_EQ_U64(m.nr_groups, 16);
	EXPECT_EQ_U64(conv_next_victim(&m, 0), U32_MAX);
	wr(&m, 0, 16 * KIB, 0);
	wr(&m, 16 * KIB, 16 * KIB, 1000000);
	for (i = 2; i < 14; i++)
		wr(&m, i * 16 * KIB, 16 * KIB, 1000000 * (i + 1));
	wr(&m, 14 * 16 * KIB, 16 * KIB, 500000000);
	wr(&m, 15 * 16 * KIB, 16 * KIB, 1000000000);
	EXPECT_EQ_U64(m.closed_at[0], 1000000);
	EXPECT_EQ_U64(m.closed_at[7], 1000000000);
	/* every group full and valid: nothing to collect */
	EXPECT_EQ_U64(conv_next_victim(&m, 1200000000), U32_MAX);
	trim(&m, 0, 3 * 4096, 1100000000);
	trim(&m, 56 * 4096, 4 * 4096, 1100000000);
	EXPECT_EQ_U64(m.valid[0], 5);
	EXPECT_EQ_U64(m.valid[7], 4);
	EXPECT_EQ_U64(conv_next_victim(&m, 1200000000), 7);
	m.p.gc_policy = CONV_GC_COST_BENEFIT;
	EXPECT_EQ_U64(conv_next_victim(&m, 1200000000), 0);
	/* at t = 1e9 group 7 has age 0, group 0 age 952 */
	EXPECT_EQ_U64(conv_next_victim(&m, 1000000000), 0);
	/* an empty group wins under both */
	trim(&m, 24 * 4096, 8 * 4096, 1100000000);
	EXPECT_EQ_U64(conv_next_victim(&m, 1200000000), 3);
	m.p.gc_policy = CONV_GC_GREEDY;
	EXPECT_EQ_U64(conv_next_victim(&m, 1200000000), 3);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/* With every time 0, every request (GC included) completes at now. */
static void test_zero_latency_returns_now(void)
{
	struct conv_params p = P;
	struct conv_model m;
	u64 now = 5;
	int i;

	memset(p.read_4k_ns, 0, sizeof(p.read_4k_ns));
	memset(p.read_page_ns, 0, sizeof(p.read_page_ns));
	p.prog_ns = p.erase_ns = 0;
	p.channel_mbps = p.link_mbps = 0;
	p.fw_read_ns = p.fw_write_ns = p.fw_other_ns = 0;
	p.capacity = MIB;
	p.bg_gc_threshold_pct = 30;
	INIT(m, &p);
	lcg_state = 7;
	for (i = 0; i < 20000; i++) {
		u32 r = lcg();
		enum model_op op = (enum model_op)(r % 6);

		now += lcg() % 3 ? lcg() % 1000 : 0;
		EXPECT_EQ_U64(sched(&m, op, (u64)(lcg() % 300) * 3000,
				    (u64)(lcg() % 20) * 2048, now, r & 64),
			      now);
	}
	EXPECT_TRUE(stats(&m).gc_foreground + stats(&m).gc_background > 0);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/* Times saturate at U64_MAX instead of wrapping. */
static void test_saturates(void)
{
	struct conv_model m;

	INIT(m, &P);
	EXPECT_EQ_U64(wr(&m, 0, 4096, U64_MAX - 10), U64_MAX);
	EXPECT_EQ_U64(rd(&m, 0, 4096, U64_MAX - 10), U64_MAX);
	EXPECT_EQ_U64(flush(&m, U64_MAX - 1), U64_MAX);
	EXPECT_EQ_U64(trim(&m, 0, 4096, U64_MAX), U64_MAX);
	conv_model_exit(&m);
}

/* The ops table drives the same model. */
static void test_ops_table(void)
{
	const struct model_ops *ops = &conv_model_ops;
	struct model_req r = { .op = MODEL_WRITE, .len = 4096, .now = 10 };
	struct conv_params bad = P;
	struct model_stats st;
	void *priv;

	EXPECT_TRUE(strcmp(ops->name, "conv") == 0);
	EXPECT_EQ_U64(ops->priv_size, sizeof(struct conv_model));
	EXPECT_TRUE(ops->stats && ops->volatile_cache);
	priv = kzalloc(ops->priv_size, GFP_KERNEL);
	EXPECT_TRUE(priv != NULL);
	bad.cell_bits = 0;
	EXPECT_EQ_INT(ops->init(priv, &bad), -EINVAL);
	ops->exit(priv);
	EXPECT_EQ_INT(ops->init(priv, &P), 0);
	EXPECT_TRUE(ops->volatile_cache(priv));
	EXPECT_EQ_U64(ops->schedule(priv, &r), 10 + FW + TL);
	r.op = MODEL_OTHER;
	EXPECT_EQ_U64(ops->schedule(priv, &r), 10 + FO);
	ops->stats(priv, &st);
	EXPECT_EQ_U64(st.host_write_bytes, 4096);
	EXPECT_TRUE(conv_metadata_bytes(priv) >= sizeof(struct conv_model));
	ops->reset(priv);
	ops->exit(priv);
	EXPECT_EQ_INT(ops->init(priv, NULL), 0);	/* defaults */
	ops->exit(priv);
	ops->exit(priv);
	kfree(priv);
}

/*
 * Zone ops, and any op value the model does not know, are MODEL_OTHER:
 * now + fw_other_ns, nothing padded, programmed or erased.
 */
static void test_zone_and_unknown_ops_are_other(void)
{
	static const u32 ops[] = { MODEL_ZONE_RESET, MODEL_ZONE_FINISH,
				   MODEL_ZONE_FINISH + 1, 1000 };
	struct model_req q = { .slba_bytes = 0, .len = 64 * KIB };
	struct conv_model m;
	struct model_stats st;
	size_t i;

	INIT(m, &P);
	EXPECT_EQ_U64(wr(&m, 0, 4096, 0), FW + TL);
	for (i = 0; i < UNIT_ARRAY_SIZE(ops); i++) {
		q.op = (enum model_op)ops[i];
		q.now = 100000 * (i + 1);
		EXPECT_EQ_U64(conv_model_schedule(&m, &q), q.now + FO);
	}
	st = stats(&m);
	EXPECT_EQ_U64(st.media_write_bytes, 0);
	EXPECT_EQ_U64(st.erases, 0);
	EXPECT_EQ_U64(m.pu_fill, 1);	/* still buffered */
	/* the slot is still mapped and readable from the buffer */
	EXPECT_EQ_U64(rd(&m, 0, 4096, 1000000), 1000000 + FR + TL);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

static const struct unit_test tests[] = {
	UNIT_TEST(defaults),
	UNIT_TEST(geometry),
	UNIT_TEST(read_idle_die),
	UNIT_TEST(two_reads_one_die),
	UNIT_TEST(two_reads_two_dies),
	UNIT_TEST(two_dies_one_channel),
	UNIT_TEST(read_unmapped),
	UNIT_TEST(read_from_buffer),
	UNIT_TEST(write_fits_buffer),
	UNIT_TEST(write_backpressure),
	UNIT_TEST(flush_drains),
	UNIT_TEST(fua_waits_program),
	UNIT_TEST(no_buffer),
	UNIT_TEST(write_larger_than_buffer),
	UNIT_TEST(gc_full_device_exact),
	UNIT_TEST(gc_foreground_counters),
	UNIT_TEST(background_gc),
	UNIT_TEST(trim_lowers_waf),
	UNIT_TEST(trim_partial_slots),
	UNIT_TEST(never_runs_dry),
	UNIT_TEST(metadata_budget),
	UNIT_TEST(presets),
	UNIT_TEST(min_capacity),
	UNIT_TEST(invalid_params),
	UNIT_TEST(deterministic),
	UNIT_TEST(reset_keeps_mappings),
	UNIT_TEST(victim_policies),
	UNIT_TEST(zero_latency_returns_now),
	UNIT_TEST(saturates),
	UNIT_TEST(ops_table),
	UNIT_TEST(plane_reads),
	UNIT_TEST(fw_cores),
	UNIT_TEST(zone_and_unknown_ops_are_other),
};

int main(int argc, char **argv)
{
	return unit_main("unit/conv/", tests, UNIT_ARRAY_SIZE(tests),
			 argc, argv);
}
