/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * conv.h - timing model of a conventional NAND SSD: a write buffer, a
 * page-mapped FTL with over-provisioning, and garbage collection (GC).
 *
 * ==== Terms ====
 *
 * slot   4 KiB, the mapping unit.  Every LBA range is handled in whole slots:
 *        a request touches slots floor(slba/4096) .. ceil((slba+len)/4096)-1
 *        (sub-4 KiB parts are rounded out, so a 512-byte read costs what a
 *        4 KiB read costs and a partial-slot write rewrites the whole slot;
 *        the read-modify-write that a real drive would do is not modelled).
 *        Slots at or beyond the capacity are ignored (no data, no time).
 * page   one flash page of page_size bytes = spp slots (spp = page_size/4096).
 * LUN    a die; N = nr_channels * luns_per_channel of them.  LUN l sits on
 *        channel l % nr_channels, so consecutive LUNs use different channels.
 * PU     program unit: oneshot_pages pages on EVERY plane of one LUN, written
 *        by ONE multi-plane program of prog_ns; pu_slots =
 *        planes_per_lun * oneshot_pages * spp.
 * group  the multi-plane block: block b of every plane of one LUN, always
 *        programmed and erased together (one multi-plane erase of erase_ns);
 *        G = planes_per_lun * pages_per_block * spp slots =
 *        pages_per_block / oneshot_pages PUs.  Groups are the allocation
 *        and GC unit.  Group id = lun * B + b (B = blocks per plane).
 *
 * Physical slot (ppa) layout: ppa = group * G + s, s = pu * pu_slots + i,
 * i = ((plane * oneshot_pages) + w) * spp + k: within a PU, slot i is
 * sector k of page w of the one-shot unit on plane "plane", i.e. flash page
 * number pu * oneshot_pages + w of that plane's block.  The page type of
 * flash page n is n % cell_bits (0 = LSB, 1 = CSB/MSB, ...: TLC pages cycle
 * LSB, CSB, MSB), which picks the read latency.
 *
 * ==== Capacity and geometry ====
 *
 * capacity (bytes, a multiple of 4096) is the host-visible size: Ls =
 * capacity / 4096 logical slots.  The raw size is derived from it:
 *	raw  = ceil(Ls * (100 + op_percent) / 100)		slots
 *	B    = ceil(raw / (N * G))	blocks per plane (every plane alike)
 *	T    = N * B			groups,  Ps = T * G physical slots
 * so raw is rounded up to whole blocks on every plane and the spare space
 * is S = Ps - Ls >= Ls * op_percent / 100.  The FTL needs S > G (one group
 * more than the data, see "GC never runs dry" below); conv_min_capacity()
 * returns the smallest capacity from which on every capacity satisfies it,
 * and init refuses smaller ones.  Because the rounding up gives a small
 * drive at least one block per plane, the minimum is usually 4 KiB (e.g.
 * the default drive works at any size; its raw space is never below one
 * block per plane, 192 MiB).
 *
 * ==== Resources ====
 *
 * Busy-until times (ns), as in nvm.h: every LUN, every channel, and the host
 * link in each direction (PCIe is full duplex: link_rd carries read data to
 * the host, link_wr write data from it).  "Occupy R for d from t" means
 * start = max(t, R_free), R_free = start + d.  Transfer times are per slot:
 *	t_c = ceil(4096 * 1000 / channel_mbps)	ns per slot on a channel
 *	t_l = ceil(4096 * 1000 / link_mbps)	ns per slot on the link
 * (0 when the bandwidth is 0, meaning "instantaneous").  MB = 10^6 bytes.
 *
 * ==== MODEL_READ ====
 *
 * ready = now + fw_read_ns.  The request's slots are taken in LBA order and
 * cut into runs: a run is a maximal sequence of consecutive slots that are
 * either (a) all unmapped or in the open PU (the write buffer, see below),
 * or (b) all mapped to the same flash page.  For each run of k slots, in
 * order:
 *   (a) no NAND time:   lstart = max(ready, link_rd_free),
 *                       link_rd_free = lstart + k * t_l
 *   (b) one page read on LUN l, channel c, page type y:
 *	tR     = k == 1 ? read_4k_ns[y] : read_page_ns[y]
 *	nstart = max(ready, lun_free[l]),  nend = nstart + tR
 *	cstart = max(nend, ch_free[c]),    cend = cstart + k * t_c
 *	ch_free[c] = lun_free[l] = cend	(the die holds the data until it
 *					 has left over the channel)
 *	lstart = max(cend, link_rd_free),  link_rd_free = lstart + k * t_l
 * The read completes at max(ready, every run's link_rd_free after it).
 * Consequences: a lone 4 KiB read of a mapped LSB page on an idle device
 * takes fw_read_ns + read_4k_ns[0] + t_c + t_l; of an unmapped slot,
 * fw_read_ns + t_l; a second read to the same LUN issued at the same time
 * waits until the first one's channel transfer has ended.
 *
 * ==== MODEL_WRITE ====
 *
 * ready = now + fw_write_ns.  Each slot, in LBA order, crosses the link into
 * the write buffer and is appended to the open PU (the PU being filled):
 *	lstart = max(ready, link_wr_free, buf_free[pos]),
 *	link_wr_free = e = lstart + t_l		(e: the slot is buffered)
 * The buffer holds buffer_kib / 4 slots used as a ring: pos is the next
 * ring position and buf_free[pos] is the time the slot stored there B_s
 * slots earlier was programmed (0 if none): a full buffer makes the link
 * wait for programs (back-pressure; buffer_waits counts the commands that
 * waited).  buffer_kib must be >= one PU, so this never deadlocks: writes
 * of any size stream through.
 * When the open PU has no slot yet, a place for it is allocated first (see
 * "Placement"; host data may trigger foreground GC at time e).  When it
 * holds pu_slots slots it is programmed at once, in model time, on its LUN
 * l (channel c):
 *	xstart = max(fill, ch_free[c], lun_free[l]), xend = xstart +
 *	pu_slots * t_c,  ch_free[c] = xend,  lun_free[l] = pend = xend + prog_ns
 * where fill is the latest time one of its slots entered it, and every
 * buffer position of its host slots gets buf_free = pend.
 * The write completes at the entry time e of its last slot (ready if it has
 * no slot).  With fua, or when buffer_kib == 0 (no buffer: every write is
 * durable when it completes, and buf_free plays no part), the open PU is
 * then padded to pu_slots (padding is programmed and counted in
 * media_write_bytes but is never valid) and programmed, and the write
 * completes at max(e, pend of every PU programmed during this command).
 * Consequences: on an idle device with an empty buffer, a 4 KiB write takes
 * fw_write_ns + t_l; a write of pu_slots slots with buffer 0 takes
 * fw_write_ns + pu_slots * (t_l + t_c) + prog_ns.
 *
 * ==== Other operations ====
 *
 * MODEL_FLUSH: ready = now + fw_other_ns; a non-empty open PU is padded and
 * programmed as above at time ready; completes at max(ready, latest pend of
 * every PU ever programmed).
 * MODEL_DISCARD, MODEL_WRITE_ZEROES: the whole slots inside
 * [slba_bytes, slba_bytes + len) lose their mapping (partial slots at either
 * end are left as they are: their other bytes still hold data).  Complete at
 * now + fw_other_ns; no resource is occupied.  (Write zeroes is modelled as
 * deallocation, which reads back as zeroes; an unmapped slot reads as (a).)
 * MODEL_OTHER: completes at now + fw_other_ns.
 *
 * ==== Placement ====
 *
 * Each LUN has at most one open group (with unallocated PUs) and a FIFO
 * list of free (erased) groups; F is the total number of free groups.  A
 * new PU goes to the first LUN, in round robin from a cursor, that either
 * has room in its open group or may open a free group of its own; the
 * cursor then moves past it.  Host data may open a group only if F >= 2,
 * GC copies if F >= 1: the last free group is a reserve only GC can use.
 * Host and GC data share the open PU (one write stream).
 *
 * ==== Garbage collection ====
 *
 * Victims are full groups (every PU allocated) other than the one holding
 * the open PU, with at least one invalid slot.  gc_policy 0 (greedy): fewest
 * valid slots v.  gc_policy 1 (cost-benefit): largest
 * (G - v) * age / (2 * v) (v == 0 first), age = (t - time the group's last
 * PU was allocated) >> 20, capped at U32_MAX, t = the GC's start time.
 * Ties go to the lowest group id.
 * A GC round at time t: for each flash page of the victim (in ppa order)
 * holding k >= 1 valid slots, a page read exactly as a host read run (b)
 * but with ready = t and no link; each of its valid slots then enters the
 * open PU with entry time cend (programming PUs as they fill, as above) and
 * is remapped.  Then the victim is erased on its LUN l:
 *	estart = max(t, lun_free[l]),  lun_free[l] = estart + erase_ns
 * and becomes free.  A partly filled open PU stays open (GC copies wait in
 * it like host data; a flush or a fua write pads it).
 * Foreground GC: before a PU is placed for host data, while
 * F < gc_low = max(2, ceil(T * gc_threshold_pct / 100)) and a victim
 * exists, run a round at t = e (the entry time of the host slot that needs
 * the PU).  Its work occupies the LUNs and channels, so later programs -
 * and through buffer back-pressure, host writes - wait for it.
 * Background GC: when schedule() is called with now > idle (idle: the latest
 * busy-until time of every resource), then before handling the request,
 * while F < bg_low = ceil(T * bg_gc_threshold_pct / 100) and a victim
 * exists, one more round runs at t = idle (updated after each round) if
 *	t + W <= now,	W = sum over its page reads of (tR + k * t_c)
 *			  + (PUs it will fill) * (pu_slots * t_c + prog_ns)
 *			  + erase_ns
 * W bounds the round's length on an idle device, so the rounds that run
 * end by now: background GC never delays the request that revealed the gap.
 *
 * ==== GC never runs dry ====
 *
 * Let Phi = F * G + (unallocated slots of open groups) + (free slots of the
 * open PU).  (1) F >= 1 always: host data never takes the last free group,
 * and a GC round needs room for v < G copies, i.e. at most G / pu_slots
 * new PUs, which fit in Phi >= F * G >= G, so it may use the reserve but
 * frees its victim at the end: F >= 1 again.  (2) Each round raises Phi by
 * G - v >= 1, so every GC loop ends.  (3) When host data needs a new PU,
 * none is left anywhere (no open group has room) and F <= 1 after GC
 * stopped for want of a victim, then every non-free group is full and fully
 * valid: Ls >= (T - F) * G >= (T - 1) * G, i.e. S <= G - which init
 * forbids.  So host data always finds a PU, whatever the host writes.
 *
 * ==== Metadata ====
 *
 * L2P: Ls entries of wl = ceil(log2(Ps + 1)) bits (ppa + 1; 0 = unmapped).
 * Reverse map: Ps entries of the low wr bits of the LBA stored there; a
 * physical slot is valid iff some LBA with those low bits maps to it (GC
 * tries the 2^x candidates, x = ceil(log2(Ls)) - wr).  x is the smallest
 * value in 0..CONV_REV_MAX_DROP that keeps the model within 1.5 MiB per
 * GiB of capacity.  Both tables are bit-packed.  Measured
 * (conv_metadata_bytes(), default drive): see conv.c.
 *
 * ==== Counters (stats op) ====
 *
 * host_read/write_bytes: req->len of reads / writes.  media_read_bytes:
 * 4096 per slot read from NAND (host and GC); media_write_bytes: 4096 *
 * pu_slots per PU programmed (padding included).  erases and gc_blocks
 * count physical blocks (planes_per_lun per group).  gc_pages: slots GC
 * copied.  gc_foreground / gc_background: GC rounds.  buffer_waits: write
 * commands that waited for buffer space.
 *
 * Deterministic (no randomness, no clock), single caller per instance (see
 * model.h), no 64-bit division.  Times saturate at U64_MAX.
 */
#ifndef _NVMEV_FTL_CONV_H
#define _NVMEV_FTL_CONV_H

#include "model.h"

#define CONV_SLOT_SIZE			4096U
#define CONV_MAX_CELL_BITS		4U	/* SLC=1 MLC=2 TLC=3 QLC=4 */

#define CONV_MAX_CHANNELS		64U
#define CONV_MAX_LUNS_PER_CHANNEL	64U
#define CONV_MAX_PLANES			8U
#define CONV_MAX_PAGES_PER_BLOCK	8192U
#define CONV_MIN_PAGE_SIZE		4096U
#define CONV_MAX_PAGE_SIZE		65536U
#define CONV_MAX_ONESHOT_PAGES		8U
#define CONV_MIN_OP_PERCENT		1U
#define CONV_MAX_OP_PERCENT		100U
#define CONV_MAX_BUFFER_KIB		262144U		/* 256 MiB */
#define CONV_MAX_GC_THRESHOLD_PCT	50U
#define CONV_MAX_CAPACITY		(4ULL << 40)	/* 4 TiB */
#define CONV_REV_MAX_DROP		6U

#define CONV_GC_GREEDY			0U
#define CONV_GC_COST_BENEFIT		1U

#define CONV_DEFAULT_CAPACITY		(1ULL << 30)	/* init(NULL): 1 GiB */

/*
 * Model parameters.  Times in ns, bandwidths in MB/s (10^6 bytes/s).
 * Ranges are what conv_check_params() accepts.
 * @capacity:          host-visible bytes, a multiple of 4096,
 *                     conv_min_capacity() .. CONV_MAX_CAPACITY
 * @op_percent:        over-provisioning, 1..100 (raw = capacity * (100 +
 *                     op) / 100, rounded up to whole blocks on every plane)
 * @nr_channels:       1..64
 * @luns_per_channel:  dies per channel, 1..64
 * @planes_per_lun:    1..8 (planes are programmed and erased together)
 * @pages_per_block:   1..8192, a multiple of oneshot_pages
 * @page_size:         bytes per flash page, a multiple of 4096, 4096..65536
 * @oneshot_pages:     pages programmed together per plane, 1..8
 * @cell_bits:         bits per cell, 1..4 (SLC, MLC, TLC, QLC): page types
 * @read_4k_ns:        [type] tR when one 4 KiB slot of the page is needed
 * @read_page_ns:      [type] tR when more of the page is needed
 *                     (entries >= cell_bits are ignored)
 * @prog_ns:           tPROG of one PU (multi-plane, one-shot)
 * @erase_ns:          tBERS of one group (multi-plane erase)
 * @channel_mbps:      per channel; 0 = transfers take no time
 * @link_mbps:         host link, each direction; 0 = no time
 * @fw_read_ns:        firmware time per read command
 * @fw_write_ns:       firmware time per write command
 * @fw_other_ns:       firmware time per any other command
 * @buffer_kib:        write buffer, 0 (none: writes complete when
 *                     programmed) or a multiple of 4 from one PU
 *                     (pu_slots * 4) to CONV_MAX_BUFFER_KIB
 * @gc_policy:         CONV_GC_GREEDY or CONV_GC_COST_BENEFIT
 * @gc_threshold_pct:  foreground GC below max(2, this % of groups) free,
 *                     0..50
 * @bg_gc_threshold_pct: background GC in idle time below this % of groups
 *                     free, 0..50 (0: no background GC)
 */
struct conv_params {
	u64 capacity;
	u32 op_percent;
	u32 nr_channels;
	u32 luns_per_channel;
	u32 planes_per_lun;
	u32 pages_per_block;
	u32 page_size;
	u32 oneshot_pages;
	u32 cell_bits;
	u32 read_4k_ns[CONV_MAX_CELL_BITS];
	u32 read_page_ns[CONV_MAX_CELL_BITS];
	u32 prog_ns;
	u32 erase_ns;
	u32 channel_mbps;
	u32 link_mbps;
	u32 fw_read_ns;
	u32 fw_write_ns;
	u32 fw_other_ns;
	u32 buffer_kib;
	u32 gc_policy;
	u32 gc_threshold_pct;
	u32 bg_gc_threshold_pct;
};

/*
 * Presets, as initialisers for static tables (capacity left 0: the user
 * picks the size).  Sources and estimates: see conv.c, above
 * conv_params_default().
 *
 * Default drive (conv_params_default(), init(NULL) with 1 GiB): a generic
 * TLC drive, 8 channels x 4 LUNs x 2 planes, 16 KiB pages, 3-page one-shot.
 */
#define CONV_PARAMS_DEFAULT_INIT {					\
	.op_percent = 7, .nr_channels = 8, .luns_per_channel = 4,	\
	.planes_per_lun = 2, .pages_per_block = 192,			\
	.page_size = 16384, .oneshot_pages = 3, .cell_bits = 3,		\
	.read_4k_ns = { 45000, 55000, 65000 },				\
	.read_page_ns = { 50000, 62000, 75000 },			\
	.prog_ns = 700000, .erase_ns = 3500000,				\
	.channel_mbps = 800, .link_mbps = 3500,				\
	.fw_read_ns = 5000, .fw_write_ns = 4000, .fw_other_ns = 1000,	\
	.buffer_kib = 4096, .gc_policy = CONV_GC_GREEDY,		\
	.gc_threshold_pct = 5, .bg_gc_threshold_pct = 10,		\
}

