// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: the I/O path.
 *
 * The dispatcher fetches commands from the I/O submission queues, finds
 * each opcode in the table of its namespace's command set (cmdset.c),
 * runs its parse function, asks the namespace's timing model when it
 * completes, and hands it to the worker that owns the target completion
 * queue.  A worker runs the command's execute function at once (the data
 * moves), keeps the requests ordered by completion time (an rbtree,
 * O(log n)), posts each completion when its time has come and, after each
 * batch, lets irq.c decide about each queue's interrupt.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/hrtimer.h>
#include <linux/delay.h>

#include "nvmev.h"
#include "namespace.h"

/* How long a worker sleeps before looking at a full CQ again. */
#define CQ_FULL_RETRY_NS	(200 * NSEC_PER_USEC)

static struct kmem_cache *req_cache;

int nvmev_req_cache_init(void)
{
	req_cache = KMEM_CACHE(nvmev_req, 0);
	return req_cache ? 0 : -ENOMEM;
}

void nvmev_req_cache_exit(void)
{
	kmem_cache_destroy(req_cache);
}

/* Free @req and drop the references it held on its namespace and controller. */
static void req_free(struct nvmev_req *req)
{
	if (unlikely(req->pl_nr))	/* its data never moved */
		nvmev_pl_void(req);
	if (req->ns)
		atomic_dec(&req->ns->nr_reqs);
	atomic_dec(&req->ctrl->nr_reqs);
	kfree(req->zends);
	kfree(req->ranges);
	kmem_cache_free(req_cache, req);
}

/* ---- Dispatcher side: parse and schedule --------------------------------- */

/*
 * The one way to the timing models: ask the model of @ns when operation
 * @m is done, and let @req complete no earlier.  Parse functions call it
 * once or more (a range list, every namespace, every zone reset).
 */
void nvmev_schedule(struct nvmev_ns *ns, struct nvmev_req *req,
		    struct model_req *m)
{
	/* a broken device (configfs ignore_flush): Flush and FUA are lies */
	if (unlikely(READ_ONCE(ns->ignore_flush))) {
		if (m->op == MODEL_FLUSH)
			return;
		m->fua = false;
	}
	req->done_at = max(req->done_at, ns->model_ops->schedule(ns->model, m));
	if (ns->pl)	/* a volatile cache: what is not durable yet */
		nvmev_pl_schedule(ns, req, m);
}

/*
 * Decide what @req needs: returns an NVMe status, and on success sets the
 * transfer the worker does and the model operation.
 */
static u16 io_parse(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		    struct model_req *m)
{
	struct nvme_command *cmd = &req->cmd;
	u32 nsid = le32_to_cpu(cmd->common.nsid);
	struct nvmev_ns *ns;

	if (cmd->common.flags & (NVME_CMD_FUSE_FIRST | NVME_CMD_FUSE_SECOND))
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);

	ns = nvmev_ns_find(ctrl, nsid);
	req->op = nvmev_op_find(nvmev_ns_cmd_set(ns), cmd->common.opcode);
	if (cmd->common.opcode == nvme_cmd_flush && nsid == NVME_NSID_ALL) {
		nvmev_flush_all(ctrl, req, m);
		return NVME_SC_SUCCESS;
	}
	if (!req->op)
		return NVMEV_ERR(NVME_SC_INVALID_OPCODE);
	if (!ns)	/* every opcode of the table addresses a namespace */
		return NVMEV_ERR(NVME_SC_INVALID_NS);
	req->ns = ns;
	if (unlikely(READ_ONCE(ctrl->ana_blocked))) {
		u16 st = nvmev_ana_io_status(ctrl, ns);

		if (st)
			return st;
	}
	if (unlikely(READ_ONCE(ns->resv.type))) {	/* a reservation */
		u16 st = nvmev_resv_check(ctrl, ns, req->op);

		if (st)
			return st;
	}
	return req->op->parse(ctrl, req, m);
}

/* ---- Worker side: data, ordering, completion ----------------------------- */

