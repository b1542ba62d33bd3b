// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvm.c - timing model of an Optane-class NVM SSD.  Semantics: see nvm.h.
 */
#include "nvm.h"

void nvm_params_default(struct nvm_params *p)
{
	p->read_delay = NVM_DEFAULT_READ_DELAY;
	p->read_time = NVM_DEFAULT_READ_TIME;
	p->read_trailing = NVM_DEFAULT_READ_TRAILING;
	p->write_delay = NVM_DEFAULT_WRITE_DELAY;
	p->write_time = NVM_DEFAULT_WRITE_TIME;
	p->write_trailing = NVM_DEFAULT_WRITE_TRAILING;
	p->nr_units = NVM_DEFAULT_NR_UNITS;
	p->unit_size = NVM_DEFAULT_UNIT_SIZE;
}

static int nvm_params_check(const struct nvm_params *p)
{
	if (p->nr_units < NVM_MIN_UNITS || p->nr_units > NVM_MAX_UNITS)
		return -EINVAL;
	if (p->unit_size < NVM_MIN_UNIT_SIZE ||
	    p->unit_size > NVM_MAX_UNIT_SIZE ||
	    (p->unit_size & (p->unit_size - 1)))
		return -EINVAL;
	return 0;
}

int nvm_model_init(struct nvm_model *m, const struct nvm_params *p)
{
	struct nvm_params def;
	u32 shift = 0;
	int err;

	memset(m, 0, sizeof(*m));
	if (!p) {
		nvm_params_default(&def);
		p = &def;
	}
	err = nvm_params_check(p);
	if (err)
		return err;

	m->unit_free = kcalloc(p->nr_units, sizeof(*m->unit_free), GFP_KERNEL);
	if (!m->unit_free)
		return -ENOMEM;

	while ((1U << shift) < p->unit_size)
		shift++;
	m->p = *p;
	m->unit_shift = shift;
	m->cursor = 0;
	return 0;
}

void nvm_model_exit(struct nvm_model *m)
{
	kfree(m->unit_free);
	m->unit_free = NULL;
}

void nvm_model_reset(struct nvm_model *m)
{
	if (m->unit_free)
		memset(m->unit_free, 0,
		       (size_t)m->p.nr_units * sizeof(*m->unit_free));
	m->cursor = 0;
}

/*
 * Place the chunks of one read or write.  Rather than walking every chunk,
 * note that with n chunks and N units, the units cursor .. cursor+N-1 each
 * get n / N chunks and the first n % N of them one more.  A unit given k
 * back-to-back chunks starts the first at s = max(ready, unit_free) and
 * each following one exactly time + trailing later (the previous chunk
 * finished at or after ready), so its last chunk finishes at
 * s + (k - 1) * (time + trailing) + time.  This is the per-chunk rule of
 * nvm.h in O(min(n, N)).
 */
static u64 nvm_model_xfer(struct nvm_model *m, u64 now, u64 len,
			  u32 delay, u32 time, u32 trailing)
{
	const u32 nr_units = m->p.nr_units;
	u64 ready = model_add_sat(now, delay);
	u64 cycle = (u64)time + trailing;
	u64 nr_chunks, rounds, done = ready;
	u32 extra, nr_used, unit, i;

	nr_chunks = (len >> m->unit_shift) + !!(len & (m->p.unit_size - 1));
	if (!nr_chunks)
		return ready;

	rounds = div_u64_rem(nr_chunks, nr_units, &extra);
	nr_used = rounds ? nr_units : extra;

	unit = m->cursor;
	for (i = 0; i < nr_used; i++) {
		u64 k = rounds + (i < extra ? 1 : 0);
		u64 start = m->unit_free[unit];
		u64 busy, finish;

		if (start < ready)
			start = ready;
		busy = model_add_sat(model_mul_sat(k - 1, cycle), time);
		finish = model_add_sat(start, busy);
		m->unit_free[unit] = model_add_sat(finish, trailing);
		if (finish > done)
			done = finish;
		if (++unit == nr_units)
			unit = 0;
	}

	/* Advance by n % N; both terms are < N so one subtraction wraps. */
	m->cursor += extra;
	if (m->cursor >= nr_units)
		m->cursor -= nr_units;
	return done;
}

u64 nvm_model_schedule(struct nvm_model *m, const struct model_req *req)
{
	const struct nvm_params *p = &m->p;

	switch (req->op) {
	case MODEL_READ:
		return nvm_model_xfer(m, req->now, req->len, p->read_delay,
				      p->read_time, p->read_trailing);
	case MODEL_WRITE:
		return nvm_model_xfer(m, req->now, req->len, p->write_delay,
				      p->write_time, p->write_trailing);
	case MODEL_FLUSH:
	case MODEL_DISCARD:
	case MODEL_WRITE_ZEROES:
	case MODEL_OTHER:
	default:	/* e.g. MODEL_ZONE_RESET, MODEL_ZONE_FINISH */
		return req->now;
	}
}

static int nvm_ops_init(void *priv, const void *params)
{
	return nvm_model_init(priv, params);
}

static void nvm_ops_exit(void *priv)
{
	nvm_model_exit(priv);
}

static u64 nvm_ops_schedule(void *priv, const struct model_req *req)
{
	return nvm_model_schedule(priv, req);
}

static void nvm_ops_reset(void *priv)
{
	nvm_model_reset(priv);
}

const struct model_ops nvm_model_ops = {
	.name = "nvm",
	.priv_size = sizeof(struct nvm_model),
	.init = nvm_ops_init,
	.exit = nvm_ops_exit,
	.schedule = nvm_ops_schedule,
	.reset = nvm_ops_reset,
};
