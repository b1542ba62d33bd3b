// SPDX-License-Identifier: GPL-2.0-only
/*
 * models.c - the models nvmev-sim knows, a table per model that maps
 * "--param key=value" to a field of the model's parameter struct, and the
 * presets: the rows of the table the kernel's configfs presets come from
 * (ftl/presets.c) of the model's type.
 *
 * Array fields take "key=v0,v1,..." (the elements given, in order; the
 * rest stay) or "key[i]=v".  Values take size suffixes ("64G") or time
 * suffixes, converted to ns ("2us", "1.5ms").
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"
#include "nvm.h"
#ifdef SIM_HAVE_CONV
#include "conv.h"
#endif
#ifdef SIM_HAVE_ZNS
#include "zns.h"
#include "zns_timing.h"
#endif

#define FIELD_SIZE(type, field)	sizeof(((type *)0)->field)

#define PARAM(type, field, help)					\
	{ #field, offsetof(type, field), FIELD_SIZE(type, field), 1,	\
	  SP_UINT, help }

#define PARAM_ARRAY(type, field, help)					\
	{ #field, offsetof(type, field),				\
	  sizeof(((type *)0)->field[0]),				\
	  FIELD_SIZE(type, field) / sizeof(((type *)0)->field[0]),	\
	  SP_UINT, help }

/* A field of a member struct (nand.prog_ns) under a name ("prog_ns"). */
#define PARAM_AS(name, type, field, help)				\
	{ name, offsetof(type, field), FIELD_SIZE(type, field), 1,	\
	  SP_UINT, help }

#define PARAM_ARRAY_AS(name, type, field, help)				\
	{ name, offsetof(type, field),					\
	  sizeof(((type *)0)->field[0]),				\
	  FIELD_SIZE(type, field) / sizeof(((type *)0)->field[0]),	\
	  SP_UINT, help }

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ nvm */

static const struct sim_param nvm_params_table[] = {
	PARAM(struct nvm_params, read_delay,
	      "ns every read pays once, before data moves"),
	PARAM(struct nvm_params, read_time,
	      "ns per read chunk (unit_size bytes) on a unit"),
	PARAM(struct nvm_params, read_trailing,
	      "ns a unit stays busy after a read chunk"),
	PARAM(struct nvm_params, write_delay,
	      "ns every write pays once, before data moves"),
	PARAM(struct nvm_params, write_time,
	      "ns per write chunk on a unit"),
	PARAM(struct nvm_params, write_trailing,
	      "ns a unit stays busy after a write chunk"),
	PARAM(struct nvm_params, nr_units, "parallel units (1..1024)"),
	PARAM(struct nvm_params, unit_size,
	      "bytes per chunk, power of two (512..1M)"),
	PARAM(struct nvm_params, cache_kib,
	      "volatile write cache KiB, 0 = none, 4..262144"),
	PARAM(struct nvm_params, cmd_read_ns,
	      "controller ns per read command (command rate), 0 = no limit"),
	PARAM(struct nvm_params, cmd_write_ns,
	      "controller ns per write command (command rate), 0 = no limit"),
};

static void nvm_defaults(void *p)
{
	nvm_params_default(p);
}

static const char *nvm_check(const void *p)
{
	return nvm_check_params(p);
}

static void nvm_from_preset(void *p, const struct ftl_preset *fp)
{
	memcpy(p, &fp->nvm, sizeof(fp->nvm));
}

/* ----------------------------------------------------------------- conv */

