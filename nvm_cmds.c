// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: the NVM command set.
 *
 * Flush, Read, Write, Compare, Write Zeroes, Dataset Management and
 * Verify: for each a parse function, run by the dispatcher in fetch order
 * (checks the command, fills the model request), and an execute function,
 * run by a worker (or the dispatcher, for a command it keeps) to move the
 * data before the completion is due.  The opcode table at the end says
 * what else the device knows of each (cmdset.c).  Zoned namespaces use
 * these too, with the checks of zoned.c.
 */
#include <linux/slab.h>
#include <linux/sched.h>

#include "nvmev.h"
#include "namespace.h"
#include "fdp.h"

/* ---- LBAs ------------------------------------------------------------- */

static u16 check_range(struct nvmev_ns *ns, u64 slba, u64 nlb)
{
	if (slba >= ns->nr_lbas || nlb > ns->nr_lbas - slba)
		return NVMEV_ERR(NVME_SC_LBA_RANGE);
	return NVME_SC_SUCCESS;
}

/*
 * SLBA and NLB of a command that addresses LBAs: in range, and on a zoned
 * namespace where a zone allows it; sets the byte range of @req.  One that
 * moves data (@xfer: Read, Write, Compare) has PRPs and at most MDTS.
 */
static u16 check_lbas(struct nvmev_req *req, bool xfer)
{
	struct nvme_command *cmd = &req->cmd;
	struct nvmev_ns *ns = req->ns;
	u64 slba = le64_to_cpu(cmd->rw.slba);
	u64 nlb = (u64)le16_to_cpu(cmd->rw.length) + 1;
	u16 st;

	if (xfer && (cmd->common.flags & NVME_CMD_SGL_ALL))
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	st = check_range(ns, slba, nlb);
	if (st)
		return st;
	req->off = slba << ns->lba_shift;
	req->len = nlb << ns->lba_shift;
	if (xfer && req->len > NVMEV_MAX_XFER)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	return nvmev_zns_check_io(ns, req, cmd->common.opcode, slba, nlb);
}

/* Time operation @op on the LBAs of @req. */
static u16 model_lbas(struct nvmev_req *req, struct model_req *m,
		      enum model_op op)
{
	m->op = op;
	m->slba_bytes = req->off;
	m->len = req->len;
	nvmev_schedule(req->ns, req, m);
	return NVME_SC_SUCCESS;
}

/*
 * Zero a range a MiB at a time.  A reset does not wait for a huge range:
 * once the request is stale it stops (its completion is dropped anyway),
 * except on a zoned namespace, where the write pointer already moved over
 * the range when the command was fetched: there it finishes, so that the
 * LBAs read as zeroes and not as a zone's earlier data.
 */
void nvmev_zero_range(struct nvmev_req *req, void *p, u64 len)
{
	bool may_stop = !req->ns->zones;

	while (len && !(may_stop && nvmev_req_stale(req))) {
		u64 n = min_t(u64, len, SZ_1M);

		memset(p, 0, n);
		p += n;
		len -= n;
		cond_resched();
	}
}

/* ---- Write Uncorrectable ---------------------------------------------- */

/*
 * LBAs marked by Write Uncorrectable read as Unrecovered Read Error until
 * they are written again (Write, Write Zeroes, Deallocate, a zone reset).
 * One bit per LBA, made by the first Write Uncorrectable and kept while the
 * namespace is enabled: a namespace that never sees one pays a NULL test
 * per command.  The marks are not kept across a reload (the data is, and
 * reads as zeroes there).  Namespaces of more than 2^32 LBAs do not take
 * it (Invalid Field).
 */
static void uncor_mark(struct nvmev_ns *ns, u64 slba, u64 nlb, bool set)
{
	/* pairs with parse_write_uncor(): a map seen is a zeroed one */
	unsigned long *map = smp_load_acquire(&ns->uncor);

	if (!map)
		return;
	spin_lock(&ns->uncor_lock);
	if (set)
		bitmap_set(map, slba, nlb);
	else
		bitmap_clear(map, slba, nlb);
	spin_unlock(&ns->uncor_lock);
}

void nvmev_uncor_clear(struct nvmev_ns *ns, u64 slba, u64 nlb)
{
	uncor_mark(ns, slba, nlb, false);
}

