// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_nvm.c - exact completion-time tests for the NVM model (ftl/nvm.c).
 *
 * Unless a test says otherwise it uses P below: 4 units of 4 KiB,
 * read  delay/time/trailing = 1000/3000/500 ns,
 * write delay/time/trailing = 2000/7000/1500 ns.
 */
#include <time.h>

#include "nvm.h"
#include "unit.h"

#define KIB	1024ULL
#define MIB	(1024ULL * KIB)
#define GIB	(1024ULL * MIB)

#define RD	1000ULL		/* read delay */
#define RT	3000ULL		/* read time */
#define RR	500ULL		/* read trailing */
#define WD	2000ULL		/* write delay */
#define WT	7000ULL		/* write time */
#define WR	1500ULL		/* write trailing */

static const struct nvm_params P = {
	.read_delay = RD, .read_time = RT, .read_trailing = RR,
	.write_delay = WD, .write_time = WT, .write_trailing = WR,
	.nr_units = 4, .unit_size = 4096,
};

static u64 sched(struct nvm_model *m, enum model_op op, u64 len, u64 now)
{
	struct model_req r = { .op = op, .slba_bytes = 0, .len = len,
			       .now = now, .fua = false };

	return nvm_model_schedule(m, &r);
}

static u64 rd(struct nvm_model *m, u64 len, u64 now)
{
	return sched(m, MODEL_READ, len, now);
}

static u64 wr(struct nvm_model *m, u64 len, u64 now)
{
	return sched(m, MODEL_WRITE, len, now);
}

#define INIT(m, params)	EXPECT_EQ_INT(nvm_model_init(&(m), (params)), 0)

/* nvm_params_default() and init(NULL) give the documented defaults. */
static void test_defaults(void)
{
	struct nvm_params p;
	struct nvm_model m;
	u64 t;

	memset(&p, 0xff, sizeof(p));
	nvm_params_default(&p);
	EXPECT_EQ_U64(p.read_delay, 2000);
	EXPECT_EQ_U64(p.read_time, 3500);
	EXPECT_EQ_U64(p.read_trailing, 5500);
	EXPECT_EQ_U64(p.write_delay, 2000);
	EXPECT_EQ_U64(p.write_time, 3500);
	EXPECT_EQ_U64(p.write_trailing, 7000);
	EXPECT_EQ_U64(p.nr_units, 16);
	EXPECT_EQ_U64(p.unit_size, 4096);
	EXPECT_EQ_U64(p.cache_kib, 0);
	EXPECT_EQ_U64(p.cmd_read_ns, 0);
	EXPECT_EQ_U64(p.cmd_write_ns, 0);

	INIT(m, NULL);
	EXPECT_EQ_U64(m.p.nr_units, 16);
	t = rd(&m, 4096, 1000000);
	nvm_model_exit(&m);
	EXPECT_EQ_U64(t, 1000000 + 2000 + 3500);
}

/* A lone 4 KiB read on an idle device takes delay + time. */
static void test_lone_4k_read(void)
{
	struct nvm_model m;
	u64 t;

	INIT(m, &P);
	t = rd(&m, 4096, 10000);
	EXPECT_EQ_U64(m.cursor, 1);
	EXPECT_EQ_U64(m.unit_free[0], 10000 + RD + RT + RR);
	nvm_model_exit(&m);
	EXPECT_EQ_U64(t, 10000 + RD + RT);
}

/* 16 KiB over 4 idle units: all four chunks move in parallel. */
static void test_16k_read_4_units_parallel(void)
{
	struct nvm_model m;
	u64 t;
	u32 u;

	INIT(m, &P);
	t = rd(&m, 16 * KIB, 500);
	EXPECT_EQ_U64(t, 500 + RD + RT);
	EXPECT_EQ_U64(m.cursor, 0);
	for (u = 0; u < 4; u++)
		EXPECT_EQ_U64(m.unit_free[u], 500 + RD + RT + RR);
	nvm_model_exit(&m);
}

/*
 * 8 chunks over 4 units: two rounds; the second round waits for the
 * trailing time of the first.  A following request then queues behind.
 */
static void test_8_chunks_two_rounds_trailing(void)
{
	struct nvm_model m;

	INIT(m, &P);
	EXPECT_EQ_U64(rd(&m, 32 * KIB, 0), RD + 2 * RT + RR);
	EXPECT_EQ_U64(m.cursor, 0);
	EXPECT_EQ_U64(m.unit_free[3], RD + 2 * RT + 2 * RR);
	/* unit 0 is busy until RD + 2RT + 2RR; a 4K read now waits for it */
	EXPECT_EQ_U64(rd(&m, 4096, 0), RD + 3 * RT + 2 * RR);
	nvm_model_exit(&m);
}

/* Partial chunks round up: 1 byte = 1 chunk, 4097 bytes = 2 chunks. */
static void test_partial_chunks_round_up(void)
{
	struct nvm_model m;

	INIT(m, &P);
	EXPECT_EQ_U64(rd(&m, 1, 0), RD + RT);
	EXPECT_EQ_U64(m.cursor, 1);
	EXPECT_EQ_U64(rd(&m, 4097, 0), RD + RT);
	EXPECT_EQ_U64(m.cursor, 3);
	/* 5 chunks from unit 3: units 3,0,1,2 then 3 again */
	EXPECT_EQ_U64(rd(&m, 4 * 4096 + 1, 0), RD + 2 * RT + RR);
	EXPECT_EQ_U64(m.cursor, 0);
	nvm_model_exit(&m);
}

