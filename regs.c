// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: the controller register file and its state machine.
 *
 * BAR0 is plain memory: the host writes CC, AQA, ASQ, ACQ and doorbells,
 * and the dispatcher notices by comparing CC with its shadow copy.
 * CC.EN 0->1 brings the admin queue up, 1->0 is a controller reset (every
 * I/O queue dropped, in-flight commands discarded), CC.SHN asks for a
 * shutdown.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>

#include "nvmev.h"
#include "namespace.h"

static u32 reg_read32(struct nvmev_ctrl *ctrl, unsigned int off)
{
	return READ_ONCE(*(u32 *)(ctrl->bar + off));
}

static void reg_write32(struct nvmev_ctrl *ctrl, unsigned int off, u32 v)
{
	WRITE_ONCE(*(u32 *)(ctrl->bar + off), v);
}

static u64 reg_read64(struct nvmev_ctrl *ctrl, unsigned int off)
{
	return reg_read32(ctrl, off) |
	       ((u64)reg_read32(ctrl, off + 4) << 32);
}

static void reg_write64(struct nvmev_ctrl *ctrl, unsigned int off, u64 v)
{
	reg_write32(ctrl, off, lower_32_bits(v));
	reg_write32(ctrl, off + 4, upper_32_bits(v));
}

static u64 ctrl_cap(void)
{
	return NVMEV_MQES |			/* MQES */
	       NVMEV_CAP_CQR |			/* contiguous queues */
	       (20ULL << 24) |			/* TO: 10 s */
	       (0ULL << 32) |			/* DSTRD: 4 bytes */
	       /* NVM, and every I/O command set through CC.CSS = 110b */
	       ((u64)(NVME_CAP_CSS_NVM | NVME_CAP_CSS_CSI) << 37) |
	       (0ULL << 48) |			/* MPSMIN: 4 KiB */
	       (0ULL << 52);			/* MPSMAX: 4 KiB */
}

/* The registers a reset restores; CC itself is the host's. */
static void regs_reset(struct nvmev_ctrl *ctrl)
{
	reg_write64(ctrl, NVME_REG_CAP, ctrl_cap());
	reg_write32(ctrl, NVME_REG_VS, NVME_VS(1, 4, 0));
	reg_write32(ctrl, NVME_REG_CSTS, 0);
	reg_write32(ctrl, NVME_REG_CMBLOC, 0);
	reg_write32(ctrl, NVME_REG_CMBSZ, 0);
}

void nvmev_regs_init(struct nvmev_ctrl *ctrl)
{
	memset(ctrl->bar, 0, NVMEV_SB_OFF);
	regs_reset(ctrl);
	ctrl->cc = 0;
	ctrl->enabled = false;
	ctrl->enable_failed = false;
	ctrl->ready = false;
}

/*
 * Stop all I/O of the current controller session: nothing fetched before
 * this call touches host memory or posts a completion after it returns,
 * and every request of it is gone (a zoned write that never moved its data
 * has zeroed its LBAs), so nothing of the old session can land after a
 * command of the next one.
 */
void nvmev_ctrl_quiesce(struct nvmev_ctrl *ctrl)
{
	unsigned int i;

	lockdep_assert_held(&ctrl->disp->lock);
	WRITE_ONCE(ctrl->epoch, ctrl->epoch + 1);
	nvmev_io_drop_kept(ctrl);
	nvmev_workers_purge(ctrl);
	/*
	 * The discarded commands no longer occupy the media; a namespace
	 * other controllers share keeps the work they gave it.
	 */
	for (i = 0; i < NVMEV_MAX_NS; i++)
		if (ctrl->ns[i] && ctrl->ns[i]->nr_paths == 1) {
			ctrl->ns[i]->model_ops->reset(ctrl->ns[i]->model);
			/* (not at a cut: what was durable is decided there) */
			if (!READ_ONCE(ctrl->gone))
				nvmev_pl_model_reset(ctrl->ns[i], nvmev_now());
		}
	nvmev_admin_reset(ctrl);
	nvmev_queues_free(ctrl);
	memset(ctrl->bar + NVME_REG_DBS, 0, NVMEV_MSIX_TABLE_OFF - NVME_REG_DBS);
}

static void ctrl_fatal(struct nvmev_ctrl *ctrl, const char *why)
{
	pr_err_ratelimited("%s: controller fatal status: %s\n", ctrl->name,
			   why);
	reg_write32(ctrl, NVME_REG_CSTS, NVME_CSTS_CFS);
	ctrl->ready = false;
}

/*
 * Injected Controller Fatal Status (fault.c, configfs): the controller
 * stops answering, as a firmware crash would; its commands never complete
 * and the host's timeout handler finds CSTS.CFS and resets it.
 */
void nvmev_ctrl_fatal(struct nvmev_ctrl *ctrl)
{
	lockdep_assert_held(&ctrl->disp->lock);
	WRITE_ONCE(ctrl->fault_cfs, false);
	if (!ctrl->ready)
		return;
	nvmev_ctrl_quiesce(ctrl);
	pr_warn("%s: controller fatal status (injected)\n", ctrl->name);
	reg_write32(ctrl, NVME_REG_CSTS, NVME_CSTS_RDY | NVME_CSTS_CFS);
	ctrl->ready = false;
}

