// SPDX-License-Identifier: GPL-2.0-only
/*
 * NVMe reservations of one namespace; see resv.h.
 */
#include "resv.h"

static bool all_registrants(unsigned int type)
{
	return type == RESV_WE_AR || type == RESV_EA_AR;
}

static bool id_zero(const u8 *id)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		if (id[i])
			return false;
	return true;
}

/* Hosts @a and @b are the same host. */
static bool host_eq(const struct resv_host *a, const struct resv_host *b)
{
	unsigned int i;

	if (id_zero(a->id) || id_zero(b->id))
		return id_zero(a->id) && id_zero(b->id) && a->cntlid == b->cntlid;
	for (i = 0; i < sizeof(a->id); i++)
		if (a->id[i] != b->id[i])
			return false;
	return a->ext == b->ext;
}

void resv_init(struct resv *r)
{
	memset(r, 0, sizeof(*r));
	r->holder = -1;
}

int resv_find(const struct resv *r, const struct resv_host *h)
{
	int i;

	for (i = 0; i < RESV_MAX_REGS; i++)
		if (r->regs[i].used && host_eq(&r->regs[i].host, h))
			return i;
	return -1;
}

bool resv_holds(const struct resv *r, int i)
{
	if (i < 0 || !r->regs[i].used || r->type == RESV_NONE)
		return false;
	return all_registrants(r->type) || r->holder == i;
}

/* Registrant @i goes; so does a reservation only it held. */
static void unregister(struct resv *r, int i)
{
	r->regs[i].used = false;
	r->nr--;
	if (all_registrants(r->type) ? !r->nr : r->holder == i) {
		r->type = RESV_NONE;
		r->holder = -1;
	}
}

/* Unregister every registrant but @self whose key is @key; how many. */
static unsigned int unregister_key(struct resv *r, int self, u64 key)
{
	unsigned int n = 0;
	int i;

	for (i = 0; i < RESV_MAX_REGS; i++)
		if (i != self && r->regs[i].used && r->regs[i].rkey == key) {
			unregister(r, i);
			n++;
		}
	return n;
}

static void take(struct resv *r, int i, unsigned int type)
{
	r->type = type;
	r->holder = all_registrants(type) ? -1 : i;
}

enum resv_result resv_register(struct resv *r, const struct resv_host *h,
			       unsigned int rrega, bool iekey, u64 crkey,
			       u64 nrkey)
{
	int i = resv_find(r, h);

	if (rrega > 2)
		return RESV_INVALID;
	if (rrega == 0) {
		if (i >= 0) {	/* again: the same key succeeds */
			if (r->regs[i].rkey != nrkey)
				return RESV_CONFLICT;
			r->gen++;
			return RESV_OK;
		}
		for (i = 0; i < RESV_MAX_REGS && r->regs[i].used; i++)
			;
		if (i == RESV_MAX_REGS)
			return RESV_FULL;
		r->regs[i].used = true;
		r->regs[i].host = *h;
		r->regs[i].rkey = nrkey;
		r->nr++;
		r->gen++;
		return RESV_OK;
	}
	if (i < 0 || (!iekey && r->regs[i].rkey != crkey))
		return RESV_CONFLICT;
	if (rrega == 1)
		unregister(r, i);
	else
		r->regs[i].rkey = nrkey;
	r->gen++;
	return RESV_OK;
}

static enum resv_result preempt(struct resv *r, int i, unsigned int rtype,
				u64 prkey)
{
	if (r->type == RESV_NONE) {
		if (!unregister_key(r, i, prkey))
			return RESV_CONFLICT;
	} else if (all_registrants(r->type)) {
		if (prkey) {
			if (!unregister_key(r, i, prkey))
				return RESV_CONFLICT;
		} else {
			int j;

			for (j = 0; j < RESV_MAX_REGS; j++)
				if (j != i && r->regs[j].used)
					unregister(r, j);
			take(r, i, rtype);
		}
	} else if (prkey == r->regs[r->holder].rkey) {
		unregister_key(r, i, prkey);
		take(r, i, rtype);
	} else {
		if (!prkey)
			return RESV_INVALID;
		if (!unregister_key(r, i, prkey))
			return RESV_CONFLICT;
	}
	r->gen++;
	return RESV_OK;
}

enum resv_result resv_acquire(struct resv *r, const struct resv_host *h,
			      unsigned int racqa, unsigned int rtype, u64 crkey,
			      u64 prkey)
{
	int i = resv_find(r, h);

	if (racqa > 2 || rtype < RESV_WE || rtype > RESV_EA_AR)
		return RESV_INVALID;
	if (i < 0 || r->regs[i].rkey != crkey)
		return RESV_CONFLICT;
	if (racqa)	/* preempt and abort aborts nothing: commands complete */
		return preempt(r, i, rtype, prkey);
	if (r->type == RESV_NONE) {
		take(r, i, rtype);
		return RESV_OK;
	}
	return resv_holds(r, i) && r->type == rtype ? RESV_OK : RESV_CONFLICT;
}

enum resv_result resv_release(struct resv *r, const struct resv_host *h,
			      unsigned int rrela, unsigned int rtype, u64 crkey)
{
	int i = resv_find(r, h);

	if (rrela > 1)
		return RESV_INVALID;
	if (i < 0 || r->regs[i].rkey != crkey)
		return RESV_CONFLICT;
	if (rrela == 1) {
		for (i = 0; i < RESV_MAX_REGS; i++)
			r->regs[i].used = false;
		r->nr = 0;
		r->type = RESV_NONE;
		r->holder = -1;
		r->gen++;
		return RESV_OK;
	}
	if (!resv_holds(r, i))	/* nothing held, or held by another */
		return RESV_OK;
	if (rtype != r->type)
		return RESV_INVALID;
	r->type = RESV_NONE;
	r->holder = -1;
	return RESV_OK;
}

bool resv_type_allows(unsigned int type, bool registrant, bool holder,
		      bool write)
{
	if (holder)
		return true;
	switch (type) {
	case RESV_WE:
		return !write;
	case RESV_EA:
		return false;
	case RESV_WE_RO:
	case RESV_WE_AR:
		return registrant || !write;
	case RESV_EA_RO:
	case RESV_EA_AR:
		return registrant;
	default:
		return true;
	}
}

bool resv_allows(const struct resv *r, const struct resv_host *h, bool write)
{
	int i;

	if (r->type == RESV_NONE)
		return true;
	i = resv_find(r, h);
	return resv_type_allows(r->type, i >= 0, resv_holds(r, i), write);
}
