// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvme-raw-fuzz: drive an NVMe controller with what the kernel's driver
 * never sends, through libnvmeraw, and check that the controller stays
 * inside the memory it was given (see README.md, "nvme-raw-fuzz").
 *
 * Every command is generated from the seed alone (never from what the
 * device answered), so a seed gives the same sequence on every run.
 *
 * Memory the device may write is only the fuzzer's own: physically
 * contiguous areas cut into slots, one per command of a batch, each
 * [list 0][list 1][guard][data 0..7][guard], and a last area with a
 * canary region, the memory of the queue-sequence tests' CQs and SQs,
 * all between guard pages.  Guard pages hold a pattern whose 8-byte words
 * are addresses beyond RAM, so a device that reads one as a PRP list finds
 * only refused entries.  After every batch the guard pages, the canary,
 * the SQ memory (never written by a device) and, through /dev/mem,
 * physical page 0 are compared with what they held.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake.h"
#include "nvmeraw.h"

#define AREA_PAGES	256		/* 1 MiB, physically contiguous */
#define SLOT_PAGES	12		/* L0 L1 G D0..D7 G */
#define SLOTS_PER_AREA	((AREA_PAGES - 1) / SLOT_PAGES)
#define NDATA		8
#define MAX_BATCH	64
#define MAX_AREAS	((MAX_BATCH + SLOTS_PER_AREA - 1) / SLOTS_PER_AREA + 1)
#define XAREA_PAGES	64		/* canary, chaos CQ and SQ memory */
#define CANARY_PAGES	8
#define CCQ_PAGES	8
#define CSQ_PAGES	16
#define GUARD_WORD	((uint64_t)0x00005a5a5a5a5000ULL) /* ~99 TiB: beyond RAM */
#define UNMAPPED	((uint64_t)1 << 45)	/* 32 TiB and up */
#define MAX_FORBID	24
#define MAX_AER		16
#define FAKE_BLOCKS	65536			/* 32 MiB */
#define LOW_MIB		0x100000ULL

enum cat { C_IO, C_PRP, C_IORAND, C_ADMRAND, C_DOORBELL, C_QUEUES, C_RESET,
	   C_NR };
static const char *const cat_name[C_NR] = {
	"io", "prp", "io-random", "admin-random", "doorbell", "queues",
	"reset",
};
/* out of 100 */
static const unsigned int cat_weight[C_NR] = { 30, 20, 18, 14, 6, 6, 6 };

enum role { R_GUARD, R_LIST, R_DATA, R_CANARY, R_CCQ, R_CSQ };

struct area {
	struct nvr_dma d;
	uint8_t role[AREA_PAGES];
	unsigned int npages;
};

struct slot {
	uint8_t *l[2];
	uint64_t lp[2];
	uint8_t *d[NDATA];
	uint64_t dp[NDATA];
};

struct range {
	char name[24];
	uint64_t start, end;	/* [start, end) */
};

struct inflight {
	uint64_t idx;		/* command number */
	uint16_t sqid, cid;
	uint8_t opc;
	int done;
};

struct fz {
	struct nvr_ctrl *c;
	struct nvr_fake *fake;
	uint64_t rng;
	/* options */
	uint64_t seed, count;
	unsigned int batch, nq, qsize, timeout_ms;
	uint32_t nsid;
	int trace, fake_mode, verbose_summary;
	uint64_t lba_start, lba_count;
	uint64_t fake_hang_at;	/* --fake-hang: the fake stops fetching */
	/* device */
	uint64_t nsze;
	unsigned int lbads;
	uint16_t mqes;
	unsigned int max_dbq;	/* highest queue id with a doorbell in BAR0 */
	/* memory */
	struct area areas[MAX_AREAS];
	unsigned int nareas;
	struct slot slots[MAX_BATCH];
	uint8_t *canary, *canary_ref, *ccq, *csq;
	uint64_t ccq_p, csq_p;
	uint8_t guard_page[NVR_PAGE_SIZE], zero_page[NVR_PAGE_SIZE];
	struct range forbid[MAX_FORBID];
	unsigned int nforbid;
	int memfd;
	int kpfd;		/* /proc/kpageflags, or -1 */
	uint64_t kern_unreserved;	/* kernel pages found not reserved */
	uint8_t page0[NVR_PAGE_SIZE];
	uint64_t page0_sum, low_sum;
	int page0_zero;
	/* state */
	uint64_t cmdno, batchno;
	struct inflight fl[MAX_BATCH * 4];
	unsigned int nfl;
	uint16_t aer_cid[MAX_AER];
	unsigned int naer;
	/* figures */
	uint64_t by_cat[C_NR], batches[C_NR], status_n[0x8000], timeouts_fatal, fatal,
		 dropped, doorbells, events, resets, shutdowns, stray,
		 checks, qseq_mismatch;
	char fail_msg[512];
	int failed;
};

/* ---- output ---- */

