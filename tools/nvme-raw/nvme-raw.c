// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvme-raw: drive an NVMe controller from a script, one statement a line,
 * through libnvmeraw.  Made for tests that send what the kernel's nvme
 * driver never sends (any PRP, queue base, doorbell or register value) and
 * compare the printed results.  The language is in README.md and usage().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fake.h"
#include "nvmeraw.h"
#include "script.h"

#define MAX_BUFS	64
#define MAX_LINE	4096
#define NO_STATUS	0xffffffffu
#define FAKE_BLOCKS	16384		/* 8 MiB namespace */

/* What a statement handler returns (and the tool's exit status) */
enum { S_OK = 0, S_FAIL = 1, S_USAGE = 2 };

struct buf {
	char name[SCR_NAME_MAX];
	struct nvr_dma d;
};

struct state {
	struct nvr_ctrl *c;
	struct nvr_fake *fake;
	struct buf bufs[MAX_BUFS];
	struct nvr_dma leaked[MAX_BUFS];	/* PRP lists of lost commands */
	unsigned int nleaked;
	uint8_t sq_live[NVR_MAX_QID + 1];	/* created by a statement */
	uint8_t cq_live[NVR_MAX_QID + 1];
	uint32_t status;			/* of the last command */
	uint32_t dw0;
	unsigned int timeout_ms;
	const char *where;			/* "file:line" */
	char msg[512];
};

static const char *prog = "nvme-raw";

/* Record a statement's failure message; returns @code */
__attribute__((format(printf, 3, 4)))
static int err(struct state *s, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->msg, sizeof(s->msg), fmt, ap);
	va_end(ap);
	return code;
}

static int lib_err(struct state *s)
{
	return err(s, S_FAIL, "%s", nvr_errmsg());
}

/* ---- arguments ---- */

static int num_arg(struct state *s, const char *a, uint64_t max, uint64_t *v)
{
	char e[160];

	if (scr_num_max(a, max, v, e, sizeof(e)))
		return err(s, S_USAGE, "%s", e);
	return S_OK;
}

static int size_arg(struct state *s, const char *a, uint64_t *v)
{
	char e[160];

	if (scr_size(a, v, e, sizeof(e)))
		return err(s, S_USAGE, "%s", e);
	return S_OK;
}

/* "key=value" with the given key: the value, else NULL */
static const char *kv(const char *word, const char *key)
{
	size_t n = strlen(key);

	return !strncmp(word, key, n) && word[n] == '=' ? word + n + 1 : NULL;
}

static struct buf *buf_find(struct state *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < MAX_BUFS; i++)
		if (s->bufs[i].d.va && !strcmp(s->bufs[i].name, name))
			return &s->bufs[i];
	return NULL;
}

static int buf_arg(struct state *s, const char *name, struct buf **b)
{
	*b = buf_find(s, name);
	if (!*b)
		return err(s, S_USAGE, "no buffer '%s' (make it with buf)",
			   name);
	return S_OK;
}

/* OFF and LEN words inside a buffer; LEN defaults to the rest */
static int range_args(struct state *s, struct buf *b, int argc, char **argv,
		      uint64_t *off, uint64_t *len)
{
	int ret;

	*off = 0;
	if (argc > 0 && (ret = size_arg(s, argv[0], off)))
		return ret;
	if (*off > b->d.size)
		return err(s, S_USAGE, "offset %" PRIu64 " is beyond buffer %s (%zu bytes)",
			   *off, b->name, b->d.size);
	*len = b->d.size - *off;
	if (argc > 1 && (ret = size_arg(s, argv[1], len)))
		return ret;
	if (*len > b->d.size - *off)
		return err(s, S_USAGE, "%" PRIu64 " bytes at %" PRIu64 " do not fit buffer %s (%zu bytes)",
			   *len, *off, b->name, b->d.size);
	return S_OK;
}

/* ---- patterns ---- */

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * zero, byte=N, inc (byte i of the buffer is i mod 256) or random=SEED
 * (8-byte word k of the buffer: mix64(SEED + (k + 1) * golden ratio), so a
 * range of a buffer holds the same bytes as the buffer would there).
 */
static int pattern(struct state *s, const char *p, uint8_t *dst, size_t off,
		   size_t len)
{
	uint64_t v, w;
	const char *a;
	size_t i;
	int ret;

	if (!strcmp(p, "zero")) {
		memset(dst + off, 0, len);
	} else if (!strcmp(p, "inc")) {
		for (i = off; i < off + len; i++)
			dst[i] = (uint8_t)i;
	} else if ((a = kv(p, "byte"))) {
		if ((ret = num_arg(s, a, 0xff, &v)))
			return ret;
		memset(dst + off, (int)v, len);
	} else if ((a = kv(p, "random"))) {
		if ((ret = num_arg(s, a, UINT64_MAX, &v)))
			return ret;
		for (i = off; i < off + len; i++) {
			w = mix64(v + (i / 8 + 1) * 0x9e3779b97f4a7c15ULL);
			dst[i] = (uint8_t)(w >> (8 * (i % 8)));
		}
	} else {
		return err(s, S_USAGE, "'%s': expected a pattern: zero, byte=N, inc or random=SEED",
			   p);
	}
	return S_OK;
}

static int is_pattern(const char *p)
{
	return !strcmp(p, "zero") || !strcmp(p, "inc") || kv(p, "byte") ||
	       kv(p, "random");
}

/* ---- buffers ---- */

