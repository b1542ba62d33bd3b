// SPDX-License-Identifier: GPL-2.0-only
/*
 * A fake NVMe controller in the same process (see fake.h).
 */
#define _GNU_SOURCE
#include "fake.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_BAR_SIZE	0x4000
#define FAKE_MAX_QID	64
#define FAKE_MQES	1023
#define FAKE_LBA	512
#define FAKE_MAX_AER	4
#define FAKE_MAX_EVENTS	8
#define FAKE_MDTS	10	/* 2^10 pages: 4 MiB, enough for chained lists */

#define ST_DNR		0x4000
#define ST(sct, sc)	((uint16_t)((sct) << 8 | (sc) | ST_DNR))

struct fake_map {
	uint8_t *va;
	size_t npages;
	uint64_t *phys;
};

struct fake_sq {
	int live;
	uint64_t base;
	uint32_t size, head, tail;
	uint16_t cqid;
};

struct fake_cq {
	int live;
	uint64_t base;
	uint32_t size, head, tail;
	uint8_t phase;
};

struct nvr_fake {
	uint32_t bar[FAKE_BAR_SIZE / 4];
	/*
	 * Register writes and memory hooks, one at a time: threads drive
	 * their own queue pairs, and a device serializes its fetching too
	 */
	pthread_mutex_t lock;
	uint32_t cc;
	struct fake_map *maps;
	size_t nmaps;
	uint64_t next_page;	/* scattered page counter */
	uint64_t next_contig;	/* next contiguous physical address */
	struct fake_sq sq[FAKE_MAX_QID + 1];
	struct fake_cq cq[FAKE_MAX_QID + 1];
	uint16_t aer_cid[FAKE_MAX_AER];
	unsigned int naer;
	uint32_t events[FAKE_MAX_EVENTS];
	unsigned int nevents;
	uint8_t *ns;
	uint64_t ns_blocks;
	FILE *trace;
	int hang;
	unsigned int oob_every;	/* nvr_fake_oob() */
	unsigned int oob_count;
	uint64_t last_page;	/* of the last segment moved to the host */
};

/* ---- memory ---- */

/*
 * Page n of the scattered pool: an odd multiplier modulo 2^20 visits every
 * page once, and neighbours land far apart.
 */
static uint64_t scattered(uint64_t n)
{
	return 0x100000000ULL + ((n * 40503u) & 0xfffff) * NVR_PAGE_SIZE;
}

static int fake_map_locked(struct nvr_fake *f, void *va, size_t npages,
			   int contig, uint64_t *phys);

static int fake_map(void *ctx, void *va, size_t npages, int contig,
		    uint64_t *phys)
{
	struct nvr_fake *f = ctx;
	int ret;

	pthread_mutex_lock(&f->lock);
	ret = fake_map_locked(f, va, npages, contig, phys);
	pthread_mutex_unlock(&f->lock);
	return ret;
}