/* Two overlapping requests contend for units 0 and 1. */
static void test_two_requests_contend(void)
{
	struct nvm_model m;
	u64 a, b;

	INIT(m, &P);
	a = rd(&m, 8 * KIB, 0);		/* units 0,1 */
	EXPECT_EQ_U64(a, RD + RT);
	b = rd(&m, 16 * KIB, 100);	/* units 2,3 idle; 0,1 busy */
	/* units 0,1 free at RD + RT + RR > 100 + RD, so they gate b */
	EXPECT_EQ_U64(b, RD + RT + RR + RT);
	EXPECT_EQ_U64(m.unit_free[2], 100 + RD + RT + RR);
	EXPECT_EQ_U64(m.unit_free[0], RD + 2 * RT + 2 * RR);
	nvm_model_exit(&m);
}

/* A request arriving after all units became free sees an idle device. */
static void test_later_request_sees_idle(void)
{
	struct nvm_model m;
	u64 now;

	INIT(m, &P);
	EXPECT_EQ_U64(rd(&m, 64 * KIB, 0), RD + 4 * RT + 3 * RR);
	now = RD + 4 * RT + 4 * RR;	/* exactly when every unit frees */
	EXPECT_EQ_U64(rd(&m, 16 * KIB, now), now + RD + RT);
	EXPECT_EQ_U64(wr(&m, 4096, 1000000), 1000000 + WD + WT);
	nvm_model_exit(&m);
}

/*
 * Only the chunk, not the command delay, needs a free unit: a request whose
 * delay outlasts a unit's trailing time does not wait for that unit.
 */
static void test_delay_overlaps_trailing(void)
{
	struct nvm_model m;

	INIT(m, &P);
	EXPECT_EQ_U64(rd(&m, 16 * KIB, 0), RD + RT);
	/* units free at RD + RT + RR = 4500; ready at 3000 + RD = 4000 */
	EXPECT_EQ_U64(rd(&m, 4096, 3000), RD + RT + RR + RT);
	/* unit 1 free at 4500; ready at 4000 + RD = 5000: no wait */
	EXPECT_EQ_U64(rd(&m, 4096, 4000), 4000 + RD + RT);
	nvm_model_exit(&m);
}

/* The cursor wraps around the unit array across requests. */
static void test_cursor_wraps(void)
{
	struct nvm_model m;

	INIT(m, &P);
	EXPECT_EQ_U64(rd(&m, 12 * KIB, 0), RD + RT);	/* units 0,1,2 */
	EXPECT_EQ_U64(m.cursor, 3);
	/* units 3 (idle) and 0 (busy until RD + RT + RR) */
	EXPECT_EQ_U64(rd(&m, 8 * KIB, 0), RD + RT + RR + RT);
	EXPECT_EQ_U64(m.cursor, 1);
	EXPECT_EQ_U64(m.unit_free[3], RD + RT + RR);
	EXPECT_EQ_U64(m.unit_free[0], RD + 2 * RT + 2 * RR);
	/* unit 1, busy until RD + RT + RR */
	EXPECT_EQ_U64(rd(&m, 4096, 0), RD + 2 * RT + RR);
	EXPECT_EQ_U64(m.cursor, 2);
	nvm_model_exit(&m);
}

/* One unit: everything is serial. */
static void test_single_unit_serial(void)
{
	struct nvm_params p = P;
	struct nvm_model m;

	p.nr_units = 1;
	INIT(m, &p);
	EXPECT_EQ_U64(rd(&m, 3 * 4096, 0), RD + 3 * RT + 2 * RR);
	EXPECT_EQ_U64(m.cursor, 0);
	EXPECT_EQ_U64(rd(&m, 4096, 0), RD + 4 * RT + 3 * RR);
	nvm_model_exit(&m);
}

/* len 0 completes at now + delay, occupies nothing, cursor unchanged. */
static void test_len_zero(void)
{
	struct nvm_model m;
	u32 u;

	INIT(m, &P);
	EXPECT_EQ_U64(rd(&m, 0, 777), 777 + RD);
	EXPECT_EQ_U64(wr(&m, 0, 777), 777 + WD);
	EXPECT_EQ_U64(m.cursor, 0);
	for (u = 0; u < 4; u++)
		EXPECT_EQ_U64(m.unit_free[u], 0);
	EXPECT_EQ_U64(rd(&m, 4096, 777), 777 + RD + RT);
	nvm_model_exit(&m);
}

/* All-zero parameters: every request completes exactly at now. */
static void test_zero_latency_returns_now(void)
{
	struct nvm_params p = P;
	struct nvm_model m;
	u64 now = 5, len;
	int i;

	p.read_delay = p.read_time = p.read_trailing = 0;
	p.write_delay = p.write_time = p.write_trailing = 0;
	INIT(m, &p);
	for (i = 0; i < 1000; i++) {
		len = (u64)(i * 7919 % 70000);
		EXPECT_EQ_U64(rd(&m, len, now), now);
		EXPECT_EQ_U64(wr(&m, len + 1, now), now);
		if (i % 3)
			now += (u64)i * 13;
	}
	nvm_model_exit(&m);
}

/* Out-of-range parameters are rejected; the edges are accepted. */
static void test_invalid_params_rejected(void)
{
	static const u32 bad_units[] = { 0, 1025, 4096, 0xffffffffU };
	static const u32 bad_sizes[] = { 0, 1, 256, 511, 513, 3000, 4095,
					 4097, 2 << 20, 0x80000000U };
	static const u32 good_units[] = { 1, 3, 1024 };
	static const u32 good_sizes[] = { 512, 4096, 65536, 1 << 20 };
	struct nvm_params p;
	struct nvm_model m;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(bad_units); i++) {
		p = P;
		p.nr_units = bad_units[i];
		EXPECT_EQ_INT(nvm_model_init(&m, &p), -EINVAL);
		EXPECT_TRUE(m.unit_free == NULL);
		nvm_model_exit(&m);	/* safe after failure */
	}
	for (i = 0; i < UNIT_ARRAY_SIZE(bad_sizes); i++) {
		p = P;
		p.unit_size = bad_sizes[i];
		EXPECT_EQ_INT(nvm_model_init(&m, &p), -EINVAL);
		nvm_model_exit(&m);
	}
	for (i = 0; i < UNIT_ARRAY_SIZE(good_units); i++) {
		p = P;
		p.nr_units = good_units[i];
		EXPECT_EQ_INT(nvm_model_init(&m, &p), 0);
		nvm_model_exit(&m);
		nvm_model_exit(&m);	/* idempotent */
	}
	for (i = 0; i < UNIT_ARRAY_SIZE(good_sizes); i++) {
		p = P;
		p.unit_size = good_sizes[i];
		EXPECT_EQ_INT(nvm_model_init(&m, &p), 0);
		EXPECT_EQ_U64(rd(&m, good_sizes[i], 0), RD + RT);
		EXPECT_EQ_U64(m.cursor, 1);
		nvm_model_exit(&m);
	}
}