/* buf NAME SIZE [PATTERN] [contig|huge] */
static int st_buf(struct state *s, int argc, char **argv)
{
	unsigned int flags = 0, i;
	const char *pat = "zero";
	struct buf *b = NULL;
	uint64_t size;
	int ret, k;

	if (!scr_name_ok(argv[1]))
		return err(s, S_USAGE, "'%s' is not a buffer name (letters, digits, _ and -)",
			   argv[1]);
	if (buf_find(s, argv[1]))
		return err(s, S_USAGE, "buffer %s exists (free it first)",
			   argv[1]);
	if ((ret = size_arg(s, argv[2], &size)))
		return ret;
	if (!size || size > (1ULL << 32))
		return err(s, S_USAGE, "buffer size %s: use 1 byte to 4 GiB",
			   argv[2]);
	for (k = 3; k < argc; k++) {
		if (!strcmp(argv[k], "contig"))
			flags |= NVR_DMA_CONTIG;
		else if (!strcmp(argv[k], "huge"))
			flags |= NVR_DMA_HUGE;
		else if (is_pattern(argv[k]))
			pat = argv[k];
		else
			return err(s, S_USAGE, "'%s': expected a pattern, contig or huge",
				   argv[k]);
	}
	for (i = 0; i < MAX_BUFS && !b; i++)
		if (!s->bufs[i].d.va)
			b = &s->bufs[i];
	if (!b)
		return err(s, S_USAGE, "more than %d buffers", MAX_BUFS);
	if (nvr_dma_alloc(s->c, size, flags, &b->d))
		return lib_err(s);
	snprintf(b->name, sizeof(b->name), "%s", argv[1]);
	ret = pattern(s, pat, b->d.va, 0, b->d.size);
	if (ret)
		nvr_dma_free(s->c, &b->d);
	return ret;
}

/* free NAME */
static int st_free(struct state *s, int argc, char **argv)
{
	struct buf *b;
	int ret = buf_arg(s, argv[1], &b);

	(void)argc;
	if (!ret)
		nvr_dma_free(s->c, &b->d);
	return ret;
}

/* fill NAME PATTERN [OFF [LEN]] */
static int st_fill(struct state *s, int argc, char **argv)
{
	uint64_t off, len;
	struct buf *b;
	int ret;

	if ((ret = buf_arg(s, argv[1], &b)) ||
	    (ret = range_args(s, b, argc - 3, argv + 3, &off, &len)))
		return ret;
	return pattern(s, argv[2], b->d.va, off, len);
}

/* print-phys NAME [PAGE|all] */
static int st_print_phys(struct state *s, int argc, char **argv)
{
	uint64_t page = 0;
	struct buf *b;
	size_t i;
	int ret;

	if ((ret = buf_arg(s, argv[1], &b)))
		return ret;
	if (argc > 2 && !strcmp(argv[2], "all")) {
		for (i = 0; i < b->d.npages; i++)
			printf("%s page=%zu phys=0x%" PRIx64 "\n", b->name, i,
			       b->d.phys[i]);
		return S_OK;
	}
	if (argc > 2 && (ret = num_arg(s, argv[2], b->d.npages - 1, &page)))
		return ret;
	printf("%s phys=0x%" PRIx64 "\n", b->name, b->d.phys[page]);
	return S_OK;
}

/* dump NAME [OFF [LEN]] */
static int st_dump(struct state *s, int argc, char **argv)
{
	uint64_t off, len, i;
	const uint8_t *p;
	struct buf *b;
	int ret;

	if ((ret = buf_arg(s, argv[1], &b)) ||
	    (ret = range_args(s, b, argc - 2, argv + 2, &off, &len)))
		return ret;
	p = b->d.va;
	for (i = 0; i < len; i++) {
		if (i % 16 == 0)
			printf("%08" PRIx64 ":", off + i);
		printf(" %02x", p[off + i]);
		if (i % 16 == 15 || i + 1 == len)
			putchar('\n');
	}
	return S_OK;
}

/* NAME or NAME+OFF: a buffer and an offset inside it */
static int buf_off_arg(struct state *s, const char *a, struct buf **b,
		       uint64_t *off)
{
	char name[SCR_NAME_MAX];
	const char *plus = strchr(a, '+');
	size_t n = plus ? (size_t)(plus - a) : strlen(a);
	int ret;

	if (n >= sizeof(name))
		return err(s, S_USAGE, "no buffer '%s'", a);
	memcpy(name, a, n);
	name[n] = 0;
	*off = 0;
	if ((ret = buf_arg(s, name, b)) ||
	    (plus && (ret = size_arg(s, plus + 1, off))))
		return ret;
	if (*off > (*b)->d.size)
		return err(s, S_USAGE, "offset %" PRIu64 " is beyond buffer %s",
			   *off, name);
	return S_OK;
}

/* cmp NAME[+OFF] NAME[+OFF] [LEN]: fails on the first difference */
static int st_cmp(struct state *s, int argc, char **argv)
{
	uint64_t len, i, xo, yo;
	const uint8_t *x, *y;
	struct buf *a, *b;
	int ret;

	if ((ret = buf_off_arg(s, argv[1], &a, &xo)) ||
	    (ret = buf_off_arg(s, argv[2], &b, &yo)))
		return ret;
	len = a->d.size - xo;
	if (argc > 3 && (ret = size_arg(s, argv[3], &len)))
		return ret;
	if (argc <= 3 && a->d.size - xo != b->d.size - yo)
		return err(s, S_USAGE, "%s and %s differ in size: give LEN",
			   argv[1], argv[2]);
	if (len > a->d.size - xo || len > b->d.size - yo)
		return err(s, S_USAGE, "%" PRIu64 " bytes do not fit %s or %s",
			   len, argv[1], argv[2]);
	x = (const uint8_t *)a->d.va + xo;
	y = (const uint8_t *)b->d.va + yo;
	for (i = 0; i < len; i++)
		if (x[i] != y[i])
			return err(s, S_FAIL, "%s and %s differ at byte %" PRIu64 " (0x%02x, 0x%02x)",
				   argv[1], argv[2], i, x[i], y[i]);
	printf("cmp %s %s: %" PRIu64 " bytes equal\n", argv[1], argv[2], len);
	return S_OK;
}

/* save NAME FILE [OFF [LEN]] */
static int st_save(struct state *s, int argc, char **argv)
{
	uint64_t off, len;
	struct buf *b;
	FILE *f;
	int ret;

	if ((ret = buf_arg(s, argv[1], &b)) ||
	    (ret = range_args(s, b, argc - 3, argv + 3, &off, &len)))
		return ret;
	f = fopen(argv[2], "wb");
	if (!f)
		return err(s, S_FAIL, "%s: %s", argv[2], strerror(errno));
	if (fwrite((uint8_t *)b->d.va + off, 1, len, f) != len) {
		fclose(f);
		return err(s, S_FAIL, "%s: short write", argv[2]);
	}
	if (fclose(f))
		return err(s, S_FAIL, "%s: %s", argv[2], strerror(errno));
	return S_OK;
}

