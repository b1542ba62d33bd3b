// SPDX-License-Identifier: GPL-2.0-only
/*
 * zns.c - zone state machine of an NVMe Zoned Namespace; see zns.h for the
 * exact rules.
 */
#include "zns.h"

static bool zns_is_pow2(u64 v)
{
	return v && !(v & (v - 1));
}

u32 zns_ilog2(u64 v)
{
	u32 s = 0;

	while (v > 1) {
		v >>= 1;
		s++;
	}
	return s;
}

/*
 * The default open and active limit for @nr_zones zones: below the zone
 * count, as shipping drives have, so the limit is reachable (zns.h).
 */
static u32 zns_default_limit(u64 nr_zones)
{
	if (nr_zones > ZNS_DEFAULT_MAX_OPEN)
		return ZNS_DEFAULT_MAX_OPEN;
	return nr_zones > 1 ? (u32)nr_zones - 1 : 1;
}

void zns_params_default(struct zns_params *p, u64 nr_lbas, u32 lba_shift)
{
	u64 max_lbas, target, zone = 1;

	memset(p, 0, sizeof(*p));
	p->nr_lbas = nr_lbas;

	/* Zones of at most 64 MiB, at least 16 of them when possible. */
	max_lbas = lba_shift < 26 ? ZNS_DEFAULT_ZONE_BYTES >> lba_shift : 1;
	target = nr_lbas >> 4;
	while (zone <= target >> 1 && zone < max_lbas)
		zone <<= 1;
	p->zone_size = zone;
	p->zone_cap = zone;

	p->max_open = zns_default_limit(nr_lbas >> zns_ilog2(zone));
	p->max_active = p->max_open;
	p->zasl = 0;
}

const char *zns_params_geometry(struct zns_params *p, u64 nr_lbas,
				u32 lba_shift, u64 zone_bytes, u64 cap_bytes,
				u32 max_open, u32 max_active)
{
	u32 def;

	zns_params_default(p, nr_lbas, lba_shift);
	if (zone_bytes) {
		if (!zns_is_pow2(zone_bytes) || zone_bytes >> lba_shift == 0)
			return "zone_size must be a power of two of at least one LBA";
		p->zone_size = zone_bytes >> lba_shift;
		if (p->zone_size > nr_lbas)
			return "zone_size is larger than the namespace";
		p->zone_cap = p->zone_size;
	}
	if (cap_bytes) {
		if (cap_bytes & ((1ULL << lba_shift) - 1))
			return "zone_cap must be a multiple of the LBA size";
		p->zone_cap = cap_bytes >> lba_shift;
		if (p->zone_cap > p->zone_size)
			return "zone_cap is larger than the zone size";
	}
	def = zns_default_limit(nr_lbas >> zns_ilog2(p->zone_size));
	p->max_active = max_active == ZNS_LIMIT_AUTO ? def : max_active;
	if (max_open != ZNS_LIMIT_AUTO)
		p->max_open = max_open;
	else if (p->max_active && p->max_active < def)
		p->max_open = p->max_active;
	else
		p->max_open = def;
	return NULL;
}

const char *zns_check_params(const struct zns_params *p)
{
	u64 nr_zones;

	if (!zns_is_pow2(p->zone_size))
		return "zone_size: must be a power of two (LBAs)";
	if (p->nr_lbas < p->zone_size)
		return "nr_lbas: must be >= zone_size (at least one zone)";
	nr_zones = p->nr_lbas >> zns_ilog2(p->zone_size);
	if (nr_zones > ZNS_MAX_ZONES)
		return "nr_lbas / zone_size: at most ZNS_MAX_ZONES (4194304) zones";
	if (!p->zone_cap || p->zone_cap > p->zone_size)
		return "zone_cap: must be 1 .. zone_size";
	if (p->zone_cap > U32_MAX)
		return "zone_cap: at most 2^32 - 1 LBAs";
	if (p->max_open > nr_zones)
		return "max_open: must be 0 (no limit) .. number of zones";
	if (p->max_active > nr_zones)
		return "max_active: must be 0 (no limit) .. number of zones";
	if (p->max_active && (!p->max_open || p->max_open > p->max_active))
		return "max_open: must be 1 .. max_active when max_active is set";
	return NULL;
}

