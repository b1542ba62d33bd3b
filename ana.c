// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: Asymmetric Namespace Access (ANA).
 *
 * Every namespace belongs to an ANA group (its anagrpid, 1..NVMEV_MAX_NS,
 * fixed while it is enabled); every controller has its own state of each
 * group, so a namespace reached through two controllers can be optimized
 * on one path and inaccessible on the other.  configfs sets the states,
 * also while the host uses the controller: a change is counted in the ANA
 * log page (0Ch) and sent as an ANA change event when the host enabled
 * it (Feature 0Bh), then masked until the host reads the log.  I/O to a
 * namespace whose group is inaccessible, in persistent loss or changing
 * fails with a path related status without DNR, so that a multipath host
 * retries on another path.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "nvmev.h"
#include "namespace.h"

#define NVMEV_ANATT_DEFAULT	10	/* seconds */

static const struct {
	const char *name;
	u8 state;
} ana_states[] = {
	{ "optimized", NVME_ANA_OPTIMIZED },
	{ "non-optimized", NVME_ANA_NONOPTIMIZED },
	{ "inaccessible", NVME_ANA_INACCESSIBLE },
	{ "persistent-loss", NVME_ANA_PERSISTENT_LOSS },
	{ "change", NVME_ANA_CHANGE },
};

static const char *state_name(u8 state)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ana_states); i++)
		if (ana_states[i].state == state)
			return ana_states[i].name;
	return "?";
}

/* I/O through a path in @state fails */
static bool blocked(u8 state)
{
	return state != NVME_ANA_OPTIMIZED && state != NVME_ANA_NONOPTIMIZED;
}

void nvmev_ana_init(struct nvmev_ctrl *ctrl)
{
	memset(ctrl->ana_state, NVME_ANA_OPTIMIZED, sizeof(ctrl->ana_state));
	ctrl->anatt = NVMEV_ANATT_DEFAULT;
}

void nvmev_ana_id_ctrl(struct nvmev_ctrl *ctrl, struct nvme_id_ctrl *id)
{
	id->cmic |= NVME_CTRL_CMIC_ANA;
	id->anatt = ctrl->anatt;
	/*
	 * Every state is reported; bit 6: a namespace's ANAGRPID does not
	 * change while it is attached (configfs refuses it while enabled).
	 */
	id->anacap = 0x1f | (1 << 6);
	id->anagrpmax = cpu_to_le32(NVMEV_MAX_NS);
	id->nanagrpid = cpu_to_le32(NVMEV_MAX_NS);
	/* Linux reads ANA only with MNAN set (1..NN) */
	id->mnan = cpu_to_le32(NVMEV_MAX_NS);
	id->oaes |= cpu_to_le32(NVME_AEN_CFG_ANA_CHANGE);
}

/* Called by io.c only while ctrl->ana_blocked is not 0 */
u16 nvmev_ana_io_status(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns)
{
	/* path related statuses, DNR clear: another path may serve it */
	switch (READ_ONCE(ctrl->ana_state[ns->anagrpid])) {
	case NVME_ANA_INACCESSIBLE:
		return NVME_SC_ANA_INACCESSIBLE;
	case NVME_ANA_PERSISTENT_LOSS:
		return NVME_SC_ANA_PERSISTENT_LOSS;
	case NVME_ANA_CHANGE:
		return NVME_SC_ANA_TRANSITION;
	default:
		return NVME_SC_SUCCESS;
	}
}

/*
 * Log 0Ch into @buf (large enough for NVMEV_MAX_NS groups and NSIDs):
 * one descriptor per group with a namespace active on @ctrl, its NSIDs
 * in order unless RGO.  Read without RAE, the ANA change event is
 * unmasked.  Runs on the dispatcher, which alone changes ctrl->ns[].
 */
