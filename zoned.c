// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: namespaces of the Zoned Namespace command set (type zns, CSI 02h).
 *
 * The zone state machine is ftl/zns.c; this file is what the controller
 * around it does: derive the zone geometry from the namespace
 * configuration, check Write, Write Zeroes, Zone Append and reads against
 * the zones, carry out Zone Management Send and Receive, fill the ZNS
 * Identify structures and tell the timing model about resets and finishes.
 *
 * All of it runs on the dispatcher, the only thread that touches a
 * namespace's zones while it is enabled (configfs fault injection takes
 * the dispatcher's lock).
 *
 * A reset erases nothing: the zone's data ends at its start again
 * (zns_data_end(), ftl/zns.h), and a read of LBAs beyond the data of their
 * zone returns zeroes whatever the storage holds.  So a reset takes effect
 * whole when it is fetched, and nothing of it is left to a worker that a
 * controller reset could cut short or that could run after a write the
 * host already saw completed.  What a read returns is decided when it is
 * fetched (nvmev_zns_check_io): the common read of written data is a plain
 * copy; one that reaches beyond the data carries where each zone's data
 * ended (struct nvmev_zone_ends) and the worker zero-fills the rest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/log2.h>

#include "nvmev.h"
#include "namespace.h"
#include "ftl/zns_timing.h"

/* Zone Management Send, CDW13 bits 15:8 */
#define ZMS_SELECT_ALL		(1 << 0)
#define ZMS_ZSASO		(1 << 1)	/* for ZRWA: not offered */

#define ZONE_REPORT_HDR		sizeof(struct nvme_zone_report)
#define ZONE_DESC_SIZE		sizeof(struct nvme_zone_descriptor)

/*
 * The zone parameters of @ns for @nr_lbas LBAs: defaults from ftl/zns.c,
 * then what the configuration sets.  Returns NULL or what is wrong.
 */
static const char *zns_params(struct nvmev_ns *ns, u64 nr_lbas,
			      struct zns_params *p)
{
	const struct nvmev_zns_cfg *c = &ns->cfg.zns;
	unsigned int shift = ns->cfg.lba_shift;
	const char *why;

	why = zns_params_geometry(p, nr_lbas, shift, c->zone_size, c->zone_cap,
				  c->max_open, c->max_active);
	if (why)
		return why;
	return zns_check_params(p);
}

/*
 * The controller's Zone Append Size Limit in LBAs of @ns (0: MDTS).  It is
 * a controller attribute that configfs may change while the namespace is
 * enabled (not while the controller is live): taken at each append, so
 * what is enforced is what Identify reports.
 */
static u32 zasl_lbas(struct nvmev_ns *ns)
{
	u8 zasl = ns->ctrl->zasl;

	return zasl ? (SZ_4K << zasl) >> ns->lba_shift : 0;
}

/* The timing model, with its view of the zones of @ns (after zns_start). */
static int zns_model_start(struct nvmev_ns *ns)
{
	const struct zns_params *zp = &ns->zones->p;
	struct zns_timing_params p = {
		.nand = ns->cfg.conv,
		.zone_bytes = zp->zone_size << ns->lba_shift,
		.zone_cap_bytes = zp->zone_cap << ns->lba_shift,
		.nr_zones = zns_nr_zones(ns->zones),
		.stripe_dies = ns->cfg.zns.stripe_dies,
	};

	return nvmev_ns_model_init(ns, &zns_timing_ops, &p);	/* copied */
}

/*
 * Would @ns work with @size bytes?  The zones and the NAND timing are
 * checked together; one line says what is wrong.
 */