/* Reads use read_*, writes use write_*, and they share the units. */
static void test_write_vs_read_params(void)
{
	struct nvm_params p = P;
	struct nvm_model m;

	INIT(m, &P);
	EXPECT_EQ_U64(wr(&m, 4096, 0), WD + WT);
	EXPECT_EQ_U64(m.unit_free[0], WD + WT + WR);
	EXPECT_EQ_U64(rd(&m, 4096, 0), RD + RT);	/* unit 1, idle */
	/* 2 chunks per unit from unit 2; unit 0 starts at WD + WT + WR */
	EXPECT_EQ_U64(wr(&m, 32 * KIB, 0), WD + 3 * WT + 2 * WR);
	nvm_model_exit(&m);

	/* one unit: a read queues behind a write's trailing time */
	p.nr_units = 1;
	INIT(m, &p);
	EXPECT_EQ_U64(wr(&m, 8192, 0), WD + 2 * WT + WR);
	EXPECT_EQ_U64(rd(&m, 4096, 10), WD + 2 * WT + 2 * WR + RT);
	EXPECT_EQ_U64(wr(&m, 4096, 10),
		      WD + 2 * WT + 2 * WR + RT + RR + WT);
	nvm_model_exit(&m);
}

/* Flush/discard/write-zeroes/other: exactly now, no side effects. */
static void test_non_data_ops_free(void)
{
	static const enum model_op ops[] = { MODEL_FLUSH, MODEL_DISCARD,
					     MODEL_WRITE_ZEROES, MODEL_OTHER };
	struct model_req r = { 0 };
	struct nvm_model m;
	size_t i;

	INIT(m, &P);
	for (i = 0; i < UNIT_ARRAY_SIZE(ops); i++) {
		r.op = ops[i];
		r.now = 123456 + i;
		r.len = (i == 0) ? 0 : GIB;
		r.fua = i & 1;
		EXPECT_EQ_U64(nvm_model_schedule(&m, &r), 123456 + i);
	}
	EXPECT_EQ_U64(m.cursor, 0);
	EXPECT_EQ_U64(m.unit_free[0], 0);
	EXPECT_EQ_U64(rd(&m, 4096, 200000), 200000 + RD + RT);
	nvm_model_exit(&m);
}

/* FUA does not change a write's timing. */
static void test_fua_no_effect(void)
{
	struct model_req r = { .op = MODEL_WRITE, .len = 8192, .now = 50,
			       .fua = true };
	struct nvm_model m;

	INIT(m, &P);
	EXPECT_EQ_U64(nvm_model_schedule(&m, &r), 50 + WD + WT);
	EXPECT_EQ_U64(m.cursor, 2);
	nvm_model_exit(&m);
}

/* The address plays no part: same result for any slba_bytes. */
static void test_address_ignored(void)
{
	struct model_req r = { .op = MODEL_READ, .len = 4096 };
	struct nvm_model m;
	u64 off;

	for (off = 0; off < 4 * GIB; off += GIB + 4096) {
		INIT(m, &P);
		r.slba_bytes = off;
		r.now = 0;
		EXPECT_EQ_U64(nvm_model_schedule(&m, &r), RD + RT);
		EXPECT_EQ_U64(m.cursor, 1);
		nvm_model_exit(&m);
	}
}

static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * 1 GiB in 4 KiB units over 16 units = 16384 chunks per unit.  1000 such
 * requests back to back at the same now chain exactly; the cost per call
 * is O(units), so this takes well under a second.
 */
static void test_large_request_1g(void)
{
	struct nvm_params p = P;
	struct nvm_model m;
	const u64 k = GIB / 4096 / 16;
	double t0, elapsed;
	u64 i, t;

	p.nr_units = 16;
	INIT(m, &p);
	t0 = seconds_now();
	for (i = 0; i < 1000; i++) {
		t = rd(&m, GIB, 0);
		EXPECT_EQ_U64(t, RD + i * k * (RT + RR) +
				 k * RT + (k - 1) * RR);
		EXPECT_EQ_U64(m.cursor, 0);
	}
	elapsed = seconds_now() - t0;
	if (elapsed > 2.0)
		FAIL("1000 x 1 GiB took %.3f s", elapsed);

	/* 1 GiB + 1 byte: one more chunk, on unit 0 */
	nvm_model_reset(&m);
	EXPECT_EQ_U64(rd(&m, GIB + 1, 0), RD + (k + 1) * RT + k * RR);
	EXPECT_EQ_U64(m.cursor, 1);
	nvm_model_exit(&m);
}

/* Realistic-but-large clocks (~146 years in ns) stay exact. */
static void test_large_now_exact(void)
{
	struct nvm_model m;
	const u64 base = 1ULL << 62;
	u64 k = 64 * MIB / 4096 / 4;

	INIT(m, &P);
	EXPECT_EQ_U64(rd(&m, 4096, base), base + RD + RT);
	EXPECT_EQ_U64(rd(&m, 64 * MIB, base + MIB),
		      base + MIB + RD + k * RT + (k - 1) * RR);
	EXPECT_EQ_U64(m.cursor, 1);
	EXPECT_EQ_U64(wr(&m, 0, 0xfffffff000000000ULL),
		      0xfffffff000000000ULL + WD);
	nvm_model_exit(&m);
}

