// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: Namespace Management and Namespace Attachment from the host.
 *
 * The host creates, deletes, attaches and detaches namespaces of its NVM
 * subsystem, as configfs does from the outside (docs/configfs.md).  These
 * commands sleep (nvmev_cfg_lock, configfs, zeroing the new storage), so
 * the dispatcher does not run them: it copies the command and its data,
 * hands it to a work item and fetches no other admin command of that
 * controller until the work is done; on a later pass it sends the data
 * and posts the completion.  A reset in between ends the session: the
 * work finishes, and its completion is dropped (the epoch changed).
 *
 * A created namespace is of type nvm with the default preset, 512-byte
 * LBAs, attached to no controller; it appears in configfs as
 * <ctrl>/namespaces/<nsid>/ of the controller that created it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "nvmev.h"
#include "namespace.h"

#define NSM_SEL_CREATE		0
#define NSM_SEL_DELETE		1
#define NSM_SEL_ATTACH		0
#define NSM_SEL_DETACH		1
#define NSM_LBA_SHIFT		9	/* the one LBA format offered: 512 B */
#define NSM_MAX_IDS		2047	/* controller IDs in a Controller List */

/* One Namespace Management work at a time, across controllers */
static DEFINE_MUTEX(nsm_mutex);

/*
 * The allocated namespace @nsid of @ctrl's subsystem (enabled, configured
 * under any of its controllers), or NULL.  Under nvmev_cfg_lock.
 */
static struct nvmev_ns *allocated_ns(struct nvmev_ctrl *ctrl, u32 nsid)
{
	struct nvmev_ctrl *c;

	lockdep_assert_held(&nvmev_cfg_lock);
	if (!nsid || nsid > NVMEV_MAX_NS)
		return NULL;
	list_for_each_entry(c, &nvmev_ctrls, node) {
		struct nvmev_ns *ns = c->ns_cfg[nsid - 1];

		if (ns && ns->enabled && nvmev_same_subsys(c, ctrl))
			return ns;
	}
	return NULL;
}

/*
 * The lowest NSID that no controller of the subsystem has attached or
 * configured, or 0.  Under nvmev_cfg_lock.
 */
static u32 free_nsid(struct nvmev_ctrl *ctrl)
{
	struct nvmev_ctrl *c;
	unsigned int i;

	for (i = 0; i < NVMEV_MAX_NS; i++) {
		bool used = false;

		list_for_each_entry(c, &nvmev_ctrls, node)
			if (nvmev_same_subsys(c, ctrl))
				used |= c->ns[i] || c->ns_cfg[i];
		if (!used)
			return i + 1;
	}
	return 0;
}

/* ---- Namespace Management ------------------------------------------------ */

