// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: power loss.
 *
 * A namespace whose timing model has a volatile write cache (conv and zns
 * with buffer_kib, nvm with cache_kib) acknowledges writes before they are
 * durable.  (Zoned namespaces keep no journal: the end of each zone's data
 * is what they lose; see pl_zones_cut().)  The model says when each write
 * becomes durable (model.h, @durability): at a known time, or once the
 * program unit holding it is programmed, which a later command, a flush
 * or a fua write decides.  The
 * data itself always goes to the namespace's storage at once, so what is
 * not yet durable can be taken back: this file keeps, for every write not
 * yet durable, the data it overwrote (its pre-image), in a journal in the
 * order the data moved.
 *
 * A power cut at time T (configfs "power") stops the controller as a
 * surprise removal does (in-flight commands never complete, no shutdown
 * notification), then, newest entry first, restores the pre-image of
 * every write not durable at T, except where a newer surviving write or
 * deallocation covers it; what is left is exactly what was durable at T.
 * A torn cut lets each 4 KiB unit of a volatile write (each LBA when LBAs
 * are larger) survive or not, from a seeded generator: Identify promises
 * 4 KiB atomic writes on 4 KiB boundaries (NAWUPF, NABSPF) and a unit is
 * never split.  Write Zeroes, Write Uncorrectable and deallocation are
 * durable at their completion: they have no pre-image and settle what
 * they cover.  Commands whose data never moved are no part of it.
 *
 * Memory: entries in a ring of PL_ENTRIES, pre-images in a byte ring of
 * twice the cache plus PL_RING_EXTRA, allocated when the namespace is
 * enabled.  Durable entries leave from the oldest end.  When either ring
 * is full the journal forgets everything it holds (counted as
 * power_journal_overflows): the writes it held then survive a cut, which
 * a device may always do; nothing durable is ever lost.
 *
 * Locking: pl->lock, taken by the dispatcher (nvmev_pl_schedule()), the
 * workers (nvmev_pl_capture(), nvmev_pl_moved()), whoever frees a request
 * (nvmev_pl_void()) and the cut, which runs with the controller quiesced.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/log2.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "nvmev.h"
#include "namespace.h"
#include "ftl/zns.h"

#define PL_ENTRIES	4096U
#define PL_RING_EXTRA	(4ULL << 20)

enum { PL_PENDING, PL_MOVED, PL_VOID };

struct pl_ent {
	u64 off;		/* bytes into the namespace */
	u64 len;
	u64 at;			/* durable at (with wait: at least then) */
	u64 wait;		/* 0, or the model unit it waits for */
	u64 pre_end;		/* end of its pre-image; 0: none (settles only) */
	u8 state;
};

struct nvmev_pl {
	spinlock_t lock;
	struct pl_ent *ent;	/* [PL_ENTRIES] */
	u64 first;		/* id of the oldest entry */
	u32 count;
	u64 wait_from;		/* no entry before this id waits */
	u8 *ring;		/* pre-images */
	u64 size;
	u64 bhead;		/* oldest byte in use */
	u64 btail;		/* next byte to allocate */
	u64 bused;		/* in use, including skipped ends */
};

static inline struct pl_ent *pl_ent(struct nvmev_pl *pl, u64 id)
{
	return &pl->ent[id % PL_ENTRIES];
}

static inline bool pl_valid(struct nvmev_pl *pl, u64 id)
{
	return id >= pl->first && id < pl->first + pl->count;
}

/* Is the data of @e durable at @t? */
static inline bool pl_durable(const struct pl_ent *e, u64 t)
{
	return !e->wait && e->at <= t;
}

/* The cache of @ns's model in bytes, 0 if it has none to lose. */
static u64 pl_cache_bytes(struct nvmev_ns *ns)
{
	if (!ns->model_ops->durability || !ns->model_ops->volatile_cache ||
	    !ns->model_ops->volatile_cache(ns->model))
		return 0;
	return nvmev_ns_cfg_cache_bytes(&ns->cfg);
}