/* Times that would pass U64_MAX saturate rather than wrap. */
static void test_saturates_not_wraps(void)
{
	struct nvm_params p = P;
	struct nvm_model m;

	INIT(m, &P);
	EXPECT_EQ_U64(rd(&m, 4096, U64_MAX - 10), U64_MAX);
	EXPECT_EQ_U64(m.unit_free[0], U64_MAX);
	EXPECT_EQ_U64(rd(&m, 0, U64_MAX), U64_MAX);
	/* unit 0 was left saturated: later work there stays at U64_MAX */
	EXPECT_EQ_U64(rd(&m, 16 * KIB, 0), U64_MAX);
	nvm_model_exit(&m);

	/* huge len: 2^55 chunks of 512 bytes, k * cycle overflows */
	p.unit_size = 512;
	INIT(m, &p);
	EXPECT_EQ_U64(rd(&m, U64_MAX, 0), U64_MAX);
	EXPECT_EQ_U64(m.cursor, 0);
	nvm_model_exit(&m);
}

/* reset frees every unit and rewinds the cursor. */
static void test_reset(void)
{
	struct nvm_model m;

	INIT(m, &P);
	rd(&m, 40 * KIB, 0);
	wr(&m, 12 * KIB, 0);
	EXPECT_TRUE(m.cursor != 0);
	nvm_model_reset(&m);
	EXPECT_EQ_U64(m.cursor, 0);
	EXPECT_EQ_U64(rd(&m, 16 * KIB, 0), RD + RT);
	nvm_model_exit(&m);
}

/* Two instances never share state. */
static void test_instances_independent(void)
{
	struct nvm_model a, b;

	INIT(a, &P);
	INIT(b, &P);
	EXPECT_EQ_U64(rd(&a, 1 * MIB, 0), RD + 64 * RT + 63 * RR);
	EXPECT_EQ_U64(rd(&b, 4096, 0), RD + RT);
	EXPECT_EQ_U64(b.cursor, 1);
	nvm_model_exit(&a);
	nvm_model_exit(&b);
}

/* The generic ops table drives the same model. */
static void test_ops_table(void)
{
	const struct model_ops *ops = &nvm_model_ops;
	struct model_req r = { .op = MODEL_READ, .len = 8192, .now = 10 };
	struct nvm_params bad = P;
	void *priv;

	EXPECT_TRUE(strcmp(ops->name, "nvm") == 0);
	EXPECT_EQ_U64(ops->priv_size, sizeof(struct nvm_model));
	priv = kzalloc(ops->priv_size, GFP_KERNEL);
	EXPECT_TRUE(priv != NULL);

	bad.unit_size = 1000;
	EXPECT_EQ_INT(ops->init(priv, &bad), -EINVAL);
	ops->exit(priv);

	EXPECT_EQ_INT(ops->init(priv, &P), 0);
	EXPECT_EQ_U64(ops->schedule(priv, &r), 10 + RD + RT);
	/* second request: units 2 and 3, idle */
	EXPECT_EQ_U64(ops->schedule(priv, &r), 10 + RD + RT);
	EXPECT_EQ_U64(ops->schedule(priv, &r), RD + 2 * RT + RR + 10);
	ops->reset(priv);
	EXPECT_EQ_U64(ops->schedule(priv, &r), 10 + RD + RT);
	ops->exit(priv);

	EXPECT_EQ_INT(ops->init(priv, NULL), 0);		/* defaults */
	EXPECT_EQ_U64(ops->schedule(priv, &r), 10 + 2000 + 3500);
	ops->exit(priv);
	ops->exit(priv);
	kfree(priv);
}

/*
 * Reference: the per-chunk rule of nvm.h, literally.  The model computes
 * the same thing per unit in closed form; compare on random traffic.
 */
struct ref_model {
	u64 unit_free[NVM_MAX_UNITS];
	u32 cursor;
};

