/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nvmev: a software-defined NVMe SSD on reserved RAM.
 *
 * The core types and functions, shared by every kernel file of the module;
 * namespaces and their models are in namespace.h.  Every piece of device
 * state hangs off struct nvmev_ctrl, so several controllers can live side
 * by side.
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
#include <linux/configfs.h>
#include <linux/bitmap.h>
#include <linux/workqueue.h>
#ifdef NVMEV_HAVE_LINUX_UNALIGNED	/* 6.12 and later, see Kbuild */
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

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
#define NVMEV_SQ_DELETE_WAIT_NS	(10 * NSEC_PER_SEC) /* then Delete SQ fails */
#define NVMEV_ELPE		15	/* 0's based: 16 error log entries */
#define NVMEV_MAX_NS		32
#define NVMEV_MAX_FAULTS	64	/* rules per controller or namespace */
#define NVMEV_MAX_KEPT		8	/* commands the dispatcher serves itself */
#define NVMEV_IDLE_MAX_SLEEP_US	4000	/* default longest idle poll interval */
#define NVMEV_PAGE_SIZE		SZ_4K	/* NVMe memory page size (CC.MPS = 0) */

/* NVMe fields that 6.1's <linux/nvme.h> does not name yet */
#ifndef NVME_CTRL_ONCS_VERIFY
#define NVME_CTRL_ONCS_VERIFY	(1 << 7)
#endif
#define NVMEV_ID_CNS_CS_NS_ACTIVE_LIST	0x07	/* active NSIDs of one CSI */
#define NVMEV_ID_CNS_IOCS		0x1c	/* I/O command set combinations */
#define NVMEV_FEAT_IOCS_PROFILE		0x19
#define NVMEV_SC_IOCS_COMBINATION_REJECTED	0x12b
/* Asynchronous Event Information for the Error status type */
#define NVMEV_AER_ERROR_INVALID_DB_REG	0x00	/* write to a doorbell of no queue */
#define NVMEV_AER_ERROR_INVALID_DB_VAL	0x01	/* a value out of range */
/* Identify CNS 1Ch vector 0: bit n set = CSI n supported */
#define NVMEV_IOCS_VECTOR	(BIT_ULL(NVME_CSI_NVM) | BIT_ULL(KV_CSI) | \
				 BIT_ULL(NVME_CSI_ZNS))
/* An error status: retrying the same command will not help. */
#define NVMEV_ERR(sc)		((sc) | NVME_STATUS_DNR)
/* A status of ftl/zns.c (the NVMe encoding), with DNR when an error */
#define NVMEV_ERR_ZNS(st)	((st) ? NVMEV_ERR((u16)(st)) : NVME_SC_SUCCESS)
#define NVMEV_CAP_CQR		(1ULL << 16)	/* contiguous queues required */
#define NVMEV_TEMP_KELVIN	313		/* 40 C */
#define NVMEV_WCTEMP		343		/* 70 C */
#define NVMEV_CCTEMP		358		/* 85 C */
#define NVMEV_SPARE_THRESH	10		/* Available Spare Threshold, % */

struct nvmev_ctrl;
struct nvmev_ns;
struct nvmev_req;

#define NVMEV_MAX_CPUS		64	/* CPUs in one controller's list */
#define NVMEV_MAX_CTRLS		32

/* What the module parameters ask for (main.c). */
struct nvmev_params {
	phys_addr_t memmap_start;
	u64 memmap_size;
	unsigned int cpus[NVMEV_MAX_CPUS];
	unsigned int nr_cpus;
	unsigned int nr_ctrls;		/* 0: configfs only; 1: nvmev0 */
	bool wipe;
	bool reset_smart;		/* SMART lifetime counters from zero */
	bool msix;			/* offer MSI-X, else MSI only */
	unsigned int lba_shift;
	struct nvm_params nvm;
	unsigned int idle_spin_us;
	unsigned int idle_max_us;	/* longest idle poll interval */
};

