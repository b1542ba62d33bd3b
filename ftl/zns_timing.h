/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * zns_timing.h - timing model "zns" of a zoned NAND SSD: WHEN the commands
 * of a zoned namespace complete, on the NAND machinery of nand.h (the
 * same dies, channels, link, page types and write buffer as conv.h).
 *
 * The zone state machine (zns.h) decides what is legal; the kernel calls
 * it first and only schedules commands it accepted.  This model trusts
 * that (writes arrive sequentially per zone) but stays well defined for
 * any input (see "Writes", cases (2) and (3)).  What reaches it:
 *	Read				MODEL_READ
 *	Write, Zone Append		MODEL_WRITE at the LBA the data lands on
 *	Write Zeroes			MODEL_WRITE_ZEROES at the write pointer
 *					(zeroes are programmed; no data
 *					crosses the link)
 *	Flush				MODEL_FLUSH
 *	Zone Management Send Finish	MODEL_ZONE_FINISH \ slba_bytes = the
 *	Zone Management Send Reset	MODEL_ZONE_RESET  / zone's start, len =
 *					zone_bytes; one request per zone (Select
 *					All: one per zone it acts on)
 *	Open, Close, anything else	MODEL_OTHER (also MODEL_DISCARD and
 *					unknown ops): completes at now +
 *					fw_other_ns, no resource used
 *
 * ==== Geometry ====
 *
 * The NAND is described by params.nand (struct conv_params, nand.h): dies
 * (LUNs) l = 0..N-1 on channel l % nr_channels, PUs of pu_slots = P slots
 * of 4 KiB, groups (multi-plane blocks) of U = pages_per_block /
 * oneshot_pages PUs, page types, t_ch, t_link, the write buffer of
 * buf_slots = buffer_kib / 4 slots.  capacity, op_percent and the gc_*
 * fields are ignored; fw_read_ns, fw_write_ns and fw_other_ns are used.
 *
 * The namespace holds nr_zones = Z zones of S = zone_bytes / 4096 slots;
 * the first C = zone_cap_bytes / 4096 slots of each are writable.  Zone z
 * is striped over D = stripe_dies dies (0: all N), die index j = 0..D-1
 * being die (z * D + j) mod N.  Slot o of the zone (its zone offset, in
 * slots) is slot i = o % P of the zone's PU q = o / P; PU q is the r-th
 * PU, r = q / D, of the zone on die index j = q % D: PU u = r % U of the
 * zone's block r / U on that die, so its page type is that of slot i of
 * PU u of a group (nand.h "Terms"), which selects tR.  Every zone starts
 * at a block boundary on each of its dies; the NAND is as large as the
 * zones need (no spare blocks, no GC, no wear).
 *
 * ==== Zone state in the model ====
 *
 * Per zone: wp (slots written), prog (slots programmed, prog <= wp <= C),
 * pu_time and pend (below).  Slots [prog, wp) are in the write buffer;
 * they always lie in one PU, floor(prog / P), the zone's "open PU"
 * (wp - prog < P), and a zone has an open PU iff wp > prog.  Zones with an
 * open PU form a list ordered by their last write request, least recently
 * written first (the LRU list).  held = sum of (wp - prog), the buffer
 * slots held by open PUs.
 * A program of zone z's open PU ("fill" when it is complete, else "pad")
 * books one PU program (nand.h) on the PU's die, ready at the later of the
 * request's time t and pu_time_z, holding the wp - prog buffered slots
 * until it ends (at pend); then prog = wp.  The PU's slots without data,
 * P - (wp - q * P), are padding (counted in pad_slots and, as every PU
 * program, in media_write_bytes).  pend_z = the latest end of a program or
 * erase of the zone; pu_time_z = the latest entry time of any slot of the
 * zone since its last reset, or that reset's erase end.
 * A padded PU does not use up zone space: the model treats a pad as a
 * program of a staging copy of that PU on the same die (same timing, same
 * page types); when the host later writes the rest of the PU, it is
 * programmed again in place when complete.  (Staging copies are never
 * erased in the model.)
 *
 * ==== Writes (MODEL_WRITE, MODEL_WRITE_ZEROES) ====
 *
 * ready = now + fw_write_ns.  The request's slots floor(slba / 4096) ..
 * ceil((slba + len) / 4096) - 1 (sub-4 KiB parts rounded out), clipped to
 * the namespace (Z * S slots), are taken in LBA order; slot s belongs to
 * zone z = s / S at offset o = s % S:
 *  (1) o >= C: ignored (no time).
 *  (2) o < wp_z: merged into the copy already written (a write continuing
 *      a partly written 4 KiB slot, e.g. with 512-byte LBAs): a MODEL_WRITE
 *      slot crosses the link (as below, without buffer space), a zeroes
 *      slot costs nothing; no buffer slot, no program; if z has an open
 *      PU it goes to the tail of the LRU list.
 *  (3) o > wp_z (never from the state machine): z's open PU, if any, is
 *      padded at ready, wp_z = prog_z = o, then (4).
 *  (4) o == wp_z, a new slot.  start = max(ready, link_wr_free) (zeroes:
 *      start = ready).  With a buffer, the slot needs buffer space at start
 *      (nand.h): programs that ended by start free their slots; if held +
 *      buffered slots of programs in flight < buf_slots it fits, else it
 *      waits for the earliest program in flight to end (start = its end);
 *      if no program is in flight the model first pads the open PU of the
 *      least recently written zone other than z (a "forced pad", at start)
 *      and then waits for that program.  The slot then crosses the link,
 *      e = start + t_link (zeroes: e = start), wp_z++, z goes to the tail
 *      of the LRU list, pu_time_z = max(pu_time_z, e).  When wp_z is a
 *      multiple of P or reaches C, the open PU is programmed at once
 *      (fill; at C it may be partial, then padded).
 * The write completes at e of its last slot of (2) or (4) (ready if it has
 * none).  With fua, or with buffer_kib == 0 (no buffer: no space rule, and
 * every completed write is durable), every zone the request touched that
 * has an open PU is then padded at e, and the write completes at max(e,
 * pend of every program made during the request of a zone it touched);
 * with fua and a buffer, also no earlier than pend_z of every zone it
 * touched: its data is durable only once the zone's earlier data is
 * ("Power cut": a zone keeps a prefix).
 * buffer_waits counts write requests that waited for buffer space.
 * Never a deadlock: a slot that finds the buffer full with no program in
 * flight has held >= buf_slots >= P, while z's open PU holds < P slots, so
 * another zone has an open PU; its pad frees >= 1 slot when it ends.  So
 * every slot gets in after at most one forced pad, whatever the host does.
 * Consequences: on an idle device a 4 KiB write into the buffer takes
 * fw_write_ns + t_link; a write of P slots filling an empty zone's PU with
 * buffer_kib == 0 takes fw_write_ns + P * t_link + P * t_ch + prog_ns.
 *
 * ==== Reads (MODEL_READ) ====
 *
 * ready = now + fw_read_ns.  The request's slots (clipped to the namespace)
 * are cut, in LBA order, into runs: a maximal sequence of consecutive
 * slots that are either (a) all not on the NAND (o >= prog_z: in the
 * zone's open PU, i.e. the buffer, or at or beyond the write pointer,
 * including [C, S)) or (b) all below prog_z in one flash page (same zone,
 * same PU, same page of the PU).  For each run of k slots, in order:
 *   (a)  lend = max(ready, link_rd_free) + k * t_link
 *   (b)  a page read (nand.h) of k slots on the PU's die ready at ready,
 *	  tR by the page type, ending its channel transfer at cend; lend =
 *	  max(cend, link_rd_free) + k * t_link
 * each setting link_rd_free = lend; the read completes at max(ready,
 * every lend).  As in conv, only the open PU counts as buffer: data of a
 * PU whose program is in flight is read from the NAND, queueing on its
 * die like any operation.  Consequences: a lone 4 KiB read of a programmed
 * LSB page on an idle die takes fw_read_ns + read_4k_ns[0] + t_ch +
 * t_link; of buffered or unwritten data, fw_read_ns + t_link.
 *
 * ==== Other operations ====
 *
 * MODEL_FLUSH: ready = now + fw_other_ns; every open PU is padded at ready,
 * in LRU order; completes at max(ready, the latest end of any PU program
 * so far).
 * MODEL_ZONE_FINISH of zone z (z = slba_bytes / zone_bytes; z >= Z: as
 * MODEL_OTHER): if z has an open PU it is padded at now and the finish
 * completes at that program's end + fw_other_ns, else at now +
 * fw_other_ns.  wp_z stays (the state machine marks the zone full; the
 * slots up to C read as unwritten).
 * MODEL_ZONE_RESET of zone z: its buffered slots are dropped (held -=
 * wp_z - prog_z).  Of its Q = ceil(prog_z / P) programmed PUs (padded ones
 * included), die index j holds c_j = floor((Q - 1 - j) / D) + 1 (j < min(Q,
 * D); none for j >= Q), in g_j = ceil(c_j / U) blocks; each such die
 * erases its g_j groups one after another (erase_ns each, nand.h), the
 * first ready at max(now, pend_z); dies work in parallel.  The reset
 * completes at max(now, the last erase end) + fw_other_ns; then wp_z =
 * prog_z = 0 and pend_z = pu_time_z = max(pend_z, the last erase end), so
 * the zone's next programs come after its erases.  With nothing programmed
 * it completes at now + fw_other_ns.  Reads of the zone then cost what
 * unwritten data costs.
 *
 * ==== Counters (stats op) ====
 *
 * host_read_bytes / host_write_bytes: req->len of MODEL_READ / MODEL_WRITE
 * (zeroes carry no host data); media_read_bytes: 4096 per slot read from
 * the NAND; media_write_bytes: 4096 * P per PU program (padding included);
 * erases: physical blocks (planes_per_lun per group); buffer_waits: write
 * requests that waited.  The gc_* counters stay 0.  The instance also
 * counts pads (padded programs, any cause), forced_pads (those of the
 * buffer rule), pad_slots and cut_overflows ("Power cut"), readable in
 * struct zns_timing.
 *
 * ==== Reset (model op) ====
 *
 * Forget pending work: nand_reset() (resources idle, programmed data out
 * of the buffer), every zone's pu_time = pend = 0, and the record of
 * programs in flight ("Power cut") emptied: forgotten programs count as
 * ended.  wp, prog, the open PUs' buffered slots, the LRU list and the
 * counters stay.  O(Z).
 *
 * ==== Power cut (cut op) ====
 *
 * zns_timing_cut(t): what a power cut at t loses (t at or after the now
 * of every request so far).  Data of a zone is durable once the PU
 * program that wrote it has ended by t (its pend, as nand_program()
 * booked it); data in a zone's open PU (slots [prog, wp), the buffer)
 * never is.  A zone's programs are booked in slot order but on different
 * dies, so their ends are not in slot order: the zone keeps only its
 * durable prefix,
 *	d_z = min(prog_z, min { start_p : p a program of z, pend_p > t })
 * where start_p is the first slot program p newly wrote, the zone's prog
 * just before p was booked (a pad's too; a later program of the rest of a
 * padded PU starts where the pad ended).  For every zone with wp_z > d_z,
 * in ascending zone order, the cut calls lost(arg, z * zone_bytes + d_z *
 * 4096, (wp_z - d_z) * 4096) (lost may be NULL); then wp_z = prog_z = d_z
 * in every zone, the LRU list is emptied, held = 0, and the model is reset
 * ("Reset": all pending work forgotten, the record below emptied).  So a
 * later write at slot d_z is a new slot ((4)), not a merge.  A flush
 * completes after every program so far: a cut at or after its completion
 * loses nothing scheduled before it.
 * Lost ranges are whole slots: wp counts a partly written slot (sub-4 KiB
 * LBAs) as written, so a range may include LBAs of its last slot the host
 * never wrote; data merged into a slot ((2)) shares that slot's fate (if
 * the slot was programmed before the merge and is below d_z, the merged
 * data is kept although the model never programs it).  Slots a write
 * skipped ((3), never from the state machine) count as written.
 * A fua write completes once every program of the zones it touched has
 * ended ("Writes"), its own and the earlier ones (one on a busier die may
 * end later), so a cut at or after its completion keeps it.
 *
 * Programs in flight: while there is a buffer the model records every PU
 * program it books (fills, pads of any cause, a zone's partial last PU)
 * in a min-heap on pend of entries {pend, zone, start} (struct zns_tprog),
 * start being the zone's prog just before the program was booked, of
 * inflight_cap = 4 * buf_slots + 256 entries.  Each schedule() first drops
 * the entries with pend <= now (they are durable at any later cut); a zone
 * reset marks the zone's entries ignored (zone = U32_MAX, a scan of the
 * heap: resets are rare); the model's reset empties the heap.  The record
 * is bookkeeping only: it changes no time.
 * Its bound is enough in practice: every program holds at least one of the
 * buf_slots buffer slots until it ends, and a slot enters the buffer only
 * while fewer than buf_slots are taken, so at most buf_slots programs are
 * in flight when a slot is admitted.  The heap holds more only with
 * programs that end after a request's now but before the admission of
 * slots already scheduled, i.e. a burst of writes fetched at about the
 * same now that queues more than three buffers of programs.  When it is
 * full the earliest-ending entry (of the heap's and the new one) is
 * dropped as if durable, and cut_overflows counts it: a cut may then
 * keep more than the rule above says (a device may keep more than was
 * promised, never less); its lost ranges lie within the rule's.
 * Without a buffer (buffer_kib == 0) nothing is recorded and a cut loses
 * nothing: every write completes after its own programs and leaves no
 * open PU, so nothing acknowledged is volatile.  (Programs still in
 * flight at t, of writes not yet complete, are kept too; so is, unlike
 * under the prefix rule, a complete write behind one still in flight.)
 *
 * ==== Memory ====
 *
 * 32 bytes per zone (struct zns_tzone) plus the NAND's timelines and
 * buffer heap (nand_alloc_bytes()) plus, with a buffer, the record of
 * programs in flight (16 * (4 * buf_slots + 256) bytes: 69632 for SMALL,
 * 135168 for ZN540) plus the instance (544 bytes on x86-64):
 * zns_timing_metadata_bytes().  The zones: 1024 of them (16 GiB
 * of SMALL zones, or 2 TiB of ZN540 zones) take 32 KiB; 4194304
 * (ZNS_TIMING_MAX_ZONES, e.g. a 16 GiB namespace of 4 KiB zones) 128 MiB,
 * under 1% of that capacity, next to zns.h's 64 MiB for the same zones.
 * The NAND part: 57504 bytes for SMALL, 73888 for ZN540 (mostly the 64
 * busy intervals per die and channel).  Init zeroes the zones (no
 * per-zone loop); test_zns_timing.c initialises 4M zones.
 *
 * Deterministic (no randomness, no clock), single caller per instance
 * (model.h), no 64-bit division, times saturate at U64_MAX.
 */
#ifndef _NVMEV_FTL_ZNS_TIMING_H
#define _NVMEV_FTL_ZNS_TIMING_H

#include "conv.h"
#include "nand.h"
#include "zns.h"

#define ZNS_TIMING_MAX_ZONE_BYTES	(1ULL << 40)	/* 1 TiB */
#define ZNS_TIMING_MAX_ZONES		ZNS_MAX_ZONES	/* 4194304 */
#define ZNS_TIMING_DEFAULT_ZONES	64U	/* init(NULL): 1 GiB */

/*
 * Parameters.
 * @nand:           NAND geometry and timing (nand.h); capacity, op_percent
 *                  and the gc_* fields are ignored
 * @zone_bytes:     zone size (ZSZE) in bytes: a power of two, 4096 ..
 *                  ZNS_TIMING_MAX_ZONE_BYTES
 * @zone_cap_bytes: zone capacity (ZCAP), a multiple of 4096, 4096 ..
 *                  zone_bytes
 * @nr_zones:       1 .. ZNS_TIMING_MAX_ZONES
 * @stripe_dies:    dies one zone is striped over, 1 .. number of dies;
 *                  0 = all
 */
struct zns_timing_params {
	struct conv_params nand;
	u64 zone_bytes;
	u64 zone_cap_bytes;
	u32 nr_zones;
	u32 stripe_dies;
};

/*
 * Presets, as initialisers (nr_zones left 0: the kernel side derives it
 * from the namespace size; zone_bytes / zone_cap_bytes are what it uses
 * when the namespace holds enough zones).  Sources: zns_timing.c.
 *
 * ZNS_TIMING_ZN540: Western Digital Ultrastar DC ZN540-like: TLC, 8
 * channels x 4 dies, 96 KiB PUs, 2 GiB zones of 1077 MiB capacity striped
 * over all 32 dies.
 */
#define ZNS_TIMING_ZN540_NAND {					\
	.nr_channels = 8, .luns_per_channel = 4,			\
	.planes_per_lun = 1, .pages_per_block = 1152,			\
	.page_size = 32768, .oneshot_pages = 3, .cell_bits = 3,		\
	.read_4k_ns = { 50000, 50000, 50000 },				\
	.read_page_ns = { 58000, 58000, 58000 },			\
	.prog_ns = 561000, .erase_ns = 3500000,				\
	.channel_mbps = 450, .link_mbps = 3050,				\
	.fw_read_ns = 20000, .fw_write_ns = 5600,			\
	.fw_other_ns = 1000, .buffer_kib = 8192,			\
}
#define ZNS_TIMING_ZN540_ZONE_BYTES	(2ULL << 30)
#define ZNS_TIMING_ZN540_ZONE_CAP	(1077ULL << 20)
#define ZNS_TIMING_ZN540 {						\
	.nand = ZNS_TIMING_ZN540_NAND,					\
	.zone_bytes = ZNS_TIMING_ZN540_ZONE_BYTES,			\
	.zone_cap_bytes = ZNS_TIMING_ZN540_ZONE_CAP,			\
	.stripe_dies = 0,						\
}