int zns_init(struct zns *z, const struct zns_params *p)
{
	size_t size;
	u32 i;

	memset(z, 0, sizeof(*z));
	if (zns_check_params(p))
		return -EINVAL;
	z->p = *p;
	z->zone_shift = zns_ilog2(p->zone_size);
	z->nr_zones = (u32)(p->nr_lbas >> z->zone_shift);
	size = sizeof(*z->zones) * (size_t)z->nr_zones;
	z->zones = kvzalloc(size, GFP_KERNEL);
	if (!z->zones)
		return -ENOMEM;
	if (p->max_open) {
		size = sizeof(u32) * (size_t)p->max_open;
		z->open_fifo = kvzalloc(size, GFP_KERNEL);
		if (!z->open_fifo) {
			kvfree(z->zones);
			z->zones = NULL;
			return -ENOMEM;
		}
	}
	for (i = 0; i < z->nr_zones; i++) {
		z->zones[i].wp = (u64)i << z->zone_shift;
		z->zones[i].state = ZNS_ZSE;
	}
	return 0;
}

void zns_exit(struct zns *z)
{
	kvfree(z->zones);
	kvfree(z->open_fifo);
	z->zones = NULL;
	z->open_fifo = NULL;
	z->nr_zones = 0;
}

u32 zns_nr_zones(const struct zns *z)
{
	return z->nr_zones;
}

u64 zns_nsze(const struct zns *z)
{
	return (u64)z->nr_zones << z->zone_shift;
}

u64 zns_tail_lbas(const struct zns *z)
{
	return z->p.nr_lbas - zns_nsze(z);
}

u32 zns_nr_open(const struct zns *z)
{
	return z->nr_open;
}

u32 zns_nr_active(const struct zns *z)
{
	return z->nr_active;
}

u32 zns_mor(const struct zns *z)
{
	return z->p.max_open ? z->p.max_open - 1 : ZNS_NO_LIMIT;
}

u32 zns_mar(const struct zns *z)
{
	return z->p.max_active ? z->p.max_active - 1 : ZNS_NO_LIMIT;
}

static u64 zns_zslba(const struct zns *z, u32 i)
{
	return (u64)i << z->zone_shift;
}

static bool zns_state_open(u8 st)
{
	return st == ZNS_ZSIO || st == ZNS_ZSEO;
}

static bool zns_state_active(u8 st)
{
	return st == ZNS_ZSIO || st == ZNS_ZSEO || st == ZNS_ZSC;
}

static bool zns_wp_valid(u8 st)
{
	return st != ZNS_ZSF && st != ZNS_ZSRO && st != ZNS_ZSO;
}

void zns_zone_desc(const struct zns *z, u32 zone, struct zns_desc *d)
{
	const struct zns_zone *zz = &z->zones[zone];

	d->type = ZNS_ZONE_TYPE_SEQ_WRITE;
	d->state = zz->state;
	d->attrs = zz->attrs;
	d->cap = z->p.zone_cap;
	d->zslba = zns_zslba(z, zone);
	d->wp = zns_wp_valid(zz->state) ? zz->wp : ZNS_WP_INVALID;
}

/* Remove zone @i from the open FIFO (it is there). */
static void zns_fifo_remove(struct zns *z, u32 i)
{
	u32 k;

	if (!z->open_fifo)
		return;
	for (k = 0; k < z->nr_open; k++)
		if (z->open_fifo[k] == i)
			break;
	for (; k + 1 < z->nr_open; k++)
		z->open_fifo[k] = z->open_fifo[k + 1];
}

/* Move zone @i to state @st, keeping the counters and the FIFO right. */
static void zns_set_state(struct zns *z, u32 i, u8 st)
{
	u8 old = z->zones[i].state;

	if (zns_state_open(old) && !zns_state_open(st)) {
		zns_fifo_remove(z, i);
		z->nr_open--;
	} else if (!zns_state_open(old) && zns_state_open(st)) {
		if (z->open_fifo)
			z->open_fifo[z->nr_open] = i;
		z->nr_open++;
	}
	if (zns_state_active(old) && !zns_state_active(st))
		z->nr_active--;
	else if (!zns_state_active(old) && zns_state_active(st))
		z->nr_active++;
	z->zones[i].state = st;
}

