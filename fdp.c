// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: the host interface of Flexible Data Placement (NVMe TP4146, in
 * NVMe 2.0c) for namespaces of type conv, and the Endurance Groups it
 * needs.
 *
 * Each namespace (but a key-value one) is an Endurance Group of its own,
 * ENDGID = NSID.  A conv namespace configured with fdp_rgs > 0 (configfs)
 * has FDP enabled in its group with one configuration (index 0): NRG
 * reclaim groups, NRUH reclaim unit handles, Placement Handle i = Reclaim
 * Unit Handle i.  A Placement Identifier holds the reclaim group in its
 * top RGIF bits and the placement handle below them.  The model (ftl/
 * conv.h "Flexible Data Placement") places the data; here are the
 * commands, the log pages, the features, the directives and the events.
 *
 * Everything that touches the model runs on the dispatcher thread (admin
 * commands and I/O parse functions); configfs reads the counters under
 * the namespace's FDP lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>

#include "nvmev.h"
#include "namespace.h"
#include "fdp.h"

/* Enabled event types, one bit each (struct nvmev_fdp evmask) */
#define EVM_RUNFW	BIT(0)
#define EVM_PID		BIT(1)
#define EVM_REALLOC	BIT(2)

/* The event types this device reports (feature 1Eh), with their bit */
static const struct {
	u8 type;
	u8 bit;
} fdp_events[] = {
	{ NVMEV_FDP_EVT_RUNFW, EVM_RUNFW },
	{ NVMEV_FDP_EVT_INVALID_PID, EVM_PID },
	{ NVMEV_FDP_EVT_MEDIA_REALLOC, EVM_REALLOC },
};

static void fdp_build_checks(void)
{
	BUILD_BUG_ON(sizeof(struct nvmev_endgrp_log) != 512);
	BUILD_BUG_ON(sizeof(struct nvmev_fdp_config_log) != 16);
	BUILD_BUG_ON(sizeof(struct nvmev_fdp_config_desc) != 64);
	BUILD_BUG_ON(sizeof(struct nvmev_fdp_ruh_desc) != 4);
	BUILD_BUG_ON(sizeof(struct nvmev_fdp_ruhu_log) != 8);
	BUILD_BUG_ON(sizeof(struct nvmev_fdp_ruhu_desc) != 8);
	BUILD_BUG_ON(sizeof(struct nvmev_fdp_stats_log) != 64);
	BUILD_BUG_ON(sizeof(struct nvmev_fdp_event) != 64);
	BUILD_BUG_ON(sizeof(struct nvmev_fdp_event_realloc) != 16);
	BUILD_BUG_ON(sizeof(struct nvmev_fdp_events_log) != 64);
	BUILD_BUG_ON(sizeof(struct nvmev_fdp_event_desc) != 2);
	BUILD_BUG_ON(sizeof(struct nvmev_fdp_ruhs) != 16);
	BUILD_BUG_ON(sizeof(struct nvmev_fdp_ruhs_desc) != 32);
	BUILD_BUG_ON(sizeof(struct nvmev_dir_identify) != 4096);
	BUILD_BUG_ON(sizeof(struct nvmev_fdp_events_log) +
		     NVMEV_FDP_MAX_EVENTS * sizeof(struct nvmev_fdp_event) >
		     SZ_4K);
	BUILD_BUG_ON(sizeof(struct nvmev_fdp_config_log) +
		     sizeof(struct nvmev_fdp_config_desc) +
		     CONV_FDP_MAX_RUHS * sizeof(struct nvmev_fdp_ruh_desc) >
		     SZ_4K);
}

/* ---- Endurance groups ----------------------------------------------- */

/* The Endurance Group of @ns: its NSID; 0 for a key-value namespace. */
u16 nvmev_ns_endgid(const struct nvmev_ns *ns)
{
	return ns->csi == KV_CSI ? 0 : ns->nsid;
}

/* The active namespace that is Endurance Group @endgid, or NULL. */
static struct nvmev_ns *endgrp_ns(struct nvmev_ctrl *ctrl, u16 endgid)
{
	struct nvmev_ns *ns = nvmev_ns_find(ctrl, endgid);