/*
 * ZNS_TIMING_SMALL: a small-zone prototype on the NAND of conv's default
 * drive (CONV_PARAMS_DEFAULT_INIT: generic TLC, 8 channels x 4 dies, 2
 * planes, 16 KiB pages, 3-page one-shot), 16 MiB zones (capacity = size)
 * striped over 4 dies, so 8 zones written at once use every die.
 */
#define ZNS_TIMING_SMALL_ZONE_BYTES	(16ULL << 20)
#define ZNS_TIMING_SMALL_STRIPE		4U
#define ZNS_TIMING_SMALL {						\
	.nand = CONV_PARAMS_DEFAULT_INIT,				\
	.zone_bytes = ZNS_TIMING_SMALL_ZONE_BYTES,			\
	.zone_cap_bytes = ZNS_TIMING_SMALL_ZONE_BYTES,			\
	.stripe_dies = ZNS_TIMING_SMALL_STRIPE,				\
}

/*
 * A PU program of a zone still in flight (16 bytes); see "Power cut".
 * @pend:  its end
 * @zone:  its zone, U32_MAX once that zone was reset (entry ignored)
 * @start: the zone offset (slots) of the first slot it newly wrote: the
 *         zone's prog just before it was booked
 */
struct zns_tprog {
	u64 pend;
	u32 zone;
	u32 start;
};