/* Statistics by opcode, readable as text through configfs. */
enum nvmev_stat_op {
	NVMEV_OP_READ,
	NVMEV_OP_WRITE,
	NVMEV_OP_FLUSH,
	NVMEV_OP_WRITE_ZEROES,
	NVMEV_OP_DSM,
	NVMEV_OP_COMPARE,
	NVMEV_OP_VERIFY,
	NVMEV_OP_ZONE_APPEND,
	NVMEV_OP_ZONE_SEND,
	NVMEV_OP_ZONE_RECV,
	NVMEV_OP_OTHER,
	NVMEV_NR_OPS,
};

#define NVMEV_LAT_BUCKETS	24	/* <= 1 us, <= 2 us, ... <= 2^23 us */

struct nvmev_io_stats {
	atomic64_t cmds[NVMEV_NR_OPS];
	atomic64_t bytes[NVMEV_NR_OPS];
	atomic64_t lat_ns[NVMEV_NR_OPS];	/* sum, fetch to completion */
	atomic64_t errors;
	atomic64_t lat[NVMEV_LAT_BUCKETS + 1];	/* the last: longer */
	/* injected faults (fault.c) */
	atomic64_t fault_errors;
	atomic64_t fault_delays;
	atomic64_t fault_lost;
	atomic64_t fault_last_ns;		/* when the last one was */
};

/* Fault injection rules of a controller or a namespace (fault.c) */
enum {
	NVMEV_FAULT_NONE = -1,
	NVMEV_FAULT_ERROR = 0,		/* complete with a status */
	NVMEV_FAULT_DELAY,		/* add time */
	NVMEV_FAULT_LOSE,		/* never complete */
};

struct nvmev_faults {
	spinlock_t lock;
	struct list_head rules;
	unsigned int nr;
	unsigned int next_id;
	atomic_t *armed;		/* the controller's faults_armed */
};

/* What the rules say about one command */
struct nvmev_fault_hit {
	u16 status;
	bool abortable;
	u64 delay_ns;
	u64 bad_slba, bad_elba;		/* the LBAs a read error hit */
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
	u32 db_bad;			/* bad head last reported, or ~0 */
	/* Interrupt state (irq.c), under the owning worker's lock */
	u32 unsignalled;		/* entries posted since the last one */
	u64 owed_since;			/* when the first of them was */
	bool irq_wait;			/* raised; the host has not moved head */
	u32 irq_head;			/* head doorbell when it was raised */
	u64 irq_at;			/* when */
};

struct nvmev_sq {
	struct nvme_command *cmds;	/* host memory */
	u32 size;
	u32 head;
	u16 qid;
	u16 cqid;
	atomic_t inflight;		/* fetched, not yet completed */
	u32 db_bad;			/* invalid tail last reported, or ~0 */
	bool deleting;			/* a Delete SQ waits for inflight 0 */
	u16 del_cid;			/* its command identifier */
	u64 del_until;			/* then it fails (nvmev_now() ns) */
};

/*
 * What the device knows of one opcode of a command set.  One table per
 * command set (admin.c, io.c, zoned.c, keyvalue.c) answers Invalid Opcode
 * for what it does not list, and gives the Commands Supported and Effects
 * log, the statistics class, SMART's host commands and data units and the
 * error log's LBA, so that these agree by construction.
 */
struct nvmev_op {
	u8 opcode;
	u8 stat;			/* enum nvmev_stat_op */
	u16 flags;			/* NVMEV_OPF_* */
	u32 effects;			/* NVME_CMD_EFFECTS_*; CSUPP implied */
	/*
	 * I/O commands: check the command, set what the worker does and the
	 * model request; an NVMe status.  On the dispatcher, in fetch order.
	 */
	u16 (*parse)(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		     struct model_req *m);
	/*
	 * I/O commands, after a successful parse: move the data (a worker,
	 * or the dispatcher for a command it keeps) before the completion is
	 * due; NULL: nothing to move.  Admin commands: the command, on the
	 * dispatcher.
	 */
	u16 (*execute)(struct nvmev_ctrl *ctrl, struct nvmev_req *req);
};