	return ns && nvmev_ns_endgid(ns) == endgid ? ns : NULL;
}

/* Identify CNS 19h: the Endurance Group IDs >= @from, in order. */
u16 nvmev_endgrp_list(struct nvmev_ctrl *ctrl, u16 from, void *buf)
{
	__le16 *list = buf;
	unsigned int i, n = 0;

	for (i = max_t(u32, from, 1); i <= NVMEV_MAX_NS; i++)
		if (endgrp_ns(ctrl, i))
			list[1 + n++] = cpu_to_le16(i);
	list[0] = cpu_to_le16(n);
	return NVME_SC_SUCCESS;
}

static void put_le128(u8 *dst, u64 v)
{
	put_unaligned_le64(v, dst);
	put_unaligned_le64(0, dst + 8);
}

/* Thousands of 512-byte units, rounded up (as SMART) */
static u64 data_units(u64 bytes)
{
	return div_u64((bytes >> 9) + 999, 1000);
}

/* Log 09h for Endurance Group @lsi: its one namespace's health and I/O. */
u16 nvmev_endgrp_log(struct nvmev_ctrl *ctrl, u16 lsi, void *buf,
		     size_t *size)
{
	struct nvmev_endgrp_log *log = buf;
	struct nvmev_ns *ns = endgrp_ns(ctrl, lsi);
	const struct nvmev_io_stats *s;
	struct model_stats st;
	struct model_health h = { .avail_spare = 100 };
	u64 rd, wr;

	if (!ns)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	s = &ns->stats;
	if (ns->model_ops->health)
		ns->model_ops->health(ns->model, &h);
	nvmev_ns_media_stats(ns, &st);
	if (h.avail_spare < NVMEV_SPARE_THRESH)
		log->critical_warning |= NVME_SMART_CRIT_SPARE;
	if (READ_ONCE(ctrl->degraded))
		log->critical_warning |= NVME_SMART_CRIT_RELIABILITY;
	if (READ_ONCE(ns->worn_ro) || READ_ONCE(ctrl->media_ro))
		log->critical_warning |= NVME_SMART_CRIT_MEDIA;
	log->avail_spare = min(h.avail_spare, 100U);
	log->avail_spare_thresh = NVMEV_SPARE_THRESH;
	log->percent_used = min(h.percent_used, 255U);
	rd = atomic64_read(&s->bytes[NVMEV_OP_READ]) +
	     atomic64_read(&s->bytes[NVMEV_OP_COMPARE]);
	wr = atomic64_read(&s->bytes[NVMEV_OP_WRITE]) +
	     atomic64_read(&s->bytes[NVMEV_OP_ZONE_APPEND]);
	put_le128(log->data_units_read, data_units(rd));
	put_le128(log->data_units_written, data_units(wr));
	put_le128(log->media_units_written, data_units(st.media_write_bytes));
	put_le128(log->host_read_cmds,
		  atomic64_read(&s->cmds[NVMEV_OP_READ]) +
		  atomic64_read(&s->cmds[NVMEV_OP_COMPARE]) +
		  atomic64_read(&s->cmds[NVMEV_OP_VERIFY]));
	put_le128(log->host_write_cmds,
		  atomic64_read(&s->cmds[NVMEV_OP_WRITE]) +
		  atomic64_read(&s->cmds[NVMEV_OP_WRITE_ZEROES]) +
		  atomic64_read(&s->cmds[NVMEV_OP_ZONE_APPEND]));
	put_le128(log->media_errors, h.read_errors);
	put_le128(log->total_capacity, ns->size);
	*size = sizeof(*log);
	return NVME_SC_SUCCESS;
}

/* ---- Placement identifiers and events ------------------------------- */

static u16 make_pid(const struct nvmev_fdp *f, u32 rg, u32 ph)
{
	return f->rgif ? (rg << (16 - f->rgif)) | ph : ph;
}

/* Split @pid; true if it names a placement handle and reclaim group. */
static bool parse_pid(const struct nvmev_fdp *f, u16 pid, u32 *ph, u32 *rg)
{
	*rg = f->rgif ? pid >> (16 - f->rgif) : 0;
	*ph = f->rgif ? pid & (BIT(16 - f->rgif) - 1) : pid;
	return *ph < f->nruh && *rg < f->nrg;
}