static int fake_map_locked(struct nvr_fake *f, void *va, size_t npages,
			   int contig, uint64_t *phys)
{
	struct fake_map *m;
	size_t i;

	m = realloc(f->maps, (f->nmaps + 1) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	f->maps = m;
	m = &f->maps[f->nmaps];
	m->phys = malloc(npages * sizeof(*phys));
	if (!m->phys)
		return -ENOMEM;
	for (i = 0; i < npages; i++) {
		phys[i] = contig ? f->next_contig + i * NVR_PAGE_SIZE :
				   scattered(f->next_page++);
		m->phys[i] = phys[i];
	}
	if (contig)
		f->next_contig += npages * NVR_PAGE_SIZE;
	m->va = va;
	m->npages = npages;
	f->nmaps++;
	return 0;
}

static void fake_unmap(void *ctx, void *va, size_t npages)
{
	struct nvr_fake *f = ctx;
	size_t i;

	pthread_mutex_lock(&f->lock);
	for (i = 0; i < f->nmaps; i++) {
		if (f->maps[i].va != va || f->maps[i].npages != npages)
			continue;
		free(f->maps[i].phys);
		f->maps[i] = f->maps[--f->nmaps];
		break;
	}
	pthread_mutex_unlock(&f->lock);
}

static const struct nvr_mem_ops fake_mem_ops = {
	.map = fake_map,
	.unmap = fake_unmap,
};

/* Host memory at @phys for @len bytes within one page, or NULL */
static uint8_t *host(struct nvr_fake *f, uint64_t phys, size_t len)
{
	uint64_t page = phys & ~(uint64_t)(NVR_PAGE_SIZE - 1);
	size_t i, j;

	if ((phys & (NVR_PAGE_SIZE - 1)) + len > NVR_PAGE_SIZE)
		return NULL;
	for (i = 0; i < f->nmaps; i++)
		for (j = 0; j < f->maps[i].npages; j++)
			if (f->maps[i].phys[j] == page)
				return f->maps[i].va + j * NVR_PAGE_SIZE +
				       (phys - page);
	return NULL;
}

/* Host memory for @len bytes at @phys of a contiguous queue, or NULL */
static uint8_t *host_run(struct nvr_fake *f, uint64_t phys, size_t len)
{
	uint8_t *first = host(f, phys, 0), *p;
	size_t off;

	for (off = 0; first && off < len; off += NVR_PAGE_SIZE) {
		p = host(f, phys + off, 0);
		if (p != first + off)
			return NULL;
	}
	return first;
}

/* ---- PRPs, walked as a device would (Section 4.3) ---- */

enum xfer { TO_HOST, FROM_HOST };

static uint16_t xfer_seg(struct nvr_fake *f, uint64_t addr, uint8_t *buf,
			 size_t n, enum xfer dir)
{
	uint8_t *h = host(f, addr, n);

	if (!h)
		return ST(0, 0x04);	/* Data Transfer Error */
	if (dir == TO_HOST) {
		memcpy(h, buf, n);
		f->last_page = (addr + n - 1) & ~(uint64_t)(NVR_PAGE_SIZE - 1);
	}
	else
		memcpy(buf, h, n);
	return 0;
}

static uint16_t prp_xfer(struct nvr_fake *f, const struct nvr_sqe *cmd,
			 uint8_t *buf, size_t len, enum xfer dir)
{
	uint64_t list, e;
	size_t n, done;
	uint8_t *lp;
	uint16_t st;

	if (cmd->prp1 & 3)
		return ST(0, 0x13);	/* PRP Offset Invalid */
	n = NVR_PAGE_SIZE - (cmd->prp1 & (NVR_PAGE_SIZE - 1));
	n = n < len ? n : len;
	st = xfer_seg(f, cmd->prp1, buf, n, dir);
	done = n;
	if (st || done == len)
		return st;
	if (len - done <= NVR_PAGE_SIZE) {
		if (cmd->prp2 & (NVR_PAGE_SIZE - 1))
			return ST(0, 0x13);
		return xfer_seg(f, cmd->prp2, buf + done, len - done, dir);
	}
	list = cmd->prp2;
	if (list & 7)
		return ST(0, 0x13);
	while (done < len) {
		lp = host(f, list, 8);
		if (!lp)
			return ST(0, 0x04);
		memcpy(&e, lp, 8);
		/* the last entry of a list page points to the next page */
		if (((list + 8) & (NVR_PAGE_SIZE - 1)) == 0 &&
		    len - done > NVR_PAGE_SIZE) {
			if (e & 7)
				return ST(0, 0x13);
			list = e;
			continue;
		}
		if (e & (NVR_PAGE_SIZE - 1))
			return ST(0, 0x13);
		n = len - done < NVR_PAGE_SIZE ? len - done : NVR_PAGE_SIZE;
		st = xfer_seg(f, e, buf + done, n, dir);
		if (st)
			return st;
		done += n;
		list += 8;
	}
	return 0;
}

/* ---- completions ---- */

static void post(struct nvr_fake *f, uint16_t sqid, uint16_t cid,
		 uint16_t status, uint32_t dw0)
{
	struct fake_sq *sq = &f->sq[sqid];
	struct fake_cq *cq = &f->cq[sq->cqid];
	struct nvr_cqe e = {
		.dw0 = dw0,
		.sqhd = (uint16_t)sq->head,
		.sqid = sqid,
		.cid = cid,
		.sf = (uint16_t)(status << 1 | cq->phase),
	};
	uint8_t *p;

	if (!cq->live || (cq->tail + 1) % cq->size == cq->head)
		return;			/* no CQ or full: lost */
	p = host(f, cq->base + (uint64_t)cq->tail * NVR_CQE_SIZE,
		 NVR_CQE_SIZE);
	if (!p)
		return;
	/* the phase tag goes last, as the host polls it */
	memcpy(p, &e, NVR_CQE_SIZE - 2);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(p + NVR_CQE_SIZE - 2, &e.sf, 2);
	if (++cq->tail == cq->size) {
		cq->tail = 0;
		cq->phase ^= 1;
	}
}

static void events_deliver(struct nvr_fake *f)
{
	while (f->naer && f->nevents) {
		post(f, 0, f->aer_cid[0], 0, f->events[0]);
		memmove(f->aer_cid, f->aer_cid + 1,
			--f->naer * sizeof(f->aer_cid[0]));
		memmove(f->events, f->events + 1,
			--f->nevents * sizeof(f->events[0]));
	}
}

void nvr_fake_event(struct nvr_fake *f, uint32_t dw0)
{
	if (f->nevents < FAKE_MAX_EVENTS)
		f->events[f->nevents++] = dw0;
	events_deliver(f);
}

/* ---- admin commands ---- */

static void put_str(uint8_t *dst, const char *s, size_t n)
{
	size_t l = strlen(s);

	memset(dst, ' ', n);
	memcpy(dst, s, l < n ? l : n);
}

static uint16_t identify(struct nvr_fake *f, const struct nvr_sqe *cmd)
{
	uint8_t d[NVR_PAGE_SIZE] = { 0 };
	uint32_t v;

	switch (cmd->cdw10 & 0xff) {
	case 0:			/* namespace */
		if (cmd->nsid != 1)
			return ST(0, 0x0b);
		memcpy(d + 0, &f->ns_blocks, 8);	/* NSZE */
		memcpy(d + 8, &f->ns_blocks, 8);	/* NCAP */
		memcpy(d + 16, &f->ns_blocks, 8);	/* NUSE */
		d[130] = 9;				/* LBAF0: 512 bytes */
		break;
	case 1:			/* controller */
		d[0] = 0x4e;
		d[1] = 0xfa;				/* VID */
		put_str(d + 4, "FAKE0001", 20);
		put_str(d + 24, "nvme-raw fake controller", 40);
		put_str(d + 64, "1.0", 8);
		d[77] = FAKE_MDTS;
		v = 0x10400;
		memcpy(d + 80, &v, 4);			/* VER 1.4 */
		d[259] = FAKE_MAX_AER - 1;		/* AERL */
		d[512] = 0x66;				/* SQES */
		d[513] = 0x44;				/* CQES */
		v = 1;
		memcpy(d + 516, &v, 4);			/* NN */
		break;
	case 2:			/* active namespace list */
		v = 1;
		if (cmd->nsid < 1)
			memcpy(d, &v, 4);
		break;
	default:
		return ST(0, 0x02);
	}
	return prp_xfer(f, cmd, d, sizeof(d), TO_HOST);
}

static uint16_t create_cq(struct nvr_fake *f, const struct nvr_sqe *cmd)
{
	uint16_t qid = cmd->cdw10 & 0xffff;
	uint32_t size = (cmd->cdw10 >> 16) + 1;
	struct fake_cq *cq = &f->cq[qid <= FAKE_MAX_QID ? qid : 0];

	if (!qid || qid > FAKE_MAX_QID || cq->live)
		return ST(1, 0x01);	/* Invalid Queue Identifier */
	if (size < 2 || size > FAKE_MQES + 1)
		return ST(1, 0x02);	/* Invalid Queue Size */
	if (!(cmd->cdw11 & 1) || (cmd->prp1 & (NVR_PAGE_SIZE - 1)))
		return ST(0, 0x02);	/* CAP.CQR: contiguous only */
	*cq = (struct fake_cq){ 1, cmd->prp1, size, 0, 0, 1 };
	return 0;
}

static uint16_t create_sq(struct nvr_fake *f, const struct nvr_sqe *cmd)
{
	uint16_t qid = cmd->cdw10 & 0xffff, cqid = cmd->cdw11 >> 16;
	uint32_t size = (cmd->cdw10 >> 16) + 1;
	struct fake_sq *sq = &f->sq[qid <= FAKE_MAX_QID ? qid : 0];

	if (!qid || qid > FAKE_MAX_QID || sq->live)
		return ST(1, 0x01);
	if (!cqid || cqid > FAKE_MAX_QID || !f->cq[cqid].live)
		return ST(1, 0x00);	/* Completion Queue Invalid */
	if (size < 2 || size > FAKE_MQES + 1)
		return ST(1, 0x02);
	if (!(cmd->cdw11 & 1) || (cmd->prp1 & (NVR_PAGE_SIZE - 1)))
		return ST(0, 0x02);
	*sq = (struct fake_sq){ 1, cmd->prp1, size, 0, 0, cqid };
	return 0;
}

static uint16_t delete_q(struct nvr_fake *f, const struct nvr_sqe *cmd)
{
	uint16_t qid = cmd->cdw10 & 0xffff;
	unsigned int i;

	if (!qid || qid > FAKE_MAX_QID)
		return ST(1, 0x01);
	if (cmd->opc == NVR_ADM_DELETE_SQ) {
		if (!f->sq[qid].live)
			return ST(1, 0x01);
		f->sq[qid].live = 0;
		return 0;
	}
	if (!f->cq[qid].live)
		return ST(1, 0x01);
	for (i = 1; i <= FAKE_MAX_QID; i++)
		if (f->sq[i].live && f->sq[i].cqid == qid)
			return ST(1, 0x0c);	/* Invalid Queue Deletion */
	f->cq[qid].live = 0;
	return 0;
}

/* Returns the status; *hold: complete later (AER) */
static uint16_t admin(struct nvr_fake *f, const struct nvr_sqe *cmd,
		      uint32_t *dw0, int *hold)
{
	switch (cmd->opc) {
	case NVR_ADM_IDENTIFY:
		return identify(f, cmd);
	case NVR_ADM_CREATE_CQ:
		return create_cq(f, cmd);
	case NVR_ADM_CREATE_SQ:
		return create_sq(f, cmd);
	case NVR_ADM_DELETE_SQ:
	case NVR_ADM_DELETE_CQ:
		return delete_q(f, cmd);
	case NVR_ADM_SET_FEATURES:
	case NVR_ADM_GET_FEATURES:
		if ((cmd->cdw10 & 0xff) != 7)
			return ST(0, 0x02);
		*dw0 = (FAKE_MAX_QID - 1) << 16 | (FAKE_MAX_QID - 1);
		return 0;
	case NVR_ADM_ASYNC_EVENT:
		if (f->naer == FAKE_MAX_AER)
			return ST(1, 0x05);	/* AER Limit Exceeded */
		f->aer_cid[f->naer++] = cmd->cid;
		*hold = 1;
		return 0;
	default:
		return ST(0, 0x01);
	}
}

/* ---- I/O commands ---- */

/* nvr_fake_oob(): 16 bytes into the page after the read's last page */
static void oob_write(struct nvr_fake *f)
{
	uint8_t *h;

	if (!f->oob_every || ++f->oob_count % f->oob_every)
		return;
	h = host(f, f->last_page + NVR_PAGE_SIZE, 16);
	if (h)
		memset(h, 0xee, 16);
}

static uint16_t io(struct nvr_fake *f, const struct nvr_sqe *cmd)
{
	uint64_t slba = cmd->cdw10 | (uint64_t)cmd->cdw11 << 32;
	uint32_t nlb = (cmd->cdw12 & 0xffff) + 1;
	uint16_t st;

	if (cmd->opc != NVR_IO_READ && cmd->opc != NVR_IO_WRITE &&
	    cmd->opc != NVR_IO_FLUSH)
		return ST(0, 0x01);
	if (cmd->nsid != 1)
		return ST(0, 0x0b);
	if (cmd->opc == NVR_IO_FLUSH)
		return 0;
	if (slba >= f->ns_blocks || nlb > f->ns_blocks - slba)
		return ST(0, 0x80);	/* LBA Out of Range */
	if ((uint64_t)nlb * FAKE_LBA > (NVR_PAGE_SIZE << FAKE_MDTS))
		return ST(0, 0x02);
	st = prp_xfer(f, cmd, f->ns + slba * FAKE_LBA, (size_t)nlb * FAKE_LBA,
		      cmd->opc == NVR_IO_READ ? TO_HOST : FROM_HOST);
	if (!st && cmd->opc == NVR_IO_READ)
		oob_write(f);
	return st;
}

/* ---- queues and registers ---- */

static void trace(struct nvr_fake *f, uint16_t sqid, const struct nvr_sqe *c)
{
	if (!f->trace)
		return;
	fprintf(f->trace, "fake: sq%u cid=%u opc=0x%02x flags=0x%02x nsid=0x%x cdw2=0x%x cdw3=0x%x mptr=0x%" PRIx64
		" prp1=0x%" PRIx64 " prp2=0x%" PRIx64
		" cdw10=0x%x cdw11=0x%x cdw12=0x%x cdw13=0x%x cdw14=0x%x cdw15=0x%x\n",
		sqid, c->cid, c->opc, c->flags, c->nsid, c->cdw2, c->cdw3,
		c->mptr, c->prp1, c->prp2, c->cdw10, c->cdw11, c->cdw12,
		c->cdw13, c->cdw14, c->cdw15);
}

static void fetch(struct nvr_fake *f, uint16_t sqid)
{
	struct fake_sq *sq = &f->sq[sqid];
	struct nvr_sqe cmd;
	uint32_t dw0;
	uint16_t st;
	uint8_t *p;
	int hold;

	while (!f->hang && sq->live && sq->head != sq->tail) {
		p = host(f, sq->base + (uint64_t)sq->head * NVR_SQE_SIZE,
			 NVR_SQE_SIZE);
		sq->head = (sq->head + 1) % sq->size;
		if (!p)
			continue;	/* the SQ is not in host memory */
		memcpy(&cmd, p, sizeof(cmd));
		trace(f, sqid, &cmd);
		dw0 = 0;
		hold = 0;
		st = sqid ? io(f, &cmd) : admin(f, &cmd, &dw0, &hold);
		if (!hold)
			post(f, sqid, cmd.cid, st, dw0);
	}
	events_deliver(f);
}

static void enable(struct nvr_fake *f)
{
	uint32_t aqa = f->bar[NVR_REG_AQA / 4];
	uint64_t asq = f->bar[NVR_REG_ASQ / 4] |
		       (uint64_t)f->bar[NVR_REG_ASQ / 4 + 1] << 32;
	uint64_t acq = f->bar[NVR_REG_ACQ / 4] |
		       (uint64_t)f->bar[NVR_REG_ACQ / 4 + 1] << 32;
	uint32_t sqs = (aqa & 0xfff) + 1, cqs = (aqa >> 16 & 0xfff) + 1;

	if (sqs < 2 || cqs < 2 || !host_run(f, asq, sqs * NVR_SQE_SIZE) ||
	    !host_run(f, acq, cqs * NVR_CQE_SIZE)) {
		f->bar[NVR_REG_CSTS / 4] = NVR_CSTS_CFS;
		return;
	}
	f->sq[0] = (struct fake_sq){ 1, asq, sqs, 0, 0, 0 };
	f->cq[0] = (struct fake_cq){ 1, acq, cqs, 0, 0, 1 };
	f->bar[NVR_REG_CSTS / 4] = NVR_CSTS_RDY;
}

static void disable(struct nvr_fake *f)
{
	memset(f->sq, 0, sizeof(f->sq));
	memset(f->cq, 0, sizeof(f->cq));
	f->naer = 0;
	f->bar[NVR_REG_CSTS / 4] = 0;
	memset(&f->bar[NVR_REG_DBS / 4], 0, 0x1000);
}

static void cc_written(struct nvr_fake *f, uint32_t cc)
{
	if ((cc & NVR_CC_EN) && !(f->cc & NVR_CC_EN))
		enable(f);
	else if (!(cc & NVR_CC_EN) && (f->cc & NVR_CC_EN))
		disable(f);
	if ((cc & NVR_CC_SHN_MASK) && (cc & NVR_CC_EN))
		f->bar[NVR_REG_CSTS / 4] |= NVR_CSTS_SHST_DONE;
	f->cc = cc;
}

static void reg_written_locked(struct nvr_fake *f, uint32_t off,
			       uint32_t val);

static void reg_written(void *ctx, uint32_t off, uint32_t val)
{
	struct nvr_fake *f = ctx;

	pthread_mutex_lock(&f->lock);
	reg_written_locked(f, off, val);
	pthread_mutex_unlock(&f->lock);
}

static void reg_written_locked(struct nvr_fake *f, uint32_t off,
			       uint32_t val)
{
	uint32_t qid = (off - NVR_REG_DBS) / 8;

	if (off == NVR_REG_CC) {
		cc_written(f, val);
		return;
	}
	if (off < NVR_REG_DBS || qid > FAKE_MAX_QID)
		return;
	if ((off - NVR_REG_DBS) % 8 == 0 && f->sq[qid].live &&
	    val < f->sq[qid].size) {
		f->sq[qid].tail = val;
		fetch(f, (uint16_t)qid);
	} else if ((off - NVR_REG_DBS) % 8 && f->cq[qid].live &&
		   val < f->cq[qid].size) {
		f->cq[qid].head = val;
	} else {
		/* error event: Invalid Doorbell Write Value, log page 01h */
		nvr_fake_event(f, 0 | 1u << 8 | 1u << 16);
	}
}

/* ---- life cycle ---- */

struct nvr_fake *nvr_fake_new(uint64_t ns_blocks)
{
	struct nvr_fake *f = calloc(1, sizeof(*f));
	uint64_t cap;

	if (!f)
		return NULL;
	f->ns = calloc(ns_blocks, FAKE_LBA);
	if (!f->ns) {
		free(f);
		return NULL;
	}
	f->ns_blocks = ns_blocks;
	pthread_mutex_init(&f->lock, NULL);
	f->next_contig = 0x2000000000ULL;
	/* MQES, CQR, TO 1 s, DSTRD 0, CSS NVM, MPSMIN/MAX 4 KiB */
	cap = FAKE_MQES | 1u << 16 | 2u << 24 | 1ULL << 37;
	f->bar[0] = (uint32_t)cap;
	f->bar[1] = (uint32_t)(cap >> 32);
	f->bar[NVR_REG_VS / 4] = 0x10400;
	return f;
}

void nvr_fake_free(struct nvr_fake *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nmaps; i++)
		free(f->maps[i].phys);
	pthread_mutex_destroy(&f->lock);
	free(f->maps);
	free(f->ns);
	free(f);
}

int nvr_fake_open(struct nvr_fake *f, struct nvr_ctrl **out)
{
	return nvr_open_fake(f->bar, sizeof(f->bar), &fake_mem_ops, f,
			     reg_written, NULL, f, out);
}

void nvr_fake_trace(struct nvr_fake *f, FILE *t)
{
	f->trace = t;
}

void nvr_fake_hang(struct nvr_fake *f, int hang)
{
	f->hang = hang;
}

void nvr_fake_oob(struct nvr_fake *f, unsigned int every)
{
	f->oob_every = every;
	f->oob_count = 0;
}