#ifdef SIM_HAVE_CONV
static const struct sim_param conv_params_table[] = {
	PARAM(struct conv_params, capacity,
	      "host-visible bytes, multiple of 4096 (--capacity)"),
	PARAM(struct conv_params, op_percent, "over-provisioning %, 1..100"),
	PARAM(struct conv_params, nr_channels, "channels, 1..64"),
	PARAM(struct conv_params, luns_per_channel, "dies per channel, 1..64"),
	PARAM(struct conv_params, planes_per_lun, "planes per die, 1..8"),
	PARAM(struct conv_params, pages_per_block,
	      "pages per block, multiple of oneshot_pages"),
	PARAM(struct conv_params, page_size,
	      "flash page bytes, multiple of 4096, 4K..64K"),
	PARAM(struct conv_params, oneshot_pages,
	      "pages programmed together per plane, 1..8"),
	PARAM(struct conv_params, cell_bits, "1 SLC, 2 MLC, 3 TLC, 4 QLC"),
	PARAM_ARRAY(struct conv_params, read_4k_ns,
		    "tR per page type, one 4 KiB slot needed"),
	PARAM_ARRAY(struct conv_params, read_page_ns,
		    "tR per page type, more of the page needed"),
	PARAM(struct conv_params, prog_ns, "tPROG of one program unit"),
	PARAM(struct conv_params, erase_ns, "tBERS of one multi-plane block"),
	PARAM(struct conv_params, channel_mbps,
	      "MB/s per channel, 0 = instantaneous"),
	PARAM(struct conv_params, link_mbps,
	      "host link MB/s each way, 0 = instantaneous"),
	PARAM(struct conv_params, fw_read_ns, "firmware ns per read"),
	PARAM(struct conv_params, fw_write_ns, "firmware ns per write"),
	PARAM(struct conv_params, fw_other_ns, "firmware ns per other command"),
	PARAM(struct conv_params, buffer_kib,
	      "write buffer KiB, 0 = none (writes are durable)"),
	PARAM(struct conv_params, gc_policy, "0 greedy, 1 cost-benefit"),
	PARAM(struct conv_params, gc_threshold_pct,
	      "foreground GC below this % of groups free, 0..50"),
	PARAM(struct conv_params, bg_gc_threshold_pct,
	      "background GC in idle time below this %, 0..50"),
	PARAM(struct conv_params, pe_cycles,
	      "rated P/E cycles per block, 0 = no wear, ..1000000"),
	PARAM(struct conv_params, read_error_ppm,
	      "read errors per 10^6 slots read on failing blocks"),
	PARAM(struct conv_params, seed, "seed of the read-error generator"),
	PARAM(struct conv_params, fdp_rgs,
	      "FDP reclaim groups, 0 = FDP off, dividing channels * luns"),
	PARAM(struct conv_params, fdp_ruhs, "FDP reclaim unit handles, 1..16"),
	PARAM(struct conv_params, fdp_persistent,
	      "FDP: 0 initially, 1 persistently isolated handles"),
	PARAM(struct conv_params, plane_reads,
	      "1: each plane reads on its own, 0: a read takes the die"),
	PARAM(struct conv_params, fw_cores,
	      "controller cores running firmware times, 0 = unlimited"),
	PARAM(struct conv_params, slc_cache_pm,
	      "SLC cache, per mille of the capacity, 0 = none, ..1000"),
	PARAM(struct conv_params, slc_prog_ns,
	      "SLC-mode program of one program unit, 1..prog_ns"),
	PARAM(struct conv_params, slc_read_ns, "SLC-mode tR of any page read"),
};

static void conv_defaults(void *p)
{
	conv_params_default(p);
}

static const char *conv_check(const void *p)
{
	return conv_check_params(p);
}

static u64 conv_min_cap(const void *p)
{
	return conv_min_capacity(p);
}

static void conv_from_preset(void *p, const struct ftl_preset *fp)
{
	memcpy(p, &fp->conv, sizeof(fp->conv));
}

static void conv_fdp_config(const void *params, u32 *ruhs, u32 *rgs,
			    u64 *block_bytes)
{
	const struct conv_params *p = params;

	*rgs = p->fdp_rgs;
	*ruhs = p->fdp_rgs ? p->fdp_ruhs : 0;
	/* model_stats.erases counts blocks of one plane ("Counters") */
	*block_bytes = (u64)p->pages_per_block * p->page_size;
}

static u64 conv_ru_bytes(const void *priv)
{
	return conv_fdp_ru_bytes(priv);
}

static u64 conv_ru_avail(const void *priv, u32 ruh, u32 rg)
{
	return conv_fdp_ru_avail(priv, ruh, rg);
}
#endif /* SIM_HAVE_CONV */

/* ------------------------------------------------------------------ zns */

