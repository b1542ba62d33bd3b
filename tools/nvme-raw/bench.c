// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvme-raw-bench: latency and IOPS of random reads and writes through
 * libnvmeraw, polled, interrupts off (the "latency-bench" of issue #15).
 *
 * For every queue depth of --qd, every queue pair (--qpairs, one thread
 * each, each owning its queue pair: no locks on the I/O path) keeps that
 * many commands outstanding until --time or --ios is reached; the latency
 * of each command is the time from just before its doorbell write to the
 * moment its completion is seen.  Per queue depth: IOPS, mean, p50, p90,
 * p99, p99.9 and max, as a table and as one "nvr-bench key=value ..." line
 * for scripts.
 *
 * --verify: writes carry a pattern that depends only on the seed and the
 * byte's place on the namespace; reads are compared with it (randread and
 * randrw first write the pattern over the range), and after a randwrite
 * every block written is read back and compared.
 *
 * Built with NVR_BENCH_TEST the file has no main(), for test_bench.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake.h"
#include "nvmeraw.h"

#define MAX_QDS		32
#define MAX_QPAIRS	64
#define FAKE_BLOCKS	32768	/* 16 MiB of 512-byte blocks */
#define POLLS_PER_CLOCK	64	/* empty polls between clock reads */

enum bench_rw { RW_READ, RW_WRITE, RW_MIX };

/* Where the table and the nvr-bench lines go (the tests read them) */
static FILE *bench_out;

struct bench_opts {
	const char *bdf;	/* NULL: the fake controller */
	unsigned int qd[MAX_QDS];
	unsigned int nqd;
	enum bench_rw rw;
	unsigned int mix;	/* percent of reads with RW_MIX */
	uint32_t bs;
	double time_s;		/* per queue depth; 0: --ios */
	uint64_t ios;		/* per queue depth, over all queue pairs */
	uint32_t nsid;
	uint64_t range;		/* bytes from LBA 0; 0: the namespace */
	unsigned int qpairs;
	int verify;
	uint64_t seed;
	unsigned int timeout_ms;
};

/* Latency statistics of one queue depth, in ns */
struct bench_stats {
	uint64_t n;
	double mean;
	uint64_t p50, p90, p99, p999, max, min;
};

/* ---- statistics (pure) ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Nearest rank: the smallest value with at least @permille per mille of
 * the values at or below it (integers: 99.9% of 1000 is the 999th)
 */
static uint64_t rank(const uint64_t *sorted, uint64_t n, unsigned int permille)
{
	uint64_t k = (permille * n + 999) / 1000;

	if (k < 1)
		k = 1;
	return sorted[(k > n ? n : k) - 1];
}

/* Sorts @lat in place */
static void bench_stats(uint64_t *lat, uint64_t n, struct bench_stats *s)
{
	long double sum = 0;
	uint64_t i;

	memset(s, 0, sizeof(*s));
	s->n = n;
	if (!n)
		return;
	qsort(lat, n, sizeof(*lat), cmp_u64);
	for (i = 0; i < n; i++)
		sum += lat[i];
	s->mean = (double)(sum / n);
	s->min = lat[0];
	s->max = lat[n - 1];
	s->p50 = rank(lat, n, 500);
	s->p90 = rank(lat, n, 900);
	s->p99 = rank(lat, n, 990);
	s->p999 = rank(lat, n, 999);
}

/* ---- data pattern ---- */

