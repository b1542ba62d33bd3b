// SPDX-License-Identifier: GPL-2.0-only
/*
 * TEMPORARY STUB - DROP AT MERGE.
 *
 * A stand-in for the Flexible Data Placement part of the conv model
 * (ftl/conv.h "Flexible Data Placement"), so that the host interface
 * (fdp.c) builds and runs before the real model lands.  It keeps, per
 * model instance, how many bytes each handle wrote into its current
 * reclaim unit in each reclaim group; a write that fills one opens the
 * next (CONV_FDP_EV_RU_FULL).  There is no garbage collection here, so
 * CONV_FDP_EV_GC_MOVED never happens, and placement does not change the
 * timing.  Instances are found in a small table (configuration paths hold
 * nvmev_cfg_lock while they register or leave).  Together with the three
 * lines in conv_ops_schedule() (ftl/conv.c) this commit is to be reverted
 * when the real implementation is merged.
 */
#include "ftl_compat.h"
#include "conv.h"

#define STUB_SLOTS	8

struct stub_fdp {
	const struct conv_model *m;
	conv_fdp_event_fn fn;
	void *arg;
	u64 used[CONV_FDP_MAX_RUHS][CONV_FDP_MAX_RGS];
};

static struct stub_fdp stub_table[STUB_SLOTS];

void conv_fdp_stub_account(struct conv_model *m, const struct model_req *req);

static struct stub_fdp *stub_find(const struct conv_model *m)
{
	unsigned int i;

	for (i = 0; i < STUB_SLOTS; i++)
		if (stub_table[i].m == m)
			return &stub_table[i];
	return NULL;
}

bool conv_fdp_enabled(const struct conv_model *m)
{
	return m->p.fdp_rgs > 0;
}

u64 conv_fdp_ru_bytes(const struct conv_model *m)
{
	if (!conv_fdp_enabled(m))
		return 0;
	return (u64)m->grp_slots * 4096 * (m->nr_luns / m->p.fdp_rgs);
}

u64 conv_fdp_ru_avail(const struct conv_model *m, u32 ruh, u32 rg)
{
	const struct stub_fdp *s = stub_find(m);
	u64 ru = conv_fdp_ru_bytes(m);

	if (!s || ruh >= CONV_FDP_MAX_RUHS || rg >= CONV_FDP_MAX_RGS)
		return ru;
	return ru - s->used[ruh][rg];
}

u64 conv_fdp_ru_update(struct conv_model *m, u32 ruh, u32 rg, u64 now)
{
	(void)now;
	struct stub_fdp *s = stub_find(m);
	u64 left;

	if (!s || ruh >= CONV_FDP_MAX_RUHS || rg >= CONV_FDP_MAX_RGS ||
	    !s->used[ruh][rg])
		return 0;
	left = conv_fdp_ru_bytes(m) - s->used[ruh][rg];
	s->used[ruh][rg] = 0;
	return left;
}

void conv_fdp_set_event_fn(struct conv_model *m, conv_fdp_event_fn fn,
			   void *arg)
{
	struct stub_fdp *s = stub_find(m);

	if (!s && fn)
		s = stub_find(NULL);
	if (!s)
		return;
	memset(s, 0, sizeof(*s));
	if (fn) {
		s->m = m;
		s->fn = fn;
		s->arg = arg;
	}
}

/* Called by conv_ops_schedule() after every request (stub only). */
void conv_fdp_stub_account(struct conv_model *m, const struct model_req *req)
{
	struct stub_fdp *s;
	u64 ru, len;

	if (req->op != MODEL_WRITE || !conv_fdp_enabled(m))
		return;
	s = stub_find(m);
	if (!s || req->ruh >= CONV_FDP_MAX_RUHS || req->rg >= CONV_FDP_MAX_RGS)
		return;
	ru = conv_fdp_ru_bytes(m);
	len = req->len;
	while (len) {
		u64 room = ru - s->used[req->ruh][req->rg];
		u64 n = len < room ? len : room;

		s->used[req->ruh][req->rg] += n;
		len -= n;
		if (s->used[req->ruh][req->rg] == ru) {
			struct conv_fdp_event ev = {
				.type = CONV_FDP_EV_RU_FULL,
				.ruh = req->ruh, .rg = req->rg, .t = req->now,
			};

			s->used[req->ruh][req->rg] = 0;
			if (s->fn)
				s->fn(s->arg, &ev);
		}
	}
}
