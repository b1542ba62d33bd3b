// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: the threads, shared between controllers.
 *
 * A controller's CPU list names one dispatcher CPU and one or more worker
 * CPUs.  Each CPU runs at most one dispatcher thread (nvmev<cpu>_disp),
 * which polls every controller that chose it, and at most one worker
 * thread (nvmev<cpu>_io), which serves every controller that lists it.  So
 * three devices on "cpus=2,3" cost two threads, not six, and the polling
 * backs off to sleeping once all of them are idle.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/hrtimer.h>

#include "nvmev.h"

static LIST_HEAD(disps);
static LIST_HEAD(workers);
static DEFINE_MUTEX(engine_lock);	/* the two lists and the users counts */

/*
 * The dispatcher stops sleeping this long before a completion it holds is
 * due: a timer wake-up is late by microseconds on bare metal and by a
 * hundred or more under emulation (TCG).
 */
#define DISP_WAKE_MARGIN_NS	(300 * NSEC_PER_USEC)

/*
 * A worker spins instead of sleeping for completions due this soon: a
 * timer wake-up can be late by a scheduler tick under load (far more in a
 * VM), and the model's times are only worth what their delivery is.
 */
#define WORKER_SPIN_NS	(2 * NSEC_PER_MSEC)

static int disp_fn(void *data)
{
	struct nvmev_disp *d = data;
	unsigned int sleep_us = 0;
	ktime_t timeout;

	d->last_busy_ns = nvmev_now();
	while (!kthread_should_stop()) {
		struct nvmev_ctrl *ctrl;
		u64 due = U64_MAX, now, sleep_ns;
		bool busy = false;

		mutex_lock(&d->lock);
		list_for_each_entry(ctrl, &d->ctrls, disp_node)
			busy |= nvmev_ctrl_poll(ctrl, &due);
		mutex_unlock(&d->lock);

		now = nvmev_now();
		if (busy) {
			d->last_busy_ns = now;
			sleep_us = 0;
			continue;
		}
		if (now - d->last_busy_ns < READ_ONCE(d->spin_ns) ||
		    due <= now + DISP_WAKE_MARGIN_NS) {
			cpu_relax();
			if (need_resched())
				cond_resched();
			continue;
		}
		/*
		 * Nothing to do now: poll less and less often, down to every
		 * idle_max_us (4 ms), so a long idle period costs a wake-up
		 * per interval (on bare metal ~0.1% of a CPU; under emulation
		 * much more).  The first command after it waits at most that
		 * long.  A completion the dispatcher holds ends the sleep in
		 * time to be posted on time: while a QD1 command waits for
		 * its modelled latency the CPU is free.  An interruptible
		 * sleep does not count as load.
		 */
		sleep_us = clamp(sleep_us * 2, 10U,
				 nvmev_module_params->idle_max_us);
		sleep_ns = (u64)sleep_us * NSEC_PER_USEC;
		if (due != U64_MAX)
			sleep_ns = min(sleep_ns, due - now - DISP_WAKE_MARGIN_NS);
		timeout = ns_to_ktime(sleep_ns);
		set_current_state(TASK_INTERRUPTIBLE);
		schedule_hrtimeout_range(&timeout, min_t(u64, sleep_ns / 4,
							 DISP_WAKE_MARGIN_NS / 4),
					 HRTIMER_MODE_REL);
	}
	return 0;
}

/*
 * A worker: moves the data of the commands handed to it and posts their
 * completions when the model says they are due (io.c).
 */