static u64 ref_schedule(struct ref_model *r, const struct nvm_params *p,
			const struct model_req *q)
{
	u64 delay, time, trailing, n, i, done, start, finish;

	if (q->op == MODEL_READ) {
		delay = p->read_delay;
		time = p->read_time;
		trailing = p->read_trailing;
	} else if (q->op == MODEL_WRITE) {
		delay = p->write_delay;
		time = p->write_time;
		trailing = p->write_trailing;
	} else {
		return q->now;
	}
	n = (q->len + p->unit_size - 1) / p->unit_size;
	done = q->now + delay;
	for (i = 0; i < n; i++) {
		u32 u = r->cursor;

		start = q->now + delay;
		if (r->unit_free[u] > start)
			start = r->unit_free[u];
		finish = start + time;
		r->unit_free[u] = finish + trailing;
		if (finish > done)
			done = finish;
		r->cursor = (r->cursor + 1) % p->nr_units;
	}
	return done;
}

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rng(void)
{
	/* xorshift64*: deterministic, seeded above */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void test_matches_per_chunk_reference(void)
{
	static struct ref_model ref;
	struct nvm_params p;
	struct nvm_model m;
	struct model_req q;
	int cfg, i;
	u32 u;

	for (cfg = 0; cfg < 200; cfg++) {
		p.read_delay = rng() % 5000;
		p.read_time = rng() % 20000;
		p.read_trailing = rng() % 20000;
		p.write_delay = rng() % 5000;
		p.write_time = rng() % 40000;
		p.write_trailing = rng() % 40000;
		p.nr_units = 1 + rng() % (cfg < 100 ? 20 : NVM_MAX_UNITS);
		p.unit_size = 512U << (rng() % 12);
		p.cache_kib = 0;
		p.cmd_read_ns = 0;
		p.cmd_write_ns = 0;
		if (cfg % 10 == 0)
			p.read_trailing = p.write_trailing = 0;
		INIT(m, &p);
		memset(&ref, 0, sizeof(ref));
		q.now = rng() % 1000000;
		for (i = 0; i < 300; i++) {
			u64 r = rng();

			q.op = (r & 3) == 3 ? (enum model_op)((r >> 2) % 6) :
			       (r & 1) ? MODEL_WRITE : MODEL_READ;
			q.len = rng() % (p.unit_size * (u64)(3 + rng() % 70));
			if (rng() % 8 == 0)
				q.len = 0;
			q.slba_bytes = rng();
			q.fua = rng() & 1;
			q.now += rng() % 20000;
			EXPECT_EQ_U64(nvm_model_schedule(&m, &q),
				      ref_schedule(&ref, &p, &q));
			EXPECT_EQ_U64(m.cursor, ref.cursor);
		}
		for (u = 0; u < p.nr_units; u++)
			EXPECT_EQ_U64(m.unit_free[u], ref.unit_free[u]);
		nvm_model_exit(&m);
	}
}

/*
 * Zone ops, and any op value the model does not know, are MODEL_OTHER:
 * at exactly now, no unit used.
 */
static void test_zone_and_unknown_ops_are_other(void)
{
	static const u32 ops[] = { MODEL_ZONE_RESET, MODEL_ZONE_FINISH,
				   MODEL_ZONE_FINISH + 1, 1000 };
	struct model_req q = { .slba_bytes = 1ULL << 31, .len = 1ULL << 31 };
	struct nvm_model m;
	size_t i;
	u32 u;

	INIT(m, &P);
	for (i = 0; i < UNIT_ARRAY_SIZE(ops); i++) {
		q.op = (enum model_op)ops[i];
		q.now = 1000 * (i + 1);
		EXPECT_EQ_U64(nvm_model_schedule(&m, &q), q.now);
	}
	EXPECT_EQ_U64(m.cursor, 0);
	for (u = 0; u < 4; u++)
		EXPECT_EQ_U64(m.unit_free[u], 0);
	/* the device stays idle: a read right after costs delay + time */
	EXPECT_EQ_U64(rd(&m, 4096, 5000), 5000 + RD + RT);
	nvm_model_exit(&m);
}

/* ---- the volatile write cache (cache_kib > 0) ------------------------ */

static u64 dsched(struct nvm_model *m, enum model_op op, u64 len, u64 now,
		  bool fua, struct model_durability *d)
{
	struct model_req r = { .op = op, .len = len, .now = now, .fua = fua };
	u64 t = nvm_model_schedule(m, &r);

	memset(d, 0xa5, sizeof(*d));
	nvm_model_durability(m, &r, d);
	return t;
}

#define EXPECT_AT(d, at_)						\
	do {								\
		EXPECT_EQ_U64((d).at, (at_));				\
		EXPECT_EQ_U64((d).wait, 0);				\
		EXPECT_EQ_U64((d).closed, 0);				\
		EXPECT_EQ_U64((d).closed_at, 0);			\
	} while (0)

/* cache_kib: 0 or 4..262144; the ops report the cache. */
static void test_cache_params(void)
{
	static const u32 bad[] = { 1, 2, 3, 262145, 262148, 0xffffffffU };
	static const u32 good[] = { 0, 4, 5, 8, 262144 };
	struct nvm_params p = P;
	struct nvm_model m;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(bad); i++) {
		p.cache_kib = bad[i];
		EXPECT_TRUE(nvm_check_params(&p) != NULL);
		EXPECT_EQ_INT(nvm_model_init(&m, &p), -EINVAL);
		nvm_model_exit(&m);
	}
	for (i = 0; i < UNIT_ARRAY_SIZE(good); i++) {
		p.cache_kib = good[i];
		EXPECT_TRUE(nvm_check_params(&p) == NULL);
		INIT(m, &p);
		EXPECT_EQ_INT(nvm_model_volatile_cache(&m), good[i] > 0);
		EXPECT_EQ_INT(nvm_model_ops.volatile_cache(&m), good[i] > 0);
		EXPECT_TRUE((m.ring != NULL) == (good[i] > 0));
		nvm_model_exit(&m);
	}
	EXPECT_TRUE(nvm_model_ops.durability != NULL);
}

/*
 * An 8 KiB cache (two chunks), by hand.  W0 (unit 0) reaches the media at
 * D0 = 9000; a 12 KiB read keeps units 1-3 busy until 4500; W1 queues on
 * unit 0 (free at 10500): D1 = 17500; W2 takes unit 1: D2 = 4500 + 7000 =
 * 11500 < D1, so D'2 = 17500 (in order).  W0, W1 fill the cache at 2000;
 * W2 waits for W0 to drain (9000); W3 (8 KiB, units 2-3, D3 = 11500) for
 * W1 and W2 (17500).  The flush waits for everything.
 */