static int zns_check(struct nvmev_ns *ns, u64 size)
{
	struct zns_timing_params tp = { .nand = ns->cfg.conv };
	unsigned int shift = ns->cfg.lba_shift;
	struct zns_params p;
	const char *why;

	why = zns_params(ns, size >> shift, &p);
	if (!why) {
		tp.zone_bytes = p.zone_size << shift;
		tp.zone_cap_bytes = p.zone_cap << shift;
		tp.nr_zones = p.nr_lbas >> ilog2(p.zone_size);
		tp.stripe_dies = ns->cfg.zns.stripe_dies;
		why = zns_timing_check_params(&tp);
	}
	if (why) {
		pr_err("%s/%u: %s\n", ns->ctrl->name, ns->nsid, why);
		return -EINVAL;
	}
	return 0;
}

/*
 * Set up the zones of @ns, whose nr_lbas is the whole backing space; on
 * return nr_lbas is the zoned part (NSZE).  One line says what is wrong.
 * Zones are not kept across loads: a zoned namespace starts empty.
 */
static int zns_start(struct nvmev_ns *ns, bool kept)
{
	struct zns_params p;
	const char *why;
	int ret;

	why = zns_params(ns, ns->nr_lbas, &p);
	if (why) {
		pr_err("%s/%u: %s\n", ns->ctrl->name, ns->nsid, why);
		return -EINVAL;
	}
	ns->zones = kzalloc(sizeof(*ns->zones), GFP_KERNEL);
	if (!ns->zones)
		return -ENOMEM;
	ret = zns_init(ns->zones, &p);
	if (ret) {
		kfree(ns->zones);
		ns->zones = NULL;
		return ret;
	}
	if (zns_tail_lbas(ns->zones))
		pr_info("%s/%u: %llu zones of %llu MiB; the last %llu KiB are not a whole zone and stay unused\n",
			ns->ctrl->name, ns->nsid, (u64)zns_nr_zones(ns->zones),
			(p.zone_size << ns->lba_shift) >> 20,
			(zns_tail_lbas(ns->zones) << ns->lba_shift) >> 10);
	ns->nr_lbas = zns_nsze(ns->zones);
	ns->zones_open_max = 0;
	ns->zones_active_max = 0;
	return 0;
}

static void zns_stop(struct nvmev_ns *ns)
{
	if (!ns->zones)
		return;
	zns_exit(ns->zones);
	kfree(ns->zones);
	ns->zones = NULL;
}

/* ---- Identify ------------------------------------------------------------ */

void nvmev_zns_id_ns(struct nvmev_ns *ns, struct nvme_id_ns_zns *id)
{
	struct zns *z = ns->zones;

	id->zoc = 0;			/* no variable capacity, no excursions */
	id->ozcs = cpu_to_le16(1);	/* reads may cross zone boundaries */
	id->mar = cpu_to_le32(zns_mar(z));
	id->mor = cpu_to_le32(zns_mor(z));
	/* the controller never recommends a reset or finish: RRL, FRL 0 */
	id->lbafe[0].zsze = cpu_to_le64(z->p.zone_size);
	id->lbafe[0].zdes = 0;		/* no zone descriptor extensions */
}

void nvmev_zns_id_ctrl(struct nvmev_ctrl *ctrl, struct nvme_id_ctrl_zns *id)
{
	id->zasl = ctrl->zasl;
}

/* ---- Zone Management Send ------------------------------------------------ */

struct send_ctx {
	struct nvmev_ns *ns;
	struct nvmev_req *req;
	struct model_req *m;
	enum model_op op;		/* what each zone costs */
	bool any;
};

/*
 * Called by zns_mgmt_send() for each zone reset or finished: what the
 * media does (an erase, programming the rest) takes time.  The data needs
 * nothing (see the top of the file).
 */
static void zone_changed(void *arg, u64 slba, u64 nlb)
{
	struct send_ctx *s = arg;
	struct nvmev_ns *ns = s->ns;
	u64 zslba = round_down(slba, ns->zones->p.zone_size);

	if (s->op == MODEL_ZONE_RESET)
		nvmev_uncor_clear(ns, zslba, ns->zones->p.zone_size);
	s->m->op = s->op;
	s->m->slba_bytes = zslba << ns->lba_shift;
	s->m->len = ns->zones->p.zone_size << ns->lba_shift;
	nvmev_schedule(ns, s->req, s->m);
	s->any = true;
}

