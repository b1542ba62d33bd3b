// SPDX-License-Identifier: GPL-2.0-only
/*
 * conv.c - timing model of a conventional NAND SSD.  Semantics: see conv.h.
 *
 * Code map: parameters and geometry, bit-packed tables, placement and the
 * open program unit (PU), garbage collection, the request paths, the ops
 * table.  Timelines, page reads, programs, erases, the host link and the
 * write-buffer accounting are the shared NAND machinery of nand.c.  Every
 * time is computed with saturating arithmetic.
 */
#include "conv.h"

enum {
	CONV_GRP_FREE = 0,	/* erased, on its LUN's free list */
	CONV_GRP_OPEN,		/* its LUN's open group: PUs left to allocate */
	CONV_GRP_FULL,		/* every PU allocated: a GC candidate */
	CONV_GRP_RETIRED,	/* worn out or bad: never used again */
};

/* FDP only: the group holds a stream's open PU (never a GC victim). */
#define CONV_GRP_PU	0x80
#define CONV_GRP_MASK	0x7f

#define CONV_NONE	U32_MAX

/* SLC cache (conv.h "SLC cache"): the section of that name below. */
static const char *conv_slc_check(const struct conv_params *p);
static void conv_open_host_pu(struct conv_model *m, u32 l, u64 t);
static void conv_slc_leave(struct conv_model *m, u32 g);
static u64 conv_slc_program(struct conv_model *m, u32 lun, u64 t, u32 nhost);
static u64 conv_page_read(struct conv_model *m, u32 lun, u32 ppa, u32 k,
			  u64 t);
static void conv_slc_fold(struct conv_model *m, u64 now);

/* Smallest b with 2^b >= n (n >= 1). */
static u32 conv_log2_ceil(u64 n)
{
	u32 b = 0;

	while (b < 64 && (1ULL << b) < n)
		b++;
	return b;
}

/* ---- parameters and geometry ---------------------------------------- */

/*
 * Presets (conv.h).  Figures marked (est.) are estimates; the others come
 * from public announcements and specification sheets, as noted.
 *
 * Default, a generic 64-layer-class TLC drive:
 *   - tPROG 700 us, tR 50..78 us: Samsung's 5th-generation (9x-layer)
 *     V-NAND announcement (2018) gives a 500 us program time, "30% faster
 *     than the 64-layer generation" (so ~700 us for 64 layers), and 50 us
 *     reads; the LSB < CSB < MSB spread is est.
 *   - 800 MB/s channels: the same announcement gives 1.4 Gbps Toggle DDR
 *     4.0 against 800 Mbps for the 64-layer generation (8-bit bus).
 *   - 3500 MB/s link: PCIe 3.0 x4 as rated on drives of that generation.
 *   - tBERS 3.5 ms, firmware times, 4 MiB buffer: est.
 *
 * CONV_PARAMS_MLC_970PRO, Samsung 970 PRO 512 GB (calibrated against
 * its rated figures: tools/calib/drives/mlc-970pro.conf):
 *   - Phoenix controller (8 channels, 5 ARM cores), PCIe 3.0 x4, NVMe
 *     1.3; 64-layer 2-bit MLC V-NAND with 256 Gb dies, so 512 GB = 16
 *     dies = 8 x 2 (Samsung launch material, 2018; reviews, e.g.
 *     guru3d.com, nexthardware.com).
 *   - Rated 3500 MB/s read, 2300 MB/s write; 370K / 500K IOPS 4 KiB
 *     random read / write at QD32 x 4 threads; 15K / 55K at QD1 x 1
 *     thread (the QD1 figures as issue #20 quotes the data sheet).
 *   - tPROG 380 us: est., so that 16 dies x 64 KiB PUs give the rated
 *     2300 MB/s; 2 planes and 16 KiB pages: est.
 *   - tR 37/47 us (LSB/MSB, 42 us on average): from the two QD1 figures,
 *     in which the host's own time per I/O cancels out: 1/15K - 1/55K =
 *     48.5 us = (fw_read_ns + tR + t_c + t_l) - (fw_write_ns + t_l), so
 *     tR = 48.5 - 1 - 5.1 = 42.4 us on average (a QD1 write is acked from
 *     the buffer).  The LSB/MSB spread (10 us) and read_page_ns: est.
 *   - plane_reads = 1: with a die as one read resource, 16 dies at 42 us
 *     give ~280K IOPS at QD32 x 4 (the queues of a closed loop are never
 *     evenly spread), well below the rated 370K; the two planes of each
 *     die reading at once (independent plane reads) supply it.
 *   - fw_cores = 2: est. from the command-rate ceiling the figures show:
 *     500K random writes (2.05 GB/s) stay below the 2300 MB/s the NAND
 *     takes sequentially, and the 1 TB model reads 500K IOPS at random
 *     with twice the dies; 2 cores x fw_write_ns 4 us = 500K commands/s.
 *     The Phoenix has 5 cores; how many run per-command work is not
 *     published.
 *   - op 7%: 512 GB of user space on 512 GiB of NAND.
 *
 * CONV_PARAMS_TLC_DC, Intel D7-P5600-class datacenter TLC:
 *   - PCIe 4.0 x4, 96-layer TLC, rated 7000 MB/s read, 4300 MB/s write,
 *     1M / 260K IOPS 4 KiB random read / write, 3 DWPD, capacities 1.6,
 *     3.2 and 6.4 TB (Intel D7-P5500/P5600 launch material, 2020): ~37%
 *     OP on 2, 4, 8 TiB of NAND.
 *   - 12 channels: est. (Intel did not disclose it; the previous
 *     generation, DC P4510, used Intel's 12-channel controller).
 *   - tPROG 1000 us: est., so that 48 LUNs x 96 KiB PUs give the rated
 *     4300 MB/s; tR 45..60 us: est. (~900K IOPS over 48 LUNs).
 *   - firmware times: est. from the P4500/P4510 sheets (random read 85 us,
 *     random write 20 us, sequential write 13 us).
 *
 * CONV_PARAMS_TLC_970EVOPLUS, Samsung 970 EVO Plus 1 TB (calibrated against
 * its rated figures by the 970 PRO's method: tools/calib/drives/
 * tlc-970evoplus.conf, host_ns 11.9 us):
 *   - Samsung Phoenix controller (8 channels), 9x-layer TLC V-NAND, PCIe
 *     3.0 x4, 1 GB LPDDR4; rated 3500 MB/s sequential read, 3300 MB/s
 *     write into the TurboWrite (SLC) buffer and 1700 MB/s after it, 600k /
 *     550k IOPS 4 KiB random read / write at QD32, 19k / 60k at QD1; the
 *     buffer is 6 GB fixed plus 36 GB "intelligent" (42 GB, 4.2% of 1 TB:
 *     slc_cache_pm 42) (Samsung's specification table as quoted by
 *     Digit's review, digit.in, 2019).
 *   - 8 channels x 4 dies, 2 planes, 16 KiB pages, 3-page one-shot: est.
 *     (32 dies of 256 Gb for 1 TB).
 *   - prog_ns 1700 us: est., so that 32 dies write ~1700 MB/s after the
 *     cache (fitted to that row); slc_prog_ns 850 us: est., so that the
 *     cache takes ~3300 MB/s (fitted to that row).
 *   - fw_cores = 2, as for the 970 PRO (the same Phoenix controller);
 *     fw_write_ns 3.6 us from the QD32 random write figure, taken as the
 *     controller's command-rate ceiling (2 cores / 550K = 3.64 us;
 *     nvmev-sim without the ceiling, fw_cores 0: 713K, the SLC cache and
 *     the link); fw_read_ns 3.3 us from the QD32 random read figure the
 *     same way (2 cores / 600K = 3.33 us; with fw_cores 0: 758K).  Both
 *     are below the 970 PRO's 4 / 5 us: 600K reads/s cannot pass two
 *     cores at 5 us, and the firmware was reworked for this drive's NAND
 *     (Digit).
 *   - host_ns 11.9 us (tools/calib): from the QD1 write, acked from the
 *     buffer: 1/60K = 16.7 us = host + fw_write_ns (3.6) + t_l (1.2).
 *   - tR 31 us for every page type (read_page_ns 36 us: est., +5 us as
 *     before; Samsung publishes no per-type figure): from the two QD1
 *     figures, in which the host's time cancels: 1/19K - 1/60K = 35.97
 *     us = fw_read_ns + tR + t_c + t_l - fw_write_ns - t_l, so tR =
 *     35.97 - 3.3 - 5.12 + 3.6 = 31.1 us.  After the row's fill, 96% of
 *     the data is in native TLC blocks, so the QD1 read measures native
 *     tR (with slc_read_ns = 31 us the row moves by 0.1%).  31 us is below the
 *     ~50 us Samsung announced for its 9x-layer V-NAND: the figures leave
 *     no more time per read unless host_ns is smaller.
 *   - plane_reads = 1: est., as for the 970 PRO (Samsung V-NAND); it adds
 *     ~9% to the QD32 random read (548K -> 596K in nvmev-sim), which the
 *     fw_read_ns ceiling of 606K bounds.
 *   - slc_read_ns 30 us: est. (not calibrated: no row reads the cache).
 *   - Fitted rows: seqwrite, seqwrite-post, rr-qd32, rw-qd32, rw-qd1 (via
 *     host_ns), rr-qd1 (via tR); seqread is a prediction (link bound).
 *
 * CONV_PARAMS_QLC, Intel 660p 2 TB (tools/calib/drives/qlc.conf):
 *   - Silicon Motion SM2263 (4 channels), Intel 64-layer 1 Tb QLC dies (16
 *     for 2 TB), PCIe 3.0 x4, 256 MB DRAM; rated 1800 MB/s sequential read
 *     and write, the latter into its SLC cache only (reviews measure ~100
 *     MB/s once the cache is full).  OP 10%: 2 TB on 2 TiB of NAND.
 *   - SLC cache: 24 GB static, up to 280 GB with the dynamic part on an
 *     empty 2 TB drive (Intel's figures as quoted by evantechbook.com,
 *     2018): slc_cache_pm 140 (280 GB of 2 TB, the empty drive's cache).
 *     slc_prog_ns 1.9 ms: est., so that 16 dies take ~1800 MB/s into the
 *     cache; slc_read_ns 60 us: est.
 *   - tPROG 3 ms, tR 80..160 us by page type, tBERS 10 ms, 667 MB/s
 *     channels, 4 planes: est., typical published figures for QLC of that
 *     generation.
 *   - Not calibrated (host_ns 0, no plane reads, no firmware cores): the
 *     random figures (220K read and write) are published without a queue
 *     depth or thread count and no QD1 figure was found, so host_ns, tR
 *     and a command-rate ceiling cannot be derived as for the Samsung
 *     drives; qlc.conf's open rows say what each would need.
 *
 * pe_cycles, the rated program/erase cycles of a block (no maker publishes
 * them per product; the drive endurance ratings bound them):
 *   - default (3D TLC, 64-layer class) 3000: est., the figure commonly
 *     quoted for consumer 3D TLC.
 *   - 970 PRO (64-layer MLC V-NAND) 6000: est.; its rating of 600 TBW on
 *     512 GB (five years) is ~1170 drive writes, which at a random-write
 *     WAF of 3 to 5 is 3500 to 6000 cycles.
 *   - D7-P5600 (96-layer TLC) 7000: est.; 3 drive writes per day for five
 *     years on 1.6 TB over ~2.2 TB of NAND is ~4000 cycles of host data,
 *     ~7000 at the WAF of ~1.8 greedy GC gets from 37% OP on random
 *     writes.
 *   - 660p (64-layer IMFT QLC) 1000: AnandTech's launch article on the
 *     first drive with that NAND (Micron 5210 ION, 2018) puts QLC
 *     endurance "on the order of 1000 program/erase cycles"; the 660p's
 *     400 TBW on 2 TB (200 drive writes) fits well within it.
 * read_error_ppm is 0 in every preset: read errors are fault injection.
 *
 * pages_per_block: real 3D NAND blocks hold 576 to 2304 or more pages.  The
 * presets use 96 so that small emulated drives still have many groups per
 * LUN: spare space is spread over groups, and with only a few groups per
 * LUN the open groups (one per LUN) eat most of it and write amplification
 * soars (1 GiB default drive, random 4 KiB writes: WAF ~5.9 with 96 pages
 * per block, ~8.2 with 192).  The price is more erases per byte written:
 * erase_ns / (pages_per_block / oneshot_pages * prog_ns) is 16% for the
 * default drive instead of ~1-2% on the real part.  Set pages_per_block
 * (and erase_ns) to the real values for big emulated drives.
 */