static void test_cache_admission_in_order(void)
{
	struct nvm_params p = P;
	struct model_durability d;
	struct nvm_model m;

	p.cache_kib = 8;
	INIT(m, &p);
	EXPECT_EQ_U64(dsched(&m, MODEL_WRITE, 4096, 0, false, &d), WD);
	EXPECT_AT(d, WD + WT);
	EXPECT_EQ_U64(dsched(&m, MODEL_READ, 12 * KIB, 0, false, &d),
		      RD + RT);
	EXPECT_AT(d, RD + RT);
	EXPECT_EQ_U64(dsched(&m, MODEL_WRITE, 4096, 0, false, &d), WD);
	EXPECT_AT(d, 17500);
	EXPECT_EQ_U64(m.held, 8 * KIB);
	EXPECT_EQ_U64(dsched(&m, MODEL_WRITE, 4096, 0, false, &d), 9000);
	EXPECT_AT(d, 17500);
	EXPECT_EQ_U64(m.unit_free[1], 11500 + WR);	/* D2 = 11500 */
	EXPECT_EQ_U64(dsched(&m, MODEL_WRITE, 8 * KIB, 0, false, &d),
		      17500);
	EXPECT_AT(d, 17500);
	EXPECT_EQ_U64(m.ring_len, 1);
	EXPECT_EQ_U64(dsched(&m, MODEL_FLUSH, 0, 0, false, &d), 17500);
	EXPECT_AT(d, 17500);
	EXPECT_EQ_U64(dsched(&m, MODEL_FLUSH, 0, 20000, false, &d), 20000);
	EXPECT_AT(d, 20000);
	/* discard, write zeroes, other: free, durable at completion */
	EXPECT_EQ_U64(dsched(&m, MODEL_DISCARD, GIB, 100, false, &d), 100);
	EXPECT_AT(d, 100);
	EXPECT_EQ_U64(dsched(&m, MODEL_WRITE_ZEROES, GIB, 100, false, &d),
		      100);
	EXPECT_AT(d, 100);
	/* len 0: completes at now + delay, durable then, cache untouched */
	EXPECT_EQ_U64(dsched(&m, MODEL_WRITE, 0, 100, true, &d), 100 + WD);
	EXPECT_AT(d, 100 + WD);
	EXPECT_EQ_U64(m.last_dur, 17500);
	nvm_model_exit(&m);
}

/*
 * fua and a write larger than the cache.  After the scenario above (units
 * free at 19000, 13000, 13000, 13000; cursor 0), W4 fua (unit 0) at 20000
 * is admitted at 22000 and completes when durable, D4 = 29000.  W5 (16 KiB
 * > 8 KiB) waits for the cache to empty (29000) and writes through: its
 * chunk on unit 0 starts at 30500, D5 = 37500.  W6 (unit 1, free 30500
 * after W5) enters the empty cache at 29000 (admission in order: not
 * before W5's) and is durable after W5, at 37500.
 */
static void test_cache_fua_and_large(void)
{
	struct nvm_params p = P;
	struct model_durability d;
	struct nvm_model m;

	p.cache_kib = 8;
	INIT(m, &p);
	dsched(&m, MODEL_WRITE, 4096, 0, false, &d);
	dsched(&m, MODEL_READ, 12 * KIB, 0, false, &d);
	dsched(&m, MODEL_WRITE, 4096, 0, false, &d);
	dsched(&m, MODEL_WRITE, 4096, 0, false, &d);
	dsched(&m, MODEL_WRITE, 8 * KIB, 0, false, &d);
	EXPECT_EQ_U64(m.cursor, 0);
	EXPECT_EQ_U64(dsched(&m, MODEL_WRITE, 4096, 20000, true, &d), 29000);
	EXPECT_AT(d, 29000);
	EXPECT_EQ_U64(m.last_admit, 22000);
	EXPECT_EQ_U64(dsched(&m, MODEL_WRITE, 16 * KIB, 20000, false, &d),
		      37500);
	EXPECT_AT(d, 37500);
	EXPECT_EQ_U64(m.ring_len, 0);
	EXPECT_EQ_U64(m.held, 0);
	EXPECT_EQ_U64(m.last_admit, 29000);
	EXPECT_EQ_U64(dsched(&m, MODEL_WRITE, 4096, 20000, false, &d), 29000);
	EXPECT_AT(d, 37500);
	/* a flush waits for W6 */
	EXPECT_EQ_U64(dsched(&m, MODEL_FLUSH, 0, 20000, false, &d), 37500);
	nvm_model_exit(&m);
}

/*
 * The ring: 1025 4 KiB writes at 0 into a 4100 KiB cache all fit (admitted
 * at 2000); write j lands on unit j % 4 as its (j / 4)-th chunk there: D_j
 * = 9000 + (j / 4) * 8500.  The 1025th finds the ring full and is merged
 * into the tail entry (W1023, D' 2176500) with its D' 2185000.  A 4 MiB
 * write then needs all but 4 KiB freed: without the merge it would enter
 * once W1023 drained (2176500); with it, once W1024 did (2185000).
 */
static void test_cache_ring_merge(void)
{
	struct nvm_params p = P;
	struct model_durability d;
	struct nvm_model m;
	u64 j;

	p.cache_kib = 4100;
	INIT(m, &p);
	for (j = 0; j < 1025; j++) {
		EXPECT_EQ_U64(dsched(&m, MODEL_WRITE, 4096, 0, false, &d), WD);
		EXPECT_AT(d, 9000 + (j / 4) * 8500);
	}
	EXPECT_EQ_U64(m.ring_len, NVM_CACHE_RING);
	EXPECT_EQ_U64(m.held, 4100 * KIB);
	EXPECT_EQ_U64(m.ring[(m.ring_head + 1023) % 1024].bytes, 8 * KIB);
	EXPECT_EQ_U64(m.ring[(m.ring_head + 1023) % 1024].dur, 2185000);
	EXPECT_EQ_U64(dsched(&m, MODEL_WRITE, 4 * MIB, 0, false, &d),
		      2185000);
	EXPECT_EQ_U64(m.ring_len, 1);
	EXPECT_EQ_U64(m.held, 4 * MIB);
	nvm_model_exit(&m);
}