/* Bring the controller up; false (and CSTS.CFS) when it cannot. */
static bool ctrl_enable(struct nvmev_ctrl *ctrl, u32 cc)
{
	u32 css = cc & NVME_CC_CSS_MASK;
	u32 mps = (cc >> NVME_CC_MPS_SHIFT) & 0xf;
	u32 ams = (cc >> NVME_CC_AMS_SHIFT) & 0x7;	/* round robin only */

	/* IOSQES/IOCQES are checked when I/O queues are created */
	if ((css != NVME_CC_CSS_NVM && css != NVME_CC_CSS_CSI) || mps != 0 ||
	    ams != 0) {
		ctrl_fatal(ctrl, "unsupported CC value");
		return false;
	}
	ctrl->css_all = css == NVME_CC_CSS_CSI;
	if (nvmev_admin_queues_create(ctrl, reg_read32(ctrl, NVME_REG_AQA),
				      reg_read64(ctrl, NVME_REG_ASQ),
				      reg_read64(ctrl, NVME_REG_ACQ))) {
		ctrl_fatal(ctrl, "bad admin queue registers");
		return false;
	}
	memset(&ctrl->feat, 0, sizeof(ctrl->feat));
	ctrl->feat.temp_over = NVMEV_WCTEMP;
	ctrl->feat.wce = ctrl->vwc;
	ctrl->feat.temp_under = 0;
	ctrl->feat.timestamp_set_ns = nvmev_now();
	ctrl->feat.nr_queues = ((NVMEV_MAX_IOQ - 1) << 16) | (NVMEV_MAX_IOQ - 1);
	ctrl->ready = true;
	reg_write32(ctrl, NVME_REG_CSTS, NVME_CSTS_RDY);
	return true;
}

static void ctrl_disable(struct nvmev_ctrl *ctrl)
{
	nvmev_ctrl_quiesce(ctrl);
	ctrl->ready = false;
	regs_reset(ctrl);
}

/* The admin queue registers a failed enable was given. */
static void note_failed_enable(struct nvmev_ctrl *ctrl)
{
	ctrl->enable_failed = true;
	ctrl->failed_aq[0] = reg_read32(ctrl, NVME_REG_AQA);
	ctrl->failed_aq[1] = reg_read64(ctrl, NVME_REG_ASQ);
	ctrl->failed_aq[2] = reg_read64(ctrl, NVME_REG_ACQ);
}

/*
 * After a failed enable (CSTS.CFS, RDY never 1) the host resets the
 * controller, but as RDY is already 0 it may clear CC.EN and set it again
 * before this thread looks.  CC.EN seen clear ends the fatal state; with
 * EN set, a CC or admin queue register that changed is a new enable (the
 * same values would fail the same way).
 */
static bool enable_retry(struct nvmev_ctrl *ctrl, u32 cc)
{
	if (!(cc & NVME_CC_ENABLE)) {
		ctrl->enable_failed = false;
		ctrl->cc = cc;
		reg_write32(ctrl, NVME_REG_CSTS, 0);
		return true;
	}
	if (cc == ctrl->cc &&
	    ctrl->failed_aq[0] == reg_read32(ctrl, NVME_REG_AQA) &&
	    ctrl->failed_aq[1] == reg_read64(ctrl, NVME_REG_ASQ) &&
	    ctrl->failed_aq[2] == reg_read64(ctrl, NVME_REG_ACQ))
		return false;
	ctrl->cc = cc;
	ctrl->enable_failed = false;
	if (!ctrl_enable(ctrl, cc))
		note_failed_enable(ctrl);
	return true;
}

/* Returns true when something changed. */
bool nvmev_regs_poll(struct nvmev_ctrl *ctrl)
{
	u32 cc = reg_read32(ctrl, NVME_REG_CC);
	u32 old = ctrl->cc;

	if (unlikely(ctrl->enable_failed))
		return enable_retry(ctrl, cc);
	if (cc == old)
		return false;
	ctrl->cc = cc;

	if ((old & NVME_CC_ENABLE) && !(cc & NVME_CC_ENABLE)) {
		ctrl_disable(ctrl);
		return true;
	}
	if (!(old & NVME_CC_ENABLE) && (cc & NVME_CC_ENABLE) &&
	    !ctrl_enable(ctrl, cc)) {
		note_failed_enable(ctrl);
		return true;
	}

	if ((cc & NVME_CC_SHN_MASK) && !(old & NVME_CC_SHN_MASK)) {
		u32 csts = reg_read32(ctrl, NVME_REG_CSTS);

		/*
		 * Every completed write is already in the reserved region;
		 * stop the queues so that nothing moves after SHST says so.
		 */
		nvmev_ctrl_quiesce(ctrl);
		ctrl->ready = false;
		csts = (csts & ~NVME_CSTS_SHST_MASK) | NVME_CSTS_SHST_CMPLT;
		reg_write32(ctrl, NVME_REG_CSTS, csts);
	} else if (!(cc & NVME_CC_SHN_MASK) && (old & NVME_CC_SHN_MASK)) {
		u32 csts = reg_read32(ctrl, NVME_REG_CSTS);

		reg_write32(ctrl, NVME_REG_CSTS, csts & ~NVME_CSTS_SHST_MASK);
	}
	return true;
}