__attribute__((format(printf, 2, 3)))
static int fz_fail(struct fz *z, const char *fmt, ...)
{
	va_list ap;

	if (z->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(z->fail_msg, sizeof(z->fail_msg), fmt, ap);
	va_end(ap);
	z->failed = 1;
	fprintf(stderr, "nvme-raw-fuzz: FAIL: seed %" PRIu64 " batch %" PRIu64
		": %s\n", z->seed, z->batchno, z->fail_msg);
	return -1;
}

/* ---- random numbers: splitmix64 ---- */

static uint64_t rnd(struct fz *z)
{
	uint64_t x = (z->rng += 0x9e3779b97f4a7c15ULL);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t below(struct fz *z, uint64_t n)
{
	return n ? rnd(z) % n : 0;
}

static int chance(struct fz *z, unsigned int pct)
{
	return below(z, 100) < pct;
}

/* A 32-bit value biased towards the edges */
static uint32_t rnd32(struct fz *z)
{
	switch (below(z, 6)) {
	case 0:
		return 0;
	case 1:
		return (uint32_t)below(z, 16);
	case 2:
		return 0xffffffffu - (uint32_t)below(z, 4);
	case 3:
		return 1u << below(z, 32);
	default:
		return (uint32_t)rnd(z);
	}
}

/* ---- memory ---- */

static void fill_guard(uint8_t *p)
{
	uint64_t w = GUARD_WORD;
	size_t i;

	for (i = 0; i < NVR_PAGE_SIZE; i += 8)
		memcpy(p + i, &w, 8);
}

static int area_alloc(struct fz *z, unsigned int npages, struct area **out)
{
	struct area *a = &z->areas[z->nareas];
	unsigned int i;

	if (nvr_dma_alloc(z->c, (size_t)npages * NVR_PAGE_SIZE,
			  NVR_DMA_CONTIG, &a->d)) {
		fprintf(stderr, "nvme-raw-fuzz: %u contiguous pages: %s\n",
			npages, nvr_errmsg());
		return -1;
	}
	for (i = 1; i < a->d.npages; i++)
		if (a->d.phys[i] != a->d.phys[0] + (uint64_t)i * NVR_PAGE_SIZE) {
			fprintf(stderr, "nvme-raw-fuzz: area not contiguous\n");
			return -1;
		}
	a->npages = npages;
	for (i = 0; i < npages; i++) {
		a->role[i] = R_GUARD;
		fill_guard((uint8_t *)a->d.va + (size_t)i * NVR_PAGE_SIZE);
	}
	z->nareas++;
	*out = a;
	return 0;
}

static uint8_t *apage(struct area *a, unsigned int i, enum role r,
		      uint64_t *phys)
{
	a->role[i] = (uint8_t)r;
	*phys = a->d.phys[i];
	return (uint8_t *)a->d.va + (size_t)i * NVR_PAGE_SIZE;
}

static int memory_setup(struct fz *z)
{
	unsigned int s = 0, i, base, k;
	struct area *a = NULL;
	uint64_t p;

	fill_guard(z->guard_page);
	while (s < z->batch) {
		if (area_alloc(z, AREA_PAGES, &a))
			return -1;
		for (k = 0; k < SLOTS_PER_AREA && s < z->batch; k++, s++) {
			base = 1 + k * SLOT_PAGES;
			z->slots[s].l[0] = apage(a, base, R_LIST,
						 &z->slots[s].lp[0]);
			z->slots[s].l[1] = apage(a, base + 1, R_LIST,
						 &z->slots[s].lp[1]);
			for (i = 0; i < NDATA; i++)
				z->slots[s].d[i] = apage(a, base + 3 + i,
							 R_DATA,
							 &z->slots[s].dp[i]);
		}
	}
	if (area_alloc(z, XAREA_PAGES, &a))
		return -1;
	/* [G][canary x8][G][CQ memory x8][G][SQ memory x16][G]... */
	z->canary = apage(a, 1, R_CANARY, &p);
	for (i = 1; i < CANARY_PAGES; i++)
		apage(a, 1 + i, R_CANARY, &p);
	z->ccq = apage(a, 10, R_CCQ, &z->ccq_p);
	for (i = 1; i < CCQ_PAGES; i++)
		apage(a, 10 + i, R_CCQ, &p);
	z->csq = apage(a, 19, R_CSQ, &z->csq_p);
	for (i = 1; i < CSQ_PAGES; i++)
		apage(a, 19 + i, R_CSQ, &p);
	memset(z->ccq, 0, CCQ_PAGES * NVR_PAGE_SIZE);
	memset(z->csq, 0, CSQ_PAGES * NVR_PAGE_SIZE);
	z->canary_ref = malloc(CANARY_PAGES * NVR_PAGE_SIZE);
	if (!z->canary_ref)
		return -1;
	for (i = 0; i < CANARY_PAGES * NVR_PAGE_SIZE; i += 8) {
		p = rnd(z);
		memcpy(z->canary + i, &p, 8);
	}
	memcpy(z->canary_ref, z->canary, CANARY_PAGES * NVR_PAGE_SIZE);
	/* data pages start filled with the guard words too */
	for (s = 0; s < z->batch; s++) {
		for (i = 0; i < NDATA; i++)
			fill_guard(z->slots[s].d[i]);
		fill_guard(z->slots[s].l[0]);
		fill_guard(z->slots[s].l[1]);
	}
	return 0;
}

/* ---- forbidden addresses ---- */

static void forbid_add(struct fz *z, const char *name, uint64_t start,
		       uint64_t end)
{
	struct range *r;

	if (z->nforbid == MAX_FORBID || end <= start)
		return;
	r = &z->forbid[z->nforbid++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->start = start;
	r->end = end;
}

/* Kernel code/data/bss and reserved ranges above 1 MiB from /proc/iomem */
static void forbid_from_iomem(struct fz *z)
{
	unsigned int nres = 0;
	uint64_t s, e, top = 0;
	char line[256], *name;
	FILE *f = fopen("/proc/iomem", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %" SCNx64 "-%" SCNx64, &s, &e) != 2)
			continue;
		name = strstr(line, " : ");
		if (!name)
			continue;
		name += 3;
		name[strcspn(name, "\n")] = 0;
		if (line[0] != ' ' && e + 1 > top)
			top = e + 1;
		if (!s && !e)
			continue;	/* addresses hidden: not root */
		if (!strcmp(name, "Kernel code"))
			forbid_add(z, "kernel-code", s, e + 1);
		else if (!strcmp(name, "Kernel data"))
			forbid_add(z, "kernel-data", s, e + 1);
		else if (!strcmp(name, "Kernel bss"))
			forbid_add(z, "kernel-bss", s, e + 1);
		else if (line[0] != ' ' && !strcmp(name, "Reserved") &&
			 s >= LOW_MIB && nres < 4 && e + 1 - s >= NVR_PAGE_SIZE) {
			forbid_add(z, "reserved", s, e + 1);
			nres++;
		}
	}
	fclose(f);
	if (top > UNMAPPED || top > GUARD_WORD)
		fprintf(stderr, "nvme-raw-fuzz: warning: /proc/iomem reaches 0x%" PRIx64
			", beyond the fuzzer's 'unmapped' addresses\n", top);
}

/* BAR0 of the function from sysfs */
static void forbid_bar(struct fz *z, const char *bdf)
{
	char path[160];
	uint64_t s, e;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fscanf(f, "%" SCNx64 " %" SCNx64, &s, &e) == 2 && e > s)
		forbid_add(z, "bar0", s, e + 1);
	fclose(f);
}

#define KPF_RESERVED	32	/* Documentation/admin-guide/mm/pagemap.rst */

/*
 * Is the page at @a reserved (PageReserved) by /proc/kpageflags?  1 when
 * it cannot be told (no /proc/kpageflags, the fake).
 */
static int page_reserved(struct fz *z, uint64_t a)
{
	uint64_t flags;

	if (z->kpfd < 0)
		return 1;
	if (pread(z->kpfd, &flags, 8, (off_t)(a / NVR_PAGE_SIZE * 8)) != 8)
		return 1;
	return (int)(flags >> KPF_RESERVED & 1);
}

/*
 * Pages of iomem's kernel ranges that the kernel did not keep reserved
 * (given back after boot): RAM like any other, so never a forbidden
 * address.  Counted for the setup line.
 */
static void kernel_pages_scan(struct fz *z)
{
	unsigned int i;
	uint64_t a;

	for (i = 0; i < z->nforbid; i++) {
		if (strncmp(z->forbid[i].name, "kernel-", 7))
			continue;
		for (a = z->forbid[i].start & ~(uint64_t)(NVR_PAGE_SIZE - 1);
		     a < z->forbid[i].end; a += NVR_PAGE_SIZE)
			z->kern_unreserved += !page_reserved(z, a);
	}
}

/* A page (sometimes a byte) inside a forbidden range */
static uint64_t forbidden(struct fz *z, const char **name)
{
	const struct range *r;
	uint64_t pages, a;

	if (chance(z, 12)) {
		*name = "unmapped";
		return UNMAPPED + (below(z, 1ULL << 30) << 12);
	}
	r = &z->forbid[below(z, z->nforbid)];
	pages = (r->end - r->start) / NVR_PAGE_SIZE;
	a = r->start + (chance(z, 40) ? 0 : below(z, pages) * NVR_PAGE_SIZE);
	/* a kernel page the kernel gave back: the range's first page */
	if (!strncmp(r->name, "kernel-", 7) && !page_reserved(z, a))
		a = r->start;
	*name = r->name;
	return a;
}

/* ---- the integrity checks ---- */

static uint64_t fnv(const uint8_t *p, size_t n, uint64_t h)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static int read_mem(struct fz *z, uint64_t off, uint8_t *buf, size_t n)
{
	return pread(z->memfd, buf, n, (off_t)off) == (ssize_t)n ? 0 : -1;
}

/* Checksum of page 0 and of the first MiB through /dev/mem */
static int low_sums(struct fz *z, uint64_t *p0, uint64_t *mib)
{
	static uint8_t buf[LOW_MIB];

	if (read_mem(z, 0, buf, LOW_MIB))
		return -1;
	*p0 = fnv(buf, NVR_PAGE_SIZE, 0xcbf29ce484222325ULL);
	*mib = fnv(buf, LOW_MIB, 0xcbf29ce484222325ULL);
	return 0;
}

/* The 16-byte lines of a changed page that differ, to stderr */
static void dump_page(const uint8_t *p, const uint8_t *ref)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < NVR_PAGE_SIZE && n < 16; i += 16) {
		if (!memcmp(p + i, ref + i, 16))
			continue;
		n++;
		fprintf(stderr, "  +0x%03x:", i);
		for (j = 0; j < 16; j++)
			fprintf(stderr, " %02x", p[i + j]);
		fprintf(stderr, "\n");
	}
}