/* Per-zone timing state (32 bytes); see "Zone state in the model". */
struct zns_tzone {
	u64 pu_time;
	u64 pend;
	u32 wp;
	u32 prog;
	u32 prev;	/* LRU list links, valid while wp > prog */
	u32 next;
};

/*
 * One zoned namespace's timing.  Owned by the caller; fields are private
 * to zns_timing.c (the unit tests peek at them).
 */
struct zns_timing {
	struct zns_timing_params p;
	struct nand nand;

	/* derived geometry */
	u32 nr_zones;		/* Z */
	u32 zone_slots;		/* S */
	u32 zone_shift;		/* log2(S) */
	u32 cap_slots;		/* C */
	u32 stripe;		/* D */
	u32 pu_slots;		/* P */
	u32 pus_per_group;	/* U */

	struct zns_tzone *zones;	/* [Z] */
	u32 lru_head;		/* least recently written, U32_MAX: empty */
	u32 lru_tail;
	u32 lru_len;
	u32 held;		/* buffered slots of open PUs */

	/* the current write request */
	u32 cmd_z0;		/* zones it touched: cmd_z0 .. cmd_z1 */
	u32 cmd_z1;
	u64 cmd_pend;		/* latest end of their programs */

	/* programs in flight, for the cut op ("Power cut"); NULL: no buffer */
	struct zns_tprog *inflight;	/* [inflight_cap] min-heap on pend */
	u32 inflight_len;
	u32 inflight_cap;	/* 4 * buf_slots + 256, 0 without a buffer */
	u64 cut_overflows;	/* entries dropped (as durable) when full */