/* load NAME FILE [OFF]: the file's bytes into the buffer */
static int st_load(struct state *s, int argc, char **argv)
{
	uint64_t off, len;
	struct buf *b;
	size_t n;
	FILE *f;
	int ret;

	if ((ret = buf_arg(s, argv[1], &b)) ||
	    (ret = range_args(s, b, argc - 3, argv + 3, &off, &len)))
		return ret;
	f = fopen(argv[2], "rb");
	if (!f)
		return err(s, S_FAIL, "%s: %s", argv[2], strerror(errno));
	n = fread((uint8_t *)b->d.va + off, 1, len, f);
	if (n == len && fgetc(f) != EOF) {
		fclose(f);
		return err(s, S_FAIL, "%s is larger than the %" PRIu64 " bytes at offset %" PRIu64 " of %s",
			   argv[2], len, off, b->name);
	}
	fclose(f);
	printf("load %s: %zu bytes\n", b->name, n);
	return S_OK;
}

/* ---- commands ---- */

static void print_cqe(struct state *s, const struct nvr_cqe *e)
{
	char name[96];

	s->status = nvr_status(e);
	s->dw0 = e->dw0;
	printf("status=0x%x dw0=0x%08x dw1=0x%08x sqhd=%u sqid=%u cid=%u (%s)\n",
	       s->status, e->dw0, e->dw1, e->sqhd, e->sqid, e->cid,
	       nvr_status_str((uint16_t)s->status, name, sizeof(name)));
}

/* A command that got no completion: its memory stays the device's */
static void lost(struct state *s, struct nvr_dma *lists)
{
	printf("status=timeout (%s)\n", nvr_errmsg());
	s->status = SCR_STATUS_TIMEOUT;
	s->dw0 = 0;
	if (lists->va && s->nleaked < MAX_BUFS)
		s->leaked[s->nleaked++] = *lists;
	else
		nvr_dma_free(s->c, lists);
}

/* Submit @sc on @qid with its data's PRPs, wait, print the completion */
static int run_cmd(struct state *s, uint16_t qid, struct scr_cmd *sc)
{
	struct nvr_dma lists = { 0 };
	struct nvr_cqe cqe;
	uint64_t prp1 = sc->sqe.prp1, prp2 = sc->sqe.prp2;
	unsigned int timeout;
	struct buf *b;
	uint16_t cid;
	int ret;

	if (sc->set & SCR_SET_DATA) {
		if ((ret = buf_arg(s, sc->data, &b)))
			return ret;
		if (sc->data_off > b->d.size)
			return err(s, S_USAGE, "offset %" PRIu64 " is beyond buffer %s",
				   sc->data_off, b->name);
		if (!(sc->set & SCR_SET_LEN))
			sc->len = b->d.size - sc->data_off;
		if (nvr_prp_map(s->c, &b->d, sc->data_off, sc->len, &sc->sqe,
				&lists))
			return err(s, S_USAGE, "%s", nvr_errmsg());
		/* raw PRP fields given as well win over the buffer's */
		if (sc->set & SCR_SET_PRP1)
			sc->sqe.prp1 = prp1;
		if (sc->set & SCR_SET_PRP2)
			sc->sqe.prp2 = prp2;
	} else if (sc->set & SCR_SET_LEN) {
		return err(s, S_USAGE, "len= needs data=NAME");
	}
	if (nvr_submit(s->c, qid, &sc->sqe,
		       sc->set & SCR_SET_CID ? NVR_RAW_CID : 0, &cid)) {
		nvr_dma_free(s->c, &lists);
		return lib_err(s);
	}
	timeout = sc->set & SCR_SET_TIMEOUT ? (unsigned int)sc->timeout_ms :
		  s->timeout_ms;
	ret = nvr_wait(s->c, qid, cid, timeout, &cqe);
	if (ret == -ETIMEDOUT) {
		lost(s, &lists);
		return S_OK;
	}
	nvr_dma_free(s->c, &lists);
	if (ret)
		return lib_err(s);
	print_cqe(s, &cqe);
	return S_OK;
}

static int parse_cmd(struct state *s, int argc, char **argv,
		     struct scr_cmd *sc)
{
	char e[200];
	int i;

	memset(sc, 0, sizeof(*sc));
	for (i = 0; i < argc; i++)
		if (scr_cmd_field(argv[i], sc, e, sizeof(e)))
			return err(s, S_USAGE, "%s", e);
	if (!(sc->set & SCR_SET_OPC))
		return err(s, S_USAGE, "opc= is missing");
	return S_OK;
}

/* admin FIELD=VALUE... */
static int st_admin(struct state *s, int argc, char **argv)
{
	struct scr_cmd sc;
	int ret = parse_cmd(s, argc - 1, argv + 1, &sc);

	return ret ? ret : run_cmd(s, 0, &sc);
}

/* io QID FIELD=VALUE... */
static int st_io(struct state *s, int argc, char **argv)
{
	struct scr_cmd sc;
	uint64_t qid;
	int ret;

	if ((ret = num_arg(s, argv[1], NVR_MAX_QID, &qid)) ||
	    (ret = parse_cmd(s, argc - 2, argv + 2, &sc)))
		return ret;
	return run_cmd(s, (uint16_t)qid, &sc);
}

/* ---- queues ---- */

/* The pair's memory, made by the first of cq-create / sq-create */
static int pair_mem(struct state *s, uint16_t qid, uint32_t entries,
		    struct nvr_queue **q)
{
	*q = s->c->q[qid];
	if (*q && (*q)->size != entries)
		return err(s, S_USAGE, "queue %u has memory for %u entries, not %u",
			   qid, (*q)->size, entries);
	if (!*q && nvr_queue_alloc(s->c, qid, entries, q))
		return lib_err(s);
	return S_OK;
}

static void pair_release(struct state *s, uint16_t qid)
{
	if (!s->sq_live[qid] && !s->cq_live[qid])
		nvr_queue_free(s->c, qid);
}

static int queue_args(struct state *s, char **argv, uint64_t *qid,
		      uint64_t *entries)
{
	int ret;

	if ((ret = num_arg(s, argv[1], NVR_MAX_QID, qid)) ||
	    (ret = num_arg(s, argv[2], 65536, entries)))
		return ret;
	if (!*qid)
		return err(s, S_USAGE, "queue 0 is the admin queue (see reset)");
	if (*entries < 2)
		return err(s, S_USAGE, "a queue has at least 2 entries");
	return S_OK;
}