static u16 ns_create(struct nvmev_ctrl *ctrl, struct nvmev_nsm *d)
{
	const struct nvme_id_ns *id = (const void *)d->buf;
	u8 csi = le32_to_cpu(d->cmd.common.cdw11) >> 24;
	u64 nsze = le64_to_cpu(id->nsze), bytes;
	struct nvmev_ns *ns;
	u32 nsid;
	int ret;

	if (csi != NVME_CSI_NVM)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	/* FLBAS bits 3:0 and 6:5: the format index; only format 0 exists */
	if (id->flbas & 0x6f)
		return NVMEV_ERR(NVME_SC_INVALID_FORMAT);
	if (id->dps || (id->nmic & ~NVME_NS_NMIC_SHARED) ||
	    id->nvmsetid || id->endgid || !nsze)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	/* ANA group: 0 lets the controller choose (group 1) */
	if (le32_to_cpu(id->anagrpid) > NVMEV_MAX_NS)
		return NVMEV_ERR(NVME_SC_ANA_GROUP_ID_INVALID);
	if (le64_to_cpu(id->ncap) != nsze)
		return NVMEV_ERR(NVME_SC_THIN_PROV_NOT_SUPP);
	if (nsze > nvmev_pool_size() >> NSM_LBA_SHIFT)
		return NVMEV_ERR(NVME_SC_NS_INSUFFICIENT_CAP);
	bytes = nsze << NSM_LBA_SHIFT;
	if (!IS_ALIGNED(bytes, SZ_1M))	/* the pool's unit */
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);

	mutex_lock(&nvmev_cfg_lock);
	nsid = free_nsid(ctrl);
	if (!nsid) {
		mutex_unlock(&nvmev_cfg_lock);
		return NVMEV_ERR(NVME_SC_NS_ID_UNAVAILABLE);
	}
	ns = nvmev_ns_alloc(ctrl, nsid);
	if (!ns) {
		mutex_unlock(&nvmev_cfg_lock);
		return NVME_SC_INTERNAL;
	}
	ns->cfg.size = bytes;
	ns->cfg.lba_shift = NSM_LBA_SHIFT;
	ns->host_created = true;	/* attached by Namespace Attachment */
	if (id->anagrpid)
		ns->anagrpid = le32_to_cpu(id->anagrpid);
	ctrl->ns_cfg[nsid - 1] = ns;
	ret = nvmev_ns_enable(ns);
	if (ret) {
		ctrl->ns_cfg[nsid - 1] = NULL;
		mutex_unlock(&nvmev_cfg_lock);
		nvmev_ns_free(ns);
		return ret == -ENOSPC ? NVMEV_ERR(NVME_SC_NS_INSUFFICIENT_CAP) :
					NVME_SC_INTERNAL;
	}
	mutex_unlock(&nvmev_cfg_lock);

	/* configfs takes its own locks: not under nvmev_cfg_lock */
	ret = nvmev_configfs_add_ns(ns);
	if (ret) {
		pr_err("%s/%u: cannot add the namespace to configfs (%d)\n",
		       ctrl->name, nsid, ret);
		mutex_lock(&nvmev_cfg_lock);
		nvmev_ns_disable(ns);
		ctrl->ns_cfg[nsid - 1] = NULL;
		mutex_unlock(&nvmev_cfg_lock);
		nvmev_ns_free(ns);
		return NVME_SC_INTERNAL;
	}
	pr_info("%s: the host created namespace %u (%llu MiB)\n", ctrl->name,
		nsid, bytes >> 20);
	d->result = nsid;
	return NVME_SC_SUCCESS;
}

/* nvmev0's namespace 1 (the module's own) stays, as rmdir refuses it. */
static bool ns_fixed(const struct nvmev_ns *ns)
{
	return ns->ctrl->persistent && ns->nsid == 1;
}

/*
 * Delete @ns, found under the same hold of nvmev_cfg_lock: detached from
 * every controller, its storage back in the pool.  True if the host
 * created it: then the caller removes it from configfs.  One configfs
 * created stays there, disabled; once the lock is dropped an rmdir of its
 * directory may free it, so it is not touched after this.
 */
static bool ns_delete_locked(struct nvmev_ns *ns)
{
	lockdep_assert_held(&nvmev_cfg_lock);
	nvmev_ns_disable(ns);
	pr_info("%s: the host deleted namespace %u\n", ns->ctrl->name,
		ns->nsid);
	return ns->host_created;
}

/*
 * A namespace the host created leaves configfs.  Under nsm_mutex, not
 * under nvmev_cfg_lock: an rmdir of its directory is refused (EPERM) and
 * one of its controller's waits for nsm_mutex, so @ns stays.
 */
static void ns_remove_created(struct nvmev_ns *ns)
{
	/* no attribute write runs once this returns */
	nvmev_configfs_remove_ns(ns);
	mutex_lock(&nvmev_cfg_lock);
	nvmev_ns_disable(ns);		/* enabled again through configfs */
	ns->ctrl->ns_cfg[ns->nsid - 1] = NULL;
	mutex_unlock(&nvmev_cfg_lock);
	nvmev_configfs_put_ns(ns);
}

/*
 * Delete allocated namespace @nsid (1..NVMEV_MAX_NS) of @ctrl's subsystem.
 * Status, with @all: absent is no error.
 */
