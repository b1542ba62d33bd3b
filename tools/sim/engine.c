// SPDX-License-Identifier: GPL-2.0-only
/*
 * engine.c - nvmev-sim event loop.
 *
 * Closed-loop queue model in virtual time.  Every job owns iodepth queue
 * slots.  A free slot takes the job's next command at once (or, for a
 * trace command with a time, not before that time; commands of one job are
 * issued in order).  The command is submitted at that time t; the device
 * fetches it at t + host_overhead, which is the "now" given to the
 * model's schedule(); the model returns the completion time done, and the
 * slot is free again at done + thinktime.  Latency = done - t.
 *
 * Three kinds of events sit in one min-heap ordered by (time, sequence
 * number); the sequence number is the order of creation, so ties are
 * broken the same way on every run:
 *
 *   WAKE   a job may issue (phase start, or a trace time reached)
 *   FETCH  the device fetches the command in a slot (host_overhead > 0)
 *   FREE   a slot's command completed (plus thinktime): issue more
 *
 * Events are handled in time order, so the model sees non-decreasing now
 * values.  With host_overhead = 0 the fetch happens inside the handler of
 * the event that freed the slot, at that event's time.  A slot has at most
 * one event in the heap, a job at most one WAKE: the heap never holds more
 * than (all slots + all jobs) entries and is allocated once per phase, as
 * is everything else; the hot path allocates nothing except the doubling
 * latency arrays (and the --health-every rows).
 *
 * Models with a health op (conv): a write (or write zeroes) fetched while
 * the media is read only is refused, as the kernel refuses it: it is not
 * given to the model, takes no time, is counted in refused_writes instead
 * of the latencies, and ends its job (no more commands from it, like fio
 * stopping a job at an I/O error).  Reads for which the model's
 * read_error op says so count as read errors (their latency counts as
 * usual).  With --health-every N, a health row is kept each time the
 * model's host_write_bytes passes a multiple of N, and one at the write
 * that made the media read only.
 */
#include <stdio.h>
#include <string.h>

#include "sim.h"

enum ev_kind {
	EV_WAKE,
	EV_FETCH,
	EV_FREE,
};

struct sim_event {
	u64 time;
	u64 seq;
	u32 job;
	u32 slot : 30;
	u32 kind : 2;
};

struct sim_slot {
	u64 submit;
	u64 bytes;		/* data bytes, for bandwidth */
	struct model_req req;
	enum sim_op_kind kind;
};

struct sim_job {
	const struct job_spec *spec;
	struct sim_rng rng;
	u64 base;		/* first byte of the span */
	u64 nblocks;		/* blocks of bs in the span */
	u64 seq_block;		/* next block of sequential workloads */
	u64 ios;		/* data commands issued */
	u64 bytes;		/* data bytes issued */
	u64 ios_limit;		/* U64_MAX: none */
	u64 bytes_limit;
	u64 first;		/* time of the first issue */
	u64 deadline;		/* no issue at or after this; U64_MAX: none */
	u64 writes;		/* writes since the last flush */
	bool flush_due;
	bool has_next;
	bool finished;
	bool wake_pending;
	bool is_trace;
	struct sim_cmd next;
	struct trace_reader tr;
	u32 nfree;
	u32 *free;		/* stack of free slot numbers */
	struct sim_slot *slots;
};

struct engine {
	const struct model_ops *ops;
	void *priv;
	u64 host_overhead;
	FILE *log;
	unsigned int ordinal;
	u64 start;
	u64 end;
	u64 seq;
	u64 clamped;
	u64 health_every;
	u64 next_mark;		/* host_write_bytes of the next health row */
	u64 written;		/* host_write_bytes, as the model counts them */
	bool read_only;		/* the last health() said so */
	struct phase_result *res;
	struct sim_job *jobs;
	unsigned int nr_jobs;
	struct sim_event *heap;
	u64 heap_n;
	u64 heap_cap;
};

/* ------------------------------------------------------------ min-heap */

static inline bool ev_before(const struct sim_event *a,
			     const struct sim_event *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void heap_push(struct engine *e, u64 time, enum ev_kind kind, u32 job,
		      u32 slot)
{
	struct sim_event ev = {
		.time = time, .seq = e->seq++, .job = job, .slot = slot,
		.kind = kind,
	};
	u64 i = e->heap_n++;

	if (e->heap_n > e->heap_cap)
		die("internal error: event heap overflow");
	while (i) {
		u64 parent = (i - 1) / 2;

		if (!ev_before(&ev, &e->heap[parent]))
			break;
		e->heap[i] = e->heap[parent];
		i = parent;
	}
	e->heap[i] = ev;
}

static struct sim_event heap_pop(struct engine *e)
{
	struct sim_event top = e->heap[0];
	struct sim_event last = e->heap[--e->heap_n];
	u64 n = e->heap_n, i = 0;

	for (;;) {
		u64 c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && ev_before(&e->heap[c + 1], &e->heap[c]))
			c++;
		if (!ev_before(&e->heap[c], &last))
			break;
		e->heap[i] = e->heap[c];
		i = c;
	}
	if (n)
		e->heap[i] = last;
	return top;
}

