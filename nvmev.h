/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nvmev: a software-defined NVMe SSD on reserved RAM.
 *
 * The one header shared by the kernel parts of the module.  Every piece of
 * device state hangs off struct nvmev_ctrl, so several controllers can live
 * side by side.
 */
#ifndef _NVMEV_H
#define _NVMEV_H

#include <linux/types.h>
#include <linux/nvme.h>
#include <linux/pci.h>
#include <linux/llist.h>
#include <linux/rbtree.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/ioport.h>
#ifdef NVMEV_HAVE_LINUX_UNALIGNED	/* 6.12 and later, see Kbuild */
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#include "ftl/model.h"
#include "ftl/nvm.h"

#define NVMEV_NAME		"nvmev"
#define NVMEV_VERSION		"0.1"

/* PCI identity */
#define NVMEV_PCI_VENDOR	0x0c51
#define NVMEV_PCI_DEVICE	0x0101
#define NVMEV_PCI_DOMAIN_BASE	0x10000

/*
 * Layout of the reserved region:
 *   [0, 16K)        BAR0: registers, doorbells (0x1000), MSI-X table (0x2000)
 *                   and PBA (0x3000)
 *   [16K, 20K)      superblock: what survives a reload (identity, counters)
 *   [1M, end)       namespace storage
 */
#define NVMEV_BAR_SIZE		SZ_16K
#define NVMEV_MSIX_TABLE_OFF	0x2000
#define NVMEV_MSIX_PBA_OFF	0x3000
#define NVMEV_SB_OFF		SZ_16K
#define NVMEV_STORAGE_OFF	SZ_1M

/* Controller limits */
#define NVMEV_MAX_IOQ		128	/* I/O queue pairs */
#define NVMEV_NR_VECTORS	(NVMEV_MAX_IOQ + 1)
#define NVMEV_MQES		1023	/* 0's based: 1024 entries */
#define NVMEV_MDTS		7	/* 2^7 * 4 KiB = 512 KiB */
#define NVMEV_MAX_XFER		(SZ_4K << NVMEV_MDTS)
#define NVMEV_AERL		3	/* 0's based: 4 outstanding AERs */
#define NVMEV_ELPE		15	/* 0's based: 16 error log entries */
#define NVMEV_MAX_NS		16
#define NVMEV_MAX_KEPT		8	/* commands the dispatcher serves itself */
#define NVMEV_IDLE_MAX_SLEEP_US	4000	/* longest idle poll interval */
#define NVMEV_PAGE_SIZE		SZ_4K	/* NVMe memory page size (CC.MPS = 0) */

/* NVMe fields that 6.1's <linux/nvme.h> does not name yet */
#ifndef NVME_CTRL_ONCS_VERIFY
#define NVME_CTRL_ONCS_VERIFY	(1 << 7)
#endif
/* An error status: retrying the same command will not help. */
#define NVMEV_ERR(sc)		((sc) | NVME_STATUS_DNR)
#define NVMEV_CAP_CQR		(1ULL << 16)	/* contiguous queues required */
#define NVMEV_TEMP_KELVIN	313		/* 40 C */
#define NVMEV_WCTEMP		343		/* 70 C */
#define NVMEV_CCTEMP		358		/* 85 C */

struct nvmev_ctrl;

struct nvmev_params {
	phys_addr_t memmap_start;
	u64 memmap_size;
	unsigned int cpus[NR_CPUS > 64 ? 64 : NR_CPUS];
	unsigned int nr_cpus;
	bool wipe;
	bool reset_smart;		/* SMART lifetime counters from zero */
	bool msix;			/* offer MSI-X, else MSI only */
	unsigned int lba_shift;
	struct nvm_params nvm;
	unsigned int idle_spin_us;
};

/* One namespace: a slice of the reserved region plus a timing model. */
struct nvmev_ns {
	u32 nsid;
	u64 size;			/* bytes */
	u64 nr_lbas;
	unsigned int lba_shift;
	void *data;			/* kernel mapping of the storage */
	const struct model_ops *model_ops;
	void *model;
	u8 nguid[16];
	u8 eui64[8];
	u8 uuid[16];
};

