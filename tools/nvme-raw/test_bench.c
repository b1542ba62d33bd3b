// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of nvme-raw-bench (bench.c, included) and of what it needs
 * from libnvmeraw: its percentiles against hand-computed ranks, the data
 * pattern, option parsing, whole runs against the fake controller (one and
 * several queue pairs, one thread each, PRP lists, verification that must
 * catch wrong data, failing commands counted), and the library's
 * per-thread behaviour (error messages, completions that name another
 * queue's SQ, nvr_poll).  Built with ASan/UBSan and with ThreadSanitizer
 * (make check), so a data race between queue-pair threads fails the run.
 *
 * Prints "@@RESULT PASS|FAIL tools/nvme-raw/bench/<name><suffix>" lines
 * (suffix from NVR_TEST_SUFFIX) and "<N> passed, <N> failed".
 */
#define NVR_BENCH_TEST
#include "bench.c"

#include <stdarg.h>

static int failed;
static char why[512];
static int npass, nfail;
static const char *suffix = "";

#define CHECK(cond) check(!!(cond), __LINE__, "%s", #cond)
#define CHECK_EQ(a, b) do { \
	uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b); \
	check(a_ == b_, __LINE__, "%s == %s: %" PRIu64 " != %" PRIu64, \
	      #a, #b, a_, b_); \
} while (0)

__attribute__((format(printf, 3, 4)))
static void check(int ok, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ok || failed)
		return;
	failed = 1;
	n = snprintf(why, sizeof(why), "line %d: ", line);
	va_start(ap, fmt);
	vsnprintf(why + n, sizeof(why) - (size_t)n, fmt, ap);
	va_end(ap);
}

static void run(const char *name, void (*fn)(void))
{
	failed = 0;
	fn();
	if (failed) {
		printf("@@RESULT FAIL tools/nvme-raw/bench/%s%s: %s\n", name,
		       suffix, why);
		nfail++;
	} else {
		printf("@@RESULT PASS tools/nvme-raw/bench/%s%s\n", name,
		       suffix);
		npass++;
	}
}

/* ---- pure parts ---- */

static void test_stats(void)
{
	uint64_t v[1000], one = 7;
	struct bench_stats s;
	unsigned int i;

	/* 1000..1 reversed: sorted it is 1..1000 */
	for (i = 0; i < 1000; i++)
		v[i] = 1000 - i;
	bench_stats(v, 1000, &s);
	CHECK_EQ(s.n, 1000);
	CHECK(s.mean > 500.49 && s.mean < 500.51);
	CHECK_EQ(s.min, 1);
	CHECK_EQ(s.p50, 500);	/* nearest rank: the 500th value */
	CHECK_EQ(s.p90, 900);
	CHECK_EQ(s.p99, 990);
	CHECK_EQ(s.p999, 999);
	CHECK_EQ(s.max, 1000);
	/* 10 values: p99.9 is the 10th (rank 9.99 rounds up), p50 the 5th */
	for (i = 0; i < 10; i++)
		v[i] = (i + 1) * 10;
	bench_stats(v, 10, &s);
	CHECK_EQ(s.p50, 50);
	CHECK_EQ(s.p90, 90);
	CHECK_EQ(s.p99, 100);
	CHECK_EQ(s.p999, 100);
	bench_stats(&one, 1, &s);
	CHECK_EQ(s.p50, 7);
	CHECK_EQ(s.max, 7);
	bench_stats(v, 0, &s);
	CHECK_EQ(s.n, 0);
	CHECK_EQ(s.max, 0);
}

static void test_pattern(void)
{
	uint64_t a[512], b2[512];

	pattern_fill(a, 1, 8192, sizeof(a));
	CHECK_EQ(pattern_check(a, 1, 8192, sizeof(a)), (uint64_t)-1);
	/* another place or another seed: other data */
	CHECK(pattern_check(a, 1, 8192 + 4096, sizeof(a)) == 0);
	CHECK(pattern_check(a, 2, 8192, sizeof(a)) == 0);
	/* the word at byte 8 of a block at 4096 is the word at byte 4104 */
	pattern_fill(b2, 1, 4096, sizeof(b2));
	CHECK_EQ(b2[1], pattern_word(1, 4104));
	((uint8_t *)a)[1234] ^= 0x40;
	CHECK_EQ(pattern_check(a, 1, 8192, sizeof(a)), 1232);
}