static u16 zone_mgmt_send(struct nvmev_req *req, struct model_req *m)
{
	struct nvme_zone_mgmt_send_cmd *c = &req->cmd.zms;
	struct nvmev_ns *ns = req->ns;
	struct send_ctx s = { .ns = ns, .req = req, .m = m };
	enum zns_status st;

	if (c->select_all & ZMS_ZSASO)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	switch (c->zsa) {
	case NVME_ZONE_RESET:
		s.op = MODEL_ZONE_RESET;
		break;
	case NVME_ZONE_FINISH:
		s.op = MODEL_ZONE_FINISH;
		break;
	default:
		s.op = MODEL_OTHER;
		break;
	}
	st = zns_mgmt_send(ns->zones, c->zsa, le64_to_cpu(c->slba),
			   c->select_all & ZMS_SELECT_ALL, zone_changed, &s);
	if (!s.any) {
		m->op = MODEL_OTHER;
		m->len = 0;
		nvmev_schedule(ns, req, m);
	}
	return NVMEV_ERR_ZNS(st);
}

/* ---- Zone Management Receive --------------------------------------------- */

static u16 zone_mgmt_recv(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	struct nvme_zone_mgmt_recv_cmd *c = &req->cmd.zmr;
	struct nvmev_ns *ns = req->ns;
	u64 len = ((u64)le32_to_cpu(c->numd) + 1) * 4, total = 0;
	struct nvme_zone_report *rep;
	struct zns_desc *d = NULL;
	u32 i, max = 0, copied = 0;
	enum zns_status st;
	u16 ret;

	if (c->zra != NVME_ZRA_ZONE_REPORT)	/* no descriptor extensions */
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	if (len > NVMEV_MAX_XFER)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	if (len > ZONE_REPORT_HDR)
		max = (len - ZONE_REPORT_HDR) / ZONE_DESC_SIZE;
	rep = kvzalloc(max_t(u64, len, ZONE_REPORT_HDR), GFP_KERNEL);
	if (max)
		d = kvmalloc_array(max, sizeof(*d), GFP_KERNEL);
	if (!rep || (max && !d)) {
		ret = NVME_SC_INTERNAL;
		goto out;
	}
	st = zns_report(ns->zones, le64_to_cpu(c->slba), c->zrasf,
			c->pr & NVME_REPORT_ZONE_PARTIAL, d, max, &total,
			&copied);
	if (st) {
		ret = NVMEV_ERR_ZNS(st);
		goto out;
	}
	rep->nr_zones = cpu_to_le64(total);
	for (i = 0; i < copied; i++) {
		struct nvme_zone_descriptor *e = &rep->entries[i];

		e->zt = d[i].type;
		e->zs = d[i].state << 4;
		e->za = d[i].attrs;
		e->zcap = cpu_to_le64(d[i].cap);
		e->zslba = cpu_to_le64(d[i].zslba);
		e->wp = cpu_to_le64(d[i].wp);
	}
	ret = nvmev_dma_xfer(ctrl, &req->cmd, rep, len, true);
out:
	kvfree(d);
	kvfree(rep);
	return ret;
}

/* ---- I/O ------------------------------------------------------------------ */

/* The most zones open and active at once since enable (stats). */
static void note_peaks(struct nvmev_ns *ns)
{
	ns->zones_open_max = max(ns->zones_open_max, zns_nr_open(ns->zones));
	ns->zones_active_max = max(ns->zones_active_max,
				   zns_nr_active(ns->zones));
}

/*
 * A read of [@slba, @slba + @nlb) that reaches beyond the data of a zone
 * gets the data ends of the zones it spans; one of written data gets
 * nothing and is a plain copy.
 */
