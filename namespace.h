/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nvmev: namespaces, their types and their timing models.
 *
 * Included by the files that look inside a namespace (the command sets,
 * the namespace types, configuration, Identify); the core of the device
 * (registers, queues, threads, PCI, DMA) needs only nvmev.h.
 */
#ifndef _NVMEV_NAMESPACE_H
#define _NVMEV_NAMESPACE_H

#include "nvmev.h"
#include "ftl/model.h"
#include "ftl/conv.h"
#include "ftl/zns.h"
#include "ftl/kv.h"
#include "ftl/resv.h"

/* Namespace types (configfs "type"). */
enum nvmev_ns_type {
	NVMEV_NS_NVM,
	NVMEV_NS_CONV,
	NVMEV_NS_ZNS,
	NVMEV_NS_KV,
	NVMEV_NR_NS_TYPES,
};

/*
 * What differs by namespace type: one of these per type (namespace.c has
 * the list, zoned.c and keyvalue.c two of them), so that the rest of the
 * device asks the namespace's ops instead of testing its type.
 */
struct nvmev_ns_ops {
	const char *name;		/* configfs "type" */
	u8 csi;				/* its I/O command set */
	const struct nvmev_cmd_set *cmds;
	bool keeps_data;		/* its data may outlive a reload */
	/* the configuration fits @size bytes; else one line says why */
	int (*check)(struct nvmev_ns *ns, u64 size);
	/* the storage is mapped, zeroed unless @kept; NULL: nothing to do */
	int (*start)(struct nvmev_ns *ns, bool kept);
	void (*stop)(struct nvmev_ns *ns);
	/* the timing model: nvmev_ns_model_init() with its parameters */
	int (*model_start)(struct nvmev_ns *ns);
	/* the type's own lines of the namespace's configfs "stats" */
	ssize_t (*stats_show)(struct nvmev_ns *ns, char *buf, size_t size);
};

/* "auto" for max_open / max_active: derived from the number of zones */
#define NVMEV_ZNS_AUTO		ZNS_LIMIT_AUTO

/*
 * Zones of a namespace of type zns (zoned.c).  A preset's are the same
 * fields (struct ftl_preset_zns), copied by nvmev_ns_set_preset().
 */
struct nvmev_zns_cfg {
	u64 zone_size;			/* bytes, a power of two; 0: automatic */
	u64 zone_cap;			/* bytes; 0: the zone size */
	u32 max_open;			/* 0: no limit; NVMEV_ZNS_AUTO */
	u32 max_active;			/* 0: no limit; NVMEV_ZNS_AUTO */
	u32 stripe_dies;		/* dies a zone spans; 0: all */
};

/* The store of a namespace of type kv (keyvalue.c); as struct ftl_preset_kv. */
struct nvmev_kv_cfg {
	struct kv_params store;		/* value limit, index size */
	u32 index_ns;			/* index lookup per command */
};

/* What power cuts did to a namespace (power.c; configfs "stats"). */
struct nvmev_pl_stats {
	u64 cuts;
	u64 lost_writes;		/* writes (partly) taken back */
	u64 lost_bytes;
	u64 torn_kept;			/* units of volatile writes kept */
	u64 overflows;			/* the journal forgot what it held */
};

struct nvmev_pl;
struct nvmev_fdp;

/* How a namespace is configured (configfs, or the module parameters). */
struct nvmev_ns_cfg {
	enum nvmev_ns_type type;
	u64 size;			/* bytes, a multiple of 1 MiB */
	unsigned int lba_shift;
	int preset;			/* index into ftl_presets, or -1 */
	struct nvm_params nvm;		/* type nvm */
	struct conv_params conv;	/* NAND of types conv and zns */
	struct nvmev_zns_cfg zns;	/* type zns */
	struct nvmev_kv_cfg kv;		/* type kv; timing also from nvm */
	bool plp;			/* power-loss protection: a cut loses nothing */
};

/*
 * One namespace: its configuration, and once enabled a slice of the
 * reserved region plus an instance of a timing model.
 */
struct nvmev_ns {
	struct config_group group;
	struct nvmev_ctrl *ctrl;	/* where it is configured */
	u32 nsid;
	struct nvmev_ns_cfg cfg;
	/* controllers of the subsystem to attach to, "a,b"; "": all */
	char paths[256];
	unsigned int nr_paths;		/* ctrl->ns[] arrays it is in */
	bool host_created;		/* Namespace Management: only the host attaches it */
	bool enabled;			/* storage allocated, attached */
	const struct nvmev_ns_ops *ops;	/* of cfg.type, while enabled */
	bool keep_data;			/* nvmev0: the superblock kept it */