static int check_memory(struct fz *z)
{
	unsigned int a, i, j;
	const uint8_t *p, *ref;
	uint8_t buf[NVR_PAGE_SIZE];

	z->checks++;
	for (a = 0; a < z->nareas; a++) {
		for (i = 0; i < z->areas[a].npages; i++) {
			p = (uint8_t *)z->areas[a].d.va +
			    (size_t)i * NVR_PAGE_SIZE;
			switch (z->areas[a].role[i]) {
			case R_GUARD:
				ref = z->guard_page;
				break;
			case R_CSQ:
				ref = z->zero_page;
				break;
			case R_CANARY:
				ref = z->canary_ref + (size_t)(p - z->canary);
				break;
			default:
				continue;
			}
			if (!memcmp(p, ref, NVR_PAGE_SIZE))
				continue;
			for (j = 0; p[j] == ref[j]; j++)
				;
			dump_page(p, ref);
			return fz_fail(z, "%s page %u of area %u at 0x%" PRIx64 " changed: byte %u is 0x%02x, was 0x%02x (after command %" PRIu64 ")",
				       z->areas[a].role[i] == R_GUARD ? "guard" :
				       z->areas[a].role[i] == R_CSQ ?
				       "never-written SQ memory" : "canary",
				       i, a, z->areas[a].d.phys[i], j, p[j],
				       ref[j], z->cmdno);
		}
	}
	if (z->memfd >= 0) {
		if (read_mem(z, 0, buf, NVR_PAGE_SIZE))
			return fz_fail(z, "/dev/mem: cannot read page 0");
		if (fnv(buf, NVR_PAGE_SIZE, 0xcbf29ce484222325ULL) !=
		    z->page0_sum) {
			for (j = 0; buf[j] == z->page0[j]; j++)
				;
			return fz_fail(z, "physical page 0 changed: byte %u is 0x%02x, was 0x%02x (after command %" PRIu64 ")",
				       j, buf[j], z->page0[j], z->cmdno);
		}
	}
	return 0;
}

/* ---- addresses in the trace: own memory by name ---- */

static const char *sym(struct fz *z, uint64_t a, char *buf, size_t len)
{
	static const char *const rn[] = { "G", "L", "D", "canary", "ccq",
					  "csq" };
	unsigned int i, s;
	uint64_t off;

	if (!a)
		return "0";
	for (i = 0; i < z->nareas; i++) {
		off = a - z->areas[i].d.phys[0];
		if (a < z->areas[i].d.phys[0] ||
		    off >= (uint64_t)z->areas[i].npages * NVR_PAGE_SIZE)
			continue;
		s = (unsigned int)(off / NVR_PAGE_SIZE);
		snprintf(buf, len, "a%u.p%u(%s)+0x%" PRIx64, i, s,
			 rn[z->areas[i].role[s]], off % NVR_PAGE_SIZE);
		return buf;
	}
	for (i = 0; i < z->nforbid; i++) {
		if (a < z->forbid[i].start || a >= z->forbid[i].end)
			continue;
		snprintf(buf, len, "%s+0x%" PRIx64, z->forbid[i].name,
			 a - z->forbid[i].start);
		return buf;
	}
	if (a >= UNMAPPED && a < UNMAPPED + (1ULL << 42)) {
		snprintf(buf, len, "unmapped+0x%" PRIx64, a - UNMAPPED);
		return buf;
	}
	snprintf(buf, len, "0x%" PRIx64, a);
	return buf;
}

static void trace_cmd(struct fz *z, enum cat cat, uint16_t qid,
		      const struct nvr_sqe *c, const char *note)
{
	char p1[64], p2[64], mp[64];

	if (!z->trace)
		return;
	printf("cmd %" PRIu64 " batch %" PRIu64 " %s q%u opc=0x%02x flags=0x%02x nsid=0x%x cdw2=0x%x cdw3=0x%x mptr=%s prp1=%s prp2=%s cdw10=0x%x cdw11=0x%x cdw12=0x%x cdw13=0x%x cdw14=0x%x cdw15=0x%x%s%s\n",
	       z->cmdno, z->batchno, cat_name[cat], qid, c->opc, c->flags,
	       c->nsid, c->cdw2, c->cdw3, sym(z, c->mptr, mp, sizeof(mp)),
	       sym(z, c->prp1, p1, sizeof(p1)),
	       sym(z, c->prp2, p2, sizeof(p2)), c->cdw10, c->cdw11, c->cdw12,
	       c->cdw13, c->cdw14, c->cdw15, note ? " " : "",
	       note ? note : "");
}

/* ---- PRPs ---- */

/*
 * The PRP lists of slot @s: list 0 names the data pages after the first,
 * round, and chains to list 1; @bad: one thing wrong with them.
 * @writes_host: the command may make the device write host memory.
 */
static void build_list(struct fz *z, struct slot *s, int writes_host,
		       int bad)
{
	uint64_t *l0 = (uint64_t *)s->l[0], *l1 = (uint64_t *)s->l[1];
	const char *n;
	unsigned int i, pos;

	for (i = 0; i < NVR_PRPS_PER_PAGE - 1; i++) {
		l0[i] = s->dp[(i + 1) % NDATA];
		l1[i] = s->dp[(i + 5) % NDATA];
	}
	l0[NVR_PRPS_PER_PAGE - 1] = s->lp[1];	/* chain */
	l1[NVR_PRPS_PER_PAGE - 1] = GUARD_WORD;
	if (!bad)
		return;
	pos = (unsigned int)below(z, 140);
	/*
	 * The last entry of a list page is a data pointer when the transfer
	 * needs exactly one more page: a guard page there only when the
	 * device reads the data (cases 5 and 6).
	 */
	switch (below(z, writes_host ? 5 : 7)) {
	case 0:
		l0[pos] = forbidden(z, &n);
		break;
	case 1:
		l0[pos] = s->dp[below(z, NDATA)] + 4 * (1 + below(z, 1023));
		break;
	case 2:			/* loops */
		l0[NVR_PRPS_PER_PAGE - 1] = s->lp[0];
		break;
	case 3:
		l1[NVR_PRPS_PER_PAGE - 1] = s->lp[chance(z, 50)];
		break;
	case 4:
		l0[pos] = chance(z, 50) ? 0 : UNMAPPED + below(z, 1ULL << 40);
		break;
	case 5:			/* the chain goes on into the guard page */
		l1[NVR_PRPS_PER_PAGE - 1] = s->lp[1] + NVR_PAGE_SIZE;
		break;
	case 6:			/* data from the guard page */
		for (i = pos; i < NVR_PRPS_PER_PAGE - 1; i++)
			l0[i] = s->dp[NDATA - 1] + NVR_PAGE_SIZE;
		break;
	}
}

/* PRP1 and PRP2 for @pages pages from data page 0 at @off, well formed */
static void good_prps(struct slot *s, unsigned int pages, uint32_t off,
		      struct nvr_sqe *c)
{
	c->prp1 = s->dp[0] + off;
	if (pages <= 1)
		c->prp2 = 0;
	else if (pages == 2)
		c->prp2 = s->dp[1];
	else
		c->prp2 = s->lp[0];
}

/* Pages that @len bytes at offset @off into a page touch */
static unsigned int span(uint64_t len, uint32_t off)
{
	return (unsigned int)((off + len + NVR_PAGE_SIZE - 1) / NVR_PAGE_SIZE);
}

/* Any PRP1: own data (never the last page), misaligned, forbidden, 0 */
static uint64_t rand_prp1(struct fz *z, struct slot *s)
{
	const char *n;

	switch (below(z, 8)) {
	case 0:
		return forbidden(z, &n);
	case 1:
		return 0;
	case 2:
		return s->dp[below(z, NDATA - 1)] + 1 + below(z, 4095);
	case 3:
		return s->dp[below(z, NDATA - 1)] + 4 * below(z, 1024);
	default:
		return s->dp[below(z, NDATA - 1)];
	}
}

/* Any PRP2: 0, own data (guard words in it), a list, forbidden */
static uint64_t rand_prp2(struct fz *z, struct slot *s, int writes_host)
{
	const char *n;
	switch (below(z, 9)) {
	case 0:
		return forbidden(z, &n);
	case 1:
	case 2:
		return 0;
	case 3:
		/*
		 * A data page that may be read as a list: only guard words in
		 * it, and no other PRP of the command names it (the device
		 * must not write what it is about to read as a list)
		 */
		fill_guard(s->d[NDATA - 1]);
		return s->dp[NDATA - 1] + (chance(z, 70) ? 0 : 8 * below(z, 512));
	case 4:
		build_list(z, s, writes_host, 1);
		return s->lp[below(z, 2)] + 8 * below(z, 512);
	default:
		build_list(z, s, writes_host, chance(z, 30));
		return s->lp[0] + (chance(z, 80) ? 0 : 8 * below(z, 512));
	}
}

/* ---- submission and completion ---- */