/* Log an event of handle @ph (if it enabled events of the type, @bit). */
static void fdp_event(struct nvmev_ns *ns, u8 bit, u8 type, u8 flags,
		      u16 pid, u32 rg, u32 ph, const void *specific)
{
	struct nvmev_fdp *f = ns->fdp;
	bool host = !(type & 0x80);
	struct nvmev_fdp_event *ring = host ? f->host_ev : f->ctrl_ev, *e;
	u32 *nr = host ? &f->nr_host_ev : &f->nr_ctrl_ev;
	u32 *next = host ? &f->host_next : &f->ctrl_next;

	if (!(f->evmask[ph] & bit))
		return;
	spin_lock(&f->lock);
	e = &ring[*next];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->flags = flags;
	e->pid = cpu_to_le16(pid);
	put_unaligned_le64(nvmev_timestamp(ns->ctrl), e->timestamp);
	e->nsid = cpu_to_le32(ns->nsid);
	if (specific)
		memcpy(e->type_specific, specific, sizeof(e->type_specific));
	if (flags & NVMEV_FDP_EVF_LV) {
		e->rgid = cpu_to_le16(rg);
		e->ruhid = ph;
	}
	*next = (*next + 1) % NVMEV_FDP_MAX_EVENTS;
	if (*nr < NVMEV_FDP_MAX_EVENTS)
		(*nr)++;
	else
		f->events_dropped++;	/* the oldest one */
	if (host)
		f->host_events++;
	else
		f->ctrl_events++;
	spin_unlock(&f->lock);
}

/*
 * What the model reports.  GC moving the data of a reclaim unit the host
 * wrote is Media Reallocated (80h: "the number of LBAs moved by the
 * controller from a Reclaim Unit written by the host", NVM Command Set
 * 4.1.4.7.1.1), with the handle that wrote them.  A reclaim unit that
 * filled up and was replaced is no event: the handle moving on to a new
 * reclaim unit when the old one is fully written is FDP's normal course
 * (neither Reclaim Unit Not Fully Written nor Implicitly Modified).
 */
static void fdp_model_event(void *arg, const struct conv_fdp_event *ev)
{
	struct nvmev_ns *ns = arg;
	struct nvmev_fdp *f = ns->fdp;
	struct nvmev_fdp_event_realloc r = { .sef = NVMEV_FDP_REALLOC_LBAV };
	unsigned int per_slot;

	if (ev->type != CONV_FDP_EV_GC_MOVED || ev->ruh >= f->nruh ||
	    ev->rg >= f->nrg)
		return;
	per_slot = ns->lba_shift <= 12 ? 1U << (12 - ns->lba_shift) : 1;
	r.nlbam = cpu_to_le16(min_t(u64, ev->nr * per_slot, 0xffff));
	put_unaligned_le64(ev->slot * per_slot, r.lba);
	fdp_event(ns, EVM_REALLOC, NVMEV_FDP_EVT_MEDIA_REALLOC,
		  NVMEV_FDP_EVF_PIV | NVMEV_FDP_EVF_NSIDV | NVMEV_FDP_EVF_LV,
		  make_pid(f, ev->rg, ev->ruh), ev->rg, ev->ruh, &r);
}

/* ---- Configuration -------------------------------------------------- */

/* The FDP fields of a conv namespace: valid, or one line says why. */
int nvmev_fdp_check(struct nvmev_ns *ns)
{
	const struct conv_params *p = &ns->cfg.conv;
	u32 luns = p->nr_channels * p->luns_per_channel;
	const char *why = NULL;

	if (!p->fdp_rgs)
		return 0;
	if (p->fdp_rgs > CONV_FDP_MAX_RGS || luns % p->fdp_rgs)
		why = "fdp_rgs must divide nr_channels * luns_per_channel and be at most 64";
	else if (!p->fdp_ruhs || p->fdp_ruhs > CONV_FDP_MAX_RUHS)
		why = "fdp_ruhs must be 1..16";
	else if (p->fdp_persistent > 1)
		why = "fdp_persistent must be 0 or 1";
	if (!why)
		return 0;
	pr_err("%s/%u: fdp_rgs=%u fdp_ruhs=%u with %u LUNs: %s\n",
	       ns->ctrl->name, ns->nsid, p->fdp_rgs, p->fdp_ruhs, luns, why);
	return -EINVAL;
}