/* The map of @ns, made zeroed on first use; NULL if it cannot be. */
static unsigned long *uncor_map(struct nvmev_ns *ns)
{
	/* pairs with the other readers: a map seen is a zeroed one */
	unsigned long *map = smp_load_acquire(&ns->uncor), *old;

	if (map)
		return map;
	if (ns->nr_lbas > U32_MAX)	/* bitmap_set() counts in 32 bits */
		return NULL;
	map = kvzalloc(BITS_TO_LONGS(ns->nr_lbas) * sizeof(long), GFP_KERNEL);
	if (!map)
		return NULL;
	/* configfs and the dispatcher may race to make it */
	old = cmpxchg_release(&ns->uncor, NULL, map);
	if (old) {
		kvfree(map);
		return old;
	}
	return map;
}

/*
 * Mark @nlb LBAs from @slba uncorrectable, as a bad sector (fault
 * injection): reads fail until they are written.  0 or -errno.
 */
int nvmev_uncor_set(struct nvmev_ns *ns, u64 slba, u64 nlb)
{
	if (!nlb || slba >= ns->nr_lbas || nlb > ns->nr_lbas - slba)
		return -ERANGE;
	if (!uncor_map(ns))
		return ns->nr_lbas > U32_MAX ? -EFBIG : -ENOMEM;
	uncor_mark(ns, slba, nlb, true);
	return 0;
}

/* Whether an LBA @req reads is marked: then the read fails. */
static bool uncor_hit(struct nvmev_req *req)
{
	struct nvmev_ns *ns = req->ns;
	/* pairs with parse_write_uncor(): a map seen is a zeroed one */
	unsigned long *map = smp_load_acquire(&ns->uncor);
	u64 slba = req->off >> ns->lba_shift;
	u64 end = slba + (req->len >> ns->lba_shift);
	bool hit;

	if (likely(!map))
		return false;
	spin_lock(&ns->uncor_lock);
	hit = find_next_bit(map, end, slba) < end;
	spin_unlock(&ns->uncor_lock);
	return hit;
}

static u16 parse_write_uncor(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			     struct model_req *m)
{
	struct nvmev_ns *ns = req->ns;
	u16 st;

	/* before check_lbas(), which moves a zone's write pointer */
	if (ns->nr_lbas > U32_MAX)	/* bitmap_set() counts in 32 bits */
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	if (!uncor_map(ns))
		return NVME_SC_INTERNAL;
	st = check_lbas(req, false);
	if (st)
		return st;
	/* to a model, the LBAs' data is gone, as after Write Zeroes */
	return model_lbas(req, m, MODEL_WRITE_ZEROES);
}

static u16 exec_write_uncor(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	struct nvmev_ns *ns = req->ns;

	nvmev_zero_range(req, ns->data + req->off, req->len);
	uncor_mark(ns, req->off >> ns->lba_shift, req->len >> ns->lba_shift,
		   true);
	return NVME_SC_SUCCESS;
}

static void uncor_clear_req(struct nvmev_req *req)
{
	struct nvmev_ns *ns = req->ns;

	uncor_mark(ns, req->off >> ns->lba_shift, req->len >> ns->lba_shift,
		   false);
}

/* ---- Flush ------------------------------------------------------------ */

static u16 parse_flush(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		       struct model_req *m)
{
	m->op = MODEL_FLUSH;
	nvmev_schedule(req->ns, req, m);
	return NVME_SC_SUCCESS;
}

/* Flush of every namespace (NSID FFFFFFFFh): done when the last one is. */
void nvmev_flush_all(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		     struct model_req *m)
{
	unsigned int i;

	m->op = MODEL_FLUSH;
	for (i = 0; i < NVMEV_MAX_NS; i++)
		if (ctrl->ns[i])
			nvmev_schedule(ctrl->ns[i], req, m);
}

/* ---- Read, Compare ---------------------------------------------------- */

static u16 parse_read(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		      struct model_req *m)
{
	u16 st = check_lbas(req, true);

	return st ? st : model_lbas(req, m, MODEL_READ);
}

/*
 * A read of a zoned namespace beyond the data of a zone: the host gets (or
 * compares with) the data up to where it ended and zeroes beyond.
 */