/* SMART's host commands and data units */
static void account(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	struct nvmev_stats *s = &ctrl->stats;
	u16 flags = req->op ? req->op->flags : 0;
	bool units = flags & NVMEV_OPF_UNITS;

	if (flags & NVMEV_OPF_HOST_READ) {
		atomic64_inc(&s->host_reads);
		if (units)
			atomic64_add(req->len >> 9, &s->units_read);
	} else if (flags & NVMEV_OPF_HOST_WRITE) {
		atomic64_inc(&s->host_writes);
		if (units)
			atomic64_add(req->len >> 9, &s->units_written);
	}
}

/* Move the data now; the completion waits for the model's time. */
static void do_xfer(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	u16 st = NVME_SC_SUCCESS;

	if (req->op->execute)
		st = req->op->execute(ctrl, req);
	if (unlikely(req->pl_nr))
		nvmev_pl_moved(req);
	req->status = st;
	if (!st)
		account(ctrl, req);
}

static bool req_less(struct rb_node *a, const struct rb_node *b)
{
	struct nvmev_req *x = rb_entry(a, struct nvmev_req, rb);
	struct nvmev_req *y = rb_entry(b, struct nvmev_req, rb);

	return x->done_at < y->done_at ||
	       (x->done_at == y->done_at && x->seq < y->seq);
}

/*
 * Free a request a controller reset made stale before its data moved.  A
 * write to a zoned namespace moved the write pointer when it was fetched,
 * so its LBAs are the zone's data now: they read as zeroes, never as what
 * the zone held before (its host buffer is not to be touched any more).
 */
static void drop_stale(struct nvmev_req *req)
{
	struct nvmev_ns *ns = req->ns;

	if (ns && ns->zones && !req->status &&
	    (req->op->flags & NVMEV_OPF_WRITES_LBAS) == NVMEV_OPF_WRITES_LBAS)
		nvmev_zero_range(req, ns->data + req->off, req->len);
	req_free(req);
}

/* Take requests from the dispatcher, in the order it sent them. */
bool nvmev_worker_take(struct nvmev_worker *w)
{
	struct llist_node *list = llist_del_all(&w->incoming);
	struct nvmev_req *req, *next;

	if (!list)
		return false;
	list = llist_reverse_order(list);
	mutex_lock(&w->lock);
	llist_for_each_entry_safe(req, next, list, ll) {
		if (nvmev_req_stale(req)) {
			drop_stale(req);
			continue;
		}
		if (!req->status)
			do_xfer(req->ctrl, req);
		req->seq = w->seq++;
		rb_add_cached(&req->rb, &w->pending, req_less);
	}
	mutex_unlock(&w->lock);
	return true;
}

/*
 * Free the requests @w holds for @ctrl (all of them when @ctrl is NULL,
 * with the thread stopped).  Requests still in the incoming list are
 * stale and freed by the worker itself: wake it.
 */
void nvmev_worker_drop(struct nvmev_worker *w, struct nvmev_ctrl *ctrl)
{
	struct rb_node *n, *next;

	if (!ctrl) {
		struct llist_node *list = llist_del_all(&w->incoming);
		struct nvmev_req *req, *tmp;

		llist_for_each_entry_safe(req, tmp, list, ll)
			drop_stale(req);
	}
	mutex_lock(&w->lock);
	for (n = rb_first_cached(&w->pending); n; n = next) {
		struct nvmev_req *req = rb_entry(n, struct nvmev_req, rb);

		next = rb_next(n);
		if (ctrl && req->ctrl != ctrl)
			continue;
		rb_erase_cached(n, &w->pending);
		req_free(req);
	}
	mutex_unlock(&w->lock);
	if (ctrl)
		wake_up_process(w->task);
}

/*
 * Post the completion of @req on its CQ and free it.  The caller holds the
 * lock of the worker that owns the CQ, the CQ has room, and @req belongs
 * to the current epoch.
 */
