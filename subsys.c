// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: NVM subsystems and the namespaces their controllers share.
 *
 *   /sys/kernel/config/nvmev/subsystems/<name>/   nqn serial model firmware
 *
 * A controller that joined no subsystem is a subsystem of its own.  One
 * that joined a named subsystem (its "subsys" attribute) takes the
 * subsystem's identity, and every namespace of the subsystem's controllers
 * is attached to each controller its "controllers" attribute names (all of
 * them by default): the same struct nvmev_ns sits in several ctrl->ns[]
 * arrays, one data store and one timing model reached through every path.
 *
 * The live controllers of a subsystem share one dispatcher thread (their
 * cpus start with the same CPU), so what a command changes in a shared
 * namespace (its model, zones, reservations) changes on one thread, under
 * one lock, whichever controller the command came through.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/configfs.h>
#include <linux/idr.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "nvmev.h"
#include "namespace.h"

static LIST_HEAD(subsystems);		/* under nvmev_cfg_lock */
static DEFINE_IDA(subsys_ida);
static struct config_group subsys_group;	/* subsystems/ */

bool nvmev_same_subsys(const struct nvmev_ctrl *a, const struct nvmev_ctrl *b)
{
	return a == b || (a->subsys && a->subsys == b->subsys);
}

/* The Subsystem NQN of @ctrl (Identify Controller SUBNQN). */
void nvmev_subnqn(struct nvmev_ctrl *ctrl, char *buf, size_t size)
{
	if (ctrl->subsys && ctrl->subsys->nqn[0])
		strscpy(buf, ctrl->subsys->nqn, size);
	else
		snprintf(buf, size, "nqn.2026-11.dev.nvmev:%s",
			 nvmev_serial(ctrl));
}

/* A live controller of @ctrl's subsystem other than @ctrl, or NULL. */
static struct nvmev_ctrl *other_live(struct nvmev_ctrl *ctrl)
{
	struct nvmev_ctrl *c;

	list_for_each_entry(c, &nvmev_ctrls, node)
		if (c != ctrl && c->live && nvmev_same_subsys(c, ctrl))
			return c;
	return NULL;
}

/*
 * Another live controller of @ctrl's subsystem (which a power cut of one
 * controller would take the shared namespaces away from).
 */
bool nvmev_subsys_busy(struct nvmev_ctrl *ctrl)
{
	return other_live(ctrl);
}

/*
 * The controller with ID @cntlid in @ctrl's subsystem, or NULL.  The
 * caller holds nvmev_cfg_lock.
 */
struct nvmev_ctrl *nvmev_subsys_ctrl(struct nvmev_ctrl *ctrl, u16 cntlid)
{
	struct nvmev_ctrl *c;

	lockdep_assert_held(&nvmev_cfg_lock);
	list_for_each_entry(c, &nvmev_ctrls, node)
		if (nvmev_cntlid(c) == cntlid && nvmev_same_subsys(c, ctrl))
			return c;
	return NULL;
}

/*
 * Before @ctrl goes live: it shares the dispatcher of the subsystem's live
 * controllers, and no other subsystem uses its serial or NQN (the host
 * would take them for paths to one subsystem).  Else one line says why.
 */