/* After the conv model started: FDP state if it is configured. */
int nvmev_fdp_start(struct nvmev_ns *ns)
{
	struct conv_model *model = ns->model;
	struct nvmev_fdp *f;

	fdp_build_checks();
	if (!conv_fdp_enabled(model))
		return 0;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	spin_lock_init(&f->lock);
	f->nrg = ns->cfg.conv.fdp_rgs;
	f->nruh = ns->cfg.conv.fdp_ruhs;
	f->rgif = f->nrg > 1 ? order_base_2(f->nrg) : 0;
	f->persistent = ns->cfg.conv.fdp_persistent;
	f->ru_bytes = conv_fdp_ru_bytes(model);
	ns->fdp = f;
	conv_fdp_set_event_fn(model, fdp_model_event, ns);
	return 0;
}

void nvmev_fdp_stop(struct nvmev_ns *ns)
{
	if (!ns->fdp)
		return;
	conv_fdp_set_event_fn(ns->model, NULL, NULL);
	kfree(ns->fdp);
	ns->fdp = NULL;
}

ssize_t nvmev_fdp_stats_show(struct nvmev_ns *ns, char *buf, size_t size)
{
	struct nvmev_fdp *f = ns->fdp;
	ssize_t n;

	if (!f)
		return 0;
	spin_lock(&f->lock);
	n = scnprintf(buf, size,
		      "fdp_placed_writes %llu\nfdp_invalid_pids %llu\nfdp_ru_updates %llu\nfdp_host_events %llu\nfdp_ctrl_events %llu\nfdp_events_dropped %llu\n",
		      f->placed_writes, f->invalid_pids, f->ru_updates,
		      f->host_events, f->ctrl_events, f->events_dropped);
	spin_unlock(&f->lock);
	return n;
}

/* ---- Writes ----------------------------------------------------------- */

static u8 rw_dtype(const struct nvme_command *cmd)
{
	return (le16_to_cpu(cmd->rw.control) >> NVMEV_RW_DTYPE_SHIFT) &
	       NVMEV_RW_DTYPE_MASK;
}

/*
 * The directive type of a Write or Write Zeroes: none, or Data Placement
 * on a namespace with FDP; any other is not enabled (Invalid Field).
 * Before anything else of the command is done.
 */
u16 nvmev_fdp_dtype_check(struct nvmev_req *req)
{
	u8 dtype = rw_dtype(&req->cmd);

	if (!dtype || (dtype == NVMEV_DIR_DATA_PLACEMENT && req->ns->fdp))
		return NVME_SC_SUCCESS;
	return NVMEV_ERR(NVME_SC_INVALID_FIELD);
}

/*
 * Where a checked Write or Write Zeroes of an FDP namespace goes.  Without
 * a directive: placement handle 0, in the reclaim group the model chooses
 * (MODEL_RG_ANY: the one with the most free space, ftl/conv.h).  An
 * invalid placement identifier is no error: the data goes there too and
 * an Invalid Placement Identifier event says so.
 */
void nvmev_fdp_place(struct nvmev_req *req, struct model_req *m)
{
	struct nvmev_ns *ns = req->ns;
	struct nvmev_fdp *f = ns->fdp;
	u16 pid = le32_to_cpu(req->cmd.rw.dsmgmt) >> 16;
	u32 ph, rg;

	if (!f)
		return;
	if (rw_dtype(&req->cmd) == NVMEV_DIR_DATA_PLACEMENT &&
	    parse_pid(f, pid, &ph, &rg)) {
		m->ruh = ph;
		m->rg = rg;
		spin_lock(&f->lock);
		f->placed_writes++;
		spin_unlock(&f->lock);
		return;
	}
	m->ruh = 0;
	m->rg = MODEL_RG_ANY;
	if (rw_dtype(&req->cmd) != NVMEV_DIR_DATA_PLACEMENT)
		return;
	spin_lock(&f->lock);
	f->invalid_pids++;
	spin_unlock(&f->lock);
	fdp_event(ns, EVM_PID, NVMEV_FDP_EVT_INVALID_PID,
		  NVMEV_FDP_EVF_PIV | NVMEV_FDP_EVF_NSIDV, pid, 0, 0, NULL);
}

