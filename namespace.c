// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: namespaces.
 *
 * A namespace is a configuration (type, size, LBA size, model parameters)
 * and, once enabled, a slice of the reserved region plus an instance of a
 * timing model.  Its identity (NGUID, EUI-64, UUID) is derived from the
 * controller serial and the NSID, so it is unique per controller and
 * stable across reloads, like a real drive's.
 *
 * Enabling attaches it to its controller: while the controller is live the
 * switch happens between two polling passes of its dispatcher, and the
 * host hears of it through a Namespace Attribute Changed event.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/jhash.h>
#include <linux/io.h>
#include <linux/sched.h>

#include "nvmev.h"
#include "namespace.h"
#include "ftl/presets.h"
#include "fdp.h"

void nvmev_ns_identity(struct nvmev_ns *ns)
{
	const char *serial = nvmev_serial(ns->ctrl);
	u32 h[4];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(h); i++)
		h[i] = jhash(serial, strlen(serial), ns->nsid * 4 + i);
	memcpy(ns->nguid, h, sizeof(ns->nguid));
	memcpy(ns->uuid, h, sizeof(ns->uuid));
	ns->uuid[6] = (ns->uuid[6] & 0x0f) | 0x80;	/* RFC 9562 version 8 */
	ns->uuid[8] = (ns->uuid[8] & 0x3f) | 0x80;	/* variant */
	memcpy(ns->eui64, &h[1], sizeof(ns->eui64));
	ns->eui64[0] = (ns->eui64[0] & ~0x01) | 0x02;	/* locally administered */
}

/* The namespace type of preset @i (ftl/presets.h has its own enum). */
enum nvmev_ns_type nvmev_preset_type(unsigned int i)
{
	switch (ftl_presets[i].type) {
	case FTL_PRESET_NVM:
		break;
	case FTL_PRESET_CONV:
		return NVMEV_NS_CONV;
	case FTL_PRESET_ZNS:
		return NVMEV_NS_ZNS;
	case FTL_PRESET_KV:
		return NVMEV_NS_KV;
	}
	return NVMEV_NS_NVM;
}

int nvmev_ns_set_preset(struct nvmev_ns *ns, const char *name)
{
	struct nvmev_ns_cfg *cfg = &ns->cfg;
	const struct ftl_preset *p;
	int i = ftl_preset_find(name);

	if (i < 0)
		return -EINVAL;
	p = &ftl_presets[i];
	cfg->preset = i;
	cfg->type = nvmev_preset_type(i);
	cfg->nvm = p->nvm;
	cfg->conv = p->conv;
	cfg->zns.zone_size = p->zns.zone_size;
	cfg->zns.zone_cap = p->zns.zone_cap;
	cfg->zns.max_open = p->zns.max_open;
	cfg->zns.max_active = p->zns.max_active;
	cfg->zns.stripe_dies = p->zns.stripe_dies;
	cfg->kv.store = p->kv.store;
	cfg->kv.index_ns = p->kv.index_ns;
	return 0;
}

/* The preset names, separated by spaces. */
size_t nvmev_preset_names(char *buf, size_t size)
{
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < ftl_nr_presets; i++)
		n += scnprintf(buf + n, size - n, "%s%s", i ? " " : "",
			       ftl_presets[i].name);
	return n;
}

/* The first preset of @type: what "type" alone selects. */
static int default_preset(enum nvmev_ns_type type)
{
	unsigned int i;

	for (i = 0; i < ftl_nr_presets; i++)
		if (nvmev_preset_type(i) == type)
			return i;
	return -1;
}

/*
 * Switch to @type.  Its parameters come from the type's first preset,
 * unless the current preset is already of that type.
 */
int nvmev_ns_set_type(struct nvmev_ns *ns, enum nvmev_ns_type type)
{
	int p;

	if (ns->cfg.type == type)
		return 0;
	p = default_preset(type);
	if (p < 0)
		return -EINVAL;
	return nvmev_ns_set_preset(ns, ftl_presets[p].name);
}