/* ----------------------------------------------------- command sources */

static void gen_next(struct sim_job *j)
{
	const struct job_spec *s = j->spec;
	struct sim_cmd *c = &j->next;
	bool random = false;

	memset(c, 0, sizeof(*c));
	switch (s->rw) {
	case RW_RANDREAD:
		random = true;
		/* fall through */
	case RW_READ:
		c->op = MODEL_READ;
		break;
	case RW_RANDWRITE:
		random = true;
		/* fall through */
	case RW_WRITE:
		c->op = MODEL_WRITE;
		break;
	case RW_RANDRW:
		random = true;
		/* fall through */
	case RW_READWRITE:
		c->op = rng_below(&j->rng, 100) < s->rwmixread ?
			MODEL_READ : MODEL_WRITE;
		break;
	case RW_RANDTRIM:
		random = true;
		/* fall through */
	case RW_TRIM:
		c->op = MODEL_DISCARD;
		break;
	}
	if (s->trim_ratio && rng_below(&j->rng, 100) < s->trim_ratio)
		c->op = MODEL_DISCARD;
	if (c->op == MODEL_WRITE) {
		c->ruh = (u16)s->ruh;	/* checked: place_check() */
		c->rg = (u16)s->rg;
	}

	if (random) {
		c->offset = j->base + rng_below(&j->rng, j->nblocks) * s->bs;
	} else {
		c->offset = j->base + j->seq_block * s->bs;
		if (++j->seq_block == j->nblocks)
			j->seq_block = 0;
	}
	c->len = s->bs;
}

/* Make j->next valid; false when the job has nothing more to issue. */
static bool job_peek(struct engine *e, struct sim_job *j)
{
	bool timed;

	if (j->has_next)
		return true;
	if (j->finished)
		return false;
	if (j->flush_due) {
		memset(&j->next, 0, sizeof(j->next));
		j->next.op = MODEL_FLUSH;
		j->has_next = true;
		return true;
	}
	if (j->ios >= j->ios_limit || j->bytes >= j->bytes_limit)
		goto finished;
	if (j->is_trace) {
		if (!trace_next(&j->tr, &j->next, &timed))
			goto finished;
		j->next.not_before = timed ?
			add_sat(e->start, j->next.not_before) : 0;
	} else {
		gen_next(j);
	}
	if (j->next.op == MODEL_WRITE && j->spec->fua)
		j->next.fua = true;
	j->has_next = true;
	return true;

finished:
	j->finished = true;
	return false;
}

static enum sim_op_kind op_kind(enum model_op op)
{
	switch (op) {
	case MODEL_READ:
		return OPK_READ;
	case MODEL_DISCARD:
		return OPK_TRIM;
	case MODEL_FLUSH:
		return OPK_FLUSH;
	default:
		return OPK_WRITE;
	}
}

/* --------------------------------------------------------------- events */

/*
 * One line per command, in fetch order, itself a valid trace line (the
 * submission time is absolute, so replay it as a phase starting at 0).
 * Placed writes (not rg MODEL_RG_ANY) carry "ruh=N rg=N".
 */
static void log_cmd(struct engine *e, u32 jn, const struct sim_slot *sl,
		    u64 done, const char *status)
{
	static const char op_chars[] = {
		[MODEL_READ] = 'R', [MODEL_WRITE] = 'W', [MODEL_FLUSH] = 'F',
		[MODEL_DISCARD] = 'T', [MODEL_WRITE_ZEROES] = 'Z',
		[MODEL_OTHER] = '?',
	};

	fprintf(e->log, "%llu %c %llu %llu", (unsigned long long)sl->submit,
		op_chars[sl->req.op], (unsigned long long)sl->req.slba_bytes,
		(unsigned long long)sl->req.len);
	if (sl->req.op == MODEL_WRITE && sl->req.rg != MODEL_RG_ANY)
		fprintf(e->log, " ruh=%u rg=%u", sl->req.ruh, sl->req.rg);
	fprintf(e->log, " # fetch %llu done %llu lat %llu job %u%s%s\n",
		(unsigned long long)sl->req.now, (unsigned long long)done,
		(unsigned long long)(done - sl->submit), e->ordinal + jn + 1,
		sl->req.fua ? " fua" : "", status ? status : "");
}