#ifdef SIM_HAVE_ZNS
/*
 * The zns model's parameters as the kernel gets them: the namespace
 * attributes zoned.c turns into struct zns_params (the zone state machine,
 * ftl/zns.h) and struct zns_timing_params (the timing, ftl/zns_timing.h),
 * with 4 KiB LBAs.  0 means automatic: zone_size the largest power of
 * two <= 64 MiB and <= capacity / 16 (zns_params_default()), zone_cap =
 * zone_size (both as in the kernel), max_active = max_open = min(14,
 * zones - 1) but at least 1 (the kernel's ZNS_LIMIT_AUTO).  The kernel's
 * "no limit", 0 there, is any value >= the number of zones here
 * (zsim_limit()).
 */
struct zsim_params {
	u64 capacity;
	u64 zone_size;
	u64 zone_cap;
	u32 stripe_dies;
	u32 max_open;
	u32 max_active;
	struct conv_params nand;
};

#define ZSIM_LBA_SHIFT	12
#define ZSIM_CAP_ALIGN	(1ULL << 20)	/* namespace sizes: 1 MiB units */

#define ZP(field, help)	PARAM(struct zsim_params, field, help)
#define ZN(field, help)	PARAM_AS(#field, struct zsim_params, nand.field, help)
#define ZNA(field, help)						\
	PARAM_ARRAY_AS(#field, struct zsim_params, nand.field, help)

static const struct sim_param zns_params_table[] = {
	ZP(capacity, "namespace bytes, multiple of 1 MiB (--capacity)"),
	ZP(zone_size, "zone size (ZSZE), power of two; 0 = automatic"),
	ZP(zone_cap, "zone capacity (ZCAP), multiple of 4096; 0 = zone_size"),
	ZP(stripe_dies, "dies a zone is striped over; 0 = all"),
	ZP(max_open, "open zone limit; 0 = automatic (min(14, zones - 1))"),
	ZP(max_active, "active zone limit; 0 = automatic (as max_open)"),
	ZN(nr_channels, "channels, 1..64"),
	ZN(luns_per_channel, "dies per channel, 1..64"),
	ZN(planes_per_lun, "planes per die, 1..8"),
	ZN(pages_per_block, "pages per block, multiple of oneshot_pages"),
	ZN(page_size, "flash page bytes, multiple of 4096, 4K..64K"),
	ZN(oneshot_pages, "pages programmed together per plane, 1..8"),
	ZN(cell_bits, "1 SLC, 2 MLC, 3 TLC, 4 QLC"),
	ZNA(read_4k_ns, "tR per page type, one 4 KiB slot needed"),
	ZNA(read_page_ns, "tR per page type, more of the page needed"),
	ZN(prog_ns, "tPROG of one program unit"),
	ZN(erase_ns, "tBERS of one multi-plane block"),
	ZN(channel_mbps, "MB/s per channel, 0 = instantaneous"),
	ZN(link_mbps, "host link MB/s each way, 0 = instantaneous"),
	ZN(fw_read_ns, "firmware ns per read"),
	ZN(fw_write_ns, "firmware ns per write"),
	ZN(fw_other_ns, "firmware ns per other command"),
	ZN(buffer_kib, "write buffer KiB, 0 = none (writes are durable)"),
};

/* An open or active limit of a preset (the kernel's meaning) for the sim. */
static u32 zsim_limit(u32 limit)
{
	if (limit == ZNS_LIMIT_AUTO)
		return 0;
	return limit ? limit : ZNS_MAX_ZONES;	/* no limit: >= the zones */
}

static void zns_from_preset(void *p, const struct ftl_preset *fp)
{
	struct zsim_params *sp = p;

	memset(sp, 0, sizeof(*sp));
	sp->zone_size = fp->zns.zone_size;
	sp->zone_cap = fp->zns.zone_cap;
	sp->stripe_dies = fp->zns.stripe_dies;
	sp->max_open = zsim_limit(fp->zns.max_open);
	sp->max_active = zsim_limit(fp->zns.max_active);
	sp->nand = fp->conv;
}

/* The defaults: the preset "zns". */
static void zns_defaults(void *p)
{
	int i = ftl_preset_find("zns");

	if (i < 0)
		die("the preset table (ftl/presets.c) has no zns preset");
	zns_from_preset(p, &ftl_presets[i]);
}

/*
 * Both models' parameters from @sp, as zoned.c derives them from a
 * namespace's configuration (zns_params(), nvmev_zns_timing_params()).
 * NULL or what is wrong.
 */
static const char *zsim_derive(const struct zsim_params *sp,
			       struct zns_params *zp,
			       struct zns_timing_params *tp)
{
	u64 nr_lbas = sp->capacity >> ZSIM_LBA_SHIFT, nr_zones;
	const char *why;

	if (!sp->capacity || sp->capacity % ZSIM_CAP_ALIGN)
		return "capacity must be a non-zero multiple of 1 MiB";
	/* here 0 asks for the default limits; "no limit" is >= the zones */
	why = zns_params_geometry(zp, nr_lbas, ZSIM_LBA_SHIFT, sp->zone_size,
				  sp->zone_cap,
				  sp->max_open ? sp->max_open : ZNS_LIMIT_AUTO,
				  sp->max_active ? sp->max_active :
						   ZNS_LIMIT_AUTO);
	if (why)
		return why;
	nr_zones = nr_lbas >> zns_ilog2(zp->zone_size);
	if (nr_zones > ZNS_MAX_ZONES)
		return "capacity / zone_size: at most 4194304 zones";
	if (zp->max_active > nr_zones)
		zp->max_active = (u32)nr_zones;
	if (zp->max_open > nr_zones)
		zp->max_open = (u32)nr_zones;
	why = zns_check_params(zp);
	if (why)
		return why;

	memset(tp, 0, sizeof(*tp));
	tp->nand = sp->nand;
	tp->zone_bytes = zp->zone_size << ZSIM_LBA_SHIFT;
	tp->zone_cap_bytes = zp->zone_cap << ZSIM_LBA_SHIFT;
	tp->nr_zones = (u32)nr_zones;
	tp->stripe_dies = sp->stripe_dies;
	return zns_timing_check_params(tp);
}

static const char *zns_check(const void *p)
{
	struct zns_timing_params tp;
	struct zns_params zp;

	return zsim_derive(p, &zp, &tp);
}

static void zns_resolve(void *p)
{
	struct zsim_params *sp = p;
	struct zns_timing_params tp;
	struct zns_params zp;

	if (zsim_derive(sp, &zp, &tp))
		return;		/* init says what is wrong */
	sp->zone_size = tp.zone_bytes;
	sp->zone_cap = tp.zone_cap_bytes;
	sp->max_open = zp.max_open;
	sp->max_active = zp.max_active;
}

/*
 * Only zoned-legal workloads: writes in order from a zone's start, so the
 * generated ones must be sequential writes, not mixed with reads, from
 * zone starts.  Traces are checked command by command (zsim_schedule()).
 */
static const char *zns_check_job(const void *p, const struct job_spec *s,
				 char *buf, size_t len)
{
	const struct zsim_params *sp = p;
	unsigned int i;

	if (s->trace)
		return NULL;
	switch (s->rw) {
	case RW_RANDWRITE:
	case RW_RANDRW:
	case RW_READWRITE:
	case RW_TRIM:
	case RW_RANDTRIM:
		snprintf(buf, len, "rw=%s is refused on model zns: a zoned "
			 "namespace takes writes only in order at each zone's "
			 "write pointer (use rw=write from a zone start; "
			 "reads may be random)", rw_name(s->rw));
		return buf;
	default:
		break;
	}
	if (s->trim_ratio) {
		snprintf(buf, len, "trim_ratio is refused on model zns "
			 "(zoned-legal workloads only)");
		return buf;
	}
	if ((s->bs | s->offset | s->offset_increment) &
	    ((1ULL << ZSIM_LBA_SHIFT) - 1)) {
		snprintf(buf, len, "bs, offset and offset_increment must be "
			 "multiples of 4096 on model zns (its LBA size)");
		return buf;
	}
	if (s->rw != RW_WRITE || !sp->zone_size)
		return NULL;
	for (i = 0; i < s->numjobs; i++) {
		u64 base = s->offset + (u64)i * s->offset_increment;

		if (base & (sp->zone_size - 1)) {
			snprintf(buf, len, "rw=write on model zns must start "
				 "at a zone start (a multiple of zone_size "
				 "%llu), not at %llu",
				 (unsigned long long)sp->zone_size,
				 (unsigned long long)base);
			return buf;
		}
	}
	return NULL;
}

/*
 * The instance: the timing model and, in front of it, the zone state
 * machine the kernel checks every read and write against (zoned.c
 * nvmev_zns_check_io()); a command it refuses ends the run.
 */
struct zsim {
	struct zns_timing t;
	struct zns z;
};

static int zsim_init(void *priv, const void *params)
{
	struct zsim *m = priv;
	struct zns_timing_params tp;
	struct zns_params zp;
	int ret;

	memset(m, 0, sizeof(*m));
	if (zsim_derive(params, &zp, &tp))
		return -EINVAL;
	ret = zns_init(&m->z, &zp);
	if (ret)
		return ret;
	ret = zns_timing_init(&m->t, &tp);
	if (ret)
		zns_exit(&m->z);
	return ret;
}

static void zsim_exit(void *priv)
{
	struct zsim *m = priv;

	zns_timing_exit(&m->t);
	zns_exit(&m->z);
}

static const char *zsim_status(enum zns_status st)
{
	switch (st) {
	case ZNS_INVALID_FIELD:
		return "Invalid Field in Command";
	case ZNS_LBA_OUT_OF_RANGE:
		return "LBA Out of Range";
	case ZNS_ZONE_BOUNDARY_ERROR:
		return "Zone Boundary Error";
	case ZNS_ZONE_FULL:
		return "Zone Is Full";
	case ZNS_ZONE_READ_ONLY:
		return "Zone Is Read Only";
	case ZNS_ZONE_OFFLINE:
		return "Zone Is Offline";
	case ZNS_ZONE_INVALID_WRITE:
		return "Zone Invalid Write";
	case ZNS_TOO_MANY_ACTIVE:
		return "Too Many Active Zones";
	case ZNS_TOO_MANY_OPEN:
		return "Too Many Open Zones";
	case ZNS_INVALID_TRANSITION:
		return "Invalid Zone State Transition";
	default:
		return "error";
	}
}

static const char *zsim_state(u8 state)
{
	switch (state) {
	case ZNS_ZSE:
		return "empty";
	case ZNS_ZSIO:
		return "implicitly opened";
	case ZNS_ZSEO:
		return "explicitly opened";
	case ZNS_ZSC:
		return "closed";
	case ZNS_ZSRO:
		return "read only";
	case ZNS_ZSF:
		return "full";
	case ZNS_ZSO:
		return "offline";
	default:
		return "?";
	}
}

static u64 zsim_schedule(void *priv, const struct model_req *req)
{
	struct zsim *m = priv;
	enum zns_status st = ZNS_OK;
	bool rd = req->op == MODEL_READ;
	u64 slba = req->slba_bytes >> ZSIM_LBA_SHIFT;
	u64 nlb = req->len >> ZSIM_LBA_SHIFT;
	struct zns_desc d;
	char wp[24];
	u32 zone;

	if (!rd && req->op != MODEL_WRITE && req->op != MODEL_WRITE_ZEROES)
		return zns_timing_schedule(&m->t, req);
	if ((req->slba_bytes | req->len) & ((1ULL << ZSIM_LBA_SHIFT) - 1) ||
	    !nlb)
		die("model zns: %s of %llu bytes at offset %llu: offsets and "
		    "lengths must be non-zero multiples of 4096 (the LBA "
		    "size)", rd ? "read" : "write",
		    (unsigned long long)req->len,
		    (unsigned long long)req->slba_bytes);
	st = rd ? zns_read_check(&m->z, slba, nlb) :
	     zns_write(&m->z, slba, nlb, &zone);
	if (st) {
		zone = (u32)(slba >> zns_ilog2(m->z.p.zone_size));
		if (zone < zns_nr_zones(&m->z)) {
			zns_zone_desc(&m->z, zone, &d);
			snprintf(wp, sizeof(wp), "%llu",
				 (unsigned long long)(d.wp << ZSIM_LBA_SHIFT));
			die("model zns: %s of %llu bytes at offset %llu "
			    "refused: %s (zone %u at %llu: %s, write pointer "
			    "%s); %s", rd ? "read" : "write",
			    (unsigned long long)req->len,
			    (unsigned long long)req->slba_bytes,
			    zsim_status(st), zone,
			    (unsigned long long)(d.zslba << ZSIM_LBA_SHIFT),
			    zsim_state(d.state),
			    d.wp == ZNS_WP_INVALID ? "none" : wp,
			    st == ZNS_TOO_MANY_ACTIVE ||
			    st == ZNS_TOO_MANY_OPEN ?
			    "only max_open / max_active zones may be open / "
			    "partly written at a time" :
			    "a zoned namespace takes writes only in order at "
			    "each zone's write pointer, up to its capacity, "
			    "and a zone is not written again before a reset");
		}
		die("model zns: %s of %llu bytes at offset %llu refused: %s",
		    rd ? "read" : "write", (unsigned long long)req->len,
		    (unsigned long long)req->slba_bytes, zsim_status(st));
	}
	return zns_timing_schedule(&m->t, req);
}

static void zsim_reset(void *priv)
{
	zns_timing_reset(&((struct zsim *)priv)->t);
}

static void zsim_stats(void *priv, struct model_stats *st)
{
	zns_timing_stats(&((struct zsim *)priv)->t, st);
}

static bool zsim_volatile_cache(void *priv)
{
	return zns_timing_volatile_cache(&((struct zsim *)priv)->t);
}

static size_t zsim_meta_bytes(const void *priv)
{
	return zns_timing_metadata_bytes(&((const struct zsim *)priv)->t);
}

static const struct model_ops zsim_ops = {
	.name = "zns",
	.priv_size = sizeof(struct zsim),
	.init = zsim_init,
	.exit = zsim_exit,
	.schedule = zsim_schedule,
	.reset = zsim_reset,
	.stats = zsim_stats,
	.volatile_cache = zsim_volatile_cache,
};
#endif /* SIM_HAVE_ZNS */

/* --------------------------------------------------------------- table */

/* presets and nr_presets: presets_init() */
static struct sim_model models[] = {
	{
		.name = "nvm",
		.desc = "Optane-class NVM: per-command delay, parallel units",
		.ops = &nvm_model_ops,
		.params_size = sizeof(struct nvm_params),
		.defaults = nvm_defaults,
		.params = nvm_params_table,
		.nr_params = ARRAY_LEN(nvm_params_table),
		.check = nvm_check,
		.preset_type = FTL_PRESET_NVM,
		.from_preset = nvm_from_preset,
	},
#ifdef SIM_HAVE_CONV
	{
		.name = "conv",
		.desc = "NAND SSD: write buffer, page-mapped FTL, GC",
		.ops = &conv_model_ops,
		.params_size = sizeof(struct conv_params),
		.defaults = conv_defaults,
		.params = conv_params_table,
		.nr_params = ARRAY_LEN(conv_params_table),
		.preset_type = FTL_PRESET_CONV,
		.from_preset = conv_from_preset,
		.capacity_param = "capacity",
		.capacity_align = CONV_SLOT_SIZE,
		.check = conv_check,
		.min_capacity = conv_min_cap,
		.meta_bytes = conv_metadata_bytes,
		.fdp_config = conv_fdp_config,
		.fdp_ru_bytes = conv_ru_bytes,
		.fdp_ru_avail = conv_ru_avail,
	},
#endif
#ifdef SIM_HAVE_ZNS
	{
		.name = "zns",
		.desc = "zoned NAND SSD: zones striped over dies, write buffer",
		.ops = &zsim_ops,
		.params_size = sizeof(struct zsim_params),
		.defaults = zns_defaults,
		.params = zns_params_table,
		.nr_params = ARRAY_LEN(zns_params_table),
		.preset_type = FTL_PRESET_ZNS,
		.from_preset = zns_from_preset,
		.capacity_param = "capacity",
		.capacity_align = ZSIM_CAP_ALIGN,
		.check = zns_check,
		.meta_bytes = zsim_meta_bytes,
		.resolve = zns_resolve,
		.check_job = zns_check_job,
	},
#endif
};

#define NR_MODELS	ARRAY_LEN(models)

/*
 * Each model's presets from the shared table: its rows, in table order,
 * with their parameters converted once.  Rows of a type without a model
 * here (kv) are skipped.
 */
static void presets_init(void)
{
	static bool done;
	unsigned int i, k, n;

	if (done)
		return;
	done = true;
	for (i = 0; i < NR_MODELS; i++) {
		struct sim_model *m = &models[i];
		struct sim_preset *sp;
		u8 *params;

		for (k = 0, n = 0; k < ftl_nr_presets; k++)
			n += ftl_presets[k].type == m->preset_type;
		if (!n)
			continue;
		sp = xcalloc(n, sizeof(*sp));
		params = xcalloc(n, m->params_size);
		for (k = 0, n = 0; k < ftl_nr_presets; k++) {
			const struct ftl_preset *fp = &ftl_presets[k];

			if (fp->type != m->preset_type)
				continue;
			m->from_preset(params + n * m->params_size, fp);
			sp[n].name = fp->name;
			sp[n].desc = fp->desc;
			sp[n].params = params + n * m->params_size;
			n++;
		}
		m->presets = sp;
		m->nr_presets = n;
	}
}

const struct sim_model *model_find(const char *name)
{
	unsigned int i;

	presets_init();
	for (i = 0; i < NR_MODELS; i++)
		if (!strcmp(models[i].name, name))
			return &models[i];
	return NULL;
}

const struct sim_model *model_at(unsigned int i)
{
	presets_init();
	return i < NR_MODELS ? &models[i] : NULL;
}

const struct sim_preset *preset_find(const char *name,
				     const struct sim_model **model)
{
	unsigned int i, k;

	presets_init();
	for (i = 0; i < NR_MODELS; i++) {
		for (k = 0; k < models[i].nr_presets; k++) {
			if (!strcmp(models[i].presets[k].name, name)) {
				*model = &models[i];
				return &models[i].presets[k];
			}
		}
	}
	return NULL;
}

void model_list(FILE *f)
{
	unsigned int i, k;

	presets_init();
	for (i = 0; i < NR_MODELS; i++) {
		fprintf(f, "      %-6s %s; presets:", models[i].name,
			models[i].desc);
		for (k = 0; k < models[i].nr_presets; k++)
			fprintf(f, " %s", models[i].presets[k].name);
		fprintf(f, "\n");
	}
}

/* ---------------------------------------------------------- parameters */

u64 model_param_get(const void *params, const struct sim_param *p,
		    unsigned int idx)
{
	const u8 *base = (const u8 *)params + p->off + idx * p->size;

	switch (p->size) {
	case 1:
		return *(const u8 *)base;
	case 2:
		return *(const u16 *)base;
	case 4:
		return *(const u32 *)base;
	default:
		return *(const u64 *)base;
	}
}

static int param_store(const struct sim_param *p, void *params,
		       unsigned int idx, const char *val)
{
	u8 *base = (u8 *)params + p->off + idx * p->size;
	u64 v;

	if (p->type == SP_BOOL) {
		bool b;

		if (parse_bool(val, &b))
			return -EINVAL;
		v = b;
	} else if (parse_size(val, &v) && parse_time(val, 1, &v)) {
		return -EINVAL;
	}
	switch (p->size) {
	case 1:
		if (v > 0xff)
			return -ERANGE;
		*(u8 *)base = (u8)v;
		break;
	case 2:
		if (v > 0xffff)
			return -ERANGE;
		*(u16 *)base = (u16)v;
		break;
	case 4:
		if (v > U32_MAX)
			return -ERANGE;
		*(u32 *)base = (u32)v;
		break;
	default:
		*(u64 *)base = v;
		break;
	}
	return 0;
}

int model_param_set(const struct sim_model *m, void *params, const char *key,
		    const char *val, char *err, size_t errlen)
{
	const struct sim_param *p = NULL;
	char name[64], buf[256], *tok, *save;
	const char *br = strchr(key, '[');
	unsigned int i, idx = 0;
	bool indexed = false;
	size_t n = br ? (size_t)(br - key) : strlen(key);

	if (n < sizeof(name)) {
		memcpy(name, key, n);
		name[n] = '\0';
		for (i = 0; i < m->nr_params; i++)
			if (!strcmp(m->params[i].name, name))
				p = &m->params[i];
	}
	if (!p) {
		snprintf(err, errlen,
			 "model %s has no parameter '%s' (see --list-params)",
			 m->name, key);
		return -EINVAL;
	}
	if (br) {
		u64 v;
		char *end;

		if (strlen(br) >= sizeof(buf))
			goto bad_index;
		strcpy(buf, br + 1);
		end = strchr(buf, ']');
		if (!end || end[1])
			goto bad_index;
		*end = '\0';
		if (parse_u64(buf, &v) || v >= p->count)
			goto bad_index;
		idx = (unsigned int)v;
		indexed = true;
	}
	if (indexed || p->count == 1) {
		if (param_store(p, params, idx, val))
			goto bad;
		return 0;
	}
	if (strlen(val) >= sizeof(buf))
		goto bad;
	strcpy(buf, val);
	for (tok = strtok_r(buf, ",", &save), i = 0; tok;
	     tok = strtok_r(NULL, ",", &save), i++)
		if (i >= p->count || param_store(p, params, i, tok))
			goto bad;
	if (!i)
		goto bad;
	return 0;

bad_index:
	snprintf(err, errlen, "bad index in %s parameter '%s' (0..%u)",
		 m->name, key, p->count - 1);
	return -EINVAL;
bad:
	snprintf(err, errlen, "bad value for %s parameter %s: '%s'%s", m->name,
		 key, val, p->count > 1 && !indexed ?
		 " (up to the array length, comma separated)" : "");
	return -EINVAL;
}

/* "v" or "v0,v1,..." ("[v0, v1, ...]" for JSON). */
void model_param_format(const void *params, const struct sim_param *p,
			char *buf, size_t len, bool json)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	if (json && p->count > 1)
		used += snprintf(buf, len, "[");
	for (i = 0; i < p->count && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%llu",
				 i ? (json ? ", " : ",") : "",
				 (unsigned long long)model_param_get(params,
								     p, i));
	if (json && p->count > 1 && used < len)
		snprintf(buf + used, len - used, "]");
}

