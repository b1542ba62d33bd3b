/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nand.h - the NAND machinery shared by the NAND-based timing models
 * ("conv", ftl/conv.h, and "zns", ftl/zns_timing.h): the derived geometry,
 * busy-interval timelines of the dies and channels, page reads, program
 * unit (PU) programs, erases, the full-duplex host link, the write-buffer
 * accounting and the media counters.  What a model does with them (where
 * data goes, which reads hit the buffer, when to pad) is the model's.
 *
 * A NAND device is described by the NAND fields of struct conv_params
 * (conv.h): nr_channels, luns_per_channel, planes_per_lun, pages_per_block,
 * page_size, oneshot_pages, cell_bits, read_4k_ns[], read_page_ns[],
 * prog_ns, erase_ns, channel_mbps, link_mbps, buffer_kib and plane_reads,
 * with the ranges conv.h gives.  The other fields are ignored here.
 *
 * ==== Terms and geometry (struct nand_geo, nand_geo()) ====
 *
 * slot   4 KiB (NAND_SLOT_SIZE); spp = page_size / 4096 slots per page.
 * LUN    a die; N = nr_channels * luns_per_channel of them, LUN l on
 *        channel l % nr_channels (consecutive LUNs use different channels).
 * PU     program unit: oneshot_pages pages on every plane of one LUN, one
 *        multi-plane program of prog_ns; pu_slots = planes_per_lun *
 *        oneshot_pages * spp.  Slot i of a PU is sector k of page w of the
 *        one-shot unit on plane "plane", i = (plane * oneshot_pages + w) *
 *        spp + k.
 * group  the multi-plane block (block b of every plane of one LUN, erased
 *        together): grp_slots = planes_per_lun * pages_per_block * spp
 *        slots, pus_per_group = pages_per_block / oneshot_pages PUs.
 * Page type of slot i of PU u of a group: flash page n = u * oneshot_pages
 * + w of its plane's block has type n % cell_bits (0 = LSB; TLC cycles LSB,
 * CSB, MSB), which selects the read latency (nand_page_type()).
 * Per slot transfer times, ceil(4096 * 1000 / MB/s), 0 when the bandwidth
 * is 0 ("instantaneous"): t_ch on a channel, t_link on the host link.
 * buf_slots = buffer_kib / 4 (0: no buffer).
 *
 * ==== Timelines (nand_op()) ====
 *
 * Every LUN and every channel keeps its busy intervals [s, e) (ns), sorted
 * and disjoint.  An operation on LUN l ready at time r occupies
 *	LUN l		[s, s + a + x + b)
 *	l's channel	[s + a, s + a + x)	(only if x > 0)
 * where s is the EARLIEST time >= r at which both are free: an operation
 * may use a gap left before work booked for later.
 *	page read of k slots:	a = tR, x = k * t_ch, b = 0 (the die holds
 *				the data until it has left over the channel);
 *				tR = k == 1 ? read_4k_ns[y] : read_page_ns[y]
 *				(y: page type)
 *	PU program:		a = 0, x = pu_slots * t_ch, b = prog_ns
 *	erase of one group:	a = 0, x = 0, b = erase_ns
 * With plane_reads = 1 ("independent plane reads") every plane of a LUN
 * keeps its own busy intervals instead: a page read given its plane
 * (nand_plane_read()) occupies only that plane (and the channel), so the
 * planes of one die sense different pages at once and share the channel
 * for their transfers; every other operation (programs, erases, and reads
 * through nand_page_read(), which name no plane) occupies every plane of
 * the LUN: s is the earliest time at which all of them and the channel are
 * free.  With plane_reads = 0 a LUN is one resource, as above, and
 * nand_plane_read() is nand_page_read().  (Real dies of this kind are
 * sold as "independent multi-plane read" or "asynchronous plane read":
 * each plane has its own page buffer and sense circuitry.)
 * nand_begin(now) starts a request: intervals that ended by that now are
 * forgotten when the resource next takes one; a resource remembers at most
 * NAND_TL_CAP intervals, merging the two closest neighbours (filling that
 * gap) when full.  "idle" is the latest end of anything booked on any LUN,
 * channel or the link.
 *
 * ==== Host link (nand_link_rd(), nand_wr_ready(), nand_wr_xfer()) ====
 *
 * Full duplex: link_rd (data to the host) and link_wr (data from it) are
 * each a FIFO busy-until time, "occupy for d from r": start = max(r,
 * link_free), link_free = start + d, d = k * t_link for k slots.
 * nand_wr_ready(r) is the start a write slot would get; the caller may
 * delay it further (buffer space) before nand_wr_xfer(start, k).
 *
 * ==== Programs and the write buffer (nand_program(), nand_buf_space()) ==
 *
 * nand_program(l, r, nhost) books a PU program on LUN l ready at r and
 * returns its end pend; last_pend = the latest pend so far.  The write
 * buffer is a pool of buf_slots slots.  The model holds some of them in
 * PUs still being filled ("held" slots, the model's count); a programmed PU
 * holding nhost >= 1 buffered slots keeps them until its pend (a min-heap
 * of (pend, nhost), buf_used slots in all, at most buf_slots entries).
 * nand_buf_space(&t, held) first frees the heap entries with pend <= t;
 * then if buf_used + held < buf_slots one more slot fits at t; otherwise,
 * if a program is still in flight, t becomes the earliest pend, that entry
 * is freed and *waited is set (one entry always suffices while buf_used +
 * held <= buf_slots, which holds when every slot is admitted this way);
 * otherwise (no program in flight would free space) it returns false and
 * the model must program a held PU first (conv: cannot happen; zns: pads
 * another zone's PU).
 *
 * ==== Counters ====
 *
 * st (struct model_stats) holds the instance's counters; nand adds
 * media_read_bytes (4096 per slot of a page read), media_write_bytes (4096
 * * pu_slots per PU program, padding included) and erases (planes_per_lun
 * per group erased); the model adds the rest.  Each update is one store
 * (READ_ONCE/WRITE_ONCE, model.h "stats").
 *
 * Deterministic, no 64-bit division, times saturate at U64_MAX (nand_add(),
 * nand_mul()).  One caller at a time per instance (model.h).
 */
#ifndef _NVMEV_FTL_NAND_H
#define _NVMEV_FTL_NAND_H

#include "model.h"

#define NAND_SLOT_SIZE		4096U
#define NAND_MAX_CELL_BITS	4U	/* SLC=1 MLC=2 TLC=3 QLC=4 */
#define NAND_TL_CAP		64U	/* busy intervals per LUN/channel */

struct conv_params;

/* Geometry derived from the NAND fields of struct conv_params. */
struct nand_geo {
	u32 nr_luns;		/* N */
	u32 spp;		/* slots per flash page */
	u32 pu_slots;		/* slots per program unit */
	u32 pus_per_group;	/* PUs per multi-plane block */
	u32 grp_slots;		/* slots per multi-plane block */
};

/* A busy interval [s, e) of a LUN or a channel, ns. */
struct nand_iv {
	u64 s;
	u64 e;
};

/* A programmed PU still holding @n buffer slots until time @t. */
struct nand_bufpu {
	u64 t;
	u32 n;
};

/*
 * One NAND device.  Embedded in a model's instance; the geometry and the
 * copied timings are read-only after nand_init(), the rest is private to
 * nand.c except st (the instance's counters), idle, last_pend (read by the
 * models) and failures (must stay 0; tests check it).
 */
struct nand {
	struct nand_geo g;
	u32 nr_channels;
	u32 planes_per_lun;
	u32 oneshot_pages;
	u32 cell_bits;
	u32 read_4k_ns[NAND_MAX_CELL_BITS];
	u32 read_page_ns[NAND_MAX_CELL_BITS];
	u32 prog_ns;
	u32 erase_ns;
	u32 t_ch;		/* ns per slot on a channel */
	u32 t_link;		/* ns per slot on the link */
	u32 buf_slots;		/* write buffer in slots, 0 = no buffer */
	u32 rplanes;		/* timelines per LUN: plane_reads ? planes : 1 */
	u32 ch_base;		/* N * rplanes: the first channel timeline */

	struct nand_iv *tl;	/* [ch_base + nr_channels][NAND_TL_CAP] */
	u32 *tl_len;		/* [ch_base + nr_channels] */
	u64 horizon;		/* now of the current request */
	u64 link_rd_free;
	u64 link_wr_free;
	u64 idle;		/* latest end of anything booked */
	u64 last_pend;		/* latest end of any PU program */

	struct nand_bufpu *bheap;	/* [buf_slots] min-heap on .t */
	u32 bheap_len;
	u32 buf_used;		/* slots held by the heap's PUs */

	struct model_stats st;
	u64 failures;		/* impossible cases met; must stay 0 */
	size_t bytes;		/* allocated by nand_init() */
};

/* Saturating arithmetic and helpers for every NAND model. */
static inline u64 nand_add(u64 a, u64 b)
{
	return model_add_sat(a, b);
}

static inline u64 nand_mul(u64 a, u64 b)
{
	return model_mul_sat(a, b);
}

static inline u64 nand_max(u64 a, u64 b)
{
	return a > b ? a : b;
}

/* Counters may be read from another thread (model.h): one store each. */
static inline void nand_count(u64 *c, u64 n)
{
	WRITE_ONCE(*c, *c + n);
}

/* Channel of LUN @lun. */
static inline u32 nand_lun_channel(const struct nand *n, u32 lun)
{
	return lun % n->nr_channels;
}

/*
 * NULL if the NAND geometry fields of @p (nr_channels .. cell_bits) are in
 * range, else a reason naming the field and its range (conv.h's wording).
 */
const char *nand_check_geometry(const struct conv_params *p);

/* NULL if buffer_kib fits the (valid) geometry of @p, else a reason. */
const char *nand_check_buffer(const struct conv_params *p);

/* Derive the geometry of @p (fields already checked). */
void nand_geo(const struct conv_params *p, struct nand_geo *g);

/* ceil(4096 * 1000 / @mbps) ns per slot, 0 for @mbps == 0. */
u32 nand_slot_ns(u32 mbps);

/*
 * Bytes nand_init() allocates for @p (timelines, and the buffer heap when
 * there is a buffer).
 */
u64 nand_alloc_bytes(const struct conv_params *p);

/*
 * Set up @n from @p (checked by the caller): geometry, timings, zeroed
 * timelines and counters.  0 or -ENOMEM (then @n holds nothing to free).
 */
int nand_init(struct nand *n, const struct conv_params *p);

/* Free what nand_init() allocated; safe after a failure and to repeat. */
void nand_exit(struct nand *n);

/*
 * Forget pending work: every LUN, channel and the link idle, the heap
 * empty (programmed data leaves the buffer), idle = last_pend = 0.
 * Counters stay.
 */
void nand_reset(struct nand *n);

/* Start a request fetched at @now (see "Timelines"). */
static inline void nand_begin(struct nand *n, u64 now)
{
	n->horizon = now;
}

/* Page type of slot @slot of the @pu-th PU of a group (see "Terms"). */
u32 nand_page_type(const struct nand *n, u32 pu, u32 slot);

/*
 * Book an operation on LUN @lun ready at @t with the phases @a, @x
 * (channel), @b (see "Timelines"); returns its start s.
 */
u64 nand_op(struct nand *n, u32 lun, u64 t, u64 a, u64 x, u64 b);

/*
 * A page read of @k slots of page type @type on LUN @lun ready at @t;
 * returns the end of its channel transfer.  Counts media_read_bytes.
 * It occupies every plane of the LUN.
 */
u64 nand_page_read(struct nand *n, u32 lun, u32 type, u32 k, u64 t);

/*
 * The same on plane @plane of LUN @lun: with plane_reads only that plane
 * is occupied (see "Timelines"), else the whole LUN (= nand_page_read()).
 */
u64 nand_plane_read(struct nand *n, u32 lun, u32 plane, u32 type, u32 k,
		    u64 t);

/* The same with the read time @tr given (e.g. an SLC-mode read). */
u64 nand_plane_read_tr(struct nand *n, u32 lun, u32 plane, u32 tr, u32 k,
		       u64 t);

/*
 * A PU program on LUN @lun ready at @t holding @nhost buffered slots
 * (pushed on the heap when there is a buffer and @nhost > 0); returns its
 * end.  Counts media_write_bytes, updates last_pend.
 */
u64 nand_program(struct nand *n, u32 lun, u64 t, u32 nhost);

/* The same with the program time @prog given (e.g. an SLC-mode program). */
u64 nand_program_ns(struct nand *n, u32 lun, u64 t, u32 nhost, u32 prog);

/* An erase of one group on LUN @lun ready at @t; returns its end. */
u64 nand_erase(struct nand *n, u32 lun, u64 t);

/* @k slots to the host, ready at @t: returns when they have left. */
u64 nand_link_rd(struct nand *n, u64 t, u32 k);

/* Earliest start >= @t of a transfer from the host. */
static inline u64 nand_wr_ready(const struct nand *n, u64 t)
{
	return nand_max(t, n->link_wr_free);
}

/* @k slots from the host starting at @start; returns their end. */
u64 nand_wr_xfer(struct nand *n, u64 start, u32 k);

/*
 * Buffer space for one more slot at or after *@t with @held slots held
 * outside the heap (see "Programs and the write buffer").  Returns false
 * (nothing changed but freed heap entries) when only programming a held
 * PU can make room.
 */
bool nand_buf_space(struct nand *n, u64 *t, u32 held, bool *waited);

/* Copy the counters (model.h concurrency rule). */
void nand_stats(const struct nand *n, struct model_stats *st);

#endif /* _NVMEV_FTL_NAND_H */
