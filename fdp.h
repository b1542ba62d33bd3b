/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nvmev: Flexible Data Placement (NVMe TP4146, NVMe 2.0c) and the
 * Endurance Groups it lives in.  Constants and structures that 6.1's
 * <linux/nvme.h> lacks, prefixed so that newer kernels' names never
 * collide; the per-namespace FDP state (fdp.c).
 */
#ifndef _NVMEV_FDP_H
#define _NVMEV_FDP_H

#include "namespace.h"

/* Identify Controller */
#define NVMEV_CTRATT_ENDGRPS		BIT(4)	/* Endurance Groups */
#define NVMEV_CTRATT_FDPS		BIT(19)	/* FDP supported */
#define NVMEV_ID_CTRL_ENDGIDMAX		340	/* bytes 341:340 */
#define NVMEV_ID_CNS_ENDGRP_LIST	0x19

/* Log pages */
#define NVMEV_LOG_FDP_CONFIGS		0x20
#define NVMEV_LOG_FDP_RUH_USAGE		0x21
#define NVMEV_LOG_FDP_STATS		0x22
#define NVMEV_LOG_FDP_EVENTS		0x23

/* Features */
#define NVMEV_FEAT_FDP			0x1d
#define NVMEV_FEAT_FDP_EVENTS		0x1e

/* I/O commands */
#define NVMEV_CMD_IO_MGMT_RECV		0x12
#define NVMEV_CMD_IO_MGMT_SEND		0x1d
#define NVMEV_IOMR_MO_RUH_STATUS	0x01
#define NVMEV_IOMS_MO_RUH_UPDATE	0x01

/* Directives */
#define NVMEV_DIR_DATA_PLACEMENT	0x02
#define NVMEV_RW_DTYPE_SHIFT		4	/* of the rw "control" field */
#define NVMEV_RW_DTYPE_MASK		0xf

/* Generic command status */
#define NVMEV_SC_FDP_DISABLED		0x29

/* FDP configuration descriptor */
#define NVMEV_FDPA_VALID		BIT(7)
#define NVMEV_FDPA_FDPVWC		BIT(4)
#define NVMEV_RUHT_INITIALLY_ISOLATED	1
#define NVMEV_RUHT_PERSISTENTLY_ISOLATED 2
/* Reclaim Unit Handle Usage: attributes */
#define NVMEV_RUHA_HOST			BIT(0)
#define NVMEV_RUHA_CTRL			BIT(1)

/* FDP event types and flags */
#define NVMEV_FDP_EVT_RUNFW		0x00	/* RU Not Fully Written */
#define NVMEV_FDP_EVT_INVALID_PID	0x03	/* Invalid Placement Identifier */
#define NVMEV_FDP_EVT_MEDIA_REALLOC	0x80	/* Media Reallocated */
#define NVMEV_FDP_EVF_PIV		BIT(0)
#define NVMEV_FDP_EVF_NSIDV		BIT(1)
#define NVMEV_FDP_EVF_LV		BIT(2)
#define NVMEV_FDP_REALLOC_LBAV		BIT(0)
#define NVMEV_FDP_MAX_EVENTS		63	/* a 4 KiB log page */

/* Log 09h: Endurance Group Information, 512 bytes */
struct nvmev_endgrp_log {
	__u8	critical_warning;
	__u8	egfeat;
	__u8	rsvd2;
	__u8	avail_spare;
	__u8	avail_spare_thresh;
	__u8	percent_used;
	__le16	domain_id;
	__u8	rsvd8[24];
	__u8	endurance_estimate[16];
	__u8	data_units_read[16];
	__u8	data_units_written[16];
	__u8	media_units_written[16];
	__u8	host_read_cmds[16];
	__u8	host_write_cmds[16];
	__u8	media_errors[16];
	__u8	nr_err_log_entries[16];
	__u8	total_capacity[16];
	__u8	unalloc_capacity[16];
	__u8	rsvd192[320];
};

/* Log 20h: FDP Configurations, a header and descriptors */
struct nvmev_fdp_config_log {
	__le16	numfdpc;		/* 0's based */
	__u8	version;
	__u8	rsvd3;
	__le32	size;			/* bytes of the whole log */
	__u8	rsvd8[8];
};

struct nvmev_fdp_config_desc {
	__le16	dsze;			/* bytes of this descriptor */
	__u8	fdpa;
	__u8	vss;
	__le32	nrg;
	__le16	nruh;
	__le16	maxpids;		/* 0's based */
	__le32	nnss;
	__le64	runs;			/* bytes */
	__le32	erutl;			/* seconds, 0: none */
	__u8	rsvd28[36];
	/* then nruh struct nvmev_fdp_ruh_desc, then vss bytes */
};