static int submit(struct fz *z, enum cat cat, uint16_t qid,
		  struct nvr_sqe *c, const char *note)
{
	struct nvr_queue *q0 = z->c->q[0];
	struct inflight *f;
	unsigned int i;
	uint16_t cid;

	if (z->fake && z->fake_hang_at && z->cmdno == z->fake_hang_at)
		nvr_fake_hang(z->fake, 1);
	/* never the CID of an AER still open (Command ID Conflict) */
	for (i = 0; !qid && i < z->naer; i++) {
		if (q0->next_cid != z->aer_cid[i])
			continue;
		if (++q0->next_cid == 0xffff)
			q0->next_cid = 1;
		i = (unsigned int)-1;
	}
	if (nvr_submit(z->c, qid, c, 0, &cid))
		return fz_fail(z, "submit on SQ %u: %s", qid, nvr_errmsg());
	trace_cmd(z, cat, qid, c, note);
	f = &z->fl[z->nfl++];
	f->idx = z->cmdno++;
	f->sqid = qid;
	f->cid = cid;
	f->opc = c->opc;
	f->done = 0;
	z->by_cat[cat]++;
	return 0;
}

static int is_aer(const struct inflight *f);

static int aer_take(struct fz *z, const struct nvr_cqe *e)
{
	unsigned int i;

	if (e->sqid)
		return 0;
	for (i = 0; i < z->naer; i++) {
		if (z->aer_cid[i] != e->cid)
			continue;
		z->aer_cid[i] = z->aer_cid[--z->naer];
		z->events++;
		z->status_n[nvr_status(e) & 0x7fff]++;
		if (z->trace)
			printf("event cid=%u status=0x%x dw0=0x%08x\n", e->cid,
			       nvr_status(e), e->dw0);
		return 1;
	}
	return 0;
}

static void take(struct fz *z, const struct nvr_cqe *e)
{
	unsigned int i;

	for (i = 0; i < z->nfl; i++) {
		if (z->fl[i].done || z->fl[i].sqid != e->sqid ||
		    z->fl[i].cid != e->cid)
			continue;
		z->fl[i].done = nvr_status(e) + 1;
		z->status_n[nvr_status(e) & 0x7fff]++;
		if (is_aer(&z->fl[i]) && !nvr_status(e))
			z->events++;
		return;
	}
	if (aer_take(z, e))
		return;
	z->stray++;
	fz_fail(z, "a completion nobody waits for: sqid %u cid %u status 0x%x",
		e->sqid, e->cid, nvr_status(e));
}

static int is_aer(const struct inflight *f)
{
	return !f->sqid && f->opc == NVR_ADM_ASYNC_EVENT;
}

/* Commands still open, an AER aside (it waits for an event) */
static unsigned int pending(const struct fz *z)
{
	unsigned int i, n = 0;

	for (i = 0; i < z->nfl; i++)
		n += !z->fl[i].done && !is_aer(&z->fl[i]);
	return n;
}

