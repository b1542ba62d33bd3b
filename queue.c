// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: submission and completion queues.
 *
 * The queue objects and their lifetime (the admin pair from AQA, ASQ and
 * ACQ when the controller is enabled, I/O queues by Create and Delete
 * commands, every queue dropped by a reset), fetching from an SQ by its
 * tail doorbell, posting to a CQ by its head doorbell, the checks of every
 * doorbell value, and the Error Information log each failed command goes
 * to.  The admin and I/O paths both use these.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/delay.h>

#include "nvmev.h"

/* ---- Doorbells --------------------------------------------------------- */

/*
 * A bad doorbell value of a queue: ignored, and reported (an Error status
 * event) once while the host keeps writing the same value.
 */
static void bad_doorbell(struct nvmev_ctrl *ctrl, u32 *last, const char *what,
			 u16 qid, u32 value)
{
	if (*last == value)
		return;
	*last = value;
	nvmev_async_error(ctrl, NVMEV_AER_ERROR_INVALID_DB_VAL, what, qid, value);
}

/*
 * All doorbells, read by the dispatcher at most every DB_SCAN_NS (a 4 KiB
 * read: not on every pass, which can come every few microseconds), so
 * that a bad value is seen even on a queue with nothing to do: a non-zero
 * doorbell of a queue that does not exist (reported, then cleared), an SQ
 * tail or a CQ head beyond its queue.  Each bad value is reported once.
 */
#define DB_SCAN_NS	(10 * NSEC_PER_MSEC)

void nvmev_scan_doorbells(struct nvmev_ctrl *ctrl)
{
	u32 *db = nvmev_db(ctrl, 0);
	unsigned int i, n = (NVMEV_MSIX_TABLE_OFF - NVME_REG_DBS) / 4;
	u64 now = nvmev_now();

	if (now - ctrl->db_scan_ns < DB_SCAN_NS)
		return;
	ctrl->db_scan_ns = now;
	for (i = 0; i < n; i++) {
		unsigned int qid = i / 2;
		struct nvmev_sq *sq = qid <= NVMEV_MAX_IOQ && !(i & 1) ?
				      ctrl->sqs[qid] : NULL;
		struct nvmev_cq *cq = qid <= NVMEV_MAX_IOQ && (i & 1) ?
				      ctrl->cqs[qid] : NULL;
		u32 v = READ_ONCE(db[i]);

		if (sq) {
			if (v >= sq->size)
				bad_doorbell(ctrl, &sq->db_bad,
					     "invalid SQ tail doorbell value",
					     qid, v);
		} else if (cq) {
			if (v >= cq->size)
				bad_doorbell(ctrl, &cq->db_bad,
					     "invalid CQ head doorbell value",
					     qid, v);
		} else if (v) {
			WRITE_ONCE(db[i], 0);
			nvmev_async_error(ctrl, NVMEV_AER_ERROR_INVALID_DB_REG,
					  i & 1 ? "doorbell write to a CQ that does not exist" :
						  "doorbell write to an SQ that does not exist",
					  qid, v);
		}
	}
}

/* ---- Submission queues ------------------------------------------------- */

/*
 * The tail the host rang for @sq, when the queue holds commands not yet
 * fetched: true, and the entries before *@tail are visible.  False for an
 * empty queue, or a tail beyond the queue (ignored, reported once).
 */
bool nvmev_sq_tail(struct nvmev_ctrl *ctrl, struct nvmev_sq *sq, u32 *tail)
{
	u32 t = READ_ONCE(*nvmev_db(ctrl, 2 * sq->qid));

	if (unlikely(t >= sq->size)) {
		bad_doorbell(ctrl, &sq->db_bad, "invalid SQ tail doorbell value",
			     sq->qid, t);
		return false;
	}
	if (t == sq->head)
		return false;
	dma_rmb();	/* entries written before the doorbell are visible */
	*tail = t;
	return true;
}

/*
 * Copy the command at the head of @sq out of host memory and move on.  The
 * workers read the head when they post a completion (its SQHD).
 */