#define NVMEV_OPF_LBA		BIT(0)	/* SLBA in CDW10-11: the error log's LBA */
#define NVMEV_OPF_HOST_READ	BIT(1)	/* a SMART Host Read Command */
#define NVMEV_OPF_HOST_WRITE	BIT(2)	/* a SMART Host Write Command */
#define NVMEV_OPF_UNITS		BIT(3)	/* its bytes are SMART Data Units */
/* of the read command group of reservations: allowed more often (resv.c) */
#define NVMEV_OPF_RESV_READ	BIT(4)
/* a reservation command: its own rules, not the reservation's (resv.c) */
#define NVMEV_OPF_RESV		BIT(5)
/* writes the LBAs it addresses: a zoned write pointer moved when parsed */
#define NVMEV_OPF_WRITES_LBAS	(NVMEV_OPF_LBA | NVMEV_OPF_HOST_WRITE)

#define NVMEV_OP(opc, st, fl, eff, prs, exe) \
	{ .opcode = (opc), .stat = (st), .flags = (fl), .effects = (eff), \
	  .parse = (prs), .execute = (exe) }

/* A command set: its own opcodes, then those of the set it extends. */
struct nvmev_cmd_set {
	const struct nvmev_op *ops;
	unsigned int nr_ops;
	const struct nvmev_cmd_set *base;
};

struct nvmev_req {
	struct llist_node ll;
	struct rb_node rb;
	struct nvme_command cmd;	/* copied out of the SQ */
	struct nvmev_ctrl *ctrl;
	struct nvmev_ns *ns;
	const struct nvmev_op *op;	/* NULL: an opcode the set lacks */
	struct nvmev_sq *sq;		/* valid while epoch is current */
	struct nvmev_cq *cq;
	u64 fetched_at;			/* ns, ktime_get_ns() clock */
	u64 done_at;
	u64 seq;
	u64 off;			/* bytes into the namespace */
	u64 len;
	u64 result;			/* completion dwords 0 and 1 */
	struct nvmev_zone_ends *zends;	/* zoned reads of no data; freed with it */
	struct nvme_dsm_range *ranges;	/* Deallocate's ranges; freed with it */
	u32 epoch;
	u16 status;
	u16 sqid;
	u64 pl_first;			/* its power-loss journal entries */
	u32 pl_nr;			/* (power.c), 0: none */
	bool hold;			/* admin: completed later (AER) */
	bool abortable;			/* lost: an Abort completes it */
	struct list_head lost;		/* on ctrl->lost (fault.c) */
};

/*
 * An I/O worker thread, one per CPU, shared by every controller whose CPU
 * list names that CPU (engine.c).  Requests of any controller are ordered
 * in one tree by completion time.
 */
struct nvmev_worker {
	struct list_head node;
	unsigned int cpu;
	unsigned int users;		/* controllers using it */
	struct task_struct *task;
	struct llist_head incoming;	/* filled by the dispatchers */
	struct rb_root_cached pending;	/* ordered by done_at, seq */
	u64 seq;
	struct mutex lock;		/* held while touching host memory */
	u64 nr_done;
};

/*
 * A dispatcher thread, one per CPU, polling the registers and queues of
 * every controller whose CPU list starts with that CPU.
 */
struct nvmev_disp {
	struct list_head node;
	unsigned int cpu;
	unsigned int users;
	struct task_struct *task;
	struct mutex lock;		/* held for each polling pass */
	struct list_head ctrls;
	u64 spin_ns;			/* poll this long before sleeping */
	u64 last_busy_ns;
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
	__le32 ns_type;			/* enum nvmev_ns_type; 0 before it was kept */
	__le32 rsvd;
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
	bool wce;			/* volatile write cache enabled */
};

struct nvmev_stats {
	atomic64_t units_read;		/* 512-byte units, converted on report */
	atomic64_t units_written;
	atomic64_t host_reads;
	atomic64_t host_writes;
};

/*
 * A named NVM subsystem (subsys.c): controllers that joined it share its
 * identity and their namespaces.  A controller that joined none is a
 * subsystem of its own.  Changed under nvmev_cfg_lock.
 */
struct nvmev_subsys {
	struct config_group group;	/* configfs: subsystems/<name>/ */
	struct list_head node;		/* every subsystem (subsys.c) */
	unsigned int id;
	char name[32];
	char nqn[NVMF_NQN_SIZE + 1];	/* "": derived from the serial */
	char serial[21];
	char model[41];
	char firmware[9];
	unsigned int nr_ctrls;		/* controllers that joined */
	bool removed;			/* its directory is gone */
};