int nvmev_pl_start(struct nvmev_ns *ns)
{
	u64 cache = pl_cache_bytes(ns);
	struct nvmev_pl *pl;

	if (!cache || ns->cfg.plp || ns->nr_lbas > U32_MAX)
		return 0;
	pl = kzalloc(sizeof(*pl), GFP_KERNEL);
	if (!pl)
		return -ENOMEM;
	spin_lock_init(&pl->lock);
	pl->size = 2 * cache + PL_RING_EXTRA;
	pl->ent = kvcalloc(PL_ENTRIES, sizeof(*pl->ent), GFP_KERNEL);
	pl->ring = vmalloc(pl->size);
	if (!pl->ent || !pl->ring) {
		kvfree(pl->ent);
		vfree(pl->ring);
		kfree(pl);
		return -ENOMEM;
	}
	ns->pl = pl;
	return 0;
}

void nvmev_pl_stop(struct nvmev_ns *ns)
{
	struct nvmev_pl *pl = ns->pl;

	if (!pl)
		return;
	ns->pl = NULL;
	kvfree(pl->ent);
	vfree(pl->ring);
	kfree(pl);
}

/* ---- The rings ---------------------------------------------------------- */

/* @len bytes for a pre-image: their end (1..size), or 0 if they do not fit. */
static u64 pl_ring_alloc(struct nvmev_pl *pl, u64 len)
{
	u64 at;

	if (!len || len > pl->size)
		return 0;
	if (!pl->bused)
		pl->bhead = pl->btail = 0;
	if (pl->btail > pl->bhead || !pl->bused) {
		if (pl->size - pl->btail >= len) {
			at = pl->btail;
		} else if (pl->bhead >= len) {
			pl->bused += pl->size - pl->btail;	/* skip the end */
			at = 0;
		} else {
			return 0;
		}
	} else if (pl->bhead - pl->btail >= len) {
		at = pl->btail;
	} else {
		return 0;
	}
	pl->btail = at + len;
	pl->bused += len;
	if (pl->btail == pl->size)
		pl->btail = 0;
	return at + len;
}

/* Free the pre-image ending at @end, the oldest in the ring. */
static void pl_ring_free(struct nvmev_pl *pl, u64 end)
{
	u64 n = end > pl->bhead ? end - pl->bhead : pl->size - pl->bhead + end;

	pl->bused -= min(n, pl->bused);
	pl->bhead = end == pl->size ? 0 : end;
}

static void pl_pop(struct nvmev_pl *pl)
{
	struct pl_ent *e = pl_ent(pl, pl->first);

	if (e->pre_end)
		pl_ring_free(pl, e->pre_end);
	pl->first++;
	pl->count--;
	if (pl->wait_from < pl->first)
		pl->wait_from = pl->first;
}

/* Forget every entry: what they held survives a cut. */
static void pl_forget(struct nvmev_pl *pl)
{
	pl->first += pl->count;
	pl->count = 0;
	pl->wait_from = pl->first;
	pl->bused = pl->bhead = pl->btail = 0;
}

/* Drop the oldest entries that can no longer be lost (durable by @now). */
static void pl_prune(struct nvmev_pl *pl, u64 now)
{
	while (pl->count) {
		struct pl_ent *e = pl_ent(pl, pl->first);

		if (e->state == PL_PENDING ||
		    (e->state == PL_MOVED && !pl_durable(e, now)))
			break;
		pl_pop(pl);
	}
}

/* Unit @closed is programmed: what waited for it is durable at @at. */
static void pl_resolve(struct nvmev_pl *pl, u64 closed, u64 at)
{
	u64 id, end = pl->first + pl->count;
	bool waiting = false;

	for (id = pl->wait_from; id < end; id++) {
		struct pl_ent *e = pl_ent(pl, id);

		if (e->wait && e->wait <= closed) {
			e->wait = 0;
			e->at = max(e->at, at);
		}
		if (e->wait && !waiting) {
			waiting = true;
			pl->wait_from = id;
		}
	}
	if (!waiting)
		pl->wait_from = end;
}