/* Send a queue command built in @sc; mark the queue live on success */
static int queue_cmd(struct state *s, struct scr_cmd *sc, uint8_t *live,
		     uint8_t set)
{
	int ret = run_cmd(s, 0, sc);

	if (!ret && s->status == 0)
		*live = set;
	return ret;
}

/* cq-create QID SIZE [base=ADDR] [iv=N] [ien=0|1] [pc=0|1] */
static int st_cq_create(struct state *s, int argc, char **argv)
{
	uint64_t qid, n, v;
	struct nvr_queue *q;
	struct scr_cmd sc = { .set = SCR_SET_OPC };
	const char *a;
	int ret, k;

	if ((ret = queue_args(s, argv, &qid, &n)) ||
	    (ret = pair_mem(s, (uint16_t)qid, (uint32_t)n, &q)))
		return ret;
	nvr_cmd_create_cq(&sc.sqe, (uint16_t)qid, (uint32_t)n, q->cq_base);
	for (k = 3; k < argc && !ret; k++) {
		if ((a = kv(argv[k], "base"))) {
			ret = num_arg(s, a, UINT64_MAX, &sc.sqe.prp1);
		} else if ((a = kv(argv[k], "iv"))) {
			ret = num_arg(s, a, 0xffff, &v);
			sc.sqe.cdw11 = (sc.sqe.cdw11 & 0xffff) | (uint32_t)v << 16;
		} else if ((a = kv(argv[k], "ien"))) {
			ret = num_arg(s, a, 1, &v);
			sc.sqe.cdw11 = (sc.sqe.cdw11 & ~2u) | (uint32_t)v << 1;
		} else if ((a = kv(argv[k], "pc"))) {
			ret = num_arg(s, a, 1, &v);
			sc.sqe.cdw11 = (sc.sqe.cdw11 & ~1u) | (uint32_t)v;
		} else {
			ret = err(s, S_USAGE, "'%s': expected base=, iv=, ien= or pc=",
				  argv[k]);
		}
	}
	if (!ret) {
		q->cq_base = sc.sqe.prp1;
		ret = queue_cmd(s, &sc, &s->cq_live[qid], 1);
	}
	pair_release(s, (uint16_t)qid);
	return ret;
}

/* sq-create QID SIZE [cqid=N] [base=ADDR] [prio=N] [pc=0|1] */
static int st_sq_create(struct state *s, int argc, char **argv)
{
	uint64_t qid, n, v, cqid;
	struct nvr_queue *q;
	struct scr_cmd sc = { .set = SCR_SET_OPC };
	const char *a;
	int ret, k;

	if ((ret = queue_args(s, argv, &qid, &n)) ||
	    (ret = pair_mem(s, (uint16_t)qid, (uint32_t)n, &q)))
		return ret;
	cqid = qid;
	nvr_cmd_create_sq(&sc.sqe, (uint16_t)qid, (uint32_t)n, (uint16_t)qid,
			  q->sq_base);
	for (k = 3; k < argc && !ret; k++) {
		if ((a = kv(argv[k], "base"))) {
			ret = num_arg(s, a, UINT64_MAX, &sc.sqe.prp1);
		} else if ((a = kv(argv[k], "cqid"))) {
			ret = num_arg(s, a, 0xffff, &cqid);
		} else if ((a = kv(argv[k], "prio"))) {
			ret = num_arg(s, a, 3, &v);
			sc.sqe.cdw11 = (sc.sqe.cdw11 & ~6u) | (uint32_t)v << 1;
		} else if ((a = kv(argv[k], "pc"))) {
			ret = num_arg(s, a, 1, &v);
			sc.sqe.cdw11 = (sc.sqe.cdw11 & ~1u) | (uint32_t)v;
		} else {
			ret = err(s, S_USAGE, "'%s': expected base=, cqid=, prio= or pc=",
				  argv[k]);
		}
	}
	if (!ret) {
		sc.sqe.cdw11 = (sc.sqe.cdw11 & 0xffff) | (uint32_t)cqid << 16;
		/* completions of this SQ are polled on CQ cqid */
		q->cqid = cqid <= NVR_MAX_QID ? (uint16_t)cqid : q->qid;
		q->sq_base = sc.sqe.prp1;
		ret = queue_cmd(s, &sc, &s->sq_live[qid], 1);
	}
	pair_release(s, (uint16_t)qid);
	return ret;
}

/* sq-delete QID, cq-delete QID */
static int st_q_delete(struct state *s, int argc, char **argv)
{
	int sq = !strcmp(argv[0], "sq-delete");
	struct scr_cmd sc = { .set = SCR_SET_OPC };
	uint64_t qid;
	int ret;

	(void)argc;
	if ((ret = num_arg(s, argv[1], 0xffff, &qid)))
		return ret;
	nvr_cmd_delete_q(&sc.sqe, sq ? NVR_ADM_DELETE_SQ : NVR_ADM_DELETE_CQ,
			 (uint16_t)qid);
	if (qid > NVR_MAX_QID)
		return run_cmd(s, 0, &sc);
	ret = queue_cmd(s, &sc, sq ? &s->sq_live[qid] : &s->cq_live[qid], 0);
	if (qid)
		pair_release(s, (uint16_t)qid);
	return ret;
}

/* ioq-create QID SIZE: a pair that must come up */
static int st_ioq_create(struct state *s, int argc, char **argv)
{
	uint64_t qid, n;
	uint16_t st;
	int ret;

	(void)argc;
	if ((ret = queue_args(s, argv, &qid, &n)))
		return ret;
	if (nvr_ioq_create(s->c, (uint16_t)qid, (uint32_t)n, &st)) {
		s->status = st == 0xffff ? SCR_STATUS_TIMEOUT : st;
		return lib_err(s);
	}
	s->status = 0;
	s->sq_live[qid] = s->cq_live[qid] = 1;
	return S_OK;
}