struct nvmev_fdp_ruh_desc {
	__u8	ruht;
	__u8	rsvd1[3];
};

/* Log 21h: Reclaim Unit Handle Usage */
struct nvmev_fdp_ruhu_log {
	__le16	nruh;
	__u8	rsvd2[6];
};

struct nvmev_fdp_ruhu_desc {
	__u8	ruha;
	__u8	rsvd1[7];
};

/* Log 22h: FDP Statistics, 128-bit byte counts */
struct nvmev_fdp_stats_log {
	__u8	hbmw[16];
	__u8	mbmw[16];
	__u8	mbe[16];
	__u8	rsvd48[16];
};

/* Log 23h: FDP Events */
struct nvmev_fdp_event {
	__u8	type;
	__u8	flags;
	__le16	pid;
	__u8	timestamp[8];		/* as the Timestamp feature */
	__le32	nsid;
	__u8	type_specific[16];
	__le16	rgid;
	__u8	ruhid;
	__u8	rsvd35[5];
	__u8	vs[24];
};

/* Media Reallocated: its event type specific data */
struct nvmev_fdp_event_realloc {
	__u8	sef;
	__u8	rsvd1;
	__le16	nlbam;
	__u8	lba[8];
	__u8	rsvd12[4];
};

struct nvmev_fdp_events_log {
	__le32	nevents;
	__u8	rsvd4[60];
};

/* Feature 1Eh: a supported event descriptor */
struct nvmev_fdp_event_desc {
	__u8	evt;
	__u8	evta;			/* bit 0: enabled */
};

/* I/O Management Receive, Reclaim Unit Handle Status */
struct nvmev_fdp_ruhs {
	__u8	rsvd0[14];
	__le16	nruhsd;
};

struct nvmev_fdp_ruhs_desc {
	__le16	pid;
	__le16	ruhid;
	__le32	earutr;
	__le64	ruamw;			/* logical blocks */
	__u8	rsvd16[16];
};

/* Directive Receive, Identify, Return Parameters: 4 KiB */
struct nvmev_dir_identify {
	__u8	supported[32];
	__u8	enabled[32];
	__u8	persistent[32];
	__u8	rsvd96[4000];
};

/* The per-namespace FDP state (an endurance group with one namespace). */
struct nvmev_fdp {
	spinlock_t lock;		/* events, counters: configfs reads them */
	u32 nrg;
	u32 nruh;
	u32 rgif;			/* PID bits naming the reclaim group */
	bool persistent;
	u64 ru_bytes;
	u8 evmask[CONV_FDP_MAX_RUHS];	/* enabled event types, NVMEV_FDP_EVM_* */
	struct nvmev_fdp_event host_ev[NVMEV_FDP_MAX_EVENTS];
	struct nvmev_fdp_event ctrl_ev[NVMEV_FDP_MAX_EVENTS];
	u32 nr_host_ev, nr_ctrl_ev;	/* in the rings */
	u32 host_next, ctrl_next;	/* next slot */
	/* configfs "stats" */
	u64 host_events, ctrl_events, events_dropped;
	u64 ru_updates, invalid_pids, placed_writes;
};

struct nvmev_ns;
struct model_req;

/* fdp.c */
int nvmev_fdp_check(struct nvmev_ns *ns);
int nvmev_fdp_start(struct nvmev_ns *ns);
void nvmev_fdp_stop(struct nvmev_ns *ns);
u16 nvmev_fdp_dtype_check(struct nvmev_req *req);
void nvmev_fdp_place(struct nvmev_req *req, struct model_req *m);
u16 nvmev_fdp_log(struct nvmev_ctrl *ctrl, u8 lid, u8 lsp, u16 lsi,
		  void *log, size_t *size);
u16 nvmev_endgrp_log(struct nvmev_ctrl *ctrl, u16 lsi, void *log,
		     size_t *size);
u16 nvmev_endgrp_list(struct nvmev_ctrl *ctrl, u16 from, void *buf);
u16 nvmev_fdp_feature(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		      bool set);
u16 nvmev_directive_recv(struct nvmev_ctrl *ctrl, struct nvmev_req *req);
u16 nvmev_directive_send(struct nvmev_ctrl *ctrl, struct nvmev_req *req);
u16 nvmev_parse_io_mgmt_recv(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			     struct model_req *m);
u16 nvmev_parse_io_mgmt_send(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			     struct model_req *m);
ssize_t nvmev_fdp_stats_show(struct nvmev_ns *ns, char *buf, size_t size);
u16 nvmev_ns_endgid(const struct nvmev_ns *ns);

#endif /* _NVMEV_FDP_H */
