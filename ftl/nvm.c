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
	p->cache_kib = 0;
	p->cmd_read_ns = 0;
	p->cmd_write_ns = 0;
}

const char *nvm_check_params(const struct nvm_params *p)
{
	if (p->nr_units < NVM_MIN_UNITS || p->nr_units > NVM_MAX_UNITS)
		return "nr_units must be 1..1024";
	if (p->unit_size < NVM_MIN_UNIT_SIZE ||
	    p->unit_size > NVM_MAX_UNIT_SIZE ||
	    (p->unit_size & (p->unit_size - 1)))
		return "unit_size must be a power of two, 512..1048576";
	if (p->cache_kib && (p->cache_kib < NVM_MIN_CACHE_KIB ||
			     p->cache_kib > NVM_MAX_CACHE_KIB))
		return "cache_kib must be 0 or 4..262144";
	if (p->cmd_read_ns > NVM_MAX_CMD_NS)
		return "cmd_read_ns must be 0..1000000";
	if (p->cmd_write_ns > NVM_MAX_CMD_NS)
		return "cmd_write_ns must be 0..1000000";
	return NULL;
}

int nvm_model_init(struct nvm_model *m, const struct nvm_params *p)
{
	struct nvm_params def;
	u32 shift = 0;

	memset(m, 0, sizeof(*m));
	if (!p) {
		nvm_params_default(&def);
		p = &def;
	}
	if (nvm_check_params(p))
		return -EINVAL;

	m->unit_free = kcalloc(p->nr_units, sizeof(*m->unit_free), GFP_KERNEL);
	if (!m->unit_free)
		return -ENOMEM;
	if (p->cache_kib) {
		size_t ring_bytes = sizeof(*m->ring) * NVM_CACHE_RING;

		m->ring = kvzalloc(ring_bytes, GFP_KERNEL);
		if (!m->ring) {
			nvm_model_exit(m);
			return -ENOMEM;
		}
	}

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
	kvfree(m->ring);
	m->unit_free = NULL;
	m->ring = NULL;
}

/* Empty the cache: nothing held, no write pending. */
static void nvm_cache_reset(struct nvm_model *m)
{
	m->ring_head = 0;
	m->ring_len = 0;
	m->held = 0;
	m->last_dur = 0;
	m->last_admit = 0;
}

void nvm_model_reset(struct nvm_model *m)
{
	if (m->unit_free)
		memset(m->unit_free, 0,
		       (size_t)m->p.nr_units * sizeof(*m->unit_free));
	m->cursor = 0;
	nvm_cache_reset(m);
	m->dur_at = 0;
	m->ctrl_free = 0;
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

/* Drop the oldest cache entry. */
static void nvm_cache_pop(struct nvm_model *m)
{
	m->held -= m->ring[m->ring_head].bytes;
	if (++m->ring_head == NVM_CACHE_RING)
		m->ring_head = 0;
	m->ring_len--;
}

/*
 * A write of @len > 0 bytes through the cache (nvm.h), ready at @ready,
 * whose data reaches the media at @media: returns its completion time and
 * sets m->dur_at to its D'.
 */
static u64 nvm_cache_write(struct nvm_model *m, u64 ready, u64 media,
			   u64 len, bool fua)
{
	u64 cap = (u64)m->p.cache_kib << 10;
	u64 a = ready > m->last_admit ? ready : m->last_admit;
	u64 dur = media > m->last_dur ? media : m->last_dur;
	struct nvm_cache_ent *tail;

	/* the writes ahead leave in order, as their D' passes */
	while (m->ring_len && m->ring[m->ring_head].dur <= a)
		nvm_cache_pop(m);
	while (m->ring_len && (len > cap || m->held + len > cap)) {
		a = m->ring[m->ring_head].dur;	/* D' only grows */
		nvm_cache_pop(m);
	}
	if (len > cap && m->last_dur > a)
		a = m->last_dur;	/* the cache is empty */
	m->last_admit = a;
	m->last_dur = dur;
	m->dur_at = dur;
	if (len > cap)
		return dur;	/* written through */
	if (m->ring_len < NVM_CACHE_RING) {
		u32 i = m->ring_head + m->ring_len;

		if (i >= NVM_CACHE_RING)
			i -= NVM_CACHE_RING;
		m->ring[i].dur = dur;
		m->ring[i].bytes = len;
		m->ring_len++;
	} else {
		/* ring full: merge into the tail (conservative) */
		u32 i = m->ring_head + NVM_CACHE_RING - 1;

		if (i >= NVM_CACHE_RING)
			i -= NVM_CACHE_RING;
		tail = &m->ring[i];
		tail->dur = dur;
		tail->bytes += len;
	}
	m->held += len;
	return fua && dur > a ? dur : a;
}

/*
 * The controller's command rate (nvm.h): when a command of @cmd_ns > 0
 * fetched at @now is started; 0 bypasses the controller.
 */
static u64 nvm_ctrl_start(struct nvm_model *m, u64 now, u32 cmd_ns)
{
	u64 s = now;

	if (!cmd_ns)
		return now;
	if (m->ctrl_free > s)
		s = m->ctrl_free;
	m->ctrl_free = model_add_sat(s, cmd_ns);
	return s;
}

static u64 nvm_schedule(struct nvm_model *m, const struct model_req *req)
{
	const struct nvm_params *p = &m->p;
	u64 now, done;

	switch (req->op) {
	case MODEL_READ:
		now = nvm_ctrl_start(m, req->now, p->cmd_read_ns);
		return nvm_model_xfer(m, now, req->len, p->read_delay,
				      p->read_time, p->read_trailing);
	case MODEL_WRITE:
		now = nvm_ctrl_start(m, req->now, p->cmd_write_ns);
		done = nvm_model_xfer(m, now, req->len, p->write_delay,
				      p->write_time, p->write_trailing);
		if (!m->ring || !req->len)
			return done;
		return nvm_cache_write(m, model_add_sat(now, p->write_delay),
				       done, req->len, req->fua);
	case MODEL_FLUSH:
		return m->last_dur > req->now ? m->last_dur : req->now;
	case MODEL_DISCARD:
	case MODEL_WRITE_ZEROES:
	case MODEL_OTHER:
	default:	/* e.g. MODEL_ZONE_RESET, MODEL_ZONE_FINISH */
		return req->now;
	}
}

u64 nvm_model_schedule(struct nvm_model *m, const struct model_req *req)
{
	u64 done;

	m->dur_at = 0;
	done = nvm_schedule(m, req);
	if (!m->dur_at)
		m->dur_at = done;
	return done;
}

bool nvm_model_volatile_cache(struct nvm_model *m)
{
	return m->p.cache_kib > 0;
}

void nvm_model_durability(struct nvm_model *m, const struct model_req *req,
			  struct model_durability *d)
{
	(void)req;	/* schedule() computed the answer */
	memset(d, 0, sizeof(*d));
	d->at = m->dur_at;
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

static bool nvm_ops_volatile_cache(void *priv)
{
	return nvm_model_volatile_cache(priv);
}

static void nvm_ops_durability(void *priv, const struct model_req *req,
			       struct model_durability *d)
{
	nvm_model_durability(priv, req, d);
}

const struct model_ops nvm_model_ops = {
	.name = "nvm",
	.priv_size = sizeof(struct nvm_model),
	.init = nvm_ops_init,
	.exit = nvm_ops_exit,
	.schedule = nvm_ops_schedule,
	.reset = nvm_ops_reset,
	.volatile_cache = nvm_ops_volatile_cache,
	.durability = nvm_ops_durability,
};