void nvmev_sq_fetch(struct nvmev_sq *sq, struct nvme_command *cmd)
{
	memcpy(cmd, &sq->cmds[sq->head], sizeof(*cmd));
	WRITE_ONCE(sq->head, (sq->head + 1) % sq->size);
}

/* ---- Completion queues ------------------------------------------------- */

/*
 * Take the host's CQ head doorbell.  A head beyond the queue (reported by
 * nvmev_scan_doorbells()) or past the entries posted (reported here, once)
 * is ignored.  Called by the one thread that posts to @cq at a time.
 */
static void cq_update_head(struct nvmev_ctrl *ctrl, struct nvmev_cq *cq,
			   u32 head)
{
	u32 posted = (cq->tail + cq->size - cq->head) % cq->size;

	if (head >= cq->size)
		return;
	if ((head + cq->size - cq->head) % cq->size <= posted) {
		cq->head = head;
		return;
	}
	bad_doorbell(ctrl, &cq->db_bad, "invalid CQ head doorbell value",
		     cq->qid, head);
}

bool nvmev_cq_full(struct nvmev_cq *cq, struct nvmev_ctrl *ctrl)
{
	u32 head = READ_ONCE(*nvmev_db(ctrl, 2 * cq->qid + 1));

	if (head != cq->head)
		cq_update_head(ctrl, cq, head);
	return (cq->tail + 1) % cq->size == cq->head;
}

void nvmev_post_cqe(struct nvmev_ctrl *ctrl, struct nvmev_cq *cq,
		    u16 sqid, u16 sq_head, u16 cid, u16 status, u64 result)
{
	struct nvme_completion *e = &cq->cqes[cq->tail];

	e->result.u64 = cpu_to_le64(result);
	e->sq_head = cpu_to_le16(sq_head);
	e->sq_id = cpu_to_le16(sqid);
	e->command_id = cid;
	/* the phase bit tells the host the entry is valid: write it last */
	dma_wmb();
	WRITE_ONCE(e->status, cpu_to_le16((status << 1) | cq->phase));
	if (++cq->tail == cq->size) {
		cq->tail = 0;
		cq->phase ^= 1;
	}
}

/* ---- Error Information log --------------------------------------------- */

void nvmev_log_error(struct nvmev_ctrl *ctrl, u16 sqid, u16 cid, u16 status,
		     u32 nsid, u64 lba)
{
	struct nvme_error_slot *e;
	unsigned long flags;

	spin_lock_irqsave(&ctrl->errlog_lock, flags);
	e = &ctrl->errlog[ctrl->err_count % (NVMEV_ELPE + 1)];
	memset(e, 0, sizeof(*e));
	ctrl->err_count++;
	if (((status >> 8) & 7) == 2)	/* Media and Data Integrity Errors */
		ctrl->media_errors++;
	e->error_count = cpu_to_le64(ctrl->err_count);
	e->sqid = cpu_to_le16(sqid);
	e->cmdid = (__force __le16)cid;	/* the host's value, as it sent it */
	e->status_field = cpu_to_le16(status << 1);
	e->param_error_location = cpu_to_le16(0xffff);
	e->lba = cpu_to_le64(lba);
	e->nsid = cpu_to_le32(nsid);
	spin_unlock_irqrestore(&ctrl->errlog_lock, flags);
}

/* ---- Lifetime ---------------------------------------------------------- */

/*
 * Queues are created, deleted and dropped by the dispatcher between two of
 * its polling passes, under its lock; the workers see them only through
 * the requests of the current epoch.
 */

static struct nvmev_sq *sq_alloc(void *mem, u32 size, u16 qid, u16 cqid)
{
	struct nvmev_sq *sq = kzalloc(sizeof(*sq), GFP_KERNEL);

	if (!sq)
		return NULL;
	sq->cmds = mem;
	sq->size = size;
	sq->qid = qid;
	sq->cqid = cqid;
	atomic_set(&sq->inflight, 0);
	sq->db_bad = ~0U;
	return sq;
}