/*
 * Reserve what zone @i (ZSE or ZSC) needs to become open, implicitly
 * closing the oldest ZSIO zone if the open limit is reached.
 */
static enum zns_status zns_make_room(struct zns *z, u32 i)
{
	u32 k;

	if (z->zones[i].state == ZNS_ZSE && z->p.max_active &&
	    z->nr_active >= z->p.max_active)
		return ZNS_TOO_MANY_ACTIVE;
	if (!z->p.max_open || z->nr_open < z->p.max_open)
		return ZNS_OK;
	for (k = 0; k < z->nr_open; k++) {
		u32 v = z->open_fifo[k];

		if (z->zones[v].state == ZNS_ZSIO) {
			zns_set_state(z, v, ZNS_ZSC);
			return ZNS_OK;
		}
	}
	return ZNS_TOO_MANY_OPEN;
}

static enum zns_status zns_write_state_check(u8 st)
{
	switch (st) {
	case ZNS_ZSF:
		return ZNS_ZONE_FULL;
	case ZNS_ZSRO:
		return ZNS_ZONE_READ_ONLY;
	case ZNS_ZSO:
		return ZNS_ZONE_OFFLINE;
	default:
		return ZNS_OK;
	}
}

/* Write steps 5 and 6 and the update, at the write pointer of zone @i. */
static enum zns_status zns_do_write(struct zns *z, u32 i, u64 nlb)
{
	struct zns_zone *zz = &z->zones[i];
	u64 cap_end = zns_zslba(z, i) + z->p.zone_cap;
	enum zns_status st;
	u64 end;

	if (check_add_overflow(zz->wp, nlb, &end) || end > cap_end)
		return ZNS_ZONE_BOUNDARY_ERROR;
	if (zz->state == ZNS_ZSE || zz->state == ZNS_ZSC) {
		st = zns_make_room(z, i);
		if (st)
			return st;
		zns_set_state(z, i, ZNS_ZSIO);
	}
	zz->wp = end;
	zz->data = (u32)(end - zns_zslba(z, i));
	if (end == cap_end)
		zns_set_state(z, i, ZNS_ZSF);
	return ZNS_OK;
}

static enum zns_status zns_range_check(const struct zns *z, u64 slba, u64 nlb)
{
	u64 end;

	if (!nlb)
		return ZNS_INVALID_FIELD;
	if (check_add_overflow(slba, nlb, &end) || end > zns_nsze(z))
		return ZNS_LBA_OUT_OF_RANGE;
	return ZNS_OK;
}

enum zns_status zns_write(struct zns *z, u64 slba, u64 nlb, u32 *zone)
{
	enum zns_status st = zns_range_check(z, slba, nlb);
	u32 i;

	if (st)
		return st;
	i = (u32)(slba >> z->zone_shift);
	st = zns_write_state_check(z->zones[i].state);
	if (st)
		return st;
	if (slba != z->zones[i].wp)
		return ZNS_ZONE_INVALID_WRITE;
	st = zns_do_write(z, i, nlb);
	if (!st && zone)
		*zone = i;
	return st;
}

void zns_set_zasl(struct zns *z, u32 zasl)
{
	z->p.zasl = zasl;
}

enum zns_status zns_append(struct zns *z, u64 zslba, u64 nlb, u64 *out_lba)
{
	enum zns_status st = zns_range_check(z, zslba, nlb);
	u64 wp;
	u32 i;

	if (st)
		return st;
	i = (u32)(zslba >> z->zone_shift);
	if (zslba != zns_zslba(z, i))
		return ZNS_INVALID_FIELD;
	if (z->p.zasl && nlb > z->p.zasl)
		return ZNS_INVALID_FIELD;
	st = zns_write_state_check(z->zones[i].state);
	if (st)
		return st;
	wp = z->zones[i].wp;
	st = zns_do_write(z, i, nlb);
	if (!st && out_lba)
		*out_lba = wp;
	return st;
}

enum zns_status zns_read_check(const struct zns *z, u64 slba, u64 nlb)
{
	enum zns_status st = zns_range_check(z, slba, nlb);
	u32 i, last;

	if (st)
		return st;
	last = (u32)((slba + nlb - 1) >> z->zone_shift);
	for (i = (u32)(slba >> z->zone_shift); i <= last; i++)
		if (z->zones[i].state == ZNS_ZSO)
			return ZNS_ZONE_OFFLINE;
	return ZNS_OK;
}