static void poll_all(struct fz *z)
{
	struct nvr_cqe e;
	unsigned int q;

	for (q = 0; q <= z->nq; q++)
		while (z->c->q[q] && nvr_poll(z->c, (uint16_t)q, &e) > 0)
			take(z, &e);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int io_queues_up(struct fz *z)
{
	unsigned int q;
	uint16_t st;

	for (q = 1; q <= z->nq; q++)
		if (nvr_ioq_create(z->c, (uint16_t)q, z->qsize, &st))
			return fz_fail(z, "Create I/O queue pair %u: %s", q,
				       nvr_errmsg());
	return 0;
}

/* Reset and queues again: 0, or the run fails */
static int recover(struct fz *z, const char *why)
{
	z->naer = 0;
	if (nvr_ctrl_reset(z->c, 64))
		return fz_fail(z, "reset after %s: %s", why, nvr_errmsg());
	return io_queues_up(z);
}

/* The batch's commands in the trace, in the order sent; forgotten then */
static void close_batch(struct fz *z)
{
	unsigned int i;

	for (i = 0; z->trace && i < z->nfl; i++) {
		if (!z->fl[i].done)
			printf("done %" PRIu64 " dropped\n", z->fl[i].idx);
		else if (z->fl[i].done != 0x10000)
			printf("done %" PRIu64 " status=0x%x\n", z->fl[i].idx,
			       z->fl[i].done - 1);
		else
			printf("done %" PRIu64 " aer-open\n", z->fl[i].idx);
	}
	z->nfl = 0;
}

/*
 * Every command of the batch completes within the timeout, or the
 * controller reports Controller Fatal Status and a reset clears it.
 */
static int wait_batch(struct fz *z)
{
	uint64_t start = now_ms();
	struct timespec ts = { 0, 20000 };
	unsigned int i, n, spins = 0;
	uint32_t csts = 0;
	char miss[200];
	int off = 0;

	while (pending(z) && !z->failed) {
		poll_all(z);
		if (!pending(z))
			break;
		if (now_ms() - start >= z->timeout_ms)
			break;
		if (++spins > 200) {
			nanosleep(&ts, NULL);
			/* a fatal status ends the wait: nothing will come */
			if (!(spins % 64)) {
				nvr_reg_read32(z->c, NVR_REG_CSTS, &csts);
				if (csts & NVR_CSTS_CFS)
					break;
			}
		}
	}
	if (z->failed)
		return -1;
	n = pending(z);
	if (n) {
		nvr_reg_read32(z->c, NVR_REG_CSTS, &csts);
		if (csts & NVR_CSTS_CFS) {
			z->fatal++;
			z->dropped += n;
			if (z->trace)
				printf("batch %" PRIu64 ": Controller Fatal Status with %u commands open: reset\n",
				       z->batchno, n);
			close_batch(z);
			return recover(z, "Controller Fatal Status");
		}
		for (i = 0; i < z->nfl && off < (int)sizeof(miss) - 24; i++)
			if (!z->fl[i].done && !is_aer(&z->fl[i]))
				off += snprintf(miss + off, sizeof(miss) - (size_t)off,
						" %" PRIu64 "(q%u opc 0x%02x)",
						z->fl[i].idx, z->fl[i].sqid,
						z->fl[i].opc);
		return fz_fail(z, "%u command(s) without a completion after %u ms and no CSTS.CFS (CSTS 0x%x):%s",
			       n, z->timeout_ms, csts, miss);
	}
	/* an AER waits for an event: kept open beyond the batch */
	for (i = 0; i < z->nfl; i++) {
		if (z->fl[i].done || !is_aer(&z->fl[i]))
			continue;
		z->fl[i].done = 0x10000;
		if (z->naer < MAX_AER)
			z->aer_cid[z->naer++] = z->fl[i].cid;
	}
	close_batch(z);
	return 0;
}

/* ---- the categories ---- */

static uint16_t ioq(struct fz *z)
{
	return (uint16_t)(1 + below(z, z->nq));
}

static uint32_t rand_nsid(struct fz *z)
{
	switch (below(z, 10)) {
	case 0:
		return 0;
	case 1:
		return 0xffffffffu;
	case 2:
		return z->nsid + 1 + (uint32_t)below(z, 4);
	case 3:
		return (uint32_t)rnd(z);
	default:
		return z->nsid;
	}
}

/* Blocks for about @pages pages of data */
static uint32_t blocks_for(struct fz *z, unsigned int pages)
{
	uint32_t b = (uint32_t)(((uint64_t)pages * NVR_PAGE_SIZE) >> z->lbads);

	return b ? b : 1;
}

/* An LBA range of @nlb blocks inside the fuzzer's range, or beyond the end */
static uint64_t pick_slba(struct fz *z, uint32_t *nlb)
{
	if (*nlb > z->lba_count)
		*nlb = (uint32_t)z->lba_count;
	if (chance(z, 4))
		return chance(z, 50) ? z->nsze - below(z, *nlb) :
				       z->nsze + rnd(z) % (1ULL << 40);
	return z->lba_start + below(z, z->lba_count - *nlb + 1);
}

static int gen_io(struct fz *z, unsigned int k, int prp_bad)
{
	static const uint8_t ops[] = { 0x02, 0x02, 0x02, 0x02, 0x02, 0x01, 0x01,
				       0x01, 0x01, 0x00, 0x08, 0x08, 0x09, 0x09,
				       0x05, 0x0c, 0x04 };
	struct slot *s = &z->slots[k];
	struct nvr_sqe c;
	unsigned int pages, i;
	uint32_t nlb, off = 0;
	uint64_t slba;
	uint8_t opc;
	int writes_host;
	char note[64] = "";

	memset(&c, 0, sizeof(c));
	opc = prp_bad ? (chance(z, 60) ? 0x02 : chance(z, 70) ? 0x01 : 0x05) :
			ops[below(z, sizeof(ops))];
	writes_host = opc == 0x02;
	c.opc = opc;
	c.nsid = chance(z, 94) ? z->nsid : rand_nsid(z);
	pages = chance(z, 50) ? 1 + (unsigned int)below(z, 4) :
		chance(z, 90) ? 1 + (unsigned int)below(z, 128) :
				129 + (unsigned int)below(z, 128);
	nlb = blocks_for(z, pages);
	if (chance(z, 15))
		nlb = 1 + (uint32_t)below(z, nlb);
	slba = pick_slba(z, &nlb);
	if (opc == 0x00) {
		if (chance(z, 20))
			c.nsid = 0xffffffffu;
		return submit(z, C_IO, ioq(z), &c, NULL);
	}
	c.cdw10 = (uint32_t)slba;
	c.cdw11 = (uint32_t)(slba >> 32);
	c.cdw12 = (nlb - 1) & 0xffff;
	if (chance(z, 10))
		c.cdw12 |= 1u << 30;		/* FUA */
	if (opc == 0x09) {		/* DSM: ranges inside the fuzzer's LBAs */
		unsigned int nr = 1 + (unsigned int)below(z, 256);
		uint32_t rb;

		memset(s->d[0], 0, NVR_PAGE_SIZE);
		for (i = 0; i < nr; i++) {
			rb = 1 + (uint32_t)below(z, 256);
			slba = pick_slba(z, &rb);
			memcpy(s->d[0] + i * 16 + 4, &rb, 4);
			memcpy(s->d[0] + i * 16 + 8, &slba, 8);
		}
		c.cdw10 = nr - 1;
		c.cdw11 = (uint32_t)below(z, 8);	/* IDR, IDW, AD */
		c.cdw12 = 0;
		c.prp1 = s->dp[0];
		/*
		 * Bad PRPs of a DSM never name data the fuzzer did not write
		 * as ranges: any other page, or this one at a dword offset,
		 * would deallocate blocks that are not the fuzzer's
		 */
		if (prp_bad || chance(z, 5)) {
			const char *fn;

			switch (below(z, 3)) {
			case 0:
				c.prp1 = forbidden(z, &fn);
				break;
			case 1:
				c.prp1 = 0;
				break;
			default:
				c.prp1 = s->dp[0] + 1 + 4 * below(z, 1023) +
					 below(z, 3);
				break;
			}
		}
		return submit(z, C_IO, ioq(z), &c, "dsm");
	}
	if (opc == 0x08 || opc == 0x04 || opc == 0x0c) {
		if (opc != 0x04 && chance(z, 20))
			c.cdw12 |= 1u << 25;	/* DEAC / PRCHK bits */
		return submit(z, C_IO, ioq(z), &c, NULL);
	}
	if (chance(z, 10))
		off = 4 * (uint32_t)below(z, 1024);
	pages = span((uint64_t)nlb << z->lbads, off);
	good_prps(s, pages, off, &c);
	if (pages > 2)
		build_list(z, s, writes_host, 0);
	if (!prp_bad)
		return submit(z, C_IO, ioq(z), &c, NULL);
	/* what is wrong with its PRPs */
	switch (below(z, 7)) {
	case 0:
		c.prp1 = rand_prp1(z, s);
		snprintf(note, sizeof(note), "bad-prp1");
		break;
	case 1:
		c.prp2 = rand_prp2(z, s, writes_host);
		snprintf(note, sizeof(note), "bad-prp2");
		break;
	case 2:
		build_list(z, s, writes_host, 1);
		c.prp2 = s->lp[0];
		snprintf(note, sizeof(note), "bad-list");
		break;
	case 3:			/* the list starts near the end of its page */
		build_list(z, s, writes_host, chance(z, 50));
		c.prp2 = s->lp[below(z, 2)] +
			 8 * (NVR_PRPS_PER_PAGE - 1 - below(z, 8));
		snprintf(note, sizeof(note), "list-at-end");
		break;
	case 4:			/* PRP2 a data page not page aligned */
		if (pages == 2) {
			c.prp2 = s->dp[NDATA - 1] + 4 * (1 + below(z, 1023));
			snprintf(note, sizeof(note), "prp2-offset");
		} else {
			c.prp1 = s->dp[NDATA - 1] + 4 * below(z, 1024);
			snprintf(note, sizeof(note), "prp1-last-page");
		}
		break;
	case 5:			/* the device reads: off the end into guard */
		if (!writes_host) {
			if (pages == 2) {
				c.prp2 = s->dp[NDATA - 1] + NVR_PAGE_SIZE;
			} else {
				build_list(z, s, 0, 0);
				((uint64_t *)s->l[0])[below(z, pages - 1)] =
					s->dp[NDATA - 1] + NVR_PAGE_SIZE;
			}
			snprintf(note, sizeof(note), "reads-guard");
			break;
		}
		/* fall through */
	default:
		c.prp1 = 0;
		snprintf(note, sizeof(note), "prp1-zero");
		break;
	}
	return submit(z, C_PRP, ioq(z), &c, note);
}

/*
 * Opcodes a random command must not have: they change data outside the
 * fuzzer's LBAs (Write, Write Uncorrectable, Write Zeroes, DSM, Copy,
 * zone operations) or let the device write where the fuzzer cannot
 * control (queue creation, Doorbell Buffer Config, Format, Sanitize,
 * namespace management, firmware).
 */
static int io_opc_banned(uint8_t o)
{
	return o == 0x01 || o == 0x04 || o == 0x08 || o == 0x09 ||
	       o == 0x19 || o == 0x79 || o == 0x7d || o == 0x10 || o == 0x81;
}

static int admin_opc_banned(uint8_t o)
{
	return o <= 0x01 || o == 0x04 || o == 0x05 || o == 0x0d ||
	       o == 0x10 || o == 0x11 || o == 0x15 || o == 0x1c ||
	       o == 0x7c || o == 0x80 || o == 0x84 || o == 0x86;
}

static int gen_random(struct fz *z, unsigned int k, int admin)
{
	struct slot *s = &z->slots[k];
	struct nvr_sqe c;
	const char *n;
	uint8_t o;

	memset(&c, 0, sizeof(c));
	do
		o = (uint8_t)rnd(z);
	while (admin ? admin_opc_banned(o) : io_opc_banned(o));
	c.opc = o;
	c.flags = chance(z, 25) ? (uint8_t)rnd(z) : 0;
	c.nsid = rand_nsid(z);
	if (chance(z, 10)) {
		c.cdw2 = rnd32(z);
		c.cdw3 = rnd32(z);
	}
	c.mptr = chance(z, 80) ? 0 : chance(z, 50) ? forbidden(z, &n) :
				 s->dp[below(z, NDATA - 1)];
	c.prp1 = rand_prp1(z, s);
	c.prp2 = rand_prp2(z, s, 1);
	c.cdw10 = rnd32(z);
	c.cdw11 = rnd32(z);
	c.cdw12 = rnd32(z);
	c.cdw13 = rnd32(z);
	c.cdw14 = rnd32(z);
	c.cdw15 = rnd32(z);
	/* Set Features Host Memory Buffer: the device would own memory */
	if (admin && (o == 0x09) && (c.cdw10 & 0xff) == 0x0d)
		c.cdw10 &= ~0xffu;
	if (admin && o == NVR_ADM_ASYNC_EVENT && z->naer >= MAX_AER / 2)
		c.opc = NVR_ADM_GET_LOG;
	if (admin)
		return submit(z, C_ADMRAND, 0, &c, NULL);
	return submit(z, C_IORAND, ioq(z), &c, NULL);
}

/* Doorbell values nothing of which may be accepted, then plain reads */
static int gen_doorbell(struct fz *z)
{
	unsigned int i, nbad = 1 + (unsigned int)below(z, 4), q;
	struct nvr_sqe c;
	uint32_t v;
	int cq;

	if (chance(z, 50) && z->naer < MAX_AER / 2) {
		memset(&c, 0, sizeof(c));
		c.opc = NVR_ADM_ASYNC_EVENT;
		if (submit(z, C_DOORBELL, 0, &c, "aer"))
			return -1;
	}
	for (i = 0; i < nbad; i++) {
		cq = (int)below(z, 2);
		switch (below(z, 4)) {
		case 0:		/* beyond an I/O queue */
			q = ioq(z);
			v = z->qsize + (uint32_t)below(z, 70000);
			break;
		case 1:		/* beyond the admin queue */
			q = 0;
			v = 64 + (uint32_t)below(z, 70000);
			break;
		case 2:		/* a CQ head the controller never posted */
			q = ioq(z);
			cq = 1;
			v = (z->c->q[q]->cq_head + 1 + (uint32_t)below(z, 8)) %
			    z->qsize;
			break;
		default:	/* a queue that does not exist */
			q = z->nq + 1 + (unsigned int)below(z, z->max_dbq - z->nq);
			v = rnd32(z);
			break;
		}
		if (z->trace)
			printf("doorbell %s %u = %u\n", cq ? "cq" : "sq", q, v);
		if (nvr_doorbell(z->c, q, cq, v))
			return fz_fail(z, "doorbell: %s", nvr_errmsg());
		z->doorbells++;
	}
	/* the library's own doorbell values put every queue right again */
	for (q = 1; q <= z->nq; q++)
		nvr_doorbell(z->c, q, 1, z->c->q[q]->cq_head);
	nvr_doorbell(z->c, 0, 1, z->c->q[0]->cq_head);
	if (chance(z, 30)) {	/* Error Information log: unmasks events */
		struct slot *s = &z->slots[0];

		memset(&c, 0, sizeof(c));
		c.opc = NVR_ADM_GET_LOG;
		c.cdw10 = 0x00ff0001;
		c.prp1 = s->dp[0];
		if (submit(z, C_DOORBELL, 0, &c, "error-log"))
			return -1;
	}
	for (i = 1; i < z->batch; i++)
		if (gen_io(z, i, 0))
			return -1;
	return 0;
}

/*
 * Create and Delete I/O queues out of order, one admin command at a time,
 * each checked against what the specification says for it, then every
 * queue of these ids deleted again.  The ids above the fuzzer's queue
 * pairs; queue memory is the chaos CQ/SQ memory or a forbidden address.
 */
struct qop {
	uint8_t opc;
	uint32_t cdw10, cdw11;
	uint64_t base;
	uint16_t want;		/* 0xffff: any */
	const char *what;
};

static int run_qops(struct fz *z, struct qop *ops, unsigned int n)
{
	unsigned int i;
	struct nvr_sqe c;
	uint16_t st;

	for (i = 0; i < n; i++) {
		memset(&c, 0, sizeof(c));
		c.opc = ops[i].opc;
		c.cdw10 = ops[i].cdw10;
		c.cdw11 = ops[i].cdw11;
		c.prp1 = ops[i].base;
		if (submit(z, C_QUEUES, 0, &c, ops[i].what))
			return -1;
		/* one at a time: the status of each is known */
		st = 0xffff;
		{
			uint64_t start = now_ms();

			while (!z->fl[z->nfl - 1].done &&
			       now_ms() - start < z->timeout_ms && !z->failed)
				poll_all(z);
			if (z->fl[z->nfl - 1].done)
				st = (uint16_t)(z->fl[z->nfl - 1].done - 1);
		}
		if (z->failed)
			return -1;
		if (st == 0xffff)
			return wait_batch(z);	/* fatal status or a failure */
		if (ops[i].want != 0xffff && (st & 0x7ff) != ops[i].want) {
			char b[64];

			z->qseq_mismatch++;
			fz_fail(z, "%s (command %" PRIu64 ", cdw10 0x%x, cdw11 0x%x, base %s = 0x%" PRIx64 "): status 0x%x, the specification says 0x%x",
				ops[i].what, z->fl[z->nfl - 1].idx, ops[i].cdw10,
				ops[i].cdw11, sym(z, ops[i].base, b, sizeof(b)),
				ops[i].base, st, ops[i].want);
			return -1;
		}
	}
	return wait_batch(z);
}

static uint32_t qsz(struct fz *z, unsigned int entries)
{
	(void)z;
	return (entries - 1) << 16;
}

static int gen_queues(struct fz *z)
{
	uint16_t q = (uint16_t)(z->nq + 1 + below(z, 4)), big;
	struct qop ops[24];
	unsigned int n = 0, i, e = 2 + (unsigned int)below(z, 128);
	const char *fn;
	uint64_t bad = forbidden(z, &fn);

	big = (uint16_t)(chance(z, 50) ? 0xffff : z->max_dbq + 1 +
			 below(z, 1000));
#define OP(o, d10, d11, b, w, s) \
	ops[n++] = (struct qop){ o, d10, d11, b, w, s }
	switch (below(z, 6)) {
	case 0:	/* SQ before its CQ, CQ deleted under its SQ, twice each */
		OP(0x01, qsz(z, e) | q, (uint32_t)q << 16 | 1, z->csq_p, 0x100, "create-sq-no-cq");
		OP(0x05, qsz(z, e) | q, 1, z->ccq_p, 0, "create-cq");
		OP(0x05, qsz(z, e) | q, 1, z->ccq_p, 0x101, "create-cq-again");
		OP(0x01, qsz(z, e) | q, (uint32_t)q << 16 | 1, z->csq_p, 0, "create-sq");
		OP(0x01, qsz(z, e) | q, (uint32_t)q << 16 | 1, z->csq_p, 0x101, "create-sq-again");
		OP(0x04, q, 0, 0, 0x10c, "delete-cq-with-sq");
		OP(0x00, q, 0, 0, 0, "delete-sq");
		OP(0x00, q, 0, 0, 0x101, "delete-sq-again");
		OP(0x04, q, 0, 0, 0, "delete-cq");
		OP(0x04, q, 0, 0, 0x101, "delete-cq-again");
		break;
	case 1:	/* queue id 0 and beyond the controller's */
		OP(0x05, qsz(z, e), 1, z->ccq_p, 0x101, "create-cq-qid0");
		OP(0x01, qsz(z, e), 1u << 16 | 1, z->csq_p, 0x101, "create-sq-qid0");
		OP(0x05, qsz(z, e) | big, 1, z->ccq_p, 0x101, "create-cq-qid-big");
		OP(0x00, 0, 0, 0, 0x101, "delete-sq-qid0");
		OP(0x04, 0, 0, 0, 0x101, "delete-cq-qid0");
		OP(0x00, big, 0, 0, 0x101, "delete-sq-qid-big");
		break;
	case 2:	/* sizes: 1 entry, beyond MQES */
		OP(0x05, qsz(z, 1) | q, 1, z->ccq_p, 0x102, "create-cq-size1");
		OP(0x05, (uint32_t)(z->mqes + 1) << 16 | q, 1, z->ccq_p,
		   z->mqes == 0xffff ? 0xffff : 0x102, "create-cq-beyond-mqes");
		OP(0x05, qsz(z, 2) | q, 1, z->ccq_p, 0, "create-cq-size2");
		OP(0x01, qsz(z, 1) | q, (uint32_t)q << 16 | 1, z->csq_p, 0x102, "create-sq-size1");
		OP(0x01, (uint32_t)(z->mqes + 1) << 16 | q, (uint32_t)q << 16 | 1,
		   z->csq_p, z->mqes == 0xffff ? 0xffff : 0x102, "create-sq-beyond-mqes");
		OP(0x04, q, 0, 0, 0, "delete-cq");
		break;
	case 3:	/* the fuzzer's own queues: an id taken, a CQ in use */
		i = ioq(z);
		OP(0x05, qsz(z, e) | i, 1, z->ccq_p, 0x101, "create-cq-id-in-use");
		OP(0x01, qsz(z, e) | i, i << 16 | 1, z->csq_p, 0x101, "create-sq-id-in-use");
		OP(0x04, i, 0, 0, 0x10c, "delete-cq-of-live-sq");
		OP(0x01, qsz(z, e) | q, i << 16 | 1, z->csq_p, 0, "create-sq-on-busy-cq");
		OP(0x00, q, 0, 0, 0, "delete-sq");
		break;
	case 4:	/* queue memory the device may not use (the fake takes any) */
		OP(0x05, qsz(z, e) | q, 1, z->ccq_p + 4 * (1 + below(z, 1023)),
		   0x002, "create-cq-unaligned");
		OP(0x05, qsz(z, e) | (q + 1u), 1, bad, z->fake ? 0xffff : 0x004,
		   "create-cq-forbidden");
		OP(0x05, qsz(z, e) | q, 1, z->ccq_p, 0, "create-cq");
		OP(0x01, qsz(z, e) | q, (uint32_t)q << 16 | 1, bad,
		   z->fake ? 0xffff : 0x004, "create-sq-forbidden");
		OP(0x00, q, 0, 0, z->fake ? 0xffff : 0x101, "delete-sq-none");
		OP(0x04, q, 0, 0, 0, "delete-cq");
		break;
	default: /* random fields, statuses not checked */
		for (i = 0; i < 6; i++)
			OP(chance(z, 50) ? 0x05 : 0x01,
			   (rnd32(z) & 0x03ff0000) | (uint32_t)(q + below(z, 3)),
			   (rnd32(z) & 0xffff0007) , chance(z, 50) ? bad : 0,
			   0xffff, "create-random");
		OP(0x00, q, 0, 0, 0xffff, "cleanup");
		break;
	}
#undef OP
	/* whatever happened: no queue of these ids is left */
	if (run_qops(z, ops, n))
		return -1;
	n = 0;
	for (i = 0; i < 3; i++) {
		ops[n++] = (struct qop){ 0x00, (uint32_t)(q + i), 0, 0, 0xffff,
					 "cleanup-sq" };
		ops[n++] = (struct qop){ 0x04, (uint32_t)(q + i), 0, 0, 0xffff,
					 "cleanup-cq" };
	}
	return run_qops(z, ops, n);
}

/* I/O in flight, then CC.EN = 0 or a shutdown, then up again */
static int gen_reset(struct fz *z)
{
	unsigned int i, n = 1 + (unsigned int)below(z, z->batch);
	int shut = chance(z, 30);
	uint64_t delay = below(z, 3) * 200;
	struct timespec ts = { 0, (long)delay * 1000 };

	for (i = 0; i < n; i++)
		if (gen_io(z, i, 0))
			return -1;
	if (delay)
		nanosleep(&ts, NULL);
	if (z->trace)
		printf("%s with %u commands submitted\n",
		       shut ? "shutdown" : "cc.en=0", n);
	poll_all(z);
	if (z->failed)
		return -1;
	if (shut) {
		z->shutdowns++;
		if (nvr_ctrl_shutdown(z->c))
			return fz_fail(z, "shutdown: %s", nvr_errmsg());
		/* a shutdown completes what was fetched; nothing is lost */
	}
	z->resets++;
	poll_all(z);
	z->dropped += pending(z);
	close_batch(z);
	return recover(z, shut ? "shutdown" : "CC.EN = 0");
}

static enum cat pick_cat(struct fz *z)
{
	unsigned int r = (unsigned int)below(z, 100), i;

	for (i = 0; i < C_NR; i++) {
		if (r < cat_weight[i])
			return (enum cat)i;
		r -= cat_weight[i];
	}
	return C_IO;
}

static int one_batch(struct fz *z)
{
	enum cat cat = pick_cat(z);
	unsigned int i;
	int ret = 0;

	z->batches[cat]++;

	switch (cat) {
	case C_IO:
	case C_PRP:
		for (i = 0; i < z->batch && !ret; i++)
			ret = gen_io(z, i, cat == C_PRP);
		break;
	case C_IORAND:
	case C_ADMRAND:
		for (i = 0; i < z->batch && !ret; i++)
			ret = gen_random(z, i, cat == C_ADMRAND && i < 16);
		break;
	case C_DOORBELL:
		ret = gen_doorbell(z);
		break;
	case C_QUEUES:
		return gen_queues(z);
	case C_RESET:
		return gen_reset(z);
	default:
		break;
	}
	if (ret)
		return ret;
	return wait_batch(z);
}

/* ---- setup ---- */

static int identify_ns(struct fz *z)
{
	struct nvr_dma b;
	uint16_t st;
	uint8_t flbas, *d;
	uint64_t mq;

	if (nvr_dma_alloc(z->c, NVR_PAGE_SIZE, 0, &b))
		return fz_fail(z, "%s", nvr_errmsg());
	if (nvr_identify(z->c, 0, z->nsid, &b, &st)) {
		nvr_dma_free(z->c, &b);
		return fz_fail(z, "Identify Namespace %u: %s", z->nsid,
			       nvr_errmsg());
	}
	d = b.va;
	memcpy(&z->nsze, d, 8);
	flbas = d[26] & 0xf;
	z->lbads = d[128 + 4 * flbas + 2];
	nvr_dma_free(z->c, &b);
	if (z->lbads < 9 || z->lbads > 12 || !z->nsze)
		return fz_fail(z, "namespace %u: size %" PRIu64 ", LBA size 2^%u: not usable",
			       z->nsid, z->nsze, z->lbads);
	if (!z->lba_count)
		z->lba_count = (16ULL << 20) >> z->lbads;
	if (z->lba_start >= z->nsze)
		return fz_fail(z, "--lbas starts beyond the namespace (%" PRIu64 " blocks)",
			       z->nsze);
	if (z->lba_count > z->nsze - z->lba_start)
		z->lba_count = z->nsze - z->lba_start;
	mq = NVR_CAP_MQES(z->c->cap);
	z->mqes = (uint16_t)mq;
	z->max_dbq = (unsigned int)((z->c->bar_size - NVR_REG_DBS) /
				    (2 * z->c->dstrd)) - 1;
	if (z->max_dbq > 1024)
		z->max_dbq = 1024;
	if (z->max_dbq <= z->nq + 4)
		return fz_fail(z, "BAR0 has doorbells for %u queues only",
			       z->max_dbq);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: nvme-raw-fuzz [options] BDF\n"
"       nvme-raw-fuzz [options] --fake\n"
"Sends random and malformed NVMe commands, doorbells, queue sequences and\n"
"resets to the controller at BDF (no driver bound; root) and checks that it\n"
"completes every command (or reports CSTS.CFS, which a reset clears) and\n"
"writes nowhere but the fuzzer's buffers.\n"
"  --seed N        random seed (1); the same seed sends the same commands\n"
"  --count N       commands to send (10000)\n"
"  --batch N       commands in flight at once, 1..%d (16)\n"
"  --nsid N        the namespace of the valid-looking I/O (1)\n"
"  --lbas S:N      blocks the fuzzer may write: N from S (0:16 MiB)\n"
"  --queues N      I/O queue pairs, 1..16 (4)\n"
"  --timeout MS    the longest a batch may wait for its completions (15000)\n"
"  --forbid S-E    another address range the device must not touch, [S, E)\n"
"  --trace         print every command, doorbell, reset and status\n"
"  --fake          the in-process fake controller (tools/nvme-raw/fake.c)\n"
"  --fake-oob N    with --fake: every Nth read writes past its data\n"
"  --fake-hang N   with --fake: the fake fetches nothing from command N on\n",
		MAX_BATCH);
}

