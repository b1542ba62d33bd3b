// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: reservations (NVMe Base Specification 2.0, 8.19), per namespace.
 *
 * The state of each namespace (struct resv of ftl/resv.h) is changed and
 * read on the dispatcher only: the four reservation commands do all their
 * work in their parse function, in fetch order, and the check of every
 * other I/O command is made there too.  A namespace reached through
 * several controllers has one state; the host of a command is the Host
 * Identifier of its controller (Set Features 81h), or the controller
 * itself while that is zero.  No persistence through power loss: the
 * state lives in memory and starts empty whenever the namespace is
 * enabled; a controller reset leaves it as it is.
 */
#include <linux/slab.h>

#include "nvmev.h"
#include "namespace.h"

/* Reservation Report: the header and one registrant, in both formats */
#define RPT_HDR			24
#define RPT_HDR_EXT		64
#define RPT_REG			24
#define RPT_REG_EXT		64

static void host_of(struct nvmev_ctrl *ctrl, struct resv_host *h)
{
	memcpy(h->id, ctrl->hostid, sizeof(h->id));
	h->ext = ctrl->hostid_ext;
	h->cntlid = ctrl->id + 1;
}

static u16 status_of(enum resv_result r)
{
	switch (r) {
	case RESV_OK:
		return NVME_SC_SUCCESS;
	case RESV_CONFLICT:
		return NVMEV_ERR(NVME_SC_RESERVATION_CONFLICT);
	case RESV_INVALID:
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	default:	/* every registrant slot taken */
		return NVMEV_ERR(NVME_SC_INTERNAL);
	}
}

/* CRKEY and the second key (NRKEY, PRKEY) of the command's data */
static u16 get_keys(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		    u64 *keys, unsigned int nr)
{
	__le64 buf[2];
	u16 st;

	if (req->cmd.common.flags & NVME_CMD_SGL_ALL)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	st = nvmev_dma_xfer(ctrl, &req->cmd, buf, nr * sizeof(buf[0]), false);
	if (st)
		return st;
	keys[0] = le64_to_cpu(buf[0]);
	keys[1] = nr > 1 ? le64_to_cpu(buf[1]) : 0;
	return NVME_SC_SUCCESS;
}

u16 nvmev_resv_parse_register(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			      struct model_req *m)
{
	u32 dw10 = le32_to_cpu(req->cmd.common.cdw10);
	unsigned int cptpl = dw10 >> 30;
	struct resv_host h;
	u64 k[2];
	u16 st;

	/* CPTPL 3 asks for persistence through power loss: not offered */
	if (cptpl == 1 || cptpl == 3)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	st = get_keys(ctrl, req, k, 2);
	if (st)
		return st;
	host_of(ctrl, &h);
	return status_of(resv_register(&req->ns->resv, &h, dw10 & 7,
				       dw10 & BIT(3), k[0], k[1]));
}

u16 nvmev_resv_parse_acquire(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			     struct model_req *m)
{
	u32 dw10 = le32_to_cpu(req->cmd.common.cdw10);
	struct resv_host h;
	u64 k[2];
	u16 st;

	st = get_keys(ctrl, req, k, 2);
	if (st)
		return st;
	host_of(ctrl, &h);
	return status_of(resv_acquire(&req->ns->resv, &h, dw10 & 7,
				      (dw10 >> 8) & 0xff, k[0], k[1]));
}

u16 nvmev_resv_parse_release(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			     struct model_req *m)
{
	u32 dw10 = le32_to_cpu(req->cmd.common.cdw10);
	struct resv_host h;
	u64 k[2];
	u16 st;

	st = get_keys(ctrl, req, k, 1);
	if (st)
		return st;
	host_of(ctrl, &h);
	return status_of(resv_release(&req->ns->resv, &h, dw10 & 7,
				      (dw10 >> 8) & 0xff, k[0]));
}

/*
 * Reservation Report: the Reservation Status data structure, in the
 * extended format (EDS, 128-bit host identifiers) or not, cut to NUMD.
 */