u64 zns_data_end(const struct zns *z, u32 zone)
{
	return zns_zslba(z, zone) + z->zones[zone].data;
}

static enum zns_status zns_act_open(struct zns *z, u32 i)
{
	enum zns_status st;

	switch (z->zones[i].state) {
	case ZNS_ZSE:
	case ZNS_ZSC:
		st = zns_make_room(z, i);
		if (st)
			return st;
		zns_set_state(z, i, ZNS_ZSEO);
		return ZNS_OK;
	case ZNS_ZSIO:
		zns_set_state(z, i, ZNS_ZSEO);
		return ZNS_OK;
	case ZNS_ZSEO:
		return ZNS_OK;
	default:
		return ZNS_INVALID_TRANSITION;
	}
}

static enum zns_status zns_act_close(struct zns *z, u32 i)
{
	switch (z->zones[i].state) {
	case ZNS_ZSIO:
	case ZNS_ZSEO:
		zns_set_state(z, i, ZNS_ZSC);
		return ZNS_OK;
	case ZNS_ZSC:
		return ZNS_OK;
	default:
		return ZNS_INVALID_TRANSITION;
	}
}

static enum zns_status zns_act_finish(struct zns *z, u32 i, zns_range_fn fn,
				      void *arg)
{
	struct zns_zone *zz = &z->zones[i];
	u64 cap_end = zns_zslba(z, i) + z->p.zone_cap;

	switch (zz->state) {
	case ZNS_ZSE:
	case ZNS_ZSIO:
	case ZNS_ZSEO:
	case ZNS_ZSC:
		if (fn && zz->wp < cap_end)
			fn(arg, zz->wp, cap_end - zz->wp);
		zz->wp = cap_end;
		zns_set_state(z, i, ZNS_ZSF);
		return ZNS_OK;
	case ZNS_ZSF:
		return ZNS_OK;
	default:
		return ZNS_INVALID_TRANSITION;
	}
}

static enum zns_status zns_act_reset(struct zns *z, u32 i, zns_range_fn fn,
				     void *arg)
{
	struct zns_zone *zz = &z->zones[i];
	u64 zslba = zns_zslba(z, i);

	switch (zz->state) {
	case ZNS_ZSIO:
	case ZNS_ZSEO:
	case ZNS_ZSC:
	case ZNS_ZSF:
		if (fn && zz->wp > zslba)
			fn(arg, zslba, zz->wp - zslba);
		zz->wp = zslba;
		zz->data = 0;
		zns_set_state(z, i, ZNS_ZSE);
		return ZNS_OK;
	case ZNS_ZSE:
		return ZNS_OK;
	default:
		return ZNS_INVALID_TRANSITION;
	}
}

static enum zns_status zns_act_offline(struct zns *z, u32 i)
{
	switch (z->zones[i].state) {
	case ZNS_ZSRO:
		zns_set_state(z, i, ZNS_ZSO);
		return ZNS_OK;
	case ZNS_ZSO:
		return ZNS_OK;
	default:
		return ZNS_INVALID_TRANSITION;
	}
}

static enum zns_status zns_act(struct zns *z, u32 action, u32 i,
			       zns_range_fn fn, void *arg)
{
	switch (action) {
	case ZNS_ACT_OPEN:
		return zns_act_open(z, i);
	case ZNS_ACT_CLOSE:
		return zns_act_close(z, i);
	case ZNS_ACT_FINISH:
		return zns_act_finish(z, i, fn, arg);
	case ZNS_ACT_RESET:
		return zns_act_reset(z, i, fn, arg);
	default:
		return zns_act_offline(z, i);
	}
}

/* Does Select All of @action apply to a zone in state @st? */
static bool zns_all_selects(u32 action, u8 st)
{
	switch (action) {
	case ZNS_ACT_OPEN:
		return st == ZNS_ZSC;
	case ZNS_ACT_CLOSE:
		return zns_state_open(st);
	case ZNS_ACT_FINISH:
		return zns_state_active(st);
	case ZNS_ACT_RESET:
		return zns_state_active(st) || st == ZNS_ZSF;
	default:
		return st == ZNS_ZSRO;
	}
}