static struct nvmev_cq *cq_alloc(void *mem, u32 size, u16 qid, bool ien,
				 u16 vector)
{
	struct nvmev_cq *cq = kzalloc(sizeof(*cq), GFP_KERNEL);

	if (!cq)
		return NULL;
	cq->cqes = mem;
	cq->size = size;
	cq->qid = qid;
	cq->phase = 1;
	cq->ien = ien;
	cq->vector = vector;
	cq->db_bad = ~0U;
	return cq;
}

/*
 * The admin queues, from the values of AQA, ASQ and ACQ: 0, or -EINVAL
 * (said why) or -ENOMEM.
 */
int nvmev_admin_queues_create(struct nvmev_ctrl *ctrl, u32 aqa, u64 asq,
			      u64 acq)
{
	u32 sqs = (aqa & 0xfff) + 1, cqs = ((aqa >> 16) & 0xfff) + 1;
	void *sq_mem, *cq_mem;
	struct nvmev_sq *sq;
	struct nvmev_cq *cq;

	lockdep_assert_held(&ctrl->disp->lock);
	if (sqs < 2 || cqs < 2 || (asq | acq) & (NVMEV_PAGE_SIZE - 1)) {
		pr_warn_ratelimited("%s: invalid admin queue attributes: AQA %#x ASQ %#llx ACQ %#llx\n",
				    ctrl->name, aqa, asq, acq);
		return -EINVAL;
	}
	sq_mem = nvmev_host_va(ctrl, asq, (size_t)sqs * sizeof(struct nvme_command));
	cq_mem = nvmev_host_va(ctrl, acq, (size_t)cqs * sizeof(struct nvme_completion));
	if (!sq_mem || !cq_mem) {
		pr_warn_ratelimited("%s: admin queues at ASQ %#llx ACQ %#llx are not host memory\n",
				    ctrl->name, asq, acq);
		return -EINVAL;
	}
	sq = sq_alloc(sq_mem, sqs, 0, 0);
	cq = cq_alloc(cq_mem, cqs, 0, true, 0);
	if (!sq || !cq) {
		kfree(sq);
		kfree(cq);
		return -ENOMEM;
	}
	cq->nr_sqs = 1;
	ctrl->sqs[0] = sq;
	ctrl->cqs[0] = cq;
	return 0;
}

/* Every queue, admin and I/O (controller reset). */
void nvmev_queues_free(struct nvmev_ctrl *ctrl)
{
	unsigned int i;

	lockdep_assert_held(&ctrl->disp->lock);
	for (i = 0; i <= NVMEV_MAX_IOQ; i++) {
		kfree(ctrl->sqs[i]);
		ctrl->sqs[i] = NULL;
		kfree(ctrl->cqs[i]);
		ctrl->cqs[i] = NULL;
	}
	ctrl->nr_active_sqs = 0;
	ctrl->nr_sqs_deleting = 0;
	bitmap_zero(ctrl->irq_waiting, NVMEV_MAX_IOQ + 1);
}

/*
 * The host memory of a physically contiguous queue: page aligned, and
 * memory the device may use (dma.c), checked once here for its lifetime.
 */
static u16 queue_mem(struct nvmev_ctrl *ctrl, u64 prp1, size_t len, void **va)
{
	if (prp1 & (NVMEV_PAGE_SIZE - 1))
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	*va = nvmev_host_va(ctrl, prp1, len);
	return *va ? NVME_SC_SUCCESS : NVMEV_ERR(NVME_SC_DATA_XFER_ERROR);
}