/* The 8 bytes at byte @pos of the namespace */
static uint64_t pattern_word(uint64_t seed, uint64_t pos)
{
	uint64_t x = (pos ^ seed) + 0x9e3779b97f4a7c15ULL;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void pattern_fill(void *buf, uint64_t seed, uint64_t pos, size_t len)
{
	uint64_t *w = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = pattern_word(seed, pos + 8 * i);
}

/* Offset of the first differing byte, or -1 */
static long pattern_check(const void *buf, uint64_t seed, uint64_t pos,
			  size_t len)
{
	const uint64_t *w = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (w[i] != pattern_word(seed, pos + 8 * i))
			return (long)(i * 8);
	return -1;
}

/* ---- per queue pair ---- */

struct slot {
	uint64_t t0;		/* ns at submission */
	uint64_t block;		/* in units of bs */
	uint8_t opc;
	uint64_t prp1, prp2;
};

struct worker {
	struct bench *b;
	uint16_t qid;
	pthread_t thread;
	struct nvr_dma buf;	/* maxqd * bs */
	struct nvr_dma lists;	/* PRP list pages, lpages per slot */
	struct slot *slots;
	uint64_t rng;
	/* results of one queue depth */
	uint64_t *lat;
	uint64_t nlat, cap;
	uint64_t errors, verify_errors, timeouts;
	uint64_t sqhd_odd0;	/* the queue's count before this run */
	uint16_t first_status;
	char msg[256];
};

struct bench {
	struct bench_opts o;
	struct nvr_ctrl *c;
	uint32_t lba_size;
	uint32_t lbas_per_io;
	uint64_t nblocks;	/* I/O units of bs in the range */
	unsigned int maxqd;
	size_t lpages;		/* PRP list pages per slot */
	unsigned int huge;	/* queue pairs whose data is in hugepages */
	struct worker w[MAX_QPAIRS];
	/* one bit per I/O unit: written by a randwrite (verify) */
	_Atomic uint64_t *written;
	/* the queue depth being run */
	unsigned int qd;
	uint64_t ios_each;
	uint64_t deadline_ns;
	pthread_barrier_t start;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static int lat_add(struct worker *w, uint64_t ns)
{
	uint64_t *p;

	if (w->nlat == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 65536;
		p = realloc(w->lat, w->cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		w->lat = p;
	}
	w->lat[w->nlat++] = ns;
	return 0;
}

static void *slot_va(struct worker *w, unsigned int i)
{
	return (uint8_t *)w->buf.va + (size_t)i * w->b->o.bs;
}

static int slot_submit(struct worker *w, unsigned int i, uint8_t opc,
		       uint64_t block)
{
	struct bench *b = w->b;
	struct slot *s = &w->slots[i];
	struct nvr_sqe cmd;

	if (opc == NVR_IO_WRITE && b->o.verify)
		pattern_fill(slot_va(w, i), b->o.seed, block * b->o.bs,
			     b->o.bs);
	nvr_cmd_rw(&cmd, opc, b->o.nsid, block * b->lbas_per_io,
		   b->lbas_per_io);
	cmd.prp1 = s->prp1;
	cmd.prp2 = s->prp2;
	cmd.cid = (uint16_t)i;
	s->opc = opc;
	s->block = block;
	s->t0 = now_ns();
	return nvr_submit(b->c, w->qid, &cmd, NVR_RAW_CID, NULL);
}

static uint8_t pick_opc(struct worker *w)
{
	switch (w->b->o.rw) {
	case RW_READ:
		return NVR_IO_READ;
	case RW_WRITE:
		return NVR_IO_WRITE;
	default:
		return xorshift(&w->rng) % 100 < w->b->o.mix ? NVR_IO_READ :
							      NVR_IO_WRITE;
	}
}

/*
 * A completion of slot @i: count it, check the status and (verify) the
 * data.  Returns 0, or -1 when the run must stop.
 */
static int slot_done(struct worker *w, unsigned int i,
		     const struct nvr_cqe *cqe, uint64_t t1, int measure)
{
	struct bench *b = w->b;
	struct slot *s = &w->slots[i];
	uint16_t st = nvr_status(cqe);
	long bad;

	if (measure && lat_add(w, t1 - s->t0)) {
		snprintf(w->msg, sizeof(w->msg), "out of memory");
		return -1;
	}
	if (st) {
		if (!w->errors++)
			w->first_status = st;
		return 0;
	}
	if (!b->o.verify)
		return 0;
	if (s->opc == NVR_IO_WRITE && b->written) {
		atomic_fetch_or(&b->written[s->block / 64],
				1ULL << (s->block % 64));
	} else if (s->opc == NVR_IO_READ) {
		bad = pattern_check(slot_va(w, i), b->o.seed,
				    s->block * b->o.bs, b->o.bs);
		if (bad >= 0 && !w->verify_errors++)
			snprintf(w->msg, sizeof(w->msg),
				 "queue %u: block %" PRIu64 " (LBA %" PRIu64 ") differs at byte %ld",
				 w->qid, s->block, s->block * b->lbas_per_io,
				 bad);
	}
	return 0;
}

/*
 * Keep @qd commands outstanding until @n have completed (or the deadline);
 * next_block() chooses each command's block.  @measure: record latencies.
 */
static int run_queue(struct worker *w, unsigned int qd, uint64_t n,
		     uint64_t deadline, int measure,
		     uint8_t (*opc_of)(struct worker *),
		     uint64_t (*next_block)(struct worker *, uint64_t *),
		     uint64_t *cursor)
{
	struct bench *b = w->b;
	uint64_t submitted = 0, done = 0, last = now_ns(), t;
	unsigned int i, inflight = 0, polls = 0;
	struct nvr_cqe cqe;
	int stop = 0, ret;

	for (i = 0; i < qd && submitted < n; i++) {
		ret = slot_submit(w, i, opc_of(w), next_block(w, cursor));
		if (ret) {
			snprintf(w->msg, sizeof(w->msg), "%s", nvr_errmsg());
			return -1;
		}
		submitted++;
		inflight++;
	}
	while (inflight) {
		ret = nvr_poll(b->c, w->qid, &cqe);
		if (ret < 0) {
			snprintf(w->msg, sizeof(w->msg), "%s", nvr_errmsg());
			return -1;
		}
		if (!ret) {
			if (++polls < POLLS_PER_CLOCK)
				continue;
			polls = 0;
			t = now_ns();
			if (t - last > (uint64_t)b->o.timeout_ms * 1000000) {
				w->timeouts = inflight;
				snprintf(w->msg, sizeof(w->msg),
					 "queue %u: no completion within %u ms, %u commands outstanding",
					 w->qid, b->o.timeout_ms, inflight);
				return -1;
			}
			if (deadline && t >= deadline)
				stop = 1;
			continue;
		}
		t = now_ns();
		last = t;
		i = cqe.cid;
		if (i >= qd || cqe.sqid != w->qid) {
			snprintf(w->msg, sizeof(w->msg),
				 "queue %u: completion for CID %u of SQ %u, not one of ours",
				 w->qid, cqe.cid, cqe.sqid);
			return -1;
		}
		inflight--;
		done++;
		if (slot_done(w, i, &cqe, t, measure))
			return -1;
		if (deadline && t >= deadline)
			stop = 1;
		if (stop || submitted >= n)
			continue;
		ret = slot_submit(w, i, opc_of(w), next_block(w, cursor));
		if (ret) {
			snprintf(w->msg, sizeof(w->msg), "%s", nvr_errmsg());
			return -1;
		}
		submitted++;
		inflight++;
	}
	(void)done;
	return 0;
}

static uint64_t random_block(struct worker *w, uint64_t *cursor)
{
	(void)cursor;
	return xorshift(&w->rng) % w->b->nblocks;
}

/* Blocks cursor, cursor + qpairs, ...: the threads share the range out */
static uint64_t next_seq_block(struct worker *w, uint64_t *cursor)
{
	uint64_t blk = *cursor;

	*cursor += w->b->o.qpairs;
	return blk;
}

/* The next block marked written, from *cursor on */
static uint64_t next_written_block(struct worker *w, uint64_t *cursor)
{
	struct bench *b = w->b;
	uint64_t blk = *cursor;

	while (blk < b->nblocks &&
	       !(atomic_load(&b->written[blk / 64]) & (1ULL << (blk % 64))))
		blk += b->o.qpairs;
	*cursor = blk + b->o.qpairs;
	return blk;
}

static uint8_t opc_read(struct worker *w)
{
	(void)w;
	return NVR_IO_READ;
}

static uint8_t opc_write(struct worker *w)
{
	(void)w;
	return NVR_IO_WRITE;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct bench *b = w->b;
	uint64_t cursor = 0;
	intptr_t ret;

	pthread_barrier_wait(&b->start);
	ret = run_queue(w, b->qd, b->ios_each, b->deadline_ns, 1, pick_opc,
			random_block, &cursor);
	return (void *)ret;
}

/* ---- whole-range passes (prefill, read back) ---- */

struct pass_arg {
	struct worker *w;
	int write;
	uint64_t n;
};

static void *pass_main(void *arg)
{
	struct pass_arg *a = arg;
	struct worker *w = a->w;
	uint64_t cursor = w->qid - 1;
	intptr_t ret;

	if (a->write)
		ret = run_queue(w, w->b->maxqd, a->n, 0, 0, opc_write,
				next_seq_block, &cursor);
	else
		ret = run_queue(w, w->b->maxqd, a->n, 0, 0, opc_read,
				next_written_block, &cursor);
	return (void *)ret;
}

/* Blocks a worker visits: qid-1, qid-1+qpairs, ... below nblocks */
static uint64_t share_of(struct bench *b, unsigned int k, int written_only)
{
	uint64_t blk, n = 0;

	for (blk = k; blk < b->nblocks; blk += b->o.qpairs)
		if (!written_only ||
		    (atomic_load(&b->written[blk / 64]) & (1ULL << (blk % 64))))
			n++;
	return n;
}

static int run_pass(struct bench *b, int write, const char *what)
{
	struct pass_arg a[MAX_QPAIRS];
	unsigned int k;
	int failed = 0;
	void *rv;

	for (k = 0; k < b->o.qpairs; k++) {
		b->w[k].nlat = 0;
		a[k] = (struct pass_arg){ &b->w[k], write,
					  share_of(b, k, !write) };
		if (pthread_create(&b->w[k].thread, NULL, pass_main, &a[k])) {
			fprintf(stderr, "nvme-raw-bench: cannot start a thread\n");
			b->o.qpairs = k;	/* join those started */
			failed = 1;
			break;
		}
	}
	for (k = 0; k < b->o.qpairs; k++) {
		pthread_join(b->w[k].thread, &rv);
		if (rv) {
			fprintf(stderr, "nvme-raw-bench: %s: %s\n", what,
				b->w[k].msg);
			failed = 1;
		}
		if (b->w[k].errors) {
			fprintf(stderr, "nvme-raw-bench: %s: %" PRIu64 " commands failed, the first with status 0x%x\n",
				what, b->w[k].errors, b->w[k].first_status);
			failed = 1;
		}
		if (b->w[k].verify_errors) {
			fprintf(stderr, "nvme-raw-bench: %s: %" PRIu64 " blocks differ; %s\n",
				what, b->w[k].verify_errors, b->w[k].msg);
			failed = 1;
		}
		b->w[k].errors = b->w[k].verify_errors = 0;
	}
	return failed ? -1 : 0;
}

/* ---- set-up ---- */

static int bench_setup(struct bench *b)
{
	struct nvr_dma id;
	struct nvr_sqe cmd;
	struct nvr_cqe cqe;
	unsigned int k, i, mqes;
	uint64_t nsze, **pages;
	uint32_t lbads, mdts;
	uint16_t st;
	int ret;

	b->maxqd = 0;
	for (k = 0; k < b->o.nqd; k++)
		if (b->o.qd[k] > b->maxqd)
			b->maxqd = b->o.qd[k];
	mqes = NVR_CAP_MQES(b->c->cap) + 1;
	if (b->maxqd + 1 > mqes || b->maxqd > 65535) {
		fprintf(stderr, "nvme-raw-bench: queue depth %u needs queues of %u entries; the controller takes %u (CAP.MQES)\n",
			b->maxqd, b->maxqd + 1, mqes);
		return -1;
	}
	ret = nvr_ctrl_reset(b->c, 32);
	if (!ret)
		ret = nvr_dma_alloc(b->c, NVR_PAGE_SIZE, 0, &id);
	if (ret)
		goto err;
	ret = nvr_identify(b->c, 1, 0, &id, &st);
	if (ret)
		goto err_id;
	mdts = ((uint8_t *)id.va)[77];
	ret = nvr_identify(b->c, 0, b->o.nsid, &id, &st);
	if (ret)
		goto err_id;
	memcpy(&nsze, id.va, 8);
	i = ((uint8_t *)id.va)[26] & 0xf;
	lbads = ((uint8_t *)id.va)[128 + 4 * i + 2];
	nvr_dma_free(b->c, &id);
	if (!nsze || lbads < 9 || lbads > 16) {
		fprintf(stderr, "nvme-raw-bench: namespace %u: %" PRIu64 " blocks, LBA data size 2^%u: not usable\n",
			b->o.nsid, nsze, lbads);
		return -1;
	}
	b->lba_size = 1u << lbads;
	if (b->o.bs % b->lba_size) {
		fprintf(stderr, "nvme-raw-bench: --bs %u is not a multiple of the %u-byte LBA\n",
			b->o.bs, b->lba_size);
		return -1;
	}
	if (mdts && b->o.bs > (NVR_PAGE_SIZE << mdts)) {
		fprintf(stderr, "nvme-raw-bench: --bs %u is above the controller's MDTS (%u bytes)\n",
			b->o.bs, NVR_PAGE_SIZE << mdts);
		return -1;
	}
	b->lbas_per_io = b->o.bs / b->lba_size;
	if (!b->o.range || b->o.range > nsze * b->lba_size)
		b->o.range = nsze * b->lba_size;
	b->nblocks = b->o.range / b->o.bs;
	if (!b->nblocks) {
		fprintf(stderr, "nvme-raw-bench: the range holds no %u-byte block\n",
			b->o.bs);
		return -1;
	}
	/* Number of Queues: ask for them, as a host should before creating */
	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVR_ADM_SET_FEATURES;
	cmd.cdw10 = 7;
	cmd.cdw11 = (b->o.qpairs - 1) << 16 | (b->o.qpairs - 1);
	ret = nvr_cmd(b->c, 0, &cmd, b->o.timeout_ms, &cqe);
	if (ret)
		goto err;
	if (!nvr_status(&cqe) && ((cqe.dw0 & 0xffff) + 1 < b->o.qpairs ||
				  (cqe.dw0 >> 16) + 1 < b->o.qpairs)) {
		fprintf(stderr, "nvme-raw-bench: the controller allows %u queue pairs, not %u\n",
			(cqe.dw0 & 0xffff) + 1 < (cqe.dw0 >> 16) + 1 ?
			(cqe.dw0 & 0xffff) + 1 : (cqe.dw0 >> 16) + 1,
			b->o.qpairs);
		return -1;
	}
	b->lpages = nvr_prp_list_pages(0, b->o.bs);
	for (k = 0; k < b->o.qpairs; k++) {
		struct worker *w = &b->w[k];

		w->b = b;
		w->qid = (uint16_t)(k + 1);
		w->rng = b->o.seed * 0x9e3779b97f4a7c15ULL + k + 1;
		if (!w->rng)
			w->rng = 1;
		ret = nvr_ioq_create(b->c, w->qid, b->maxqd + 1, &st);
		/* data in 2 MiB hugepages when some are reserved, else locked pages */
		if (!ret && nvr_dma_alloc(b->c, (size_t)b->maxqd * b->o.bs,
					  NVR_DMA_HUGE, &w->buf))
			ret = nvr_dma_alloc(b->c, (size_t)b->maxqd * b->o.bs, 0,
					    &w->buf);
		else if (!ret)
			b->huge++;
		if (!ret && b->lpages)
			ret = nvr_dma_alloc(b->c, b->maxqd * b->lpages *
					    NVR_PAGE_SIZE, 0, &w->lists);
		w->slots = ret ? NULL : calloc(b->maxqd, sizeof(*w->slots));
		if (ret || !w->slots)
			goto err;
		/* each slot's PRPs, once: its buffer never moves */
		pages = calloc(b->lpages + 1, sizeof(*pages));
		if (!pages)
			goto err;
		for (i = 0; i < b->maxqd; i++) {
			size_t j;

			for (j = 0; j < b->lpages; j++)
				pages[j] = (uint64_t *)((uint8_t *)w->lists.va +
					(i * b->lpages + j) * NVR_PAGE_SIZE);
			ret = nvr_prp_fill(w->buf.phys, (size_t)i * b->o.bs,
					   b->o.bs, pages, b->lpages ?
					   w->lists.phys + i * b->lpages : NULL,
					   b->lpages, &w->slots[i].prp1,
					   &w->slots[i].prp2);
			if (ret < 0)
				break;
		}
		free(pages);
		if (ret < 0)
			goto err;
	}
	if (b->o.verify && b->o.rw == RW_WRITE) {
		b->written = calloc((b->nblocks + 63) / 64, sizeof(*b->written));
		if (!b->written) {
			fprintf(stderr, "nvme-raw-bench: out of memory\n");
			return -1;
		}
	}
	return 0;
err_id:
	nvr_dma_free(b->c, &id);
err:
	fprintf(stderr, "nvme-raw-bench: %s\n", nvr_errmsg());
	return -1;
}

static void bench_free(struct bench *b)
{
	unsigned int k;

	for (k = 0; k < MAX_QPAIRS; k++) {
		if (!b->w[k].b)
			continue;
		nvr_dma_free(b->c, &b->w[k].buf);
		nvr_dma_free(b->c, &b->w[k].lists);
		free(b->w[k].slots);
		free(b->w[k].lat);
	}
	free(b->written);
}

static const char *rw_name(enum bench_rw rw)
{
	return rw == RW_READ ? "randread" : rw == RW_WRITE ? "randwrite" :
							     "randrw";
}

/*
 * One queue depth on every queue pair; prints its line.  Returns 0, or -1
 * when the run failed (commands failed, data differed, a timeout).
 */
static int run_qd(struct bench *b, unsigned int qd, struct bench_stats *s)
{
	uint64_t t0, t1, n = 0, errors = 0, verr = 0, *all, off = 0;
	uint64_t sqhd_odd = 0;
	unsigned int k;
	int failed = 0;
	void *rv;

	b->qd = qd;
	b->ios_each = b->o.ios ? (b->o.ios + b->o.qpairs - 1) / b->o.qpairs :
				 UINT64_MAX;
	if (pthread_barrier_init(&b->start, NULL, b->o.qpairs + 1))
		return -1;
	for (k = 0; k < b->o.qpairs; k++) {
		b->w[k].nlat = 0;
		b->w[k].msg[0] = 0;
		b->w[k].errors = b->w[k].verify_errors = 0;
		b->w[k].sqhd_odd0 = b->c->q[b->w[k].qid]->sqhd_odd;
	}
	/* the deadline is set before anyone starts, read after the barrier */
	b->deadline_ns = 0;
	t0 = now_ns();
	if (b->o.time_s > 0)
		b->deadline_ns = t0 + (uint64_t)(b->o.time_s * 1e9);
	for (k = 0; k < b->o.qpairs; k++) {
		if (pthread_create(&b->w[k].thread, NULL, worker_main,
				   &b->w[k])) {
			fprintf(stderr, "nvme-raw-bench: cannot start thread %u\n",
				k);
			exit(1);	/* the barrier waits for all of them */
		}
	}
	pthread_barrier_wait(&b->start);
	for (k = 0; k < b->o.qpairs; k++) {
		pthread_join(b->w[k].thread, &rv);
		if (rv) {
			fprintf(stderr, "nvme-raw-bench: QD%u: %s\n", qd,
				b->w[k].msg);
			failed = 1;
		}
		n += b->w[k].nlat;
		sqhd_odd += b->c->q[b->w[k].qid]->sqhd_odd - b->w[k].sqhd_odd0;
		errors += b->w[k].errors;
		verr += b->w[k].verify_errors;
		if (b->w[k].errors)
			fprintf(stderr, "nvme-raw-bench: QD%u queue %u: %" PRIu64 " commands failed, the first with status 0x%x\n",
				qd, b->w[k].qid, b->w[k].errors,
				b->w[k].first_status);
		if (b->w[k].verify_errors)
			fprintf(stderr, "nvme-raw-bench: QD%u: %" PRIu64 " reads differ from what was written; %s\n",
				qd, b->w[k].verify_errors, b->w[k].msg);
	}
	t1 = now_ns();
	pthread_barrier_destroy(&b->start);
	all = malloc((n ? n : 1) * sizeof(*all));
	if (!all) {
		fprintf(stderr, "nvme-raw-bench: out of memory\n");
		return -1;
	}
	for (k = 0; k < b->o.qpairs; k++) {
		memcpy(all + off, b->w[k].lat, b->w[k].nlat * sizeof(*all));
		off += b->w[k].nlat;
	}
	bench_stats(all, n, s);
	free(all);
	fprintf(bench_out, "%4u %6u %10" PRIu64 " %10.0f %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f\n",
	       qd, b->o.qpairs, n, n / ((t1 - t0) / 1e9), s->mean / 1e3,
	       s->p50 / 1e3, s->p90 / 1e3, s->p99 / 1e3, s->p999 / 1e3,
	       s->max / 1e3);
	fprintf(bench_out, "nvr-bench rw=%s bs=%u qd=%u qpairs=%u ios=%" PRIu64 " secs=%.3f iops=%.1f mean_us=%.2f p50_us=%.2f p90_us=%.2f p99_us=%.2f p99.9_us=%.2f max_us=%.2f errors=%" PRIu64 " verify=%s verify_errors=%" PRIu64 " sqhd_odd=%" PRIu64 "\n",
	       rw_name(b->o.rw), b->o.bs, qd, b->o.qpairs, n, (t1 - t0) / 1e9,
	       n / ((t1 - t0) / 1e9), s->mean / 1e3, s->p50 / 1e3,
	       s->p90 / 1e3, s->p99 / 1e3, s->p999 / 1e3, s->max / 1e3,
	       errors, b->o.verify ? "yes" : "no", verr, sqhd_odd);
	fflush(bench_out);
	return failed || errors || verr ? -1 : 0;
}

static int bench_run(struct bench *b)
{
	struct bench_stats s;
	unsigned int k;
	int failed = 0;

	fprintf(bench_out, "nvme-raw-bench: %s namespace %u, %u-byte LBAs, %" PRIu64 " bytes from LBA 0, %u-byte %s, %u queue pair%s, polled%s, data in %s\n",
	       b->o.bdf ? b->o.bdf : "fake", b->o.nsid, b->lba_size,
	       b->nblocks * b->o.bs, b->o.bs, rw_name(b->o.rw), b->o.qpairs,
	       b->o.qpairs == 1 ? "" : "s", b->o.verify ? ", verified" : "",
	       b->huge == b->o.qpairs ? "2 MiB hugepages" :
	       b->huge ? "hugepages and locked pages" : "locked pages");
	if (b->o.verify && b->o.rw != RW_WRITE) {
		if (run_pass(b, 1, "writing the pattern"))
			return -1;
		fprintf(bench_out, "nvme-raw-bench: pattern written over %" PRIu64 " blocks\n",
		       b->nblocks);
	}
	fprintf(bench_out, "  qd qpairs        ios       IOPS  mean_us   p50_us   p90_us   p99_us p99.9_us   max_us\n");
	for (k = 0; k < b->o.nqd; k++) {
		if (run_qd(b, b->o.qd[k], &s)) {
			failed = 1;
			break;
		}
	}
	if (!failed && b->written) {
		uint64_t i, nw = 0;

		for (i = 0; i < b->nblocks; i++)
			nw += !!(b->written[i / 64] & (1ULL << (i % 64)));
		if (run_pass(b, 0, "reading back what was written"))
			return -1;
		fprintf(bench_out, "nvme-raw-bench: verified %" PRIu64 " written blocks\n",
		       nw);
	}
	return failed ? -1 : 0;
}

/* ---- options ---- */

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	case 't': case 'T': v <<= 40; end++; break;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static int parse_qds(const char *s, struct bench_opts *o)
{
	char buf[256], *tok, *save = NULL;
	uint64_t v;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	o->nqd = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->nqd == MAX_QDS || parse_size(tok, &v) || !v ||
		    v > 65535)
			return -1;
		o->qd[o->nqd++] = (unsigned int)v;
	}
	return o->nqd ? 0 : -1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: nvme-raw-bench [options] BDF|--fake\n"
		"  --qd LIST        queue depths, e.g. 1,2,4,8,16,32 (default 1,32)\n"
		"  --rw MODE        randread (default), randwrite, randrw\n"
		"  --mix PCT        reads in percent with randrw (default 50)\n"
		"  --bs SIZE        bytes per command (default 4k; more than 8k uses PRP lists)\n"
		"  --time S         seconds per queue depth (default 5)\n"
		"  --ios N          commands per queue depth instead of --time (over all\n"
		"                   queue pairs, rounded up to a multiple of --qpairs)\n"
		"  --nsid N         namespace (default 1)\n"
		"  --range SIZE     bytes from LBA 0 to address (default: the namespace); --size too\n"
		"  --qpairs N       queue pairs, one thread each (default 1)\n"
		"  --verify         writes carry a pattern, reads are compared with it\n"
		"  --seed N         of the random offsets and the pattern (default 1)\n"
		"  --timeout MS     longest wait for a completion (default 5000)\n"
		"Prints a table and one 'nvr-bench key=value...' line per queue depth.\n"
		"Exit status: 0, 1 when a command failed, data differed or the device\n"
		"did not answer, 2 for a usage error.\n");
}