void conv_params_default(struct conv_params *p)
{
	static const struct conv_params def = CONV_PARAMS_DEFAULT_INIT;

	*p = def;
	p->capacity = CONV_DEFAULT_CAPACITY;
}

/* Derived geometry that does not depend on the capacity. */
struct conv_geo {
	u32 nr_luns;
	u32 spp;
	u32 pu_slots;
	u32 grp_slots;
	u64 line_slots;		/* one group on every LUN */
};

static void conv_geo(const struct conv_params *p, struct conv_geo *g)
{
	struct nand_geo ng;

	nand_geo(p, &ng);
	g->nr_luns = ng.nr_luns;
	g->spp = ng.spp;
	g->pu_slots = ng.pu_slots;
	g->grp_slots = ng.grp_slots;
	g->line_slots = (u64)g->nr_luns * g->grp_slots;
}

/* All checks but the capacity. */
static const char *conv_check_geometry(const struct conv_params *p)
{
	struct conv_geo g;
	const char *why;

	if (p->op_percent < CONV_MIN_OP_PERCENT ||
	    p->op_percent > CONV_MAX_OP_PERCENT)
		return "op_percent must be 1..100";
	why = nand_check_geometry(p);
	if (why)
		return why;
	if (p->gc_policy != CONV_GC_GREEDY &&
	    p->gc_policy != CONV_GC_COST_BENEFIT)
		return "gc_policy must be 0 (greedy) or 1 (cost-benefit)";
	if (p->gc_threshold_pct > CONV_MAX_GC_THRESHOLD_PCT)
		return "gc_threshold_pct must be 0..50";
	if (p->bg_gc_threshold_pct > CONV_MAX_GC_THRESHOLD_PCT)
		return "bg_gc_threshold_pct must be 0..50";
	if (p->pe_cycles > CONV_MAX_PE_CYCLES)
		return "pe_cycles must be 0..1000000";
	if (p->read_error_ppm > CONV_MAX_READ_ERROR_PPM)
		return "read_error_ppm must be 0..1000000";
	if (p->fw_cores > CONV_MAX_FW_CORES)
		return "fw_cores must be 0 (firmware time overlaps freely) or 1..64";
	why = conv_slc_check(p);
	if (why)
		return why;
	conv_geo(p, &g);
	if (g.line_slots > (U32_MAX >> 1))
		return "one block on every plane (channels * luns * planes * pages_per_block * page_size) must be below 8 TiB";
	why = nand_check_buffer(p);
	if (why || !p->fdp_rgs)
		return why;
	if (p->fdp_rgs > CONV_FDP_MAX_RGS || g.nr_luns % p->fdp_rgs)
		return "fdp_rgs must be 0 (FDP off) or 1..64 dividing nr_channels * luns_per_channel";
	if (p->fdp_ruhs < 1 || p->fdp_ruhs > CONV_FDP_MAX_RUHS)
		return "fdp_ruhs must be 1..16";
	if (p->fdp_persistent > 1)
		return "fdp_persistent must be 0 (initially isolated) or 1 (persistently isolated)";
	if (p->buffer_kib && (u64)p->buffer_kib / 4 <
	    (u64)p->fdp_ruhs * p->fdp_rgs * g.pu_slots)
		return "buffer_kib must be 0 or hold one program unit per FDP write stream (fdp_ruhs * fdp_rgs program units)";
	return NULL;
}

/*
 * K of conv.h "GC never runs dry": the spare space must exceed K groups.
 * FDP off: 1.  FDP: R + (streams - R) * n.
 */
static u64 conv_spare_groups(const struct conv_params *p, u32 nr_luns)
{
	u64 r = p->fdp_rgs, h = p->fdp_ruhs, streams;

	if (!r)
		return 1;
	streams = h * r + (p->fdp_persistent ? h * r : r);
	return r + (streams - r) * (nr_luns / p->fdp_rgs);
}

/* Blocks per plane for @ls logical slots (conv.h "Capacity"). */
static u64 conv_blocks(const struct conv_params *p, const struct conv_geo *g,
		       u64 ls)
{
	u64 raw = div_u64(ls * (100 + p->op_percent) + 99, 100);

	return div_u64(raw + g->line_slots - 1, (u32)g->line_slots);
}

/*
 * Spare S = B * line - Ls > G holds for every Ls with Ls * op / 100 > G
 * (S >= raw - Ls >= Ls * op / 100).  Below that bound, Ls values that need
 * b blocks per plane form the range (top(b - 1), top(b)], top(b) =
 * floor(b * line * 100 / (100 + op)), and within it S falls as Ls grows:
 * the range's worst case is its top.  The minimum is one slot past the
 * largest failing Ls.  (b runs to about (100 + op) / (op * N) + 1.)
 */
u64 conv_min_capacity(const struct conv_params *p)
{
	struct conv_geo g;
	u64 bound, prev_top = 0, worst = 0, b, kg;

	if (conv_check_geometry(p))
		return 0;
	conv_geo(p, &g);
	kg = conv_spare_groups(p, g.nr_luns) * g.grp_slots;
	bound = div_u64(100ULL * kg, p->op_percent) + 1;
	for (b = 1; prev_top + 1 < bound; b++) {
		u64 top = div_u64(b * g.line_slots * 100, 100 + p->op_percent);
		u64 hi = top < bound - 1 ? top : bound - 1;

		if (hi > prev_top && hi + kg >= b * g.line_slots)
			worst = hi;
		prev_top = top;
	}
	return (worst + 1) * CONV_SLOT_SIZE;
}

const char *conv_check_params(const struct conv_params *p)
{
	const char *why = conv_check_geometry(p);
	struct conv_geo g;
	u64 ls;

	if (why)
		return why;
	if (p->capacity & (CONV_SLOT_SIZE - 1))
		return "capacity must be a multiple of 4096";
	if (p->capacity < conv_min_capacity(p))
		return p->fdp_rgs ?
			"capacity is below conv_min_capacity(): with FDP the spare space (op_percent of the capacity) must exceed fdp_rgs + (streams - fdp_rgs) * LUNs per RG groups; raise capacity or op_percent, or lower fdp_ruhs" :
			"capacity is below conv_min_capacity() for this geometry and op_percent";
	if (p->capacity > CONV_MAX_CAPACITY)
		return "capacity must be at most 4 TiB";
	conv_geo(p, &g);
	ls = p->capacity >> 12;
	if (conv_blocks(p, &g, ls) * g.line_slots >= U32_MAX)
		return "capacity * (100 + op_percent) / 100 needs 2^32 or more 4 KiB slots of NAND";
	return NULL;
}

/* ---- bit-packed tables ---------------------------------------------- */

/* One spare word: an entry may straddle into the word after its first. */
static u64 conv_packed_bytes(u64 n, u32 bits)
{
	return (((n * bits + 63) >> 6) + 1) * sizeof(u64);
}

static u32 conv_get(const u64 *a, u64 idx, u32 bits)
{
	u64 bit = idx * bits;
	u32 off = (u32)(bit & 63);
	const u64 *w = a + (size_t)(bit >> 6);
	u64 v = w[0] >> off;

	if (off + bits > 64)
		v |= w[1] << (64 - off);
	return (u32)(v & ((1ULL << bits) - 1));
}

static void conv_set(u64 *a, u64 idx, u32 bits, u32 val)
{
	u64 bit = idx * bits;
	u32 off = (u32)(bit & 63);
	u64 *w = a + (size_t)(bit >> 6);
	u64 mask = (1ULL << bits) - 1;

	w[0] = (w[0] & ~(mask << off)) | ((u64)val << off);
	if (off + bits > 64) {
		u32 sh = 64 - off;

		w[1] = (w[1] & ~(mask >> sh)) | ((u64)val >> sh);
	}
}

/* L2P entry: ppa + 1, 0 = unmapped. */
static inline u32 conv_l2p(const struct conv_model *m, u32 lba)
{
	return conv_get(m->l2p, lba, m->l2p_bits);
}

/*
 * The LBA whose data is valid at @ppa, or CONV_NONE.  rev holds the LBA's
 * low rev_bits; the 2^rev_drop LBAs sharing them are the candidates, and
 * at most one of them maps to @ppa.
 */
static u32 conv_rev_lookup(const struct conv_model *m, u32 ppa)
{
	u32 low = conv_get(m->rev, ppa, m->rev_bits);
	u32 n = 1U << m->rev_drop, h;

	for (h = 0; h < n; h++) {
		u64 lba = ((u64)h << m->rev_bits) | low;

		if (lba >= m->lba_slots)
			break;
		if (conv_l2p(m, (u32)lba) == ppa + 1)
			return (u32)lba;
	}
	return CONV_NONE;
}

/* ---- allocation ------------------------------------------------------ */

static void *conv_alloc(struct conv_model *m, u64 bytes)
{
	void *p;

	if ((size_t)bytes != bytes)
		return NULL;
	p = kvzalloc((size_t)bytes, GFP_KERNEL);
	if (p)
		m->meta_bytes += (size_t)bytes;
	return p;
}

