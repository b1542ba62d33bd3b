// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: when an I/O completion queue interrupts the host.
 *
 * As on a real controller, a queue's interrupt stays pending from the
 * moment it is raised until the host moves the queue's head doorbell: the
 * host's handler reads every entry it finds, so entries posted meanwhile
 * need no interrupt of their own.  Once the head moves, entries the host
 * has not consumed get a new interrupt at once; entries it has consumed
 * need none.  Under load this batches completions per interrupt; at low
 * depth every completion still interrupts the moment it is posted.
 *
 * On top of that the host may ask for coalescing (Set Features 08h): hold
 * a queue's interrupt until THR + 1 entries wait or the oldest has waited
 * TIME x 100 us, unless its vector disabled coalescing (Feature 09h, CD).
 * The admin queue interrupts at once, as the specification requires.
 *
 * A queue's interrupt state belongs to the lock of the worker that owns
 * it (the only threads posting there hold it).  Queues whose interrupt
 * waits are marked in the controller's irq_waiting bitmap; the dispatcher
 * looks at them on each pass (nvmev_irq_poll) and does not sleep while
 * any waits.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched.h>

#include "nvmev.h"

/*
 * How long a raised interrupt may go without the host moving the head
 * before another one is raised for new entries: covers a masked vector, a
 * host that consumes without its handler, and slow handlers under
 * emulation.
 */
#define IRQ_WAIT_NS	(1 * NSEC_PER_MSEC)

/* Coalescing asked for @cq: threshold (0's based) and time, or false. */
static bool coalescing(struct nvmev_ctrl *ctrl, struct nvmev_cq *cq,
		       u32 *thr, u64 *time_ns)
{
	u32 f = READ_ONCE(ctrl->feat.irq_coalesce);

	if (!(f & 0xff00) || !(f & 0xff))
		return false;		/* no time or no threshold: no delay */
	if (READ_ONCE(ctrl->feat.irq_config[cq->vector]) & BIT(16))
		return false;		/* coalescing disabled for the vector */
	*thr = f & 0xff;
	*time_ns = (u64)((f >> 8) & 0xff) * 100 * NSEC_PER_USEC;
	return true;
}

/*
 * Raise @cq's interrupt if its entries need one now (then set *@raised).
 * Returns the time at which to look again (U64_MAX: nothing waits).
 * Caller holds the lock of the worker that owns @cq.
 */
static u64 cq_irq_eval(struct nvmev_ctrl *ctrl, struct nvmev_cq *cq, u64 now,
		       bool *raised)
{
	u32 head, thr;
	u64 time_ns;

	lockdep_assert_held(&ctrl->workers[cq->worker]->lock);
	if (!cq->unsignalled)
		return U64_MAX;
	head = READ_ONCE(*nvmev_db(ctrl, 2 * cq->qid + 1));
	if (head == cq->tail) {
		/* the host has consumed every entry: nothing to tell it */
		cq->unsignalled = 0;
		cq->irq_wait = false;
		return U64_MAX;
	}
	if (cq->irq_wait) {
		if (head == cq->irq_head && now - cq->irq_at < IRQ_WAIT_NS)
			return now;	/* its handler will see them */
		cq->irq_wait = false;
	}
	if (coalescing(ctrl, cq, &thr, &time_ns) && cq->unsignalled <= thr &&
	    now - cq->owed_since < time_ns)
		return cq->owed_since + time_ns;
	cq->irq_head = head;
	cq->irq_at = now;
	cq->irq_wait = true;
	cq->unsignalled = 0;
	atomic64_inc(&ctrl->io_irqs);
	nvmev_signal_irq(ctrl, cq->vector);
	*raised = true;
	return U64_MAX;
}

/*
 * One entry was posted on @cq.  Caller holds the lock of the worker that
 * owns @cq and calls nvmev_cq_irq() after its batch.
 */
void nvmev_cq_posted(struct nvmev_cq *cq, u64 now)
{
	if (!cq->ien)
		return;
	if (!cq->unsignalled++)
		cq->owed_since = now;
}

/*
 * After a batch of postings on @cq: interrupt now, or leave the queue to
 * the dispatcher.  Caller holds the lock of the worker that owns @cq.
 */
void nvmev_cq_irq(struct nvmev_ctrl *ctrl, struct nvmev_cq *cq, u64 now)
{
	bool raised = false;

	if (cq_irq_eval(ctrl, cq, now, &raised) == U64_MAX)
		return;
	if (!test_and_set_bit(cq->qid, ctrl->irq_waiting) && ctrl->disp &&
	    current != ctrl->disp->task)
		wake_up_process(ctrl->disp->task);
}

/*
 * The dispatcher's look at the queues whose interrupt waits.  Lowers
 * *@due to the next time one needs looking at.  Returns true if it raised
 * one: the host is about to act, so the dispatcher polls instead of
 * backing off.  Caller holds the dispatcher's lock, so no queue goes away
 * meanwhile.
 */
bool nvmev_irq_poll(struct nvmev_ctrl *ctrl, u64 *due)
{
	bool raised = false;
	unsigned int qid;
	u64 now;

	if (bitmap_empty(ctrl->irq_waiting, NVMEV_MAX_IOQ + 1))
		return false;
	now = nvmev_now();
	for_each_set_bit(qid, ctrl->irq_waiting, NVMEV_MAX_IOQ + 1) {
		struct nvmev_cq *cq = ctrl->cqs[qid];
		struct nvmev_worker *w;
		u64 next;

		if (!cq) {
			clear_bit(qid, ctrl->irq_waiting);
			continue;
		}
		w = ctrl->workers[cq->worker];
		if (!mutex_trylock(&w->lock)) {
			*due = now;	/* the worker is posting: next pass */
			continue;
		}
		next = cq_irq_eval(ctrl, cq, now, &raised);
		if (next == U64_MAX)
			clear_bit(qid, ctrl->irq_waiting);
		mutex_unlock(&w->lock);
		*due = min(*due, next);
	}
	return raised;
}