/* ---- Log pages 20h..23h ----------------------------------------------- */

static size_t log_configs(struct nvmev_ns *ns, void *buf)
{
	struct nvmev_fdp *f = ns->fdp;
	struct nvmev_fdp_config_log *hdr = buf;
	struct nvmev_fdp_config_desc *d = (void *)(hdr + 1);
	struct nvmev_fdp_ruh_desc *ruh = (void *)(d + 1);
	size_t dsze = ALIGN(sizeof(*d) + f->nruh * sizeof(*ruh), 8);
	u32 i;

	hdr->numfdpc = 0;		/* one configuration */
	hdr->size = cpu_to_le32(sizeof(*hdr) + dsze);
	d->dsze = cpu_to_le16(dsze);
	d->fdpa = NVMEV_FDPA_VALID | f->rgif;
	if (nvmev_ns_cfg_volatile(&ns->cfg))
		d->fdpa |= NVMEV_FDPA_FDPVWC;
	d->nrg = cpu_to_le32(f->nrg);
	d->nruh = cpu_to_le16(f->nruh);
	d->maxpids = cpu_to_le16(min(f->nrg * f->nruh, 128U) - 1);
	d->nnss = cpu_to_le32(1);
	d->runs = cpu_to_le64(f->ru_bytes);
	for (i = 0; i < f->nruh; i++)
		ruh[i].ruht = f->persistent ? NVMEV_RUHT_PERSISTENTLY_ISOLATED :
					      NVMEV_RUHT_INITIALLY_ISOLATED;
	return sizeof(*hdr) + dsze;
}

static size_t log_usage(struct nvmev_ns *ns, void *buf)
{
	struct nvmev_fdp *f = ns->fdp;
	struct nvmev_fdp_ruhu_log *hdr = buf;
	struct nvmev_fdp_ruhu_desc *d = (void *)(hdr + 1);
	u32 i;

	/*
	 * Every handle is referenced by one of the namespace's placement
	 * handles (PH i = RUH i), which the user chose in configfs
	 * (fdp_ruhs), as a host does with the placement handle list of a
	 * Namespace Management create: Host Specified.
	 */
	hdr->nruh = cpu_to_le16(f->nruh);
	for (i = 0; i < f->nruh; i++)
		d[i].ruha = NVMEV_RUHA_HOST;
	return sizeof(*hdr) + f->nruh * sizeof(*d);
}

static size_t log_stats(struct nvmev_ns *ns, void *buf)
{
	struct nvmev_fdp_stats_log *log = buf;
	const struct conv_params *p = &ns->cfg.conv;
	struct model_stats st;

	nvmev_ns_media_stats(ns, &st);
	put_le128(log->hbmw, st.host_write_bytes);
	put_le128(log->mbmw, st.media_write_bytes);
	put_le128(log->mbe, st.erases * p->pages_per_block * p->page_size);
	return sizeof(*log);
}

static size_t log_events(struct nvmev_ns *ns, bool host, void *buf)
{
	struct nvmev_fdp *f = ns->fdp;
	struct nvmev_fdp_events_log *hdr = buf;
	struct nvmev_fdp_event *e = (void *)(hdr + 1);
	const struct nvmev_fdp_event *ring = host ? f->host_ev : f->ctrl_ev;
	u32 i, nr, first;

	spin_lock(&f->lock);
	nr = host ? f->nr_host_ev : f->nr_ctrl_ev;
	first = ((host ? f->host_next : f->ctrl_next) +
		 NVMEV_FDP_MAX_EVENTS - nr) % NVMEV_FDP_MAX_EVENTS;
	for (i = 0; i < nr; i++)	/* oldest first */
		e[i] = ring[(first + i) % NVMEV_FDP_MAX_EVENTS];
	spin_unlock(&f->lock);
	hdr->nevents = cpu_to_le32(nr);
	return sizeof(*hdr) + nr * sizeof(*e);
}