static bool is_write(enum model_op op)
{
	return op == MODEL_WRITE || op == MODEL_WRITE_ZEROES;
}

static void health_row(struct engine *e, u64 now, bool ro_event)
{
	struct phase_result *res = e->res;
	struct health_row *r;

	if (res->nr_rows == res->cap_rows) {
		res->cap_rows = res->cap_rows ? 2 * res->cap_rows : 64;
		res->rows = xrealloc(res->rows,
				     res->cap_rows * sizeof(*res->rows));
	}
	r = &res->rows[res->nr_rows++];
	memset(r, 0, sizeof(*r));
	r->time = now;
	r->read_only_event = ro_event;
	e->ops->stats(e->priv, &r->st);
	e->ops->health(e->priv, &r->h);
}

/* After write @req was scheduled: health rows due (--health-every). */
static void health_after_write(struct engine *e, const struct model_req *req)
{
	struct model_health h;
	bool ro = e->read_only;

	if (req->op != MODEL_WRITE)
		return;
	e->written += req->len;
	if (e->written >= e->next_mark) {
		health_row(e, req->now, false);
		while (e->next_mark <= e->written)
			e->next_mark += e->health_every;
	}
	e->ops->health(e->priv, &h);
	e->read_only = h.read_only;
	if (h.read_only && !ro)
		health_row(e, req->now, true);
}

/* Write @sl on read-only media: refused, and its job ends. */
static void refuse(struct engine *e, u32 jn, u32 sn, u64 now)
{
	struct sim_job *j = &e->jobs[jn];

	e->res->refused_writes++;
	if (e->log)
		log_cmd(e, jn, &j->slots[sn], now, " refused");
	j->finished = true;
	j->has_next = false;
	heap_push(e, now, EV_FREE, jn, sn);
}

static void fetch(struct engine *e, u32 jn, u32 sn, u64 now)
{
	struct sim_job *j = &e->jobs[jn];
	struct sim_slot *sl = &j->slots[sn];
	const char *status = NULL;
	struct model_health h;
	u64 done;

	sl->req.now = now;
	if (e->ops->health && is_write(sl->req.op)) {
		e->ops->health(e->priv, &h);
		e->read_only = h.read_only;
		if (h.read_only) {
			refuse(e, jn, sn, now);
			return;
		}
	}
	done = e->ops->schedule(e->priv, &sl->req);
	if (unlikely(done < now)) {
		/* Breaks the model.h contract; keep time moving forward. */
		e->clamped++;
		done = now;
	}
	if (sl->req.op == MODEL_READ && e->ops->read_error &&
	    e->ops->read_error(e->priv, &sl->req)) {
		e->res->read_errors++;
		status = " error";
	}
	if (e->health_every)
		health_after_write(e, &sl->req);
	lat_add(&e->res->op[sl->kind], done - sl->submit, sl->bytes);
	if (e->log)
		log_cmd(e, jn, sl, done, status);
	if (done > e->end)
		e->end = done;
	heap_push(e, add_sat(done, j->spec->thinktime_ns), EV_FREE, jn, sn);
}

/* Issue as many commands of job @jn as it has free slots, at time @t. */
static void refill(struct engine *e, u32 jn, u64 t)
{
	struct sim_job *j = &e->jobs[jn];

	if (j->wake_pending)
		return;
	while (j->nfree && job_peek(e, j)) {
		struct sim_cmd *c = &j->next;
		struct sim_slot *sl;
		u64 at = t > c->not_before ? t : c->not_before;
		u32 sn;

		if (at >= j->deadline) {
			j->finished = true;
			j->has_next = false;
			return;
		}
		if (at > t) {
			j->wake_pending = true;
			heap_push(e, at, EV_WAKE, jn, 0);
			return;
		}

		sn = j->free[--j->nfree];
		sl = &j->slots[sn];
		sl->submit = t;
		sl->kind = op_kind(c->op);
		sl->bytes = c->op == MODEL_FLUSH ? 0 : c->len;
		sl->req.op = c->op;
		sl->req.slba_bytes = c->offset;
		sl->req.len = c->len;
		sl->req.fua = c->fua;
		sl->req.ruh = c->ruh;
		sl->req.rg = c->rg;
		j->has_next = false;

		if (c->op == MODEL_FLUSH) {
			j->flush_due = false;
		} else {
			j->ios++;
			j->bytes += c->len;
		}
		if (c->op == MODEL_WRITE && j->spec->flush_every &&
		    ++j->writes == j->spec->flush_every) {
			j->writes = 0;
			j->flush_due = true;
		}

		if (e->host_overhead)
			heap_push(e, add_sat(t, e->host_overhead), EV_FETCH,
				  jn, sn);
		else
			fetch(e, jn, sn, t);
	}
}