void conv_model_exit(struct conv_model *m)
{
	kvfree(m->l2p);
	kvfree(m->rev);
	kvfree(m->valid);
	kvfree(m->next_free);
	kvfree(m->closed_at);
	kvfree(m->state);
	kvfree(m->erase_cnt);
	kvfree(m->bad);
	kvfree(m->open_grp);
	kvfree(m->open_next);
	kvfree(m->free_head);
	kvfree(m->free_tail);
	kvfree(m->nr_free_lun);
	kvfree(m->slc);
	m->slc = NULL;
	if (m->fdp) {
		kvfree(m->fdp->st);
		kvfree(m->fdp->open_grp);
		kvfree(m->fdp->open_next);
		kvfree(m->fdp->grp_stream);
		kvfree(m->fdp->nr_free_rg);
		kvfree(m->fdp->valid_rg);
		kvfree(m->fdp);
		m->fdp = NULL;
	}
	nand_exit(&m->nand);
	m->l2p = m->rev = NULL;
	m->valid = m->next_free = NULL;
	m->closed_at = NULL;
	m->state = m->bad = NULL;
	m->erase_cnt = NULL;
	m->open_grp = m->open_next = NULL;
	m->free_head = m->free_tail = m->nr_free_lun = NULL;
	m->meta_bytes = 0;
}

/* FDP: streams and their per-LUN open groups */
static u64 conv_fdp_streams(const struct conv_params *p)
{
	u64 hr = (u64)p->fdp_ruhs * p->fdp_rgs;

	return hr + (p->fdp_persistent ? hr : p->fdp_rgs);
}

/* Bytes of the FDP state (0 with FDP off). */
static u64 conv_fdp_bytes(const struct conv_params *p, u32 nr_luns, u64 t)
{
	u64 ns = conv_fdp_streams(p);

	if (!p->fdp_rgs)
		return 0;
	return sizeof(struct conv_fdp) +
	       ns * sizeof(struct conv_fdp_stream) +
	       ns * (nr_luns / p->fdp_rgs) * 2 * sizeof(u32) +
	       t * sizeof(u16) + p->fdp_rgs * sizeof(u32);
}

/* Allocate and set up the FDP state (conv.h "Flexible Data Placement"). */
static int conv_fdp_init(struct conv_model *m)
{
	const struct conv_params *p = &m->p;
	struct conv_fdp *f;
	u32 i, ns, n;

	f = conv_alloc(m, sizeof(*f));
	if (!f)
		return -ENOMEM;
	m->fdp = f;
	f->rgs = p->fdp_rgs;
	f->ruhs = p->fdp_ruhs;
	f->luns = m->nr_luns / p->fdp_rgs;
	ns = (u32)conv_fdp_streams(p);
	n = f->luns;
	f->nr_streams = ns;
	f->ru_slots = (u64)n * m->grp_slots;
	f->st = conv_alloc(m, (u64)ns * sizeof(*f->st));
	f->open_grp = conv_alloc(m, (u64)ns * n * sizeof(u32));
	f->open_next = conv_alloc(m, (u64)ns * n * sizeof(u32));
	f->grp_stream = conv_alloc(m, (u64)m->nr_groups * sizeof(u16));
	f->nr_free_rg = conv_alloc(m, (u64)f->rgs * sizeof(u32));
	f->valid_rg = conv_alloc(m, (u64)f->rgs * sizeof(u32));
	if (!f->st || !f->open_grp || !f->open_next || !f->grp_stream ||
	    !f->nr_free_rg || !f->valid_rg)
		return -ENOMEM;
	f->share = (u32)div_u64((u64)m->lba_slots + f->rgs - 1, f->rgs);
	for (i = 0; i < ns * n; i++)
		f->open_grp[i] = CONV_NONE;
	for (i = 0; i < ns; i++) {
		struct conv_fdp_stream *st = &f->st[i];
		u32 hr = f->ruhs * f->rgs;

		st->pu_grp = CONV_NONE;
		if (i < hr) {
			st->ruh = (u16)(i % f->ruhs);
			st->rg = (u16)(i / f->ruhs);
		} else if (p->fdp_persistent) {
			st->ruh = (u16)((i - hr) % f->ruhs);
			st->rg = (u16)((i - hr) / f->ruhs);
			st->gc = true;
		} else {
			st->ruh = CONV_FDP_RUH_MIXED;
			st->rg = (u16)(i - hr);
			st->gc = true;
		}
	}
	for (i = 0; i < f->rgs; i++)
		f->nr_free_rg[i] = n * m->blocks_per_plane;
	f->next_num = 1;
	return 0;
}

/* Bytes of everything but the two big tables. */
static u64 conv_small_bytes(const struct conv_model *m)
{
	u64 t = m->nr_groups, n = m->nr_luns;

	return sizeof(*m) + t * (4 * sizeof(u32) + sizeof(u64) + 2) +
	       n * 5 * sizeof(u32) + nand_alloc_bytes(&m->p) +
	       conv_fdp_bytes(&m->p, m->nr_luns, t) +
	       (m->p.slc_cache_pm ? t : 0);
}

/*
 * Choose rev_drop: the fewest LBA bits left out of the reverse map that
 * keep the metadata within 1.5 MiB per GiB of capacity (capacity * 3 /
 * 2048 bytes), at most CONV_REV_MAX_DROP.
 */
static void conv_pick_rev_bits(struct conv_model *m)
{
	u64 budget = (m->p.capacity >> 11) * 3;
	u64 fixed = conv_small_bytes(m) +
		    conv_packed_bytes(m->lba_slots, m->l2p_bits);
	u32 full = conv_log2_ceil(m->lba_slots), x, x_max;

	x_max = full > 1 ? full - 1 : 0;
	if (x_max > CONV_REV_MAX_DROP)
		x_max = CONV_REV_MAX_DROP;
	for (x = 0; x < x_max; x++)
		if (fixed + conv_packed_bytes(m->phys_slots, full - x) <=
		    budget)
			break;
	m->rev_drop = x;
	m->rev_bits = full ? full - x : 1;
}

int conv_model_init(struct conv_model *m, const struct conv_params *p)
{
	struct conv_params def;
	struct conv_geo g;
	u32 l, b;

	memset(m, 0, sizeof(*m));
	if (!p) {
		conv_params_default(&def);
		p = &def;
	}
	if (conv_check_params(p))
		return -EINVAL;
	m->p = *p;
	conv_geo(p, &g);
	m->nr_luns = g.nr_luns;
	m->spp = g.spp;
	m->pu_slots = g.pu_slots;
	m->grp_slots = g.grp_slots;
	m->pus_per_group = p->pages_per_block / p->oneshot_pages;
	m->lba_slots = (u32)(p->capacity >> 12);
	m->blocks_per_plane = (u32)conv_blocks(p, &g, m->lba_slots);
	m->nr_groups = m->nr_luns * m->blocks_per_plane;
	m->phys_slots = m->nr_groups * m->grp_slots;
	m->gc_low = (u32)div_u64((u64)m->blocks_per_plane *
				 p->gc_threshold_pct + 99, 100);
	if (m->gc_low < 1)
		m->gc_low = 1;
	m->bg_low = (u32)div_u64((u64)m->nr_groups *
				 p->bg_gc_threshold_pct + 99, 100);
	m->t_ch = nand_slot_ns(p->channel_mbps);
	m->t_link = nand_slot_ns(p->link_mbps);
	m->buf_slots = p->buffer_kib / 4;
	m->l2p_bits = conv_log2_ceil((u64)m->phys_slots + 1);
	conv_pick_rev_bits(m);

	m->meta_bytes = sizeof(*m);
	m->l2p = conv_alloc(m, conv_packed_bytes(m->lba_slots, m->l2p_bits));
	m->rev = conv_alloc(m, conv_packed_bytes(m->phys_slots, m->rev_bits));
	m->valid = conv_alloc(m, (u64)m->nr_groups * sizeof(u32));
	m->next_free = conv_alloc(m, (u64)m->nr_groups * sizeof(u32));
	m->closed_at = conv_alloc(m, (u64)m->nr_groups * sizeof(u64));
	m->state = conv_alloc(m, m->nr_groups);
	m->erase_cnt = conv_alloc(m, (u64)m->nr_groups * sizeof(u32));
	m->bad = conv_alloc(m, m->nr_groups);
	m->open_grp = conv_alloc(m, (u64)m->nr_luns * sizeof(u32));
	m->open_next = conv_alloc(m, (u64)m->nr_luns * sizeof(u32));
	m->free_head = conv_alloc(m, (u64)m->nr_luns * sizeof(u32));
	m->free_tail = conv_alloc(m, (u64)m->nr_luns * sizeof(u32));
	m->nr_free_lun = conv_alloc(m, (u64)m->nr_luns * sizeof(u32));
	if (nand_init(&m->nand, p) == 0)
		m->meta_bytes += m->nand.bytes;
	if (p->slc_cache_pm) {
		m->slc = conv_alloc(m, m->nr_groups);
		if (!m->slc) {
			conv_model_exit(m);
			return -ENOMEM;
		}
		m->slc_cap = (u32)div_u64((u64)m->lba_slots *
					  p->slc_cache_pm, 1000) /
			     m->grp_slots;
	}
	if (p->fdp_rgs && conv_fdp_init(m)) {
		conv_model_exit(m);
		return -ENOMEM;
	}
	if (!m->l2p || !m->rev || !m->valid || !m->next_free ||
	    !m->closed_at || !m->state || !m->erase_cnt || !m->bad ||
	    !m->open_grp || !m->open_next ||
	    !m->free_head || !m->free_tail || !m->nr_free_lun ||
	    !m->nand.tl) {
		conv_model_exit(m);
		return -ENOMEM;
	}

	/* Every group free, each LUN's list in block order (O(groups)). */
	for (l = 0; l < m->nr_luns; l++) {
		u32 first = l * m->blocks_per_plane;

		for (b = 0; b + 1 < m->blocks_per_plane; b++)
			m->next_free[first + b] = first + b + 1;
		m->next_free[first + b] = CONV_NONE;
		m->free_head[l] = first;
		m->free_tail[l] = first + b;
		m->nr_free_lun[l] = m->blocks_per_plane;
		m->open_grp[l] = CONV_NONE;
	}
	m->nr_free = m->nr_groups;
	m->pu_grp = CONV_NONE;
	m->pu_num = m->fdp ? 0 : 1;	/* FDP: stream 0's (none open) */
	/*
	 * Init required S > G, so T >= floor(Ls / G) + 2: the extra groups
	 * E = T - floor(Ls / G) - 1 >= 1; half of them, rounded up, are the
	 * spare (conv.h "Wear").
	 */
	m->spare0 = (u32)div_u64(m->nr_groups - m->lba_slots / m->grp_slots -
				 conv_spare_groups(p, m->nr_luns) + 1, 2);
	m->rng = p->seed;
	return 0;
}