	phys_addr_t phys;
	u64 size;			/* bytes */
	u64 nr_lbas;
	unsigned int lba_shift;
	void *data;			/* kernel mapping of the storage */
	u8 csi;				/* I/O command set: NVME_CSI_* */
	struct zns *zones;		/* type zns: the zone state machine */
	u32 zones_open_max;		/* most zones open at once */
	u32 zones_active_max;
	struct kv *kv;			/* type kv: the store, in data */
	const struct model_ops *model_ops;
	void *model;
	u8 nguid[16];
	u8 eui64[8];
	u8 uuid[16];

	unsigned long *uncor;		/* Write Uncorrectable LBAs, or NULL */
	spinlock_t uncor_lock;		/* the bits of uncor */
	struct nvmev_faults faults;	/* fault injection rules (fault.c) */
	/*
	 * The reasons to look at its commands, on any path: rules, write
	 * protection, worn-out media (as ctrl->faults_armed for the
	 * controller's own).
	 */
	atomic_t armed;
	struct nvmev_ctrl *worn_ctrl;	/* counted its wear-out (fault.c) */
	bool write_protect;		/* writes fail: Namespace Write Protected */
	u32 anagrpid;			/* ANA group, 1..NVMEV_MAX_NS (ana.c) */
	bool worn_ro;			/* the model's media wore out: read only */
	u8 wear_spare;			/* the model's Available Spare, % */
	atomic_t nr_reqs;		/* requests that point here */
	struct nvmev_io_stats stats;

	/* Power loss (power.c): the journal of what is not yet durable */
	struct nvmev_pl *pl;		/* NULL: nothing here is volatile */
	struct nvmev_pl_stats pl_stats;
	bool ignore_flush;		/* a broken device: Flush and FUA lie */
	/* Flexible Data Placement (fdp.c), type conv; NULL: FDP off */
	struct nvmev_fdp *fdp;
	/*
	 * Reservations (resv.c): on the dispatcher only; empty whenever the
	 * namespace is enabled.  resv.type is the I/O path's one read.
	 */
	struct resv resv;
};

/*
 * A read of a zoned namespace that touches LBAs holding no data: where the
 * data of each zone it spans ended when it was fetched (zoned.c), so the
 * rest reads as zeroes.
 */
struct nvmev_zone_ends {
	u64 zone_bytes;
	unsigned int nr;
	u64 end[];			/* bytes into the namespace */
};

/* nvm_cmds.c: the NVM command set */
void nvmev_zero_range(struct nvmev_req *req, void *p, u64 len);
void nvmev_flush_all(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		     struct model_req *m);
u16 nvmev_exec_write(struct nvmev_ctrl *ctrl, struct nvmev_req *req);
void nvmev_uncor_clear(struct nvmev_ns *ns, u64 slba, u64 nlb);
int nvmev_uncor_set(struct nvmev_ns *ns, u64 slba, u64 nlb);

/* fault.c: what a worn model does to a command (after its parse) */
u16 nvmev_fault_media(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		      const struct model_req *m);
int nvmev_fault_bad_blocks(struct nvmev_ns *ns, u32 nr);
void nvmev_fault_ns_detached(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns);

/* power.c: power loss */
int nvmev_pl_start(struct nvmev_ns *ns);
void nvmev_pl_stop(struct nvmev_ns *ns);
void nvmev_pl_schedule(struct nvmev_ns *ns, struct nvmev_req *req,
		       const struct model_req *m);
void nvmev_pl_capture(struct nvmev_req *req);
void nvmev_pl_model_reset(struct nvmev_ns *ns, u64 now);
ssize_t nvmev_pl_stats_show(struct nvmev_ns *ns, char *buf, size_t size);

/*
 * The dispatcher must ask fault.c about @cmd: the controller or the
 * namespace it names has faults armed.
 */
static inline bool nvmev_faults_armed(struct nvmev_ctrl *ctrl,
				      const struct nvme_command *cmd)
{
	u32 i = le32_to_cpu(cmd->common.nsid) - 1;
	struct nvmev_ns *ns = i < NVMEV_MAX_NS ? ctrl->ns[i] : NULL;

	return atomic_read(&ctrl->faults_armed) ||
	       (ns && atomic_read(&ns->armed));
}

