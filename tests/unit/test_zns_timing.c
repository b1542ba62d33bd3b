// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_zns_timing.c - tests for the zoned NAND timing model
 * (ftl/zns_timing.c): exact completion times by the rules of
 * zns_timing.h, the buffer rule and its no-deadlock guarantee, counters,
 * memory, parameters, exact power cuts (the cut op), and a randomized
 * consistency check.
 *
 * Unless a test says otherwise it uses P: 2 channels x 2 dies (die l on
 * channel l % 2), 1 plane, 8 KiB pages (2 slots), 2-page one-shot (PU = 4
 * slots), TLC, 4 pages per block (2 PUs per block), buffer 32 KiB = 8
 * slots.  8 zones of 64 KiB (16 slots, capacity = size) striped over 2
 * dies: zone z uses dies 2z mod 4 and 2z + 1 mod 4, so zones 0, 2, 4, 6
 * sit on dies 0 (channel 0) and 1 (channel 1), zones 1, 3, 5, 7 on dies 2
 * (channel 0) and 3 (channel 1).  A zone's PU q is on its die q % 2; PUs 0
 * and 1 are PU 0 of a block on their die, PUs 2 and 3 PU 1, so the page
 * types of zone slots 0..15 are
 *	slot	0-1  2-3  4-5  6-7  8-9  10-11  12-13  14-15
 *	type	LSB  CSB  LSB  CSB  MSB  LSB    MSB    LSB
 * t_c = 4096000 / 400 = 10240 ns, t_l = 4096000 / 2048 = 2000 ns.
 */
#include <time.h>

#include "zns_timing.h"
#include "unit.h"

#define KIB	1024ULL
#define MIB	(1024ULL * KIB)
#define GIB	(1024ULL * MIB)

#define FR	1000ULL		/* fw_read_ns */
#define FW	2000ULL		/* fw_write_ns */
#define FO	500ULL		/* fw_other_ns */
#define R4L	20000ULL	/* read_4k_ns by page type */
#define R4C	25000ULL
#define R4M	30000ULL
#define RPL	25000ULL	/* read_page_ns by page type */
#define RPC	32000ULL
#define RPM	40000ULL
#define PROG	200000ULL
#define ERASE	1000000ULL
#define TC	10240ULL	/* ns per slot on a channel */
#define TL	2000ULL		/* ns per slot on the link */
#define ZB	(64 * KIB)	/* zone bytes */
#define SLOT	4096ULL

static const struct zns_timing_params P = {
	.nand = {
		.nr_channels = 2, .luns_per_channel = 2, .planes_per_lun = 1,
		.pages_per_block = 4, .page_size = 8192, .oneshot_pages = 2,
		.cell_bits = 3,
		.read_4k_ns = { R4L, R4C, R4M },
		.read_page_ns = { RPL, RPC, RPM },
		.prog_ns = PROG, .erase_ns = ERASE,
		.channel_mbps = 400, .link_mbps = 2048,
		.fw_read_ns = FR, .fw_write_ns = FW, .fw_other_ns = FO,
		.buffer_kib = 32,
	},
	.zone_bytes = ZB, .zone_cap_bytes = ZB,
	.nr_zones = 8, .stripe_dies = 2,
};

/* Byte address of slot @slot of zone @z. */
static u64 at(u32 z, u64 slot)
{
	return z * ZB + slot * SLOT;
}

static u64 sched(struct zns_timing *m, enum model_op op, u64 off, u64 len,
		 u64 now, bool fua)
{
	struct model_req r = { .op = op, .slba_bytes = off, .len = len,
			       .now = now, .fua = fua };

	return zns_timing_schedule(m, &r);
}

static u64 rd(struct zns_timing *m, u64 off, u64 len, u64 now)
{
	return sched(m, MODEL_READ, off, len, now, false);
}

static u64 wr(struct zns_timing *m, u64 off, u64 len, u64 now)
{
	return sched(m, MODEL_WRITE, off, len, now, false);
}

static u64 wr_fua(struct zns_timing *m, u64 off, u64 len, u64 now)
{
	return sched(m, MODEL_WRITE, off, len, now, true);
}

static u64 flush(struct zns_timing *m, u64 now)
{
	return sched(m, MODEL_FLUSH, 0, 0, now, false);
}

static u64 zfinish(struct zns_timing *m, u32 z, u64 now)
{
	return sched(m, MODEL_ZONE_FINISH, z * ZB, ZB, now, false);
}

static u64 zreset(struct zns_timing *m, u32 z, u64 now)
{
	return sched(m, MODEL_ZONE_RESET, z * ZB, ZB, now, false);
}

static struct model_stats stats(struct zns_timing *m)
{
	struct model_stats st;

	zns_timing_stats(m, &st);
	return st;
}

#define INIT(m, params)	EXPECT_EQ_INT(zns_timing_init(&(m), (params)), 0)
#define CONSISTENT(m)	EXPECT_EQ_INT(zns_timing_check_consistency(&(m)), 0)

/* Write @n slots at zone @z's start, flush, forget pending work. */
static int fill(struct zns_timing *m, u32 z, u64 n)
{
	if (wr(m, at(z, 0), n * SLOT, 0) == U64_MAX)
		return -1;
	flush(m, 0);
	zns_timing_reset(m);
	return zns_timing_check_consistency(m);
}

/* The ranges a cut reported, in call order. */
struct lost_rec {
	u32 n;
	bool overflow;
	u64 off[64];
	u64 len[64];
};

static void lost_cb(void *arg, u64 off, u64 len)
{
	struct lost_rec *r = arg;

	if (r->n >= UNIT_ARRAY_SIZE(r->off)) {
		r->overflow = true;
		return;
	}
	r->off[r->n] = off;
	r->len[r->n] = len;
	r->n++;
}

static void cut(struct zns_timing *m, u64 t, struct lost_rec *r)
{
	memset(r, 0, sizeof(*r));
	zns_timing_cut(m, t, lost_cb, r);
}

#define EXPECT_LOST(r, i, o, l)						\
	do {								\
		EXPECT_TRUE((r).n > (i) && !(r).overflow);		\
		EXPECT_EQ_U64((r).off[i], (o));				\
		EXPECT_EQ_U64((r).len[i], (l));				\
	} while (0)

/* After a cut: no open PU, nothing buffered or in flight. */
#define CUT_CLEAN(m)							\
	do {								\
		EXPECT_EQ_U64((m).held, 0);				\
		EXPECT_EQ_U64((m).lru_len, 0);				\
		EXPECT_EQ_U64((m).lru_head, U32_MAX);			\
		EXPECT_EQ_U64((m).lru_tail, U32_MAX);			\
		EXPECT_EQ_U64((m).inflight_len, 0);			\
		EXPECT_EQ_U64((m).nand.buf_used, 0);			\
		CONSISTENT(m);						\
	} while (0)

/* Defaults and the derived geometry. */
static void test_defaults_and_geometry(void)
{
	struct zns_timing_params p;
	struct zns_timing m;

	memset(&p, 0xff, sizeof(p));
	zns_timing_params_default(&p);
	EXPECT_EQ_U64(p.nr_zones, ZNS_TIMING_DEFAULT_ZONES);
	EXPECT_EQ_U64(p.zone_bytes, 16 * MIB);
	EXPECT_EQ_U64(p.zone_cap_bytes, 16 * MIB);
	EXPECT_EQ_U64(p.stripe_dies, 4);
	EXPECT_TRUE(zns_timing_check_params(&p) == NULL);
	INIT(m, NULL);
	EXPECT_EQ_U64(m.nr_zones, 64);
	EXPECT_EQ_U64(m.zone_slots, 4096);
	EXPECT_EQ_U64(m.zone_shift, 12);
	EXPECT_EQ_U64(m.stripe, 4);
	EXPECT_EQ_U64(m.pu_slots, 24);
	EXPECT_EQ_U64(m.nand.g.nr_luns, 32);
	EXPECT_TRUE(zns_timing_volatile_cache(&m));
	/* a lone 4 KiB write lands in the buffer: fw + t_l */
	EXPECT_EQ_U64(wr(&m, 0, 4096, 1000), 1000 + 4000 + 1171);
	zns_timing_exit(&m);

	INIT(m, &P);
	EXPECT_EQ_U64(m.zone_slots, 16);
	EXPECT_EQ_U64(m.cap_slots, 16);
	EXPECT_EQ_U64(m.zone_shift, 4);
	EXPECT_EQ_U64(m.stripe, 2);
	EXPECT_EQ_U64(m.pu_slots, 4);
	EXPECT_EQ_U64(m.pus_per_group, 2);
	EXPECT_EQ_U64(m.nand.t_ch, TC);
	EXPECT_EQ_U64(m.nand.t_link, TL);
	EXPECT_EQ_U64(m.nand.buf_slots, 8);
	EXPECT_EQ_U64(sizeof(struct zns_tzone), 32);
	zns_timing_exit(&m);
}