void conv_model_reset(struct conv_model *m)
{
	if (!m->nand.tl_len)
		return;
	/* programmed data leaves the buffer; the open PU's host slots stay */
	nand_reset(&m->nand);
	m->idle = 0;
	m->pu_time = 0;
	m->wait_at = 0;	/* the open PU keeps its number (pu_num) */
	memset(m->fw_core_free, 0, sizeof(m->fw_core_free));
	if (m->fdp) {
		u32 i;

		for (i = 0; i < m->fdp->nr_streams; i++) {
			m->fdp->st[i].pu_time = 0;
			m->fdp->st[i].wait_at = 0;
		}
		m->fdp->acc_at = 0;
	}
}

size_t conv_metadata_bytes(const void *priv)
{
	const struct conv_model *m = priv;

	return m->meta_bytes;
}

/* ---- resources --------------------------------------------------------- */

static inline u32 conv_grp_lun(const struct conv_model *m, u32 grp)
{
	return grp / m->blocks_per_plane;
}

/* Page type (0 = LSB) of the flash page holding @ppa. */
static u32 conv_page_type(const struct conv_model *m, u32 ppa)
{
	u32 s = ppa % m->grp_slots;

	return nand_page_type(&m->nand, s / m->pu_slots, s % m->pu_slots);
}

/* Plane of the flash page holding @ppa (conv.h "Terms"). */
static u32 conv_page_plane(const struct conv_model *m, u32 ppa)
{
	return (ppa % m->pu_slots) / (m->p.oneshot_pages * m->spp);
}

/*
 * Time at or after @start when one more host slot fits in the buffer
 * (conv.h "MODEL_WRITE"); *@waited is set if that is after @start.  Room
 * is always found: the open PU holds fewer than pu_slots <= buf_slots
 * slots, so a full buffer always has a program in flight.
 */
static u64 conv_buffer_space(struct conv_model *m, u64 start, bool *waited)
{
	if (!nand_buf_space(&m->nand, &start,
			    m->fdp ? m->fdp->open_nhost : m->pu_nhost, waited))
		m->place_failures++;	/* cannot happen */
	return start;
}

/* ---- free lists and retirement --------------------------------------- */

/* Take the group at the head of LUN @l's free list (which has one). */
static u32 conv_free_pop(struct conv_model *m, u32 l)
{
	u32 g = m->free_head[l];

	m->free_head[l] = m->next_free[g];
	if (m->free_head[l] == CONV_NONE)
		m->free_tail[l] = CONV_NONE;
	m->nr_free_lun[l]--;
	m->nr_free--;
	if (m->fdp)
		m->fdp->nr_free_rg[l / m->fdp->luns]--;
	return g;
}

/* Append group @g to the tail of LUN @l's free list. */
static void conv_free_push(struct conv_model *m, u32 l, u32 g)
{
	m->state[g] = CONV_GRP_FREE;
	m->next_free[g] = CONV_NONE;
	if (m->free_tail[l] == CONV_NONE)
		m->free_head[l] = g;
	else
		m->next_free[m->free_tail[l]] = g;
	m->free_tail[l] = g;
	m->nr_free_lun[l]++;
	m->nr_free++;
	if (m->fdp)
		m->fdp->nr_free_rg[l / m->fdp->luns]++;
}

/* Retire group @g (on no list, holding no data): conv.h "Wear". */
static void conv_retire(struct conv_model *m, u32 g)
{
	m->state[g] = CONV_GRP_RETIRED;
	if (m->bad[g])
		m->nr_bad--;
	WRITE_ONCE(m->nr_retired, m->nr_retired + 1);
	if (m->nr_retired >= m->spare0)
		WRITE_ONCE(m->read_only, true);
}

static inline bool conv_worn(const struct conv_model *m, u32 g)
{
	return m->p.pe_cycles && m->erase_cnt[g] >= m->p.pe_cycles;
}

/*
 * GC erased group @g of LUN @l: count the erase, then retire the group if
 * it is worn out or bad and another group is free, else free it.
 */
static void conv_erased(struct conv_model *m, u32 l, u32 g)
{
	if (m->erase_cnt[g] < U32_MAX)
		m->erase_cnt[g]++;
	m->state[g] &= CONV_GRP_MASK;
	if (m->slc)
		conv_slc_leave(m, g);
	nand_count(&m->erase_total, 1);
	if (m->erase_cnt[g] > m->max_erase)
		WRITE_ONCE(m->max_erase, m->erase_cnt[g]);
	if (m->bad[g] || conv_worn(m, g)) {
		if (m->fdp ? m->fdp->nr_free_rg[l / m->fdp->luns] >= 1 :
		    m->nr_free >= 1) {
			conv_retire(m, g);
			return;
		}
		m->deferred++;
	}
	conv_free_push(m, l, g);
}

/* ---- placement and the open PU --------------------------------------- */

/*
 * Make the next PU of LUN @l the open PU: from its open group, else from a
 * newly opened free group (the caller checked one may be taken).  @t is
 * recorded when the group becomes full.
 */
static void conv_open_pu(struct conv_model *m, u32 l, u64 t)
{
	u32 g = m->open_grp[l];

	if (g == CONV_NONE) {
		g = conv_free_pop(m, l);
		m->state[g] = CONV_GRP_OPEN;
		m->open_grp[l] = g;
		m->open_next[l] = 0;
		if (m->slc && m->slc_host && m->nr_slc < m->slc_cap) {
			m->slc[g] = 1;	/* conv.h "SLC cache" */
			m->nr_slc++;
		}
	}
	m->pu_grp = g;
	m->pu_idx = m->open_next[l]++;
	m->pu_fill = 0;
	m->pu_nhost = 0;
	m->pu_time = 0;
	if (m->open_next[l] == m->pus_per_group) {
		m->state[g] = CONV_GRP_FULL;
		m->closed_at[g] = t;
		m->open_grp[l] = CONV_NONE;
		if (m->slc && m->slc[g])
			m->nr_slc_full++;
	}
	m->cursor = (l + 1 == m->nr_luns) ? 0 : l + 1;
}

static inline bool conv_may_open(const struct conv_model *m, u32 l, bool gc)
{
	return m->nr_free_lun[l] && m->nr_free >= (gc ? 1U : 2U);
}

/*
 * Open a PU for GC copies (conv.h "Placement"): the first LUN from the
 * cursor with room or a free group; the last free group may be used.
 */
static bool conv_place_gc(struct conv_model *m, u64 t)
{
	u32 l = m->cursor, i;

	for (i = 0; i < m->nr_luns; i++) {
		if (m->open_grp[l] != CONV_NONE || conv_may_open(m, l, true)) {
			conv_open_pu(m, l, t);
			return true;
		}
		l = (l + 1 == m->nr_luns) ? 0 : l + 1;
	}
	m->place_failures++;
	return false;
}

/* ---- FDP write streams (conv.h "Flexible Data Placement") ---------- */

static void conv_fdp_emit(struct conv_model *m, u32 type, u16 ruh, u16 rg,
			  u64 t, u64 slot, u64 nr)
{
	struct conv_fdp_event ev;

	if (!m->fdp->fn)
		return;
	ev.type = type;
	ev.ruh = ruh;
	ev.rg = rg;
	ev.t = t;
	ev.slot = slot;
	ev.nr = nr;
	m->fdp->fn(m->fdp->arg, &ev);
}

/*
 * Make stream @s the one whose open PU is held in the model's pu_* fields
 * (the code of the single stream then works on it unchanged).
 */
static void conv_fdp_use(struct conv_model *m, u32 s)
{
	struct conv_fdp *f = m->fdp;
	struct conv_fdp_stream *o = &f->st[f->cur], *n = &f->st[s];

	if (s == f->cur)
		return;
	o->pu_grp = m->pu_grp;
	o->pu_idx = m->pu_idx;
	o->pu_fill = m->pu_fill;
	o->pu_nhost = m->pu_nhost;
	o->pu_time = m->pu_time;
	o->pu_num = m->pu_num;
	o->wait_at = m->wait_at;
	m->pu_grp = n->pu_grp;
	m->pu_idx = n->pu_idx;
	m->pu_fill = n->pu_fill;
	m->pu_nhost = n->pu_nhost;
	m->pu_time = n->pu_time;
	m->pu_num = n->pu_num;
	m->wait_at = n->wait_at;
	f->cur = s;
}

/* The current stream's open PU, programmed at @pend, is gone. */
static void conv_fdp_programmed(struct conv_model *m, u64 pend)
{
	struct conv_fdp *f = m->fdp;
	struct conv_fdp_stream *st = &f->st[f->cur];

	m->state[m->pu_grp] &= CONV_GRP_MASK;
	f->open_nhost -= m->pu_nhost;
	if (!st->gc) {
		f->acc_at = nand_max(f->acc_at, nand_max(pend, m->wait_at));
		if (m->pu_num > f->hi_prog)
			f->hi_prog = m->pu_num;
		f->dirty = true;
		m->pu_num = 0;
	}
	if (st->ru_written >= f->ru_slots) {
		/* the RU is full: the next PU starts a new one */
		st->ru_written = 0;
		st->ru_taken = 0;
		if (!st->gc)
			conv_fdp_emit(m, CONV_FDP_EV_RU_FULL, st->ruh, st->rg,
				      m->pu_time, 0, 0);
	}
}

/* The current stream has room in its open group on its RG's LUN @li. */
static inline bool conv_fdp_room(const struct conv_model *m, u32 li)
{
	const struct conv_fdp *f = m->fdp;

	return f->open_grp[f->cur * f->luns + li] != CONV_NONE;
}

/* The current stream may open a group on its RG's LUN @li. */
static bool conv_fdp_may_open(const struct conv_model *m, u32 li, bool gc)
{
	const struct conv_fdp *f = m->fdp;
	const struct conv_fdp_stream *st = &f->st[f->cur];
	u32 l = st->rg * f->luns + li;

	return st->ru_taken < f->luns && m->nr_free_lun[l] &&
	       f->nr_free_rg[st->rg] >= (gc ? 1U : 2U);
}

/* conv_open_pu() for the current stream, on its RG's LUN @li. */
static void conv_fdp_open_pu(struct conv_model *m, u32 li, u64 t)
{
	struct conv_fdp *f = m->fdp;
	struct conv_fdp_stream *st = &f->st[f->cur];
	u32 idx = f->cur * f->luns + li, g = f->open_grp[idx];

	if (g == CONV_NONE) {
		g = conv_free_pop(m, st->rg * f->luns + li);
		m->state[g] = CONV_GRP_OPEN;
		f->open_grp[idx] = g;
		f->open_next[idx] = 0;
		f->grp_stream[g] = (u16)f->cur;
		st->ru_taken++;
	}
	m->pu_grp = g;
	m->pu_idx = f->open_next[idx]++;
	m->pu_fill = 0;
	m->pu_nhost = 0;
	m->pu_time = 0;
	m->wait_at = 0;
	m->pu_num = st->gc ? 0 : f->next_num++;
	if (f->open_next[idx] == m->pus_per_group) {
		m->state[g] = CONV_GRP_FULL;
		m->closed_at[g] = t;
		f->open_grp[idx] = CONV_NONE;
	}
	m->state[g] |= CONV_GRP_PU;
	st->cursor = li + 1 == f->luns ? 0 : li + 1;
}

