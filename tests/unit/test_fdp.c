// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_fdp.c - Flexible Data Placement in the conv model (ftl/conv.h
 * "Flexible Data Placement"): reclaim units, ru_avail / ru_update, events,
 * isolation of GC, the durability watermark, the spare bound, and the
 * hot/cold write-amplification experiment.
 *
 * Unless a test says otherwise it uses FP: 4 channels x 1 LUN, 1 plane,
 * 8 KiB pages (2 slots), 2-page one-shot (PU = 4 slots), SLC, 16 pages per
 * block (G = 32 slots, 8 PUs), 50% OP, 8 MiB, 1 RG, 4 handles initially
 * isolated.  t_c = 10240 ns, t_l = 2000.
 */
#include "conv.h"
#include "unit.h"

#include <stdlib.h>

#define KIB	1024ULL
#define MIB	(1024ULL * KIB)
#define GIB	(1024ULL * MIB)

#define FW	2000ULL
#define PROG	200000ULL
#define TC	10240ULL
#define TL	2000ULL

static const struct conv_params FP = {
	.capacity = 8 * MIB, .op_percent = 50,
	.nr_channels = 4, .luns_per_channel = 1, .planes_per_lun = 1,
	.pages_per_block = 16, .page_size = 8192, .oneshot_pages = 2,
	.cell_bits = 1,
	.read_4k_ns = { 20000 }, .read_page_ns = { 25000 },
	.prog_ns = PROG, .erase_ns = 1000000,
	.channel_mbps = 400, .link_mbps = 2048,
	.fw_read_ns = 1000, .fw_write_ns = FW, .fw_other_ns = 500,
	.buffer_kib = 256, .gc_policy = CONV_GC_GREEDY,
	.fdp_rgs = 1, .fdp_ruhs = 4,
};

#define INIT(m, p)							\
	do {								\
		if (conv_model_init(&(m), (p)))				\
			FAIL("init: %s", conv_check_params(p) ?: "ENOMEM"); \
	} while (0)

static u64 wrp(struct conv_model *m, u64 off, u64 len, u64 now, u32 ruh,
	       u32 rg, bool fua)
{
	struct model_req r = { .op = MODEL_WRITE, .slba_bytes = off,
			       .len = len, .now = now, .fua = fua,
			       .ruh = (u16)ruh, .rg = (u16)rg };

	return conv_model_schedule(m, &r);
}

static u64 op(struct conv_model *m, enum model_op o, u64 off, u64 len,
	      u64 now)
{
	struct model_req r = { .op = o, .slba_bytes = off, .len = len,
			       .now = now };

	return conv_model_schedule(m, &r);
}

static void dur(struct conv_model *m, struct model_durability *d)
{
	struct model_req r = { 0 };

	conv_model_durability(m, &r, d);
}

/* deterministic generator */
static u64 rng_state;
static u32 rnd(u32 n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (u32)((rng_state >> 33) % n);
}

/* The L2P entry (ppa + 1) of @lba, as conv.c packs it. */
static u32 l2p(const struct conv_model *m, u32 lba)
{
	u64 bit = (u64)lba * m->l2p_bits;
	u32 off = (u32)(bit & 63);
	const u64 *w = m->l2p + (bit >> 6);
	u64 v = w[0] >> off;

	if (off + m->l2p_bits > 64)
		v |= w[1] << (64 - off);
	return (u32)(v & ((1ULL << m->l2p_bits) - 1));
}

static u32 owner(const struct conv_model *m, u32 g)
{
	return m->fdp->st[m->fdp->grp_stream[g]].ruh;
}

struct evlog {
	u64 ru_full, moved, moved_slots, mixed;
	u32 last_ruh;
};

static void evfn(void *arg, const struct conv_fdp_event *ev)
{
	struct evlog *l = arg;

	if (ev->type == CONV_FDP_EV_RU_FULL) {
		l->ru_full++;
		l->last_ruh = ev->ruh;
	} else {
		l->moved++;
		l->moved_slots += ev->nr;
		if (ev->ruh == CONV_FDP_RUH_MIXED)
			l->mixed++;
	}
}

/* FDP off: the interface answers "no FDP". */
static void test_off(void)
{
	struct conv_params p = FP;
	struct conv_model m;

	p.fdp_rgs = 0;
	p.fdp_ruhs = 0;
	INIT(m, &p);
	EXPECT_TRUE(!conv_fdp_enabled(&m));
	EXPECT_EQ_U64(conv_fdp_ru_bytes(&m), 0);
	EXPECT_EQ_U64(conv_fdp_ru_update(&m, 0, 0, 0), 0);
	EXPECT_EQ_U64(m.pu_num, 1);
	conv_model_exit(&m);
}