	u64 pads;		/* padded programs */
	u64 forced_pads;	/* of those, forced by the buffer rule */
	u64 pad_slots;		/* padding slots programmed */
	u64 failures;		/* impossible cases met; must stay 0 */
	size_t meta_bytes;
};

extern const struct model_ops zns_timing_ops;

/* ZNS_TIMING_SMALL with ZNS_TIMING_DEFAULT_ZONES zones. */
void zns_timing_params_default(struct zns_timing_params *p);

/* NULL if @p is acceptable, else a reason naming the field and its range. */
const char *zns_timing_check_params(const struct zns_timing_params *p);

/*
 * Validate @p (NULL: defaults), derive the geometry, allocate the zones
 * (all empty).  0, -EINVAL or -ENOMEM; on failure @m holds nothing to
 * free.  May sleep.
 */
int zns_timing_init(struct zns_timing *m, const struct zns_timing_params *p);

/* Free what init allocated.  Safe after a failed init and to repeat. */
void zns_timing_exit(struct zns_timing *m);

/* Absolute completion time (ns) of @req; see the top of the file. */
u64 zns_timing_schedule(struct zns_timing *m, const struct model_req *req);

/* Forget pending work (see "Reset"). */
void zns_timing_reset(struct zns_timing *m);

/*
 * A power cut at @t (see "Power cut"): call @lost (may be NULL) for each
 * zone's lost range, in ascending order, then keep only the durable
 * prefixes and forget all pending work.  O(Z + inflight_len).
 */
void zns_timing_cut(struct zns_timing *m, u64 t, model_lost_fn lost,
		    void *arg);

/* Copy the counters (model.h concurrency rule). */
void zns_timing_stats(struct zns_timing *m, struct model_stats *st);

/* True iff the model has a write buffer (nand.buffer_kib > 0). */
bool zns_timing_volatile_cache(struct zns_timing *m);

/* Bytes allocated by and for the instance at @priv (struct zns_timing). */
size_t zns_timing_metadata_bytes(const void *priv);

/*
 * Test helper, O(Z): 0 if the per-zone state, the LRU list, held and the
 * buffer agree with the rules above, else a negative code saying which
 * check failed.
 */
int zns_timing_check_consistency(const struct zns_timing *m);

#endif /* _NVMEV_FTL_ZNS_TIMING_H */
