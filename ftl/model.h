/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * model.h - interface shared by all nvmev timing models.
 *
 * A timing model answers one question: given an I/O command fetched at time
 * "now", at what absolute time (ns) should its completion be posted?  It
 * keeps whatever busy-until state it needs to model contention between
 * commands, but it never sleeps, never touches data and never looks at the
 * clock itself: all time comes in through struct model_req.
 *
 * Models:  "nvm"  Optane-class byte-addressable NVM (ftl/nvm.h)
 *          "conv" NAND SSD: write buffer, page-mapped FTL, GC (ftl/conv.h)
 *          "zns"  zoned NAND SSD: when zone commands complete
 *                 (ftl/zns_timing.h; the zone state machine is ftl/zns.h)
 *          later: "kv"
 * conv and zns share the NAND machinery of ftl/nand.h.
 *
 * Concurrency contract (all models): an instance is NOT internally locked.
 * Exactly one thread - the nvmev dispatcher - may call into a given
 * instance at a time, and init/exit must not race with schedule/reset.
 * Different instances are fully independent (there is no global state).
 *
 * Time contract (all models): times are u64 nanoseconds on one monotonic
 * clock chosen by the caller (e.g. ktime_get_ns()).  req->now should be
 * non-decreasing from one call to the next on the same instance; models
 * stay well defined if it is not, but then a request may queue behind work
 * that was stamped later.  Results saturate at U64_MAX instead of wrapping.
 */
#ifndef _NVMEV_FTL_MODEL_H
#define _NVMEV_FTL_MODEL_H

#include "ftl_compat.h"

/* Saturating arithmetic for times: results stop at U64_MAX. */
static inline u64 model_add_sat(u64 a, u64 b)
{
	u64 r;

	if (unlikely(check_add_overflow(a, b, &r)))
		return U64_MAX;
	return r;
}

static inline u64 model_mul_sat(u64 a, u64 b)
{
	u64 r;

	if (unlikely(check_mul_overflow(a, b, &r)))
		return U64_MAX;
	return r;
}

/* What the command does, as far as timing is concerned. */
enum model_op {
	MODEL_READ,		/* data moves from the media to the host */
	MODEL_WRITE,		/* data moves from the host to the media */
	MODEL_FLUSH,		/* make volatile writes durable */
	MODEL_DISCARD,		/* deallocate (DSM deallocate / TRIM) */
	MODEL_WRITE_ZEROES,	/* write zeroes, no data transfer */
	MODEL_OTHER,		/* any other I/O command: no media time */
	/*
	 * Zone Management Send on a zoned namespace (zns_timing.h):
	 * slba_bytes = the zone's start in bytes, len = the zone size in
	 * bytes.  Open and Close arrive as MODEL_OTHER.  Models without
	 * zones treat these, and any op they do not know, as MODEL_OTHER.
	 */
	MODEL_ZONE_RESET,
	MODEL_ZONE_FINISH,
};

/* model_req.rg of a write without a placement directive */
#define MODEL_RG_ANY	0xffffU

/* One I/O command as seen by a timing model. */
struct model_req {
	enum model_op op;
	/* Byte offset of the first byte in the namespace (SLBA * LBA size). */
	u64 slba_bytes;
	/* Length in bytes ((NLB + 1) * LBA size); 0 is allowed (e.g. flush). */
	u64 len;
	/* Time the command was fetched from its submission queue, ns. */
	u64 now;
	/* Force Unit Access was set (writes: bypass any volatile cache). */
	bool fua;
	/*
	 * Flexible Data Placement (models with placement: conv).  A
	 * MODEL_WRITE goes to reclaim unit handle @ruh in reclaim group @rg;
	 * the caller has checked both against the model's configuration.
	 * Without a placement directive: @ruh 0 (the default handle) and @rg
	 * MODEL_RG_ANY, the device's choice.  Other ops: ignored.  Models
	 * without FDP ignore them.
	 */
	u16 ruh;
	u16 rg;
};