u16 nvmev_resv_parse_report(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			    struct model_req *m)
{
	u64 len = ((u64)le32_to_cpu(req->cmd.common.cdw10) + 1) * 4;
	bool eds = le32_to_cpu(req->cmd.common.cdw11) & 1;
	const struct resv *r = &req->ns->resv;
	size_t hdr = eds ? RPT_HDR_EXT : RPT_HDR;
	size_t one = eds ? RPT_REG_EXT : RPT_REG;
	size_t size = hdr + RESV_MAX_REGS * one;
	u8 *buf, *p;
	int i;
	u16 st;

	if (req->cmd.common.flags & NVME_CMD_SGL_ALL)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	for (i = 0; i < RESV_MAX_REGS; i++)
		if (!eds && r->regs[i].used && r->regs[i].host.ext)
			return NVMEV_ERR(NVME_SC_HOST_ID_INCONSIST);
	buf = kzalloc(size, GFP_NOWAIT | __GFP_NOWARN);
	if (!buf)
		return NVME_SC_INTERNAL;
	put_unaligned_le32(r->gen, buf);
	buf[4] = r->type;
	put_unaligned_le16(r->nr, buf + 5);
	/* byte 9, PTPLS: 0, nothing persists through a power loss */
	p = buf + hdr;
	for (i = 0; i < RESV_MAX_REGS; i++) {
		const struct resv_reg *g = &r->regs[i];

		if (!g->used)
			continue;
		put_unaligned_le16(g->host.cntlid, p);
		p[2] = resv_holds(r, i);
		if (eds) {
			put_unaligned_le64(g->rkey, p + 8);
			memcpy(p + 16, g->host.id, 16);
		} else {
			memcpy(p + 8, g->host.id, 8);
			put_unaligned_le64(g->rkey, p + 16);
		}
		p += one;
	}
	req->len = min_t(u64, len, p - buf);
	st = nvmev_dma_xfer(ctrl, &req->cmd, buf, req->len, true);
	kfree(buf);
	return st;
}

/*
 * A command of @op on @ns, which has a reservation: Reservation Conflict
 * unless the reservation allows it to the host of @ctrl.
 */
u16 nvmev_resv_check(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns,
		     const struct nvmev_op *op)
{
	struct resv_host h;

	if (op->flags & NVMEV_OPF_RESV)
		return NVME_SC_SUCCESS;	/* their own rules */
	host_of(ctrl, &h);
	if (resv_allows(&ns->resv, &h, !(op->flags & NVMEV_OPF_RESV_READ)))
		return NVME_SC_SUCCESS;
	return NVMEV_ERR(NVME_SC_RESERVATION_CONFLICT);
}

/* The host of @ctrl is a registrant of a namespace of @ctrl. */
static bool host_registered(struct nvmev_ctrl *ctrl)
{
	struct resv_host h;
	unsigned int i;

	host_of(ctrl, &h);
	for (i = 0; i < NVMEV_MAX_NS; i++)
		if (ctrl->ns[i] && resv_find(&ctrl->ns[i]->resv, &h) >= 0)
			return true;
	return false;
}

/*
 * Feature 81h, Host Identifier: 64 bits, or 128 with EXHID (CDW11 bit 0).
 * A host that is registered somewhere may not change it (Command Sequence
 * Error); read in the other size than it was set, it is Host Identifier
 * Inconsistent Format.
 */
u16 nvmev_resv_hostid_feature(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			      bool set)
{
	bool ext = le32_to_cpu(req->cmd.common.cdw11) & 1;
	size_t len = ext ? 16 : 8;
	u8 id[16] = { 0 };
	u16 st;

	if (req->cmd.common.flags & NVME_CMD_SGL_ALL)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	if (!set) {
		if (memchr_inv(ctrl->hostid, 0, 16) && ext != ctrl->hostid_ext)
			return NVMEV_ERR(NVME_SC_HOST_ID_INCONSIST);
		return nvmev_dma_xfer(ctrl, &req->cmd, ctrl->hostid, len, true);
	}
	st = nvmev_dma_xfer(ctrl, &req->cmd, id, len, false);
	if (st)
		return st;
	if ((memcmp(id, ctrl->hostid, 16) || ext != ctrl->hostid_ext) &&
	    host_registered(ctrl))
		return NVMEV_ERR(NVME_SC_CMD_SEQ_ERROR);
	memcpy(ctrl->hostid, id, 16);
	ctrl->hostid_ext = ext && memchr_inv(id, 0, 16);
	return NVME_SC_SUCCESS;
}
