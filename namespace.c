// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: namespaces.
 *
 * A namespace is a slice of the reserved region plus an instance of a
 * timing model.  Its identity (NGUID, EUI-64, UUID) is derived from the
 * controller serial and the NSID, so it is unique per controller and
 * stable across reloads, like a real drive's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/jhash.h>

#include "nvmev.h"
#include "ftl/nvm.h"

static void ns_identity(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns)
{
	u32 h[4];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(h); i++)
		h[i] = jhash(ctrl->serial, strlen(ctrl->serial),
			     ns->nsid * 4 + i);
	memcpy(ns->nguid, h, sizeof(ns->nguid));
	memcpy(ns->uuid, h, sizeof(ns->uuid));
	ns->uuid[6] = (ns->uuid[6] & 0x0f) | 0x80;	/* RFC 9562 version 8 */
	ns->uuid[8] = (ns->uuid[8] & 0x3f) | 0x80;	/* variant */
	memcpy(ns->eui64, &h[1], sizeof(ns->eui64));
	ns->eui64[0] = (ns->eui64[0] & ~0x01) | 0x02;	/* locally administered */
}

struct nvmev_ns *nvmev_ns_find(struct nvmev_ctrl *ctrl, u32 nsid)
{
	unsigned int i;

	for (i = 0; i < ctrl->nr_ns; i++) {
		if (ctrl->ns[i].nsid == nsid)
			return &ctrl->ns[i];
	}
	return NULL;
}

static int ns_create(struct nvmev_ctrl *ctrl, u32 nsid, void *data, u64 size,
		     unsigned int lba_shift, const struct model_ops *ops,
		     const void *model_params)
{
	struct nvmev_ns *ns = &ctrl->ns[ctrl->nr_ns];
	int ret;

	ns->nsid = nsid;
	ns->lba_shift = lba_shift;
	ns->nr_lbas = size >> lba_shift;
	ns->size = ns->nr_lbas << lba_shift;
	ns->data = data;
	ns->model_ops = ops;
	ns->model = kzalloc(ops->priv_size, GFP_KERNEL);
	if (!ns->model)
		return -ENOMEM;
	ret = ops->init(ns->model, model_params);
	if (ret) {
		pr_err("namespace %u: invalid %s model parameters\n", nsid, ops->name);
		kfree(ns->model);
		return ret;
	}
	ns_identity(ctrl, ns);
	ctrl->nr_ns++;
	return 0;
}

/* The module-parameter device: one NVM namespace over all the storage. */
int nvmev_ns_init(struct nvmev_ctrl *ctrl)
{
	return ns_create(ctrl, 1, ctrl->storage, ctrl->storage_size,
			 ctrl->params.lba_shift, &nvm_model_ops,
			 &ctrl->params.nvm);
}

void nvmev_ns_exit(struct nvmev_ctrl *ctrl)
{
	while (ctrl->nr_ns) {
		struct nvmev_ns *ns = &ctrl->ns[--ctrl->nr_ns];

		ns->model_ops->exit(ns->model);
		kfree(ns->model);
	}
}