/* conv_place_gc() for the current (GC) stream. */
static bool conv_fdp_place_gc(struct conv_model *m, u64 t)
{
	struct conv_fdp *f = m->fdp;
	u32 li = f->st[f->cur].cursor, i;

	for (i = 0; i < f->luns; i++) {
		if (conv_fdp_room(m, li) || conv_fdp_may_open(m, li, true)) {
			conv_fdp_open_pu(m, li, t);
			return true;
		}
		li = li + 1 == f->luns ? 0 : li + 1;
	}
	m->place_failures++;
	return false;
}

/* The GC stream that takes the copies out of group @g. */
static u32 conv_fdp_gc_dest(const struct conv_model *m, u32 g)
{
	const struct conv_fdp *f = m->fdp;
	const struct conv_fdp_stream *o = &f->st[f->grp_stream[g]];
	u32 hr = f->ruhs * f->rgs, rg = (g / m->blocks_per_plane) / f->luns;

	if (m->p.fdp_persistent)
		return hr + rg * f->ruhs + o->ruh;
	return hr + rg;
}

/* Program the open PU (full or padded) on its LUN; returns its end. */
static u64 conv_pu_program(struct conv_model *m)
{
	u32 lun = conv_grp_lun(m, m->pu_grp);
	u64 pend = m->slc && m->slc[m->pu_grp] ?
		   conv_slc_program(m, lun, m->pu_time, m->pu_nhost) :
		   nand_program(&m->nand, lun, m->pu_time, m->pu_nhost);

	if (m->pu_nhost && pend > m->cmd_pend)
		m->cmd_pend = pend;
	if (m->fdp) {
		conv_fdp_programmed(m, pend);
	} else {
		if (m->pu_num == m->dur_watch)
			m->dur.closed_at = nand_max(pend, m->wait_at);
		m->pu_num++;
	}
	m->wait_at = 0;
	m->pu_grp = CONV_NONE;
	m->pu_fill = 0;
	m->pu_nhost = 0;
	m->pu_time = 0;
	return pend;
}

/* Pad a non-empty open PU at time @t and program it. */
static void conv_pu_pad(struct conv_model *m, u64 t)
{
	if (m->pu_grp == CONV_NONE || !m->pu_fill)
		return;
	m->pu_time = nand_max(m->pu_time, t);
	if (m->fdp)
		m->fdp->st[m->fdp->cur].ru_written += m->pu_slots - m->pu_fill;
	m->pu_fill = m->pu_slots;
	conv_pu_program(m);
}

/* The reclaim group of group @g (FDP on). */
static inline u32 conv_fdp_grp_rg(const struct conv_model *m, u32 g)
{
	return g / (m->fdp->luns * m->blocks_per_plane);
}

static inline void conv_invalidate(struct conv_model *m, u32 ppa)
{
	m->valid[ppa / m->grp_slots]--;
	if (m->fdp)
		m->fdp->valid_rg[conv_fdp_grp_rg(m, ppa / m->grp_slots)]--;
}

/*
 * Append @lba, entering at @t, to the open PU (which must exist) and map it
 * there.  @host: host data, else a GC copy.
 */
static void conv_pu_add(struct conv_model *m, u32 lba, u64 t, bool host)
{
	u32 ppa = m->pu_grp * m->grp_slots + m->pu_idx * m->pu_slots +
		  m->pu_fill;
	u32 old = conv_l2p(m, lba);

	if (old)
		conv_invalidate(m, old - 1);
	conv_set(m->l2p, lba, m->l2p_bits, ppa + 1);
	conv_set(m->rev, ppa, m->rev_bits,
		 lba & (u32)((1ULL << m->rev_bits) - 1));
	m->valid[m->pu_grp]++;
	if (m->fdp)
		m->fdp->valid_rg[conv_fdp_grp_rg(m, m->pu_grp)]++;
	if (host)
		m->pu_nhost++;
	if (m->fdp) {
		m->fdp->st[m->fdp->cur].ru_written++;
		if (host)
			m->fdp->open_nhost++;
	}
	if (t > m->pu_time)
		m->pu_time = t;
	if (++m->pu_fill == m->pu_slots)
		conv_pu_program(m);
}

static inline bool conv_in_open_pu(const struct conv_model *m, u32 ppa)
{
	u32 base, grp = m->pu_grp, idx = m->pu_idx;

	if (m->fdp) {
		const struct conv_fdp *f = m->fdp;
		u32 g = ppa / m->grp_slots, s;

		if (!(m->state[g] & CONV_GRP_PU))
			return false;
		s = f->grp_stream[g];
		if (s != f->cur) {
			grp = f->st[s].pu_grp;
			idx = f->st[s].pu_idx;
		}
	}
	if (grp == CONV_NONE)
		return false;
	base = grp * m->grp_slots + idx * m->pu_slots;
	return ppa >= base && ppa - base < m->pu_slots;
}

/* ---- garbage collection ---------------------------------------------- */

/*
 * Best victim among groups [from, to) at time @t (conv.h "Garbage
 * collection"), or CONV_NONE.
 */
static u32 conv_pick_victim(const struct conv_model *m, u32 from, u32 to,
			    u64 t)
{
	const u32 G = m->grp_slots;
	u64 best_score = 0;
	u32 best = CONV_NONE, best_v = 0, g;

	for (g = from; g < to; g++) {
		u32 v = m->valid[g];
		u64 score = 0;

		if (m->state[g] != CONV_GRP_FULL || g == m->pu_grp || v >= G)
			continue;
		if (m->p.gc_policy == CONV_GC_COST_BENEFIT) {
			u64 age = t > m->closed_at[g] ? t - m->closed_at[g] : 0;

			age >>= 20;
			if (age > U32_MAX)
				age = U32_MAX;
			score = v ? div_u64((u64)(G - v) * age, 2 * v) : U64_MAX;
		}
		if (best == CONV_NONE || score > best_score ||
		    (score == best_score && v < best_v)) {
			best = g;
			best_score = score;
			best_v = v;
		}
	}
	return best;
}

/*
 * Upper bound W of a round's length on an idle device (conv.h, background
 * GC): every operation of the round back to back.
 */
static u64 conv_gc_work(const struct conv_model *m, u32 grp)
{
	u32 base = grp * m->grp_slots, s, i, k;
	u64 w = m->p.erase_ns, copies = 0, pus;

	if (m->fdp) {
		u32 d = conv_fdp_gc_dest(m, grp);

		if (d != m->fdp->cur) {
			if (m->fdp->st[d].pu_grp != CONV_NONE)
				copies = m->fdp->st[d].pu_fill;
		} else if (m->pu_grp != CONV_NONE) {
			copies = m->pu_fill;
		}
	} else if (m->pu_grp != CONV_NONE) {
		copies = m->pu_fill;
	}
	for (s = 0; s < m->grp_slots; s += m->spp) {
		for (k = 0, i = 0; i < m->spp; i++)
			if (conv_rev_lookup(m, base + s + i) != CONV_NONE)
				k++;
		if (!k)
			continue;
		if (m->slc && m->slc[grp])
			w = nand_add(w, m->p.slc_read_ns);
		else
			w = nand_add(w, k == 1 ?
				     m->p.read_4k_ns[conv_page_type(m, base + s)] :
				     m->p.read_page_ns[conv_page_type(m, base + s)]);
		w = nand_add(w, nand_mul(k, m->t_ch));
		copies += k;
	}
	pus = (u32)copies / m->pu_slots;
	return nand_add(w, nand_mul(pus, nand_add(nand_mul(m->pu_slots,
							     m->t_ch),
						  m->p.prog_ns)));
}

/*
 * One GC round on victim @grp at time @t: copy its valid slots into the
 * write stream, then erase it.
 */
static void conv_gc_round(struct conv_model *m, u32 grp, u64 t)
{
	u32 lun = conv_grp_lun(m, grp);
	u32 base = grp * m->grp_slots, s, i, k;
	u32 lbas[CONV_MAX_PAGE_SIZE / CONV_SLOT_SIZE];
	u64 cend, moved = 0, first = 0;

	for (s = 0; s < m->grp_slots && m->valid[grp]; s += m->spp) {
		for (k = 0, i = 0; i < m->spp; i++) {
			u32 lba = conv_rev_lookup(m, base + s + i);

			if (lba != CONV_NONE)
				lbas[k++] = lba;
		}
		if (!k)
			continue;
		cend = conv_page_read(m, lun, base + s, k, t);
		nand_count(&m->nand.st.gc_pages, k);
		if (!moved)
			first = lbas[0];
		moved += k;
		for (i = 0; i < k; i++) {
			if (m->pu_grp == CONV_NONE &&
			    !(m->fdp ? conv_fdp_place_gc(m, cend) :
			      conv_place_gc(m, cend)))
				return;	/* cannot happen: conv.h */
			conv_pu_add(m, lbas[i], cend, false);
		}
	}
	nand_erase(&m->nand, lun, t);
	nand_count(&m->nand.st.gc_blocks, m->p.planes_per_lun);
	conv_erased(m, lun, grp);
	if (m->fdp && moved)
		conv_fdp_emit(m, CONV_FDP_EV_GC_MOVED,
			      m->fdp->st[m->fdp->grp_stream[grp]].ruh,
			      (u16)(lun / m->fdp->luns), t, first, moved);
}

/*
 * A GC round on @grp at @t: with FDP its copies go to the GC stream of
 * its RG (and, persistently isolated, of its owner handle).
 */
static void conv_gc(struct conv_model *m, u32 grp, u64 t)
{
	u32 saved;

	if (!m->fdp) {
		conv_gc_round(m, grp, t);
		return;
	}
	saved = m->fdp->cur;
	conv_fdp_use(m, conv_fdp_gc_dest(m, grp));
	conv_gc_round(m, grp, t);
	conv_fdp_use(m, saved);
}

u32 conv_next_victim(const struct conv_model *m, u64 t)
{
	return conv_pick_victim(m, 0, m->nr_groups, t);
}

/* Victims of LUN @l only. */
static u32 conv_pick_victim_lun(const struct conv_model *m, u32 l, u64 t)
{
	return conv_pick_victim(m, l * m->blocks_per_plane,
				(l + 1) * m->blocks_per_plane, t);
}