/* Samsung 970 PRO-like: 64-layer 2-bit MLC V-NAND, PCIe 3.0 x4. */
#define CONV_PARAMS_MLC_970PRO {					\
	.op_percent = 7, .nr_channels = 8, .luns_per_channel = 2,	\
	.planes_per_lun = 2, .pages_per_block = 192,			\
	.page_size = 16384, .oneshot_pages = 2, .cell_bits = 2,		\
	.read_4k_ns = { 40000, 50000 },					\
	.read_page_ns = { 45000, 60000 },				\
	.prog_ns = 500000, .erase_ns = 3500000,				\
	.channel_mbps = 800, .link_mbps = 3500,				\
	.fw_read_ns = 5000, .fw_write_ns = 4000, .fw_other_ns = 1000,	\
	.buffer_kib = 8192, .gc_policy = CONV_GC_GREEDY,		\
	.gc_threshold_pct = 5, .bg_gc_threshold_pct = 10,		\
}

/* TLC datacenter drive: PCIe 4.0 x4, 16 channels, 28% OP class. */
#define CONV_PARAMS_TLC_DC {						\
	.op_percent = 28, .nr_channels = 16, .luns_per_channel = 4,	\
	.planes_per_lun = 4, .pages_per_block = 96,			\
	.page_size = 16384, .oneshot_pages = 3, .cell_bits = 3,		\
	.read_4k_ns = { 45000, 55000, 65000 },				\
	.read_page_ns = { 50000, 62000, 75000 },			\
	.prog_ns = 700000, .erase_ns = 3500000,				\
	.channel_mbps = 1200, .link_mbps = 7000,			\
	.fw_read_ns = 5000, .fw_write_ns = 4000, .fw_other_ns = 1000,	\
	.buffer_kib = 16384, .gc_policy = CONV_GC_COST_BENEFIT,		\
	.gc_threshold_pct = 5, .bg_gc_threshold_pct = 10,		\
}