/*
 * An admin command completed later (nsmgmt.c): a work item runs it, the
 * dispatcher posts its completion on a later pass, or drops it when a
 * reset ended the session it came from.
 */
struct nvmev_nsm {
	struct work_struct work;
	struct nvme_command cmd;
	u32 epoch;			/* the session it belongs to */
	bool busy;			/* dispatcher: no other admin fetch */
	bool done;			/* the work finished (release/acquire) */
	u16 status;
	u64 result;
	size_t out_len;			/* bytes of buf for the host */
	u8 buf[NVME_IDENTIFY_DATA_SIZE];	/* data from or for the host */
};

struct nvmev_ctrl {
	struct config_group group;	/* configfs: <name>/ */
	struct config_group ns_group;	/* configfs: <name>/namespaces/ */
	struct list_head node;		/* every controller (ctrl.c) */
	unsigned int id;
	char name[32];

	/* Configuration; fixed while live */
	struct nvmev_subsys *subsys;	/* joined; NULL: its own subsystem */
	char serial[21];		/* its own, unless it joined one */
	char model[41];
	char firmware[9];
	unsigned int cpus[NVMEV_MAX_CPUS];
	unsigned int nr_cpus;
	bool msix;
	unsigned int idle_spin_us;
	bool persistent;		/* nvmev0: the superblock is kept */
	bool wipe;
	bool reset_smart;
	phys_addr_t want_phys;		/* nvmev0: its fixed place, else 0 */
	bool live;			/* the PCI function exists */
	bool vwc;			/* a volatile write cache is present */
	u8 zasl;			/* Zone Append Size Limit, 0: MDTS */

	/* Registers, doorbells and superblock: 1 MiB of the pool */
	phys_addr_t phys;
	void *bar;			/* write-through mapping of BAR0 */
	struct nvmev_superblock *sb;

	/* PCI function */
	struct pci_sysdata sysdata;
	struct pci_bus *bus;
	struct mutex pdev_lock;		/* pdev: removed and rescanned (pci.c) */
	struct pci_dev *pdev;		/* NULL while removed */
	char pci_name[16];		/* its address, removed or not */
	u8 cfg[PCI_CFG_SPACE_EXP_SIZE];
	u8 cfg_wmask[PCI_CFG_SPACE_EXP_SIZE];
	spinlock_t cfg_lock;
	u32 bar_sizing;			/* BAR0 dwords being sized */
	struct nvmev_vec vecs[NVMEV_NR_VECTORS];
	atomic_t vec_pending;

	/* Controller state, owned by the dispatcher */
	u32 cc;
	bool enable_failed;		/* CSTS.CFS: the last enable failed */
	u64 failed_aq[3];		/* its AQA, ASQ and ACQ */
	bool css_all;			/* CC.CSS: every I/O command set */
	bool enabled;
	bool ready;
	u32 epoch;
	struct nvmev_sq *sqs[NVMEV_MAX_IOQ + 1];
	struct nvmev_cq *cqs[NVMEV_MAX_IOQ + 1];
	u16 active_sqs[NVMEV_MAX_IOQ];
	unsigned int nr_active_sqs;
	unsigned int nr_sqs_deleting;	/* Delete SQ commands held */
	struct nvmev_features feat;
	u16 aer_cids[NVMEV_AERL + 1];
	unsigned int nr_aers;
	spinlock_t errlog_lock;
	struct nvme_error_slot errlog[NVMEV_ELPE + 1];
	u64 err_count;
	u64 media_errors;		/* SMART: media and data integrity */
	u64 loaded_ns;