/*
 * Open a PU for host data whose first slot entered at @t (conv.h
 * "Placement" and "Foreground GC").  Returns false if the model is (or
 * its GC just made it) read only, or if even GC over every LUN found no
 * space, which conv.h shows cannot happen.
 */
static bool conv_place_host(struct conv_model *m, u64 t)
{
	u32 l = m->cursor, i, g;

	if (m->read_only)
		return false;
	for (i = 0; i < m->nr_luns; i++) {
		if (m->open_grp[l] != CONV_NONE) {
			conv_open_host_pu(m, l, t);
			return true;
		}
		while (m->nr_free_lun[l] < m->gc_low || m->nr_free < 2) {
			g = conv_pick_victim_lun(m, l, t);
			if (g == CONV_NONE)
				break;
			conv_gc_round(m, g, t);
			nand_count(&m->nand.st.gc_foreground, 1);
			if (m->read_only)
				return false;
		}
		if (m->pu_grp != CONV_NONE)
			return true;	/* GC left a partly filled PU */
		if (m->open_grp[l] != CONV_NONE || conv_may_open(m, l, false)) {
			conv_open_host_pu(m, l, t);
			return true;
		}
		l = (l + 1 == m->nr_luns) ? 0 : l + 1;
	}
	/* No LUN could take it: GC anywhere until the host may open. */
	while (m->nr_free < 2) {
		g = conv_pick_victim(m, 0, m->nr_groups, t);
		if (g == CONV_NONE)
			break;
		conv_gc_round(m, g, t);
		nand_count(&m->nand.st.gc_foreground, 1);
		if (m->read_only)
			return false;
	}
	if (m->pu_grp != CONV_NONE)
		return true;
	for (i = 0; i < m->nr_luns; i++) {
		if (m->open_grp[l] != CONV_NONE || conv_may_open(m, l, false)) {
			conv_open_host_pu(m, l, t);
			return true;
		}
		l = (l + 1 == m->nr_luns) ? 0 : l + 1;
	}
	m->place_failures++;
	return false;
}

/*
 * A PU for host data of handle @ruh in RG @r, entering at @t: as
 * conv_place_host() within the RG (conv.h "Flexible Data Placement").
 * Returns 1 (the stream of (@ruh, @r) is current and has an open PU), 0
 * (RG @r cannot take it) or -1 (the model is read only).
 */
static int conv_fdp_place_rg(struct conv_model *m, u32 ruh, u32 r, u64 t)
{
	struct conv_fdp *f = m->fdp;
	struct conv_fdp_stream *st = &f->st[r * f->ruhs + ruh];
	u32 i, li, l, g;

	conv_fdp_use(m, r * f->ruhs + ruh);
	if (m->pu_grp != CONV_NONE)
		return 1;	/* spilled here before */
	li = st->cursor;
	for (i = 0; i < f->luns; i++) {
		l = r * f->luns + li;
		if (conv_fdp_room(m, li)) {
			conv_fdp_open_pu(m, li, t);
			return 1;
		}
		while (st->ru_taken < f->luns &&
		       (m->nr_free_lun[l] < m->gc_low ||
			f->nr_free_rg[r] < 2)) {
			g = conv_pick_victim_lun(m, l, t);
			if (g == CONV_NONE)
				break;
			conv_gc(m, g, t);
			nand_count(&m->nand.st.gc_foreground, 1);
			if (m->read_only)
				return -1;
		}
		if (conv_fdp_may_open(m, li, false)) {
			conv_fdp_open_pu(m, li, t);
			return 1;
		}
		li = li + 1 == f->luns ? 0 : li + 1;
	}
	/* GC anywhere in the RG until the host may open */
	while (f->nr_free_rg[r] < 2) {
		g = conv_pick_victim(m, r * f->luns * m->blocks_per_plane,
				     (r + 1) * f->luns * m->blocks_per_plane, t);
		if (g == CONV_NONE)
			break;
		conv_gc(m, g, t);
		nand_count(&m->nand.st.gc_foreground, 1);
		if (m->read_only)
			return -1;
	}
	for (i = 0; i < f->luns; i++) {
		if (conv_fdp_room(m, li) || conv_fdp_may_open(m, li, false)) {
			conv_fdp_open_pu(m, li, t);
			return 1;
		}
		li = li + 1 == f->luns ? 0 : li + 1;
	}
	return 0;
}

/*
 * conv_place_host() with FDP (conv.h "Flexible Data Placement"): a PU for
 * host data of handle @ruh in RG @rg, entering at @t.  First pass: from
 * @rg on, the RGs whose valid data leaves room for a PU within their
 * share; second pass: from @rg on, every RG.  Leaves the stream that got
 * it current.
 */
static bool conv_fdp_place_host(struct conv_model *m, u32 ruh, u32 rg, u64 t)
{
	struct conv_fdp *f = m->fdp;
	u32 pass, k, r;
	int got;

	if (m->read_only)
		return false;
	for (pass = 0; pass < 2; pass++) {
		for (k = 0, r = rg; k < f->rgs;
		     k++, r = r + 1 == f->rgs ? 0 : r + 1) {
			if (!pass && f->rgs > 1 &&
			    f->valid_rg[r] + m->pu_slots > f->share)
				continue;
			got = conv_fdp_place_rg(m, ruh, r, t);
			if (got)
				return got > 0;
		}
	}
	m->place_failures++;
	return false;
}

/* Background GC in the idle time [idle, now). */
static void conv_bg_gc(struct conv_model *m, u64 now)
{
	u64 t = m->nand.idle;

	if (now <= t)
		return;
	while (m->nr_free < m->bg_low && !m->read_only) {
		u32 g = conv_pick_victim(m, 0, m->nr_groups, t);

		if (g == CONV_NONE || nand_add(t, conv_gc_work(m, g)) > now)
			break;
		conv_gc(m, g, t);
		nand_count(&m->nand.st.gc_background, 1);
		t = m->nand.idle;
	}
}

/* ---- SLC cache (conv.h "SLC cache") ------------------------------------ */

static const char *conv_slc_check(const struct conv_params *p)
{
	if (p->slc_cache_pm > CONV_MAX_SLC_CACHE_PM)
		return "slc_cache_pm must be 0..1000";
	if (!p->slc_cache_pm)
		return NULL;
	if (p->fdp_rgs)
		return "slc_cache_pm must be 0 with FDP (fdp_rgs > 0)";
	if (!p->slc_prog_ns || p->slc_prog_ns > p->prog_ns)
		return "slc_prog_ns must be 1..prog_ns with an SLC cache";
	if (!p->slc_read_ns || p->slc_read_ns > CONV_MAX_SLC_READ_NS)
		return "slc_read_ns must be 1..10000000 with an SLC cache";
	return NULL;
}

/* Open a PU for host data: a group it opens may enter the SLC cache. */
static void conv_open_host_pu(struct conv_model *m, u32 l, u64 t)
{
	m->slc_host = true;
	conv_open_pu(m, l, t);
	m->slc_host = false;
}

/* Group @g (erased or folded) leaves the SLC cache, if it was in it. */
static void conv_slc_leave(struct conv_model *m, u32 g)
{
	if (!m->slc[g])
		return;
	m->slc[g] = 0;
	m->nr_slc--;
	if ((m->state[g] & CONV_GRP_MASK) == CONV_GRP_FULL)
		m->nr_slc_full--;
}

/*
 * A PU program in SLC mode: nand_program_ns() with slc_prog_ns.
 */
static u64 conv_slc_program(struct conv_model *m, u32 lun, u64 t, u32 nhost)
{
	return nand_program_ns(&m->nand, lun, t, nhost, m->p.slc_prog_ns);
}

/*
 * A page read of @k slots of the page holding @ppa on LUN @lun (on its
 * plane, nand_plane_read()) ready at
 * @t: tR is slc_read_ns if its group is in the SLC cache, else the page
 * type's.  Returns the end of its channel transfer.
 */
static u64 conv_page_read(struct conv_model *m, u32 lun, u32 ppa, u32 k,
			  u64 t)
{
	u32 plane = conv_page_plane(m, ppa);

	if (!m->slc || !m->slc[ppa / m->grp_slots])
		return nand_plane_read(&m->nand, lun, plane,
				       conv_page_type(m, ppa), k, t);
	return nand_plane_read_tr(&m->nand, lun, plane, m->p.slc_read_ns, k,
				  t);
}

/*
 * The next full SLC group to fold, from the scan cursor in group id
 * order, not holding the open PU; CONV_NONE if none.
 */
static u32 conv_slc_next(struct conv_model *m)
{
	u32 g = m->slc_scan, i;

	for (i = 0; i < m->nr_groups; i++) {
		if (m->slc[g] &&
		    (m->state[g] & CONV_GRP_MASK) == CONV_GRP_FULL &&
		    g != m->pu_grp) {
			m->slc_scan = g + 1 == m->nr_groups ? 0 : g + 1;
			return g;
		}
		g = g + 1 == m->nr_groups ? 0 : g + 1;
	}
	return CONV_NONE;
}

/*
 * Length W of folding group @g on an idle device: its page reads back to
 * back, then *@pus = ceil(valid / pu_slots) native PU programs.
 */
static u64 conv_slc_fold_work(const struct conv_model *m, u32 g, u32 *pus)
{
	u32 base = g * m->grp_slots, s, i, k;
	u64 w = 0;

	for (s = 0; s < m->grp_slots; s += m->spp) {
		for (k = 0, i = 0; i < m->spp; i++)
			if (conv_rev_lookup(m, base + s + i) != CONV_NONE)
				k++;
		if (k)
			w = nand_add(w, nand_add(m->p.slc_read_ns,
						 nand_mul(k, m->t_ch)));
	}
	*pus = (m->valid[g] + m->pu_slots - 1) / m->pu_slots;
	return nand_add(w, nand_mul(*pus, nand_add(nand_mul(m->pu_slots,
							     m->t_ch),
						  m->p.prog_ns)));
}

/*
 * Fold full SLC groups into native ones in the idle time [idle, now),
 * each only if it ends by now (conv.h "SLC cache").
 */
static void conv_slc_fold(struct conv_model *m, u64 now)
{
	u64 t = m->nand.idle, e;
	u32 g, pus, lun, base, s, i, k;

	while (m->nr_slc_full && now > t) {
		g = conv_slc_next(m);
		if (g == CONV_NONE ||
		    nand_add(t, conv_slc_fold_work(m, g, &pus)) > now)
			break;
		lun = conv_grp_lun(m, g);
		base = g * m->grp_slots;
		e = t;
		for (s = 0; s < m->grp_slots; s += m->spp) {
			for (k = 0, i = 0; i < m->spp; i++)
				if (conv_rev_lookup(m, base + s + i) !=
				    CONV_NONE)
					k++;
			if (k)
				e = nand_max(e, conv_page_read(m, lun, base + s,
							       k, t));
		}
		for (i = 0; i < pus; i++)
			nand_program(&m->nand, lun, e, 0);
		conv_slc_leave(m, g);
		nand_count(&m->slc_folds, 1);
		t = m->nand.idle;
	}
}