/* RUNS = (N / rgs) * G * 4096. */
static void test_runs(void)
{
	struct conv_params p = FP;
	struct conv_model m;

	INIT(m, &p);
	EXPECT_TRUE(conv_fdp_enabled(&m));
	EXPECT_EQ_U64(conv_fdp_ru_bytes(&m), 4 * 32 * 4096);
	EXPECT_EQ_U64(conv_fdp_ru_avail(&m, 3, 0), 4 * 32 * 4096);
	conv_model_exit(&m);
	p.fdp_rgs = 2;
	p.fdp_ruhs = 2;
	INIT(m, &p);
	EXPECT_EQ_U64(conv_fdp_ru_bytes(&m), 2 * 32 * 4096);
	conv_model_exit(&m);
}

/* ru_avail falls by 4096 per slot; at the fill RU_FULL, then a full RU. */
static void test_ru_avail(void)
{
	struct conv_model m;
	struct evlog ev = { 0 };
	u64 ru = 4 * 32 * 4096, i, t = 0;

	INIT(m, &FP);
	conv_fdp_set_event_fn(&m, evfn, &ev);
	for (i = 0; i < 4 * 32; i++) {
		EXPECT_EQ_U64(conv_fdp_ru_avail(&m, 1, 0), ru - i * 4096);
		EXPECT_EQ_U64(conv_fdp_ru_avail(&m, 0, 0), ru);
		t = wrp(&m, i * 4096, 4096, t, 1, 0, false);
		EXPECT_EQ_U64(ev.ru_full, i + 1 == 4 * 32 ? 1 : 0);
	}
	EXPECT_EQ_U64(ev.last_ruh, 1);
	EXPECT_EQ_U64(conv_fdp_ru_avail(&m, 1, 0), ru);
	/* a fua write pads its PU: the padding counts as written */
	wrp(&m, 0, 4096, t, 1, 0, true);
	EXPECT_EQ_U64(conv_fdp_ru_avail(&m, 1, 0), ru - 4 * 4096);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/* ru_update: the unwritten bytes, then a fresh RU; 0 on an empty one. */
static void test_ru_update(void)
{
	struct conv_model m;
	struct model_stats st;
	u64 ru = 4 * 32 * 4096, t;
	u32 g;

	INIT(m, &FP);
	EXPECT_EQ_U64(conv_fdp_ru_update(&m, 2, 0, 0), 0);
	t = wrp(&m, 0, 3 * 4096, 0, 2, 0, false);
	EXPECT_EQ_U64(conv_fdp_ru_avail(&m, 2, 0), ru - 3 * 4096);
	EXPECT_EQ_U64(conv_fdp_ru_update(&m, 2, 0, t), ru - 3 * 4096);
	EXPECT_EQ_U64(conv_fdp_ru_avail(&m, 2, 0), ru);
	EXPECT_EQ_U64(conv_fdp_ru_update(&m, 2, 0, t), 0);
	/* the open PU was padded and programmed: 4 slots of media */
	conv_model_stats(&m, &st);
	EXPECT_EQ_U64(st.media_write_bytes, 4 * 4096);
	/* its group is full (a GC candidate) with 3 valid slots */
	g = (l2p(&m, 0) - 1) / m.grp_slots;
	EXPECT_EQ_U64(m.state[g], 2 /* CONV_GRP_FULL */);
	EXPECT_EQ_U64(m.valid[g], 3);
	EXPECT_EQ_U64(conv_next_victim(&m, t), g);
	/* the next write starts a new RU in a new group */
	wrp(&m, 4096 * 8, 4096, t, 2, 0, false);
	EXPECT_TRUE((l2p(&m, 8) - 1) / m.grp_slots != g);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/*
 * Exact times: each stream has its own open PU and cursor, so two handles'
 * first fua writes both go to LUN 0 and the second program queues behind
 * the first (FDP off would stripe them over LUNs 0 and 1).
 */
static void test_times(void)
{
	struct conv_model m;
	struct conv_params p = FP;
	u64 a, b;

	INIT(m, &p);
	a = wrp(&m, 0, 4096, 0, 0, 0, true);
	b = wrp(&m, 4096, 4096, 0, 1, 0, true);
	EXPECT_EQ_U64(a, FW + TL + 4 * TC + PROG);
	EXPECT_EQ_U64(b, FW + TL + 4 * TC + PROG + 4 * TC + PROG);
	/* buffered: a 4 KiB write costs fw + t_l */
	EXPECT_EQ_U64(wrp(&m, 8192, 4096, b, 3, 0, false), b + FW + TL);
	conv_model_exit(&m);
	p.fdp_rgs = 0;
	INIT(m, &p);
	a = wrp(&m, 0, 4096, 0, 0, 0, true);
	b = wrp(&m, 4096, 4096, 0, 1, 0, true);
	EXPECT_EQ_U64(b, FW + 2 * TL + 4 * TC + PROG);
	conv_model_exit(&m);
}

/*
 * Random overwrites by several handles (each write's handle random); check
 * that every valid slot lies in a group owned by the handle that wrote it
 * last (persistent), or by it or a shared GC unit (initially isolated).
 */
static void isolation(u32 persistent, u32 rgs)
{
	struct conv_params p = FP;
	struct conv_model m;
	struct model_stats st;
	struct evlog ev = { 0 };
	u8 *who;
	u32 i, lba, g, h, ls, mixed_groups = 0;
	u64 t = 0;

	p.fdp_persistent = persistent;
	p.fdp_rgs = rgs;
	p.fdp_ruhs = 2;
	p.capacity = conv_min_capacity(&p) + 64 * 4096;
	INIT(m, &p);
	conv_fdp_set_event_fn(&m, evfn, &ev);
	ls = m.lba_slots;
	who = calloc(ls, 1);
	if (!who)
		FAIL("calloc");
	rng_state = 7 + persistent;
	for (i = 0; i < 20 * ls; i++) {
		lba = rnd(ls);
		/* handle 1 mostly writes the first tenth (hot) */
		h = lba < ls / 10 ? (rnd(8) ? 1 : 0) : (rnd(8) ? 0 : 1);
		who[lba] = (u8)h;
		t = wrp(&m, (u64)lba * 4096, 4096, t, h, rnd(rgs), false);
	}
	for (lba = 0; lba < ls; lba++) {
		u32 e = l2p(&m, lba);

		if (!e)
			continue;
		g = (e - 1) / m.grp_slots;
		h = owner(&m, g);
		if (h == CONV_FDP_RUH_MIXED && !persistent) {
			mixed_groups++;
			continue;
		}
		if (h != who[lba]) {
			u32 w = who[lba];

			free(who);
			FAIL("lba %u written by %u in group %u of %u", lba, w,
			     g, h);
		}
	}
	free(who);
	conv_model_stats(&m, &st);
	EXPECT_TRUE(st.gc_pages > 0);
	EXPECT_EQ_U64(ev.moved_slots, st.gc_pages);
	EXPECT_TRUE(ev.ru_full > 0);
	if (persistent)
		EXPECT_EQ_U64(ev.mixed, 0);
	else
		EXPECT_TRUE(mixed_groups > 0 && ev.mixed > 0);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	EXPECT_EQ_U64(m.place_failures, 0);
	conv_model_exit(&m);
}

static void test_isolation_persistent(void)
{
	isolation(1, 1);
}

static void test_isolation_persistent_2rg(void)
{
	isolation(1, 2);
}

static void test_isolation_initial(void)
{
	isolation(0, 1);
}

/*
 * Durability: units are numbered as opened over all streams; closed is
 * the largest k with every unit <= k programmed, when it advances.
 */
static void test_durability(void)
{
	struct conv_model m;
	struct model_durability d;
	u64 t = 0, a3, a4;

	INIT(m, &FP);
	t = wrp(&m, 0, 4096, t, 0, 0, false);
	dur(&m, &d);
	EXPECT_EQ_U64(d.wait, 1);
	EXPECT_EQ_U64(d.closed, 0);
	t = wrp(&m, 4096, 4096, t, 1, 0, false);
	dur(&m, &d);
	EXPECT_EQ_U64(d.wait, 2);
	/* unit 2 fills; unit 1 is still open: nothing reported */
	a3 = wrp(&m, 8192, 3 * 4096, t, 1, 0, false);
	dur(&m, &d);
	EXPECT_EQ_U64(d.wait, 0);
	EXPECT_EQ_U64(d.closed, 0);
	EXPECT_TRUE(d.at > a3);	/* waits for its program */
	a3 = d.at;
	/* unit 1 fills: 1 and 2 are programmed */
	a4 = wrp(&m, 5 * 4096, 3 * 4096, a3, 0, 0, false);
	dur(&m, &d);
	a4 = d.at;
	EXPECT_EQ_U64(d.closed, 2);
	EXPECT_EQ_U64(d.closed_at, a3 > a4 ? a3 : a4);
	/* two open units, a flush pads both */
	t = wrp(&m, 0, 4096, a4, 0, 0, false);
	dur(&m, &d);
	EXPECT_EQ_U64(d.wait, 3);
	t = wrp(&m, 4096, 4096, t, 2, 0, false);
	dur(&m, &d);
	EXPECT_EQ_U64(d.wait, 4);
	t = op(&m, MODEL_FLUSH, 0, 0, t);
	dur(&m, &d);
	EXPECT_EQ_U64(d.closed, 4);
	EXPECT_TRUE(d.closed_at <= t);
	/* fua: nothing waits */
	wrp(&m, 0, 4096, t, 3, 0, true);
	dur(&m, &d);
	EXPECT_EQ_U64(d.wait, 0);
	EXPECT_EQ_U64(d.closed, 5);	/* opened and padded by this call */
	/* ru_update pads: reported by the next call */
	t = wrp(&m, 0, 4096, t, 1, 0, false);
	dur(&m, &d);
	EXPECT_EQ_U64(d.wait, 6);
	EXPECT_TRUE(conv_fdp_ru_update(&m, 1, 0, t) > 0);
	op(&m, MODEL_OTHER, 0, 0, t);
	dur(&m, &d);
	EXPECT_EQ_U64(d.closed, 6);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/* init refuses too little spare for the streams; min capacity is exact. */
static void test_spare_refusal(void)
{
	struct conv_params p = FP;
	const char *why;
	u64 min;

	p.fdp_ruhs = 16;
	p.fdp_persistent = 1;
	p.capacity = 8 * MIB;
	why = conv_check_params(&p);
	EXPECT_TRUE(why && strstr(why, "fdp_ruhs") &&
		    strstr(why, "op_percent") && strstr(why, "capacity"));
	min = conv_min_capacity(&p);
	EXPECT_TRUE(min > 8 * MIB);
	p.capacity = min;
	EXPECT_TRUE(conv_check_params(&p) == NULL);
	p.capacity = min - 4096;
	EXPECT_TRUE(conv_check_params(&p) != NULL);
	/* every capacity from the minimum on (a sample) */
	for (p.capacity = min; p.capacity < min + 2 * MIB;
	     p.capacity += 4096 * 7)
		EXPECT_TRUE(conv_check_params(&p) == NULL);
	/* the buffer must hold a PU per host stream */
	p = FP;
	p.buffer_kib = 16 * 3;
	why = conv_check_params(&p);
	EXPECT_TRUE(why && strstr(why, "buffer_kib"));
	p.fdp_rgs = 3;
	EXPECT_TRUE(conv_check_params(&p) != NULL);	/* 3 does not divide 4 */
}

/*
 * Adversarial: at the smallest capacity, random handles, RGs, hot spots,
 * whole-RU bursts, RU updates, trims, flushes and fua writes; the model
 * must stay consistent and always place host data.
 */
static void hammer(u32 rgs, u32 ruhs, u32 persistent, u32 buffer, u64 seed)
{
	struct conv_params p = FP;
	struct conv_model m;
	u32 i, ls, lba, n;
	u64 t = 0;
	int err;

	p.fdp_rgs = rgs;
	p.fdp_ruhs = ruhs;
	p.fdp_persistent = persistent;
	p.buffer_kib = buffer;
	p.gc_threshold_pct = 10;
	p.bg_gc_threshold_pct = 5;
	p.capacity = conv_min_capacity(&p);
	INIT(m, &p);
	ls = m.lba_slots;
	rng_state = seed;
	for (i = 0; i < 12 * ls; i++) {
		u32 h = rnd(ruhs), r = rnd(rgs), k = rnd(100);

		if (k < 60) {
			lba = rnd(k < 30 ? (ls / 16 + 1) : ls);
			n = 1 + rnd(4);
			if (lba + n > ls)
				n = ls - lba;
			t = wrp(&m, (u64)lba * 4096, (u64)n * 4096,
				t + rnd(3) * 300000, h, r, rnd(50) == 0);
		} else if (k < 90) {
			/* everything into RG 0, one handle per region */
			lba = rnd(ls);
			t = wrp(&m, (u64)lba * 4096, 4096, t, lba % ruhs, 0,
				false);
		} else if (k < 95) {
			conv_fdp_ru_update(&m, h, r, t);
		} else if (k < 97) {
			lba = rnd(ls);
			op(&m, MODEL_DISCARD, (u64)lba * 4096, 8 * 4096, t);
		} else if (k < 98) {
			t = op(&m, MODEL_FLUSH, 0, 0, t);
		} else {
			lba = rnd(ls - 40);
			t = wrp(&m, (u64)lba * 4096, 40 * 4096, t, h, r,
				false);
		}
		if (i % 4096 == 0) {
			err = conv_check_consistency(&m);
			if (err)
				FAIL("step %u: consistency %d", i, err);
		}
	}
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	EXPECT_EQ_U64(m.place_failures, 0);
	EXPECT_EQ_U64(m.nand.failures, 0);
	conv_model_exit(&m);
}

static void test_hammer(void)
{
	hammer(1, 4, 0, 256, 1);
	hammer(1, 4, 1, 256, 2);
	hammer(2, 3, 0, 0, 3);
	hammer(2, 2, 1, 64, 4);
	hammer(4, 2, 1, 128, 5);
	hammer(1, 1, 0, 16, 6);
}

/* Wear and bad blocks with FDP: to read only, consistent throughout. */
static void test_wear(void)
{
	struct conv_params p = FP;
	struct conv_model m;
	struct model_health h;
	u32 i, ls;
	u64 t = 0;

	p.fdp_rgs = 2;
	p.fdp_ruhs = 2;
	p.fdp_persistent = 1;
	p.pe_cycles = 30;
	p.capacity = conv_min_capacity(&p);
	INIT(m, &p);
	ls = m.lba_slots;
	EXPECT_TRUE(conv_inject_bad(&m, 2) == 2);
	rng_state = 11;
	for (i = 0; i < 400 * ls && !m.read_only; i++)
		t = wrp(&m, (u64)rnd(ls) * 4096, 4096, t, rnd(2), rnd(2),
			false);
	conv_model_health(&m, &h);
	EXPECT_TRUE(h.read_only && h.retired_groups > 0);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_exit(&m);
}

/*
 * Hot/cold: the drive is filled once in LBA order, then written at random
 * 4 x its capacity in 4 KiB writes: 90% of them to the hot tenth of the
 * LBAs, 10% to the cold rest.  Mixed: all in handle 0; separated: hot in
 * handle 1, cold in handle 0.  Returns WAF * 1000.
 */
static u64 hotcold(const struct conv_params *base, bool separate,
		   u64 *host, u64 *media)
{
	struct conv_params p = *base;
	struct conv_model m;
	struct model_stats st;
	u64 t = 0, i, ls, hot;

	p.capacity = conv_min_capacity(&p) * 2;
	if (conv_model_init(&m, &p))
		return 0;
	ls = m.lba_slots;
	hot = ls / 10;
	for (i = 0; i < ls; i += 64)
		t = wrp(&m, i * 4096, (ls - i < 64 ? ls - i : 64) * 4096, t,
			separate && i < hot ? 1 : 0, 0, false);
	rng_state = 42;
	for (i = 0; i < 4 * ls; i++) {
		bool h = rnd(10) != 0;
		u64 lba = h ? rnd((u32)hot) : hot + rnd((u32)(ls - hot));

		t = wrp(&m, lba * 4096, 4096, t, separate && h ? 1 : 0, 0,
			false);
	}
	conv_model_stats(&m, &st);
	*host = st.host_write_bytes;
	*media = st.media_write_bytes;
	if (conv_check_consistency(&m))
		*media = 0;
	conv_model_exit(&m);
	return *host ? *media * 1000 / *host : 0;
}

static void test_hotcold(void)
{
	static const struct {
		const char *name;
		struct conv_params p;
	} pre[] = {
		{ "tlc-dc", CONV_PARAMS_TLC_DC },
		{ "mlc-970pro", CONV_PARAMS_MLC_970PRO },
	};
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(pre); i++) {
		struct conv_params p = pre[i].p;
		u64 hm, mm, hs, ms, mixed, sep;

		p.fdp_rgs = 1;
		p.fdp_ruhs = 2;
		p.fdp_persistent = 1;
		mixed = hotcold(&p, false, &hm, &mm);
		sep = hotcold(&p, true, &hs, &ms);
		printf("# hot/cold %s: WAF mixed %llu.%03llu, separated %llu.%03llu\n",
		       pre[i].name, (unsigned long long)mixed / 1000,
		       (unsigned long long)mixed % 1000,
		       (unsigned long long)sep / 1000,
		       (unsigned long long)sep % 1000);
		EXPECT_TRUE(mixed && sep && mm && ms);
		EXPECT_EQ_U64(hm, hs);
		/* GC traffic (WAF - 1) clearly lower: by at least a third */
		EXPECT_TRUE(sep > 1000 && mixed > 1000);
		EXPECT_TRUE((sep - 1000) * 3 < (mixed - 1000) * 2);
	}
}

/* Fill, then random 4 KiB overwrites (3x capacity): *@waf = WAF * 1000. */
static void unplaced_waf(const struct conv_params *p, u16 rg, u64 *waf)
{
	struct conv_model m;
	struct model_stats st;
	u64 off, t = 0, i, n;

	INIT(m, p);
	for (off = 0; off < p->capacity; off += 16 * KIB)
		t = wrp(&m, off, 16 * KIB, t, 0, rg, false);
	n = 3 * (p->capacity / 4096);
	rng_state = 99;
	for (i = 0; i < n; i++)
		t = wrp(&m, (u64)rnd((u32)(p->capacity / 4096)) * 4096, 4096, t,
			0, rg, false);
	EXPECT_EQ_INT(conv_check_consistency(&m), 0);
	conv_model_stats(&m, &st);
	conv_model_exit(&m);
	*waf = st.host_write_bytes ?
	       st.media_write_bytes * 1000 / st.host_write_bytes : 0;
}

/*
 * A write without placement (rg MODEL_RG_ANY) goes to the RG with the most
 * free groups, the lowest on ties: a fresh device's first write to RG 0,
 * the next (RG 0 now has a group less) to RG 1.  An RG takes data only up
 * to its share of the capacity while another has room (first pass of the
 * placement): everything placed in RG 0 spills into RG 1 instead of
 * packing RG 0 full (WAF 15.0 here before the share rule, 11.4 with
 * unplaced data going to RG 0 only).
 */
static void test_unplaced_rg(void)
{
	struct conv_params p = FP;
	struct conv_model m;
	u64 full, any, rg0;

	p.fdp_rgs = 2;
	p.capacity = 6 * MIB;
	INIT(m, &p);
	full = conv_fdp_ru_bytes(&m);
	wrp(&m, 0, 4096, 0, 0, MODEL_RG_ANY, false);
	EXPECT_EQ_U64(conv_fdp_ru_avail(&m, 0, 0), full - 4096);
	EXPECT_EQ_U64(conv_fdp_ru_avail(&m, 0, 1), full);
	wrp(&m, 4096, 4096, 1000, 0, MODEL_RG_ANY, false);
	EXPECT_EQ_U64(conv_fdp_ru_avail(&m, 0, 0), full - 4096);
	EXPECT_EQ_U64(conv_fdp_ru_avail(&m, 0, 1), full - 4096);
	/* ruh out of range: handle 0 */
	wrp(&m, 8192, 4096, 2000, 7, 0, false);
	EXPECT_EQ_U64(conv_fdp_ru_avail(&m, 0, 0), full - 8192);
	conv_model_exit(&m);

	unplaced_waf(&p, MODEL_RG_ANY, &any);
	unplaced_waf(&p, 0, &rg0);
	printf("# unplaced over 2 RGs: WAF %llu.%03llu, all in RG 0: %llu.%03llu\n",
	       (unsigned long long)any / 1000, (unsigned long long)any % 1000,
	       (unsigned long long)rg0 / 1000, (unsigned long long)rg0 % 1000);
	EXPECT_TRUE(any > 1000 && any < 2000);
	EXPECT_TRUE(rg0 > 1000 && rg0 < 2000);
}

static const struct unit_test tests[] = {
	UNIT_TEST(off),
	UNIT_TEST(runs),
	UNIT_TEST(ru_avail),
	UNIT_TEST(ru_update),
	UNIT_TEST(times),
	UNIT_TEST(isolation_persistent),
	UNIT_TEST(isolation_persistent_2rg),
	UNIT_TEST(isolation_initial),
	UNIT_TEST(durability),
	UNIT_TEST(spare_refusal),
	UNIT_TEST(hammer),
	UNIT_TEST(wear),
	UNIT_TEST(hotcold),
	UNIT_TEST(unplaced_rg),
};

int main(int argc, char **argv)
{
	return unit_main("unit/fdp/", tests, UNIT_ARRAY_SIZE(tests),
			 argc, argv);
}