static u16 read_zoned(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		      bool compare)
{
	void *view = nvmev_zns_read_view(req->ns, req);
	u16 st;

	if (!view)
		return NVME_SC_INTERNAL;
	if (compare)
		st = nvmev_dma_cmp(ctrl, &req->cmd, view, req->len);
	else
		st = nvmev_dma_xfer(ctrl, &req->cmd, view, req->len, true);
	kvfree(view);
	return st;
}

static u16 exec_read(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	if (unlikely(uncor_hit(req)))
		return NVMEV_ERR(NVME_SC_READ_ERROR);
	if (unlikely(req->zends))
		return read_zoned(ctrl, req, false);
	return nvmev_dma_xfer(ctrl, &req->cmd, req->ns->data + req->off,
			      req->len, true);
}

static u16 exec_compare(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	if (unlikely(uncor_hit(req)))
		return NVMEV_ERR(NVME_SC_READ_ERROR);
	if (unlikely(req->zends))
		return read_zoned(ctrl, req, true);
	return nvmev_dma_cmp(ctrl, &req->cmd, req->ns->data + req->off,
			     req->len);
}

/* ---- Write, Write Zeroes ---------------------------------------------- */

static u16 parse_write(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		       struct model_req *m)
{
	u16 st = nvmev_fdp_dtype_check(req);

	if (!st)
		st = check_lbas(req, true);
	if (st)
		return st;
	nvmev_fdp_place(req, m);
	/* without an enabled cache the host sees, write through */
	m->fua = (le16_to_cpu(req->cmd.rw.control) & NVME_RW_FUA) ||
		 !ctrl->feat.wce;
	return model_lbas(req, m, MODEL_WRITE);
}

/* The data of a Write (or Zone Append) into [off, off + len). */
u16 nvmev_exec_write(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	struct nvmev_ns *ns = req->ns;
	u16 st;

	nvmev_pl_capture(req);	/* what it overwrites, while volatile */
	uncor_clear_req(req);
	st = nvmev_dma_xfer(ctrl, &req->cmd, ns->data + req->off, req->len,
			    false);
	/* the write pointer moved: no earlier data shows there */
	if (unlikely(st && ns->zones))
		nvmev_zero_range(req, ns->data + req->off, req->len);
	return st;
}

static u16 parse_write_zeroes(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			      struct model_req *m)
{
	u16 st = nvmev_fdp_dtype_check(req);

	if (!st)
		st = check_lbas(req, false);
	if (st)
		return st;
	nvmev_fdp_place(req, m);
	return model_lbas(req, m, MODEL_WRITE_ZEROES);
}

static u16 exec_write_zeroes(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	uncor_clear_req(req);
	nvmev_zero_range(req, req->ns->data + req->off, req->len);
	return NVME_SC_SUCCESS;
}

/* ---- Verify ----------------------------------------------------------- */

/* No protection information: verifying reads nothing back. */
static u16 parse_verify(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			struct model_req *m)
{
	u16 st = check_lbas(req, false);

	return st ? st : model_lbas(req, m, MODEL_READ);
}

static u16 exec_verify(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	return uncor_hit(req) ? NVMEV_ERR(NVME_SC_READ_ERROR) :
				NVME_SC_SUCCESS;
}

/* ---- Dataset Management ----------------------------------------------- */

/*
 * Deallocate: the range list is read and checked here, once; the model
 * sees every range (an FTL unmaps them), and the worker zeroes them from
 * the same list (req->ranges).  Without Deallocate, hints only.
 */
static u16 parse_dsm(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		     struct model_req *m)
{
	struct nvme_command *cmd = &req->cmd;
	struct nvmev_ns *ns = req->ns;
	unsigned int i, nr = (le32_to_cpu(cmd->dsm.nr) & 0xff) + 1;
	struct nvme_dsm_range *r;
	u16 st;

	if (cmd->common.flags & NVME_CMD_SGL_ALL)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	req->len = nr * sizeof(*r);
	if (!(le32_to_cpu(cmd->dsm.attributes) & NVME_DSMGMT_AD))
		return model_lbas(req, m, MODEL_OTHER);
	r = kmalloc(req->len, GFP_NOWAIT | __GFP_NOWARN);
	if (!r)
		return NVME_SC_INTERNAL;
	req->ranges = r;
	st = nvmev_dma_xfer(ctrl, cmd, r, req->len, false);
	for (i = 0; !st && i < nr; i++)
		st = check_range(ns, le64_to_cpu(r[i].slba), le32_to_cpu(r[i].nlb));
	m->op = MODEL_DISCARD;
	for (i = 0; !st && i < nr; i++) {
		m->slba_bytes = le64_to_cpu(r[i].slba) << ns->lba_shift;
		m->len = (u64)le32_to_cpu(r[i].nlb) << ns->lba_shift;
		nvmev_schedule(ns, req, m);
	}
	return st;
}