static int worker_fn(void *data)
{
	struct nvmev_worker *w = data;

	while (!kthread_should_stop()) {
		u64 next, now;

		nvmev_worker_take(w);
		next = nvmev_worker_complete_due(w);
		if (!llist_empty(&w->incoming))
			continue;
		now = nvmev_now();
		if (next != U64_MAX && next <= now + WORKER_SPIN_NS) {
			cpu_relax();
			if (need_resched())
				cond_resched();
			continue;
		}
		set_current_state(TASK_INTERRUPTIBLE);
		if (!llist_empty(&w->incoming) || kthread_should_stop()) {
			__set_current_state(TASK_RUNNING);
			continue;
		}
		if (next == U64_MAX) {
			schedule();
		} else {
			ktime_t t = ns_to_ktime(next - now - WORKER_SPIN_NS);

			schedule_hrtimeout_range(&t, WORKER_SPIN_NS / 4,
						 HRTIMER_MODE_REL);
		}
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

static struct task_struct *nvmev_thread(int (*fn)(void *), void *data,
					unsigned int cpu, const char *kind)
{
	struct task_struct *t;

	t = kthread_create_on_node(fn, data, cpu_to_node(cpu), "nvmev%u_%s",
				   cpu, kind);
	if (IS_ERR(t))
		return t;
	kthread_bind(t, cpu);
	wake_up_process(t);
	return t;
}

static struct nvmev_disp *disp_get(unsigned int cpu)
{
	struct nvmev_disp *d;

	list_for_each_entry(d, &disps, node) {
		if (d->cpu == cpu) {
			d->users++;
			return d;
		}
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	d->cpu = cpu;
	d->users = 1;
	mutex_init(&d->lock);
	INIT_LIST_HEAD(&d->ctrls);
	d->task = nvmev_thread(disp_fn, d, cpu, "disp");
	if (IS_ERR(d->task)) {
		int ret = PTR_ERR(d->task);

		kfree(d);
		return ERR_PTR(ret);
	}
	list_add_tail(&d->node, &disps);
	return d;
}

static void disp_put(struct nvmev_disp *d)
{
	if (--d->users)
		return;
	kthread_stop(d->task);
	list_del(&d->node);
	kfree(d);
}

static struct nvmev_worker *worker_get(unsigned int cpu)
{
	struct nvmev_worker *w;

	list_for_each_entry(w, &workers, node) {
		if (w->cpu == cpu) {
			w->users++;
			return w;
		}
	}
	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return ERR_PTR(-ENOMEM);
	w->cpu = cpu;
	w->users = 1;
	init_llist_head(&w->incoming);
	w->pending = RB_ROOT_CACHED;
	mutex_init(&w->lock);
	w->task = nvmev_thread(worker_fn, w, cpu, "io");
	if (IS_ERR(w->task)) {
		int ret = PTR_ERR(w->task);

		kfree(w);
		return ERR_PTR(ret);
	}
	list_add_tail(&w->node, &workers);
	return w;
}

static void worker_put(struct nvmev_worker *w)
{
	if (--w->users)
		return;
	kthread_stop(w->task);
	nvmev_worker_drop(w, NULL);
	list_del(&w->node);
	kfree(w);
}

static void update_spin(struct nvmev_disp *d)
{
	struct nvmev_ctrl *c;
	u64 spin = 0;

	list_for_each_entry(c, &d->ctrls, disp_node)
		spin = max_t(u64, spin, (u64)c->idle_spin_us * NSEC_PER_USEC);
	WRITE_ONCE(d->spin_ns, spin);
}

static void engine_put(struct nvmev_ctrl *ctrl)
{
	while (ctrl->nr_workers)
		worker_put(ctrl->workers[--ctrl->nr_workers]);
	if (ctrl->disp)
		disp_put(ctrl->disp);
	ctrl->disp = NULL;
}

/* Get the threads of @ctrl's CPU list and start polling it. */
int nvmev_engine_attach(struct nvmev_ctrl *ctrl)
{
	struct nvmev_disp *d;
	unsigned int i;
	int ret = 0;

	mutex_lock(&engine_lock);
	d = disp_get(ctrl->cpus[0]);
	if (IS_ERR(d)) {
		ret = PTR_ERR(d);
		goto out;
	}
	ctrl->disp = d;
	for (i = 1; i < ctrl->nr_cpus; i++) {
		struct nvmev_worker *w = worker_get(ctrl->cpus[i]);

		if (IS_ERR(w)) {
			ret = PTR_ERR(w);
			engine_put(ctrl);
			goto out;
		}
		ctrl->workers[ctrl->nr_workers++] = w;
	}
	mutex_lock(&d->lock);
	list_add_tail(&ctrl->disp_node, &d->ctrls);
	update_spin(d);
	mutex_unlock(&d->lock);
	wake_up_process(d->task);
out:
	mutex_unlock(&engine_lock);
	return ret;
}

/*
 * Stop polling @ctrl and release its threads.  The caller has quiesced it:
 * its requests still in a worker are stale and are dropped here.
 */
void nvmev_engine_detach(struct nvmev_ctrl *ctrl)
{
	struct nvmev_disp *d = ctrl->disp;

	mutex_lock(&d->lock);
	list_del(&ctrl->disp_node);
	update_spin(d);
	mutex_unlock(&d->lock);

	nvmev_workers_purge(ctrl);
	mutex_lock(&engine_lock);
	engine_put(ctrl);
	mutex_unlock(&engine_lock);
}

/* Between two polling passes of @ctrl's dispatcher (none if not live). */
void nvmev_disp_lock(struct nvmev_ctrl *ctrl)
{
	if (ctrl->disp)
		mutex_lock(&ctrl->disp->lock);
}

void nvmev_disp_unlock(struct nvmev_ctrl *ctrl)
{
	if (ctrl->disp)
		mutex_unlock(&ctrl->disp->lock);
}

/*
 * After the epoch moved on: wait until no worker is inside a section that
 * started under the old epoch.  Later sections see the new epoch and drop
 * the old requests without touching host memory.
 */
void nvmev_workers_sync(struct nvmev_ctrl *ctrl)
{
	unsigned int i;

	for (i = 0; i < ctrl->nr_workers; i++) {
		mutex_lock(&ctrl->workers[i]->lock);
		mutex_unlock(&ctrl->workers[i]->lock);
	}
}

/*
 * Free every request of @ctrl that its workers still hold, so that the
 * controller can go.  Its dispatcher no longer polls it, so none arrive.
 */
void nvmev_workers_purge(struct nvmev_ctrl *ctrl)
{
	unsigned int i;

	for (;;) {
		for (i = 0; i < ctrl->nr_workers; i++)
			nvmev_worker_drop(ctrl->workers[i], ctrl);
		if (!atomic_read(&ctrl->nr_reqs))
			break;
		schedule_timeout_uninterruptible(1);
	}
}