static u16 ns_delete_nsid(struct nvmev_ctrl *ctrl, u32 nsid, bool all)
{
	struct nvmev_ns *ns;
	bool created;

	mutex_lock(&nvmev_cfg_lock);
	ns = allocated_ns(ctrl, nsid);
	if (!ns || ns_fixed(ns)) {
		mutex_unlock(&nvmev_cfg_lock);
		if (!ns)
			return all ? NVME_SC_SUCCESS :
				     NVMEV_ERR(NVME_SC_INVALID_NS);
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	}
	created = ns_delete_locked(ns);
	mutex_unlock(&nvmev_cfg_lock);
	if (created)
		ns_remove_created(ns);
	return NVME_SC_SUCCESS;
}

static u16 ns_delete(struct nvmev_ctrl *ctrl, u32 nsid)
{
	u16 st = NVME_SC_SUCCESS, one;
	unsigned int i;

	if (nsid != NVME_NSID_ALL) {
		if (!nsid || nsid > NVMEV_MAX_NS)
			return NVMEV_ERR(NVME_SC_INVALID_NS);
		return ns_delete_nsid(ctrl, nsid, false);
	}
	/* every allocated namespace; nvmev0's namespace 1 stays */
	for (i = 1; i <= NVMEV_MAX_NS; i++) {
		one = ns_delete_nsid(ctrl, i, true);
		if (one)
			st = one;
	}
	return st;
}

/* ---- Namespace Attachment ------------------------------------------------ */

static u16 ns_attach_cmd(struct nvmev_ctrl *ctrl, struct nvmev_nsm *d)
{
	struct nvmev_ctrl *to[NVMEV_MAX_CTRLS];
	u32 sel = le32_to_cpu(d->cmd.common.cdw10) & 0xf;
	u32 nsid = le32_to_cpu(d->cmd.common.nsid);
	unsigned int n = get_unaligned_le16(d->buf), i, j;
	struct nvmev_ns *ns;
	u16 st = NVME_SC_SUCCESS;

	if (sel != NSM_SEL_ATTACH && sel != NSM_SEL_DETACH)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	if (nsid == NVME_NSID_ALL)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	if (!nsid || nsid > NVMEV_MAX_NS)
		return NVMEV_ERR(NVME_SC_INVALID_NS);
	/* at least one ID, each a controller of the subsystem, once */
	if (!n || n > NSM_MAX_IDS || n > NVMEV_MAX_CTRLS)
		return NVMEV_ERR(NVME_SC_CTRL_LIST_INVALID);

	mutex_lock(&nvmev_cfg_lock);
	ns = allocated_ns(ctrl, nsid);
	if (!ns) {
		st = NVMEV_ERR(NVME_SC_INVALID_NS);
		goto out;
	}
	for (i = 0; i < n; i++) {
		to[i] = nvmev_subsys_ctrl(ctrl,
					  get_unaligned_le16(d->buf + 2 + 2 * i));
		for (j = 0; to[i] && j < i; j++)
			if (to[j] == to[i])
				to[i] = NULL;
		if (!to[i]) {
			st = NVMEV_ERR(NVME_SC_CTRL_LIST_INVALID);
			goto out;
		}
	}
	/* all or nothing: check every controller first */
	for (i = 0; i < n; i++) {
		struct nvmev_ns *has = to[i]->ns[nsid - 1];

		if (sel == NSM_SEL_ATTACH && has == ns)
			st = NVMEV_ERR(NVME_SC_NS_ALREADY_ATTACHED);
		else if (sel == NSM_SEL_ATTACH && has)
			st = NVMEV_ERR(NVME_SC_NS_ID_UNAVAILABLE);
		else if (sel == NSM_SEL_DETACH && has != ns)
			st = NVMEV_ERR(NVME_SC_NS_NOT_ATTACHED);
		if (st)
			goto out;
	}
	for (i = 0; i < n; i++) {
		if (sel == NSM_SEL_ATTACH)
			nvmev_ns_attach(ns, to[i]);
		else
			nvmev_ns_detach(ns, to[i]);
	}
out:
	mutex_unlock(&nvmev_cfg_lock);
	return st;
}

/* ---- Identify CNS 10h..13h ----------------------------------------------- */