static void complete_one(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	u64 lat = nvmev_now() - req->fetched_at;
	unsigned int stat = req->op ? req->op->stat : NVMEV_OP_OTHER;

	lockdep_assert_held(&ctrl->workers[req->cq->worker]->lock);
	nvmev_stats_account(&ctrl->io_stats, stat, req->len, req->status, lat);
	if (req->ns)
		nvmev_stats_account(&req->ns->stats, stat, req->len,
				    req->status, lat);
	if (req->status) {
		bool has_lba = req->op && (req->op->flags & NVMEV_OPF_LBA);

		nvmev_log_error(ctrl, req->sqid, req->cmd.common.command_id,
				req->status, le32_to_cpu(req->cmd.common.nsid),
				has_lba ? le64_to_cpu(req->cmd.rw.slba) : 0);
	}
	/*
	 * SQHD is the SQ's head now, when the entry is made (NVMe 1.4,
	 * 4.6.1), not when the command was fetched: completions come out of
	 * fetch order, and a head that moves back tells a host that follows
	 * SQHD that slots it had back are taken again.  The SQ outlives its
	 * commands in flight.
	 */
	nvmev_post_cqe(ctrl, req->cq, req->sqid, READ_ONCE(req->sq->head),
		       req->cmd.common.command_id, req->status, req->result);
}

/*
 * The CQs a batch posted to, for their interrupts at its end (irq.c).
 * Only touched under the lock of the worker that owns them, which the
 * batch holds: Delete CQ waits for it before freeing one.
 */
struct cq_set {
	struct nvmev_ctrl *ctrl[8];
	struct nvmev_cq *cq[8];
	unsigned int nr;
	u64 now;
};

/* Remember that @cq had an entry posted; flush the set when it is full. */
static void note_cq(struct cq_set *set, struct nvmev_ctrl *ctrl,
		    struct nvmev_cq *cq)
{
	unsigned int i;

	nvmev_cq_posted(cq, set->now);
	for (i = 0; i < set->nr; i++)
		if (set->cq[i] == cq)
			return;
	if (set->nr == ARRAY_SIZE(set->cq)) {
		nvmev_cq_irq(ctrl, cq, set->now);
		return;
	}
	set->ctrl[set->nr] = ctrl;
	set->cq[set->nr++] = cq;
}

static void cq_set_irqs(struct cq_set *set)
{
	unsigned int i;

	for (i = 0; i < set->nr; i++)
		nvmev_cq_irq(set->ctrl[i], set->cq[i], set->now);
}

/*
 * Post @req's completion, free it and note its CQ's interrupt.  The caller
 * holds the lock of the worker that owns the CQ, and the CQ has room.
 */
static void post_one(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		     struct cq_set *cqs)
{
	struct nvmev_sq *sq = req->sq;

	complete_one(ctrl, req);
	note_cq(cqs, ctrl, req->cq);
	req_free(req);
	/* last touch of the SQ and CQ: Delete SQ waits for this */
	atomic_dec_return_release(&sq->inflight);
}

/*
 * Post every completion of @w that is due.  Returns the time of the next
 * one, or U64_MAX when nothing is pending.
 */
u64 nvmev_worker_complete_due(struct nvmev_worker *w)
{
	u64 next = U64_MAX, now = nvmev_now();
	struct cq_set cqs = { .nr = 0, .now = now };
	struct rb_node *n;

	mutex_lock(&w->lock);
	while ((n = rb_first_cached(&w->pending))) {
		struct nvmev_req *req = rb_entry(n, struct nvmev_req, rb);

		if (nvmev_req_stale(req)) {
			/* from before a reset: its queues are gone */
			rb_erase_cached(n, &w->pending);
			req_free(req);
			continue;
		}
		if (req->done_at > now) {
			next = req->done_at;
			break;
		}
		if (nvmev_cq_full(req->cq, req->ctrl)) {
			/* The host has not consumed yet: look again later. */
			next = now + CQ_FULL_RETRY_NS;
			break;
		}
		rb_erase_cached(n, &w->pending);
		post_one(req->ctrl, req, &cqs);
		w->nr_done++;
	}
	cq_set_irqs(&cqs);
	mutex_unlock(&w->lock);
	return next;
}