/*
 * Generic handle so the kernel side can hold any model behind one pointer:
 *
 *	void *priv = kzalloc(ops->priv_size, GFP_KERNEL);
 *	err = ops->init(priv, params_or_NULL);
 *	...
 *	done_at = ops->schedule(priv, &req);	(dispatcher thread only)
 *	...
 *	ops->exit(priv);
 *	kfree(priv);
 *
 * @name:      short model name, also usable as a module parameter value.
 * @priv_size: bytes the caller must allocate (zeroed) for one instance.
 * @init:      set up the instance at @priv.  @params points to the model's
 *             own parameter struct (e.g. struct nvm_params for "nvm"), or
 *             is NULL for that model's documented defaults.  The model
 *             copies what it needs; @params may be freed afterwards.
 *             Returns 0 or a negative errno (-EINVAL, -ENOMEM).  After a
 *             failed init nothing needs undoing, but calling exit is safe.
 * @exit:      release what init allocated (not @priv itself).  Safe to call
 *             twice, and after a failed init.
 * @schedule:  account for @req and return its absolute completion time, ns,
 *             always >= req->now.
 * @reset:     forget all pending work: the instance behaves as if freshly
 *             initialised with the same parameters.  (Stored mapping state,
 *             e.g. an FTL's L2P table, is data, not pending work: it stays.)
 * @stats:     optional (NULL: nothing to report).  Fill @st with the
 *             instance's counters; fields a model does not track stay 0.
 *             Called from any thread while schedule() may run: the values
 *             may be a moment old, but each is a value the counter had.
 * @volatile_cache: optional (NULL: false).  True when completed writes may
 *             still be volatile, so the host must be told about a volatile
 *             write cache and MODEL_FLUSH (and fua) carry a cost.
 * @health:    optional (NULL: the media never wears; report a healthy
 *             device).  Fill @h (struct model_health, below) with the
 *             media's wear state.  O(1).  Like @stats, callable from any
 *             thread while schedule() may run (each value one it had);
 *             on the dispatcher thread the values are exact and current.
 * @read_error: optional (NULL: false).  Called by the dispatcher right
 *             after schedule() for a MODEL_READ, with the same @req: true
 *             if the read returns an Unrecovered Read Error.  The answer is
 *             deterministic (a seeded generator, no clock).  Reads of
 *             unwritten data never fail.
 * @inject_bad: optional (NULL: no bad-block injection).  Mark @nr erase
 *             units of the media bad now (fault injection); returns how
 *             many it marked, fewer once the media is read only or none
 *             is left.  Dispatcher thread only.
 * "conv" implements the three; "nvm" and "zns" leave them NULL.
 * @durability: optional (NULL: a completed write is durable; the model
 *             has no volatile cache).  Called by the dispatcher right
 *             after every schedule(), of any op, with the same @req: fill
 *             @d (struct model_durability, below) with when @req's data
 *             is durable and with a unit of earlier requests that this
 *             call made durable.  O(1).  The kernel keeps what is not yet
 *             durable, to lose it at a power cut.  "conv" (its write
 *             buffer) and "nvm" (its optional write cache) implement it.
 * @cut:       optional, for models that decide where data lands and keep
 *             no @durability (NULL: the kernel's journal, or nothing).  A
 *             power cut at @t: call @lost(@arg, off, len) for every byte
 *             range of the namespace that was written (scheduled) but is
 *             not durable at @t (still in a volatile buffer, or in a
 *             program that had not ended by @t), in ascending order of
 *             off, never overlapping; then forget it and all pending work,
 *             as if the device came back holding only what was durable (a
 *             later write at the start of a lost range is a new write
 *             there).  Times as in schedule(): @t is at or after the now
 *             of every request scheduled so far.  Dispatcher thread (or
 *             with it stopped).  "zns" implements it: a zone keeps a
 *             prefix of its data (zns_timing.h "Power cut").
 */