enum zns_status zns_mgmt_send(struct zns *z, u32 action, u64 zslba,
			      bool select_all, zns_range_fn fn, void *arg)
{
	u32 i;

	if (action < ZNS_ACT_CLOSE || action > ZNS_ACT_OFFLINE)
		return ZNS_INVALID_FIELD;
	if (!select_all) {
		if (zslba >= zns_nsze(z))
			return ZNS_LBA_OUT_OF_RANGE;
		i = (u32)(zslba >> z->zone_shift);
		if (zslba != zns_zslba(z, i))
			return ZNS_INVALID_FIELD;
		return zns_act(z, action, i, fn, arg);
	}
	/* Select All Open: all closed zones or none. */
	if (action == ZNS_ACT_OPEN && z->p.max_open &&
	    z->nr_active > z->p.max_open)
		return ZNS_TOO_MANY_OPEN;
	for (i = 0; i < z->nr_zones; i++)
		if (zns_all_selects(action, z->zones[i].state))
			zns_act(z, action, i, fn, arg);
	return ZNS_OK;
}

static bool zns_matches(u32 option, u8 st)
{
	static const u8 opt_state[] = {
		[ZNS_REPORT_EMPTY] = ZNS_ZSE,
		[ZNS_REPORT_IMP_OPEN] = ZNS_ZSIO,
		[ZNS_REPORT_EXP_OPEN] = ZNS_ZSEO,
		[ZNS_REPORT_CLOSED] = ZNS_ZSC,
		[ZNS_REPORT_FULL] = ZNS_ZSF,
		[ZNS_REPORT_READ_ONLY] = ZNS_ZSRO,
		[ZNS_REPORT_OFFLINE] = ZNS_ZSO,
	};

	return option == ZNS_REPORT_ALL || opt_state[option] == st;
}

enum zns_status zns_report(const struct zns *z, u64 slba, u32 option,
			   bool partial, struct zns_desc *buf, u32 max_descs,
			   u64 *nr_total, u32 *nr_copied)
{
	u64 total = 0;
	u32 copied = 0;
	u32 i;

	if (slba >= zns_nsze(z))
		return ZNS_LBA_OUT_OF_RANGE;
	if (option > ZNS_REPORT_OFFLINE)
		return ZNS_INVALID_FIELD;
	for (i = (u32)(slba >> z->zone_shift); i < z->nr_zones; i++) {
		if (!zns_matches(option, z->zones[i].state))
			continue;
		if (copied < max_descs)
			zns_zone_desc(z, i, &buf[copied++]);
		else if (partial)
			break;
		total++;
	}
	*nr_total = partial ? copied : total;
	*nr_copied = copied;
	return ZNS_OK;
}

enum zns_status zns_set_read_only(struct zns *z, u32 zone)
{
	if (zone >= z->nr_zones)
		return ZNS_INVALID_FIELD;
	if (z->zones[zone].state == ZNS_ZSO)
		return ZNS_INVALID_TRANSITION;
	zns_set_state(z, zone, ZNS_ZSRO);
	return ZNS_OK;
}

enum zns_status zns_set_offline(struct zns *z, u32 zone)
{
	if (zone >= z->nr_zones)
		return ZNS_INVALID_FIELD;
	zns_set_state(z, zone, ZNS_ZSO);
	return ZNS_OK;
}

void zns_power_lost(struct zns *z, u64 slba)
{
	u32 i = slba >> z->zone_shift;
	struct zns_zone *zz;
	u64 keep;

	if (i >= z->nr_zones)
		return;
	zz = &z->zones[i];
	keep = slba - zns_zslba(z, i);
	if (zz->state == ZNS_ZSO || keep >= zz->data)
		return;
	zz->data = keep;
	if (zns_wp_valid(zz->state))
		zz->wp = slba;
}

void zns_power_on(struct zns *z)
{
	u32 i;

	for (i = 0; i < z->nr_zones; i++) {
		u8 st = z->zones[i].state;

		if (!zns_state_active(st))
			continue;
		if (z->zones[i].wp == zns_zslba(z, i))
			zns_set_state(z, i, ZNS_ZSE);
		else if (st != ZNS_ZSC)
			zns_set_state(z, i, ZNS_ZSC);
	}
}