static int parse_args(int argc, char **argv, struct bench_opts *o,
		      int *fake)
{
	uint64_t v;
	int i;

	memset(o, 0, sizeof(*o));
	o->qd[0] = 1;
	o->qd[1] = 32;
	o->nqd = 2;
	o->bs = 4096;
	o->time_s = 5;
	o->nsid = 1;
	o->qpairs = 1;
	o->seed = 1;
	o->mix = 50;
	o->timeout_ms = 5000;
	*fake = 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

#define NEED_VAL do { if (!val) goto bad; i++; } while (0)
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--fake")) {
			*fake = 1;
		} else if (!strcmp(a, "--verify")) {
			o->verify = 1;
		} else if (!strcmp(a, "--qd")) {
			NEED_VAL;
			if (parse_qds(val, o))
				goto bad;
		} else if (!strcmp(a, "--rw")) {
			NEED_VAL;
			if (!strcmp(val, "randread"))
				o->rw = RW_READ;
			else if (!strcmp(val, "randwrite"))
				o->rw = RW_WRITE;
			else if (!strcmp(val, "randrw"))
				o->rw = RW_MIX;
			else
				goto bad;
		} else if (!strcmp(a, "--mix")) {
			NEED_VAL;
			if (parse_size(val, &v) || v > 100)
				goto bad;
			o->mix = (unsigned int)v;
		} else if (!strcmp(a, "--bs")) {
			NEED_VAL;
			if (parse_size(val, &v) || !v || v % 512 ||
			    v > (64u << 20))
				goto bad;
			o->bs = (uint32_t)v;
		} else if (!strcmp(a, "--time")) {
			char *end;

			NEED_VAL;
			o->time_s = strtod(val, &end);
			if (*end || !(o->time_s > 0))
				goto bad;
			o->ios = 0;
		} else if (!strcmp(a, "--ios")) {
			NEED_VAL;
			if (parse_size(val, &o->ios) || !o->ios)
				goto bad;
			o->time_s = 0;
		} else if (!strcmp(a, "--nsid")) {
			NEED_VAL;
			if (parse_size(val, &v) || !v || v > 0xfffffffe)
				goto bad;
			o->nsid = (uint32_t)v;
		} else if (!strcmp(a, "--range") || !strcmp(a, "--size")) {
			NEED_VAL;
			if (parse_size(val, &o->range) || !o->range)
				goto bad;
		} else if (!strcmp(a, "--qpairs")) {
			NEED_VAL;
			if (parse_size(val, &v) || !v || v > MAX_QPAIRS)
				goto bad;
			o->qpairs = (unsigned int)v;
		} else if (!strcmp(a, "--seed")) {
			NEED_VAL;
			if (parse_size(val, &o->seed))
				goto bad;
		} else if (!strcmp(a, "--timeout")) {
			NEED_VAL;
			if (parse_size(val, &v) || !v || v > 3600000)
				goto bad;
			o->timeout_ms = (unsigned int)v;
		} else if (a[0] == '-' || o->bdf) {
			goto bad;
		} else {
			o->bdf = a;
		}