struct model_stats {
	u64 host_read_bytes;	/* data the host read / wrote */
	u64 host_write_bytes;
	u64 media_read_bytes;	/* data read from / programmed to the media, */
	u64 media_write_bytes;	/* including garbage collection */
	u64 erases;		/* blocks erased */
	u64 gc_blocks;		/* victim blocks reclaimed by GC */
	u64 gc_pages;		/* valid pages GC copied */
	u64 gc_foreground;	/* GC runs that made a host command wait */
	u64 gc_background;	/* GC runs done while the device was idle */
	u64 buffer_waits;	/* writes that waited for write-buffer space */
};

/*
 * Media health, for the SMART / Health Information log page.
 * @percent_used:   Percentage Used: the average erase count of all erase
 *                  units * 100 / their rated program/erase cycles (floor);
 *                  may exceed 100 (the kernel caps it at 255); 0 when no
 *                  rating is set (wear not modelled)
 * @avail_spare:    Available Spare, percent 0..100 of the spare erase units
 *                  the device started with still usable; 0 iff read_only
 * @spare_thresh:   Available Spare Threshold, percent: below it the host
 *                  should be warned (SMART critical warning bit 0)
 * @read_only:      the spare is exhausted: the media takes no more writes
 *                  (the kernel fails them; once set it stays set)
 * @retired_groups: erase units retired (worn out or injected bad); an
 *                  erase unit is planes_per_lun physical blocks in conv
 * @retired_blocks: the same in physical blocks
 * @max_erase:      most erases of any erase unit
 * @avg_erase:      average erases per erase unit (floor), over all of them
 *                  including the retired ones
 * @read_errors:    reads read_error() failed so far
 */
struct model_health {
	u32 percent_used;
	u32 avail_spare;
	u32 spare_thresh;
	bool read_only;
	u64 retired_groups;
	u64 retired_blocks;
	u64 max_erase;
	u64 avg_erase;
	u64 read_errors;
};

/*
 * When data becomes durable (power-loss safe), for @durability.  Data that
 * waits in a volatile cache is durable only once the unit holding it (a
 * program unit of a NAND model) has been written to the media; until that
 * unit is programmed nobody knows when, so the data waits for the unit by
 * number.  Units are numbered 1, 2, ... in the order they are filled, and
 * at most one is open (filling) at a time: when unit k is programmed every
 * unit before it has been.  (A model with several open units, conv with
 * Flexible Data Placement, reports @closed as a watermark instead: every
 * unit up to it is programmed; ftl/conv.h.)
 * @at:        a write, Write Zeroes or deallocation: its data is durable at
 *             max(@at, the time unit @wait is durable); other ops: their
 *             completion time
 * @wait:      0, or the open unit holding the end of @req's data
 * @closed:    0, or the unit that was open when this call began, now
 *             programmed (by @req, by padding for a flush or fua, or by
 *             garbage collection run during the call); data that waits for
 *             it, or for an earlier unit, is durable at @closed_at
 * @closed_at: see @closed
 */
struct model_durability {
	u64 at;
	u64 wait;
	u64 closed;
	u64 closed_at;
};

/* A byte range [@off, @off + @len) of the namespace lost at a cut. */
typedef void (*model_lost_fn)(void *arg, u64 off, u64 len);

struct model_ops {
	const char *name;
	size_t priv_size;
	int (*init)(void *priv, const void *params);
	void (*exit)(void *priv);
	u64 (*schedule)(void *priv, const struct model_req *req);
	void (*reset)(void *priv);
	void (*stats)(void *priv, struct model_stats *st);
	bool (*volatile_cache)(void *priv);
	void (*health)(void *priv, struct model_health *h);
	bool (*read_error)(void *priv, const struct model_req *req);
	u32 (*inject_bad)(void *priv, u32 nr);
	void (*durability)(void *priv, const struct model_req *req,
			   struct model_durability *d);
	void (*cut)(void *priv, u64 t, model_lost_fn lost, void *arg);
};

extern const struct model_ops nvm_model_ops;
extern const struct model_ops conv_model_ops;
extern const struct model_ops zns_timing_ops;

#endif /* _NVMEV_FTL_MODEL_H */