/* QLC drive: 4-bit cells, PCIe 3.0 x4, 4 channels. */
#define CONV_PARAMS_QLC {						\
	.op_percent = 7, .nr_channels = 4, .luns_per_channel = 4,	\
	.planes_per_lun = 4, .pages_per_block = 96,			\
	.page_size = 16384, .oneshot_pages = 4, .cell_bits = 4,		\
	.read_4k_ns = { 85000, 100000, 120000, 140000 },		\
	.read_page_ns = { 95000, 115000, 135000, 160000 },		\
	.prog_ns = 2500000, .erase_ns = 10000000,			\
	.channel_mbps = 800, .link_mbps = 3500,				\
	.fw_read_ns = 5000, .fw_write_ns = 4000, .fw_other_ns = 1000,	\
	.buffer_kib = 4096, .gc_policy = CONV_GC_GREEDY,		\
	.gc_threshold_pct = 5, .bg_gc_threshold_pct = 10,		\
}

/*
 * One emulated device (or namespace).  Owned by the caller; the fields are
 * private to conv.c, except that the derived geometry (first block) may be
 * read after a successful init (the unit tests peek at more).
 */
struct conv_model {
	struct conv_params p;

	/* derived geometry */
	u32 nr_luns;		/* N */
	u32 spp;		/* slots per flash page */
	u32 pu_slots;		/* slots per program unit */
	u32 pus_per_group;
	u32 grp_slots;		/* G */
	u32 blocks_per_plane;	/* B */
	u32 nr_groups;		/* T = N * B */
	u32 lba_slots;		/* Ls */
	u32 phys_slots;		/* Ps = T * G */
	u32 gc_low;		/* foreground GC below this many free groups */
	u32 bg_low;		/* background GC below this many */
	u32 t_ch;		/* ns per slot on a channel */
	u32 t_link;		/* ns per slot on the link */
	u32 buf_slots;		/* write-buffer ring size, 0 = no buffer */