#undef NEED_VAL
		continue;
bad:
		fprintf(stderr, "nvme-raw-bench: bad argument '%s'%s%s\n", a,
			val && a[0] == '-' ? " " : "",
			val && a[0] == '-' ? val : "");
		return -1;
	}
	if (!*fake == !o->bdf) {
		fprintf(stderr, "nvme-raw-bench: name one PCI function, or --fake\n");
		return -1;
	}
	return 0;
}

/* The whole program; main() is this (tests call it too) */
static int bench_main(int argc, char **argv)
{
	struct nvr_fake *fake = NULL;
	struct bench *b;
	int is_fake, ret;

	if (!bench_out)
		bench_out = stdout;
	b = calloc(1, sizeof(*b));
	if (!b)
		return 1;
	if (parse_args(argc, argv, &b->o, &is_fake)) {
		usage(stderr);
		free(b);
		return 2;
	}
	if (is_fake) {
		fake = nvr_fake_new(FAKE_BLOCKS);
		ret = fake ? nvr_fake_open(fake, &b->c) : -ENOMEM;
	} else {
		ret = nvr_open(b->o.bdf, &b->c);
	}
	if (ret) {
		fprintf(stderr, "nvme-raw-bench: %s\n",
			fake || !is_fake ? nvr_errmsg() : "out of memory");
		nvr_fake_free(fake);
		free(b);
		return 1;
	}
	ret = bench_setup(b);
	if (!ret)
		ret = bench_run(b);
	bench_free(b);
	nvr_close(b->c);
	nvr_fake_free(fake);
	free(b);
	return ret ? 1 : 0;
}

#ifndef NVR_BENCH_TEST
int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	return bench_main(argc, argv);
}
#endif