size_t nvmev_ana_log(struct nvmev_ctrl *ctrl, u8 lsp, bool rae, void *buf)
{
	struct nvme_ana_rsp_hdr *hdr = buf;
	u8 *p = buf + sizeof(*hdr);
	bool rgo = lsp & NVME_ANA_LOG_RGO;
	unsigned long flags;
	u16 ngrps = 0;
	u32 g, i;

	spin_lock_irqsave(&ctrl->aen_lock, flags);
	hdr->chgcnt = cpu_to_le64(ctrl->ana_chgcnt);
	for (g = 1; g <= NVMEV_MAX_NS; g++) {
		struct nvme_ana_group_desc *d = (void *)p;
		bool used = false;
		u32 n = 0;

		for (i = 1; i <= NVMEV_MAX_NS; i++) {
			struct nvmev_ns *ns = nvmev_ns_find(ctrl, i);

			if (!ns || ns->anagrpid != g)
				continue;
			used = true;
			if (!rgo)
				d->nsids[n++] = cpu_to_le32(i);
		}
		if (!used)
			continue;
		d->grpid = cpu_to_le32(g);
		d->nnsids = cpu_to_le32(n);
		d->chgcnt = cpu_to_le64(ctrl->ana_grp_chgcnt[g]);
		d->state = ctrl->ana_state[g];
		p += sizeof(*d) + n * sizeof(__le32);
		ngrps++;
	}
	hdr->ngrps = cpu_to_le16(ngrps);
	if (!rae)
		ctrl->aen_ana_masked = false;
	spin_unlock_irqrestore(&ctrl->aen_lock, flags);
	return p - (u8 *)buf;
}

/* With aen_lock held: an ANA change event to send, if the host wants it */
bool nvmev_ana_take_event(struct nvmev_ctrl *ctrl, u32 *dw0)
{
	if (!ctrl->aen_ana_pending || ctrl->aen_ana_masked ||
	    !(ctrl->feat.async_event & NVME_AEN_CFG_ANA_CHANGE))
		return false;
	ctrl->aen_ana_pending = false;
	ctrl->aen_ana_masked = true;	/* until the host reads log 0Ch */
	*dw0 = NVME_AER_NOTICE | (NVME_AER_NOTICE_ANA << 8) |
	       (NVME_LOG_ANA << 16);
	return true;
}

/* configfs "ana": the groups with a namespace, and any not optimized */
ssize_t nvmev_ana_show(struct nvmev_ctrl *ctrl, char *page)
{
	bool used[NVMEV_MAX_NS + 1] = { };
	ssize_t len = 0;
	u32 g, i;

	for (i = 0; i < NVMEV_MAX_NS; i++)
		if (ctrl->ns_cfg[i])
			used[ctrl->ns_cfg[i]->anagrpid] = true;
	for (g = 1; g <= NVMEV_MAX_NS; g++) {
		u8 st = READ_ONCE(ctrl->ana_state[g]);

		if (used[g] || st != NVME_ANA_OPTIMIZED)
			len += sysfs_emit_at(page, len, "%u %s\n", g,
					     state_name(st));
	}
	return len;
}

/*
 * configfs "ana" written: "<grpid> <state>".  On a live controller a
 * change is counted and announced.  Caller holds nvmev_cfg_lock.
 */
int nvmev_ana_store(struct nvmev_ctrl *ctrl, const char *buf)
{
	char name[20];
	unsigned long flags;
	unsigned int i;
	u32 g;
	u8 old, st;

	if (sscanf(buf, "%u %19s", &g, name) != 2 || !g || g > NVMEV_MAX_NS)
		goto bad;
	for (i = 0; i < ARRAY_SIZE(ana_states); i++)
		if (!strcmp(name, ana_states[i].name))
			break;
	if (i == ARRAY_SIZE(ana_states))
		goto bad;
	st = ana_states[i].state;

	spin_lock_irqsave(&ctrl->aen_lock, flags);
	old = ctrl->ana_state[g];
	if (old != st) {
		if (blocked(old) != blocked(st))
			WRITE_ONCE(ctrl->ana_blocked,
				   ctrl->ana_blocked + (blocked(st) ? 1 : -1));
		WRITE_ONCE(ctrl->ana_state[g], st);
		ctrl->ana_chgcnt++;
		ctrl->ana_grp_chgcnt[g] = ctrl->ana_chgcnt;
		if (ctrl->live)
			ctrl->aen_ana_pending = true;
	}
	spin_unlock_irqrestore(&ctrl->aen_lock, flags);
	return 0;
bad:
	pr_err("%s: ana=%s: use \"<group 1..%u> <state>\", the state one of optimized, non-optimized, inaccessible, persistent-loss, change\n",
	       ctrl->name, buf, NVMEV_MAX_NS);
	return -EINVAL;
}