/*
 * Log pages 20h..23h of Endurance Group @lsi into @buf (4 KiB, zeroed).
 * LSP (bits 14:8 of CDW10, RAE excluded): 23h takes bit 0 (host events),
 * the others none.
 */
u16 nvmev_fdp_log(struct nvmev_ctrl *ctrl, u8 lid, u8 lsp, u16 lsi,
		  void *buf, size_t *size)
{
	struct nvmev_ns *ns = endgrp_ns(ctrl, lsi);

	if (!ns || lsp & ~(lid == NVMEV_LOG_FDP_EVENTS ? 1U : 0U))
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	if (!ns->fdp)	/* a group without FDP has no configuration either */
		return NVMEV_ERR(lid == NVMEV_LOG_FDP_CONFIGS ?
				 NVME_SC_INVALID_FIELD : NVMEV_SC_FDP_DISABLED);
	switch (lid) {
	case NVMEV_LOG_FDP_CONFIGS:
		*size = log_configs(ns, buf);
		break;
	case NVMEV_LOG_FDP_RUH_USAGE:
		*size = log_usage(ns, buf);
		break;
	case NVMEV_LOG_FDP_STATS:
		*size = log_stats(ns, buf);
		break;
	default:
		*size = log_events(ns, lsp & 1, buf);
		break;
	}
	return NVME_SC_SUCCESS;
}

/* ---- Features 1Dh, 1Eh ------------------------------------------------ */

static u16 feat_fdp_events(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			   bool set)
{
	u32 dw11 = le32_to_cpu(req->cmd.common.cdw11);
	u32 dw12 = le32_to_cpu(req->cmd.common.cdw12);
	u32 ph = dw11 & 0xffff, noet = (dw11 >> 16) & 0xff, i, j, n;
	struct nvmev_ns *ns = nvmev_ns_find(ctrl,
					    le32_to_cpu(req->cmd.common.nsid));
	struct nvmev_fdp *f;
	u8 buf[2 * 255] = { 0 }, mask = 0;
	u16 st;

	if (!ns)
		return NVMEV_ERR(NVME_SC_INVALID_NS);
	f = ns->fdp;
	if (!f)
		return NVMEV_ERR(NVMEV_SC_FDP_DISABLED);
	if (ph >= f->nruh || !noet)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	if (!set) {
		struct nvmev_fdp_event_desc *d = (void *)buf;

		n = min_t(u32, ARRAY_SIZE(fdp_events), noet);
		for (i = 0; i < n; i++) {
			d[i].evt = fdp_events[i].type;
			d[i].evta = !!(f->evmask[ph] & fdp_events[i].bit);
		}
		req->result = n;
		return nvmev_dma_xfer(ctrl, &req->cmd, buf, noet * sizeof(*d),
				      true);
	}
	st = nvmev_dma_xfer(ctrl, &req->cmd, buf, noet, false);
	if (st)
		return st;
	for (i = 0; i < noet; i++) {
		for (j = 0; j < ARRAY_SIZE(fdp_events); j++)
			if (fdp_events[j].type == buf[i])
				break;
		if (j == ARRAY_SIZE(fdp_events))
			return NVMEV_ERR(NVME_SC_INVALID_FIELD);
		mask |= fdp_events[j].bit;
	}
	if (dw12 & 1)
		f->evmask[ph] |= mask;
	else
		f->evmask[ph] &= ~mask;
	return NVME_SC_SUCCESS;
}

/*
 * Flexible Data Placement (1Dh), Endurance Group in CDW11 bits 15:0:
 * FDPE (bit 0) and FDPCIDX (bits 15:8) of the group.  It is changed only
 * in a group without namespaces, which here is never (a group is its
 * namespace): Command Sequence Error; configfs sets FDP up instead.
 * FDP Events (1Eh): the events of a placement handle of a namespace.
 */