int nvmev_subsys_ctrl_check(struct nvmev_ctrl *ctrl)
{
	char nqn[NVMF_NQN_FIELD_LEN], other[NVMF_NQN_FIELD_LEN];
	struct nvmev_ctrl *c = other_live(ctrl);

	if (c && c->cpus[0] != ctrl->cpus[0]) {
		pr_err("%s: cpus starts with CPU %u, but the controllers of subsystem %s share one dispatcher: start cpus with %u, as controller %s does\n",
		       ctrl->name, ctrl->cpus[0], ctrl->subsys->name,
		       c->cpus[0], c->name);
		return -EINVAL;
	}
	nvmev_subnqn(ctrl, nqn, sizeof(nqn));
	list_for_each_entry(c, &nvmev_ctrls, node) {
		if (!c->live || nvmev_same_subsys(c, ctrl))
			continue;
		if (!strcmp(nvmev_serial(c), nvmev_serial(ctrl))) {
			pr_err("%s: serial=%s is already used by controller %s: give each controller (or subsystem) its own serial\n",
			       ctrl->name, nvmev_serial(ctrl), c->name);
			return -EINVAL;
		}
		nvmev_subnqn(c, other, sizeof(other));
		if (!strcmp(nqn, other)) {
			pr_err("%s: subsystem NQN %s is already used by controller %s: give each subsystem its own nqn\n",
			       ctrl->name, nqn, c->name);
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- Namespaces on several controllers ---------------------------------- */

/*
 * @ns is to be attached to @ctrl: same subsystem, and named if a list is
 * set.  One the host created is attached only by the host (nsmgmt.c).
 */
static bool ns_wants(struct nvmev_ns *ns, struct nvmev_ctrl *ctrl)
{
	const char *p = ns->paths;
	size_t len = strlen(ctrl->name);

	if (!nvmev_same_subsys(ns->ctrl, ctrl) || ns->host_created)
		return false;
	if (!*p)
		return true;
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == len && !strncmp(p, ctrl->name, n))
			return true;
		p += n;
		if (*p)
			p++;
	}
	return false;
}

/*
 * The controllers @ns is to be attached to have its NSID free; else one
 * line says which namespace holds it.  The caller holds nvmev_cfg_lock.
 */
int nvmev_ns_paths_check(struct nvmev_ns *ns)
{
	struct nvmev_ctrl *c;
	struct nvmev_ns *o;

	lockdep_assert_held(&nvmev_cfg_lock);
	list_for_each_entry(c, &nvmev_ctrls, node) {
		if (!ns_wants(ns, c))
			continue;
		o = c->ns[ns->nsid - 1];
		if (o && o != ns) {
			pr_err("%s/%u: controller %s already has namespace %u (of %s) in subsystem %s: use another NSID\n",
			       ns->ctrl->name, ns->nsid, c->name, ns->nsid,
			       o->ctrl->name, c->subsys ? c->subsys->name : c->name);
			return -EEXIST;
		}
	}
	return 0;
}

/* Attach @ns to @ctrl: it becomes an active namespace there. */
static void attach_one(struct nvmev_ns *ns, struct nvmev_ctrl *ctrl)
{
	nvmev_disp_lock(ctrl);
	ctrl->ns[ns->nsid - 1] = ns;
	ns->nr_paths++;
	if (ctrl->live)
		nvmev_ns_changed(ctrl, ns->nsid);
	nvmev_disp_unlock(ctrl);
}

static void detach_one(struct nvmev_ns *ns, struct nvmev_ctrl *ctrl)
{
	nvmev_disp_lock(ctrl);
	ctrl->ns[ns->nsid - 1] = NULL;
	ns->nr_paths--;
	nvmev_io_drop_lost(ctrl, NULL, ns);	/* they would never end */
	nvmev_fault_ns_detached(ctrl, ns);
	if (ctrl->live)
		nvmev_ns_changed(ctrl, ns->nsid);
	nvmev_disp_unlock(ctrl);
}

/*
 * Attach the enabled namespace @ns to every controller of its subsystem
 * that it names, live or not.  The caller holds nvmev_cfg_lock and has
 * checked the NSID (nvmev_ns_paths_check()).
 */
void nvmev_ns_attach_all(struct nvmev_ns *ns)
{
	struct nvmev_ctrl *c;

	lockdep_assert_held(&nvmev_cfg_lock);
	list_for_each_entry(c, &nvmev_ctrls, node)
		if (ns_wants(ns, c) && !c->ns[ns->nsid - 1])
			attach_one(ns, c);
}

/* Detach @ns from every controller it is attached to. */
void nvmev_ns_detach_all(struct nvmev_ns *ns)
{
	struct nvmev_ctrl *c;

	lockdep_assert_held(&nvmev_cfg_lock);
	list_for_each_entry(c, &nvmev_ctrls, node)
		if (c->ns[ns->nsid - 1] == ns)
			detach_one(ns, c);
}

/*
 * The attributes of @ns changed: a Namespace Attribute Changed event on
 * every live controller it is attached to.  The caller holds
 * nvmev_cfg_lock.
 */
void nvmev_ns_changed_all(struct nvmev_ns *ns)
{
	struct nvmev_ctrl *c;

	lockdep_assert_held(&nvmev_cfg_lock);
	list_for_each_entry(c, &nvmev_ctrls, node)
		if (c->live && c->ns[ns->nsid - 1] == ns)
			nvmev_ns_changed(c, ns->nsid);
}

/*
 * Attach @ns to / detach it from the one controller @ctrl (Namespace
 * Attachment from the host).  The caller holds nvmev_cfg_lock.
 */
int nvmev_ns_attach(struct nvmev_ns *ns, struct nvmev_ctrl *ctrl)
{
	lockdep_assert_held(&nvmev_cfg_lock);
	if (!nvmev_same_subsys(ns->ctrl, ctrl))
		return -EINVAL;
	if (ctrl->ns[ns->nsid - 1])
		return ctrl->ns[ns->nsid - 1] == ns ? -EALREADY : -EEXIST;
	attach_one(ns, ctrl);
	return 0;
}

int nvmev_ns_detach(struct nvmev_ns *ns, struct nvmev_ctrl *ctrl)
{
	lockdep_assert_held(&nvmev_cfg_lock);
	if (ctrl->ns[ns->nsid - 1] != ns)
		return -ENOENT;
	detach_one(ns, ctrl);
	return 0;
}

/*
 * @ctrl (not live, none of its namespaces enabled) joins the subsystem
 * @name, or leaves its subsystem for "" : it takes the enabled namespaces
 * of the subsystem that name it, or gives back those of the one it
 * leaves.  The caller holds nvmev_cfg_lock.
 */
int nvmev_subsys_join(struct nvmev_ctrl *ctrl, const char *name)
{
	struct nvmev_subsys *s = NULL, *old = ctrl->subsys;
	struct nvmev_ctrl *c;
	unsigned int i;

	lockdep_assert_held(&nvmev_cfg_lock);
	if (*name) {
		list_for_each_entry(s, &subsystems, node)
			if (!strcmp(s->name, name))
				break;
		if (list_entry_is_head(s, &subsystems, node)) {
			pr_err("%s: subsys=%s: no such subsystem: mkdir subsystems/%s first\n",
			       ctrl->name, name, name);
			return -ENOENT;
		}
	}
	if (s == old)
		return 0;
	if (ctrl->live)
		return -EBUSY;
	for (i = 0; i < NVMEV_MAX_NS; i++) {
		if (ctrl->ns_cfg[i] && ctrl->ns_cfg[i]->enabled) {
			pr_err("%s: subsys=%s: disable its namespaces first (namespace %u is enabled)\n",
			       ctrl->name, name, i + 1);
			return -EBUSY;
		}
	}
	/* the namespaces of the subsystem it leaves */
	for (i = 0; i < NVMEV_MAX_NS; i++)
		if (ctrl->ns[i])
			detach_one(ctrl->ns[i], ctrl);
	if (old) {
		old->nr_ctrls--;
		config_group_put(&old->group);
	}
	ctrl->subsys = s;
	if (!s)
		return 0;
	config_group_get(&s->group);
	s->nr_ctrls++;
	list_for_each_entry(c, &nvmev_ctrls, node) {
		for (i = 0; c != ctrl && i < NVMEV_MAX_NS; i++) {
			struct nvmev_ns *ns = c->ns_cfg[i];

			if (ns && ns->enabled && ns_wants(ns, ctrl) &&
			    !ctrl->ns[i])
				attach_one(ns, ctrl);
		}
	}
	return 0;
}

/* ---- configfs: subsystems/<name>/ --------------------------------------- */

static inline struct nvmev_subsys *to_subsys(struct config_item *item)
{
	return container_of(to_config_group(item), struct nvmev_subsys, group);
}

/*
 * Set an identity field of @s: only while none of its controllers is
 * live (the host reads it once).
 */
static ssize_t subsys_ident_store(struct nvmev_subsys *s, const char *attr,
				  char *dst, size_t max, const char *page,
				  size_t count, bool empty_ok)
{
	char buf[NVMF_NQN_SIZE + 2], *v;
	struct nvmev_ctrl *c;
	ssize_t ret = count;

	if (count >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, page, count);
	buf[count] = '\0';
	v = strim(buf);
	mutex_lock(&nvmev_cfg_lock);
	list_for_each_entry(c, &nvmev_ctrls, node) {
		if (c->subsys == s && c->live) {
			ret = -EBUSY;
			goto out;
		}
	}
	if ((!*v && !empty_ok) || strlen(v) > max || !nvmev_printable(v)) {
		pr_err("subsystems/%s: %s=%s: use %s1 to %zu printable ASCII characters\n",
		       s->name, attr, v, empty_ok ? "nothing (the default) or " : "",
		       max);
		ret = -EINVAL;
		goto out;
	}
	strscpy(dst, v, max + 1);
	/* the namespaces' identities follow the serial */
	list_for_each_entry(c, &nvmev_ctrls, node) {
		unsigned int i;

		for (i = 0; c->subsys == s && i < NVMEV_MAX_NS; i++)
			if (c->ns_cfg[i] && c->ns_cfg[i]->enabled)
				nvmev_ns_identity(c->ns_cfg[i]);
	}
out:
	mutex_unlock(&nvmev_cfg_lock);
	return ret;
}

#define SUBSYS_ATTR(_name, _empty_ok)					\
static ssize_t subsys_##_name##_show(struct config_item *item, char *page) \
{									\
	return sysfs_emit(page, "%s\n", to_subsys(item)->_name);	\
}									\
static ssize_t subsys_##_name##_store(struct config_item *item,	\
				      const char *page, size_t count)	\
{									\
	struct nvmev_subsys *s = to_subsys(item);			\
									\
	return subsys_ident_store(s, #_name, s->_name,			\
				  sizeof(s->_name) - 1, page, count,	\
				  _empty_ok);				\
}									\
CONFIGFS_ATTR(subsys_, _name)