/* The volatile write cache of a namespace with @cfg, bytes (0: none). */
u64 nvmev_ns_cfg_cache_bytes(const struct nvmev_ns_cfg *cfg)
{
	if (cfg->type == NVMEV_NS_CONV || cfg->type == NVMEV_NS_ZNS)
		return (u64)cfg->conv.buffer_kib << 10;
	if (cfg->type == NVMEV_NS_NVM)
		return (u64)cfg->nvm.cache_kib << 10;
	return 0;
}

/* Would a namespace with @cfg have a volatile write cache? */
bool nvmev_ns_cfg_volatile(const struct nvmev_ns_cfg *cfg)
{
	return nvmev_ns_cfg_cache_bytes(cfg);
}

/*
 * What the media saw: the model's own counters when it keeps them (an FTL
 * writes more than the host), else the host's data (no FTL, nothing more).
 */
void nvmev_ns_media_stats(struct nvmev_ns *ns, struct model_stats *st)
{
	const struct nvmev_io_stats *s = &ns->stats;

	memset(st, 0, sizeof(*st));
	if (ns->model_ops->stats) {
		ns->model_ops->stats(ns->model, st);
		return;
	}
	st->host_read_bytes = atomic64_read(&s->bytes[NVMEV_OP_READ]) +
			      atomic64_read(&s->bytes[NVMEV_OP_COMPARE]);
	st->host_write_bytes = atomic64_read(&s->bytes[NVMEV_OP_WRITE]);
	st->media_read_bytes = st->host_read_bytes;
	st->media_write_bytes = st->host_write_bytes +
				atomic64_read(&s->bytes[NVMEV_OP_WRITE_ZEROES]);
}

/* A namespace with the default preset; not enabled. */
struct nvmev_ns *nvmev_ns_alloc(struct nvmev_ctrl *ctrl, u32 nsid)
{
	struct nvmev_ns *ns = kzalloc(sizeof(*ns), GFP_KERNEL);

	if (!ns)
		return NULL;
	ns->ctrl = ctrl;
	ns->nsid = nsid;
	ns->cfg.size = 0;
	ns->cfg.lba_shift = 9;
	ns->anagrpid = 1;
	nvmev_ns_set_preset(ns, ftl_presets[0].name);
	spin_lock_init(&ns->uncor_lock);
	atomic_set(&ns->armed, 0);
	nvmev_faults_init(&ns->faults, &ns->armed);
	atomic_set(&ns->nr_reqs, 0);
	return ns;
}

void nvmev_ns_free(struct nvmev_ns *ns)
{
	nvmev_faults_clear(&ns->faults);
	kfree(ns);
}

/* A NAND geometry that fits @size bytes; one line says what is wrong. */
static int conv_check(struct nvmev_ns *ns, u64 size)
{
	struct conv_params *cp = &ns->cfg.conv;
	const char *why;
	u64 min;

	cp->capacity = size;
	why = conv_check_params(cp);
	if (!why)
		return nvmev_fdp_check(ns);
	min = conv_min_capacity(cp);
	if (min && size < min)
		pr_err("%s/%u: size=%llu is too small for this geometry: use at least %lluM\n",
		       ns->ctrl->name, ns->nsid, size, DIV_ROUND_UP_ULL(min, SZ_1M));
	else
		pr_err("%s/%u: conv parameters: %s\n", ns->ctrl->name, ns->nsid,
		       why);
	return -EINVAL;
}

static int nvm_check(struct nvmev_ns *ns, u64 size)
{
	const char *why = nvm_check_params(&ns->cfg.nvm);

	if (!why)
		return 0;
	pr_err("%s/%u: nvm parameters: %s\n", ns->ctrl->name, ns->nsid, why);
	return -EINVAL;
}