/* reset empties the cache: nothing pending, everything idle. */
static void test_cache_reset(void)
{
	struct nvm_params p = P;
	struct model_durability d;
	struct nvm_model m;

	p.cache_kib = 8;
	INIT(m, &p);
	dsched(&m, MODEL_WRITE, 8 * KIB, 0, false, &d);
	EXPECT_EQ_U64(dsched(&m, MODEL_WRITE, 4096, 0, false, &d),
		      WD + WT);
	nvm_model_reset(&m);
	EXPECT_EQ_U64(m.ring_len, 0);
	EXPECT_EQ_U64(m.held, 0);
	EXPECT_EQ_U64(dsched(&m, MODEL_FLUSH, 0, 5, false, &d), 5);
	/* a cache-sized write enters at once, on idle unit 0 */
	EXPECT_EQ_U64(dsched(&m, MODEL_WRITE, 8 * KIB, 0, false, &d), WD);
	EXPECT_AT(d, WD + WT);
	nvm_model_exit(&m);
}

/*
 * Without a cache nothing changes: durable at completion, flush free.
 * With one, on random traffic: the media side is the same (D' is the
 * running maximum of the no-cache completions), a write completes by its
 * D' (fua: at it), and a flush waits for the last D'.
 */
static void test_cache_matches_media(void)
{
	struct nvm_params p = P;
	struct model_durability d, d0;
	struct nvm_model m, m0;
	u64 now = 0, dmax = 0, t, t0;
	int i;

	INIT(m0, &P);
	EXPECT_TRUE(!nvm_model_volatile_cache(&m0));
	p.cache_kib = 64;
	INIT(m, &p);
	for (i = 0; i < 20000; i++) {
		u64 r = rng();
		enum model_op op = r % 4 == 0 ? MODEL_READ :
				   r % 16 == 1 ? MODEL_FLUSH :
				   r % 16 == 5 ? MODEL_DISCARD : MODEL_WRITE;
		u64 len = rng() % (96 * KIB);
		bool fua = rng() % 8 == 0;

		now += rng() % 4 ? rng() % 3000 : rng() % 100000;
		t0 = dsched(&m0, op, len, now, fua, &d0);
		t = dsched(&m, op, len, now, fua, &d);
		EXPECT_AT(d0, t0);
		if (op == MODEL_WRITE && len) {
			if (t0 > dmax)
				dmax = t0;
			EXPECT_AT(d, dmax);
			EXPECT_TRUE(t <= dmax);
			EXPECT_TRUE(t >= now + WD);
			if (fua || len > 64 * KIB)
				EXPECT_EQ_U64(t, dmax);
			EXPECT_TRUE(m.held <= 64 * KIB);
		} else if (op == MODEL_FLUSH) {
			EXPECT_EQ_U64(t0, now);
			EXPECT_EQ_U64(t, dmax > now ? dmax : now);
			EXPECT_AT(d, t);
		} else {
			EXPECT_EQ_U64(t, t0);
			EXPECT_AT(d, t);
		}
	}
	nvm_model_exit(&m);
	nvm_model_exit(&m0);
}

/* ---- the controller's command rate (cmd_read_ns, cmd_write_ns) ------- */

/* cmd_*_ns: 0..1000000; the check names the field. */
static void test_cmd_params(void)
{
	struct nvm_params p = P;
	struct nvm_model m;

	p.cmd_read_ns = NVM_MAX_CMD_NS;
	p.cmd_write_ns = NVM_MAX_CMD_NS;
	EXPECT_TRUE(nvm_check_params(&p) == NULL);
	p.cmd_read_ns = NVM_MAX_CMD_NS + 1;
	EXPECT_TRUE(nvm_check_params(&p) &&
		    strstr(nvm_check_params(&p), "cmd_read_ns"));
	EXPECT_EQ_INT(nvm_model_init(&m, &p), -EINVAL);
	p.cmd_read_ns = 0;
	p.cmd_write_ns = NVM_MAX_CMD_NS + 1;
	EXPECT_TRUE(nvm_check_params(&p) &&
		    strstr(nvm_check_params(&p), "cmd_write_ns"));
	EXPECT_EQ_INT(nvm_model_init(&m, &p), -EINVAL);
}

/*
 * Three 4 KiB reads fetched together on P with cmd_read_ns = 700: started
 * at 0, 700 and 1400, each on its own idle unit: done at delay + time
 * after its start.  A lone read on the idle controller keeps its latency.
 */
static void test_cmd_read_rate(void)
{
	struct nvm_params p = P;
	struct nvm_model m;

	p.cmd_read_ns = 700;
	INIT(m, &p);
	EXPECT_EQ_U64(rd(&m, 4096, 0), 0 + RD + RT);		/* 4000 */
	EXPECT_EQ_U64(rd(&m, 4096, 0), 700 + RD + RT);		/* 4700 */
	EXPECT_EQ_U64(rd(&m, 4096, 0), 1400 + RD + RT);	/* 5400 */
	EXPECT_EQ_U64(m.ctrl_free, 2100);
	/* fetched after the controller is free: started at once */
	EXPECT_EQ_U64(rd(&m, 4096, 50000), 50000 + RD + RT);
	EXPECT_EQ_U64(m.ctrl_free, 50700);
	/* fetched while it is busy (50000..50700): started at 50700 */
	EXPECT_EQ_U64(rd(&m, 4096, 50100), 50700 + RD + RT);
	nvm_model_exit(&m);
}

/*
 * The ceiling: 1000 reads fetched at 0 on 1024 units with no media time
 * (delay/time/trailing 0) and cmd_read_ns = 667: read i completes at
 * 667 * i, the last at 666333, i.e. 1000 reads in 666333 + 667 ns of
 * controller time = 10^9 / 667 = 1,499,250 per second.
 */
static void test_cmd_ceiling(void)
{
	struct nvm_params p = P;
	struct nvm_model m;
	u64 t = 0;
	int i;

	p.read_delay = p.read_time = p.read_trailing = 0;
	p.nr_units = NVM_MAX_UNITS;
	p.cmd_read_ns = NVM_P5800X_CMD_READ_NS;
	INIT(m, &p);
	for (i = 0; i < 1000; i++) {
		t = rd(&m, 4096, 0);
		if (t != 667ULL * i)
			break;
	}
	EXPECT_EQ_U64(t, 666333);
	EXPECT_EQ_U64(m.ctrl_free, 667000);
	nvm_model_exit(&m);
}