	/*
	 * Fault injection (fault.c).  faults_armed counts the reasons to
	 * look (rules, write protection, read-only media, a CFS countdown):
	 * without any, a command pays one atomic read.
	 */
	struct nvmev_faults faults;
	atomic_t faults_armed;
	struct list_head lost;		/* lost commands (dispatcher only) */
	bool fault_cfs;			/* enter CSTS.CFS at the next pass */
	atomic64_t cfs_after;		/* commands until CFS; 0: off */
	bool gone;			/* surprise-removed: nothing answers */
	/* Power loss (power.c) */
	bool power_off;			/* cut; "on" brings it back */
	struct delayed_work cut_work;	/* a cut to come */
	bool cut_torn;
	u64 cut_seed;
	/* Health, as configfs sets it; SMART and its events (admin.c) */
	int temp_kelvin;
	u8 avail_spare;
	bool media_ro;			/* every namespace refuses writes */
	bool degraded;			/* NVM subsystem reliability */
	u8 crit_sent;			/* warnings an event reported */
	u8 wear_spare;			/* lowest Available Spare of the models */
	unsigned int nr_worn_ro;	/* namespaces whose media wore out */
	bool smart_masked;		/* sent; until log 02h is read */
	/*
	 * Host Identifier (feature 81h), the host of reservations (resv.c);
	 * all zero: this controller is a host of its own.  Kept across a
	 * controller reset, zero again when the controller is enabled.
	 */
	u8 hostid[16];
	bool hostid_ext;		/* set as 128 bits */

	/*
	 * Namespaces by NSID - 1.  While live, changed only under the
	 * dispatcher's lock, between two polling passes.
	 */
	struct nvmev_ns *ns[NVMEV_MAX_NS];
	struct nvmev_ns *ns_cfg[NVMEV_MAX_NS];	/* configured (configfs) */

	/* Namespace Attribute Changed events (admin.c) */
	spinlock_t aen_lock;
	DECLARE_BITMAP(changed_ns, NVMEV_MAX_NS + 1);
	bool aen_pending;		/* an event waits for an AER */
	bool aen_masked;		/* sent; until the log is read */
	/* One error status event (doorbell errors) waiting for an AER */
	bool aen_error_pending;
	u8 aen_error_info;		/* NVME_AER_ERROR_* information */
	bool aen_error_masked;		/* sent; until log 01h is read */
	/*
	 * Asymmetric Namespace Access (ana.c): this controller's state of
	 * each group (NVME_ANA_*, by group id), changed under aen_lock;
	 * ana_blocked counts the groups whose I/O fails, so that with none
	 * a command pays one read.
	 */
	u8 ana_state[NVMEV_MAX_NS + 1];
	u64 ana_grp_chgcnt[NVMEV_MAX_NS + 1];	/* ana_chgcnt at its change */
	u64 ana_chgcnt;			/* log 0Ch's Change Count */
	unsigned int ana_blocked;
	u8 anatt;			/* ANA Transition Time, seconds */
	bool aen_ana_pending;		/* an ANA change event waits */
	bool aen_ana_masked;		/* sent; until log 0Ch is read */
	u64 db_scan_ns;			/* last look at unused doorbells */

	struct nvmev_stats stats;	/* SMART */
	struct nvmev_io_stats io_stats;
	atomic64_t admin_cmds;
	atomic64_t admin_errors;
	atomic64_t io_irqs;		/* I/O queue interrupts raised */
	/* I/O CQs whose interrupt waits for the dispatcher (irq.c) */
	DECLARE_BITMAP(irq_waiting, NVMEV_MAX_IOQ + 1);
	atomic_t nr_reqs;		/* requests that point here */

	/* Commands the dispatcher serves itself, by completion time */
	struct rb_root_cached kept;
	unsigned int nr_kept;
	u64 kept_seq;

	/* Namespace Management and Attachment in progress (nsmgmt.c) */
	struct nvmev_nsm nsm;

	/* Threads (engine.c) */
	struct nvmev_disp *disp;
	struct list_head disp_node;
	struct nvmev_worker *workers[NVMEV_MAX_CPUS];
	unsigned int nr_workers;
};

/* A request of a controller session a reset has ended. */
static inline bool nvmev_req_stale(struct nvmev_req *req)
{
	return req->epoch != READ_ONCE(req->ctrl->epoch);
}

/* main.c */
int nvmev_claim(struct resource *res, const char *name, u64 start, u64 end);
extern const struct nvmev_params *nvmev_module_params;

/* pool.c: the reserved region, shared by all controllers and namespaces */
int nvmev_pool_init(phys_addr_t start, u64 size);
void nvmev_pool_exit(void);
bool nvmev_pool_present(void);
u64 nvmev_pool_size(void);
u64 nvmev_pool_free_bytes(void);
int nvmev_pool_alloc(u64 len, phys_addr_t want, const char *owner,
		     phys_addr_t *out);