static bool worker_idle(struct nvmev_worker *w)
{
	return llist_empty(&w->incoming) && RB_EMPTY_ROOT(&w->pending.rb_root);
}

/*
 * Low queue depth: the dispatcher keeps a command whose worker is idle,
 * moves its data at once and posts the completion itself when it is due.
 * One thread then serves the command instead of two, and no worker has to
 * be woken.  Only the dispatcher touches its tree; posting to a CQ takes
 * the lock of the worker that owns the CQ, so each CQ keeps one writer at
 * a time.
 */
static void keep(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	if (!req->status)
		do_xfer(ctrl, req);
	req->seq = ctrl->kept_seq++;
	rb_add_cached(&req->rb, &ctrl->kept, req_less);
	ctrl->nr_kept++;
}

/* Post the dispatcher's own commands that are due; true if any was. */
static bool io_complete_kept(struct nvmev_ctrl *ctrl)
{
	struct rb_node *n, *next;
	u64 now = nvmev_now();
	struct cq_set cqs = { .nr = 0, .now = now };
	bool posted = false;
	unsigned int i;

	for (n = rb_first_cached(&ctrl->kept); n; n = next) {
		struct nvmev_req *req = rb_entry(n, struct nvmev_req, rb);
		struct nvmev_worker *w = ctrl->workers[req->cq->worker];

		next = rb_next(n);
		if (req->done_at > now)
			break;
		if (!mutex_trylock(&w->lock))
			continue;	/* the worker is posting: next pass */
		if (nvmev_cq_full(req->cq, ctrl)) {
			mutex_unlock(&w->lock);
			continue;
		}
		rb_erase_cached(n, &ctrl->kept);
		ctrl->nr_kept--;
		post_one(ctrl, req, &cqs);
		mutex_unlock(&w->lock);
		posted = true;
	}
	/* their interrupts: nvmev_irq_poll(), next in this pass */
	for (i = 0; i < cqs.nr; i++)
		set_bit(cqs.cq[i]->qid, ctrl->irq_waiting);
	return posted;
}

/*
 * Forget lost commands (fault.c) of @sq (a Delete SQ), of @ns (the
 * namespace goes), or all of them (both NULL: reset, teardown).  Their
 * host commands end by the host's timeout.
 */
void nvmev_io_drop_lost(struct nvmev_ctrl *ctrl, struct nvmev_sq *sq,
			struct nvmev_ns *ns)
{
	struct nvmev_req *req, *tmp;

	/* a controller that is not live has no dispatcher to exclude */
	if (ctrl->disp)
		lockdep_assert_held(&ctrl->disp->lock);
	list_for_each_entry_safe(req, tmp, &ctrl->lost, lost) {
		struct nvmev_sq *rsq = req->sq;

		if ((sq && rsq != sq) || (ns && req->ns != ns))
			continue;
		list_del(&req->lost);
		req_free(req);
		atomic_dec(&rsq->inflight);
	}
}

/*
 * An Abort names a lost command: complete it with Command Abort Requested
 * (the host may retry it).  True if it was one.
 */
bool nvmev_io_abort_lost(struct nvmev_ctrl *ctrl, u16 sqid, u16 cid)
{
	struct nvmev_req *req;

	lockdep_assert_held(&ctrl->disp->lock);
	list_for_each_entry(req, &ctrl->lost, lost) {
		if (req->sqid != sqid || req->cmd.common.command_id != cid)
			continue;
		if (!req->abortable)
			return false;
		list_del(&req->lost);
		req->status = NVME_SC_ABORT_REQ;
		req->done_at = nvmev_now();
		if (llist_add(&req->ll, &ctrl->workers[req->cq->worker]->incoming))
			wake_up_process(ctrl->workers[req->cq->worker]->task);
		return true;
	}
	return false;
}