/* Start timing model @ops for @ns with @params (copied by its init). */
int nvmev_ns_model_init(struct nvmev_ns *ns, const struct model_ops *ops,
			const void *params)
{
	int ret;

	ns->model_ops = ops;
	ns->model = kzalloc(ops->priv_size, GFP_KERNEL);
	if (!ns->model)
		return -ENOMEM;
	ret = ops->init(ns->model, params);
	if (ret) {
		pr_err("%s/%u: cannot start the %s model (%d)\n", ns->ctrl->name,
		       ns->nsid, ops->name, ret);
		kfree(ns->model);
		ns->model = NULL;
	}
	return ret;
}

static int nvm_model_start(struct nvmev_ns *ns)
{
	return nvmev_ns_model_init(ns, &nvm_model_ops, &ns->cfg.nvm);
}

static int conv_model_start(struct nvmev_ns *ns)
{
	int ret = nvmev_ns_model_init(ns, &conv_model_ops, &ns->cfg.conv);

	if (!ret)
		ret = nvmev_fdp_start(ns);
	if (ret && ns->model) {
		ns->model_ops->exit(ns->model);
		kfree(ns->model);
		ns->model = NULL;
	}
	return ret;
}

static const struct nvmev_ns_ops nvm_ns_ops = {
	.name = "nvm",
	.csi = NVME_CSI_NVM,
	.cmds = &nvmev_nvm_cmds,
	.keeps_data = true,
	.check = nvm_check,
	.model_start = nvm_model_start,
};

static const struct nvmev_ns_ops conv_ns_ops = {
	.name = "conv",
	.csi = NVME_CSI_NVM,
	.cmds = &nvmev_nvm_cmds,
	.keeps_data = true,
	.check = conv_check,
	.model_start = conv_model_start,
	.stats_show = nvmev_fdp_stats_show,
};

const struct nvmev_ns_ops *const nvmev_ns_types[NVMEV_NR_NS_TYPES] = {
	[NVMEV_NS_NVM] = &nvm_ns_ops,
	[NVMEV_NS_CONV] = &conv_ns_ops,
	[NVMEV_NS_ZNS] = &nvmev_zns_ns_ops,
	[NVMEV_NS_KV] = &nvmev_kv_ns_ops,
};

static void model_stop(struct nvmev_ns *ns)
{
	nvmev_fdp_stop(ns);
	nvmev_pl_stop(ns);
	ns->model_ops->exit(ns->model);
	kfree(ns->model);
	ns->model = NULL;
}

/* Zero the storage a chunk at a time: a new namespace reads as zeroes. */
static void format(struct nvmev_ns *ns)
{
	u64 off;

	for (off = 0; off < ns->size; off += SZ_16M) {
		memset(ns->data + off, 0, min_t(u64, SZ_16M, ns->size - off));
		cond_resched();
	}
}

/* A size is set and the reserved region can hold it; else say why. */
static int check_size(struct nvmev_ns *ns)
{
	const char *name = ns->ctrl->name;

	if (!ns->cfg.size) {
		pr_err("%s/%u: size is not set: echo 1G > size\n", name,
		       ns->nsid);
		return -EINVAL;
	}
	if (!nvmev_pool_present()) {
		pr_err("%s/%u: no reserved region: load nvmev with memmap_start= and memmap_size= (after booting with memmap=<size>$<start>)\n",
		       name, ns->nsid);
		return -ENODEV;
	}
	if (ns->cfg.size > nvmev_pool_size()) {
		pr_err("%s/%u: size=%llu is larger than the whole reserved region (%llu MiB, %llu MiB of it free): reserve more with memmap= or ask for less\n",
		       name, ns->nsid, ns->cfg.size,
		       nvmev_pool_size() >> 20, nvmev_pool_free_bytes() >> 20);
		return -ENOSPC;
	}
	return 0;
}