	/* bit-packed tables */
	u64 *l2p;		/* [Ls] ppa + 1, 0 = unmapped */
	u64 *rev;		/* [Ps] low rev_bits of the LBA */
	u32 l2p_bits;
	u32 rev_bits;
	u32 rev_drop;		/* x: LBA bits not stored in rev */

	/* per group */
	u32 *valid;		/* [T] valid slots */
	u32 *next_free;		/* [T] free-list link */
	u64 *closed_at;		/* [T] time its last PU was allocated */
	u8 *state;		/* [T] CONV_GRP_* (conv.c) */

	/* per LUN */
	u32 *open_grp;		/* [N] open group or U32_MAX */
	u32 *open_next;		/* [N] next PU to allocate in it */
	u32 *free_head;		/* [N] FIFO of free groups */
	u32 *free_tail;
	u32 *nr_free_lun;	/* [N] */
	u32 nr_free;		/* F */
	u32 cursor;		/* round-robin LUN cursor */

	/* the open PU */
	u32 pu_grp;		/* U32_MAX: none */
	u32 pu_idx;
	u32 pu_fill;		/* slots in it */
	u32 pu_nhost;		/* host slots in it */
	u64 pu_time;		/* latest entry time of a slot */
	u32 *pu_bufpos;		/* [pu_slots] buffer positions of host slots */