static int num(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end ? -1 : 0;
}

static void summary(struct fz *z, double secs)
{
	char name[96];
	unsigned int i;

	printf("nvme-raw-fuzz: seed %" PRIu64 ", %" PRIu64 " commands in %" PRIu64 " batches, %.1f s, %.0f commands/s\n",
	       z->seed, z->cmdno, z->batchno, secs,
	       secs > 0 ? (double)z->cmdno / secs : 0.0);
	printf("commands by category:");
	for (i = 0; i < C_NR; i++)
		printf(" %s %" PRIu64, cat_name[i], z->by_cat[i]);
	printf("\nbatches by category:");
	for (i = 0; i < C_NR; i++)
		printf(" %s %" PRIu64, cat_name[i], z->batches[i]);
	printf("\nby status:\n");
	for (i = 0; i < 0x8000; i++)
		if (z->status_n[i])
			printf("  0x%04x %-50s %" PRIu64 "\n", i,
			       nvr_status_str((uint16_t)i, name, sizeof(name)),
			       z->status_n[i]);
	printf("doorbell writes %" PRIu64 ", events %" PRIu64 ", resets %" PRIu64 " (shutdowns %" PRIu64 "), fatal statuses %" PRIu64 ", commands dropped by a reset %" PRIu64 ", AERs open %u\n",
	       z->doorbells, z->events, z->resets, z->shutdowns, z->fatal,
	       z->dropped, z->naer);
	printf("memory checks %" PRIu64 ": guard pages, canary (%u pages), SQ memory, %s\n",
	       z->checks, CANARY_PAGES,
	       z->memfd >= 0 ? (z->page0_zero ?
				"page 0 (reads as zeroes: not verified)" :
				"page 0 through /dev/mem") : "no /dev/mem");
}