const char *place_check(const struct sim_model *m, const void *params,
			u32 ruh, u32 rg, char *buf, size_t len)
{
	u32 ruhs = 0, rgs = 0;
	u64 bb;

	if (!ruh && (!rg || rg == MODEL_RG_ANY))
		return NULL;	/* no placement, or the default one */
	if (!m->fdp_config) {
		snprintf(buf, len, "%s=%u needs a model with Flexible Data "
			 "Placement (conv with fdp_rgs > 0), not %s",
			 ruh ? "ruh" : "rg", ruh ? ruh : rg, m->name);
		return buf;
	}
	m->fdp_config(params, &ruhs, &rgs, &bb);
	if (!rgs)
		snprintf(buf, len, "%s=%u needs fdp_rgs > 0 (Flexible Data "
			 "Placement is off)", ruh ? "ruh" : "rg",
			 ruh ? ruh : rg);
	else if (ruh >= ruhs)
		snprintf(buf, len, "ruh=%u is out of range: handles 0..%u "
			 "(fdp_ruhs=%u)", ruh, ruhs - 1, ruhs);
	else if (rg >= rgs && rg != MODEL_RG_ANY)
		snprintf(buf, len, "rg=%u is out of range: reclaim groups "
			 "0..%u (fdp_rgs=%u)", rg, rgs - 1, rgs);
	else
		return NULL;
	return buf;
}

void model_print_params(FILE *f, const struct sim_model *m,
			const void *params, const char *preset)
{
	unsigned int i;
	char v[256];

	fprintf(f, "model %s: %s\n", m->name, m->desc);
	fprintf(f, "  %-20s %-24s  %s\n", "key",
		preset ? preset : "default", "meaning");
	for (i = 0; i < m->nr_params; i++) {
		const struct sim_param *p = &m->params[i];

		model_param_format(params, p, v, sizeof(v), false);
		fprintf(f, "  %-20s %-24s  %s\n", p->name, v, p->help);
	}
	if (m->capacity_param)
		fprintf(f, "  --capacity sets %s; default: the workload span, "
			"rounded up to %llu bytes\n", m->capacity_param,
			(unsigned long long)m->capacity_align);
	fprintf(f, "  presets (--preset):\n");
	for (i = 0; i < m->nr_presets; i++)
		fprintf(f, "    %-12s %s\n", m->presets[i].name,
			m->presets[i].desc);
}