void nvmev_pool_free(phys_addr_t addr);
bool nvmev_pool_overlaps(u64 addr, u64 end);
ssize_t nvmev_pool_show(char *buf, size_t size);

/* engine.c: dispatcher and worker threads, shared between controllers */
int nvmev_engine_attach(struct nvmev_ctrl *ctrl);
void nvmev_engine_detach(struct nvmev_ctrl *ctrl);
void nvmev_disp_lock(struct nvmev_ctrl *ctrl);
void nvmev_disp_unlock(struct nvmev_ctrl *ctrl);
void nvmev_workers_sync(struct nvmev_ctrl *ctrl);
void nvmev_workers_purge(struct nvmev_ctrl *ctrl);

/* ctrl.c: controller lifecycle */
struct nvmev_ctrl *nvmev_ctrl_alloc(const char *name);
int nvmev_ctrl_enable(struct nvmev_ctrl *ctrl);
void nvmev_ctrl_disable(struct nvmev_ctrl *ctrl);
void nvmev_ctrl_free(struct nvmev_ctrl *ctrl);
bool nvmev_ctrl_poll(struct nvmev_ctrl *ctrl, u64 *due);
int nvmev_ctrl_region_get(struct nvmev_ctrl *ctrl);
void nvmev_ctrl_region_put(struct nvmev_ctrl *ctrl);
u64 nvmev_ctrl_capacity(struct nvmev_ctrl *ctrl);
int nvmev_parse_cpus(const char *who, const char *list, unsigned int *cpus,
		     unsigned int *nr);
int nvmev_parse_bytes(const char *s, u64 *out);
extern struct mutex nvmev_cfg_lock;
extern struct list_head nvmev_ctrls;

/* configfs.c */
int nvmev_configfs_init(void);
void nvmev_configfs_exit(void);
int nvmev_configfs_add_default(struct nvmev_ctrl *ctrl);
void nvmev_configfs_remove_default(struct nvmev_ctrl *ctrl);
bool nvmev_printable(const char *s);
int nvmev_configfs_add_ns(struct nvmev_ns *ns);
void nvmev_configfs_remove_ns(struct nvmev_ns *ns);
void nvmev_configfs_put_ns(struct nvmev_ns *ns);

/* nsmgmt.c: Namespace Management and Attachment from the host */
u16 nvmev_ns_mgmt(struct nvmev_ctrl *ctrl, struct nvmev_req *req);
u16 nvmev_ns_attachment(struct nvmev_ctrl *ctrl, struct nvmev_req *req);
u16 nvmev_nsm_identify(struct nvmev_ctrl *ctrl, struct nvmev_req *req);
bool nvmev_nsm_busy(struct nvmev_ctrl *ctrl);
bool nvmev_nsm_poll(struct nvmev_ctrl *ctrl);
void nvmev_nsm_init(struct nvmev_ctrl *ctrl);
void nvmev_nsm_exit(struct nvmev_ctrl *ctrl);
void nvmev_nsm_ctrl_drop(struct nvmev_ctrl *ctrl);

/* subsys.c: NVM subsystems, namespaces shared between controllers */
int nvmev_subsys_init(struct config_group *root);
void nvmev_subsys_exit(void);
int nvmev_subsys_join(struct nvmev_ctrl *ctrl, const char *name);
bool nvmev_same_subsys(const struct nvmev_ctrl *a, const struct nvmev_ctrl *b);
int nvmev_subsys_ctrl_check(struct nvmev_ctrl *ctrl);
void nvmev_subsys_ctrl_attach(struct nvmev_ctrl *ctrl);
struct nvmev_ctrl *nvmev_subsys_ctrl(struct nvmev_ctrl *ctrl, u16 cntlid);
bool nvmev_subsys_busy(struct nvmev_ctrl *ctrl);
void nvmev_subnqn(struct nvmev_ctrl *ctrl, char *buf, size_t size);
static inline const char *nvmev_serial(const struct nvmev_ctrl *ctrl)
{
	return ctrl->subsys ? ctrl->subsys->serial : ctrl->serial;
}