int main(int argc, char **argv)
{
	static struct fz zz;
	struct fz *z = &zz;
	const char *bdf = NULL;
	uint64_t v, v2, t0, lowmib_after = 0, p0;
	unsigned int oob = 0;
	int i, ret = 0;
	char *dash;

	setvbuf(stdout, NULL, _IOLBF, 0);
	z->seed = 1;
	z->count = 10000;
	z->batch = 16;
	z->nsid = 1;
	z->nq = 4;
	z->qsize = 256;
	z->timeout_ms = 15000;
	z->memfd = -1;
	z->kpfd = -1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *n = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--trace")) {
			z->trace = 1;
		} else if (!strcmp(a, "--fake")) {
			z->fake_mode = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (a[0] == '-' && a[1] == '-' && n) {
			i++;
			if (!strcmp(a, "--forbid")) {
				dash = strchr(n, '-');
				if (!dash)
					goto bad;
				*dash = 0;
				if (num(n, &v) || num(dash + 1, &v2) || v2 <= v)
					goto bad;
				forbid_add(z, "forbid", v, v2);
				continue;
			}
			if (!strcmp(a, "--lbas")) {
				dash = strchr(n, ':');
				if (!dash)
					goto bad;
				*dash = 0;
				if (num(n, &z->lba_start) ||
				    num(dash + 1, &z->lba_count) || !z->lba_count)
					goto bad;
				continue;
			}
			if (num(n, &v))
				goto bad;
			if (!strcmp(a, "--seed"))
				z->seed = v;
			else if (!strcmp(a, "--count"))
				z->count = v;
			else if (!strcmp(a, "--batch") && v >= 1 && v <= MAX_BATCH)
				z->batch = (unsigned int)v;
			else if (!strcmp(a, "--nsid") && v && v < 0xffffffffu)
				z->nsid = (uint32_t)v;
			else if (!strcmp(a, "--queues") && v >= 1 && v <= 16)
				z->nq = (unsigned int)v;
			else if (!strcmp(a, "--timeout") && v >= 100)
				z->timeout_ms = (unsigned int)v;
			else if (!strcmp(a, "--fake-oob"))
				oob = (unsigned int)v;
			else if (!strcmp(a, "--fake-hang"))
				z->fake_hang_at = v;
			else
				goto bad;
		} else if (a[0] != '-' && !bdf) {
			bdf = a;
		} else {
			goto bad;
		}
		continue;
bad:
		fprintf(stderr, "nvme-raw-fuzz: bad argument %s%s%s\n", a,
			n && a[0] == '-' ? " " : "", n && a[0] == '-' ? n : "");
		usage(stderr);
		return 2;
	}
	if (!!bdf == z->fake_mode) {
		usage(stderr);
		return 2;
	}
	z->rng = z->seed;
	if (z->fake_mode) {
		z->fake = nvr_fake_new(FAKE_BLOCKS);
		if (!z->fake || nvr_fake_open(z->fake, &z->c)) {
			fprintf(stderr, "nvme-raw-fuzz: fake: %s\n", nvr_errmsg());
			return 1;
		}
		nvr_fake_oob(z->fake, oob);
		forbid_add(z, "low-mib", 0, LOW_MIB);
		forbid_add(z, "fake-hole", 0x80000000ULL, 0x90000000ULL);
	} else {
		if (nvr_open(bdf, &z->c)) {
			fprintf(stderr, "nvme-raw-fuzz: %s\n", nvr_errmsg());
			return 1;
		}
		forbid_add(z, "low-mib", 0, LOW_MIB);
		forbid_from_iomem(z);
		forbid_bar(z, z->c->bdf);
		z->kpfd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
		kernel_pages_scan(z);
		z->memfd = open("/dev/mem", O_RDONLY | O_CLOEXEC);
		if (z->memfd < 0)
			fprintf(stderr, "nvme-raw-fuzz: warning: /dev/mem: %s: page 0 not checked\n",
				strerror(errno));
	}
	if (z->memfd >= 0) {
		if (low_sums(z, &z->page0_sum, &z->low_sum) ||
		    read_mem(z, 0, z->page0, NVR_PAGE_SIZE)) {
			fprintf(stderr, "nvme-raw-fuzz: warning: /dev/mem: cannot read the first MiB: page 0 not checked\n");
			close(z->memfd);
			z->memfd = -1;
		} else {
			z->page0_zero = !memcmp(z->page0, z->zero_page,
						NVR_PAGE_SIZE);
		}
	}
	if (z->trace)
		for (i = 0; i < (int)z->nforbid; i++)
			printf("forbidden %s 0x%" PRIx64 "-0x%" PRIx64 "\n",
			       z->forbid[i].name, z->forbid[i].start,
			       z->forbid[i].end);
	z->c->timeout_ms = z->timeout_ms;
	if (nvr_ctrl_reset(z->c, 64)) {
		fprintf(stderr, "nvme-raw-fuzz: reset: %s\n", nvr_errmsg());
		nvr_close(z->c);
		return 1;
	}
	if (identify_ns(z) || memory_setup(z) || io_queues_up(z) ||
	    check_memory(z)) {
		if (!z->failed)
			fprintf(stderr, "nvme-raw-fuzz: setup failed\n");
		ret = 1;
		goto out;
	}
	printf("nvme-raw-fuzz: %s, seed %" PRIu64 ", %" PRIu64 " commands, batch %u, %u I/O queues of %u, namespace %u (%" PRIu64 " blocks of %u bytes), writes to blocks %" PRIu64 "..%" PRIu64 ", %u forbidden ranges%s\n",
	       z->c->bdf, z->seed, z->count, z->batch, z->nq, z->qsize,
	       z->nsid, z->nsze, 1u << z->lbads, z->lba_start,
	       z->lba_start + z->lba_count - 1, z->nforbid,
	       z->kpfd < 0 && !z->fake ? " (no /proc/kpageflags)" : "");
	if (z->kern_unreserved)
		printf("nvme-raw-fuzz: %" PRIu64 " pages of the kernel's ranges in /proc/iomem are not reserved (given back after boot): not used as forbidden addresses\n",
		       z->kern_unreserved);
	t0 = now_ms();
	while (z->cmdno < z->count && !z->failed) {
		if (one_batch(z) || check_memory(z))
			break;
		z->batchno++;
	}
	if (!z->failed && z->memfd >= 0 && !low_sums(z, &p0, &lowmib_after) &&
	    lowmib_after != z->low_sum)
		fz_fail(z, "the first MiB of physical memory changed during the run");
	summary(z, (double)(now_ms() - t0) / 1000.0);
out:
	if (z->failed) {
		printf("FAIL: seed %" PRIu64 ": %s\n", z->seed, z->fail_msg);
		ret = 1;
	} else if (!ret) {
		printf("PASS: seed %" PRIu64 ", %" PRIu64 " commands, every one completed or cleared by a reset, no write outside the fuzzer's buffers\n",
		       z->seed, z->cmdno);
	}
	/* a clean controller for whoever comes next */
	nvr_ctrl_reset(z->c, 32);
	nvr_close(z->c);
	nvr_fake_free(z->fake);
	if (z->memfd >= 0)
		close(z->memfd);
	if (z->kpfd >= 0)
		close(z->kpfd);
	return ret;
}