/* ioq-delete QID */
static int st_ioq_delete(struct state *s, int argc, char **argv)
{
	uint64_t qid;
	uint16_t st;
	int ret;

	(void)argc;
	if ((ret = num_arg(s, argv[1], NVR_MAX_QID, &qid)))
		return ret;
	if (!qid || !s->c->q[qid])
		return err(s, S_USAGE, "no I/O queue %" PRIu64, qid);
	if (nvr_ioq_delete(s->c, (uint16_t)qid, &st)) {
		s->status = st == 0xffff ? SCR_STATUS_TIMEOUT : st;
		return lib_err(s);
	}
	s->status = 0;
	s->sq_live[qid] = s->cq_live[qid] = 0;
	return S_OK;
}

/* ---- registers and doorbells ---- */

static const struct {
	const char *name;
	uint32_t off;
	unsigned int width;
} regs[] = {
	{ "cap", NVR_REG_CAP, 64 }, { "vs", NVR_REG_VS, 32 },
	{ "intms", NVR_REG_INTMS, 32 }, { "intmc", NVR_REG_INTMC, 32 },
	{ "cc", NVR_REG_CC, 32 }, { "csts", NVR_REG_CSTS, 32 },
	{ "nssr", NVR_REG_NSSR, 32 }, { "aqa", NVR_REG_AQA, 32 },
	{ "asq", NVR_REG_ASQ, 64 }, { "acq", NVR_REG_ACQ, 64 },
};

/* REG is a name above or an offset; @w ("32", "64" or NULL) overrides */
static int reg_arg(struct state *s, const char *reg, const char *w,
		   uint32_t *off, unsigned int *width)
{
	uint64_t v;
	size_t i;

	*width = 32;
	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (!strcasecmp(reg, regs[i].name))
			break;
	if (i < sizeof(regs) / sizeof(regs[0])) {
		*off = regs[i].off;
		*width = regs[i].width;
	} else if (num_arg(s, reg, 0xffffffff, &v)) {
		return err(s, S_USAGE, "'%s' is no register name or offset",
			   reg);
	} else {
		*off = (uint32_t)v;
	}
	if (w && strcmp(w, "32") && strcmp(w, "64"))
		return err(s, S_USAGE, "width '%s': 32 or 64", w);
	if (w)
		*width = (unsigned int)atoi(w);
	return S_OK;
}

static int reg_get(struct state *s, uint32_t off, unsigned int width,
		   uint64_t *v)
{
	uint32_t v32;

	if (width == 64)
		return nvr_reg_read64(s->c, off, v) ? lib_err(s) : S_OK;
	if (nvr_reg_read32(s->c, off, &v32))
		return lib_err(s);
	*v = v32;
	return S_OK;
}

/* reg-read REG [32|64] */
static int st_reg_read(struct state *s, int argc, char **argv)
{
	unsigned int width;
	uint32_t off;
	uint64_t v;
	int ret;

	if ((ret = reg_arg(s, argv[1], argc > 2 ? argv[2] : NULL, &off,
			   &width)) ||
	    (ret = reg_get(s, off, width, &v)))
		return ret;
	printf("%s=0x%0*" PRIx64 "\n", argv[1], width / 4, v);
	return S_OK;
}

/* reg-write REG VALUE [32|64] */
static int st_reg_write(struct state *s, int argc, char **argv)
{
	unsigned int width;
	uint32_t off;
	uint64_t v;
	int ret;

	if ((ret = reg_arg(s, argv[1], argc > 3 ? argv[3] : NULL, &off,
			   &width)) ||
	    (ret = num_arg(s, argv[2], width == 64 ? UINT64_MAX : 0xffffffff,
			   &v)))
		return ret;
	ret = width == 64 ? nvr_reg_write64(s->c, off, v) :
			    nvr_reg_write32(s->c, off, (uint32_t)v);
	return ret ? lib_err(s) : S_OK;
}

/* expect-reg REG VALUE [mask=M] [32|64] */
static int st_expect_reg(struct state *s, int argc, char **argv)
{
	uint64_t want, mask = UINT64_MAX, v;
	const char *m = NULL, *w = NULL;
	unsigned int width;
	uint32_t off;
	int ret, k;

	for (k = 3; k < argc; k++) {
		if (kv(argv[k], "mask"))
			m = kv(argv[k], "mask");
		else
			w = argv[k];
	}
	if ((ret = reg_arg(s, argv[1], w, &off, &width)) ||
	    (ret = num_arg(s, argv[2], UINT64_MAX, &want)) ||
	    (m && (ret = num_arg(s, m, UINT64_MAX, &mask))) ||
	    (ret = reg_get(s, off, width, &v)))
		return ret;
	if ((v & mask) != (want & mask))
		return err(s, S_FAIL, "%s is 0x%" PRIx64 ", expected 0x%" PRIx64 " (mask 0x%" PRIx64 ")",
			   argv[1], v, want, mask);
	return S_OK;
}

/* doorbell sq|cq QID VALUE: written as it is */
static int st_doorbell(struct state *s, int argc, char **argv)
{
	uint64_t qid, v;
	int ret;

	(void)argc;
	if (strcmp(argv[1], "sq") && strcmp(argv[1], "cq"))
		return err(s, S_USAGE, "'%s': sq or cq", argv[1]);
	if ((ret = num_arg(s, argv[2], 0xffff, &qid)) ||
	    (ret = num_arg(s, argv[3], 0xffffffff, &v)))
		return ret;
	if (nvr_doorbell(s->c, (uint32_t)qid, !strcmp(argv[1], "cq"),
			 (uint32_t)v))
		return lib_err(s);
	return S_OK;
}

/* ---- controller ---- */

static void queues_forget(struct state *s)
{
	memset(s->sq_live, 0, sizeof(s->sq_live));
	memset(s->cq_live, 0, sizeof(s->cq_live));
}

/* reset [aq=N] */
static int st_reset(struct state *s, int argc, char **argv)
{
	uint64_t aq = 32;
	const char *a;
	int ret;

	if (argc > 1) {
		if (!(a = kv(argv[1], "aq")))
			return err(s, S_USAGE, "'%s': expected aq=N", argv[1]);
		if ((ret = num_arg(s, a, 4096, &aq)))
			return ret;
	}
	queues_forget(s);
	return nvr_ctrl_reset(s->c, (uint32_t)aq) ? lib_err(s) : S_OK;
}

/* disable */
static int st_disable(struct state *s, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	queues_forget(s);
	return nvr_ctrl_disable(s->c) ? lib_err(s) : S_OK;
}