u16 nvmev_create_cq(struct nvmev_ctrl *ctrl, const struct nvme_create_cq *c)
{
	u16 qid = le16_to_cpu(c->cqid), flags = le16_to_cpu(c->cq_flags);
	u16 vector = le16_to_cpu(c->irq_vector);
	u32 size = le16_to_cpu(c->qsize) + 1;
	u32 ncqa = (ctrl->feat.nr_queues >> 16) + 1;
	struct nvmev_cq *cq;
	void *mem;
	u16 st;

	lockdep_assert_held(&ctrl->disp->lock);
	if (qid == 0 || qid > ncqa || ctrl->cqs[qid])
		return NVMEV_ERR(NVME_SC_QID_INVALID);
	if (size < 2 || size > NVMEV_MQES + 1)
		return NVMEV_ERR(NVME_SC_QUEUE_SIZE);
	if (!(flags & NVME_QUEUE_PHYS_CONTIG) ||
	    ((ctrl->cc >> NVME_CC_IOCQES_SHIFT) & 0xf) != NVME_NVM_IOCQES)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	if ((flags & NVME_CQ_IRQ_ENABLED) && vector >= NVMEV_NR_VECTORS)
		return NVMEV_ERR(NVME_SC_INVALID_VECTOR);
	st = queue_mem(ctrl, le64_to_cpu(c->prp1),
		       size * sizeof(struct nvme_completion), &mem);
	if (st)
		return st;
	cq = cq_alloc(mem, size, qid, flags & NVME_CQ_IRQ_ENABLED, vector);
	if (!cq)
		return NVME_SC_INTERNAL;
	cq->worker = (qid - 1) % ctrl->nr_workers;
	/* a queue starts at head 0, whatever an earlier one left there */
	WRITE_ONCE(*nvmev_db(ctrl, 2 * qid + 1), 0);
	ctrl->cqs[qid] = cq;
	return NVME_SC_SUCCESS;
}

u16 nvmev_create_sq(struct nvmev_ctrl *ctrl, const struct nvme_create_sq *c)
{
	u16 qid = le16_to_cpu(c->sqid), cqid = le16_to_cpu(c->cqid);
	u16 flags = le16_to_cpu(c->sq_flags);
	u32 size = le16_to_cpu(c->qsize) + 1;
	u32 nsqa = (ctrl->feat.nr_queues & 0xffff) + 1;
	struct nvmev_sq *sq;
	void *mem;
	u16 st;

	lockdep_assert_held(&ctrl->disp->lock);
	if (qid == 0 || qid > nsqa || ctrl->sqs[qid])
		return NVMEV_ERR(NVME_SC_QID_INVALID);
	if (cqid == 0 || cqid > NVMEV_MAX_IOQ || !ctrl->cqs[cqid])
		return NVMEV_ERR(NVME_SC_CQ_INVALID);
	if (size < 2 || size > NVMEV_MQES + 1)
		return NVMEV_ERR(NVME_SC_QUEUE_SIZE);
	if (!(flags & NVME_QUEUE_PHYS_CONTIG) ||
	    ((ctrl->cc >> NVME_CC_IOSQES_SHIFT) & 0xf) != NVME_NVM_IOSQES)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	st = queue_mem(ctrl, le64_to_cpu(c->prp1),
		       size * sizeof(struct nvme_command), &mem);
	if (st)
		return st;
	sq = sq_alloc(mem, size, qid, cqid);
	if (!sq)
		return NVME_SC_INTERNAL;
	/* a queue starts at tail 0: never replay an earlier queue's value */
	WRITE_ONCE(*nvmev_db(ctrl, 2 * qid), 0);
	ctrl->cqs[cqid]->nr_sqs++;
	ctrl->sqs[qid] = sq;
	ctrl->active_sqs[ctrl->nr_active_sqs++] = qid;
	return NVME_SC_SUCCESS;
}

static void sq_deactivate(struct nvmev_ctrl *ctrl, u16 qid)
{
	unsigned int i;

	for (i = 0; i < ctrl->nr_active_sqs; i++) {
		if (ctrl->active_sqs[i] == qid) {
			ctrl->active_sqs[i] =
				ctrl->active_sqs[--ctrl->nr_active_sqs];
			break;
		}
	}
}

static void sq_free(struct nvmev_ctrl *ctrl, u16 qid)
{
	struct nvmev_sq *sq = ctrl->sqs[qid];

	ctrl->cqs[sq->cqid]->nr_sqs--;
	ctrl->sqs[qid] = NULL;
	WRITE_ONCE(*nvmev_db(ctrl, 2 * qid), 0);
	kfree(sq);
}

/*
 * The SQ stops being fetched at once.  Its commands already fetched
 * complete first (the spec lets a controller complete or abort them); when
 * some are in flight, the command is held and completed by
 * nvmev_sq_deletes_poll() once they are, so the dispatcher never waits.
 */