u16 nvmev_fdp_feature(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		      bool set)
{
	u32 dw10 = le32_to_cpu(req->cmd.common.cdw10);
	u32 dw11 = le32_to_cpu(req->cmd.common.cdw11);
	struct nvmev_ns *ns;

	if ((dw10 & 0xff) == NVMEV_FEAT_FDP_EVENTS)
		return feat_fdp_events(ctrl, req, set);
	ns = endgrp_ns(ctrl, dw11 & 0xffff);
	if (!ns)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	if (set)
		return NVMEV_ERR(NVME_SC_CMD_SEQ_ERROR);
	req->result = ns->fdp ? 1 : 0;	/* FDPE; configuration index 0 */
	return NVME_SC_SUCCESS;
}

/* ---- Directives ----------------------------------------------------- */

/*
 * Directive Receive: only Identify's Return Parameters.  The Data
 * Placement directive is supported and enabled exactly when FDP is
 * enabled in the namespace's group; it has no operations of its own.
 */
u16 nvmev_directive_recv(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	struct nvme_directive_cmd *c = &req->cmd.directive;
	u64 len = ((u64)le32_to_cpu(c->numd) + 1) * 4;
	struct nvmev_ns *ns = nvmev_ns_find(ctrl, le32_to_cpu(c->nsid));
	struct nvmev_dir_identify *id;
	u16 st;

	if (!ns)
		return NVMEV_ERR(NVME_SC_INVALID_NS);
	if (c->dtype != NVME_DIR_IDENTIFY ||
	    c->doper != NVME_DIR_RCV_ID_OP_PARAM || len > NVMEV_MAX_XFER)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	id = kzalloc(max_t(u64, len, sizeof(*id)), GFP_KERNEL);
	if (!id)
		return NVME_SC_INTERNAL;
	id->supported[0] = BIT(NVME_DIR_IDENTIFY);
	id->enabled[0] = BIT(NVME_DIR_IDENTIFY);
	if (ns->fdp) {
		id->supported[0] |= BIT(NVMEV_DIR_DATA_PLACEMENT);
		id->enabled[0] |= BIT(NVMEV_DIR_DATA_PLACEMENT);
		id->persistent[0] |= BIT(NVMEV_DIR_DATA_PLACEMENT);
	}
	st = nvmev_dma_xfer(ctrl, &req->cmd, id, len, true);
	kfree(id);
	return st;
}

/*
 * Directive Send: Identify's Enable Directive is the only operation a
 * host may send, and no directive here is enabled that way: Streams are
 * not supported, and Data Placement follows FDP (feature 1Dh).
 */
u16 nvmev_directive_send(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	struct nvme_directive_cmd *c = &req->cmd.directive;

	if (!nvmev_ns_find(ctrl, le32_to_cpu(c->nsid)))
		return NVMEV_ERR(NVME_SC_INVALID_NS);
	return NVMEV_ERR(NVME_SC_INVALID_FIELD);
}

/* ---- I/O Management Receive and Send ------------------------------- */

/* Reclaim Unit Handle Status: every placement handle in every group. */
static u16 ruh_status(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		      u64 len)
{
	struct nvmev_ns *ns = req->ns;
	struct nvmev_fdp *f = ns->fdp;
	struct nvmev_fdp_ruhs *hdr;
	struct nvmev_fdp_ruhs_desc *d;
	size_t full;
	u32 ph, rg;
	u16 st;

	if (!f)
		return NVMEV_ERR(NVMEV_SC_FDP_DISABLED);
	full = sizeof(*hdr) + f->nruh * f->nrg * sizeof(*d);
	hdr = kzalloc(max_t(u64, len, full), GFP_NOWAIT | __GFP_NOWARN);
	if (!hdr)
		return NVME_SC_INTERNAL;
	d = (void *)(hdr + 1);
	hdr->nruhsd = cpu_to_le16(f->nruh * f->nrg);
	for (ph = 0; ph < f->nruh; ph++)
		for (rg = 0; rg < f->nrg; rg++, d++) {
			d->pid = cpu_to_le16(make_pid(f, rg, ph));
			d->ruhid = cpu_to_le16(ph);
			d->ruamw = cpu_to_le64(conv_fdp_ru_avail(ns->model, ph,
								 rg) >>
					       ns->lba_shift);
		}
	st = nvmev_dma_xfer(ctrl, &req->cmd, hdr, len, true);
	kfree(hdr);
	return st;
}