/* ---- requests ---------------------------------------------------------- */

/*
 * Firmware time @fw of a command fetched at @now (conv.h "Firmware
 * cores"): with fw_cores = 0 it overlaps every other command's; else the
 * command waits for the core that frees first (the lowest on ties) and
 * holds it for @fw.  Returns the end of its firmware time.
 */
static u64 conv_fw(struct conv_model *m, u64 now, u32 fw)
{
	u32 i, best = 0;
	u64 start;

	if (!m->p.fw_cores)
		return nand_add(now, fw);
	for (i = 1; i < m->p.fw_cores; i++)
		if (m->fw_core_free[i] < m->fw_core_free[best])
			best = i;
	start = nand_max(now, m->fw_core_free[best]);
	m->fw_core_free[best] = nand_add(start, fw);
	return m->fw_core_free[best];
}

/* Slots touched by [off, off + len), clipped to the capacity. */
static void conv_slots(const struct conv_model *m, u64 off, u64 len,
		       u64 *first, u64 *end)
{
	u64 last = nand_add(off, len);

	*first = off >> 12;
	*end = (last >> 12) + ((last & 4095) ? 1 : 0);
	if (*end > m->lba_slots)
		*end = m->lba_slots;
	if (!len || *first > *end)
		*first = *end;
}

static u64 conv_read(struct conv_model *m, const struct model_req *req)
{
	u64 ready = conv_fw(m, req->now, m->p.fw_read_ns), done = ready;
	u64 s, end, t;
	u32 k;

	nand_count(&m->nand.st.host_read_bytes, req->len);
	conv_slots(m, req->slba_bytes, req->len, &s, &end);
	while (s < end) {
		u32 e = conv_l2p(m, (u32)s);
		bool nand = e && !conv_in_open_pu(m, e - 1);

		k = 1;
		if (!nand) {
			while (s + k < end) {
				u32 n = conv_l2p(m, (u32)(s + k));

				if (n && !conv_in_open_pu(m, n - 1))
					break;
				k++;
			}
			t = ready;
		} else {
			u32 page = (e - 1) - (e - 1) % m->spp;

			while (s + k < end) {
				u32 n = conv_l2p(m, (u32)(s + k));

				if (!n || (n - 1) - (n - 1) % m->spp != page)
					break;
				k++;
			}
			t = conv_page_read(m,
					   conv_grp_lun(m, page / m->grp_slots),
					   page, k, ready);
		}
		t = nand_link_rd(&m->nand, t, k);
		if (t > done)
			done = t;
		s += k;
	}
	return done;
}

/* The RG of a write without placement: the most free groups (conv.h). */
static u32 conv_fdp_pick_rg(const struct conv_model *m)
{
	u32 r, best = 0;

	for (r = 1; r < m->fdp->rgs; r++)
		if (m->fdp->nr_free_rg[r] > m->fdp->nr_free_rg[best])
			best = r;
	return best;
}

static u64 conv_write(struct conv_model *m, const struct model_req *req)
{
	u64 ready = conv_fw(m, req->now, m->p.fw_write_ns), e = ready;
	bool waited = false;
	u32 ruh = 0, rg = 0;
	u64 s, end;

	if (m->read_only)
		return ready;	/* stores nothing: conv.h "Wear" */
	nand_count(&m->nand.st.host_write_bytes, req->len);
	conv_slots(m, req->slba_bytes, req->len, &s, &end);
	if (s == end)
		return ready;
	m->cmd_pend = 0;
	if (m->fdp) {
		ruh = req->ruh < m->fdp->ruhs ? req->ruh : 0;
		rg = req->rg < m->fdp->rgs ? req->rg : conv_fdp_pick_rg(m);
		conv_fdp_use(m, rg * m->fdp->ruhs + ruh);
	}
	for (; s < end && !m->read_only; s++) {
		u64 start = nand_wr_ready(&m->nand, ready);
		u64 x;

		if (m->buf_slots)
			start = conv_buffer_space(m, start, &waited);
		x = nand_wr_xfer(&m->nand, start, 1);
		if (m->pu_grp == CONV_NONE &&
		    !(m->fdp ? conv_fdp_place_host(m, ruh, rg, x) :
		      conv_place_host(m, x)))
			continue;	/* read only now (or cannot happen) */
		e = x;
		m->last_num = m->pu_num;
		conv_pu_add(m, (u32)s, e, true);
	}
	if (waited)
		nand_count(&m->nand.st.buffer_waits, 1);
	if (!req->fua && m->buf_slots)
		return e;
	conv_pu_pad(m, e);
	return nand_max(e, m->cmd_pend);
}

/*
 * Unmap the whole slots inside [off, off + len).  Runs of L2P words that
 * are entirely zero (unmapped) are skipped a word at a time.
 */
static void conv_discard(struct conv_model *m, u64 off, u64 len)
{
	u64 last = nand_add(off, len);
	u64 s = (off >> 12) + ((off & 4095) ? 1 : 0);
	u64 end = last >> 12;
	const u32 bits = m->l2p_bits;

	if (end > m->lba_slots)
		end = m->lba_slots;
	while (s < end) {
		u64 word = (s * bits) >> 6;
		u32 e;

		if (!m->l2p[word]) {
			/*
			 * Entries starting in this word are 0: go on with the
			 * one holding its last bit (it may straddle) or beyond.
			 */
			u64 next = div_u64(((word + 1) << 6) - 1, bits);

			if (next > s) {
				s = next;
				continue;
			}
		}
		e = conv_l2p(m, (u32)s);
		if (e) {
			conv_invalidate(m, e - 1);
			conv_set(m->l2p, s, bits, 0);
		}
		s++;
	}
}

static u64 conv_schedule(struct conv_model *m, const struct model_req *req)
{
	u64 ready;

	nand_begin(&m->nand, req->now);
	if (m->bg_low)
		conv_bg_gc(m, req->now);
	if (m->slc)
		conv_slc_fold(m, req->now);
	switch (req->op) {
	case MODEL_READ:
		return conv_read(m, req);
	case MODEL_WRITE:
		return conv_write(m, req);
	case MODEL_FLUSH:
		ready = conv_fw(m, req->now, m->p.fw_other_ns);
		if (m->fdp) {
			u32 i;

			for (i = 0; i < m->fdp->nr_streams; i++) {
				conv_fdp_use(m, i);
				conv_pu_pad(m, ready);
			}
		}
		conv_pu_pad(m, ready);
		return nand_max(ready, m->nand.last_pend);
	case MODEL_DISCARD:
	case MODEL_WRITE_ZEROES:
		conv_discard(m, req->slba_bytes, req->len);
		return conv_fw(m, req->now, m->p.fw_other_ns);
	case MODEL_OTHER:
	default:	/* e.g. MODEL_ZONE_RESET, MODEL_ZONE_FINISH */
		return conv_fw(m, req->now, m->p.fw_other_ns);
	}
}

/*
 * FDP durability (conv.h "Flexible Data Placement"): report the largest k
 * with every host PU <= k programmed, when it advanced.
 */
static void conv_fdp_watermark(struct conv_model *m,
			       struct model_durability *d)
{
	struct conv_fdp *f = m->fdp;
	u64 lo = f->next_num, wm;
	u32 i;

	if (!f->dirty)
		return;
	f->dirty = false;
	for (i = 0; i < f->ruhs * f->rgs; i++) {
		u64 num = i == f->cur ? m->pu_num : f->st[i].pu_num;

		if (num && num < lo)
			lo = num;
	}
	wm = lo - 1;
	if (wm <= f->reported)
		return;
	d->closed = wm;
	d->closed_at = f->acc_at;
	f->reported = wm;
	if (f->hi_prog <= wm)
		f->acc_at = 0;
}

/*
 * conv.h "Durability": note the PU open with slots as the call begins
 * (before background GC), run it, then fill m->dur.
 */
u64 conv_model_schedule(struct conv_model *m, const struct model_req *req)
{
	struct model_durability *d = &m->dur;
	u64 done;

	m->dur_watch = !m->fdp && m->pu_grp != CONV_NONE && m->pu_fill ?
		       m->pu_num : 0;
	m->last_num = 0;
	memset(d, 0, sizeof(*d));
	done = conv_schedule(m, req);
	m->idle = m->nand.idle;

	d->at = done;
	if (req->op == MODEL_WRITE && m->last_num) {
		/* it stored slots: cmd_pend covers the PUs they filled */
		d->at = nand_max(done, m->cmd_pend);
		if (m->last_num == m->pu_num && m->pu_grp != CONV_NONE) {
			d->wait = m->pu_num;
			m->wait_at = nand_max(m->wait_at, d->at);
		}
	}
	if (m->fdp) {
		conv_fdp_watermark(m, d);
		return done;
	}
	/* d->closed_at was set when that PU was programmed */
	if (m->dur_watch && m->pu_num > m->dur_watch)
		d->closed = m->dur_watch;
	return done;
}

void conv_model_durability(struct conv_model *m, const struct model_req *req,
			   struct model_durability *d)
{
	(void)req;	/* schedule() computed the answer */
	*d = m->dur;
}

void conv_model_stats(struct conv_model *m, struct model_stats *st)
{
	nand_stats(&m->nand, st);
}

bool conv_model_volatile_cache(struct conv_model *m)
{
	return m->p.buffer_kib > 0;
}

/* ---- wear: health, read errors, bad blocks ----------------------------- */

/* Each value read once: safe from any thread, as conv_model_stats(). */
void conv_model_health(struct conv_model *m, struct model_health *h)
{
	u32 retired = READ_ONCE(m->nr_retired);
	u32 spare = retired < m->spare0 ? m->spare0 - retired : 0;
	u64 erases = READ_ONCE(m->erase_total);
	u64 avg100 = div_u64(nand_mul(erases, 100), m->nr_groups);
	u64 pu = m->p.pe_cycles ? div_u64(avg100, m->p.pe_cycles) : 0;

	memset(h, 0, sizeof(*h));
	h->percent_used = pu > U32_MAX ? U32_MAX : (u32)pu;
	h->avail_spare = (u32)div_u64((u64)spare * 100 + m->spare0 - 1,
				      m->spare0);
	h->spare_thresh = CONV_SPARE_THRESH_PCT;
	h->read_only = READ_ONCE(m->read_only);
	h->retired_groups = retired;
	h->retired_blocks = (u64)retired * m->p.planes_per_lun;
	h->max_erase = READ_ONCE(m->max_erase);
	h->avg_erase = div_u64(erases, m->nr_groups);
	h->read_errors = READ_ONCE(m->read_errors);
}