u16 nvmev_delete_sq(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	u16 qid = le16_to_cpu(req->cmd.delete_queue.qid);
	struct nvmev_sq *sq;

	lockdep_assert_held(&ctrl->disp->lock);
	if (qid == 0 || qid > NVMEV_MAX_IOQ || !ctrl->sqs[qid] ||
	    ctrl->sqs[qid]->deleting)
		return NVMEV_ERR(NVME_SC_QID_INVALID);
	sq = ctrl->sqs[qid];
	sq_deactivate(ctrl, qid);
	nvmev_io_drop_lost(ctrl, sq, NULL);	/* aborted with their SQ */
	if (!atomic_read_acquire(&sq->inflight)) {
		sq_free(ctrl, qid);
		return NVME_SC_SUCCESS;
	}
	sq->deleting = true;
	sq->del_cid = req->cmd.common.command_id;
	sq->del_until = nvmev_now() + NVMEV_SQ_DELETE_WAIT_NS;
	ctrl->nr_sqs_deleting++;
	req->hold = true;
	return NVME_SC_SUCCESS;
}

/* Complete a held Delete SQ whose commands drained, or that waited too long. */
static bool sq_delete_done(struct nvmev_ctrl *ctrl, u16 qid, u64 now)
{
	struct nvmev_sq *sq = ctrl->sqs[qid];
	u16 cid = sq->del_cid, st = NVME_SC_SUCCESS;

	if (atomic_read_acquire(&sq->inflight)) {
		if (now < sq->del_until)
			return false;
		pr_warn("%s: SQ %u not deleted: commands still in flight\n",
			ctrl->name, qid);
		st = NVME_SC_INTERNAL;
		sq->deleting = false;
		ctrl->active_sqs[ctrl->nr_active_sqs++] = qid;
		atomic64_inc(&ctrl->admin_errors);
		nvmev_log_error(ctrl, 0, cid, st, 0, 0);
	} else {
		sq_free(ctrl, qid);
	}
	ctrl->nr_sqs_deleting--;
	nvmev_post_cqe(ctrl, ctrl->cqs[0], 0, ctrl->sqs[0]->head, cid, st, 0);
	return true;
}

/* Post the held Delete SQ commands that are done; true if any was. */
bool nvmev_sq_deletes_poll(struct nvmev_ctrl *ctrl)
{
	unsigned int qid, left = ctrl->nr_sqs_deleting;
	bool posted = false;
	u64 now;

	lockdep_assert_held(&ctrl->disp->lock);
	if (!left)
		return false;
	now = nvmev_now();
	for (qid = 1; qid <= NVMEV_MAX_IOQ && left; qid++) {
		if (!ctrl->sqs[qid] || !ctrl->sqs[qid]->deleting)
			continue;
		left--;
		if (nvmev_cq_full(ctrl->cqs[0], ctrl))
			break;
		posted |= sq_delete_done(ctrl, qid, now);
	}
	if (posted)
		nvmev_signal_irq(ctrl, 0);
	return posted;
}

u16 nvmev_delete_cq(struct nvmev_ctrl *ctrl, u16 qid)
{
	lockdep_assert_held(&ctrl->disp->lock);
	if (qid == 0 || qid > NVMEV_MAX_IOQ || !ctrl->cqs[qid])
		return NVMEV_ERR(NVME_SC_QID_INVALID);
	if (ctrl->cqs[qid]->nr_sqs)
		return NVMEV_ERR(NVME_SC_INVALID_QUEUE);
	/*
	 * Its SQs are gone, and a worker looks at a CQ only before it drops
	 * an SQ's in-flight count; wait for any worker still in that pass
	 * all the same, as the memory is freed next.
	 */
	nvmev_workers_sync(ctrl);
	clear_bit(qid, ctrl->irq_waiting);
	kfree(ctrl->cqs[qid]);
	ctrl->cqs[qid] = NULL;
	WRITE_ONCE(*nvmev_db(ctrl, 2 * qid + 1), 0);
	return NVME_SC_SUCCESS;
}