static u16 read_ends(struct nvmev_ns *ns, struct nvmev_req *req, u64 slba,
		     u64 nlb)
{
	struct zns *z = ns->zones;
	u32 first = slba >> z->zone_shift, last = (slba + nlb - 1) >> z->zone_shift;
	struct nvmev_zone_ends *ze;
	u32 i;

	for (i = first; i <= last; i++)
		if (zns_data_end(z, i) < min(slba + nlb, ((u64)i + 1) << z->zone_shift))
			break;
	if (i > last)
		return NVME_SC_SUCCESS;
	ze = kmalloc(struct_size(ze, end, last - first + 1),
		     GFP_NOWAIT | __GFP_NOWARN);
	if (!ze)
		return NVME_SC_INTERNAL;	/* the host may retry */
	ze->zone_bytes = z->p.zone_size << ns->lba_shift;
	ze->nr = last - first + 1;
	for (i = first; i <= last; i++)
		ze->end[i - first] = zns_data_end(z, i) << ns->lba_shift;
	req->zends = ze;
	return NVME_SC_SUCCESS;
}

/*
 * Reads, writes and Write Zeroes of any namespace (io.c): on a zoned one,
 * writes only at a write pointer and within a zone, which they advance,
 * and reads not of offline zones, returning zeroes beyond the data.
 */
u16 nvmev_zns_check_io(struct nvmev_ns *ns, struct nvmev_req *req, u8 opcode,
		       u64 slba, u64 nlb)
{
	u32 zone;
	u16 st;

	if (!ns->zones)
		return NVME_SC_SUCCESS;
	if (opcode != nvme_cmd_write && opcode != nvme_cmd_write_zeroes &&
	    opcode != nvme_cmd_write_uncor) {
		st = NVMEV_ERR_ZNS(zns_read_check(ns->zones, slba, nlb));
		if (!st && opcode != nvme_cmd_verify)
			st = read_ends(ns, req, slba, nlb);
		return st;
	}
	st = NVMEV_ERR_ZNS(zns_write(ns->zones, slba, nlb, &zone));
	note_peaks(ns);
	return st;
}

/*
 * The data a zoned read returns, in a buffer of req->len bytes to free
 * with kvfree(): the storage up to where each zone's data ended when the
 * read was fetched, zeroes beyond.  NULL without memory.
 */
void *nvmev_zns_read_view(struct nvmev_ns *ns, struct nvmev_req *req)
{
	const struct nvmev_zone_ends *ze = req->zends;
	u64 pos = req->off, end = req->off + req->len;
	unsigned int k;
	u8 *buf;

	buf = kvmalloc(req->len, GFP_KERNEL);
	if (!buf)
		return NULL;
	for (k = 0; k < ze->nr && pos < end; k++) {
		u64 zone_end = min(round_down(pos, ze->zone_bytes) +
				   ze->zone_bytes, end);
		u64 data = clamp(ze->end[k], pos, zone_end);

		memcpy(buf + (pos - req->off), ns->data + pos, data - pos);
		memset(buf + (data - req->off), 0, zone_end - data);
		pos = zone_end;
	}
	return buf;
}

/* ---- The zone commands ---------------------------------------------------- */

static u16 append(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		  struct model_req *m)
{
	struct nvme_command *cmd = &req->cmd;
	struct nvmev_ns *ns = req->ns;
	u64 nlb, lba;
	u16 st;

	if (cmd->common.flags & NVME_CMD_SGL_ALL)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	nlb = (u64)le16_to_cpu(cmd->rw.length) + 1;
	if (nlb << ns->lba_shift > NVMEV_MAX_XFER)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	zns_set_zasl(ns->zones, zasl_lbas(ns));
	st = NVMEV_ERR_ZNS(zns_append(ns->zones, le64_to_cpu(cmd->rw.slba),
				      nlb, &lba));
	if (st)
		return st;
	req->off = lba << ns->lba_shift;
	req->len = nlb << ns->lba_shift;
	req->result = lba;
	m->op = MODEL_WRITE;
	m->fua = (le16_to_cpu(cmd->rw.control) & NVME_RW_FUA) ||
		 !ctrl->feat.wce;
	m->slba_bytes = req->off;
	m->len = req->len;
	nvmev_schedule(ns, req, m);
	return NVME_SC_SUCCESS;
}