struct nvmev_cq {
	struct nvme_completion *cqes;	/* host memory */
	u32 size;
	u32 tail;
	u32 head;			/* last value the host rang */
	u16 qid;
	u16 vector;
	u8 phase;
	bool ien;
	unsigned int nr_sqs;		/* SQs attached; blocks deletion */
	unsigned int worker;		/* the only thread that posts here */
};

struct nvmev_sq {
	struct nvme_command *cmds;	/* host memory */
	u32 size;
	u32 head;
	u16 qid;
	u16 cqid;
	atomic_t inflight;		/* fetched, not yet completed */
};

/* Work the I/O worker does for a request before completing it. */
enum nvmev_xfer {
	NVMEV_XFER_NONE,
	NVMEV_XFER_READ,		/* storage -> host */
	NVMEV_XFER_WRITE,		/* host -> storage */
	NVMEV_XFER_COMPARE,
	NVMEV_XFER_ZERO,		/* zero [off, off + len) */
	NVMEV_XFER_DSM,			/* deallocate the ranges in the PRP */
};

struct nvmev_req {
	struct llist_node ll;
	struct rb_node rb;
	struct nvme_command cmd;	/* copied out of the SQ */
	struct nvmev_ns *ns;
	struct nvmev_sq *sq;		/* valid while epoch is current */
	struct nvmev_cq *cq;
	u64 done_at;			/* ns, ktime_get_ns() clock */
	u64 seq;
	u64 off;			/* bytes into the namespace */
	u64 len;
	u32 epoch;
	u32 result;
	u16 status;
	u16 sqid;
	u16 sq_head;
	u8 xfer;
};

struct nvmev_worker {
	struct nvmev_ctrl *ctrl;
	unsigned int id;
	unsigned int cpu;
	struct task_struct *task;
	struct llist_head incoming;	/* filled by the dispatcher */
	struct rb_root_cached pending;	/* ordered by done_at, seq */
	u64 seq;
	struct mutex lock;		/* held while touching host memory */
	u64 nr_done;
};

/* Per-vector cache of the Linux irq behind an MSI-X table entry */
struct nvmev_vec {
	u32 addr_lo;
	u32 addr_hi;
	u32 data;
	unsigned int virq;
	bool pending;			/* raised while masked */
};

/* What survives rmmod + insmod in the reserved region. */
struct nvmev_superblock {
	__le64 magic;
	__le32 version;
	__le32 lba_shift;
	__le64 storage_size;
	__le64 clean;			/* 1 after a clean unload */
	__le64 power_cycles;
	__le64 unsafe_shutdowns;
	__le64 power_on_secs;
	__le64 data_units_read;		/* 1000 x 512 B units */
	__le64 data_units_written;
	__le64 host_reads;
	__le64 host_writes;
	__le64 media_errors;
	__le64 err_count;
};

#define NVMEV_SB_MAGIC		0x31766d766e76ULL	/* "nvmv1" */
#define NVMEV_SB_VERSION	1

struct nvmev_features {
	u32 arbitration;
	u32 power_mgmt;
	u16 temp_over;
	u16 temp_under;
	u32 err_recovery;
	u32 nr_queues;			/* as granted: NCQA << 16 | NSQA */
	u32 irq_coalesce;
	u32 irq_config[NVMEV_NR_VECTORS];
	u32 write_atomicity;
	u32 async_event;
	u64 timestamp_base_ms;		/* host value at set time */
	u64 timestamp_set_ns;		/* ktime at set time */
	bool timestamp_set;
};

struct nvmev_stats {
	atomic64_t units_read;		/* 512-byte units, converted on report */
	atomic64_t units_written;
	atomic64_t host_reads;
	atomic64_t host_writes;
};

struct nvmev_ctrl {
	struct list_head node;
	unsigned int id;
	struct nvmev_params params;

	/* The reserved region */
	struct resource res;
	void *bar;			/* write-through mapping of BAR0 */
	struct nvmev_superblock *sb;
	void *storage;
	u64 storage_size;

	/* PCI function */
	struct pci_sysdata sysdata;
	struct pci_bus *bus;
	struct pci_dev *pdev;
	u8 cfg[PCI_CFG_SPACE_EXP_SIZE];
	u8 cfg_wmask[PCI_CFG_SPACE_EXP_SIZE];
	spinlock_t cfg_lock;
	u32 bar_sizing;			/* BAR0 dwords being sized */
	struct nvmev_vec vecs[NVMEV_NR_VECTORS];
	atomic_t vec_pending;