static inline const char *nvmev_model(const struct nvmev_ctrl *ctrl)
{
	return ctrl->subsys ? ctrl->subsys->model : ctrl->model;
}

static inline const char *nvmev_firmware(const struct nvmev_ctrl *ctrl)
{
	return ctrl->subsys ? ctrl->subsys->firmware : ctrl->firmware;
}

/* Controller ID (Identify CNTLID): unique among all controllers. */
static inline u16 nvmev_cntlid(const struct nvmev_ctrl *ctrl)
{
	return ctrl->id + 1;
}

/* pci.c */
int nvmev_pci_init(void);
void nvmev_pci_exit(void);
int nvmev_pci_create(struct nvmev_ctrl *ctrl);
void nvmev_pci_destroy(struct nvmev_ctrl *ctrl);
void nvmev_signal_irq(struct nvmev_ctrl *ctrl, unsigned int vector);
void nvmev_deliver_pending_irqs(struct nvmev_ctrl *ctrl);
int nvmev_pci_surprise(struct nvmev_ctrl *ctrl, bool remove);
void nvmev_pci_vanish(struct nvmev_ctrl *ctrl);
void nvmev_pci_unplug(struct nvmev_ctrl *ctrl);

/* power.c */
void nvmev_power_init(struct nvmev_ctrl *ctrl);
int nvmev_power_cut(struct nvmev_ctrl *ctrl, bool torn, u64 seed);
int nvmev_power_on(struct nvmev_ctrl *ctrl);
void nvmev_power_cut_later(struct nvmev_ctrl *ctrl, bool torn, u64 seed,
			   unsigned int ms);
void nvmev_power_cancel(struct nvmev_ctrl *ctrl, bool sync);
u64 nvmev_power_rand(u64 seed, u64 n);
void nvmev_pl_moved(struct nvmev_req *req);
void nvmev_pl_void(struct nvmev_req *req);

/* irq.c */
void nvmev_cq_posted(struct nvmev_cq *cq, u64 now);
void nvmev_cq_irq(struct nvmev_ctrl *ctrl, struct nvmev_cq *cq, u64 now);
bool nvmev_irq_poll(struct nvmev_ctrl *ctrl, u64 *due);

/* regs.c: register file and controller state machine */
void nvmev_regs_init(struct nvmev_ctrl *ctrl);
bool nvmev_regs_poll(struct nvmev_ctrl *ctrl);
void nvmev_ctrl_quiesce(struct nvmev_ctrl *ctrl);
void nvmev_ctrl_fatal(struct nvmev_ctrl *ctrl);
static inline u32 *nvmev_db(struct nvmev_ctrl *ctrl, unsigned int idx)
{
	return (u32 *)(ctrl->bar + NVME_REG_DBS) + idx;
}

/* queue.c: queue objects and lifetime, fetch, post, error log */
void nvmev_scan_doorbells(struct nvmev_ctrl *ctrl);
bool nvmev_sq_tail(struct nvmev_ctrl *ctrl, struct nvmev_sq *sq, u32 *tail);
void nvmev_sq_fetch(struct nvmev_sq *sq, struct nvme_command *cmd);
bool nvmev_cq_full(struct nvmev_cq *cq, struct nvmev_ctrl *ctrl);
void nvmev_post_cqe(struct nvmev_ctrl *ctrl, struct nvmev_cq *cq,
		    u16 sqid, u16 sq_head, u16 cid, u16 status, u64 result);
void nvmev_log_error(struct nvmev_ctrl *ctrl, u16 sqid, u16 cid, u16 status,
		     u32 nsid, u64 lba);
int nvmev_admin_queues_create(struct nvmev_ctrl *ctrl, u32 aqa, u64 asq,
			      u64 acq);
void nvmev_queues_free(struct nvmev_ctrl *ctrl);
u16 nvmev_create_cq(struct nvmev_ctrl *ctrl, const struct nvme_create_cq *c);
u16 nvmev_create_sq(struct nvmev_ctrl *ctrl, const struct nvme_create_sq *c);
u16 nvmev_delete_sq(struct nvmev_ctrl *ctrl, struct nvmev_req *req);
bool nvmev_sq_deletes_poll(struct nvmev_ctrl *ctrl);
u16 nvmev_delete_cq(struct nvmev_ctrl *ctrl, u16 qid);