static u16 parse_append(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			struct model_req *m)
{
	u16 st = append(ctrl, req, m);

	note_peaks(req->ns);
	return st;
}

static u16 parse_zone_send(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			   struct model_req *m)
{
	u16 st = zone_mgmt_send(req, m);

	note_peaks(req->ns);
	return st;
}

static u16 parse_zone_recv(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			   struct model_req *m)
{
	u16 st;

	if (req->cmd.common.flags & NVME_CMD_SGL_ALL)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	m->op = MODEL_OTHER;
	st = zone_mgmt_recv(ctrl, req);
	if (!st)
		nvmev_schedule(req->ns, req, m);
	return st;
}

/* The ZNS I/O commands, on top of the NVM ones. */
static const struct nvmev_op zns_ops[] = {
	NVMEV_OP(nvme_cmd_zone_append, NVMEV_OP_ZONE_APPEND,
		 NVMEV_OPF_LBA | NVMEV_OPF_HOST_WRITE | NVMEV_OPF_UNITS,
		 NVME_CMD_EFFECTS_LBCC, parse_append, nvmev_exec_write),
	NVMEV_OP(nvme_cmd_zone_mgmt_send, NVMEV_OP_ZONE_SEND, 0,
		 NVME_CMD_EFFECTS_LBCC, parse_zone_send, NULL),
	NVMEV_OP(nvme_cmd_zone_mgmt_recv, NVMEV_OP_ZONE_RECV, NVMEV_OPF_RESV_READ, 0,
		 parse_zone_recv, NULL),
};

const struct nvmev_cmd_set nvmev_zns_cmds = {
	.ops = zns_ops,
	.nr_ops = ARRAY_SIZE(zns_ops),
	.base = &nvmev_nvm_cmds,
};

/* ---- Fault injection and statistics ------------------------------------- */

/*
 * The controller takes zone @zone offline or makes it read only, as a
 * drive does with worn-out media.  The caller holds nvmev_cfg_lock and the
 * namespace is enabled.
 */
int nvmev_zns_fault(struct nvmev_ns *ns, u32 zone, bool offline)
{
	enum zns_status st;

	lockdep_assert_held(&nvmev_cfg_lock);
	if (zone >= zns_nr_zones(ns->zones))
		return -ERANGE;
	nvmev_disp_lock(ns->ctrl);
	st = offline ? zns_set_offline(ns->zones, zone) :
		       zns_set_read_only(ns->zones, zone);
	nvmev_disp_unlock(ns->ctrl);
	return st == ZNS_OK ? 0 : -EINVAL;
}

static ssize_t zns_stats_show(struct nvmev_ns *ns, char *buf, size_t size)
{
	struct zns *z = ns->zones;

	return scnprintf(buf, size,
			 "zones %u\nzone_size %llu\nzone_cap %llu\nzones_open %u\nzones_active %u\nzones_open_max %u\nzones_active_max %u\n",
			 zns_nr_zones(z), z->p.zone_size << ns->lba_shift,
			 z->p.zone_cap << ns->lba_shift, zns_nr_open(z),
			 zns_nr_active(z), ns->zones_open_max,
			 ns->zones_active_max);
}

const struct nvmev_ns_ops nvmev_zns_ns_ops = {
	.name = "zns",
	.csi = NVME_CSI_ZNS,
	.cmds = &nvmev_zns_cmds,
	.keeps_data = false,
	.check = zns_check,
	.start = zns_start,
	.stop = zns_stop,
	.model_start = zns_model_start,
	.stats_show = zns_stats_show,
};