/* ---------------------------------------------------------------- setup */

static void job_setup(struct engine *e, struct sim_job *j,
		      const struct job_spec *s, unsigned int clone,
		      unsigned int stream, u32 *free_mem,
		      struct sim_slot *slot_mem)
{
	u32 i;

	memset(j, 0, sizeof(*j));
	j->spec = s;
	rng_seed(&j->rng, s->seed, stream);
	j->base = s->offset + (u64)clone * s->offset_increment;
	j->nblocks = s->size / s->bs;
	j->ios_limit = s->number_ios ? s->number_ios : U64_MAX;
	j->bytes_limit = s->io_size ? s->io_size : U64_MAX;
	if (!s->trace && !s->number_ios && !s->io_size && !s->runtime_ns)
		j->bytes_limit = s->size;
	j->first = add_sat(e->start, s->startdelay_ns);
	j->deadline = s->runtime_ns ? add_sat(j->first, s->runtime_ns) :
		      U64_MAX;
	if (s->trace) {
		j->is_trace = true;
		trace_open(&j->tr, s->trace, s->ruh, s->rg);
	}
	j->free = free_mem;
	j->slots = slot_mem;
	for (i = 0; i < s->iodepth; i++)
		j->free[i] = s->iodepth - 1 - i;
	j->nfree = s->iodepth;
}

void engine_run_phase(const struct sim_config *cfg, void *priv,
		      const struct sim_phase *ph, u64 start,
		      unsigned int ordinal, struct phase_result *res)
{
	struct engine e = {
		.ops = cfg->model->ops,
		.priv = priv,
		.host_overhead = cfg->host_overhead_ns,
		.log = cfg->log,
		.ordinal = ordinal,
		.start = start,
		.end = start,
		.res = res,
	};
	struct model_health h;
	u64 nr_slots = 0, used = 0;
	struct sim_slot *slots;
	unsigned int i, k, n;
	u32 *frees;

	for (i = 0; i < ph->nr_jobs; i++) {
		e.nr_jobs += ph->jobs[i]->numjobs;
		nr_slots += (u64)ph->jobs[i]->numjobs * ph->jobs[i]->iodepth;
	}
	if (nr_slots >= (1U << 30))
		die("too many queue slots in one phase (%llu)",
		    (unsigned long long)nr_slots);
	e.jobs = xcalloc(e.nr_jobs, sizeof(*e.jobs));
	slots = xcalloc(nr_slots, sizeof(*slots));
	frees = xcalloc(nr_slots, sizeof(*frees));
	e.heap_cap = nr_slots + e.nr_jobs;
	e.heap = xcalloc(e.heap_cap, sizeof(*e.heap));
	if (cfg->health_every && e.ops->health && e.ops->stats) {
		e.health_every = cfg->health_every;
		e.written = res->before.host_write_bytes;
		e.next_mark = (e.written / e.health_every + 1) *
			      e.health_every;
		e.ops->health(priv, &h);
		e.read_only = h.read_only;
		if (!res->index)
			health_row(&e, start, false);	/* where it starts */
	}

	n = 0;
	for (i = 0; i < ph->nr_jobs; i++) {
		const struct job_spec *s = ph->jobs[i];

		for (k = 0; k < s->numjobs; k++, n++) {
			job_setup(&e, &e.jobs[n], s, k, ordinal + n,
				  frees + used, slots + used);
			used += s->iodepth;
			heap_push(&e, e.jobs[n].first, EV_WAKE, n, 0);
			e.jobs[n].wake_pending = true;
		}
	}

	while (e.heap_n) {
		struct sim_event ev = heap_pop(&e);
		struct sim_job *j = &e.jobs[ev.job];

		switch (ev.kind) {
		case EV_WAKE:
			j->wake_pending = false;
			refill(&e, ev.job, ev.time);
			break;
		case EV_FETCH:
			fetch(&e, ev.job, ev.slot, ev.time);
			break;
		case EV_FREE:
			j->free[j->nfree++] = ev.slot;
			refill(&e, ev.job, ev.time);
			break;
		}
	}

	if (e.clamped)
		fprintf(stderr, "nvmev-sim: warning: model %s returned a "
			"completion before now %llu times (clamped)\n",
			e.ops->name, (unsigned long long)e.clamped);
	for (i = 0; i < e.nr_jobs; i++)
		trace_close(&e.jobs[i].tr);
	res->nr_jobs = e.nr_jobs;
	res->start = start;
	res->end = e.end;
	if (e.ops->health) {
		res->have_health = true;
		e.ops->health(priv, &res->health);
	}
	free(e.heap);
	free(frees);
	free(slots);
	free(e.jobs);
}