/* CNS 12h (@ns: attached to it) and 13h (@ns NULL): IDs >= @from. */
static void ctrl_list(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns, u16 from,
		      u8 *buf)
{
	unsigned int id, n = 0;

	for (id = max_t(unsigned int, from, 1);
	     id <= NVMEV_MAX_CTRLS && n < NSM_MAX_IDS; id++) {
		struct nvmev_ctrl *c = nvmev_subsys_ctrl(ctrl, id);

		if (c && (!ns || c->ns[ns->nsid - 1] == ns))
			put_unaligned_le16(id, buf + 2 + 2 * n++);
	}
	put_unaligned_le16(n, buf);
}

static u16 nsm_identify(struct nvmev_ctrl *ctrl, struct nvmev_nsm *d)
{
	u32 nsid = le32_to_cpu(d->cmd.identify.nsid);
	u16 cntid = le16_to_cpu(d->cmd.identify.ctrlid);
	struct nvmev_ns *ns;
	unsigned int i, n = 0;
	u16 st = NVME_SC_SUCCESS;

	memset(d->buf, 0, sizeof(d->buf));
	d->out_len = NVME_IDENTIFY_DATA_SIZE;
	mutex_lock(&nvmev_cfg_lock);
	switch (d->cmd.identify.cns) {
	case NVME_ID_CNS_NS_PRESENT_LIST:	/* allocated NSIDs above nsid */
		if (nsid >= NVME_NSID_ALL - 1) {
			st = NVMEV_ERR(NVME_SC_INVALID_NS);
			break;
		}
		for (i = nsid + 1; i <= NVMEV_MAX_NS; i++)
			if (allocated_ns(ctrl, i))
				put_unaligned_le32(i, d->buf + 4 * n++);
		break;
	case NVME_ID_CNS_NS_PRESENT:	/* an allocated namespace */
		if (!nsid || nsid > NVMEV_MAX_NS) {
			st = NVMEV_ERR(NVME_SC_INVALID_NS);
			break;
		}
		ns = allocated_ns(ctrl, nsid);
		if (ns && ns->csi == KV_CSI)	/* not an LBA namespace */
			st = NVMEV_ERR(NVME_SC_INVALID_IO_CMD_SET);
		else if (ns)
			nvmev_fill_id_ns(ns, (struct nvme_id_ns *)d->buf);
		break;
	case NVME_ID_CNS_CTRL_NS_LIST:	/* controllers attached to nsid */
		if (!nsid || nsid > NVMEV_MAX_NS) {
			st = NVMEV_ERR(NVME_SC_INVALID_NS);
			break;
		}
		ns = allocated_ns(ctrl, nsid);
		if (ns)
			ctrl_list(ctrl, ns, cntid, d->buf);
		break;
	default:			/* CNS 13h: the subsystem's controllers */
		ctrl_list(ctrl, NULL, cntid, d->buf);
		break;
	}
	mutex_unlock(&nvmev_cfg_lock);
	return st;
}

/* ---- The work, and the dispatcher's side ----------------------------------- */

static void nsm_work(struct work_struct *work)
{
	struct nvmev_nsm *d = container_of(work, struct nvmev_nsm, work);
	struct nvmev_ctrl *ctrl = container_of(d, struct nvmev_ctrl, nsm);
	u32 sel = le32_to_cpu(d->cmd.common.cdw10) & 0xf;
	u16 st;

	mutex_lock(&nsm_mutex);
	switch (d->cmd.common.opcode) {
	case nvme_admin_ns_mgmt:
		if (sel == NSM_SEL_CREATE)
			st = ns_create(ctrl, d);
		else
			st = ns_delete(ctrl, le32_to_cpu(d->cmd.common.nsid));
		break;
	case nvme_admin_ns_attach:
		st = ns_attach_cmd(ctrl, d);
		break;
	default:
		st = nsm_identify(ctrl, d);
		break;
	}
	mutex_unlock(&nsm_mutex);
	d->status = st;
	/* status, result and buf before done: nvmev_nsm_poll() reads them */
	smp_store_release(&d->done, true);
}

/*
 * On the dispatcher: take @req (Namespace Management, Namespace Attachment,
 * Identify CNS 10h..13h) to complete later.  The data the host sends is
 * read now; a status if the command ends here.
 */