/* ---- The command path --------------------------------------------------- */

/*
 * After the model of @ns scheduled @m for @req (dispatcher): learn when
 * its data is durable and which earlier data the call made durable, and
 * journal a write, Write Zeroes or deallocation.
 */
void nvmev_pl_schedule(struct nvmev_ns *ns, struct nvmev_req *req,
		       const struct model_req *m)
{
	struct nvmev_pl *pl = ns->pl;
	struct model_durability d = { 0 };
	struct nvmev_pl_stats *st = &ns->pl_stats;
	struct pl_ent *e;
	bool write = m->op == MODEL_WRITE;

	bool journal = (write || m->op == MODEL_WRITE_ZEROES ||
			m->op == MODEL_DISCARD) && m->len;

	ns->model_ops->durability(ns->model, m, &d);
	if (!d.closed && !journal)
		return;		/* a read, most often: nothing to do */
	spin_lock(&pl->lock);
	if (d.closed)
		pl_resolve(pl, d.closed, d.closed_at);
	if (!journal)
		goto out;
	pl_prune(pl, m->now);
	if (pl->count == PL_ENTRIES) {
		pl_forget(pl);
		st->overflows++;
	}
	e = pl_ent(pl, pl->first + pl->count);
	e->off = m->slba_bytes;
	e->len = m->len;
	e->at = d.at;
	e->wait = d.wait;
	e->state = PL_PENDING;
	e->pre_end = 0;
	if (write && !pl_durable(e, m->now)) {
		e->pre_end = pl_ring_alloc(pl, m->len);
		if (!e->pre_end) {
			/* the same id, now the only entry: e stays as it is */
			pl_forget(pl);
			st->overflows++;
		}
	}
	/* wait_from <= first + count: nothing to update for a waiting one */
	if (!req->pl_nr)
		req->pl_first = pl->first + pl->count;
	req->pl_nr++;
	pl->count++;
out:
	spin_unlock(&pl->lock);
}

/*
 * The data of @req's write is about to move (worker): keep what it
 * overwrites, in the order the data moves.
 */
void nvmev_pl_capture(struct nvmev_req *req)
{
	struct nvmev_ns *ns = req->ns;
	struct nvmev_pl *pl = ns->pl;
	struct pl_ent *e;

	if (!pl || !req->pl_nr)
		return;
	spin_lock(&pl->lock);
	if (pl_valid(pl, req->pl_first)) {
		e = pl_ent(pl, req->pl_first);
		if (e->pre_end && e->state == PL_PENDING)
			memcpy(pl->ring + e->pre_end - e->len,
			       ns->data + e->off, e->len);
		e->state = PL_MOVED;
	}
	spin_unlock(&pl->lock);
}

/* Mark the entries of @req: its data moved (@moved) or never will. */
static void pl_mark(struct nvmev_req *req, u8 state)
{
	struct nvmev_pl *pl = req->ns ? req->ns->pl : NULL;
	u64 id;

	if (!pl || !req->pl_nr)
		return;
	spin_lock(&pl->lock);
	for (id = req->pl_first; id < req->pl_first + req->pl_nr; id++)
		if (pl_valid(pl, id) && pl_ent(pl, id)->state == PL_PENDING)
			pl_ent(pl, id)->state = state;
	spin_unlock(&pl->lock);
	req->pl_nr = 0;
}

void nvmev_pl_moved(struct nvmev_req *req)
{
	pl_mark(req, PL_MOVED);
}

void nvmev_pl_void(struct nvmev_req *req)
{
	pl_mark(req, PL_VOID);
}

/*
 * The model of @ns forgot its pending work (a controller reset): the
 * programs and drains it had booked count as done now, so a Flush that
 * completes after the reset covers them.  Data still waiting for a unit
 * (the open program unit, which a reset keeps) stays volatile.
 */