static u16 exec_dsm(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	const struct nvme_dsm_range *r = req->ranges;
	struct nvmev_ns *ns = req->ns;
	unsigned int i, nr = req->len / sizeof(*r);

	for (i = 0; r && i < nr; i++) {
		nvmev_uncor_clear(ns, le64_to_cpu(r[i].slba),
				  le32_to_cpu(r[i].nlb));
		nvmev_zero_range(req, ns->data +
				 (le64_to_cpu(r[i].slba) << ns->lba_shift),
				 (u64)le32_to_cpu(r[i].nlb) << ns->lba_shift);
	}
	return NVME_SC_SUCCESS;
}

/* ---- The table -------------------------------------------------------- */

#define LBA_READ	(NVMEV_OPF_LBA | NVMEV_OPF_HOST_READ | NVMEV_OPF_RESV_READ)
#define LBA_WRITE	(NVMEV_OPF_LBA | NVMEV_OPF_HOST_WRITE)
#define LBCC		NVME_CMD_EFFECTS_LBCC

static const struct nvmev_op nvm_ops[] = {
	NVMEV_OP(nvme_cmd_flush, NVMEV_OP_FLUSH, 0, 0, parse_flush, NULL),
	NVMEV_OP(nvme_cmd_write, NVMEV_OP_WRITE, LBA_WRITE | NVMEV_OPF_UNITS,
		 LBCC, parse_write, nvmev_exec_write),
	NVMEV_OP(nvme_cmd_read, NVMEV_OP_READ, LBA_READ | NVMEV_OPF_UNITS, 0,
		 parse_read, exec_read),
	NVMEV_OP(nvme_cmd_compare, NVMEV_OP_COMPARE,
		 LBA_READ | NVMEV_OPF_UNITS, 0, parse_read, exec_compare),
	NVMEV_OP(nvme_cmd_write_zeroes, NVMEV_OP_WRITE_ZEROES, LBA_WRITE, LBCC,
		 parse_write_zeroes, exec_write_zeroes),
	NVMEV_OP(nvme_cmd_dsm, NVMEV_OP_DSM, 0, LBCC, parse_dsm, exec_dsm),
	NVMEV_OP(nvme_cmd_verify, NVMEV_OP_VERIFY, LBA_READ, 0, parse_verify,
		 exec_verify),
	NVMEV_OP(nvme_cmd_write_uncor, NVMEV_OP_OTHER, NVMEV_OPF_LBA, LBCC,
		 parse_write_uncor, exec_write_uncor),
	/* Flexible Data Placement (fdp.c); FDP Disabled without it */
	NVMEV_OP(NVMEV_CMD_IO_MGMT_RECV, NVMEV_OP_OTHER, NVMEV_OPF_RESV_READ, 0,
		 nvmev_parse_io_mgmt_recv, NULL),
	NVMEV_OP(NVMEV_CMD_IO_MGMT_SEND, NVMEV_OP_OTHER, 0, 0,
		 nvmev_parse_io_mgmt_send, NULL),
	/* Reservations (resv.c): all their work when parsed */
	NVMEV_OP(nvme_cmd_resv_register, NVMEV_OP_OTHER, NVMEV_OPF_RESV, 0,
		 nvmev_resv_parse_register, NULL),
	NVMEV_OP(nvme_cmd_resv_report, NVMEV_OP_OTHER, NVMEV_OPF_RESV, 0,
		 nvmev_resv_parse_report, NULL),
	NVMEV_OP(nvme_cmd_resv_acquire, NVMEV_OP_OTHER, NVMEV_OPF_RESV, 0,
		 nvmev_resv_parse_acquire, NULL),
	NVMEV_OP(nvme_cmd_resv_release, NVMEV_OP_OTHER, NVMEV_OPF_RESV, 0,
		 nvmev_resv_parse_release, NULL),
};

const struct nvmev_cmd_set nvmev_nvm_cmds = {
	.ops = nvm_ops,
	.nr_ops = ARRAY_SIZE(nvm_ops),
};