/* shutdown */
static int st_shutdown(struct state *s, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return nvr_ctrl_shutdown(s->c) ? lib_err(s) : S_OK;
}

/* Identify into a scratch page; S_OK only with a successful status */
static int identify(struct state *s, uint8_t cns, uint32_t nsid,
		    struct nvr_dma *d)
{
	uint16_t st;

	if (nvr_dma_alloc(s->c, NVR_PAGE_SIZE, 0, d))
		return lib_err(s);
	if (!nvr_identify(s->c, cns, nsid, d, &st))
		return S_OK;
	s->status = st == 0xffff ? SCR_STATUS_TIMEOUT : st;
	nvr_dma_free(s->c, d);
	return lib_err(s);
}

/* A space-padded ASCII field without its padding */
static void str_field(char *dst, const uint8_t *src, size_t n)
{
	while (n && (src[n - 1] == ' ' || src[n - 1] == 0))
		n--;
	memcpy(dst, src, n);
	dst[n] = 0;
}

/* identify: a line of controller facts */
static int st_identify(struct state *s, int argc, char **argv)
{
	char mn[41], sn[21], fr[9];
	struct nvr_dma d;
	const uint8_t *p;
	uint32_t nn, ver;
	int ret;

	(void)argc;
	(void)argv;
	if ((ret = identify(s, 1, 0, &d)))
		return ret;
	p = d.va;
	str_field(sn, p + 4, 20);
	str_field(mn, p + 24, 40);
	str_field(fr, p + 64, 8);
	memcpy(&ver, p + 80, 4);
	memcpy(&nn, p + 516, 4);
	/* MDTS is a power of two in units of CAP.MPSMIN pages; 0: no limit */
	printf("identify model=\"%s\" serial=\"%s\" fw=\"%s\" vid=0x%04x ver=0x%x mdts=%u max-transfer=%llu nn=%u\n",
	       mn, sn, fr, p[0] | p[1] << 8, ver, p[77],
	       p[77] ? (unsigned long long)NVR_PAGE_SIZE << p[77] : 0ULL, nn);
	nvr_dma_free(s->c, &d);
	s->status = 0;
	return S_OK;
}

/* identify-ns NSID: a line of namespace facts */
static int st_identify_ns(struct state *s, int argc, char **argv)
{
	uint64_t nsid, nsze, ncap, nuse;
	struct nvr_dma d;
	const uint8_t *p;
	unsigned int lbaf;
	int ret;

	(void)argc;
	if ((ret = num_arg(s, argv[1], 0xffffffff, &nsid)) ||
	    (ret = identify(s, 0, (uint32_t)nsid, &d)))
		return ret;
	p = d.va;
	memcpy(&nsze, p, 8);
	memcpy(&ncap, p + 8, 8);
	memcpy(&nuse, p + 16, 8);
	lbaf = p[26] & 0xf;			/* FLBAS: the format in use */
	printf("identify-ns nsid=%" PRIu64 " nsze=%" PRIu64 " ncap=%" PRIu64 " nuse=%" PRIu64 " lba-size=%u\n",
	       nsid, nsze, ncap, nuse, 1u << p[128 + 4 * lbaf + 2]);
	nvr_dma_free(s->c, &d);
	s->status = 0;
	return S_OK;
}

/* ---- asynchronous events ---- */

/* aer */
static int st_aer(struct state *s, int argc, char **argv)
{
	uint16_t cid;

	(void)argc;
	(void)argv;
	if (nvr_aer_post(s->c, &cid))
		return lib_err(s);
	printf("aer cid=%u\n", cid);
	return S_OK;
}

/* wait-aer MS */
static int st_wait_aer(struct state *s, int argc, char **argv)
{
	struct nvr_cqe e;
	uint64_t ms;
	int ret;

	(void)argc;
	if ((ret = num_arg(s, argv[1], 3600000, &ms)))
		return ret;
	ret = nvr_aer_wait(s->c, (unsigned int)ms, &e);
	if (ret == -ETIMEDOUT) {
		printf("aer timeout (%s)\n", nvr_errmsg());
		s->status = SCR_STATUS_TIMEOUT;
		s->dw0 = 0;
		return S_OK;
	}
	if (ret)
		return lib_err(s);
	s->status = nvr_status(&e);
	s->dw0 = e.dw0;
	/* dw0: type 2:0, information 15:8, log page 23:16 (Figure 146) */
	printf("aer status=0x%x dw0=0x%08x type=%u info=0x%02x log=0x%02x cid=%u\n",
	       s->status, e.dw0, e.dw0 & 7, e.dw0 >> 8 & 0xff,
	       e.dw0 >> 16 & 0xff, e.cid);
	return S_OK;
}

/* ---- checks ---- */

static void status_words(uint32_t st, char *buf, size_t len)
{
	if (st == SCR_STATUS_TIMEOUT)
		snprintf(buf, len, "timeout");
	else if (st == NO_STATUS)
		snprintf(buf, len, "none (no command yet)");
	else
		snprintf(buf, len, "0x%x", st);
}

/* expect-status STATUS|timeout */
static int st_expect_status(struct state *s, int argc, char **argv)
{
	char e[160], got[32], want[32];
	uint32_t st;

	(void)argc;
	if (scr_status(argv[1], &st, e, sizeof(e)))
		return err(s, S_USAGE, "%s", e);
	if (st == s->status)
		return S_OK;
	status_words(s->status, got, sizeof(got));
	status_words(st, want, sizeof(want));
	return err(s, S_FAIL, "status %s%s%s, expected %s", got,
		   s->status <= 0x7fff ? " " : "",
		   s->status <= 0x7fff ? nvr_status_name((uint16_t)s->status) :
					  "", want);
}

/* expect-dw0 VALUE [mask=M] */
static int st_expect_dw0(struct state *s, int argc, char **argv)
{
	uint64_t want, mask = 0xffffffff;
	const char *m;
	int ret;

	if ((ret = num_arg(s, argv[1], 0xffffffff, &want)))
		return ret;
	if (argc > 2) {
		if (!(m = kv(argv[2], "mask")))
			return err(s, S_USAGE, "'%s': expected mask=M",
				   argv[2]);
		if ((ret = num_arg(s, m, 0xffffffff, &mask)))
			return ret;
	}
	if ((s->dw0 & mask) != (want & mask))
		return err(s, S_FAIL, "dw0 0x%08x, expected 0x%08" PRIx64 " (mask 0x%08" PRIx64 ")",
			   s->dw0, want, mask);
	return S_OK;
}