/* cmdset.c: the opcode tables of the command sets */
const struct nvmev_op *nvmev_op_find(const struct nvmev_cmd_set *set,
				     u8 opcode);
void nvmev_cmd_set_effects(const struct nvmev_cmd_set *set, __le32 *effects);
const struct nvmev_cmd_set *nvmev_ns_cmd_set(const struct nvmev_ns *ns);
extern const struct nvmev_cmd_set nvmev_admin_cmds;
extern const struct nvmev_cmd_set nvmev_nvm_cmds;
extern const struct nvmev_cmd_set nvmev_zns_cmds;
extern const struct nvmev_cmd_set nvmev_kv_cmds;

/* admin.c */
bool nvmev_admin_poll(struct nvmev_ctrl *ctrl);
void nvmev_admin_reset(struct nvmev_ctrl *ctrl);
void nvmev_async_error(struct nvmev_ctrl *ctrl, u8 info, const char *what,
		       u32 qid, u32 value);
void nvmev_ns_changed(struct nvmev_ctrl *ctrl, u32 nsid);

/* ana.c: Asymmetric Namespace Access */
void nvmev_ana_init(struct nvmev_ctrl *ctrl);
void nvmev_ana_id_ctrl(struct nvmev_ctrl *ctrl, struct nvme_id_ctrl *id);
size_t nvmev_ana_log(struct nvmev_ctrl *ctrl, u8 lsp, bool rae, void *buf);
bool nvmev_ana_take_event(struct nvmev_ctrl *ctrl, u32 *dw0);
ssize_t nvmev_ana_show(struct nvmev_ctrl *ctrl, char *page);
int nvmev_ana_store(struct nvmev_ctrl *ctrl, const char *buf);
u64 nvmev_timestamp(struct nvmev_ctrl *ctrl);

/* fault.c */
void nvmev_faults_init(struct nvmev_faults *f, atomic_t *armed);
void nvmev_faults_clear(struct nvmev_faults *f);
int nvmev_fault_write(struct nvmev_faults *f, const char *who,
		      const char *text, bool is_ns);
ssize_t nvmev_fault_show(struct nvmev_faults *f, char *page, size_t size);
int nvmev_fault_cmd(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		    bool admin, u64 now, u64 *delay);
u8 nvmev_crit_warning(struct nvmev_ctrl *ctrl);

/* io.c */
bool nvmev_io_abort_lost(struct nvmev_ctrl *ctrl, u16 sqid, u16 cid);
void nvmev_io_drop_lost(struct nvmev_ctrl *ctrl, struct nvmev_sq *sq,
			struct nvmev_ns *ns);
bool nvmev_io_poll(struct nvmev_ctrl *ctrl, u64 *due);
void nvmev_io_drop_kept(struct nvmev_ctrl *ctrl);
bool nvmev_worker_take(struct nvmev_worker *w);
u64 nvmev_worker_complete_due(struct nvmev_worker *w);
void nvmev_worker_drop(struct nvmev_worker *w, struct nvmev_ctrl *ctrl);
int nvmev_req_cache_init(void);
void nvmev_req_cache_exit(void);

/* stats.c */
void nvmev_stats_account(struct nvmev_io_stats *s, unsigned int stat,
			 u64 bytes, u16 status, u64 lat_ns);
ssize_t nvmev_stats_show(const struct nvmev_io_stats *s, long inflight,
			 char *buf, size_t size);

/* dma.c */
void *nvmev_host_va(struct nvmev_ctrl *ctrl, u64 addr, size_t len);
u16 nvmev_dma_xfer(struct nvmev_ctrl *ctrl, const struct nvme_command *cmd,
		   void *buf, size_t len, bool to_host);
u16 nvmev_dma_cmp(struct nvmev_ctrl *ctrl, const struct nvme_command *cmd,
		  const void *buf, size_t len);

static inline u64 nvmev_now(void)
{
	return ktime_get_ns();
}

#endif /* _NVMEV_H */