/* resv.c: reservations */
u16 nvmev_resv_parse_register(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			      struct model_req *m);
u16 nvmev_resv_parse_report(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			    struct model_req *m);
u16 nvmev_resv_parse_acquire(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			     struct model_req *m);
u16 nvmev_resv_parse_release(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			     struct model_req *m);
u16 nvmev_resv_check(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns,
		     const struct nvmev_op *op);
u16 nvmev_resv_hostid_feature(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			      bool set);

/* io.c: the one way to a timing model */
void nvmev_schedule(struct nvmev_ns *ns, struct nvmev_req *req,
		    struct model_req *m);

/* stats.c */
ssize_t nvmev_model_stats_show(const struct model_stats *st, char *buf,
			       size_t size);

/* namespace.c */
extern const struct nvmev_ns_ops *const nvmev_ns_types[NVMEV_NR_NS_TYPES];
int nvmev_ns_model_init(struct nvmev_ns *ns, const struct model_ops *ops,
			const void *params);
struct nvmev_ns *nvmev_ns_alloc(struct nvmev_ctrl *ctrl, u32 nsid);
int nvmev_ns_enable(struct nvmev_ns *ns);
void nvmev_ns_disable(struct nvmev_ns *ns);
void nvmev_ns_free(struct nvmev_ns *ns);
void nvmev_ns_identity(struct nvmev_ns *ns);
enum nvmev_ns_type nvmev_preset_type(unsigned int i);
int nvmev_ns_set_preset(struct nvmev_ns *ns, const char *name);
size_t nvmev_preset_names(char *buf, size_t size);
int nvmev_ns_set_type(struct nvmev_ns *ns, enum nvmev_ns_type type);
bool nvmev_ns_cfg_volatile(const struct nvmev_ns_cfg *cfg);
u64 nvmev_ns_cfg_cache_bytes(const struct nvmev_ns_cfg *cfg);
void nvmev_ns_media_stats(struct nvmev_ns *ns, struct model_stats *st);
/*
 * The active namespace @nsid, or NULL.  With CC.CSS = NVM only, the
 * namespaces of other command sets are not active (the host asked for the
 * NVM command set alone).
 */
static inline struct nvmev_ns *nvmev_ns_find(struct nvmev_ctrl *ctrl, u32 nsid)
{
	struct nvmev_ns *ns = nsid && nsid <= NVMEV_MAX_NS ?
			      ctrl->ns[nsid - 1] : NULL;

	if (ns && ns->csi != NVME_CSI_NVM && !ctrl->css_all)
		return NULL;
	return ns;
}

/* admin.c */
void nvmev_fill_id_ns(struct nvmev_ns *ns, struct nvme_id_ns *id);

/* subsys.c: a namespace on the controllers of its subsystem */
int nvmev_ns_paths_check(struct nvmev_ns *ns);
void nvmev_ns_attach_all(struct nvmev_ns *ns);
void nvmev_ns_detach_all(struct nvmev_ns *ns);
void nvmev_ns_changed_all(struct nvmev_ns *ns);
int nvmev_ns_attach(struct nvmev_ns *ns, struct nvmev_ctrl *ctrl);
int nvmev_ns_detach(struct nvmev_ns *ns, struct nvmev_ctrl *ctrl);

/* ana.c: the status of I/O to @ns through @ctrl when a group is blocked */
u16 nvmev_ana_io_status(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns);

/* zoned.c: namespaces of the Zoned Namespace command set */
extern const struct nvmev_ns_ops nvmev_zns_ns_ops;
u16 nvmev_zns_check_io(struct nvmev_ns *ns, struct nvmev_req *req, u8 opcode,
		       u64 slba, u64 nlb);
void *nvmev_zns_read_view(struct nvmev_ns *ns, struct nvmev_req *req);
void nvmev_zns_id_ns(struct nvmev_ns *ns, struct nvme_id_ns_zns *id);
void nvmev_zns_id_ctrl(struct nvmev_ctrl *ctrl, struct nvme_id_ctrl_zns *id);
int nvmev_zns_fault(struct nvmev_ns *ns, u32 zone, bool offline);

/* keyvalue.c: namespaces of the Key Value command set */
extern const struct nvmev_ns_ops nvmev_kv_ns_ops;
void nvmev_kv_id_ns(struct nvmev_ns *ns, u8 *id);
void nvmev_kv_id_ctrl(u8 *id);

#endif /* _NVMEV_NAMESPACE_H */
