/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nvm.h - timing model of an Optane-class (byte-addressable, no FTL, no GC)
 * NVM SSD.
 *
 * The device has nr_units identical parallel units.  A command pays a fixed
 * per-command delay, then its data moves in unit_size chunks, each chunk
 * occupying one unit.  Reads and writes have separate parameters.
 *
 * Exact semantics of nvm_model_schedule() for MODEL_READ and MODEL_WRITE
 * (delay/time/trailing are the read_* or write_* parameters, all in ns):
 *
 *  1. The request is cut into n = ceil(len / unit_size) chunks.
 *     The address (slba_bytes) plays no part.
 *  2. If n == 0 (len == 0) the request completes at now + delay; no unit
 *     is occupied and the cursor does not move.
 *  3. Chunk i (i = 0 .. n-1) goes to unit u = (cursor + i) % nr_units;
 *     afterwards cursor = (cursor + n) % nr_units.  The cursor lives in the
 *     instance, so consecutive requests continue where the last one
 *     stopped and spread over all units.
 *  4. Chunks are placed in order i = 0 .. n-1:
 *         start     = max(now + delay, unit_free[u])
 *         finish    = start + time
 *         unit_free[u] = finish + trailing
 *     i.e. the delay is paid once per command, before any data moves; a
 *     unit serves one chunk at a time; "trailing" keeps the unit busy after
 *     the chunk's data is done, without delaying that chunk's completion.
 *  5. The request completes at the largest finish of its chunks.
 *
 *  Consequences: a lone 4 KiB read on an idle device takes delay + time;
 *  a request of k * nr_units chunks on an idle device takes
 *  delay + k * time + (k - 1) * trailing.  With every parameter 0 the
 *  result is exactly now (given non-decreasing now, see model.h).
 *
 * Other operations take no media time and complete at exactly now:
 *  - MODEL_FLUSH: nothing in this model is volatile (without a cache;
 *    with one see below).
 *  - MODEL_DISCARD: deallocation is a metadata update in this class of
 *    device; modelled as free.
 *  - MODEL_WRITE_ZEROES: no data is transferred; modelled as free (the
 *    simplest defensible rule; revisit if a workload depends on it).
 *  - MODEL_OTHER, and any other op (e.g. MODEL_ZONE_RESET/FINISH, which
 *    only zoned models use): no media access.
 *  None of these occupy a unit or move the cursor.  fua has no effect
 *  (there is no volatile cache to bypass).
 *
 * The volatile write cache (cache_kib > 0; with 0 everything above holds
 * unchanged).  C = cache_kib * 1024 bytes.  The media side is the write
 * path above: write i's chunks occupy units exactly as without a cache,
 * and D_i, the completion time rule 5 gives, is when its data has reached
 * the media.  The cache drains in order: write i is durable at
 *	D'_i = max(D_i, D'_{i-1})	(D'_0 = 0; D' never decreases)
 * The cache holds the bytes of the writes with D' > t at time t.  Write i
 * of len > 0 bytes, ready at r = now + write_delay:
 *  - if len <= C, it is admitted at a_i = the earliest time >= max(r,
 *    a_{i-1}) at which the bytes held plus len fit in C (admission is in
 *    order; the writes ahead leave the cache in order as their D' passes),
 *    and completes at a_i, or with fua at max(a_i, D'_i);
 *  - if len > C, it waits for the cache to empty (a_i = max(r, a_{i-1},
 *    D'_{i-1})), writes through without occupying the cache and completes
 *    at D'_i, fua or not.
 * A write with len == 0 completes at now + write_delay and touches
 * neither the cache nor D'.  MODEL_FLUSH completes at max(now, the last
 * D'): when every write before it is durable.  Discard, write zeroes and
 * the other ops are unchanged (complete at now, durable then).
 * Occupancy is kept in a FIFO ring of NVM_CACHE_RING entries {D', bytes},
 * one per cached write; when the ring is full a new write is merged into
 * the tail entry (tail D' = the new D', its bytes added): the tail's
 * older bytes are then held until the new D', later than they would be -
 * conservative, and the same for the same requests.
 * nvm_model_durability() (the durability op): a write with len > 0 and a
 * cache is durable at D'_i; every other request, and every request
 * without a cache, at its completion time; wait and closed are always 0.
 * reset() forgets all pending work: the ring is emptied (nothing is held,
 * D' and a restart from 0) and every unit is idle.
 *
 * The controller's command rate (cmd_read_ns, cmd_write_ns; with both 0,
 * the default, everything above holds unchanged).  The controller starts
 * one command at a time: it takes a read (write) for cmd_read_ns
 * (cmd_write_ns) ns, after which it can start the next one.  A MODEL_READ
 * or MODEL_WRITE whose op has cmd_ns > 0, fetched at now, is started at
 *	s = max(now, ctrl_free)		then ctrl_free = s + cmd_ns
 * (ctrl_free is 0 after init and reset; reads and writes share it) and is
 * scheduled by every rule above (units, cache) as if it had been fetched
 * at s.  So on an idle controller s = now and the latency is the same as
 * without the limit (the per-command delay is the controller's pipeline
 * latency, cmd_ns its initiation interval), while no more than
 * 10^9 / cmd_ns commands of one kind per second are started however many
 * are queued: the IOPS ceiling a drive's small-block random figures show
 * when its media could do more (e.g. more 4 KiB reads than its
 * sequential bandwidth / 4 KiB).  An op whose cmd_ns is 0, and every other
 * op (flush, discard, ...), bypasses the controller: it neither waits for
 * ctrl_free nor moves it.  len == 0 reads and writes with cmd_ns > 0 are
 * commands too: they wait and occupy the controller.
 *
 * Arithmetic is exact unless a time would exceed U64_MAX, in which case it
 * saturates at U64_MAX.  Cost per call is O(min(n, nr_units)), independent
 * of len, so even multi-GiB requests are cheap.
 *
 * Concurrency: see model.h - one caller (the dispatcher) per instance, no
 * internal locking, no global state.
 */
#ifndef _NVMEV_FTL_NVM_H
#define _NVMEV_FTL_NVM_H

#include "model.h"

#define NVM_MIN_UNITS		1U
#define NVM_MAX_UNITS		1024U
#define NVM_MIN_UNIT_SIZE	512U
#define NVM_MAX_UNIT_SIZE	(1024U * 1024U)
#define NVM_MIN_CACHE_KIB	4U
#define NVM_MAX_CACHE_KIB	262144U		/* 256 MiB */
#define NVM_CACHE_RING		1024U		/* entries of the cache FIFO */
#define NVM_MAX_CMD_NS		1000000U	/* cmd_read_ns, cmd_write_ns */

/*
 * Defaults (nvm_params_default()) are NVMeVirt's: 4 KiB QD1 latency 5.5 us;
 * 16 units give ~1.78 M read IOPS (~7.3 GB/s) and ~1.52 M write IOPS
 * (~6.2 GB/s) at 4 KiB; no command-rate limit.  The "optane" preset
 * (presets.c) adds the controller's command rate of an Intel Optane SSD
 * P5800X (NVM_P5800X_CMD_*_NS below).
 */
#define NVM_DEFAULT_READ_DELAY		2000U
#define NVM_DEFAULT_READ_TIME		3500U
#define NVM_DEFAULT_READ_TRAILING	5500U
#define NVM_DEFAULT_WRITE_DELAY		2000U
#define NVM_DEFAULT_WRITE_TIME		3500U
#define NVM_DEFAULT_WRITE_TRAILING	7000U
#define NVM_DEFAULT_NR_UNITS		16U
#define NVM_DEFAULT_UNIT_SIZE		4096U

/*
 * Intel Optane SSD DC P5800X, 800 GB: Intel rates 4 KiB random reads at
 * 1.5 M IOPS and random writes at 1.35 M IOPS, while its sequential
 * figures (7.2 GB/s read, 6.1 GB/s write) would carry ~1.76 M and ~1.49 M
 * 4 KiB commands per second: the small-block ceiling is the controller's
 * command rate, not the media.  10^9 / 1.5 M = 666.7 ns per read, 10^9 /
 * 1.35 M = 740.7 ns per write; rounded up to whole ns (1,499,250 and
 * 1,349,528 IOPS).  Sources: docs/presets.md, tools/calib/drives/optane.conf.
 */
#define NVM_P5800X_CMD_READ_NS		667U
#define NVM_P5800X_CMD_WRITE_NS		741U

/*
 * Model parameters.  Times are ns; "chunk" is unit_size bytes of data.
 * @read_delay:     paid once per read command, before any data moves
 * @read_time:      per chunk: data transfer time of a read chunk
 * @read_trailing:  per chunk: the unit stays busy this long after it
 * @write_delay:    as read_delay, for writes
 * @write_time:     as read_time, for writes
 * @write_trailing: as read_trailing, for writes
 * @nr_units:       parallel units, NVM_MIN_UNITS..NVM_MAX_UNITS
 * @unit_size:      bytes per chunk, a power of two,
 *                  NVM_MIN_UNIT_SIZE..NVM_MAX_UNIT_SIZE (512..1 MiB)
 * @cache_kib:      volatile write cache, 0 (none, the default) or
 *                  NVM_MIN_CACHE_KIB..NVM_MAX_CACHE_KIB (4 KiB..256 MiB)
 * @cmd_read_ns:    the controller's time per read command (its command
 *                  rate, see the top of file), 0 (no limit, the default)
 *                  ..NVM_MAX_CMD_NS
 * @cmd_write_ns:   as cmd_read_ns, for writes
 */
struct nvm_params {
	u32 read_delay;
	u32 read_time;
	u32 read_trailing;
	u32 write_delay;
	u32 write_time;
	u32 write_trailing;
	u32 nr_units;
	u32 unit_size;
	u32 cache_kib;
	u32 cmd_read_ns;
	u32 cmd_write_ns;
};

/*
 * One emulated device (or namespace).  Owned by the caller; the fields are
 * private to nvm.c (the unit tests peek at them).
 * @p:          copy of the parameters given to nvm_model_init()
 * @unit_free:  [nr_units] time (ns) at which each unit becomes idle
 * @cursor:     unit that receives the next chunk
 * @unit_shift: log2(unit_size)
 * @ring:       [NVM_CACHE_RING] the cache FIFO (NULL without a cache)
 * @ring_head, @ring_len: its oldest entry and number of entries
 * @held:       bytes of the ring's entries
 * @last_dur:   D' of the last write (0: none since init or reset)
 * @last_admit: a of the last write
 * @dur_at:     durability of the last request scheduled
 * @ctrl_free:  time (ns) at which the controller can start a command
 */
struct nvm_cache_ent {
	u64 dur;
	u64 bytes;
};

struct nvm_model {
	struct nvm_params p;
	u64 *unit_free;
	u32 cursor;
	u32 unit_shift;
	struct nvm_cache_ent *ring;
	u32 ring_head;
	u32 ring_len;
	u64 held;
	u64 last_dur;
	u64 last_admit;
	u64 dur_at;
	u64 ctrl_free;
};

/* Fill @p with the NVM_DEFAULT_* values. */
void nvm_params_default(struct nvm_params *p);

/*
 * NULL if @p is acceptable, else a short English reason naming the bad
 * field and its allowed range (a string constant).
 */
const char *nvm_check_params(const struct nvm_params *p);

/*
 * Validate @p (NULL means defaults), copy it and allocate per-unit state.
 * Returns 0, -EINVAL (nvm_check_params() failed: nr_units, unit_size,
 * cache_kib, cmd_read_ns or cmd_write_ns out of range, unit_size not a
 * power of two) or -ENOMEM.  On
 * failure @m holds nothing to free.  May sleep (GFP_KERNEL allocation).
 */
int nvm_model_init(struct nvm_model *m, const struct nvm_params *p);

/* Free per-unit state.  Safe after a failed init and safe to repeat. */
void nvm_model_exit(struct nvm_model *m);

/* Return the absolute completion time (ns) of @req; see the top of file. */
u64 nvm_model_schedule(struct nvm_model *m, const struct model_req *req);

/*
 * Mark every unit and the controller idle, set the cursor back to unit 0
 * and empty the cache (forget its pending work).
 */
void nvm_model_reset(struct nvm_model *m);

/* True iff the model has a volatile write cache (cache_kib > 0). */
bool nvm_model_volatile_cache(struct nvm_model *m);

/*
 * Durability of the request just scheduled (see the top of file), with the
 * same @req: the answer was computed by that schedule() call.  O(1).
 */
void nvm_model_durability(struct nvm_model *m, const struct model_req *req,
			  struct model_durability *d);

#endif /* _NVMEV_FTL_NVM_H */