void nvmev_pl_model_reset(struct nvmev_ns *ns, u64 now)
{
	struct nvmev_pl *pl = ns->pl;
	u64 id;

	if (!pl)
		return;
	spin_lock(&pl->lock);
	for (id = pl->first; id < pl->first + pl->count; id++) {
		struct pl_ent *e = pl_ent(pl, id);

		if (!e->wait && e->at > now)
			e->at = now;
	}
	spin_unlock(&pl->lock);
}

/* ---- The cut ------------------------------------------------------------ */

static u64 pl_rand(u64 *s)
{
	/* xorshift64*: deterministic for a seed */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

/* Put back the pre-image of @e over [lba, lba + n) where not settled. */
static u64 pl_restore(struct nvmev_ns *ns, struct nvmev_pl *pl,
		      const struct pl_ent *e, unsigned long *settled, u64 lba,
		      u64 n)
{
	unsigned int sh = ns->lba_shift;
	const u8 *pre = pl->ring + e->pre_end - e->len;
	u64 slba = e->off >> sh, end = lba + n, done = 0;

	while (lba < end) {
		u64 s = find_next_zero_bit(settled, end, lba), t;

		if (s >= end)
			break;
		t = find_next_bit(settled, end, s);
		memcpy(ns->data + (s << sh), pre + ((s - slba) << sh),
		       (t - s) << sh);
		done += (t - s) << sh;
		lba = t;
	}
	return done;
}

/*
 * Make the storage of @ns what was durable at @t, and empty the journal.
 * @torn: each 4 KiB unit of a volatile write survives or not (from @rng).
 */
static void pl_cut(struct nvmev_ns *ns, u64 t, bool torn, u64 *rng)
{
	struct nvmev_pl *pl = ns->pl;
	struct nvmev_pl_stats *st = &ns->pl_stats;
	unsigned int sh = ns->lba_shift;
	u64 unit = sh < 12 ? 1ULL << (12 - sh) : 1;
	unsigned long *settled;
	u64 id;

	settled = vzalloc(BITS_TO_LONGS(ns->nr_lbas) * sizeof(long));
	spin_lock(&pl->lock);
	if (!settled) {		/* cannot undo: what was written survives */
		pl_forget(pl);
		st->overflows++;
		goto out;
	}
	for (id = pl->first + pl->count; id-- > pl->first;) {
		struct pl_ent *e = pl_ent(pl, id);
		u64 slba = e->off >> sh, n = e->len >> sh, lba, lost = 0;

		if (e->state != PL_MOVED)
			continue;	/* its data never moved */
		if (pl_durable(e, t) || !e->pre_end) {
			bitmap_set(settled, slba, n);
			continue;
		}
		if (!torn) {
			lost = pl_restore(ns, pl, e, settled, slba, n);
		} else {
			for (lba = slba; lba < slba + n;) {
				u64 next = min(round_down(lba, unit) + unit,
					       slba + n);

				if (pl_rand(rng) >> 63) {
					bitmap_set(settled, lba, next - lba);
					st->torn_kept++;
				} else {
					lost += pl_restore(ns, pl, e, settled,
							   lba, next - lba);
				}
				lba = next;
			}
		}
		if (lost) {
			st->lost_writes++;
			st->lost_bytes += lost;
		}
	}
	pl_forget(pl);
out:
	spin_unlock(&pl->lock);
	vfree(settled);
}

/*
 * The model's cache is gone too: a NAND model's open program unit held
 * lost data (it is padded so the next write starts a new one), and no
 * pending work survives.  The dispatcher's lock is held.
 */
static void pl_model_cut(struct nvmev_ns *ns, u64 t)
{
	struct model_req m = { .op = MODEL_FLUSH, .now = t };

	ns->model_ops->schedule(ns->model, &m);
	ns->model_ops->reset(ns->model);
}

/*
 * A zoned namespace keeps no journal: its writes only ever land at a write
 * pointer, so what a cut loses is the end of a zone's data, and the zone
 * state machine makes that read as zeroes (ftl/zns.h "Data").  The model
 * says what is lost (model.h @cut); a torn cut keeps a seeded number of
 * the lost range's first 4 KiB units (a zone's data has no holes).
 */
struct pl_zcut {
	struct nvmev_ns *ns;
	bool torn;
	u64 *rng;
};

static void pl_zone_lost(void *arg, u64 off, u64 len)
{
	struct pl_zcut *c = arg;
	struct nvmev_ns *ns = c->ns;
	struct nvmev_pl_stats *st = &ns->pl_stats;
	unsigned int sh = ns->lba_shift, ush = max(sh, 12U);
	u64 slba = off >> sh, zone, before, after, keep = 0;

	if (slba >= ns->nr_lbas)
		return;
	zone = slba >> ilog2(ns->zones->p.zone_size);
	if (c->torn) {
		keep = pl_rand(c->rng) % ((len >> ush) + 1);
		st->torn_kept += keep;
		slba += keep << (ush - sh);
	}
	before = zns_data_end(ns->zones, zone);
	zns_power_lost(ns->zones, slba);
	after = zns_data_end(ns->zones, zone);
	if (after < before) {
		st->lost_writes++;
		st->lost_bytes += (before - after) << sh;
	}
}

static void pl_zones_cut(struct nvmev_ns *ns, u64 t, bool torn, u64 *rng)
{
	const struct model_ops *ops = ns->model_ops;
	struct pl_zcut c = { .ns = ns, .torn = torn, .rng = rng };

	if (ops->cut && ops->volatile_cache && ops->volatile_cache(ns->model) &&
	    !ns->cfg.plp)
		ops->cut(ns->model, t, pl_zone_lost, &c);
	else
		pl_model_cut(ns, t);
	zns_power_on(ns->zones);
}

/* Volatile writes and their bytes now (configfs "stats"). */
static void pl_volatile(struct nvmev_ns *ns, u64 *nr, u64 *bytes)
{
	struct nvmev_pl *pl = ns->pl;
	u64 id, now = nvmev_now();

	*nr = *bytes = 0;
	if (!pl)
		return;
	spin_lock(&pl->lock);
	for (id = pl->first; id < pl->first + pl->count; id++) {
		struct pl_ent *e = pl_ent(pl, id);

		if (e->state == PL_MOVED && e->pre_end && !pl_durable(e, now)) {
			(*nr)++;
			*bytes += e->len;
		}
	}
	spin_unlock(&pl->lock);
}

ssize_t nvmev_pl_stats_show(struct nvmev_ns *ns, char *buf, size_t size)
{
	const struct nvmev_pl_stats *st = &ns->pl_stats;
	u64 nr, bytes;

	pl_volatile(ns, &nr, &bytes);
	return scnprintf(buf, size,
			 "volatile_writes %llu\nvolatile_bytes %llu\n"
			 "power_cuts %llu\npower_lost_writes %llu\n"
			 "power_lost_bytes %llu\npower_torn_kept %llu\n"
			 "power_journal_overflows %llu\n",
			 nr, bytes, st->cuts, st->lost_writes, st->lost_bytes,
			 st->torn_kept, st->overflows);
}

/* Writes and bytes the namespaces of @ctrl have lost at cuts so far. */
static void pl_lost_totals(struct nvmev_ctrl *ctrl, u64 *writes, u64 *bytes)
{
	unsigned int i;

	*writes = *bytes = 0;
	for (i = 0; i < NVMEV_MAX_NS; i++)
		if (ctrl->ns[i]) {
			*writes += ctrl->ns[i]->pl_stats.lost_writes;
			*bytes += ctrl->ns[i]->pl_stats.lost_bytes;
		}
}

/*
 * Cut the power of @ctrl now: the controller stops answering as at a
 * surprise removal, its namespaces keep what was durable, and the PCI
 * function goes away.  The caller holds nvmev_cfg_lock.
 */
int nvmev_power_cut(struct nvmev_ctrl *ctrl, bool torn, u64 seed)
{
	u64 t = nvmev_now(), rng = seed ? seed : 1;
	u64 lost, bytes, w, b;
	unsigned int i;

	lockdep_assert_held(&nvmev_cfg_lock);
	if (!ctrl->live || ctrl->power_off || READ_ONCE(ctrl->gone))
		return -EINVAL;
	nvmev_disp_lock(ctrl);
	pl_lost_totals(ctrl, &lost, &bytes);
	/*
	 * Zones first: their model still knows what it had booked, which
	 * the quiesce of nvmev_pci_vanish() forgets.  Nothing is dispatched
	 * meanwhile (the dispatcher's lock), and what the workers still move
	 * lands beyond the data the zones keep.
	 */
	for (i = 0; i < NVMEV_MAX_NS; i++) {
		struct nvmev_ns *ns = ctrl->ns[i];

		if (ns && ns->zones)
			pl_zones_cut(ns, t, torn, &rng);
	}
	nvmev_pci_vanish(ctrl);
	for (i = 0; i < NVMEV_MAX_NS; i++) {
		struct nvmev_ns *ns = ctrl->ns[i];

		if (!ns)
			continue;
		ns->pl_stats.cuts++;
		if (ns->pl) {
			pl_cut(ns, t, torn, &rng);
			pl_model_cut(ns, t);
		}
	}
	pl_lost_totals(ctrl, &w, &b);
	lost = w - lost;
	bytes = b - bytes;
	ctrl->power_off = true;
	nvmev_disp_unlock(ctrl);
	pr_warn("%s: power cut (injected%s, seed %llu): %llu volatile write(s), %llu bytes lost\n",
		ctrl->name, torn ? ", torn" : "", seed, lost, bytes);
	nvmev_pci_unplug(ctrl);
	return 0;
}

/* The power comes back: the controller is found again, as after a cut. */
int nvmev_power_on(struct nvmev_ctrl *ctrl)
{
	lockdep_assert_held(&nvmev_cfg_lock);
	if (!ctrl->power_off)
		return 0;
	ctrl->power_off = false;
	le64_add_cpu(&ctrl->sb->unsafe_shutdowns, 1);
	le64_add_cpu(&ctrl->sb->power_cycles, 1);
	return nvmev_pci_surprise(ctrl, false);
}

static void pl_cut_work(struct work_struct *w)
{
	struct nvmev_ctrl *ctrl = container_of(to_delayed_work(w),
					       struct nvmev_ctrl, cut_work);

	mutex_lock(&nvmev_cfg_lock);
	if (ctrl->live && !ctrl->power_off && !READ_ONCE(ctrl->gone))
		nvmev_power_cut(ctrl, ctrl->cut_torn, ctrl->cut_seed);
	mutex_unlock(&nvmev_cfg_lock);
}

void nvmev_power_init(struct nvmev_ctrl *ctrl)
{
	INIT_DELAYED_WORK(&ctrl->cut_work, pl_cut_work);
}

/* A cut in @ms milliseconds (the caller holds nvmev_cfg_lock). */
void nvmev_power_cut_later(struct nvmev_ctrl *ctrl, bool torn, u64 seed,
			   unsigned int ms)
{
	ctrl->cut_torn = torn;
	ctrl->cut_seed = seed;
	mod_delayed_work(system_wq, &ctrl->cut_work, msecs_to_jiffies(ms));
}

void nvmev_power_cancel(struct nvmev_ctrl *ctrl, bool sync)
{
	if (sync)
		cancel_delayed_work_sync(&ctrl->cut_work);
	else
		cancel_delayed_work(&ctrl->cut_work);
}

/* A seeded random number below @n (for "within="). */
u64 nvmev_power_rand(u64 seed, u64 n)
{
	u64 s = seed ? seed : 1;

	return n ? pl_rand(&s) % n : 0;
}