	/* Controller state, owned by the dispatcher */
	u32 cc;
	bool enabled;
	bool ready;
	u32 epoch;
	struct nvmev_sq *sqs[NVMEV_MAX_IOQ + 1];
	struct nvmev_cq *cqs[NVMEV_MAX_IOQ + 1];
	u16 active_sqs[NVMEV_MAX_IOQ];
	unsigned int nr_active_sqs;
	struct nvmev_features feat;
	u16 aer_cids[NVMEV_AERL + 1];
	unsigned int nr_aers;
	spinlock_t errlog_lock;
	struct nvme_error_slot errlog[NVMEV_ELPE + 1];
	u64 err_count;
	u64 loaded_ns;
	char serial[21];

	struct nvmev_ns ns[NVMEV_MAX_NS];
	unsigned int nr_ns;

	struct nvmev_stats stats;

	/* Commands the dispatcher serves itself, by completion time */
	struct rb_root_cached kept;
	unsigned int nr_kept;
	u64 kept_seq;

	/* Threads */
	struct task_struct *dispatcher;
	struct nvmev_worker *workers;
	unsigned int nr_workers;
	u64 last_busy_ns;
};

/* main.c */
int nvmev_claim(struct resource *res, const char *name, u64 start, u64 end);

/* pci.c */
int nvmev_pci_create(struct nvmev_ctrl *ctrl);
void nvmev_pci_destroy(struct nvmev_ctrl *ctrl);
void nvmev_signal_irq(struct nvmev_ctrl *ctrl, unsigned int vector);
void nvmev_deliver_pending_irqs(struct nvmev_ctrl *ctrl);

/* regs.c: register file and controller state machine */
void nvmev_regs_init(struct nvmev_ctrl *ctrl);
bool nvmev_regs_poll(struct nvmev_ctrl *ctrl);
void nvmev_ctrl_quiesce(struct nvmev_ctrl *ctrl);
static inline u32 *nvmev_db(struct nvmev_ctrl *ctrl, unsigned int idx)
{
	return (u32 *)(ctrl->bar + NVME_REG_DBS) + idx;
}

/* admin.c */
bool nvmev_admin_poll(struct nvmev_ctrl *ctrl);
void nvmev_admin_reset(struct nvmev_ctrl *ctrl);
void nvmev_post_cqe(struct nvmev_ctrl *ctrl, struct nvmev_cq *cq,
		    u16 sqid, u16 sq_head, u16 cid, u16 status, u32 result);
bool nvmev_cq_full(struct nvmev_cq *cq, struct nvmev_ctrl *ctrl);
void nvmev_log_error(struct nvmev_ctrl *ctrl, u16 sqid, u16 cid, u16 status,
		     u32 nsid, u64 lba);

/* io.c */
bool nvmev_io_poll(struct nvmev_ctrl *ctrl);
bool nvmev_io_complete_kept(struct nvmev_ctrl *ctrl);
void nvmev_io_drop_kept(struct nvmev_ctrl *ctrl);
int nvmev_workers_start(struct nvmev_ctrl *ctrl);
void nvmev_workers_stop(struct nvmev_ctrl *ctrl);
void nvmev_workers_sync(struct nvmev_ctrl *ctrl);
int nvmev_req_cache_init(void);
void nvmev_req_cache_exit(void);

/* dma.c */
void *nvmev_host_va(struct nvmev_ctrl *ctrl, u64 addr, size_t len);
u16 nvmev_dma_xfer(struct nvmev_ctrl *ctrl, const struct nvme_command *cmd,
		   void *buf, size_t len, bool to_host);
u16 nvmev_dma_cmp(struct nvmev_ctrl *ctrl, const struct nvme_command *cmd,
		  const void *buf, size_t len);

/* namespace.c */
int nvmev_ns_init(struct nvmev_ctrl *ctrl);
void nvmev_ns_exit(struct nvmev_ctrl *ctrl);
struct nvmev_ns *nvmev_ns_find(struct nvmev_ctrl *ctrl, u32 nsid);

static inline u64 nvmev_now(void)
{
	return ktime_get_ns();
}

#endif /* _NVMEV_H */