/*
 * Reads and writes share the controller, each paying its own cmd_ns:
 * cmd_read_ns 600, cmd_write_ns 900, all fetched at 0 on P's 4 idle units.
 * write: start 0, ctrl_free 900, done 0 + WD + WT = 9000
 * read:  start 900, ctrl_free 1500, done 900 + RD + RT = 4900
 * write: start 1500, ctrl_free 2400, done 1500 + 9000 = 10500
 * A 0-length read is a command too: start 2400, done 2400 + RD = 3400.
 */
static void test_cmd_read_write_share(void)
{
	struct nvm_params p = P;
	struct nvm_model m;

	p.cmd_read_ns = 600;
	p.cmd_write_ns = 900;
	INIT(m, &p);
	EXPECT_EQ_U64(wr(&m, 4096, 0), 9000);
	EXPECT_EQ_U64(rd(&m, 4096, 0), 4900);
	EXPECT_EQ_U64(wr(&m, 4096, 0), 10500);
	EXPECT_EQ_U64(rd(&m, 0, 0), 3400);
	EXPECT_EQ_U64(m.ctrl_free, 3000);
	nvm_model_exit(&m);
}

/*
 * An op whose cmd_ns is 0 bypasses the controller, as do the non-data
 * ops: cmd_read_ns 0, cmd_write_ns 1000.  write at 0: done 9000,
 * ctrl_free 1000; read at 0: not held, done RD + RT = 4000 (unit 1);
 * flush, discard at 0: 0 (no cache, nothing pending); write at 0: start
 * 1000, unit 2 idle, done 1000 + 9000 = 10000.  reset() frees the
 * controller: a write at 0 then completes at 9000.
 */
static void test_cmd_bypass_and_reset(void)
{
	struct nvm_params p = P;
	struct nvm_model m;

	p.cmd_write_ns = 1000;
	INIT(m, &p);
	EXPECT_EQ_U64(wr(&m, 4096, 0), 9000);
	EXPECT_EQ_U64(rd(&m, 4096, 0), 4000);
	EXPECT_EQ_U64(sched(&m, MODEL_FLUSH, 0, 0), 0);
	EXPECT_EQ_U64(sched(&m, MODEL_DISCARD, 4096, 0), 0);
	EXPECT_EQ_U64(m.ctrl_free, 1000);
	EXPECT_EQ_U64(wr(&m, 4096, 0), 10000);
	EXPECT_EQ_U64(m.ctrl_free, 2000);
	nvm_model_reset(&m);
	EXPECT_EQ_U64(m.ctrl_free, 0);
	EXPECT_EQ_U64(wr(&m, 4096, 0), 9000);
	nvm_model_exit(&m);
}

/*
 * With a cache, the write is admitted as if fetched at its start:
 * cache_kib 8, cmd_write_ns 1000, two 4 KiB writes at 0.  First: start 0,
 * ready WD = 2000, fits, completes 2000 (media 9000).  Second: start
 * 1000, ready 3000, 4 KiB held + 4 KiB fits in 8, completes 3000.
 */
static void test_cmd_with_cache(void)
{
	struct nvm_params p = P;
	struct nvm_model m;

	p.cache_kib = 8;
	p.cmd_write_ns = 1000;
	INIT(m, &p);
	EXPECT_EQ_U64(wr(&m, 4096, 0), 2000);
	EXPECT_EQ_U64(wr(&m, 4096, 0), 3000);
	EXPECT_EQ_U64(sched(&m, MODEL_FLUSH, 0, 0), 10000);
	nvm_model_exit(&m);
}

static const struct unit_test tests[] = {
	UNIT_TEST(defaults),
	UNIT_TEST(lone_4k_read),
	UNIT_TEST(16k_read_4_units_parallel),
	UNIT_TEST(8_chunks_two_rounds_trailing),
	UNIT_TEST(partial_chunks_round_up),
	UNIT_TEST(two_requests_contend),
	UNIT_TEST(later_request_sees_idle),
	UNIT_TEST(delay_overlaps_trailing),
	UNIT_TEST(cursor_wraps),
	UNIT_TEST(single_unit_serial),
	UNIT_TEST(len_zero),
	UNIT_TEST(zero_latency_returns_now),
	UNIT_TEST(invalid_params_rejected),
	UNIT_TEST(write_vs_read_params),
	UNIT_TEST(non_data_ops_free),
	UNIT_TEST(fua_no_effect),
	UNIT_TEST(address_ignored),
	UNIT_TEST(large_request_1g),
	UNIT_TEST(large_now_exact),
	UNIT_TEST(saturates_not_wraps),
	UNIT_TEST(reset),
	UNIT_TEST(instances_independent),
	UNIT_TEST(ops_table),
	UNIT_TEST(matches_per_chunk_reference),
	UNIT_TEST(zone_and_unknown_ops_are_other),
	UNIT_TEST(cache_params),
	UNIT_TEST(cache_admission_in_order),
	UNIT_TEST(cache_fua_and_large),
	UNIT_TEST(cache_ring_merge),
	UNIT_TEST(cache_reset),
	UNIT_TEST(cache_matches_media),
	UNIT_TEST(cmd_params),
	UNIT_TEST(cmd_read_rate),
	UNIT_TEST(cmd_ceiling),
	UNIT_TEST(cmd_read_write_share),
	UNIT_TEST(cmd_bypass_and_reset),
	UNIT_TEST(cmd_with_cache),
};

int main(int argc, char **argv)
{
	return unit_main("unit/nvm/", tests, UNIT_ARRAY_SIZE(tests),
			 argc, argv);
}