/*
 * Take storage from the pool, start the model and attach to the
 * controller.  The caller holds nvmev_cfg_lock.
 */
int nvmev_ns_enable(struct nvmev_ns *ns)
{
	struct nvmev_ctrl *ctrl = ns->ctrl;
	const struct nvmev_ns_ops *ops;
	phys_addr_t want = 0;
	char owner[48];
	int ret;

	lockdep_assert_held(&nvmev_cfg_lock);
	if (ns->enabled)
		return 0;
	ret = check_size(ns);
	if (!ret)
		ret = nvmev_ns_paths_check(ns);
	if (ret)
		return ret;
	ops = nvmev_ns_types[ns->cfg.type];
	if (ops->check) {
		ret = ops->check(ns, round_down(ns->cfg.size,
						1U << ns->cfg.lba_shift));
		if (ret)
			return ret;
	}
	snprintf(owner, sizeof(owner), "%s/%u", ctrl->name, ns->nsid);
	if (ctrl->want_phys && ns->nsid == 1)	/* nvmev0 keeps its layout */
		want = ctrl->want_phys + SZ_1M;
	ret = nvmev_pool_alloc(ns->cfg.size, want, owner, &ns->phys);
	if (ret)
		return ret;
	ns->lba_shift = ns->cfg.lba_shift;
	ns->nr_lbas = ns->cfg.size >> ns->lba_shift;
	ns->size = ns->nr_lbas << ns->lba_shift;
	ns->csi = ops->csi;
	ns->data = memremap(ns->phys, ns->size, MEMREMAP_WB);
	if (!ns->data) {
		pr_err("%s: cannot map %#llx+%llu\n", owner, (u64)ns->phys,
		       ns->size);
		ret = -ENOMEM;
		goto free;
	}
	if (ns->keep_data && !ops->keeps_data) {
		pr_info("%s: %s namespaces are not kept across loads: the namespace starts empty\n",
			owner, ops->name);
		ns->keep_data = false;
	}
	if (ns->keep_data)
		pr_info("%s: keeping the data stored by the last load (use wipe=1 to erase it)\n",
			owner);
	else
		format(ns);
	ret = ops->start ? ops->start(ns, ns->keep_data) : 0;
	if (ret)
		goto unmap;
	ret = ops->model_start(ns);
	if (ret)
		goto stop;
	ret = nvmev_pl_start(ns);
	if (ret) {
		model_stop(ns);
		goto stop;
	}
	ns->keep_data = false;
	memset(&ns->stats, 0, sizeof(ns->stats));
	memset(&ns->pl_stats, 0, sizeof(ns->pl_stats));
	nvmev_ns_identity(ns);
	ns->wear_spare = 100;
	resv_init(&ns->resv);	/* volatile: no registrants after a cycle */

	ns->ops = ops;
	ns->enabled = true;
	nvmev_ns_attach_all(ns);	/* every controller it names */
	return 0;
stop:
	if (ops->stop)
		ops->stop(ns);
unmap:
	memunmap(ns->data);
	ns->data = NULL;
free:
	nvmev_pool_free(ns->phys);
	return ret;
}

/*
 * Detach from the controller, wait for the commands that still point here
 * and give the storage back.  The caller holds nvmev_cfg_lock.
 */
void nvmev_ns_disable(struct nvmev_ns *ns)
{
	lockdep_assert_held(&nvmev_cfg_lock);
	if (!ns->enabled)
		return;
	nvmev_ns_detach_all(ns);
	ns->enabled = false;

	/* fetched before the switch: they complete at their time */
	while (atomic_read(&ns->nr_reqs))
		schedule_timeout_uninterruptible(1);
	model_stop(ns);
	if (ns->ops->stop)
		ns->ops->stop(ns);
	kvfree(ns->uncor);
	ns->uncor = NULL;
	memunmap(ns->data);
	ns->data = NULL;
	nvmev_pool_free(ns->phys);
}