	/* write buffer */
	u64 *buf_free;		/* [buf_slots] */
	u32 buf_pos;

	/* busy-until times, ns */
	u64 *lun_free;		/* [N] */
	u64 *ch_free;		/* [nr_channels] */
	u64 link_rd_free;
	u64 link_wr_free;
	u64 idle;		/* max of all of the above */
	u64 last_pend;		/* latest end of any PU program */

	struct model_stats st;
	u64 place_failures;	/* must stay 0 (see "GC never runs dry") */
	size_t meta_bytes;
};

/* Fill @p with the default drive and CONV_DEFAULT_CAPACITY. */
void conv_params_default(struct conv_params *p);

/*
 * NULL if @p is acceptable, else a short English reason naming the bad field
 * and its allowed range (a string constant; for capacity it names the range
 * in general terms - conv_min_capacity() gives the bound).
 */
const char *conv_check_params(const struct conv_params *p);

/*
 * The smallest capacity (bytes) that init accepts with @p's other fields,
 * such that every larger multiple of 4096 up to CONV_MAX_CAPACITY is also
 * accepted; 0 if @p's other fields are invalid.  p->capacity is ignored.
 */
u64 conv_min_capacity(const struct conv_params *p);

/*
 * Validate @p (NULL: defaults), derive the geometry and allocate the tables
 * (zeroed: nothing is mapped, every group is free).  Returns 0, -EINVAL
 * (conv_check_params() failed) or -ENOMEM.  On failure @m holds nothing to
 * free.  May sleep.
 */
int conv_model_init(struct conv_model *m, const struct conv_params *p);

/* Free the tables.  Safe after a failed init and safe to repeat. */
void conv_model_exit(struct conv_model *m);

/* Return the absolute completion time (ns) of @req; see the top of file. */
u64 conv_model_schedule(struct conv_model *m, const struct model_req *req);

/*
 * Forget pending work: every resource idle, buffer positions free, the open
 * PU's entry time 0.  Mappings, the open PU's contents, free lists and the
 * counters stay.
 */
void conv_model_reset(struct conv_model *m);

/* Copy the counters (see model.h for the concurrency rule). */
void conv_model_stats(struct conv_model *m, struct model_stats *st);

/* True iff the model has a write buffer (buffer_kib > 0). */
bool conv_model_volatile_cache(struct conv_model *m);

/* Bytes allocated by and for the instance at @priv (struct conv_model). */
size_t conv_metadata_bytes(const void *priv);

/*
 * Test helper, O(Ls + Ps): 0 if L2P, reverse map, valid counts and free
 * lists agree, else a negative number saying which check failed.
 */
int conv_check_consistency(const struct conv_model *m);

#endif /* _NVMEV_FTL_CONV_H */
