/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libnvmeraw: a small userspace NVMe driver for tests.
 *
 * It drives one NVMe controller from a process, through sysfs: the PCI
 * function must have no kernel driver bound (or uio_pci_generic, which
 * leaves the device to user space), BAR0 is mapped from
 * resource0, and DMA memory is ordinary locked process memory whose
 * physical addresses come from /proc/self/pagemap (root only).  Queues are
 * polled: I/O completion queues are created with interrupts disabled.
 *
 * The library never "fixes" what a caller asks for: a command's PRP1/PRP2,
 * a queue's base address, a doorbell value or a register value go to the
 * controller exactly as given.  That is the point: tests send what the
 * kernel's nvme driver never sends and look at what comes back.
 *
 * Written from the NVM Express Base Specification 1.4.  Little-endian hosts
 * only (the structures below are the wire format).
 *
 * Errors: functions returning int give 0 or a negative errno value, and
 * nvr_errmsg() tells what failed in words (e.g. which wait timed out).
 * The message is per thread.
 *
 * Threads: a queue pair may be driven by one thread while other threads
 * drive other queue pairs of the same controller, without locks:
 * nvr_submit(), nvr_wait(), nvr_reap() and nvr_poll() on I/O queue @qid
 * touch only that queue's state (its SQ, its CQ, its command identifiers
 * and its kept completions) and its doorbells, when the queue pair's CQ
 * serves only its own SQ (nvr_ioq_create() makes them so).  Everything
 * else (the admin queue, creating and deleting queues, DMA allocations with
 * a fake's memory hooks, reset, close) belongs to one thread at a time,
 * before the I/O threads start or after they end.
 */
#ifndef NVMERAW_H
#define NVMERAW_H

#include <stddef.h>
#include <stdint.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "libnvmeraw assumes a little-endian host"
#endif

#define NVR_PAGE_SIZE		4096u	/* CC.MPS = 0: 4 KiB memory pages */
#define NVR_PAGE_SHIFT		12
#define NVR_SQE_SIZE		64u	/* CC.IOSQES = 6 */
#define NVR_CQE_SIZE		16u	/* CC.IOCQES = 4 */
#define NVR_PRPS_PER_PAGE	(NVR_PAGE_SIZE / 8)
#define NVR_MAX_QID		1024	/* highest queue id the library tracks */
#define NVR_STASH		32	/* completions kept per queue for later */

/* Controller registers (offsets in BAR0) */
#define NVR_REG_CAP	0x00
#define NVR_REG_VS	0x08
#define NVR_REG_INTMS	0x0c
#define NVR_REG_INTMC	0x10
#define NVR_REG_CC	0x14
#define NVR_REG_CSTS	0x1c
#define NVR_REG_NSSR	0x20
#define NVR_REG_AQA	0x24
#define NVR_REG_ASQ	0x28
#define NVR_REG_ACQ	0x30
#define NVR_REG_DBS	0x1000

/* CAP fields */
#define NVR_CAP_MQES(cap)	((uint32_t)((cap) & 0xffff))
#define NVR_CAP_CQR(cap)	((uint32_t)(((cap) >> 16) & 1))
#define NVR_CAP_TO(cap)		((uint32_t)(((cap) >> 24) & 0xff))
#define NVR_CAP_DSTRD(cap)	((uint32_t)(((cap) >> 32) & 0xf))
#define NVR_CAP_CSS(cap)	((uint32_t)(((cap) >> 37) & 0xff))
#define NVR_CAP_MPSMIN(cap)	((uint32_t)(((cap) >> 48) & 0xf))
#define NVR_CAP_MPSMAX(cap)	((uint32_t)(((cap) >> 52) & 0xf))

/* CC and CSTS */
#define NVR_CC_EN		(1u << 0)
#define NVR_CC_CSS_NVM		(0u << 4)
#define NVR_CC_CSS_ALL		(6u << 4)	/* all supported I/O sets */
#define NVR_CC_CSS_MASK		(7u << 4)
#define NVR_CC_SHN_NORMAL	(1u << 14)
#define NVR_CC_SHN_MASK		(3u << 14)
#define NVR_CC_IOSQES		(6u << 16)
#define NVR_CC_IOCQES		(4u << 20)
#define NVR_CSTS_RDY		(1u << 0)
#define NVR_CSTS_CFS		(1u << 1)
#define NVR_CSTS_SHST_MASK	(3u << 2)
#define NVR_CSTS_SHST_DONE	(2u << 2)

/* Admin opcodes */
#define NVR_ADM_DELETE_SQ	0x00
#define NVR_ADM_CREATE_SQ	0x01
#define NVR_ADM_GET_LOG		0x02
#define NVR_ADM_DELETE_CQ	0x04
#define NVR_ADM_CREATE_CQ	0x05
#define NVR_ADM_IDENTIFY	0x06
#define NVR_ADM_ABORT		0x08
#define NVR_ADM_SET_FEATURES	0x09
#define NVR_ADM_GET_FEATURES	0x0a
#define NVR_ADM_ASYNC_EVENT	0x0c

/* NVM opcodes */
#define NVR_IO_FLUSH		0x00
#define NVR_IO_WRITE		0x01
#define NVR_IO_READ		0x02

/* Submission queue entry, 64 bytes (Figure 105 of NVMe 1.4) */
struct nvr_sqe {
	uint8_t opc;
	uint8_t flags;		/* FUSE bits 1:0, PSDT bits 7:6 */
	uint16_t cid;
	uint32_t nsid;
	uint32_t cdw2;
	uint32_t cdw3;
	uint64_t mptr;
	uint64_t prp1;
	uint64_t prp2;
	uint32_t cdw10;
	uint32_t cdw11;
	uint32_t cdw12;
	uint32_t cdw13;
	uint32_t cdw14;
	uint32_t cdw15;
};

/* Completion queue entry, 16 bytes (Figure 121) */
struct nvr_cqe {
	uint32_t dw0;
	uint32_t dw1;
	uint16_t sqhd;
	uint16_t sqid;
	uint16_t cid;
	uint16_t sf;		/* phase tag bit 0, status field bits 15:1 */
};

/*
 * The status as nvme-cli and the kernel print it: the 15-bit status field
 * (SC bits 7:0, SCT bits 10:8, CRD bits 12:11, M bit 13, DNR bit 14),
 * e.g. 0x4004 for Data Transfer Error with DNR.
 */
static inline uint16_t nvr_status(const struct nvr_cqe *cqe)
{
	return cqe->sf >> 1;
}

#define NVR_STATUS_DNR		0x4000
#define NVR_STATUS_MORE		0x2000

/* Name of a status' SCT/SC, e.g. "Invalid Command Opcode"; never NULL */
const char *nvr_status_name(uint16_t status);
/* "Invalid Command Opcode, DNR" into buf; returns buf */
char *nvr_status_str(uint16_t status, char *buf, size_t len);

/*
 * DMA memory: whole 4 KiB pages, locked, with the physical address of each
 * page.  Pages may be anywhere physically unless NVR_DMA_CONTIG was asked.
 */
struct nvr_dma {
	void *va;
	size_t size;		/* bytes, a multiple of NVR_PAGE_SIZE */
	size_t npages;
	uint64_t *phys;		/* physical address of each page */
	void *map;		/* what mmap() returned */
	size_t map_size;
};

#define NVR_DMA_CONTIG	1u	/* physically contiguous (queues) */
#define NVR_DMA_HUGE	2u	/* from a 2 MiB hugetlb page */

/*
 * How the library reaches physical memory.  The default uses mlock() and
 * /proc/self/pagemap; a fake controller (tests) supplies its own.
 * map() fills phys[] for npages pages at va (contig: consecutive pages
 * must be physically consecutive, else fail with -ENOMEM).
 */
struct nvr_mem_ops {
	int (*map)(void *ctx, void *va, size_t npages, int contig,
		   uint64_t *phys);
	void (*unmap)(void *ctx, void *va, size_t npages);
};

/* A queue pair the library knows (qid 0: the admin queues) */
struct nvr_queue {
	uint16_t qid;
	uint16_t cqid;		/* the CQ this SQ posts to */
	uint32_t size;		/* entries */
	struct nvr_dma sq;	/* submission entries the library writes */
	struct nvr_dma cq;	/* completion entries the library polls */
	uint64_t sq_base;	/* what the controller was told (raw) */
	uint64_t cq_base;
	uint32_t sq_tail;
	uint32_t sq_head;	/* from the last completion's SQHD */
	uint32_t cq_head;
	uint8_t phase;
	uint16_t next_cid;
	unsigned int nstash;
	struct nvr_cqe stash[NVR_STASH];	/* completions not yet asked for */
	/*
	 * Completions of this SQ whose SQHD lay outside [sq_head, sq_tail]
	 * as the library knew them: behind a head an earlier completion
	 * reported (the controller's head never moves back: the spec's SQHD
	 * is its head when the entry was made) or beyond the tail rung.
	 * Taken all the same; a count for tests.
	 */
	uint64_t sqhd_odd;
};

struct nvr_ctrl {
	char bdf[64];
	int bar_fd;		/* resource0, flock()ed: one user at a time */
	int cfg_fd;		/* config */
	uint16_t cmd_saved;	/* PCI command register before we changed it */
	volatile uint8_t *bar;
	size_t bar_size;
	uint64_t cap;
	uint32_t dstrd;		/* doorbell stride in bytes */
	uint32_t ready_ms;	/* CAP.TO in ms */
	uint32_t timeout_ms;	/* default command timeout */
	struct nvr_queue *q[NVR_MAX_QID + 1];
	uint16_t aer_cid[16];	/* outstanding Asynchronous Event Requests */
	unsigned int naer;
	/* hooks for a fake controller in tests; NULL for hardware */
	const struct nvr_mem_ops *mem;
	void *mem_ctx;
	void (*reg_written)(void *ctx, uint32_t off, uint32_t val);
	void (*idle)(void *ctx);	/* called in every wait loop */
	void *hook_ctx;
};

/* What went wrong in the last failing call, in words */
const char *nvr_errmsg(void);

/* ---- controller ---- */

/*
 * Open the PCI function @bdf ("0000:00:04.0", "00:04.0" or
 * "10000:00:00.0"): refuse if a driver other than uio_pci_generic is
 * bound, set Memory Space and Bus Master (INTx off), map BAR0.  The controller is left as it is: call
 * nvr_ctrl_reset() to bring it up.
 */
int nvr_open(const char *bdf, struct nvr_ctrl **out);
/*
 * The same over a BAR in memory and caller's hooks (a fake controller);
 * @mem NULL: real memory through /proc/self/pagemap.
 */
int nvr_open_fake(void *bar, size_t bar_size, const struct nvr_mem_ops *mem,
		  void *mem_ctx, void (*reg_written)(void *, uint32_t,
						     uint32_t),
		  void (*idle)(void *), void *hook_ctx,
		  struct nvr_ctrl **out);
/*
 * Shut down (CC.SHN, after deleting the I/O queues the library made),
 * disable, restore the PCI command register, unmap, free.
 */
void nvr_close(struct nvr_ctrl *c);

/* CC.EN = 0 and wait for CSTS.RDY = 0 (CAP.TO); drops all queues */
int nvr_ctrl_disable(struct nvr_ctrl *c);
/*
 * Disable, then admin queues of @aq_entries (2..4096) from AQA/ASQ/ACQ,
 * CC = EN | CSS | MPS 0 | IOSQES 6 | IOCQES 4 and wait for CSTS.RDY = 1.
 * CSS is "all I/O command sets" (110b) when CAP.CSS offers it, else NVM.
 */
int nvr_ctrl_reset(struct nvr_ctrl *c, uint32_t aq_entries);
/* CC.SHN = normal, wait for CSTS.SHST = complete (CAP.TO) */
int nvr_ctrl_shutdown(struct nvr_ctrl *c);

/* ---- raw registers and doorbells (any offset inside BAR0) ---- */

int nvr_reg_read32(struct nvr_ctrl *c, uint32_t off, uint32_t *val);
int nvr_reg_write32(struct nvr_ctrl *c, uint32_t off, uint32_t val);
/* 64-bit registers as two 32-bit accesses, low dword first */
int nvr_reg_read64(struct nvr_ctrl *c, uint32_t off, uint64_t *val);
int nvr_reg_write64(struct nvr_ctrl *c, uint32_t off, uint64_t val);
/* BAR0 offset of a doorbell (CAP.DSTRD); may lie beyond BAR0 */
uint64_t nvr_doorbell_off(const struct nvr_ctrl *c, uint32_t qid, int cq);
/* Write @val to the SQ tail (cq = 0) or CQ head (cq = 1) doorbell of qid */
int nvr_doorbell(struct nvr_ctrl *c, uint32_t qid, int cq, uint32_t val);

/* ---- DMA memory ---- */

int nvr_dma_alloc(struct nvr_ctrl *c, size_t size, unsigned int flags,
		  struct nvr_dma *d);
void nvr_dma_free(struct nvr_ctrl *c, struct nvr_dma *d);
/* Physical address of byte @off of @d */
uint64_t nvr_dma_phys(const struct nvr_dma *d, size_t off);

/*
 * PRP entries for @len bytes at byte @off (dword aligned) of a buffer whose
 * 4 KiB pages are at data_phys[] (Section 4.3 of NVMe 1.4).
 *
 * One page: PRP2 = 0.  Two: PRP2 = the second page.  More: PRP2 points to
 * a PRP list in the list pages (list[i] at list_phys[i], 512 entries each);
 * when a list page cannot hold the rest, its last entry points to the next
 * list page.  Returns the number of list pages used (0..), or -ENOSPC when
 * nlist pages are too few, -EINVAL for len 0 or an offset not dword
 * aligned.
 */
int nvr_prp_fill(const uint64_t *data_phys, size_t off, size_t len,
		 uint64_t *const *list, const uint64_t *list_phys,
		 size_t nlist, uint64_t *prp1, uint64_t *prp2);
/* List pages nvr_prp_fill() needs for @len bytes at @off */
size_t nvr_prp_list_pages(size_t off, size_t len);

/*
 * PRPs for @len bytes at @off of DMA buffer @d into @cmd, with the list
 * pages (if any) allocated into @lists (freed by nvr_dma_free()).
 */
int nvr_prp_map(struct nvr_ctrl *c, const struct nvr_dma *d, size_t off,
		size_t len, struct nvr_sqe *cmd, struct nvr_dma *lists);

/* ---- queues and commands ---- */

/* Command identifier: chosen by the library unless NVR_RAW_CID is given */
#define NVR_RAW_CID	1u

/*
 * Put @cmd into the SQ of @qid and ring its doorbell.  The library sets
 * cmd->cid (and returns it in *cid) unless NVR_RAW_CID.  -EBUSY when the
 * SQ is full (as far as the library knows).
 */
int nvr_submit(struct nvr_ctrl *c, uint16_t qid, struct nvr_sqe *cmd,
	       unsigned int flags, uint16_t *cid);
/*
 * Wait up to @timeout_ms for the completion of @cid from SQ @qid (on that
 * SQ's CQ), consuming every new CQ entry on the way and keeping the others
 * for later callers.  -ETIMEDOUT if none came.
 */
int nvr_wait(struct nvr_ctrl *c, uint16_t qid, uint16_t cid,
	     unsigned int timeout_ms, struct nvr_cqe *cqe);
/* Take the next completion posted to CQ @cqid, whatever its command */
int nvr_reap(struct nvr_ctrl *c, uint16_t cqid, unsigned int timeout_ms,
	     struct nvr_cqe *cqe);
/*
 * Without waiting: take the next completion posted to CQ @cqid (a kept
 * one first), whatever its command.  1 when one was taken into @cqe, 0
 * when there is none now, a negative errno for a CQ the library does not
 * know.
 */
int nvr_poll(struct nvr_ctrl *c, uint16_t cqid, struct nvr_cqe *cqe);
/* nvr_submit() and nvr_wait(): 0 when a completion came (any status) */
int nvr_cmd(struct nvr_ctrl *c, uint16_t qid, struct nvr_sqe *cmd,
	    unsigned int timeout_ms, struct nvr_cqe *cqe);

/*
 * The library's own memory for queue pair @qid of @entries, before the
 * Create commands: returns its physical addresses through the queue.
 */
int nvr_queue_alloc(struct nvr_ctrl *c, uint16_t qid, uint32_t entries,
		    struct nvr_queue **out);
void nvr_queue_free(struct nvr_ctrl *c, uint16_t qid);

/* Create I/O CQ (opcode 05h) with IEN = 0, PC = 1: its raw command */
void nvr_cmd_create_cq(struct nvr_sqe *cmd, uint16_t qid, uint32_t entries,
		       uint64_t base);
/* Create I/O SQ (opcode 01h), PC = 1, priority 0 */
void nvr_cmd_create_sq(struct nvr_sqe *cmd, uint16_t qid, uint32_t entries,
		       uint16_t cqid, uint64_t base);
void nvr_cmd_delete_q(struct nvr_sqe *cmd, uint8_t opc, uint16_t qid);
void nvr_cmd_identify(struct nvr_sqe *cmd, uint8_t cns, uint32_t nsid,
		      uint64_t prp1);
void nvr_cmd_rw(struct nvr_sqe *cmd, uint8_t opc, uint32_t nsid,
		uint64_t slba, uint32_t nblocks);

/*
 * Allocate the queue pair and create CQ then SQ @qid (CQ id = qid) at the
 * library's memory.  On a non-zero status returns -EIO with *status set.
 */
int nvr_ioq_create(struct nvr_ctrl *c, uint16_t qid, uint32_t entries,
		   uint16_t *status);
/* Delete SQ then CQ @qid and free the memory */
int nvr_ioq_delete(struct nvr_ctrl *c, uint16_t qid, uint16_t *status);

/* Identify (CNS @cns) into a 4 KiB DMA buffer; status in *status */
int nvr_identify(struct nvr_ctrl *c, uint8_t cns, uint32_t nsid,
		 struct nvr_dma *buf, uint16_t *status);

/* ---- asynchronous events ---- */

/* Post an Asynchronous Event Request; its CID in *cid */
int nvr_aer_post(struct nvr_ctrl *c, uint16_t *cid);
/*
 * Wait for the completion of any outstanding AER: -ETIMEDOUT if none.
 * dw0: type bits 2:0, info bits 15:8, log page bits 23:16.
 */
int nvr_aer_wait(struct nvr_ctrl *c, unsigned int timeout_ms,
		 struct nvr_cqe *cqe);

#endif /* NVMERAW_H */