/* ---- misc ---- */

/* timeout MS: the default command timeout */
static int st_timeout(struct state *s, int argc, char **argv)
{
	uint64_t ms;
	int ret;

	(void)argc;
	if ((ret = num_arg(s, argv[1], 3600000, &ms)))
		return ret;
	s->timeout_ms = (unsigned int)ms;
	s->c->timeout_ms = (unsigned int)ms;
	return S_OK;
}

/* sleep MS */
static int st_sleep(struct state *s, int argc, char **argv)
{
	struct timespec ts;
	uint64_t ms;
	int ret;

	(void)argc;
	if ((ret = num_arg(s, argv[1], 3600000, &ms)))
		return ret;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	return S_OK;
}

/* echo WORDS... */
static int st_echo(struct state *s, int argc, char **argv)
{
	int i;

	(void)s;
	for (i = 1; i < argc; i++)
		printf("%s%s", argv[i], i + 1 < argc ? " " : "");
	putchar('\n');
	return S_OK;
}

/* fake-event DW0, fake-hang 0|1: only against --fake */
static int st_fake(struct state *s, int argc, char **argv)
{
	uint64_t v;
	int ret;

	(void)argc;
	if (!s->fake)
		return err(s, S_USAGE, "%s needs --fake", argv[0]);
	if ((ret = num_arg(s, argv[1], 0xffffffff, &v)))
		return ret;
	if (!strcmp(argv[0], "fake-event"))
		nvr_fake_event(s->fake, (uint32_t)v);
	else
		nvr_fake_hang(s->fake, !!v);
	return S_OK;
}

/* ---- statements ---- */

static const struct stmt {
	const char *name;
	int min, max;		/* words after the name */
	int (*run)(struct state *s, int argc, char **argv);
	const char *args;
} stmts[] = {
	{ "buf", 2, 4, st_buf, "NAME SIZE [PATTERN] [contig|huge]" },
	{ "free", 1, 1, st_free, "NAME" },
	{ "fill", 2, 4, st_fill, "NAME PATTERN [OFF [LEN]]" },
	{ "print-phys", 1, 2, st_print_phys, "NAME [PAGE|all]" },
	{ "dump", 1, 3, st_dump, "NAME [OFF [LEN]]" },
	{ "cmp", 2, 3, st_cmp, "NAME[+OFF] NAME[+OFF] [LEN]" },
	{ "save", 2, 4, st_save, "NAME FILE [OFF [LEN]]" },
	{ "load", 2, 3, st_load, "NAME FILE [OFF]" },
	{ "admin", 1, SCR_MAX_ARGS, st_admin, "opc=N [FIELD=VALUE...]" },
	{ "io", 2, SCR_MAX_ARGS, st_io, "QID opc=N [FIELD=VALUE...]" },
	{ "ioq-create", 2, 2, st_ioq_create, "QID SIZE" },
	{ "ioq-delete", 1, 1, st_ioq_delete, "QID" },
	{ "cq-create", 2, 6, st_cq_create,
	  "QID SIZE [base=ADDR] [iv=N] [ien=0|1] [pc=0|1]" },
	{ "sq-create", 2, 6, st_sq_create,
	  "QID SIZE [cqid=N] [base=ADDR] [prio=N] [pc=0|1]" },
	{ "sq-delete", 1, 1, st_q_delete, "QID" },
	{ "cq-delete", 1, 1, st_q_delete, "QID" },
	{ "doorbell", 3, 3, st_doorbell, "sq|cq QID VALUE" },
	{ "reg-read", 1, 2, st_reg_read, "REG [32|64]" },
	{ "reg-write", 2, 3, st_reg_write, "REG VALUE [32|64]" },
	{ "expect-reg", 2, 4, st_expect_reg, "REG VALUE [mask=M] [32|64]" },
	{ "reset", 0, 1, st_reset, "[aq=N]" },
	{ "disable", 0, 0, st_disable, "" },
	{ "shutdown", 0, 0, st_shutdown, "" },
	{ "identify", 0, 0, st_identify, "" },
	{ "identify-ns", 1, 1, st_identify_ns, "NSID" },
	{ "aer", 0, 0, st_aer, "" },
	{ "wait-aer", 1, 1, st_wait_aer, "MS" },
	{ "expect-status", 1, 1, st_expect_status, "STATUS|timeout" },
	{ "expect-dw0", 1, 2, st_expect_dw0, "VALUE [mask=M]" },
	{ "timeout", 1, 1, st_timeout, "MS" },
	{ "sleep", 1, 1, st_sleep, "MS" },
	{ "echo", 0, SCR_MAX_ARGS, st_echo, "[WORDS...]" },
	{ "fake-event", 1, 1, st_fake, "DW0" },
	{ "fake-hang", 1, 1, st_fake, "0|1" },
};

static int run_line(struct state *s, char *line)
{
	char *argv[SCR_MAX_ARGS + 2];
	int argc = scr_split(line, argv, SCR_MAX_ARGS + 1);
	size_t i;

	s->msg[0] = 0;
	if (argc < 0)
		return err(s, S_USAGE, "more than %d words", SCR_MAX_ARGS);
	if (!argc)
		return S_OK;
	for (i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++) {
		if (strcmp(argv[0], stmts[i].name))
			continue;
		if (argc - 1 < stmts[i].min || argc - 1 > stmts[i].max)
			return err(s, S_USAGE, "usage: %s %s", stmts[i].name,
				   stmts[i].args);
		argv[argc] = NULL;
		return stmts[i].run(s, argc, argv);
	}
	return err(s, S_USAGE, "unknown statement '%s'", argv[0]);
}

/* Run statements from @f; the first failure ends the run */
static int run_file(struct state *s, FILE *f, const char *name)
{
	char line[MAX_LINE], where[300];
	unsigned int n = 0;
	size_t len;
	int ret;

	while (fgets(line, sizeof(line), f)) {
		n++;
		len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			fprintf(stderr, "%s: %s:%u: line longer than %d bytes\n",
				prog, name, n, MAX_LINE - 2);
			return S_USAGE;
		}
		snprintf(where, sizeof(where), "%s:%u", name, n);
		s->where = where;
		ret = run_line(s, line);
		fflush(stdout);
		if (ret) {
			fprintf(stderr, "%s: %s: %s\n", prog, where, s->msg);
			return ret;
		}
	}
	return S_OK;
}