static int args(struct bench_opts *o, int *fake, const char *line)
{
	char buf[512], *argv[32], *save = NULL, *t;
	int argc = 0;

	snprintf(buf, sizeof(buf), "nvme-raw-bench %s", line);
	for (t = strtok_r(buf, " ", &save); t && argc < 31;
	     t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	return parse_args(argc, argv, o, fake);
}

static void test_args(void)
{
	struct bench_opts o;
	int fake;

	CHECK_EQ(args(&o, &fake, "0000:00:04.0"), 0);
	CHECK_EQ(fake, 0);
	CHECK_EQ(o.nqd, 2);
	CHECK_EQ(o.qd[0], 1);
	CHECK_EQ(o.qd[1], 32);
	CHECK_EQ(o.bs, 4096);
	CHECK_EQ(o.rw, RW_READ);
	CHECK_EQ(o.qpairs, 1);
	CHECK(o.time_s == 5);
	CHECK_EQ(args(&o, &fake, "--fake --qd 1,2,4,8,16,32 --rw randwrite --ios 10k --range 16m --qpairs 4 --verify --bs 8k --nsid 2 --seed 9"), 0);
	CHECK_EQ(fake, 1);
	CHECK_EQ(o.nqd, 6);
	CHECK_EQ(o.qd[5], 32);
	CHECK_EQ(o.rw, RW_WRITE);
	CHECK_EQ(o.ios, 10240);
	CHECK(o.time_s == 0);
	CHECK_EQ(o.range, 16 << 20);
	CHECK_EQ(o.qpairs, 4);
	CHECK_EQ(o.verify, 1);
	CHECK_EQ(o.bs, 8192);
	CHECK_EQ(o.nsid, 2);
	CHECK_EQ(o.seed, 9);
	CHECK_EQ(args(&o, &fake, "--fake --size 1m --time 0.5 --rw randrw --mix 70"), 0);
	CHECK_EQ(o.range, 1 << 20);
	CHECK(o.time_s == 0.5);
	CHECK_EQ(o.mix, 70);
	/* refused */
	CHECK_EQ(args(&o, &fake, ""), (uint64_t)-1);
	CHECK_EQ(args(&o, &fake, "--fake 0000:00:04.0"), (uint64_t)-1);
	CHECK_EQ(args(&o, &fake, "--fake --qd 0"), (uint64_t)-1);
	CHECK_EQ(args(&o, &fake, "--fake --qd 1,,x"), (uint64_t)-1);
	CHECK_EQ(args(&o, &fake, "--fake --rw read"), (uint64_t)-1);
	CHECK_EQ(args(&o, &fake, "--fake --bs 1000"), (uint64_t)-1);
	CHECK_EQ(args(&o, &fake, "--fake --qpairs 65"), (uint64_t)-1);
	CHECK_EQ(args(&o, &fake, "--fake --time"), (uint64_t)-1);
	CHECK_EQ(args(&o, &fake, "--fake --mix 101"), (uint64_t)-1);
}

/* ---- runs against the fake ---- */

static struct nvr_fake *fk;
static char outbuf[16384];

/* A bench on the fake with @line's options, set up; NULL on failure */
static struct bench *bench_up(const char *line)
{
	struct bench *b = calloc(1, sizeof(*b));
	int fake;

	if (!b || args(&b->o, &fake, line)) {
		check(0, __LINE__, "options '%s' refused", line);
		free(b);
		return NULL;
	}
	fk = nvr_fake_new(FAKE_BLOCKS);
	if (!fk || nvr_fake_open(fk, &b->c)) {
		check(0, __LINE__, "fake: %s", nvr_errmsg());
		nvr_fake_free(fk);
		free(b);
		return NULL;
	}
	bench_out = fmemopen(outbuf, sizeof(outbuf), "w");
	if (bench_setup(b)) {
		check(0, __LINE__, "bench_setup failed: %s", nvr_errmsg());
		return b;
	}
	return b;
}

static void bench_down(struct bench *b)
{
	if (!b)
		return;
	bench_free(b);
	nvr_close(b->c);
	nvr_fake_free(fk);
	fclose(bench_out);
	bench_out = NULL;
	free(b);
}

static void test_run_one(void)
{
	struct bench *b = bench_up("--fake --qd 1,4 --ios 1000 --verify --range 2m");
	struct bench_stats s;

	if (!b || failed)
		return bench_down(b);
	CHECK_EQ(b->lba_size, 512);
	CHECK_EQ(b->lbas_per_io, 8);
	CHECK_EQ(b->nblocks, 512);
	CHECK_EQ(b->maxqd, 4);
	CHECK_EQ(b->lpages, 0);
	CHECK_EQ(bench_run(b), 0);
	fflush(bench_out);
	CHECK(strstr(outbuf, "pattern written over 512 blocks"));
	CHECK(strstr(outbuf, "nvr-bench rw=randread bs=4096 qd=1 qpairs=1 ios=1000 "));
	CHECK(strstr(outbuf, "nvr-bench rw=randread bs=4096 qd=4 qpairs=1 ios=1000 "));
	CHECK(strstr(outbuf, "errors=0 verify=yes verify_errors=0 sqhd_odd=0"));
	/* each queue depth again: the counts are exact */
	CHECK_EQ(run_qd(b, 4, &s), 0);
	CHECK_EQ(s.n, 1000);
	CHECK(s.max >= s.p999 && s.p999 >= s.p99 && s.p99 >= s.p90 &&
	      s.p90 >= s.p50 && s.p50 >= s.min);
	bench_down(b);
}

static void test_run_qpairs(void)
{
	struct bench *b = bench_up("--fake --qd 8 --ios 4000 --rw randwrite --verify --qpairs 4 --range 4m");
	uint64_t i, nw = 0;
	unsigned int k;

	if (!b || failed)
		return bench_down(b);
	CHECK(b->written != NULL);
	CHECK_EQ(bench_run(b), 0);
	/* every queue pair did its share, on its own queue */
	for (k = 0; k < 4; k++) {
		CHECK_EQ(b->w[k].qid, k + 1);
		CHECK(b->c->q[k + 1] != NULL);
	}
	for (i = 0; i < b->nblocks; i++)
		nw += !!(b->written[i / 64] & (1ULL << (i % 64)));
	CHECK(nw > 100 && nw <= 1024);
	fflush(bench_out);
	CHECK(strstr(outbuf, "qd=8 qpairs=4 ios=4000 "));
	CHECK(strstr(outbuf, "verified "));
	bench_down(b);
}

/* 64 KiB commands: PRP lists (one list page per slot), several threads */
static void test_run_prp_lists(void)
{
	struct bench *b = bench_up("--fake --qd 2,16 --ios 600 --rw randrw --verify --qpairs 3 --bs 64k");

	if (!b || failed)
		return bench_down(b);
	CHECK_EQ(b->lpages, 1);
	CHECK_EQ(b->nblocks, FAKE_BLOCKS * 512 / 65536);
	CHECK(b->w[0].slots[1].prp2 == b->w[0].lists.phys[1]);
	CHECK_EQ(bench_run(b), 0);
	fflush(bench_out);
	CHECK(strstr(outbuf, "rw=randrw bs=65536 qd=16 qpairs=3 ios=600 "));
	bench_down(b);
}

/* The check must be able to fail: data written with seed 1, read as 2 */
static void test_verify_catches(void)
{
	struct bench *b = bench_up("--fake --qd 4 --ios 200 --verify --range 1m --seed 1");
	struct bench_stats s;

	if (!b || failed)
		return bench_down(b);
	CHECK_EQ(run_pass(b, 1, "writing the pattern"), 0);
	CHECK_EQ(run_qd(b, 4, &s), 0);
	b->o.seed = 2;
	CHECK_EQ(run_qd(b, 4, &s), (uint64_t)-1);
	CHECK_EQ(b->w[0].verify_errors, 200);
	CHECK(strstr(b->w[0].msg, "differs at byte 0"));
	bench_down(b);
}

/* Commands that fail are counted with their status, and fail the run */
static void test_errors_counted(void)
{
	struct bench *b = bench_up("--fake --qd 2 --ios 300");
	struct bench_stats s;

	if (!b || failed)
		return bench_down(b);
	b->nblocks *= 4;	/* three quarters beyond the namespace */
	CHECK_EQ(run_qd(b, 2, &s), (uint64_t)-1);
	CHECK(b->w[0].errors > 100 && b->w[0].errors < 300);
	CHECK_EQ(b->w[0].first_status, 0x4080);	/* LBA Out of Range, DNR */
	fflush(bench_out);
	CHECK(strstr(outbuf, " ios=300 "));
	bench_down(b);
}

static void test_setup_refusals(void)
{
	struct bench *b;

	/* deeper than the fake's 1024-entry queues */
	b = calloc(1, sizeof(*b));
	fk = nvr_fake_new(FAKE_BLOCKS);
	bench_out = fmemopen(outbuf, sizeof(outbuf), "w");
	if (!b || !fk || args(&b->o, &(int){ 0 }, "--fake --qd 1024") ||
	    nvr_fake_open(fk, &b->c)) {
		check(0, __LINE__, "set-up");
		return;
	}
	CHECK_EQ(bench_setup(b), (uint64_t)-1);
	b->o.qd[0] = 1023;
	CHECK_EQ(bench_setup(b), 0);
	bench_free(b);
	memset(b->w, 0, sizeof(b->w));
	b->written = NULL;
	/* a namespace the fake does not have */
	b->o.nsid = 2;
	CHECK_EQ(bench_setup(b), (uint64_t)-1);
	b->o.nsid = 1;
	b->o.bs = 4096 << 11;	/* above MDTS (4 MiB) */
	CHECK_EQ(bench_setup(b), (uint64_t)-1);
	bench_down(b);
}

/* The program as a whole: exit statuses 0, 1 and 2 */
static int main_with(const char *line)
{
	char buf[512], *argv[32], *save = NULL, *t;
	int argc = 0, ret;

	snprintf(buf, sizeof(buf), "nvme-raw-bench %s", line);
	for (t = strtok_r(buf, " ", &save); t && argc < 31;
	     t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	bench_out = fmemopen(outbuf, sizeof(outbuf), "w");
	ret = bench_main(argc, argv);
	fclose(bench_out);
	bench_out = NULL;
	return ret;
}

static void test_main(void)
{
	CHECK_EQ(main_with("--fake --qd 1,2 --ios 100 --rw randwrite --verify --qpairs 2"), 0);
	CHECK(strstr(outbuf, "qd=2 qpairs=2 ios=100 "));
	CHECK_EQ(main_with("--fake --qd 1 --time 0.2 --range 64k"), 0);
	CHECK(strstr(outbuf, "nvr-bench rw=randread bs=4096 qd=1 qpairs=1 ios="));
	CHECK_EQ(main_with("--fake --nsid 3"), 1);
	CHECK_EQ(main_with("--fake --bogus"), 2);
}

/* ---- the library's per-thread behaviour ---- */

static pthread_barrier_t bar2;

struct msg_arg {
	int which;
	char msg[320];
	int ret;
};

static void *msg_thread(void *p)
{
	struct msg_arg *a = p;
	struct nvr_dma d;

	if (a->which)
		a->ret = nvr_dma_alloc(NULL, 0, 0, &d);	/* fails first */
	else
		a->ret = nvr_prp_fill(NULL, 2, 4096, NULL, NULL, 0, NULL,
				      NULL);
	/* both have failed before either reads its message */
	pthread_barrier_wait(&bar2);
	snprintf(a->msg, sizeof(a->msg), "%s", nvr_errmsg());
	return NULL;
}

static void test_errmsg_per_thread(void)
{
	struct msg_arg a[2] = { { .which = 0 }, { .which = 1 } };
	pthread_t t[2];
	int i;

	pthread_barrier_init(&bar2, NULL, 2);
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, msg_thread, &a[i]);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&bar2);
	CHECK_EQ(a[0].ret, (uint64_t)-EINVAL);
	CHECK_EQ(a[1].ret, (uint64_t)-EINVAL);
	CHECK(strstr(a[0].msg, "offset not dword aligned"));
	CHECK(strstr(a[1].msg, "DMA buffer of 0 bytes"));
}