SUBSYS_ATTR(serial, false);
SUBSYS_ATTR(model, false);
SUBSYS_ATTR(firmware, false);

static ssize_t subsys_nqn_show(struct config_item *item, char *page)
{
	struct nvmev_subsys *s = to_subsys(item);

	if (s->nqn[0])
		return sysfs_emit(page, "%s\n", s->nqn);
	return sysfs_emit(page, "nqn.2026-11.dev.nvmev:%s\n", s->serial);
}

static ssize_t subsys_nqn_store(struct config_item *item, const char *page,
				size_t count)
{
	struct nvmev_subsys *s = to_subsys(item);

	return subsys_ident_store(s, "nqn", s->nqn, sizeof(s->nqn) - 1,
				  page, count, true);
}
CONFIGFS_ATTR(subsys_, nqn);

/* The controllers that joined, by name, with their controller IDs. */
static ssize_t subsys_controllers_show(struct config_item *item, char *page)
{
	struct nvmev_subsys *s = to_subsys(item);
	struct nvmev_ctrl *c;
	size_t n = 0;

	mutex_lock(&nvmev_cfg_lock);
	list_for_each_entry(c, &nvmev_ctrls, node)
		if (c->subsys == s)
			n += scnprintf(page + n, PAGE_SIZE - n,
				       "%s cntlid=%u %s\n", c->name,
				       nvmev_cntlid(c),
				       c->live ? "live" : "disabled");
	mutex_unlock(&nvmev_cfg_lock);
	return n;
}
CONFIGFS_ATTR_RO(subsys_, controllers);