/* Data programmed in group @g may fail to read back (conv.h "Wear"). */
static inline bool conv_failing(const struct conv_model *m, u32 g)
{
	return m->bad[g] || (m->p.pe_cycles &&
			     m->erase_cnt[g] + 1ULL >= m->p.pe_cycles);
}

/* The next 32 bits of the read-error generator (splitmix64). */
static u32 conv_draw(struct conv_model *m)
{
	u64 z;

	m->rng += 0x9e3779b97f4a7c15ULL;
	z = m->rng;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (u32)(z >> 32);
}

bool conv_model_read_error(struct conv_model *m, const struct model_req *req)
{
	u64 s, end;

	if (req->op != MODEL_READ || !m->p.read_error_ppm ||
	    (!m->p.pe_cycles && !m->nr_bad))
		return false;
	conv_slots(m, req->slba_bytes, req->len, &s, &end);
	for (; s < end; s++) {
		u32 e = conv_l2p(m, (u32)s);

		if (!e || conv_in_open_pu(m, e - 1) ||
		    !conv_failing(m, (e - 1) / m->grp_slots))
			continue;
		if ((((u64)conv_draw(m) * CONV_MAX_READ_ERROR_PPM) >> 32) <
		    m->p.read_error_ppm) {
			nand_count(&m->read_errors, 1);
			return true;
		}
	}
	return false;
}

u32 conv_inject_bad(struct conv_model *m, u32 nr)
{
	u32 done = 0, l, best, g;

	/* free groups, keeping one for GC (with FDP: one per RG) */
	while (done < nr && !m->read_only && m->nr_free >= 2) {
		if (m->fdp) {
			for (best = CONV_NONE, l = 0; l < m->nr_luns; l++)
				if (m->fdp->nr_free_rg[l / m->fdp->luns] >= 2 &&
				    (best == CONV_NONE ||
				     m->nr_free_lun[l] > m->nr_free_lun[best]))
					best = l;
			if (best == CONV_NONE)
				break;
		} else {
			for (best = 0, l = 1; l < m->nr_luns; l++)
				if (m->nr_free_lun[l] > m->nr_free_lun[best])
					best = l;
		}
		g = conv_free_pop(m, best);
		m->bad[g] = 1;
		m->nr_bad++;
		conv_retire(m, g);
		done++;
	}
	/* then groups holding data: retired when GC erases them */
	for (g = 0; g < m->nr_groups && done < nr && !m->read_only; g++) {
		if (((m->state[g] & CONV_GRP_MASK) != CONV_GRP_OPEN &&
		     (m->state[g] & CONV_GRP_MASK) != CONV_GRP_FULL) ||
		    m->bad[g])
			continue;
		m->bad[g] = 1;
		m->nr_bad++;
		done++;
	}
	return done;
}

/* The FDP part of conv_check_consistency(). */
static int conv_fdp_check(const struct conv_model *m)
{
	const struct conv_fdp *f = m->fdp;
	u32 s, li, g, r, n, pus = 0, nhost = 0;

	for (r = 0; r < f->rgs; r++) {
		for (n = 0, li = 0; li < f->luns; li++)
			n += m->nr_free_lun[r * f->luns + li];
		if (n != f->nr_free_rg[r] ||
		    (!m->read_only && f->nr_free_rg[r] < 1))
			return -20;
	}
	for (s = 0; s < f->nr_streams; s++) {
		const struct conv_fdp_stream *st = &f->st[s];
		u32 grp = s == f->cur ? m->pu_grp : st->pu_grp;

		for (n = 0, li = 0; li < f->luns; li++) {
			g = f->open_grp[s * f->luns + li];
			if (g == CONV_NONE)
				continue;
			n++;
			if ((m->state[g] & CONV_GRP_MASK) != CONV_GRP_OPEN ||
			    f->grp_stream[g] != s ||
			    conv_grp_lun(m, g) != st->rg * f->luns + li)
				return -21;
		}
		if (n > st->ru_taken || st->ru_taken > f->luns ||
		    st->ru_written >= f->ru_slots)
			return -22;
		if (grp != CONV_NONE) {
			pus++;
			nhost += s == f->cur ? m->pu_nhost : st->pu_nhost;
			if (!(m->state[grp] & CONV_GRP_PU) ||
			    f->grp_stream[grp] != s)
				return -23;
		}
	}
	for (n = 0, g = 0; g < m->nr_groups; g++)
		if (m->state[g] & CONV_GRP_PU)
			n++;
	if (n != pus || nhost != f->open_nhost)
		return -24;
	return 0;
}

int conv_check_consistency(const struct conv_model *m)
{
	u32 *cnt, lba, g, l, n, nfree = 0, nret = 0, nbad = 0, e, emax = 0;
	u64 etotal = 0;
	int err = 0;

	cnt = kcalloc(m->nr_groups, sizeof(u32), GFP_KERNEL);
	if (!cnt)
		return -ENOMEM;
	for (lba = 0; lba < m->lba_slots && !err; lba++) {
		e = conv_l2p(m, lba);
		if (!e)
			continue;
		if (e - 1 >= m->phys_slots)
			err = -2;
		else if (conv_rev_lookup(m, e - 1) != lba)
			err = -3;
		else if (m->state[(e - 1) / m->grp_slots] == CONV_GRP_FREE ||
			 m->state[(e - 1) / m->grp_slots] == CONV_GRP_RETIRED)
			err = -4;
		else
			cnt[(e - 1) / m->grp_slots]++;
	}
	for (g = 0; g < m->nr_groups && !err; g++) {
		if (cnt[g] != m->valid[g])
			err = -5;
		if (m->state[g] == CONV_GRP_FREE)
			nfree++;
		if (m->state[g] == CONV_GRP_RETIRED) {
			nret++;
			if (m->valid[g])
				err = -11;
		} else if (m->bad[g]) {
			nbad++;
		}
		etotal += m->erase_cnt[g];
		if (m->erase_cnt[g] > emax)
			emax = m->erase_cnt[g];
	}
	if (!err && nfree != m->nr_free)
		err = -6;
	if (!err && (nret != m->nr_retired || nbad != m->nr_bad))
		err = -12;
	if (!err && (etotal != m->erase_total || emax != m->max_erase))
		err = -13;
	if (!err && (m->read_only != (m->nr_retired >= m->spare0) ||
		     (!m->read_only && m->nr_free < 1)))
		err = -14;
	for (l = 0; l < m->nr_luns && !err; l++) {
		for (n = 0, g = m->free_head[l]; g != CONV_NONE && n <= nfree;
		     g = m->next_free[g], n++)
			if (m->state[g] != CONV_GRP_FREE ||
			    conv_grp_lun(m, g) != l)
				err = -7;
		if (n != m->nr_free_lun[l])
			err = -8;
		g = m->open_grp[l];
		if (g != CONV_NONE && (m->state[g] != CONV_GRP_OPEN ||
				       conv_grp_lun(m, g) != l))
			err = -9;
	}
	if (!err && (m->place_failures || m->nand.failures))
		err = -10;
	if (!err && m->fdp)
		err = conv_fdp_check(m);
	kfree(cnt);
	return err;
}

/* ---- Flexible Data Placement: the interface (conv.h) ------------------ */

bool conv_fdp_enabled(const struct conv_model *m)
{
	return m->fdp != NULL;
}

u64 conv_fdp_ru_bytes(const struct conv_model *m)
{
	return m->fdp ? m->fdp->ru_slots * CONV_SLOT_SIZE : 0;
}

u64 conv_fdp_ru_avail(const struct conv_model *m, u32 ruh, u32 rg)
{
	const struct conv_fdp *f = m->fdp;

	if (!f || ruh >= f->ruhs || rg >= f->rgs)
		return 0;
	return (f->ru_slots - f->st[rg * f->ruhs + ruh].ru_written) *
	       CONV_SLOT_SIZE;
}

u64 conv_fdp_ru_update(struct conv_model *m, u32 ruh, u32 rg, u64 now)
{
	struct conv_fdp *f = m->fdp;
	struct conv_fdp_stream *st;
	u32 s, saved, li, idx, g;
	u64 avail;

	if (!f || ruh >= f->ruhs || rg >= f->rgs)
		return 0;
	s = rg * f->ruhs + ruh;
	st = &f->st[s];
	if (!st->ru_written)
		return 0;
	avail = (f->ru_slots - st->ru_written) * CONV_SLOT_SIZE;
	nand_begin(&m->nand, now);
	saved = f->cur;
	conv_fdp_use(m, s);
	conv_pu_pad(m, now);	/* may fill the RU: then it is new already */
	if (st->ru_written) {
		for (li = 0; li < f->luns; li++) {
			idx = s * f->luns + li;
			g = f->open_grp[idx];
			if (g == CONV_NONE)
				continue;
			m->state[g] = CONV_GRP_FULL;
			m->closed_at[g] = now;
			f->open_grp[idx] = CONV_NONE;
		}
		st->ru_written = 0;
		st->ru_taken = 0;
	}
	conv_fdp_use(m, saved);
	m->idle = m->nand.idle;
	return avail;
}

void conv_fdp_set_event_fn(struct conv_model *m, conv_fdp_event_fn fn,
			   void *arg)
{
	if (!m->fdp)
		return;
	m->fdp->fn = fn;
	m->fdp->arg = arg;
}

/* ---- ops table ----------------------------------------------------------- */

static int conv_ops_init(void *priv, const void *params)
{
	return conv_model_init(priv, params);
}

static void conv_ops_exit(void *priv)
{
	conv_model_exit(priv);
}

static u64 conv_ops_schedule(void *priv, const struct model_req *req)
{
	return conv_model_schedule(priv, req);
}

static void conv_ops_reset(void *priv)
{
	conv_model_reset(priv);
}

static void conv_ops_stats(void *priv, struct model_stats *st)
{
	conv_model_stats(priv, st);
}

static bool conv_ops_volatile_cache(void *priv)
{
	return conv_model_volatile_cache(priv);
}

static void conv_ops_health(void *priv, struct model_health *h)
{
	conv_model_health(priv, h);
}

static bool conv_ops_read_error(void *priv, const struct model_req *req)
{
	return conv_model_read_error(priv, req);
}

static u32 conv_ops_inject_bad(void *priv, u32 nr)
{
	return conv_inject_bad(priv, nr);
}

static void conv_ops_durability(void *priv, const struct model_req *req,
				struct model_durability *d)
{
	conv_model_durability(priv, req, d);
}

const struct model_ops conv_model_ops = {
	.name = "conv",
	.priv_size = sizeof(struct conv_model),
	.init = conv_ops_init,
	.exit = conv_ops_exit,
	.schedule = conv_ops_schedule,
	.reset = conv_ops_reset,
	.stats = conv_ops_stats,
	.volatile_cache = conv_ops_volatile_cache,
	.health = conv_ops_health,
	.read_error = conv_ops_read_error,
	.inject_bad = conv_ops_inject_bad,
	.durability = conv_ops_durability,
};