/* Forget the dispatcher's own commands (controller reset, teardown). */
void nvmev_io_drop_kept(struct nvmev_ctrl *ctrl)
{
	struct rb_node *n;

	while ((n = rb_first_cached(&ctrl->kept))) {
		rb_erase_cached(n, &ctrl->kept);
		req_free(rb_entry(n, struct nvmev_req, rb));
	}
	ctrl->nr_kept = 0;
	nvmev_io_drop_lost(ctrl, NULL, NULL);
}

/* ---- Dispatcher side: fetch ------------------------------------------- */

static void hand_to_worker(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			   unsigned int w)
{
	struct nvmev_worker *worker = ctrl->workers[w];

	if (llist_add(&req->ll, &worker->incoming))
		wake_up_process(worker->task);
}

static bool sq_poll(struct nvmev_ctrl *ctrl, struct nvmev_sq *sq)
{
	struct nvmev_cq *cq = ctrl->cqs[sq->cqid];
	unsigned int fetched = 0;
	u32 tail;

	if (!nvmev_sq_tail(ctrl, sq, &tail))
		return false;

	while (sq->head != tail && fetched < 64) {
		struct nvmev_req *req;
		struct model_req m = { .op = MODEL_OTHER };
		int fault = NVMEV_FAULT_NONE;
		u64 delay = 0;
		u16 st;

		/*
		 * A host only reuses slots it saw completed, so more than a
		 * queue's worth in flight means a host that ignores the
		 * protocol: stop fetching until completions drain.
		 */
		if (atomic_read(&sq->inflight) >= sq->size - 1)
			break;
		req = kmem_cache_alloc(req_cache, GFP_NOWAIT | __GFP_NOWARN);
		if (!req)
			break;		/* try again on the next pass */
		nvmev_sq_fetch(sq, &req->cmd);

		req->ctrl = ctrl;
		req->ns = NULL;
		req->op = NULL;
		req->off = 0;
		req->len = 0;
		req->result = 0;
		req->zends = NULL;
		req->ranges = NULL;
		req->abortable = false;
		req->pl_nr = 0;
		req->sq = sq;
		req->cq = cq;
		req->sqid = sq->qid;
		req->epoch = ctrl->epoch;

		m.now = nvmev_now();
		req->fetched_at = m.now;
		req->done_at = m.now;
		if (unlikely(nvmev_faults_armed(ctrl, &req->cmd)))
			fault = nvmev_fault_cmd(ctrl, req, false, m.now, &delay);
		st = fault == NVMEV_FAULT_NONE ? io_parse(ctrl, req, &m) :
						 req->status;
		if (unlikely(!st && req->ns && req->ns->model_ops->health))
			st = nvmev_fault_media(ctrl, req, &m);
		req->status = st;
		atomic_inc(&ctrl->nr_reqs);
		if (req->ns)
			atomic_inc(&req->ns->nr_reqs);
		if (st)		/* an error completes at once */
			req->done_at = m.now;
		req->done_at += delay;
		fetched++;
		atomic_inc(&sq->inflight);
		if (unlikely(fault == NVMEV_FAULT_LOSE)) {
			list_add_tail(&req->lost, &ctrl->lost);
			continue;
		}
		if (ctrl->nr_kept < NVMEV_MAX_KEPT &&
		    worker_idle(ctrl->workers[cq->worker]))
			keep(ctrl, req);
		else
			hand_to_worker(ctrl, req, cq->worker);
	}
	/* not busy when stalled: the dispatcher may back off to sleeping */
	return fetched;
}

/* Fetch and post; true if anything was done.  *@due: next kept completion. */
bool nvmev_io_poll(struct nvmev_ctrl *ctrl, u64 *due)
{
	struct rb_node *n;
	bool busy = false;
	unsigned int i;

	for (i = 0; i < ctrl->nr_active_sqs; i++)
		busy |= sq_poll(ctrl, ctrl->sqs[ctrl->active_sqs[i]]);
	busy |= io_complete_kept(ctrl);
	busy |= nvmev_irq_poll(ctrl, due);
	n = rb_first_cached(&ctrl->kept);
	if (n)
		*due = min(*due, rb_entry(n, struct nvmev_req, rb)->done_at);
	return busy;
}