static u16 nsm_defer(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		     bool data_in)
{
	struct nvmev_nsm *d = &ctrl->nsm;
	u16 st;

	if (WARN_ON_ONCE(d->busy))	/* the dispatcher waits for it */
		return NVME_SC_INTERNAL;
	memset(d->buf, 0, sizeof(d->buf));
	if (data_in) {
		st = nvmev_dma_xfer(ctrl, &req->cmd, d->buf, sizeof(d->buf),
				    false);
		if (st)
			return st;
	}
	d->cmd = req->cmd;
	d->epoch = ctrl->epoch;
	d->status = NVME_SC_SUCCESS;
	d->result = 0;
	d->out_len = 0;
	d->done = false;
	d->busy = true;
	req->hold = true;
	queue_work(system_unbound_wq, &d->work);
	return NVME_SC_SUCCESS;
}

u16 nvmev_ns_mgmt(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	u32 sel = le32_to_cpu(req->cmd.common.cdw10) & 0xf;

	if (sel != NSM_SEL_CREATE && sel != NSM_SEL_DELETE)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	return nsm_defer(ctrl, req, sel == NSM_SEL_CREATE);
}

u16 nvmev_ns_attachment(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	return nsm_defer(ctrl, req, true);
}

u16 nvmev_nsm_identify(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	return nsm_defer(ctrl, req, false);
}

/* A command is with the work: fetch no other admin command. */
bool nvmev_nsm_busy(struct nvmev_ctrl *ctrl)
{
	return ctrl->nsm.busy;
}

/*
 * On the dispatcher: post the completion of a finished work, unless a
 * reset ended its session.  True if it posted one.
 */
bool nvmev_nsm_poll(struct nvmev_ctrl *ctrl)
{
	struct nvmev_nsm *d = &ctrl->nsm;
	u16 cid = d->cmd.common.command_id, st;

	/* pairs with nsm_work()'s release: its results are visible */
	if (!d->busy || !smp_load_acquire(&d->done))
		return false;
	if (d->epoch != ctrl->epoch) {
		d->busy = false;	/* the host no longer waits for it */
		return false;
	}
	if (nvmev_cq_full(ctrl->cqs[0], ctrl))
		return false;
	d->busy = false;
	st = d->status;
	if (!st && d->out_len)
		st = nvmev_dma_xfer(ctrl, &d->cmd, d->buf, d->out_len, true);
	if (st) {
		atomic64_inc(&ctrl->admin_errors);
		nvmev_log_error(ctrl, 0, cid, st,
				le32_to_cpu(d->cmd.common.nsid), 0);
	}
	nvmev_post_cqe(ctrl, ctrl->cqs[0], 0, ctrl->sqs[0]->head, cid, st,
		       d->result);
	nvmev_signal_irq(ctrl, 0);
	return true;
}

void nvmev_nsm_init(struct nvmev_ctrl *ctrl)
{
	INIT_WORK(&ctrl->nsm.work, nsm_work);
}

/* Before @ctrl is freed: its work has finished. */
void nvmev_nsm_exit(struct nvmev_ctrl *ctrl)
{
	flush_work(&ctrl->nsm.work);
}

/*
 * @ctrl's directory is removed (rmdir): the namespaces the host created
 * there go with it, their storage back in the pool.  configfs has
 * detached their directories.  Called without nvmev_cfg_lock.
 */
void nvmev_nsm_ctrl_drop(struct nvmev_ctrl *ctrl)
{
	struct nvmev_ns *gone[NVMEV_MAX_NS];
	unsigned int i, n = 0;

	mutex_lock(&nsm_mutex);
	mutex_lock(&nvmev_cfg_lock);
	for (i = 0; i < NVMEV_MAX_NS; i++) {
		struct nvmev_ns *ns = ctrl->ns_cfg[i];

		if (ns && ns->host_created) {
			nvmev_ns_disable(ns);
			ctrl->ns_cfg[i] = NULL;
			gone[n++] = ns;
		}
	}
	mutex_unlock(&nvmev_cfg_lock);
	mutex_unlock(&nsm_mutex);
	for (i = 0; i < n; i++)
		nvmev_configfs_put_ns(gone[i]);
}