static struct configfs_attribute *subsys_attrs[] = {
	&subsys_attr_nqn,
	&subsys_attr_serial,
	&subsys_attr_model,
	&subsys_attr_firmware,
	&subsys_attr_controllers,
	NULL,
};

static void subsys_release(struct config_item *item)
{
	struct nvmev_subsys *s = to_subsys(item);

	ida_free(&subsys_ida, s->id);
	kfree(s);
}

static struct configfs_item_operations subsys_item_ops = {
	.release = subsys_release,
};

static const struct config_item_type subsys_type = {
	.ct_item_ops = &subsys_item_ops,
	.ct_attrs = subsys_attrs,
	.ct_owner = THIS_MODULE,
};

static struct config_group *subsys_make(struct config_group *group,
					const char *name)
{
	const struct nvmev_params *p = nvmev_module_params;
	struct nvmev_subsys *s;
	int id;

	if (strlen(name) >= sizeof(s->name)) {
		pr_err("subsystems/%s: subsystem names have at most %zu characters\n",
		       name, sizeof(s->name) - 1);
		return ERR_PTR(-ENAMETOOLONG);
	}
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return ERR_PTR(-ENOMEM);
	id = ida_alloc_max(&subsys_ida, NVMEV_MAX_CTRLS - 1, GFP_KERNEL);
	if (id < 0) {
		pr_err("subsystems/%s: at most %u subsystems\n", name,
		       NVMEV_MAX_CTRLS);
		kfree(s);
		return ERR_PTR(-ENOSPC);
	}
	s->id = id;
	strscpy(s->name, name, sizeof(s->name));
	snprintf(s->serial, sizeof(s->serial), "NVMEVS%04X%08X", id & 0xffff,
		 (u32)(p->memmap_start >> 20));
	strscpy(s->model, "nvmev NVM SSD", sizeof(s->model));
	strscpy(s->firmware, NVMEV_VERSION, sizeof(s->firmware));
	config_group_init_type_name(&s->group, name, &subsys_type);
	mutex_lock(&nvmev_cfg_lock);
	list_add_tail(&s->node, &subsystems);
	mutex_unlock(&nvmev_cfg_lock);
	return &s->group;
}

/*
 * rmdir: the name is gone; controllers that joined stay in the subsystem
 * (it lives on with them) until they leave it.
 */
static void subsys_drop(struct config_group *group, struct config_item *item)
{
	struct nvmev_subsys *s = to_subsys(item);

	mutex_lock(&nvmev_cfg_lock);
	list_del(&s->node);
	s->removed = true;
	mutex_unlock(&nvmev_cfg_lock);
	config_item_put(item);
}

static struct configfs_group_operations subsys_group_ops = {
	.make_group = subsys_make,
	.drop_item = subsys_drop,
};

static const struct config_item_type subsys_group_type = {
	.ct_group_ops = &subsys_group_ops,
	.ct_owner = THIS_MODULE,
};

/* subsystems/ under the configfs root @root (before it is registered). */
int nvmev_subsys_init(struct config_group *root)
{
	config_group_init_type_name(&subsys_group, "subsystems",
				    &subsys_group_type);
	configfs_add_default_group(&subsys_group, root);
	return 0;
}

void nvmev_subsys_exit(void)
{
	ida_destroy(&subsys_ida);
}