/*
 * I/O Management Receive and Send: @mo, the management operation, done by
 * @op (none: 00h, No Action; any other value is Invalid Field), then the
 * command's time from the model.
 */
static u16 io_mgmt(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		   struct model_req *m, u8 mo, u8 known,
		   u16 (*op)(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			     struct model_req *m))
{
	u16 st;

	if (mo == known)
		st = op(ctrl, req, m);
	else
		st = mo ? NVMEV_ERR(NVME_SC_INVALID_FIELD) : NVME_SC_SUCCESS;
	if (st)
		return st;
	m->op = MODEL_OTHER;
	nvmev_schedule(req->ns, req, m);
	return NVME_SC_SUCCESS;
}

static u16 ruh_status_op(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			 struct model_req *m)
{
	return ruh_status(ctrl, req,
			  ((u64)le32_to_cpu(req->cmd.common.cdw11) + 1) * 4);
}

u16 nvmev_parse_io_mgmt_recv(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			     struct model_req *m)
{
	struct nvme_command *cmd = &req->cmd;
	u64 len = ((u64)le32_to_cpu(cmd->common.cdw11) + 1) * 4;

	if ((cmd->common.flags & NVME_CMD_SGL_ALL) || len > NVMEV_MAX_XFER)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	return io_mgmt(ctrl, req, m, le32_to_cpu(cmd->common.cdw10) & 0xff,
		       NVMEV_IOMR_MO_RUH_STATUS, ruh_status_op);
}

/*
 * Reclaim Unit Handle Update: NPID (CDW10 bits 31:16, 0's based)
 * placement identifiers in the data buffer.  All are checked before any
 * handle moves; an invalid one fails the command (Invalid Field).
 */
static u16 ruh_update(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		      struct model_req *m)
{
	struct nvmev_ns *ns = req->ns;
	struct nvmev_fdp *f = ns->fdp;
	u32 npid = (le32_to_cpu(req->cmd.common.cdw10) >> 16) + 1, i, ph, rg;
	__le16 *pids;
	u16 st;

	if (!f)
		return NVMEV_ERR(NVMEV_SC_FDP_DISABLED);
	if (npid > min(f->nrg * f->nruh, 128U))
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	pids = kmalloc_array(npid, sizeof(*pids), GFP_NOWAIT | __GFP_NOWARN);
	if (!pids)
		return NVME_SC_INTERNAL;
	st = nvmev_dma_xfer(ctrl, &req->cmd, pids, npid * sizeof(*pids),
			    false);
	for (i = 0; !st && i < npid; i++)
		if (!parse_pid(f, le16_to_cpu(pids[i]), &ph, &rg))
			st = NVMEV_ERR(NVME_SC_INVALID_FIELD);
	for (i = 0; !st && i < npid; i++) {
		u16 pid = le16_to_cpu(pids[i]);
		u64 left;

		parse_pid(f, pid, &ph, &rg);
		left = conv_fdp_ru_update(ns->model, ph, rg, m->now);
		spin_lock(&f->lock);
		f->ru_updates++;
		spin_unlock(&f->lock);
		if (left)
			fdp_event(ns, EVM_RUNFW, NVMEV_FDP_EVT_RUNFW,
				  NVMEV_FDP_EVF_PIV | NVMEV_FDP_EVF_NSIDV |
				  NVMEV_FDP_EVF_LV, pid, rg, ph, NULL);
	}
	kfree(pids);
	return st;
}

u16 nvmev_parse_io_mgmt_send(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			     struct model_req *m)
{
	struct nvme_command *cmd = &req->cmd;

	if (cmd->common.flags & NVME_CMD_SGL_ALL)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	return io_mgmt(ctrl, req, m, le32_to_cpu(cmd->common.cdw10) & 0xff,
		       NVMEV_IOMS_MO_RUH_UPDATE, ruh_update);
}