/* A lone read on an idle die: fw + tR (page type by position) + k t_c + k t_l. */
static void test_lone_read_idle_die(void)
{
	struct zns_timing m;

	INIT(m, &P);
	EXPECT_EQ_INT(fill(&m, 0, 16), 0);
	/* slot 0: PU 0 on die 0, LSB page, one slot: read_4k_ns[LSB] */
	EXPECT_EQ_U64(rd(&m, at(0, 0), 4096, 10000000),
		      10000000 + FR + R4L + TC + TL);
	zns_timing_reset(&m);
	EXPECT_EQ_U64(rd(&m, at(0, 2), 4096, 0), FR + R4C + TC + TL);
	zns_timing_reset(&m);
	/* slot 8: PU 2, the second PU of die 0's block: MSB */
	EXPECT_EQ_U64(rd(&m, at(0, 8), 4096, 0), FR + R4M + TC + TL);
	zns_timing_reset(&m);
	EXPECT_EQ_U64(rd(&m, at(0, 10), 4096, 0), FR + R4L + TC + TL);
	zns_timing_reset(&m);
	/* slots 0-1: one LSB page, two slots: read_page_ns */
	EXPECT_EQ_U64(rd(&m, at(0, 0), 8192, 0), FR + RPL + 2 * TC + 2 * TL);
	zns_timing_reset(&m);
	/* slot 4: PU 1 on die 1, LSB; 512 bytes cost a whole slot */
	EXPECT_EQ_U64(rd(&m, at(0, 4) + 1024, 512, 0), FR + R4L + TC + TL);
	EXPECT_EQ_U64(stats(&m).media_read_bytes, 7 * SLOT);
	EXPECT_EQ_U64(stats(&m).host_read_bytes, 4 * 4096 + 8192 + 512);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/* Data in the buffer, and data never written, cost only fw + link. */
static void test_read_buffered_and_unwritten(void)
{
	struct zns_timing m;

	INIT(m, &P);
	EXPECT_EQ_U64(wr(&m, at(0, 0), 8192, 0), FW + 2 * TL);
	EXPECT_EQ_U64(m.zones[0].wp, 2);
	EXPECT_EQ_U64(m.zones[0].prog, 0);
	EXPECT_EQ_U64(m.held, 2);
	EXPECT_EQ_U64(rd(&m, at(0, 0), 8192, 100000), 100000 + FR + 2 * TL);
	/* beyond the write pointer, and a whole empty zone */
	EXPECT_EQ_U64(rd(&m, at(0, 2), 4096, 200000), 200000 + FR + TL);
	EXPECT_EQ_U64(rd(&m, at(3, 0), ZB, 300000), 300000 + FR + 16 * TL);
	/* beyond the namespace: ignored */
	EXPECT_EQ_U64(rd(&m, at(8, 0), 4096, 400000), 400000 + FR);
	EXPECT_EQ_U64(rd(&m, 0, 0, 500000), 500000 + FR);
	EXPECT_EQ_U64(stats(&m).media_read_bytes, 0);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/*
 * Two reads on one die queue; reads of zones on different dies overlap
 * (only the link is shared; on one channel the transfers take turns).
 */
static void test_two_reads_one_die_vs_two_dies(void)
{
	struct zns_timing m;
	u64 first = FR + R4L + TC;	/* end of the first channel transfer */

	INIT(m, &P);
	EXPECT_EQ_INT(fill(&m, 0, 4), 0);
	EXPECT_EQ_INT(fill(&m, 1, 8), 0);
	EXPECT_EQ_INT(fill(&m, 2, 4), 0);
	/* zones 0 and 2 share die 0: the second waits for the first */
	EXPECT_EQ_U64(rd(&m, at(0, 0), 4096, 0), first + TL);
	EXPECT_EQ_U64(rd(&m, at(2, 0), 4096, 0), first + R4L + TC + TL);
	zns_timing_reset(&m);
	/* zone 1 PU 1 is on die 3, channel 1: full overlap but the link */
	EXPECT_EQ_U64(rd(&m, at(0, 0), 4096, 0), first + TL);
	EXPECT_EQ_U64(rd(&m, at(1, 4), 4096, 0), first + 2 * TL);
	zns_timing_reset(&m);
	/* zone 1 PU 0 is on die 2, channel 0: tR overlaps, transfers not */
	EXPECT_EQ_U64(rd(&m, at(0, 0), 4096, 0), first + TL);
	EXPECT_EQ_U64(rd(&m, at(1, 0), 4096, 0), first + TC + TL);
	zns_timing_reset(&m);
	/* one request over two pages of die 0 (slots 0-3): page after page */
	EXPECT_EQ_U64(rd(&m, at(0, 0), 16 * KIB, 0),
		      FR + RPL + 2 * TC + RPC + 2 * TC + 2 * TL);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/* A write that fills a PU completes when buffered; its program follows. */
static void test_write_fills_pu(void)
{
	struct zns_timing_params p = P;
	struct zns_timing m;
	u64 pend = FW + 4 * TL + 4 * TC + PROG;

	INIT(m, &P);
	EXPECT_EQ_U64(wr(&m, at(0, 0), 16 * KIB, 0), FW + 4 * TL);
	EXPECT_EQ_U64(stats(&m).media_write_bytes, 16 * KIB);
	EXPECT_EQ_U64(stats(&m).host_write_bytes, 16 * KIB);
	EXPECT_EQ_U64(m.zones[0].prog, 4);
	EXPECT_EQ_U64(m.zones[0].pend, pend);
	EXPECT_EQ_U64(m.pads, 0);
	EXPECT_EQ_U64(m.nand.buf_used, 4);	/* until the program ends */
	EXPECT_EQ_U64(flush(&m, 0), pend);
	/* the program is in flight: the data is read from die 0, after it */
	EXPECT_EQ_U64(rd(&m, at(0, 0), 4096, 0), pend + R4L + TC + TL);
	CONSISTENT(m);
	zns_timing_exit(&m);

	/* no buffer: the write waits for its program; a partial PU is padded */
	p.nand.buffer_kib = 0;
	INIT(m, &p);
	EXPECT_TRUE(!zns_timing_volatile_cache(&m));
	EXPECT_EQ_U64(wr(&m, at(0, 0), 16 * KIB, 0), pend);
	EXPECT_EQ_U64(wr(&m, at(1, 0), 4096, 1000000),
		      1000000 + FW + TL + 4 * TC + PROG);
	EXPECT_EQ_U64(m.pads, 1);
	EXPECT_EQ_U64(m.pad_slots, 3);
	EXPECT_EQ_U64(stats(&m).media_write_bytes, 32 * KIB);
	EXPECT_EQ_U64(stats(&m).buffer_waits, 0);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/*
 * Back-pressure: slots 0-3 (PU 0, die 0) are buffered at FW + t_l ..
 * FW + 4 t_l and programmed from there; slots 4-7 (PU 1, die 1) fill the
 * 8-slot buffer; slot 8 waits for PU 0's program, slots 9-11 follow at
 * link speed (PU 0's slots are free).  PU 2 goes to die 0 after PU 0.
 */
static void test_buffer_backpressure(void)
{
	struct zns_timing m;
	u64 pend0 = FW + 4 * TL + 4 * TC + PROG;

	INIT(m, &P);
	EXPECT_EQ_U64(wr(&m, at(0, 0), 48 * KIB, 0), pend0 + 4 * TL);
	EXPECT_EQ_U64(stats(&m).buffer_waits, 1);
	EXPECT_EQ_U64(stats(&m).media_write_bytes, 48 * KIB);
	EXPECT_EQ_U64(m.forced_pads, 0);
	EXPECT_EQ_U64(flush(&m, 0), pend0 + 4 * TL + 4 * TC + PROG);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/*
 * Eight zones each hold one buffered slot: the 8-slot buffer is full and
 * no program is in flight.  The next write (zone 0) forces a pad of the
 * least recently written other zone (zone 1, die 2) and waits for it.
 * Then round-robin single-slot writes over all zones keep going.
 */
static void test_many_partial_zones_no_deadlock(void)
{
	struct zns_timing m;
	u64 t, now, pend;
	u32 z, i;

	INIT(m, &P);
	for (z = 0; z < 8; z++)
		EXPECT_EQ_U64(wr(&m, at(z, 0), 4096, z * 100000ULL),
			      z * 100000ULL + FW + TL);
	EXPECT_EQ_U64(m.held, 8);
	EXPECT_EQ_U64(m.lru_len, 8);
	EXPECT_EQ_U64(stats(&m).media_write_bytes, 0);
	pend = 1000000 + FW + 4 * TC + PROG;
	EXPECT_EQ_U64(wr(&m, at(0, 1), 4096, 1000000), pend + TL);
	EXPECT_EQ_U64(m.forced_pads, 1);
	EXPECT_EQ_U64(m.pads, 1);
	EXPECT_EQ_U64(m.pad_slots, 3);
	EXPECT_EQ_U64(m.zones[1].prog, 1);
	EXPECT_EQ_U64(m.zones[1].pend, pend);
	EXPECT_EQ_U64(stats(&m).buffer_waits, 1);
	EXPECT_EQ_U64(stats(&m).media_write_bytes, 16 * KIB);
	CONSISTENT(m);

	/* 120 more single slots, zone by zone: always completes */
	now = 2000000;
	for (i = 0; i < 120; i++) {
		z = i % 8;
		if (m.zones[z].wp >= m.cap_slots)
			continue;
		t = wr(&m, at(z, m.zones[z].wp), 4096, now);
		EXPECT_TRUE(t >= now + FW + TL && t < now + 2 * PROG);
		EXPECT_EQ_INT(zns_timing_check_consistency(&m), 0);
		now += 300000;
	}
	EXPECT_TRUE(m.forced_pads > 10);
	EXPECT_TRUE(m.pads >= m.forced_pads);
	EXPECT_EQ_U64(stats(&m).media_write_bytes % (16 * KIB), 0);
	EXPECT_TRUE(stats(&m).media_write_bytes >= m.pad_slots * SLOT);
	EXPECT_TRUE(flush(&m, now) >= now);
	EXPECT_EQ_U64(m.held, 0);
	EXPECT_EQ_U64(m.lru_len, 0);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/* fua: pad the zone's open PU and wait for it; fills wait for their PU. */
static void test_fua(void)
{
	struct zns_timing m;
	u64 t;

	INIT(m, &P);
	EXPECT_EQ_U64(wr_fua(&m, at(0, 0), 4096, 0),
		      FW + TL + 4 * TC + PROG);
	EXPECT_EQ_U64(m.pads, 1);
	EXPECT_EQ_U64(m.pad_slots, 3);
	EXPECT_EQ_U64(m.zones[0].prog, 1);
	/* the next slot: PU 0 again (the pad was a staging copy) */
	EXPECT_EQ_U64(wr_fua(&m, at(0, 1), 4096, 1000000),
		      1000000 + FW + TL + 4 * TC + PROG);
	EXPECT_EQ_U64(m.pad_slots, 5);
	EXPECT_EQ_U64(stats(&m).media_write_bytes, 32 * KIB);
	zns_timing_reset(&m);
	/* both slots are on the NAND, in page 0 (LSB) */
	EXPECT_EQ_U64(rd(&m, at(0, 0), 8192, 0), FR + RPL + 2 * TC + 2 * TL);
	/* a fua write filling a PU waits for that program, no padding */
	EXPECT_EQ_U64(wr_fua(&m, at(1, 0), 16 * KIB, 2000000),
		      2000000 + FW + 4 * TL + 4 * TC + PROG);
	EXPECT_EQ_U64(m.pads, 2);
	/* fua on one zone leaves the other zones' buffered data alone */
	t = wr(&m, at(2, 0), 4096, 3000000);
	EXPECT_EQ_U64(t, 3000000 + FW + TL);
	EXPECT_EQ_U64(wr_fua(&m, at(3, 0), 4096, 3000000),
		      3000000 + FW + 2 * TL + 4 * TC + PROG);
	EXPECT_EQ_U64(m.zones[2].prog, 0);
	EXPECT_EQ_U64(m.zones[2].wp, 1);
	/* fua without data */
	EXPECT_EQ_U64(wr_fua(&m, at(4, 0), 0, 4000000), 4000000 + FW);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/*
 * Flush pads every open PU (LRU order: zones 0, 1, 2) and waits for all
 * programs.  Ready R = now + fo.  Zone 0 pads on die 0 [R, R + 4 t_c +
 * PROG); zone 1 on die 2 needs channel 0 after zone 0's transfer: ends at
 * R + 8 t_c + PROG; zone 2 on die 0 follows zone 0: R + 8 t_c + 2 PROG.
 */
static void test_flush(void)
{
	struct zns_timing m;
	u64 r = 1000000 + FO;

	INIT(m, &P);
	EXPECT_EQ_U64(flush(&m, 100), 100 + FO);	/* nothing buffered */
	wr(&m, at(0, 0), 4096, 0);
	wr(&m, at(1, 0), 4096, 0);
	wr(&m, at(2, 0), 4096, 0);
	EXPECT_EQ_U64(m.lru_head, 0);
	EXPECT_EQ_U64(flush(&m, 1000000), r + 8 * TC + 2 * PROG);
	EXPECT_EQ_U64(m.zones[1].pend, r + 8 * TC + PROG);
	EXPECT_EQ_U64(m.pads, 3);
	EXPECT_EQ_U64(m.pad_slots, 9);
	EXPECT_EQ_U64(m.held, 0);
	EXPECT_EQ_U64(m.lru_len, 0);
	/* again: nothing to pad, still waits for the programs */
	EXPECT_EQ_U64(flush(&m, r + 1), r + 8 * TC + 2 * PROG);
	EXPECT_EQ_U64(flush(&m, 5000000), 5000000 + FO);
	EXPECT_EQ_U64(stats(&m).media_write_bytes, 3 * 16 * KIB);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/* Finish pads a partial PU and waits for it; without one it is immediate. */
static void test_finish(void)
{
	struct zns_timing m;
	u64 t;

	INIT(m, &P);
	EXPECT_EQ_U64(wr(&m, at(0, 0), 4096, 0), FW + TL);
	EXPECT_EQ_U64(zfinish(&m, 0, 1000000),
		      1000000 + 4 * TC + PROG + FO);
	EXPECT_EQ_U64(m.pads, 1);
	EXPECT_EQ_U64(m.zones[0].wp, 1);
	EXPECT_EQ_U64(m.zones[0].prog, 1);
	/* the slots it skipped read as unwritten */
	EXPECT_EQ_U64(rd(&m, at(0, 1), 4096, 2000000), 2000000 + FR + TL);
	/* an empty zone */
	EXPECT_EQ_U64(zfinish(&m, 1, 3000000), 3000000 + FO);
	/* a zone whose last PU was just filled (program in flight) */
	t = wr(&m, at(2, 0), 16 * KIB, 4000000);
	EXPECT_EQ_U64(t, 4000000 + FW + 4 * TL);
	EXPECT_EQ_U64(zfinish(&m, 2, t), t + FO);
	/* beyond the namespace */
	EXPECT_EQ_U64(zfinish(&m, 8, 5000000), 5000000 + FO);
	EXPECT_EQ_U64(m.pads, 1);
	EXPECT_EQ_U64(stats(&m).media_write_bytes, 32 * KIB);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/* Reset erases the zone's programmed blocks: dies in parallel. */
static void test_reset_erase_cost(void)
{
	struct zns_timing_params p = P;
	struct zns_timing m;

	INIT(m, &P);
	/* one PU programmed: one block on die 0 */
	EXPECT_EQ_INT(fill(&m, 0, 4), 0);
	EXPECT_EQ_U64(zreset(&m, 0, 10000000), 10000000 + ERASE + FO);
	EXPECT_EQ_U64(stats(&m).erases, 1);
	EXPECT_EQ_U64(m.zones[0].wp, 0);
	EXPECT_EQ_U64(m.zones[0].pend, 10000000 + ERASE);
	/* a full zone: one block on each of its 2 dies, in parallel */
	EXPECT_EQ_INT(fill(&m, 1, 16), 0);
	EXPECT_EQ_U64(zreset(&m, 1, 10000000), 10000000 + ERASE + FO);
	EXPECT_EQ_U64(stats(&m).erases, 3);
	/* an empty zone erases nothing */
	EXPECT_EQ_U64(zreset(&m, 2, 20000000), 20000000 + FO);
	EXPECT_EQ_U64(zreset(&m, 8, 20000000), 20000000 + FO);
	EXPECT_EQ_U64(stats(&m).erases, 3);
	CONSISTENT(m);
	zns_timing_exit(&m);

	/* stripe 1: a full zone is 2 blocks on one die, one after another */
	p.stripe_dies = 1;
	INIT(m, &p);
	EXPECT_EQ_INT(fill(&m, 0, 16), 0);
	EXPECT_EQ_U64(zreset(&m, 0, 10000000), 10000000 + 2 * ERASE + FO);
	EXPECT_EQ_U64(stats(&m).erases, 2);
	/* stripe 0 (all 4 dies): 16 slots are one PU per die */
	zns_timing_exit(&m);
	p.stripe_dies = 0;
	INIT(m, &p);
	EXPECT_EQ_U64(m.stripe, 4);
	EXPECT_EQ_INT(fill(&m, 0, 16), 0);
	EXPECT_EQ_U64(zreset(&m, 0, 10000000), 10000000 + ERASE + FO);
	EXPECT_EQ_U64(stats(&m).erases, 4);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/*
 * Reset right after writing: buffered data is dropped, the erases wait
 * for the zone's programs in flight, reads then cost like unwritten data
 * and the next program comes after the erases.
 */
static void test_reset_in_flight_then_unwritten(void)
{
	struct zns_timing m;
	u64 pend1 = FW + 8 * TL + 4 * TC + PROG, t;

	INIT(m, &P);
	/* 9 slots: PU 0 (die 0) and PU 1 (die 1) programmed, 1 buffered */
	/* slot 8 waits for PU 0's program (8-slot buffer) */
	EXPECT_EQ_U64(wr(&m, at(0, 0), 9 * SLOT, 0),
		      FW + 4 * TL + 4 * TC + PROG + TL);
	EXPECT_EQ_U64(m.held, 1);
	EXPECT_EQ_U64(zreset(&m, 0, 0), pend1 + ERASE + FO);
	EXPECT_EQ_U64(stats(&m).erases, 2);
	EXPECT_EQ_U64(m.held, 0);
	EXPECT_EQ_U64(m.lru_len, 0);
	EXPECT_EQ_U64(stats(&m).media_write_bytes, 32 * KIB);
	t = pend1 + ERASE + FO;
	EXPECT_EQ_U64(rd(&m, at(0, 0), 4096, t), t + FR + TL);
	EXPECT_EQ_U64(rd(&m, at(0, 0), ZB, t + 100000),
		      t + 100000 + FR + 16 * TL);
	EXPECT_EQ_U64(stats(&m).media_read_bytes, 0);
	/* written again before the erases end: its program waits for them */
	EXPECT_EQ_U64(wr_fua(&m, at(0, 0), 4096, pend1 + 1),
		      pend1 + ERASE + 4 * TC + PROG);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/* Zone capacity below the zone size: the zone's end pads, [C, S) is free. */
static void test_zone_capacity(void)
{
	struct zns_timing_params p = P;
	struct zns_timing m;

	p.zone_cap_bytes = 40 * KIB;	/* 10 slots: PU 2 holds 2 */
	p.nand.buffer_kib = 64;
	INIT(m, &p);
	EXPECT_EQ_U64(wr(&m, at(0, 0), 40 * KIB, 0), FW + 10 * TL);
	EXPECT_EQ_U64(m.zones[0].prog, 10);
	EXPECT_EQ_U64(m.pads, 1);
	EXPECT_EQ_U64(m.pad_slots, 2);
	EXPECT_EQ_U64(stats(&m).media_write_bytes, 48 * KIB);
	/* beyond the capacity: no time (the state machine never sends it) */
	EXPECT_EQ_U64(wr(&m, at(0, 10), 8192, 1000000), 1000000 + FW);
	/* reads there return zeroes over the link */
	EXPECT_EQ_U64(rd(&m, at(0, 12), 4096, 2000000), 2000000 + FR + TL);
	/* 3 PUs: die 0 holds PUs 0 and 2 (one block), die 1 PU 1 */
	EXPECT_EQ_U64(zreset(&m, 0, 5000000), 5000000 + ERASE + FO);
	EXPECT_EQ_U64(stats(&m).erases, 2);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/* Write Zeroes: no link, no host bytes, programmed like data. */
static void test_write_zeroes(void)
{
	struct zns_timing m;

	INIT(m, &P);
	EXPECT_EQ_U64(sched(&m, MODEL_WRITE_ZEROES, at(0, 0), 16 * KIB, 0,
			    false), FW);
	EXPECT_EQ_U64(m.zones[0].prog, 4);
	EXPECT_EQ_U64(stats(&m).host_write_bytes, 0);
	EXPECT_EQ_U64(stats(&m).media_write_bytes, 16 * KIB);
	EXPECT_EQ_U64(flush(&m, 0), FW + 4 * TC + PROG);
	EXPECT_EQ_U64(sched(&m, MODEL_WRITE_ZEROES, at(0, 4), 4096, 1000000,
			    true), 1000000 + FW + 4 * TC + PROG);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/* 512-byte writes continuing a slot merge into it (link time only). */
static void test_sub_slot_writes_merge(void)
{
	struct zns_timing m;

	INIT(m, &P);
	EXPECT_EQ_U64(wr(&m, at(0, 0), 512, 0), FW + TL);
	EXPECT_EQ_U64(wr(&m, at(0, 0) + 512, 512, 100000),
		      100000 + FW + TL);
	EXPECT_EQ_U64(wr(&m, at(0, 0) + 1024, 7 * 512, 200000),
		      200000 + FW + 2 * TL);	/* rest of slot 0 + slot 1 */
	EXPECT_EQ_U64(m.zones[0].wp, 2);
	EXPECT_EQ_U64(m.held, 2);
	/* a write beyond the write pointer pads the open PU first */
	EXPECT_EQ_U64(wr(&m, at(0, 5), 4096, 300000), 300000 + FW + TL);
	EXPECT_EQ_U64(m.zones[0].prog, 5);
	EXPECT_EQ_U64(m.zones[0].wp, 6);
	EXPECT_EQ_U64(m.pads, 1);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/* With every time 0, every request completes at now. */
static u64 lcg_state;

static u32 lcg(void)
{
	lcg_state = lcg_state * 6364136223846793005ULL +
		    1442695040888963407ULL;
	return (u32)(lcg_state >> 33);
}

static void test_zero_timing_returns_now(void)
{
	struct zns_timing_params p = P;
	struct zns_timing m;
	u64 now = 5;
	u32 i, z;

	memset(p.nand.read_4k_ns, 0, sizeof(p.nand.read_4k_ns));
	memset(p.nand.read_page_ns, 0, sizeof(p.nand.read_page_ns));
	p.nand.prog_ns = p.nand.erase_ns = 0;
	p.nand.channel_mbps = p.nand.link_mbps = 0;
	p.nand.fw_read_ns = p.nand.fw_write_ns = p.nand.fw_other_ns = 0;
	INIT(m, &p);
	lcg_state = 11;
	for (i = 0; i < 20000; i++) {
		u32 r = lcg() % 10;
		enum model_op op;
		u64 off, len;

		z = lcg() % 8;
		now += lcg() % 3 ? lcg() % 1000 : 0;
		if (r < 4) {
			if (m.zones[z].wp >= 16) {
				EXPECT_EQ_U64(zreset(&m, z, now), now);
				continue;
			}
			op = r == 3 ? MODEL_WRITE_ZEROES : MODEL_WRITE;
			off = at(z, m.zones[z].wp);
			len = (1 + lcg() % (16 - m.zones[z].wp)) * SLOT;
		} else {
			op = r == 4 ? MODEL_READ : r == 5 ? MODEL_FLUSH :
			     r == 6 ? MODEL_ZONE_FINISH : r == 7 ?
			     MODEL_ZONE_RESET : r == 8 ? MODEL_OTHER :
			     MODEL_READ;
			off = op == MODEL_READ ? (u64)(lcg() % 200) * 2048 :
			      z * ZB;
			len = op == MODEL_READ ? (u64)(lcg() % 40) * 1024 : ZB;
		}
		EXPECT_EQ_U64(sched(&m, op, off, len, now, lcg() % 5 == 0),
			      now);
	}
	EXPECT_TRUE(m.pads > 0 && stats(&m).erases > 0);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/* Cuts of the randomized test draw from their own generator. */
static u64 cut_lcg_state;

static u32 cut_lcg(void)
{
	cut_lcg_state = cut_lcg_state * 6364136223846793005ULL +
			1442695040888963407ULL;
	return (u32)(cut_lcg_state >> 33);
}

/*
 * Cut @a and @b (same history) at @t and check the lost ranges against
 * the state before: identical for both, ascending, not overlapping, at
 * most one per zone, each ending at the zone's wp and starting at a slot
 * d <= prog (d == prog when every program ended by @t), every open PU
 * lost, and d as the prefix rule gives it from the recorded programs.
 * Then the zones hold d (the reference @ref_wp too) and nothing is
 * pending.
 */
static int random_cut(struct zns_timing *a, struct zns_timing *b, u64 t,
		      u32 *ref_wp)
{
	static struct lost_rec ra, rb;
	u32 wp[8], prog[8], d[8], want[8], i, z, o;
	bool ended = t >= a->nand.last_pend;
	u64 prev_end = 0;

	for (z = 0; z < 8; z++) {
		wp[z] = a->zones[z].wp;
		prog[z] = a->zones[z].prog;
		d[z] = wp[z];
		want[z] = prog[z];
	}
	for (i = 0; i < a->inflight_len; i++) {
		const struct zns_tprog *e = &a->inflight[i];

		if (e->zone == U32_MAX || e->pend <= t)
			continue;
		if (e->zone >= 8 || e->start > prog[e->zone])
			return -30;
		if (e->start < want[e->zone])
			want[e->zone] = e->start;
	}
	cut(a, t, &ra);
	cut(b, t, &rb);
	if (ra.overflow || ra.n != rb.n ||
	    memcmp(ra.off, rb.off, sizeof(ra.off)) ||
	    memcmp(ra.len, rb.len, sizeof(ra.len)))
		return -31;
	for (i = 0; i < ra.n; i++) {
		z = (u32)(ra.off[i] / ZB);
		o = (u32)((ra.off[i] % ZB) / SLOT);
		if (ra.off[i] < prev_end || ra.off[i] % SLOT || !ra.len[i])
			return -32;
		if (z >= 8 || d[z] != wp[z])
			return -33;	/* a second range in a zone */
		if (ra.off[i] + ra.len[i] != at(z, wp[z]) || o > prog[z])
			return -34;
		if (ended && o != prog[z])
			return -35;
		d[z] = o;
		prev_end = ra.off[i] + ra.len[i];
	}
	for (z = 0; z < 8; z++) {
		if (d[z] != (want[z] < wp[z] ? want[z] : wp[z]))
			return -36;
		if (a->zones[z].wp != d[z] || a->zones[z].prog != d[z])
			return -37;
		ref_wp[z] = d[z];
	}
	if (a->held || a->lru_len || a->inflight_len || a->nand.buf_used)
		return -38;
	return zns_timing_check_consistency(a);
}

/*
 * Randomized: sequential writes (some fua, some zeroes, some appends) to
 * random zones, reads anywhere, resets, finishes, flushes, other ops,
 * rare model resets and power cuts, with a reference of each zone's write
 * pointer.  Checks: completion >= now and the lower bounds of the rules,
 * busy-until times never move back, the model's write pointers, the erase
 * counter against the reset rule, the cuts (random_cut()), consistency,
 * and two instances agree.
 */
static int random_run(const struct zns_timing_params *p, u64 seed, u32 ops)
{
	struct zns_timing a, b;
	u32 ref_wp[8] = { 0 }, i, z, C, n, q, j, c, g, blocks;
	bool full[8] = { false };
	u64 now = 0, t, t2, idle = 0, last_pend = 0, erases, media;
	u64 nslots, nnand, sl;
	struct model_req r;
	u32 cuts = 0;
	int err = 0;

	if (zns_timing_init(&a, p) || zns_timing_init(&b, p))
		return -100;
	C = a.cap_slots;
	lcg_state = seed;
	cut_lcg_state = seed ^ 0x5eedULL;
	for (i = 0; i < ops && !err; i++) {
		u32 k;

		if (cut_lcg() % 200 == 0) {
			/* a cut at now, a bit later, or after every program */
			t = cut_lcg() % 3 ? now + cut_lcg() % 1000000 :
			    nand_max(now, a.nand.last_pend);
			err = random_cut(&a, &b, t, ref_wp);
			now = t;
			idle = last_pend = 0;
			cuts++;
		}
		k = lcg() % 100;

		memset(&r, 0, sizeof(r));
		z = lcg() % 8;
		now += (lcg() % 16 == 0) ? lcg() % 5000000 : lcg() % 30000;
		r.now = now;
		if (k < 45) {
			if (full[z] || ref_wp[z] >= C) {
				k = 75;		/* reset it instead */
			} else {
				n = 1 + lcg() % (C - ref_wp[z] < 12 ?
						 C - ref_wp[z] : 12);
				r.op = lcg() % 10 ? MODEL_WRITE :
				       MODEL_WRITE_ZEROES;
				r.slba_bytes = at(z, ref_wp[z]);
				r.len = n * SLOT;
				r.fua = lcg() % 8 == 0;
				t = zns_timing_schedule(&a, &r);
				if (t < now + p->nand.fw_write_ns +
				    (r.op == MODEL_WRITE ? n * a.nand.t_link :
				     0))
					err = -1;
				ref_wp[z] += n;
				if (a.zones[z].wp != ref_wp[z])
					err = -2;
				if (r.fua && a.zones[z].wp != a.zones[z].prog)
					err = -3;
				goto next;
			}
		}
		if (k < 70 && k >= 45) {
			r.op = MODEL_READ;
			r.slba_bytes = (u64)(lcg() % (8 * 16 + 4)) * SLOT +
				       (lcg() % 2) * 512;
			r.len = (u64)(1 + lcg() % 20) * SLOT;
			/* slots inside the namespace, those on the NAND */
			nslots = 0;
			nnand = 0;
			for (sl = r.slba_bytes >> 12;
			     sl < (r.slba_bytes + r.len + 4095) >> 12 &&
			     sl < 8ULL * a.zone_slots; sl++) {
				nslots++;
				if (sl % a.zone_slots <
				    a.zones[sl / a.zone_slots].prog)
					nnand++;
			}
			media = stats(&a).media_read_bytes;
			t = zns_timing_schedule(&a, &r);
			if (t < now + p->nand.fw_read_ns +
			    nslots * a.nand.t_link)
				err = -4;
			if (stats(&a).media_read_bytes - media != nnand * SLOT)
				err = -17;
			goto next;
		}
		if (k < 80) {
			/* reset: expected erases from the programmed PUs */
			q = (a.zones[z].prog + a.pu_slots - 1) / a.pu_slots;
			blocks = 0;
			for (j = 0; j < q && j < a.stripe; j++) {
				c = (q - 1 - j) / a.stripe + 1;
				g = (c + a.pus_per_group - 1) /
				    a.pus_per_group;
				blocks += g;
			}
			erases = stats(&a).erases;
			r.op = MODEL_ZONE_RESET;
			r.slba_bytes = z * ZB;
			r.len = ZB;
			t = zns_timing_schedule(&a, &r);
			if (t < now + p->nand.fw_other_ns +
			    (blocks ? p->nand.erase_ns : 0))
				err = -5;
			if (stats(&a).erases - erases !=
			    (u64)blocks * p->nand.planes_per_lun)
				err = -6;
			ref_wp[z] = 0;
			full[z] = false;
			if (a.zones[z].wp || a.zones[z].prog)
				err = -7;
			goto next;
		}
		if (k < 85) {
			r.op = MODEL_ZONE_FINISH;
			r.slba_bytes = z * ZB;
			r.len = ZB;
			t = zns_timing_schedule(&a, &r);
			full[z] = true;
			if (t < now + p->nand.fw_other_ns ||
			    a.zones[z].wp != a.zones[z].prog)
				err = -8;
			goto next;
		}
		if (k < 92) {
			r.op = MODEL_FLUSH;
			t = zns_timing_schedule(&a, &r);
			if (t < now + p->nand.fw_other_ns || a.held ||
			    a.lru_len || t < a.nand.last_pend)
				err = -9;
			goto next;
		}
		if (k < 99) {
			r.op = (lcg() % 2) ? MODEL_OTHER : MODEL_DISCARD;
			r.slba_bytes = z * ZB;
			r.len = 4096;
			t = zns_timing_schedule(&a, &r);
			if (t != now + p->nand.fw_other_ns)
				err = -10;
			goto next;
		}
		zns_timing_reset(&a);
		zns_timing_reset(&b);
		idle = last_pend = 0;
		continue;
next:
		t2 = zns_timing_schedule(&b, &r);
		if (t != t2 || t == U64_MAX || t < now)
			err = -11;
		if (a.nand.idle < idle || a.nand.last_pend < last_pend)
			err = -12;
		idle = a.nand.idle;
		last_pend = a.nand.last_pend;
		if (!err && (i & 255) == 0)
			err = zns_timing_check_consistency(&a);
	}
	if (!err) {
		memset(&r, 0, sizeof(r));
		r.op = MODEL_FLUSH;
		r.now = now;
		if (zns_timing_schedule(&a, &r) != zns_timing_schedule(&b, &r))
			err = -13;
		if (!err)
			err = zns_timing_check_consistency(&a);
	}
	if (!err && stats(&a).media_write_bytes % (a.pu_slots * SLOT))
		err = -14;
	if (!err && memcmp(&a.nand.st, &b.nand.st, sizeof(a.nand.st)))
		err = -15;
	if (!err && stats(&a).media_write_bytes == 0)
		err = -16;
	if (!err && ops >= 10000 && cuts < ops / 400)
		err = -18;
	zns_timing_exit(&a);
	zns_timing_exit(&b);
	return err;
}

static void test_randomized(void)
{
	struct zns_timing_params v[5];
	int i, err;
	u64 seed;

	v[0] = P;
	v[1] = P;
	v[1].nand.buffer_kib = 0;
	v[2] = P;
	v[2].stripe_dies = 0;
	v[2].zone_cap_bytes = 40 * KIB;
	v[3] = P;
	v[3].stripe_dies = 1;
	v[3].nand.buffer_kib = 16;	/* one PU: tightest buffer */
	v[4] = P;
	v[4].nand.planes_per_lun = 2;	/* PU 8 slots */
	v[4].nand.buffer_kib = 64;
	v[4].zone_cap_bytes = 60 * KIB;
	for (i = 0; i < 5; i++) {
		if (zns_timing_check_params(&v[i]))
			FAIL("variant %d: %s", i,
			     zns_timing_check_params(&v[i]));
		for (seed = 1; seed <= 3; seed++) {
			err = random_run(&v[i], seed * 7919 + i, 30000);
			if (err)
				FAIL("variant %d seed %llu: %d", i,
				     (unsigned long long)seed, err);
		}
	}
}

/*
 * The record of programs in flight (zns_timing.h "Power cut"): one entry
 * {pend, zone, start} per PU program; requests drop those that ended by
 * their now, a zone reset marks its zone's entries, the model's reset
 * empties it.  Zone 0's PU 0 fill (die 0) ends at X = FW + 4 t_l + 4 t_c +
 * PROG; slot 4 waits in the buffer (link from FW + 4 t_l to FW + 5 t_l);
 * the fua write of slot 5 crosses the link from FW + 5 t_l and pads PU 1
 * (die 1, channel 1) from FW + 6 t_l: its program starts at slot 4.
 */
static void test_inflight_record(void)
{
	struct zns_timing m;
	u64 x = FW + 4 * TL + 4 * TC + PROG;
	u64 pend2 = FW + 6 * TL + 4 * TC + PROG;

	INIT(m, &P);
	EXPECT_EQ_U64(wr(&m, at(0, 0), 16 * KIB, 0), FW + 4 * TL);
	EXPECT_EQ_U64(m.inflight_len, 1);
	EXPECT_EQ_U64(m.inflight[0].pend, x);
	EXPECT_EQ_U64(m.inflight[0].zone, 0);
	EXPECT_EQ_U64(m.inflight[0].start, 0);
	EXPECT_EQ_U64(wr(&m, at(0, 4), 4096, 0), FW + 5 * TL);
	EXPECT_EQ_U64(m.inflight_len, 1);
	EXPECT_EQ_U64(wr_fua(&m, at(0, 5), 4096, 0), pend2);
	EXPECT_EQ_U64(m.inflight_len, 2);
	EXPECT_EQ_U64(m.inflight[0].pend, x);
	EXPECT_EQ_U64(m.inflight[1].pend, pend2);
	EXPECT_EQ_U64(m.inflight[1].start, 4);
	/* a request at X - 1 keeps both, one at X drops the first */
	EXPECT_EQ_U64(sched(&m, MODEL_OTHER, 0, 0, x - 1, false), x - 1 + FO);
	EXPECT_EQ_U64(m.inflight_len, 2);
	EXPECT_EQ_U64(sched(&m, MODEL_OTHER, 0, 0, x, false), x + FO);
	EXPECT_EQ_U64(m.inflight_len, 1);
	EXPECT_EQ_U64(m.inflight[0].pend, pend2);
	/* zone 0's reset: its entry is ignored from now on */
	zreset(&m, 0, x);
	EXPECT_EQ_U64(m.inflight_len, 1);
	EXPECT_EQ_U64(m.inflight[0].zone, U32_MAX);
	wr(&m, at(1, 0), 16 * KIB, x);
	EXPECT_EQ_U64(m.inflight_len, 2);
	zns_timing_reset(&m);
	EXPECT_EQ_U64(m.inflight_len, 0);
	EXPECT_EQ_U64(m.cut_overflows, 0);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/*
 * Power cut (zns_timing.h "Power cut").  The tests below use P, or P16: P
 * with a 64 KiB (16-slot) buffer so that two zones' PUs fit at once.
 */
static struct zns_timing_params p16(void)
{
	struct zns_timing_params p = P;

	p.nand.buffer_kib = 64;
	return p;
}

/*
 * Two buffered slots of zone 0 (FW + 2 t_l), no program: a cut at any time
 * loses [0, 8 KiB) and leaves the zone empty.  lost may be NULL.
 */
static void test_cut_buffered(void)
{
	static const u64 ts[] = { FW + 2 * TL, 1000000000ULL, U64_MAX };
	struct lost_rec r;
	struct zns_timing m;
	u32 i;

	for (i = 0; i < UNIT_ARRAY_SIZE(ts); i++) {
		INIT(m, &P);
		EXPECT_EQ_U64(wr(&m, at(0, 0), 8192, 0), FW + 2 * TL);
		EXPECT_EQ_U64(m.held, 2);
		cut(&m, ts[i], &r);
		EXPECT_EQ_U64(r.n, 1);
		EXPECT_LOST(r, 0, 0, 8192);
		EXPECT_EQ_U64(m.zones[0].wp, 0);
		EXPECT_EQ_U64(m.zones[0].prog, 0);
		CUT_CLEAN(m);
		zns_timing_exit(&m);
	}
	INIT(m, &P);
	wr(&m, at(0, 0), 8192, 0);
	zns_timing_cut(&m, FW + 2 * TL, NULL, NULL);
	EXPECT_EQ_U64(m.zones[0].wp, 0);
	CUT_CLEAN(m);
	/* a cut of an empty model reports nothing */
	cut(&m, 0, &r);
	EXPECT_EQ_U64(r.n, 0);
	zns_timing_exit(&m);
}

/*
 * A write of one PU (4 slots) into empty zone 0: buffered at FW + 4 t_l,
 * programmed on die 0 from there, ending at X = FW + 4 t_l + 4 t_c + PROG.
 * A cut at X - 1 loses the PU, a cut at X nothing.
 */
static void test_cut_program_end(void)
{
	const u64 x = FW + 4 * TL + 4 * TC + PROG;
	struct lost_rec r;
	struct zns_timing m;

	INIT(m, &P);
	EXPECT_EQ_U64(wr(&m, at(0, 0), 16 * KIB, 0), FW + 4 * TL);
	EXPECT_EQ_U64(m.zones[0].pend, x);
	cut(&m, x - 1, &r);
	EXPECT_EQ_U64(r.n, 1);
	EXPECT_LOST(r, 0, 0, 16 * KIB);
	EXPECT_EQ_U64(m.zones[0].wp, 0);
	EXPECT_EQ_U64(m.zones[0].prog, 0);
	CUT_CLEAN(m);
	zns_timing_exit(&m);

	INIT(m, &P);
	EXPECT_EQ_U64(wr(&m, at(0, 0), 16 * KIB, 0), FW + 4 * TL);
	cut(&m, x, &r);
	EXPECT_EQ_U64(r.n, 0);
	EXPECT_EQ_U64(m.zones[0].wp, 4);
	EXPECT_EQ_U64(m.zones[0].prog, 4);
	CUT_CLEAN(m);
	zns_timing_exit(&m);
}

/*
 * fua: one slot, padded on die 0 at FW + t_l; the write completes with the
 * pad at C = FW + t_l + 4 t_c + PROG.  A cut at C loses nothing, at C - 1
 * the slot.
 */
static void test_cut_fua(void)
{
	const u64 c = FW + TL + 4 * TC + PROG;
	struct lost_rec r;
	struct zns_timing m;

	INIT(m, &P);
	EXPECT_EQ_U64(wr_fua(&m, at(0, 0), 4096, 0), c);
	cut(&m, c, &r);
	EXPECT_EQ_U64(r.n, 0);
	EXPECT_EQ_U64(m.zones[0].wp, 1);
	EXPECT_EQ_U64(m.zones[0].prog, 1);
	CUT_CLEAN(m);
	zns_timing_exit(&m);

	INIT(m, &P);
	EXPECT_EQ_U64(wr_fua(&m, at(0, 0), 4096, 0), c);
	cut(&m, c - 1, &r);
	EXPECT_EQ_U64(r.n, 1);
	EXPECT_LOST(r, 0, 0, 4096);
	CUT_CLEAN(m);
	zns_timing_exit(&m);
}

/*
 * A fua write waits for its zone's earlier programs.  P16.  Zone 2's PU 0
 * (die 0) is buffered by FW + 4 t_l and ends at A = FW + 4 t_l + 4 t_c +
 * PROG; zone 0's PU 0 (slots 4 t_l later, die 0 again) waits for it:
 * B = A + 4 t_c + PROG.  The fua write of zone 0's slot 4 crosses the link
 * at FW + 8 t_l .. FW + 9 t_l and pads PU 1 on idle die 1 (channel 1),
 * ending at C = FW + 9 t_l + 4 t_c + PROG < B; it completes at B (zone 0's
 * pend), not C: a cut at C would have lost it (zone 0 keeps a prefix, and
 * PU 0 had not ended; it completed at C before).  A cut at B keeps zone 0
 * whole; one ns earlier loses it from slot 0 (5 slots).
 */
static void test_cut_fua_behind_earlier_program(void)
{
	const struct zns_timing_params p = p16();
	const u64 a = FW + 4 * TL + 4 * TC + PROG, b = a + 4 * TC + PROG;
	const u64 c = FW + 9 * TL + 4 * TC + PROG;
	struct lost_rec r;
	struct zns_timing m;
	int i;

	EXPECT_TRUE(c < b);
	for (i = 0; i < 2; i++) {
		INIT(m, &p);
		EXPECT_EQ_U64(wr(&m, at(2, 0), 16 * KIB, 0), FW + 4 * TL);
		EXPECT_EQ_U64(wr(&m, at(0, 0), 16 * KIB, 0), FW + 8 * TL);
		EXPECT_EQ_U64(m.zones[0].pend, b);
		EXPECT_EQ_U64(wr_fua(&m, at(0, 4), 4096, 0), b);
		cut(&m, b - i, &r);
		if (i == 0) {
			EXPECT_EQ_U64(r.n, 0);
			EXPECT_EQ_U64(m.zones[0].wp, 5);
		} else {
			EXPECT_EQ_U64(r.n, 1);
			EXPECT_LOST(r, 0, 0, 5 * SLOT);
			EXPECT_EQ_U64(m.zones[0].wp, 0);
		}
		EXPECT_EQ_U64(m.zones[2].wp, 4);	/* A < B: durable */
		CUT_CLEAN(m);
		zns_timing_exit(&m);
	}
}

/*
 * Flush after buffered writes in two zones (as test_flush): zone 0 (one
 * slot) pads on die 0 from R = 1000000 + FO, ending at R + 4 t_c + PROG;
 * zone 1 (two slots) on die 2 waits for channel 0: R + 8 t_c + PROG, when
 * the flush completes.  A cut then loses nothing; one ns earlier, zone 1's
 * two slots.
 */
static void test_cut_flush(void)
{
	const u64 r0 = 1000000 + FO, end = r0 + 8 * TC + PROG;
	struct lost_rec r;
	struct zns_timing m;
	int i;

	for (i = 0; i < 2; i++) {
		INIT(m, &P);
		EXPECT_EQ_U64(wr(&m, at(0, 0), 4096, 0), FW + TL);
		EXPECT_EQ_U64(wr(&m, at(1, 0), 8192, 0), FW + 3 * TL);
		EXPECT_EQ_U64(flush(&m, 1000000), end);
		EXPECT_EQ_U64(m.zones[0].pend, r0 + 4 * TC + PROG);
		cut(&m, end - i, &r);
		if (i == 0) {
			EXPECT_EQ_U64(r.n, 0);
			EXPECT_EQ_U64(m.zones[1].wp, 2);
		} else {
			EXPECT_EQ_U64(r.n, 1);
			EXPECT_LOST(r, 0, at(1, 0), 8192);
			EXPECT_EQ_U64(m.zones[1].wp, 0);
		}
		EXPECT_EQ_U64(m.zones[0].wp, 1);
		EXPECT_EQ_U64(m.zones[0].prog, 1);
		CUT_CLEAN(m);
		zns_timing_exit(&m);
	}
}

/*
 * The prefix rule, P16.  Zone 2's PU 0 (die 0) is buffered by FW + 4 t_l
 * and ends at A = FW + 4 t_l + 4 t_c + PROG.  Zone 0 writes 8 slots: PU 0
 * is buffered by FW + 8 t_l and waits for die 0: it ends at E0 = A + 4 t_c
 * + PROG; PU 1 (die 1, channel 1, idle) is buffered by FW + 12 t_l and ends
 * at E1 = FW + 12 t_l + 4 t_c + PROG < E0.  A cut in [E1, E0) finds PU 1
 * programmed but loses it with PU 0: [0, 8 slots).  At E0 nothing is lost.
 */
static void test_cut_prefix(void)
{
	const struct zns_timing_params p = p16();
	const u64 a = FW + 4 * TL + 4 * TC + PROG;
	const u64 e0 = a + 4 * TC + PROG;
	const u64 e1 = FW + 12 * TL + 4 * TC + PROG;
	const u64 ts[] = { e1 - 1, e1, e0 - 1, e0 };
	struct lost_rec r;
	struct zns_timing m;
	u32 i, j;

	EXPECT_TRUE(a < e1 && e1 < e0);
	for (i = 0; i < UNIT_ARRAY_SIZE(ts); i++) {
		INIT(m, &p);
		EXPECT_EQ_U64(wr(&m, at(2, 0), 16 * KIB, 0), FW + 4 * TL);
		EXPECT_EQ_U64(wr(&m, at(0, 0), 32 * KIB, 0), FW + 12 * TL);
		EXPECT_EQ_U64(m.zones[2].pend, a);
		EXPECT_EQ_U64(m.zones[0].pend, e0);
		/* PU 1's entry: starts at slot 4, ends at E1 */
		for (j = 0; j < m.inflight_len; j++)
			if (m.inflight[j].zone == 0 &&
			    m.inflight[j].start == 4)
				break;
		EXPECT_TRUE(j < m.inflight_len);
		EXPECT_EQ_U64(m.inflight[j].pend, e1);
		cut(&m, ts[i], &r);
		if (ts[i] < e0) {
			EXPECT_EQ_U64(r.n, 1);
			EXPECT_LOST(r, 0, 0, 8 * SLOT);
			EXPECT_EQ_U64(m.zones[0].wp, 0);
		} else {
			EXPECT_EQ_U64(r.n, 0);
			EXPECT_EQ_U64(m.zones[0].wp, 8);
		}
		EXPECT_EQ_U64(m.zones[2].wp, 4);
		EXPECT_EQ_U64(m.zones[2].prog, 4);
		CUT_CLEAN(m);
		zns_timing_exit(&m);
	}
}

/*
 * A zone reset makes its recorded programs irrelevant, P16.  Zone 0's PU
 * 0 (die 0) ends at X = FW + 4 t_l + 4 t_c + PROG, zone 1's (die 2, after
 * zone 0's transfer on channel 0) at Y = FW + 4 t_l + 8 t_c + PROG.  Zone
 * 0 is reset at 1000 (erase from X).
 *   (1) A cut at 1000 loses zone 1's PU only.
 *   (2) After the reset a write at slot 4 of zone 0 ((3), a gap: wp = prog
 *	 = 4) crosses the link behind zone 1's slots, FW + 8 t_l .. FW + 9
 *	 t_l, into the buffer.  A cut then loses that slot, [4, 5), not
 *	 [0, 5) as zone 0's old program (start 0, ending at X > t) would
 *	 say, and zone 1's PU.
 *   (3) A fua write of slot 0 after the reset pads on die 0 after the
 *	 erase: C = X + ERASE + 4 t_c + PROG; a cut at C loses nothing.
 */
static void test_cut_zone_reset(void)
{
	const struct zns_timing_params p = p16();
	const u64 x = FW + 4 * TL + 4 * TC + PROG;
	const u64 c = x + ERASE + 4 * TC + PROG;
	struct lost_rec r;
	struct zns_timing m;
	int i;

	for (i = 1; i <= 2; i++) {
		INIT(m, &p);
		EXPECT_EQ_U64(wr(&m, at(0, 0), 16 * KIB, 0), FW + 4 * TL);
		EXPECT_EQ_U64(wr(&m, at(1, 0), 16 * KIB, 0), FW + 8 * TL);
		EXPECT_EQ_U64(m.zones[1].pend, FW + 4 * TL + 8 * TC + PROG);
		EXPECT_EQ_U64(zreset(&m, 0, 1000), x + ERASE + FO);
		if (i == 1) {
			cut(&m, 1000, &r);
			EXPECT_EQ_U64(r.n, 1);
			EXPECT_LOST(r, 0, at(1, 0), 16 * KIB);
		} else {
			EXPECT_EQ_U64(wr(&m, at(0, 4), 4096, 2000),
				      FW + 9 * TL);
			EXPECT_EQ_U64(m.zones[0].prog, 4);
			cut(&m, FW + 9 * TL, &r);
			EXPECT_EQ_U64(r.n, 2);
			EXPECT_LOST(r, 0, at(0, 4), 4096);
			EXPECT_LOST(r, 1, at(1, 0), 16 * KIB);
			EXPECT_EQ_U64(m.zones[0].wp, 4);
		}
		EXPECT_EQ_U64(m.zones[1].wp, 0);
		CUT_CLEAN(m);
		zns_timing_exit(&m);
	}

	INIT(m, &p);
	EXPECT_EQ_U64(wr(&m, at(0, 0), 16 * KIB, 0), FW + 4 * TL);
	EXPECT_EQ_U64(zreset(&m, 0, 1000), x + ERASE + FO);
	EXPECT_EQ_U64(wr_fua(&m, at(0, 0), 4096, 2000), c);
	cut(&m, c, &r);
	EXPECT_EQ_U64(r.n, 0);
	EXPECT_EQ_U64(m.zones[0].wp, 1);
	EXPECT_EQ_U64(m.zones[0].prog, 1);
	CUT_CLEAN(m);
	zns_timing_exit(&m);
}

/*
 * After a cut the device is idle and the lost range's start is a new slot
 * ((4)), whatever was booked before:
 *   (1) zone 0's two buffered slots lost: a 4 KiB write at slot 0 costs
 *	 FW + t_l and holds one buffer slot;
 *   (2) 512 bytes written: the cut loses the whole slot; 512 bytes at the
 *	 same LBA are a new slot again (held 1), not a merge;
 *   (3) PU 0 programmed (ends at X = FW + 4 t_l + 4 t_c + PROG), slots 4-5
 *	 buffered; a cut at X loses [4, 6); a write of slots 4-7 at X costs
 *	 FW + 4 t_l and its program (die 1, idle) ends 4 t_c + PROG later;
 *   (4) test_cut_prefix's state cut at E1 (zone 0 lost from slot 0, its PU
 *	 0 still due on die 0 until E0): a PU written at E1 no longer waits
 *	 for die 0: it ends at E1 + FW + 4 t_l + 4 t_c + PROG.
 */
static void test_cut_then_write(void)
{
	const struct zns_timing_params p = p16();
	const u64 x = FW + 4 * TL + 4 * TC + PROG, t = 1000000;
	const u64 e1 = FW + 12 * TL + 4 * TC + PROG;
	struct lost_rec r;
	struct zns_timing m;

	INIT(m, &P);
	wr(&m, at(0, 0), 8192, 0);
	cut(&m, t, &r);
	EXPECT_LOST(r, 0, 0, 8192);
	EXPECT_EQ_U64(wr(&m, at(0, 0), 4096, t), t + FW + TL);
	EXPECT_EQ_U64(m.zones[0].wp, 1);
	EXPECT_EQ_U64(m.zones[0].prog, 0);
	EXPECT_EQ_U64(m.held, 1);
	EXPECT_EQ_U64(m.lru_len, 1);
	CONSISTENT(m);
	zns_timing_exit(&m);

	INIT(m, &P);
	EXPECT_EQ_U64(wr(&m, at(0, 0), 512, 0), FW + TL);
	cut(&m, t, &r);
	EXPECT_EQ_U64(r.n, 1);
	EXPECT_LOST(r, 0, 0, 4096);
	EXPECT_EQ_U64(wr(&m, at(0, 0), 512, t), t + FW + TL);
	EXPECT_EQ_U64(m.zones[0].wp, 1);
	EXPECT_EQ_U64(m.held, 1);
	CONSISTENT(m);
	zns_timing_exit(&m);

	INIT(m, &P);
	EXPECT_EQ_U64(wr(&m, at(0, 0), 16 * KIB, 0), FW + 4 * TL);
	EXPECT_EQ_U64(wr(&m, at(0, 4), 8192, 0), FW + 6 * TL);
	cut(&m, x, &r);
	EXPECT_EQ_U64(r.n, 1);
	EXPECT_LOST(r, 0, at(0, 4), 8192);
	EXPECT_EQ_U64(m.zones[0].wp, 4);
	EXPECT_EQ_U64(wr(&m, at(0, 4), 16 * KIB, x), x + FW + 4 * TL);
	EXPECT_EQ_U64(m.zones[0].prog, 8);
	EXPECT_EQ_U64(m.zones[0].pend, x + FW + 4 * TL + 4 * TC + PROG);
	EXPECT_EQ_U64(m.inflight_len, 1);
	EXPECT_EQ_U64(m.inflight[0].start, 4);
	CONSISTENT(m);
	zns_timing_exit(&m);

	INIT(m, &p);
	wr(&m, at(2, 0), 16 * KIB, 0);
	wr(&m, at(0, 0), 32 * KIB, 0);
	cut(&m, e1, &r);
	EXPECT_LOST(r, 0, 0, 8 * SLOT);
	EXPECT_EQ_U64(wr(&m, at(0, 0), 16 * KIB, e1), e1 + FW + 4 * TL);
	EXPECT_EQ_U64(m.zones[0].pend, e1 + FW + 4 * TL + 4 * TC + PROG);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/*
 * Overflow of the record: P with a 16 KiB (4-slot) buffer, 32 zones:
 * inflight_cap = 4 * 4 + 256 = 272.  Sixteen rounds of one fua slot per
 * zone, all at now 0 (nothing expires): 512 programs, each ending when its
 * write completes (C[z][o]) and starting at slot o.  The record keeps the
 * 272 latest-ending ones (the dropped one is always the earliest): 240
 * overflows.  For a cut at t the exact rule loses zone z from
 *	d = min { o : C[z][o] > t } (16 if none),
 * the model from the same minimum over the kept programs (C >= the 272nd
 * largest end, no tie at that boundary): never less, never more than the
 * exact rule.
 */
#define OVF_ZONES	32

static int ovf_run(struct zns_timing *m, u64 c[OVF_ZONES][16])
{
	struct zns_timing_params p = P;
	u32 z, o;

	p.nand.buffer_kib = 16;
	p.nr_zones = OVF_ZONES;
	if (zns_timing_init(m, &p))
		return -1;
	for (o = 0; o < 16; o++)
		for (z = 0; z < OVF_ZONES; z++)
			c[z][o] = wr_fua(m, at(z, o), 4096, 0);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void test_cut_overflow(void)
{
	static u64 c[OVF_ZONES][16], sorted[OVF_ZONES * 16];
	struct lost_rec r;
	struct zns_timing m;
	u64 kept_min, ts[6];
	u32 i, j, z, o, exact, model, got, lost_exact, lost_model;

	EXPECT_EQ_INT(ovf_run(&m, c), 0);
	EXPECT_EQ_U64(m.inflight_cap, 272);
	EXPECT_EQ_U64(m.inflight_len, 272);
	EXPECT_EQ_U64(m.cut_overflows, 512 - 272);
	CONSISTENT(m);
	zns_timing_exit(&m);
	memcpy(sorted, c, sizeof(sorted));
	qsort(sorted, OVF_ZONES * 16, sizeof(u64), cmp_u64);
	kept_min = sorted[512 - 272];
	EXPECT_TRUE(sorted[512 - 273] < kept_min);
	ts[0] = 0;
	ts[1] = sorted[100];
	ts[2] = kept_min - 1;
	ts[3] = sorted[400];
	ts[4] = sorted[511] - 1;
	ts[5] = sorted[511];
	for (i = 0; i < UNIT_ARRAY_SIZE(ts); i++) {
		EXPECT_EQ_INT(ovf_run(&m, c), 0);
		cut(&m, ts[i], &r);
		lost_exact = 0;
		lost_model = 0;
		for (z = 0, j = 0; z < OVF_ZONES; z++) {
			exact = 16;
			model = 16;
			for (o = 16; o-- > 0;) {
				if (c[z][o] <= ts[i])
					continue;
				exact = o;
				if (c[z][o] >= kept_min)
					model = o;
			}
			got = 16;
			if (j < r.n && r.off[j] < at(z + 1, 0)) {
				EXPECT_TRUE(r.off[j] >= at(z, 0));
				EXPECT_EQ_U64(r.off[j] + r.len[j], at(z, 16));
				got = (u32)((r.off[j] - at(z, 0)) / SLOT);
				j++;
			}
			EXPECT_EQ_U64(got, model);
			EXPECT_TRUE(got >= exact);
			EXPECT_EQ_U64(m.zones[z].wp, got);
			lost_exact += 16 - exact;
			lost_model += 16 - model;
		}
		EXPECT_EQ_U64(j, r.n);
		EXPECT_TRUE(!r.overflow);
		/* early cuts see the dropped programs, late ones not */
		if (ts[i] < kept_min - 1)
			EXPECT_TRUE(lost_model < lost_exact);
		if (ts[i] >= kept_min - 1)
			EXPECT_EQ_U64(lost_model, lost_exact);
		CUT_CLEAN(m);
		zns_timing_exit(&m);
	}
}

/* reset forgets busy times, keeps the zones' data and buffered slots. */
static void test_model_reset(void)
{
	struct zns_timing m;
	struct model_stats st;

	INIT(m, &P);
	EXPECT_EQ_INT(fill(&m, 0, 4), 0);
	wr(&m, at(0, 4), 24 * KIB, 0);		/* PU 1 programmed, 2 held */
	EXPECT_TRUE(rd(&m, at(0, 4), 4096, 0) > PROG);
	st = stats(&m);
	zns_timing_reset(&m);
	EXPECT_EQ_U64(m.nand.idle, 0);
	EXPECT_EQ_U64(m.zones[0].pend, 0);
	EXPECT_EQ_U64(m.held, 2);
	EXPECT_EQ_U64(m.nand.buf_used, 0);
	EXPECT_EQ_U64(rd(&m, at(0, 4), 4096, 0), FR + R4L + TC + TL);
	EXPECT_EQ_U64(rd(&m, at(0, 8), 4096, 1000000), 1000000 + FR + TL);
	EXPECT_EQ_U64(stats(&m).host_write_bytes, st.host_write_bytes);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/*
 * Memory: 32 bytes per zone, the record of programs in flight with a
 * buffer; 4M zones allocate and work.
 */
static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void test_memory(void)
{
	struct zns_timing_params p = P;
	struct zns_timing m;
	size_t fixed;
	double t0, el;

	INIT(m, &P);
	/* the record of programs in flight: 4 * 8 + 256 entries of 16 bytes */
	EXPECT_EQ_U64(sizeof(struct zns_tprog), 16);
	EXPECT_EQ_U64(m.inflight_cap, 288);
	fixed = zns_timing_metadata_bytes(&m) - 8 * 32;
	EXPECT_EQ_U64(fixed, sizeof(struct zns_timing) + m.nand.bytes +
		      288 * 16);
	EXPECT_EQ_U64(m.nand.bytes, nand_alloc_bytes(&P.nand));
	zns_timing_exit(&m);

	/* no buffer: no record */
	p.nand.buffer_kib = 0;
	INIT(m, &p);
	EXPECT_TRUE(m.inflight == NULL);
	EXPECT_EQ_U64(m.inflight_cap, 0);
	EXPECT_EQ_U64(zns_timing_metadata_bytes(&m),
		      sizeof(struct zns_timing) + m.nand.bytes + 8 * 32);
	zns_timing_exit(&m);
	p.nand.buffer_kib = P.nand.buffer_kib;

	p.zone_bytes = 4096;
	p.zone_cap_bytes = 4096;
	p.nr_zones = ZNS_TIMING_MAX_ZONES;
	t0 = seconds_now();
	INIT(m, &p);
	el = seconds_now() - t0;
	EXPECT_EQ_U64(zns_timing_metadata_bytes(&m),
		      fixed + (size_t)ZNS_TIMING_MAX_ZONES * 32);
	if (el > 0.5)
		FAIL("init of 4M zones took %.3f s", el);
	/* one slot per zone: every write fills (and pads) its zone's PU */
	EXPECT_EQ_U64(wr(&m, (ZNS_TIMING_MAX_ZONES - 1ULL) * 4096, 4096, 0),
		      FW + TL);
	EXPECT_EQ_U64(m.pads, 1);
	EXPECT_EQ_U64(sched(&m, MODEL_ZONE_RESET,
			    (ZNS_TIMING_MAX_ZONES - 1ULL) * 4096, 4096, 0,
			    false),
		      FW + TL + 4 * TC + PROG + ERASE + FO);
	EXPECT_EQ_U64(stats(&m).erases, 1);
	zns_timing_reset(&m);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/* Presets are valid; exact lone-read and PU-write times. */
static void test_presets(void)
{
	static const struct zns_timing_params zn540 = ZNS_TIMING_ZN540;
	static const struct zns_timing_params small = ZNS_TIMING_SMALL;
	struct zns_timing_params p;
	struct zns_timing m;

	/* ZN540: t_c = ceil(4096000 / 450) = 9103, t_l = 1343 */
	p = zn540;
	EXPECT_TRUE(zns_timing_check_params(&p) != NULL);	/* nr_zones */
	p.nr_zones = 16;
	EXPECT_TRUE(zns_timing_check_params(&p) == NULL);
	INIT(m, &p);
	EXPECT_EQ_U64(m.stripe, 32);
	EXPECT_EQ_U64(m.pu_slots, 24);
	EXPECT_EQ_U64(m.cap_slots, 1077 * 256);
	EXPECT_EQ_U64(m.nand.t_ch, 9103);
	EXPECT_EQ_U64(m.nand.t_link, 1343);
	/* a zone's share of each die is one block */
	EXPECT_TRUE((u64)m.cap_slots <= 32ULL * m.pus_per_group * 24);
	EXPECT_EQ_U64(wr_fua(&m, 0, 96 * KIB, 0),
		      5600 + 24 * 1343 + 24 * 9103 + 561000);
	zns_timing_reset(&m);
	EXPECT_EQ_U64(rd(&m, 0, 4096, 0), 20000 + 50000 + 9103 + 1343);
	zns_timing_reset(&m);
	EXPECT_EQ_U64(rd(&m, 0, 32 * KIB, 0),
		      20000 + 58000 + 8 * 9103 + 8 * 1343);
	/* a full zone: 1077 MiB / 96 KiB = 11488 PUs, 359 per die */
	zns_timing_exit(&m);

	/* SMALL: the conv default drive's NAND, 16 MiB zones over 4 dies */
	p = small;
	p.nr_zones = 8;
	INIT(m, &p);
	EXPECT_EQ_U64(m.stripe, 4);
	EXPECT_EQ_U64(m.pu_slots, 24);
	EXPECT_EQ_U64(wr(&m, 0, 16 * MIB, 0) != U64_MAX, 1);
	/* 4096 slots = 170 full PUs + 16 slots, padded at the zone's end */
	EXPECT_EQ_U64(m.pads, 1);
	EXPECT_EQ_U64(m.pad_slots, 8);
	flush(&m, 0);
	zns_timing_reset(&m);
	EXPECT_EQ_U64(rd(&m, 0, 4096, 0), 5000 + 50000 + 5120 + 1171);
	/*
	 * full zone: 171 PUs, 43, 43, 43, 42 on its 4 dies, 2 blocks (of 32
	 * PUs) each; die 0 erases after the read.
	 */
	EXPECT_EQ_U64(sched(&m, MODEL_ZONE_RESET, 0, 16 * MIB, 0, false),
		      5000 + 50000 + 5120 + 2 * 3500000 + 1000);
	EXPECT_EQ_U64(stats(&m).erases, 4 * 2 * 2);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/* Every field out of range is refused with a reason naming it. */
static void test_invalid_params(void)
{
	struct zns_timing_params p;
	struct zns_timing m;
	const char *why;
	int i;
	static const struct {
		const char *name;
		int field;
		u64 val;
	} bad[] = {
		{ "zone_bytes", 0, 0 }, { "zone_bytes", 0, 4095 },
		{ "zone_bytes", 0, 6 * 4096 }, { "zone_bytes", 0, 1ULL << 41 },
		{ "zone_cap_bytes", 1, 0 }, { "zone_cap_bytes", 1, 4095 },
		{ "zone_cap_bytes", 1, 6000 },
		{ "zone_cap_bytes", 1, 64 * KIB + 4096 },
		{ "nr_zones", 2, 0 }, { "nr_zones", 2, (1U << 22) + 1 },
		{ "stripe_dies", 3, 5 },
		{ "nr_channels", 4, 0 }, { "buffer_kib", 5, 8 },
		{ "cell_bits", 6, 5 },
	};

	for (i = 0; i < (int)UNIT_ARRAY_SIZE(bad); i++) {
		p = P;
		switch (bad[i].field) {
		case 0:
			p.zone_bytes = bad[i].val;
			break;
		case 1:
			p.zone_cap_bytes = bad[i].val;
			break;
		case 2:
			p.nr_zones = (u32)bad[i].val;
			break;
		case 3:
			p.stripe_dies = (u32)bad[i].val;
			break;
		case 4:
			p.nand.nr_channels = (u32)bad[i].val;
			break;
		case 5:
			p.nand.buffer_kib = (u32)bad[i].val;
			break;
		default:
			p.nand.cell_bits = (u32)bad[i].val;
			break;
		}
		why = zns_timing_check_params(&p);
		if (!why || !strstr(why, bad[i].name))
			FAIL("%s = %llu: %s", bad[i].name,
			     (unsigned long long)bad[i].val,
			     why ? why : "accepted");
		EXPECT_EQ_INT(zns_timing_init(&m, &p), -EINVAL);
		EXPECT_TRUE(m.zones == NULL);
		zns_timing_exit(&m);
	}
	/* conv-only fields are ignored; edges are accepted */
	p = P;
	p.nand.capacity = 1;
	p.nand.op_percent = 0;
	p.nand.gc_policy = 9;
	p.nand.gc_threshold_pct = 99;
	p.stripe_dies = 4;
	p.zone_cap_bytes = 4096;
	p.nand.buffer_kib = 16;
	EXPECT_TRUE(zns_timing_check_params(&p) == NULL);
	INIT(m, &p);
	zns_timing_exit(&m);
	zns_timing_exit(&m);	/* idempotent */
}

/* Times saturate at U64_MAX instead of wrapping. */
static void test_saturates(void)
{
	struct zns_timing m;

	INIT(m, &P);
	EXPECT_EQ_U64(wr(&m, at(0, 0), 4096, U64_MAX - 10), U64_MAX);
	EXPECT_EQ_U64(rd(&m, at(0, 0), 4096, U64_MAX - 10), U64_MAX);
	EXPECT_EQ_U64(wr_fua(&m, at(0, 1), 4096, U64_MAX - 10), U64_MAX);
	EXPECT_EQ_U64(flush(&m, U64_MAX - 1), U64_MAX);
	EXPECT_EQ_U64(zfinish(&m, 0, U64_MAX), U64_MAX);
	EXPECT_EQ_U64(zreset(&m, 0, U64_MAX - 1), U64_MAX);
	CONSISTENT(m);
	zns_timing_exit(&m);
}

/* The ops table drives the same model. */
static void test_ops_table(void)
{
	const struct model_ops *ops = &zns_timing_ops;
	struct model_req r = { .op = MODEL_WRITE, .len = 4096, .now = 10 };
	struct zns_timing_params bad = P;
	struct model_stats st;
	struct lost_rec lr;
	void *priv;

	EXPECT_TRUE(strcmp(ops->name, "zns") == 0);
	EXPECT_EQ_U64(ops->priv_size, sizeof(struct zns_timing));
	EXPECT_TRUE(ops->stats && ops->volatile_cache && ops->cut);
	priv = kzalloc(ops->priv_size, GFP_KERNEL);
	EXPECT_TRUE(priv != NULL);
	bad.nr_zones = 0;
	EXPECT_EQ_INT(ops->init(priv, &bad), -EINVAL);
	ops->exit(priv);
	EXPECT_EQ_INT(ops->init(priv, &P), 0);
	EXPECT_TRUE(ops->volatile_cache(priv));
	EXPECT_EQ_U64(ops->schedule(priv, &r), 10 + FW + TL);
	r.op = MODEL_OTHER;
	EXPECT_EQ_U64(ops->schedule(priv, &r), 10 + FO);
	r.op = (enum model_op)1000;	/* unknown: as MODEL_OTHER */
	EXPECT_EQ_U64(ops->schedule(priv, &r), 10 + FO);
	ops->stats(priv, &st);
	EXPECT_EQ_U64(st.host_write_bytes, 4096);
	EXPECT_EQ_U64(st.gc_foreground + st.gc_background + st.gc_pages, 0);
	EXPECT_TRUE(zns_timing_metadata_bytes(priv) >=
		    sizeof(struct zns_timing));
	/* the buffered slot is lost at a cut */
	memset(&lr, 0, sizeof(lr));
	ops->cut(priv, 10 + FO, lost_cb, &lr);
	EXPECT_EQ_U64(lr.n, 1);
	EXPECT_LOST(lr, 0, 0, 4096);
	ops->cut(priv, 10 + FO, NULL, NULL);
	ops->reset(priv);
	ops->exit(priv);
	EXPECT_EQ_INT(ops->init(priv, NULL), 0);	/* defaults */
	ops->exit(priv);
	ops->exit(priv);
	kfree(priv);
}

static const struct unit_test tests[] = {
	UNIT_TEST(defaults_and_geometry),
	UNIT_TEST(lone_read_idle_die),
	UNIT_TEST(read_buffered_and_unwritten),
	UNIT_TEST(two_reads_one_die_vs_two_dies),
	UNIT_TEST(write_fills_pu),
	UNIT_TEST(buffer_backpressure),
	UNIT_TEST(many_partial_zones_no_deadlock),
	UNIT_TEST(fua),
	UNIT_TEST(flush),
	UNIT_TEST(finish),
	UNIT_TEST(reset_erase_cost),
	UNIT_TEST(reset_in_flight_then_unwritten),
	UNIT_TEST(zone_capacity),
	UNIT_TEST(write_zeroes),
	UNIT_TEST(sub_slot_writes_merge),
	UNIT_TEST(zero_timing_returns_now),
	UNIT_TEST(randomized),
	UNIT_TEST(inflight_record),
	UNIT_TEST(cut_buffered),
	UNIT_TEST(cut_program_end),
	UNIT_TEST(cut_fua),
	UNIT_TEST(cut_fua_behind_earlier_program),
	UNIT_TEST(cut_flush),
	UNIT_TEST(cut_prefix),
	UNIT_TEST(cut_zone_reset),
	UNIT_TEST(cut_then_write),
	UNIT_TEST(cut_overflow),
	UNIT_TEST(model_reset),
	UNIT_TEST(memory),
	UNIT_TEST(presets),
	UNIT_TEST(invalid_params),
	UNIT_TEST(saturates),
	UNIT_TEST(ops_table),
};

int main(int argc, char **argv)
{
	return unit_main("unit/zns_timing/", tests, UNIT_ARRAY_SIZE(tests),
			 argc, argv);
}