/* Put a completion into CQ @q at its head, as a device would */
static void fake_cqe(struct nvr_queue *q, uint16_t sqid, uint16_t sqhd,
		     uint16_t cid)
{
	struct nvr_cqe *e = (struct nvr_cqe *)q->cq.va + q->cq_head;

	e->dw0 = 0;
	e->sqid = sqid;
	e->sqhd = sqhd;
	e->cid = cid;
	e->sf = q->phase;
}

/*
 * A completion on CQ 1 that names SQ 2 must not move SQ 2's head: another
 * thread owns it.  Its own SQ's head does follow SQHD.
 */
static void test_foreign_sqid(void)
{
	struct nvr_ctrl *c;
	struct nvr_cqe e;
	uint16_t st;

	fk = nvr_fake_new(2048);
	if (!fk || nvr_fake_open(fk, &c) || nvr_ctrl_reset(c, 4) ||
	    nvr_ioq_create(c, 1, 16, &st) || nvr_ioq_create(c, 2, 16, &st)) {
		check(0, __LINE__, "%s", nvr_errmsg());
		nvr_fake_free(fk);
		return;
	}
	CHECK_EQ(nvr_poll(c, 1, &e), 0);
	CHECK_EQ(nvr_poll(c, 9, &e), (uint64_t)-ENOENT);
	c->q[1]->sq_tail = 6;	/* as if six commands had been submitted */
	fake_cqe(c->q[1], 2, 7, 3);
	CHECK_EQ(nvr_poll(c, 1, &e), 1);
	CHECK_EQ(e.sqid, 2);
	CHECK_EQ(e.cid, 3);
	CHECK_EQ(c->q[2]->sq_head, 0);
	CHECK_EQ(c->q[1]->cq_head, 1);
	fake_cqe(c->q[1], 1, 5, 4);
	CHECK_EQ(nvr_poll(c, 1, &e), 1);
	CHECK_EQ(c->q[1]->sq_head, 5);
	CHECK_EQ(nvr_poll(c, 1, &e), 0);
	/* kept completions come first */
	c->q[1]->stash[0] = (struct nvr_cqe){ .cid = 11, .sqid = 1 };
	c->q[1]->nstash = 1;
	fake_cqe(c->q[1], 1, 5, 12);
	CHECK_EQ(nvr_poll(c, 1, &e), 1);
	CHECK_EQ(e.cid, 11);
	CHECK_EQ(nvr_poll(c, 1, &e), 1);
	CHECK_EQ(e.cid, 12);
	CHECK_EQ(c->q[1]->sqhd_odd, 0);
	/* behind the head an earlier completion gave */
	fake_cqe(c->q[1], 1, 4, 13);
	CHECK_EQ(nvr_poll(c, 1, &e), 1);
	CHECK_EQ(c->q[1]->sqhd_odd, 1);
	CHECK_EQ(c->q[1]->sq_head, 4);	/* taken all the same */
	/* beyond the tail */
	fake_cqe(c->q[1], 1, 9, 14);
	CHECK_EQ(nvr_poll(c, 1, &e), 1);
	CHECK_EQ(c->q[1]->sqhd_odd, 2);
	CHECK_EQ(c->q[2]->sqhd_odd, 0);
	c->q[1]->sq_head = c->q[1]->sq_tail;	/* what the fake consumed */
	nvr_close(c);
	nvr_fake_free(fk);
}

int main(void)
{
	const char *s = getenv("NVR_TEST_SUFFIX");

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (s)
		suffix = s;
	run("stats", test_stats);
	run("pattern", test_pattern);
	run("args", test_args);
	run("run-one-qpair", test_run_one);
	run("run-4-qpairs", test_run_qpairs);
	run("run-prp-lists", test_run_prp_lists);
	run("verify-catches", test_verify_catches);
	run("errors-counted", test_errors_counted);
	run("setup-refusals", test_setup_refusals);
	run("main", test_main);
	run("errmsg-per-thread", test_errmsg_per_thread);
	run("foreign-sqid", test_foreign_sqid);
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