/* -c 'STATEMENT; STATEMENT': the same, from the command line */
static int run_string(struct state *s, const char *text)
{
	char *copy = strdup(text), *p, *save = NULL;
	unsigned int n = 0;
	int ret = S_OK;

	if (!copy)
		return S_FAIL;
	for (p = strtok_r(copy, ";\n", &save); p && !ret;
	     p = strtok_r(NULL, ";\n", &save)) {
		n++;
		ret = run_line(s, p);
		fflush(stdout);
		if (ret)
			fprintf(stderr, "%s: -c statement %u: %s\n", prog, n,
				s->msg);
	}
	free(copy);
	return ret;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
"usage: %s [options] BDF [SCRIPT|-]\n"
"       %s [options] --fake [SCRIPT|-]\n"
"Drive the NVMe controller at PCI address BDF (unbound from its driver) with\n"
"the statements in SCRIPT (default: standard input), one a line; '#' starts\n"
"a comment.  The controller is reset first and shut down at the end.\n"
"options:\n"
"  -c 'STMT; STMT'  run these statements instead of a script\n"
"  -t MS            default command timeout (5000)\n"
"  -n, --no-reset   leave the controller as it is at start (use reset)\n"
"  --aq N           admin queue entries of the first reset (32)\n"
"  --fake           an in-process fake controller instead of BDF\n"
"  --trace          with --fake: print every command the fake fetches\n"
"statements:\n", prog, prog);
	for (i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++)
		fprintf(f, "  %s %s\n", stmts[i].name, stmts[i].args);
	fprintf(f,
"FIELD (admin, io): opc flags fuse psdt cid cdw0 nsid cdw2 cdw3 mptr prp1\n"
"  prp2 cdw10..cdw15 slba nlb (0's based) blocks (nlb + 1) data=NAME[+OFF]\n"
"  len timeout; prp1/prp2 override the PRPs of data=; nothing is checked.\n"
"PATTERN: zero, byte=N, inc, random=SEED.  Sizes take k, m, g.\n"
"Commands print: status=0x... dw0=0x... dw1=0x... sqhd= sqid= cid= (name),\n"
"status as nvme-cli prints it (0x4001: Invalid Command Opcode, DNR), or\n"
"status=timeout.  Exit status: 0, 1 a statement failed, 2 usage.\n");
}

struct opts {
	const char *bdf, *script, *cmds;
	unsigned int timeout_ms, aq;
	int fake, trace, no_reset;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	int i, pos = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--fake")) {
			o->fake = 1;
		} else if (!strcmp(a, "--trace")) {
			o->trace = 1;
		} else if (!strcmp(a, "-n") || !strcmp(a, "--no-reset")) {
			o->no_reset = 1;
		} else if ((!strcmp(a, "-t") || !strcmp(a, "--aq") ||
			    !strcmp(a, "-c")) && i + 1 < argc) {
			if (!strcmp(a, "-c"))
				o->cmds = argv[++i];
			else if (!strcmp(a, "-t"))
				o->timeout_ms = (unsigned int)atoi(argv[++i]);
			else
				o->aq = (unsigned int)atoi(argv[++i]);
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "%s: unknown option %s\n", prog, a);
			return S_USAGE;
		} else if (pos == 0 && !o->fake) {
			o->bdf = a;
			pos++;
		} else if (!o->script) {
			o->script = a;
		} else {
			fprintf(stderr, "%s: too many arguments\n", prog);
			return S_USAGE;
		}
	}
	if (!o->bdf && !o->fake) {
		usage(stderr);
		return S_USAGE;
	}
	if (!o->timeout_ms || o->aq < 2 || o->aq > 4096) {
		fprintf(stderr, "%s: -t needs milliseconds above 0, --aq 2..4096\n",
			prog);
		return S_USAGE;
	}
	return S_OK;
}

static int open_ctrl(struct state *s, const struct opts *o)
{
	int ret;

	if (o->fake) {
		s->fake = nvr_fake_new(FAKE_BLOCKS);
		if (!s->fake)
			return S_FAIL;
		if (o->trace)
			nvr_fake_trace(s->fake, stdout);
		ret = nvr_fake_open(s->fake, &s->c);
	} else {
		ret = nvr_open(o->bdf, &s->c);
	}
	if (ret) {
		fprintf(stderr, "%s: %s\n", prog, nvr_errmsg());
		return S_FAIL;
	}
	s->c->timeout_ms = s->timeout_ms;
	if (!o->no_reset && nvr_ctrl_reset(s->c, o->aq)) {
		fprintf(stderr, "%s: reset: %s\n", prog, nvr_errmsg());
		return S_FAIL;
	}
	return S_OK;
}

static void close_ctrl(struct state *s)
{
	unsigned int i;

	if (s->c) {
		for (i = 0; i < MAX_BUFS; i++)
			nvr_dma_free(s->c, &s->bufs[i].d);
		/* after the controller is disabled, lost DMA is harmless */
		nvr_close(s->c);
	}
	for (i = 0; i < s->nleaked; i++) {
		munmap(s->leaked[i].map, s->leaked[i].map_size);
		free(s->leaked[i].phys);
	}
	nvr_fake_free(s->fake);
}

int main(int argc, char **argv)
{
	struct opts o = { .timeout_ms = 5000, .aq = 32 };
	struct state s = { .status = NO_STATUS };
	FILE *f = stdin;
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret;
	if (o.script && strcmp(o.script, "-") && !o.cmds) {
		f = fopen(o.script, "r");
		if (!f) {
			fprintf(stderr, "%s: %s: %s\n", prog, o.script,
				strerror(errno));
			return S_USAGE;
		}
	}
	s.timeout_ms = o.timeout_ms;
	ret = open_ctrl(&s, &o);
	if (!ret)
		ret = o.cmds ? run_string(&s, o.cmds) :
			       run_file(&s, f, o.script ? o.script : "-");
	close_ctrl(&s);
	if (f != stdin)
		fclose(f);
	return ret;
}
