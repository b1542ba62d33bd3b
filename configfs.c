// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: run-time configuration through configfs.
 *
 *   /sys/kernel/config/nvmev/<ctrl>/namespaces/<nsid>/
 *   /sys/kernel/config/nvmev/subsystems/<name>/ (subsys.c)
 *
 * mkdir creates a controller or namespace, attribute files configure it,
 * "enable" brings it up.  docs/configfs.md is the user's description; this
 * file only translates between text and the structures of ctrl.c and
 * namespace.c.  Every change takes nvmev_cfg_lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/configfs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/ctype.h>

#include "nvmev.h"
#include "namespace.h"
#include "ftl/presets.h"

/* The namespace type named @name (its ops' name), or -EINVAL. */
static int type_by_name(const char *name)
{
	unsigned int t;

	for (t = 0; name && t < NVMEV_NR_NS_TYPES; t++)
		if (!strcmp(nvmev_ns_types[t]->name, name))
			return t;
	return -EINVAL;
}

static inline struct nvmev_ctrl *to_ctrl(struct config_item *item)
{
	return container_of(to_config_group(item), struct nvmev_ctrl, group);
}

static inline struct nvmev_ns *to_ns(struct config_item *item)
{
	return container_of(to_config_group(item), struct nvmev_ns, group);
}

/* The written value without its trailing newline, or NULL if too long. */
static char *value(const char *page, size_t count, char *buf, size_t size)
{
	if (count >= size)
		return NULL;
	memcpy(buf, page, count);
	buf[count] = '\0';
	return strim(buf);
}

/* Only printable ASCII (identity strings, names). */
bool nvmev_printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

/* ---- Controller attributes ---------------------------------------------- */

static ssize_t ident_store(struct nvmev_ctrl *ctrl, const char *attr,
			   char *dst, size_t max, const char *page,
			   size_t count)
{
	char buf[64], *v = value(page, count, buf, sizeof(buf));
	ssize_t ret = count;

	mutex_lock(&nvmev_cfg_lock);
	if (ctrl->live) {
		ret = -EBUSY;
	} else if (ctrl->subsys) {
		pr_err("%s: %s comes from subsystem %s: set it there\n",
		       ctrl->name, attr, ctrl->subsys->name);
		ret = -EINVAL;
	} else if (!v || !*v || strlen(v) > max || !nvmev_printable(v)) {
		pr_err("%s: %s=%s: use 1 to %zu printable ASCII characters\n",
		       ctrl->name, attr, v ? v : "(too long)", max);
		ret = -EINVAL;
	} else {
		strscpy(dst, v, max + 1);
	}
	mutex_unlock(&nvmev_cfg_lock);
	return ret;
}

#define IDENT_ATTR(_name)						\
static ssize_t ctrl_##_name##_show(struct config_item *item, char *page) \
{									\
	return sysfs_emit(page, "%s\n", nvmev_##_name(to_ctrl(item)));	\
}									\
static ssize_t ctrl_##_name##_store(struct config_item *item,		\
				    const char *page, size_t count)	\
{									\
	struct nvmev_ctrl *ctrl = to_ctrl(item);			\
									\
	return ident_store(ctrl, #_name, ctrl->_name,			\
			   sizeof(ctrl->_name) - 1, page, count);	\
}									\
CONFIGFS_ATTR(ctrl_, _name)

IDENT_ATTR(serial);
IDENT_ATTR(model);
IDENT_ATTR(firmware);

static ssize_t ctrl_subsys_show(struct config_item *item, char *page)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	ssize_t n;

	mutex_lock(&nvmev_cfg_lock);
	n = !ctrl->subsys ? sysfs_emit(page, "\n") :
	    sysfs_emit(page, "%s%s\n", ctrl->subsys->name,
		       ctrl->subsys->removed ? " (removed)" : "");
	mutex_unlock(&nvmev_cfg_lock);
	return n;
}

/* Join a subsystem (subsystems/<name>), or leave it for an empty line. */
static ssize_t ctrl_subsys_store(struct config_item *item, const char *page,
				 size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	char buf[40], *v = value(page, count, buf, sizeof(buf));
	int ret;

	if (!v)
		return -EINVAL;
	mutex_lock(&nvmev_cfg_lock);
	ret = nvmev_subsys_join(ctrl, v);
	mutex_unlock(&nvmev_cfg_lock);
	return ret ? ret : count;
}
CONFIGFS_ATTR(ctrl_, subsys);

static ssize_t ctrl_cpus_show(struct config_item *item, char *page)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	unsigned int i;
	ssize_t n = 0;

	mutex_lock(&nvmev_cfg_lock);
	for (i = 0; i < ctrl->nr_cpus; i++)
		n += sysfs_emit_at(page, n, "%s%u", i ? "," : "", ctrl->cpus[i]);
	mutex_unlock(&nvmev_cfg_lock);
	n += sysfs_emit_at(page, n, "\n");
	return n;
}

static ssize_t ctrl_cpus_store(struct config_item *item, const char *page,
			       size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	unsigned int cpus[NVMEV_MAX_CPUS], nr;
	char buf[256], who[40], *v = value(page, count, buf, sizeof(buf));
	ssize_t ret = count;
	int err;

	if (!v)
		return -EINVAL;
	snprintf(who, sizeof(who), "%s: ", ctrl->name);
	mutex_lock(&nvmev_cfg_lock);
	if (ctrl->live) {
		ret = -EBUSY;
		goto out;
	}
	err = nvmev_parse_cpus(who, v, cpus, &nr);
	if (err) {
		ret = err;
		goto out;
	}
	memcpy(ctrl->cpus, cpus, sizeof(cpus));
	ctrl->nr_cpus = nr;
out:
	mutex_unlock(&nvmev_cfg_lock);
	return ret;
}
CONFIGFS_ATTR(ctrl_, cpus);

static ssize_t ctrl_zasl_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", to_ctrl(item)->zasl);
}

static ssize_t ctrl_zasl_store(struct config_item *item, const char *page,
			       size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	ssize_t ret = count;
	u8 v;

	if (kstrtou8(page, 0, &v) || v > NVMEV_MDTS) {
		pr_err("%s: zasl=%.*s: use 0 (Zone Append up to MDTS, 512 KiB) or 1..%u (2^zasl x 4 KiB)\n",
		       ctrl->name, (int)strcspn(page, "\n"), page, NVMEV_MDTS);
		return -EINVAL;
	}
	mutex_lock(&nvmev_cfg_lock);
	if (ctrl->live)
		ret = -EBUSY;
	else
		ctrl->zasl = v;
	mutex_unlock(&nvmev_cfg_lock);
	return ret;
}
CONFIGFS_ATTR(ctrl_, zasl);

static ssize_t ctrl_enable_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", to_ctrl(item)->live);
}

static ssize_t ctrl_enable_store(struct config_item *item, const char *page,
				 size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	char buf[16], *v = value(page, count, buf, sizeof(buf));
	bool on;
	int ret = 0;

	if (!v || kstrtobool(v, &on) || (strcmp(v, "0") && strcmp(v, "1"))) {
		pr_err("%s: enable=%s: use 1 (add the PCI function) or 0 (remove it)\n",
		       ctrl->name, v ? v : "(too long)");
		return -EINVAL;
	}
	mutex_lock(&nvmev_cfg_lock);
	if (on)
		ret = nvmev_ctrl_enable(ctrl);
	else
		nvmev_ctrl_disable(ctrl);
	mutex_unlock(&nvmev_cfg_lock);
	return ret ? ret : count;
}
CONFIGFS_ATTR(ctrl_, enable);

static ssize_t ctrl_pci_show(struct config_item *item, char *page)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	ssize_t n;

	mutex_lock(&nvmev_cfg_lock);
	n = sysfs_emit(page, "%s\n", ctrl->live ? ctrl->pci_name : "");
	mutex_unlock(&nvmev_cfg_lock);
	return n;
}
CONFIGFS_ATTR_RO(ctrl_, pci);

static ssize_t ctrl_stats_show(struct config_item *item, char *page)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	ssize_t n;

	n = sysfs_emit(page,
		       "admin_cmds %lld\nadmin_errors %lld\nio_interrupts %lld\n",
		       atomic64_read(&ctrl->admin_cmds),
		       atomic64_read(&ctrl->admin_errors),
		       atomic64_read(&ctrl->io_irqs));
	return n + nvmev_stats_show(&ctrl->io_stats,
				    atomic_read(&ctrl->nr_reqs), page + n,
				    PAGE_SIZE - n);
}
CONFIGFS_ATTR_RO(ctrl_, stats);


/* ---- Fault injection and health (fault.c, docs/faults.md) ----------------- */

static ssize_t faults_store(struct nvmev_faults *f, const char *who,
			    const char *page, size_t count, bool is_ns)
{
	char buf[256], *v = value(page, count, buf, sizeof(buf));
	int ret;

	if (!v)
		return -EINVAL;
	ret = nvmev_fault_write(f, who, v, is_ns);
	return ret ? ret : count;
}

static ssize_t ctrl_faults_show(struct config_item *item, char *page)
{
	return nvmev_fault_show(&to_ctrl(item)->faults, page, PAGE_SIZE);
}

static ssize_t ctrl_faults_store(struct config_item *item, const char *page,
				 size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);

	return faults_store(&ctrl->faults, ctrl->name, page, count, false);
}
CONFIGFS_ATTR(ctrl_, faults);

/* "now", "after N" (commands), or "off" */
static ssize_t ctrl_fault_cfs_show(struct config_item *item, char *page)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	s64 left = atomic64_read(&ctrl->cfs_after);

	if (left > 0)
		return sysfs_emit(page, "after %lld\n", left);
	return sysfs_emit(page, "%s\n", READ_ONCE(ctrl->fault_cfs) ? "now" : "off");
}

static ssize_t ctrl_fault_cfs_store(struct config_item *item,
				    const char *page, size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	char buf[32], *v = value(page, count, buf, sizeof(buf));
	u64 n;

	mutex_lock(&nvmev_cfg_lock);
	if (v && !strcmp(v, "now")) {
		WRITE_ONCE(ctrl->fault_cfs, true);
	} else if (v && !strncmp(v, "after ", 6) && !kstrtou64(v + 6, 0, &n) &&
		   n && n < S64_MAX) {
		if (atomic64_xchg(&ctrl->cfs_after, n) <= 0)
			atomic_inc(&ctrl->faults_armed);
	} else if (v && !strcmp(v, "off")) {
		if (atomic64_xchg(&ctrl->cfs_after, 0) > 0)
			atomic_dec(&ctrl->faults_armed);
	} else {
		mutex_unlock(&nvmev_cfg_lock);
		pr_err("%s: fault_cfs=%s: use now, after N (commands) or off\n",
		       ctrl->name, v ? v : "(too long)");
		return -EINVAL;
	}
	mutex_unlock(&nvmev_cfg_lock);
	return count;
}
CONFIGFS_ATTR(ctrl_, fault_cfs);

static ssize_t ctrl_present_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", !READ_ONCE(to_ctrl(item)->gone));
}

/* 0: surprise removal of the PCI function; 1: it comes back */
static ssize_t ctrl_present_store(struct config_item *item, const char *page,
				  size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	char buf[16], *v = value(page, count, buf, sizeof(buf));
	int ret;

	if (!v || (strcmp(v, "0") && strcmp(v, "1"))) {
		pr_err("%s: present=%s: use 0 (surprise removal) or 1 (back)\n",
		       ctrl->name, v ? v : "(too long)");
		return -EINVAL;
	}
	mutex_lock(&nvmev_cfg_lock);
	if (!ctrl->live) {
		pr_err("%s: present: the controller is not enabled\n",
		       ctrl->name);
		ret = -EINVAL;
	} else if (ctrl->power_off) {
		pr_err("%s: present: the power is off (write on to power)\n",
		       ctrl->name);
		ret = -EINVAL;
	} else {
		ret = nvmev_pci_surprise(ctrl, *v == '0');
	}
	mutex_unlock(&nvmev_cfg_lock);
	return ret ? ret : count;
}
CONFIGFS_ATTR(ctrl_, present);

static ssize_t ctrl_power_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%s\n",
			  READ_ONCE(to_ctrl(item)->power_off) ? "off" : "on");
}

/*
 * A power cut: "off" or "cut" now, "cut torn", "seed=N", "in=MS" (later),
 * "within=MS" (a seeded random moment before then); "cancel"; "on".
 */
static ssize_t ctrl_power_store(struct config_item *item, const char *page,
				size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	char buf[128], *v = value(page, count, buf, sizeof(buf)), *tok;
	bool torn = false, cut = false, on = false, cancel = false;
	bool seeded = false, random = false;
	u64 seed = 0;
	u32 ms = 0;
	int ret = 0;

	if (!v)
		goto bad;
	while ((tok = strsep(&v, " \t")) != NULL) {
		if (!*tok)
			continue;
		if (!strcmp(tok, "off") || !strcmp(tok, "cut"))
			cut = true;
		else if (!strcmp(tok, "torn"))
			torn = true;
		else if (!strcmp(tok, "on"))
			on = true;
		else if (!strcmp(tok, "cancel"))
			cancel = true;
		else if (!strncmp(tok, "seed=", 5) && !kstrtou64(tok + 5, 0, &seed))
			seeded = true;
		else if (!strncmp(tok, "in=", 3) && !kstrtou32(tok + 3, 0, &ms))
			random = false;
		else if (!strncmp(tok, "within=", 7) &&
			 !kstrtou32(tok + 7, 0, &ms) && ms)
			random = true;
		else
			goto bad;
	}
	if (cut + on + cancel != 1)
		goto bad;
	if (!seeded)
		seed = get_random_u64() | 1;
	mutex_lock(&nvmev_cfg_lock);
	if (cancel) {
		nvmev_power_cancel(ctrl, false);
	} else if (on) {
		ret = nvmev_power_on(ctrl);
	} else if (!ctrl->live || ctrl->power_off || READ_ONCE(ctrl->gone)) {
		pr_err("%s: power: the controller is %s\n", ctrl->name,
		       !ctrl->live ? "not enabled" :
		       ctrl->power_off ? "already off (write on first)" :
		       "unplugged (present=1 first)");
		ret = -EINVAL;
	} else if (nvmev_subsys_busy(ctrl)) {
		pr_err("%s: power: another controller of subsystem %s is enabled and shares its namespaces: disable the others first\n",
		       ctrl->name, ctrl->subsys->name);
		ret = -EBUSY;
	} else if (ms) {
		if (random)
			ms = nvmev_power_rand(seed ^ 0x9e3779b97f4a7c15ULL, ms);
		nvmev_power_cut_later(ctrl, torn, seed, ms);
	} else {
		ret = nvmev_power_cut(ctrl, torn, seed);
	}
	mutex_unlock(&nvmev_cfg_lock);
	return ret ? ret : count;
bad:
	pr_err("%s: power: use off | cut [torn] [seed=N] [in=MS | within=MS] | cancel | on\n",
	       ctrl->name);
	return -EINVAL;
}
CONFIGFS_ATTR(ctrl_, power);

/*
 * Set a switch that makes the dispatcher look at every command (fault.c's
 * faults_armed); true if it changed.  The caller holds nvmev_cfg_lock.
 */
static bool set_armed(atomic_t *armed, bool *flag, bool on)
{
	if (on == *flag)
		return false;
	if (on)
		atomic_inc(armed);
	else
		atomic_dec(armed);
	WRITE_ONCE(*flag, on);
	return true;
}

/* Read-only media changed every namespace's attributes: tell the host. */
static void all_ns_changed(struct nvmev_ctrl *ctrl)
{
	unsigned int i;

	if (!ctrl->live)
		return;
	for (i = 0; i < NVMEV_MAX_NS; i++)
		if (ctrl->ns[i])
			nvmev_ns_changed(ctrl, i + 1);
}

static ssize_t ctrl_temperature_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n",
			  READ_ONCE(to_ctrl(item)->temp_kelvin) - 273);
}

static ssize_t ctrl_temperature_store(struct config_item *item,
				      const char *page, size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	int c;

	if (kstrtoint(page, 10, &c) || c < -273 || c > 200) {
		pr_err("%s: temperature: degrees Celsius, -273..200\n",
		       ctrl->name);
		return -EINVAL;
	}
	WRITE_ONCE(ctrl->temp_kelvin, c + 273);
	return count;
}
CONFIGFS_ATTR(ctrl_, temperature);

static ssize_t ctrl_avail_spare_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_ctrl(item)->avail_spare));
}

static ssize_t ctrl_avail_spare_store(struct config_item *item,
				      const char *page, size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	u8 v;

	if (kstrtou8(page, 10, &v) || v > 100) {
		pr_err("%s: avail_spare: percent, 0..100 (the threshold is %u)\n",
		       ctrl->name, NVMEV_SPARE_THRESH);
		return -EINVAL;
	}
	WRITE_ONCE(ctrl->avail_spare, v);
	return count;
}
CONFIGFS_ATTR(ctrl_, avail_spare);

static ssize_t ctrl_media_ro_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(to_ctrl(item)->media_ro));
}

static ssize_t ctrl_media_ro_store(struct config_item *item,
				   const char *page, size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	bool on;

	if (kstrtobool(page, &on))
		return -EINVAL;
	mutex_lock(&nvmev_cfg_lock);
	if (set_armed(&ctrl->faults_armed, &ctrl->media_ro, on))
		all_ns_changed(ctrl);
	mutex_unlock(&nvmev_cfg_lock);
	return count;
}
CONFIGFS_ATTR(ctrl_, media_ro);

static ssize_t ctrl_degraded_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(to_ctrl(item)->degraded));
}

static ssize_t ctrl_degraded_store(struct config_item *item,
				   const char *page, size_t count)
{
	bool on;

	if (kstrtobool(page, &on))
		return -EINVAL;
	WRITE_ONCE(to_ctrl(item)->degraded, on);
	return count;
}
CONFIGFS_ATTR(ctrl_, degraded);

/* ANA: this controller's state of each group (ana.c), also while live */
static ssize_t ctrl_ana_show(struct config_item *item, char *page)
{
	ssize_t len;

	mutex_lock(&nvmev_cfg_lock);
	len = nvmev_ana_show(to_ctrl(item), page);
	mutex_unlock(&nvmev_cfg_lock);
	return len;
}

static ssize_t ctrl_ana_store(struct config_item *item, const char *page,
			      size_t count)
{
	char buf[64], *v = value(page, count, buf, sizeof(buf));
	int ret;

	if (!v)
		return -EINVAL;
	mutex_lock(&nvmev_cfg_lock);
	ret = nvmev_ana_store(to_ctrl(item), v);
	mutex_unlock(&nvmev_cfg_lock);
	return ret ? ret : count;
}
CONFIGFS_ATTR(ctrl_, ana);

static ssize_t ctrl_anatt_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", to_ctrl(item)->anatt);
}

static ssize_t ctrl_anatt_store(struct config_item *item, const char *page,
				size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	ssize_t ret = count;
	u8 v;

	if (kstrtou8(page, 0, &v) || !v) {
		pr_err("%s: anatt=%.*s: ANA Transition Time, 1..255 seconds\n",
		       ctrl->name, (int)strcspn(page, "\n"), page);
		return -EINVAL;
	}
	mutex_lock(&nvmev_cfg_lock);
	if (ctrl->live)
		ret = -EBUSY;
	else
		ctrl->anatt = v;
	mutex_unlock(&nvmev_cfg_lock);
	return ret;
}
CONFIGFS_ATTR(ctrl_, anatt);

static struct configfs_attribute *ctrl_attrs[] = {
	&ctrl_attr_serial,
	&ctrl_attr_model,
	&ctrl_attr_firmware,
	&ctrl_attr_subsys,
	&ctrl_attr_cpus,
	&ctrl_attr_zasl,
	&ctrl_attr_enable,
	&ctrl_attr_pci,
	&ctrl_attr_stats,
	&ctrl_attr_faults,
	&ctrl_attr_fault_cfs,
	&ctrl_attr_present,
	&ctrl_attr_power,
	&ctrl_attr_temperature,
	&ctrl_attr_avail_spare,
	&ctrl_attr_media_ro,
	&ctrl_attr_degraded,
	&ctrl_attr_ana,
	&ctrl_attr_anatt,
	NULL,
};

/* ---- Namespace attributes ----------------------------------------------- */

/*
 * Copy @len bytes from @src to @dst, a field of @ns's configuration,
 * unless the namespace is enabled: its configuration is fixed while it is.
 */
static ssize_t ns_cfg_store(struct nvmev_ns *ns, void *dst, const void *src,
			    size_t len, size_t count)
{
	ssize_t ret = count;

	mutex_lock(&nvmev_cfg_lock);
	if (ns->enabled)
		ret = -EBUSY;
	else
		memcpy(dst, src, len);
	mutex_unlock(&nvmev_cfg_lock);
	return ret;
}

/* Set the configuration field *@dst of @ns to @v (see ns_cfg_store()). */
#define NS_CFG_SET(ns, dst, v, count) ({				\
	typeof(*(dst)) __v = (v);					\
									\
	ns_cfg_store(ns, dst, &__v, sizeof(__v), count);		\
})

static ssize_t ns_type_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%s\n",
			  nvmev_ns_types[to_ns(item)->cfg.type]->name);
}

static ssize_t ns_type_store(struct config_item *item, const char *page,
			     size_t count)
{
	struct nvmev_ns *ns = to_ns(item);
	char buf[16], *v = value(page, count, buf, sizeof(buf));
	int ret, t;

	t = type_by_name(v);
	if (t < 0) {
		pr_err("%s/%u: type=%s: use nvm, conv, zns or kv\n",
		       ns->ctrl->name, ns->nsid, v ? v : "(too long)");
		return -EINVAL;
	}
	mutex_lock(&nvmev_cfg_lock);
	ret = ns->enabled ? -EBUSY : nvmev_ns_set_type(ns, t);
	mutex_unlock(&nvmev_cfg_lock);
	return ret ? ret : count;
}
CONFIGFS_ATTR(ns_, type);

static ssize_t ns_size_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%llu\n", to_ns(item)->cfg.size);
}

static ssize_t ns_size_store(struct config_item *item, const char *page,
			     size_t count)
{
	struct nvmev_ns *ns = to_ns(item);
	char buf[32], *v = value(page, count, buf, sizeof(buf));
	u64 size = 0;

	if (!v || nvmev_parse_bytes(v, &size) || size < SZ_1M) {
		pr_err("%s/%u: size=%s: use a size of at least 1M, with an optional K/M/G/T suffix, e.g. 1G\n",
		       ns->ctrl->name, ns->nsid, v ? v : "(too long)");
		return -EINVAL;
	}
	return NS_CFG_SET(ns, &ns->cfg.size, round_down(size, SZ_1M), count);
}
CONFIGFS_ATTR(ns_, size);

static ssize_t ns_lba_size_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", 1U << to_ns(item)->cfg.lba_shift);
}

static ssize_t ns_lba_size_store(struct config_item *item, const char *page,
				 size_t count)
{
	struct nvmev_ns *ns = to_ns(item);
	unsigned int v;

	if (kstrtouint(page, 10, &v) || (v != 512 && v != 4096)) {
		pr_err("%s/%u: lba_size=%.*s: use 512 or 4096\n",
		       ns->ctrl->name, ns->nsid, (int)strcspn(page, "\n"), page);
		return -EINVAL;
	}
	return NS_CFG_SET(ns, &ns->cfg.lba_shift, ilog2(v), count);
}
CONFIGFS_ATTR(ns_, lba_size);

static ssize_t ns_preset_show(struct config_item *item, char *page)
{
	int p = to_ns(item)->cfg.preset;

	return sysfs_emit(page, "%s\n", p < 0 ? "module" : ftl_presets[p].name);
}

static ssize_t ns_preset_store(struct config_item *item, const char *page,
			       size_t count)
{
	struct nvmev_ns *ns = to_ns(item);
	char buf[32], *v = value(page, count, buf, sizeof(buf));
	int ret;

	mutex_lock(&nvmev_cfg_lock);
	ret = ns->enabled ? -EBUSY : v ? nvmev_ns_set_preset(ns, v) : -EINVAL;
	mutex_unlock(&nvmev_cfg_lock);
	if (ret == -EBUSY)
		return ret;
	if (ret) {
		pr_err("%s/%u: preset=%s: not a preset; the names are in the presets file\n",
		       ns->ctrl->name, ns->nsid, v ? v : "(too long)");
		return ret;
	}
	return count;
}
CONFIGFS_ATTR(ns_, preset);

static ssize_t ns_presets_show(struct config_item *item, char *page)
{
	unsigned int i;
	ssize_t n = 0;

	for (i = 0; i < ftl_nr_presets; i++)
		n += sysfs_emit_at(page, n, "%s %s %s\n", ftl_presets[i].name,
				   nvmev_ns_types[nvmev_preset_type(i)]->name,
				   ftl_presets[i].desc);
	return n;
}
CONFIGFS_ATTR_RO(ns_, presets);

/* NVM model parameters: u32 values, each with its own range. */
static ssize_t nvm_param_store(struct nvmev_ns *ns, const char *attr,
			       u32 *dst, u32 min, u32 max, const char *page,
			       size_t count)
{
	u32 v;

	if (kstrtou32(page, 0, &v) || v < min || v > max) {
		pr_err("%s/%u: %s=%.*s: use %u..%u\n", ns->ctrl->name, ns->nsid,
		       attr, (int)strcspn(page, "\n"), page, min, max);
		return -EINVAL;
	}
	return NS_CFG_SET(ns, dst, v, count);
}

#define NVM_ATTR(_name, _field, _min, _max)				\
static ssize_t ns_##_name##_show(struct config_item *item, char *page)	\
{									\
	return sysfs_emit(page, "%u\n", to_ns(item)->cfg.nvm._field);	\
}									\
static ssize_t ns_##_name##_store(struct config_item *item,		\
				  const char *page, size_t count)	\
{									\
	struct nvmev_ns *ns = to_ns(item);				\
									\
	return nvm_param_store(ns, #_name, &ns->cfg.nvm._field, _min,	\
			       _max, page, count);			\
}									\
CONFIGFS_ATTR(ns_, _name)

NVM_ATTR(read_delay, read_delay, 0, U32_MAX);
NVM_ATTR(read_time, read_time, 0, U32_MAX);
NVM_ATTR(read_trailing, read_trailing, 0, U32_MAX);
NVM_ATTR(write_delay, write_delay, 0, U32_MAX);
NVM_ATTR(write_time, write_time, 0, U32_MAX);
NVM_ATTR(write_trailing, write_trailing, 0, U32_MAX);
NVM_ATTR(nr_io_units, nr_units, NVM_MIN_UNITS, NVM_MAX_UNITS);
NVM_ATTR(cache_kib, cache_kib, 0, NVM_MAX_CACHE_KIB);
NVM_ATTR(cmd_read_ns, cmd_read_ns, 0, NVM_MAX_CMD_NS);
NVM_ATTR(cmd_write_ns, cmd_write_ns, 0, NVM_MAX_CMD_NS);

/*
 * Model parameters that are u32 values checked together when the
 * namespace is enabled (the model's check names the field and its range):
 * the NAND of conv and zns, a zone's stripe, the key-value store.
 */
static ssize_t u32_param_store(struct nvmev_ns *ns, const char *attr,
			       u32 *dst, const char *page, size_t count)
{
	u32 v;

	if (kstrtou32(page, 0, &v)) {
		pr_err("%s/%u: %s=%.*s: use a number (ranges: docs/configfs.md)\n",
		       ns->ctrl->name, ns->nsid, attr,
		       (int)strcspn(page, "\n"), page);
		return -EINVAL;
	}
	return NS_CFG_SET(ns, dst, v, count);
}

#define U32_PARAM_ATTR(_name, _field)					\
static ssize_t ns_##_name##_show(struct config_item *item, char *page)	\
{									\
	return sysfs_emit(page, "%u\n", to_ns(item)->cfg._field);	\
}									\
static ssize_t ns_##_name##_store(struct config_item *item,		\
				  const char *page, size_t count)	\
{									\
	struct nvmev_ns *ns = to_ns(item);				\
									\
	return u32_param_store(ns, #_name, &ns->cfg._field, page, count); \
}									\
CONFIGFS_ATTR(ns_, _name)

#define CONV_ATTR(_name)	U32_PARAM_ATTR(_name, conv._name)

CONV_ATTR(op_percent);
CONV_ATTR(nr_channels);
CONV_ATTR(luns_per_channel);
CONV_ATTR(planes_per_lun);
CONV_ATTR(pages_per_block);
CONV_ATTR(page_size);
CONV_ATTR(oneshot_pages);
CONV_ATTR(cell_bits);
CONV_ATTR(prog_ns);
CONV_ATTR(erase_ns);
CONV_ATTR(channel_mbps);
CONV_ATTR(link_mbps);
CONV_ATTR(fw_read_ns);
CONV_ATTR(fw_write_ns);
CONV_ATTR(fw_other_ns);
CONV_ATTR(pe_cycles);
CONV_ATTR(read_error_ppm);
U32_PARAM_ATTR(read_error_seed, conv.seed);
CONV_ATTR(buffer_kib);
CONV_ATTR(gc_policy);
CONV_ATTR(gc_threshold_pct);
CONV_ATTR(bg_gc_threshold_pct);
CONV_ATTR(plane_reads);
CONV_ATTR(fw_cores);
CONV_ATTR(slc_cache_pm);
CONV_ATTR(slc_prog_ns);
CONV_ATTR(slc_read_ns);

/* Per page type (LSB first): "45000 55000 65000", one value per type. */
/*
 * Flexible Data Placement of a conv namespace (fdp.c): checked with the
 * rest of the geometry when the namespace is enabled.  Other types have
 * no placement: refused at once.  Set them after type and preset, which
 * bring their own (FDP off).
 */
#define FDP_ATTR(_name)							\
static ssize_t ns_##_name##_show(struct config_item *item, char *page)	\
{									\
	return sysfs_emit(page, "%u\n", to_ns(item)->cfg.conv._name);	\
}									\
static ssize_t ns_##_name##_store(struct config_item *item,		\
				  const char *page, size_t count)	\
{									\
	struct nvmev_ns *ns = to_ns(item);				\
									\
	if (ns->cfg.type != NVMEV_NS_CONV) {				\
		pr_err("%s/%u: %s: only namespaces of type conv have Flexible Data Placement\n", \
		       ns->ctrl->name, ns->nsid, #_name);		\
		return -EINVAL;						\
	}								\
	return u32_param_store(ns, #_name, &ns->cfg.conv._name, page,	\
			       count);					\
}									\
CONFIGFS_ATTR(ns_, _name)

FDP_ATTR(fdp_rgs);
FDP_ATTR(fdp_ruhs);
FDP_ATTR(fdp_persistent);

static ssize_t conv_array_show(const u32 *a, unsigned int n, char *page)
{
	ssize_t len = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		len += sysfs_emit_at(page, len, "%s%u", i ? " " : "", a[i]);
	return len + sysfs_emit_at(page, len, "\n");
}

static ssize_t conv_array_store(struct nvmev_ns *ns, const char *attr,
				u32 *dst, const char *page, size_t count)
{
	u32 v[CONV_MAX_CELL_BITS] = { 0 };
	char buf[96], *p, *tok;
	unsigned int n = 0;

	if (count >= sizeof(buf))
		goto bad;
	memcpy(buf, page, count);
	buf[count] = '\0';
	p = strim(buf);
	while ((tok = strsep(&p, " ,")) != NULL) {
		if (!*tok)
			continue;
		if (n == CONV_MAX_CELL_BITS || kstrtou32(tok, 0, &v[n]))
			goto bad;
		n++;
	}
	if (!n)
		goto bad;
	return ns_cfg_store(ns, dst, v, sizeof(v), count);
bad:
	pr_err("%s/%u: %s=%.*s: use 1 to %u numbers (ns), one per page type, LSB first\n",
	       ns->ctrl->name, ns->nsid, attr, (int)strcspn(page, "\n"), page,
	       CONV_MAX_CELL_BITS);
	return -EINVAL;
}

#define CONV_ARRAY_ATTR(_name)						\
static ssize_t ns_##_name##_show(struct config_item *item, char *page)	\
{									\
	struct nvmev_ns *ns = to_ns(item);				\
									\
	return conv_array_show(ns->cfg.conv._name,			\
			       clamp(ns->cfg.conv.cell_bits, 1U,	\
				     CONV_MAX_CELL_BITS), page);	\
}									\
static ssize_t ns_##_name##_store(struct config_item *item,		\
				  const char *page, size_t count)	\
{									\
	struct nvmev_ns *ns = to_ns(item);				\
									\
	return conv_array_store(ns, #_name, ns->cfg.conv._name, page,	\
				count);					\
}									\
CONFIGFS_ATTR(ns_, _name)

CONV_ARRAY_ATTR(read_4k_ns);
CONV_ARRAY_ATTR(read_page_ns);

static ssize_t ns_io_unit_shift_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", ilog2(to_ns(item)->cfg.nvm.unit_size));
}

static ssize_t ns_io_unit_shift_store(struct config_item *item,
				      const char *page, size_t count)
{
	struct nvmev_ns *ns = to_ns(item);
	u32 shift;

	if (kstrtou32(page, 0, &shift) || shift < 9 || shift > 20) {
		pr_err("%s/%u: io_unit_shift=%.*s: use 9..20 (512 B to 1 MiB units)\n",
		       ns->ctrl->name, ns->nsid, (int)strcspn(page, "\n"), page);
		return -EINVAL;
	}
	return NS_CFG_SET(ns, &ns->cfg.nvm.unit_size, 1U << shift, count);
}
CONFIGFS_ATTR(ns_, io_unit_shift);

/*
 * Zones (type zns): sizes in bytes with K/M/G suffixes (0: automatic),
 * limits as counts (0: no limit, "auto": below the zone count).  Checked
 * together when the namespace is enabled (zoned.c).
 */
static ssize_t zone_bytes_store(struct nvmev_ns *ns, const char *attr,
				u64 *dst, const char *page, size_t count)
{
	char buf[32], *v = value(page, count, buf, sizeof(buf));
	u64 size = 0;

	if (!v || nvmev_parse_bytes(v, &size)) {
		pr_err("%s/%u: %s=%s: use a size in bytes with an optional K/M/G suffix, or 0 for automatic\n",
		       ns->ctrl->name, ns->nsid, attr, v ? v : "(too long)");
		return -EINVAL;
	}
	return NS_CFG_SET(ns, dst, size, count);
}

#define ZONE_BYTES_ATTR(_name, _field)					\
static ssize_t ns_##_name##_show(struct config_item *item, char *page)	\
{									\
	return sysfs_emit(page, "%llu\n", to_ns(item)->cfg.zns._field);	\
}									\
static ssize_t ns_##_name##_store(struct config_item *item,		\
				  const char *page, size_t count)	\
{									\
	struct nvmev_ns *ns = to_ns(item);				\
									\
	return zone_bytes_store(ns, #_name, &ns->cfg.zns._field, page,	\
				count);					\
}									\
CONFIGFS_ATTR(ns_, _name)

ZONE_BYTES_ATTR(zone_size, zone_size);
ZONE_BYTES_ATTR(zone_cap, zone_cap);

static ssize_t zone_limit_store(struct nvmev_ns *ns, const char *attr,
				u32 *dst, const char *page, size_t count)
{
	char buf[16], *v = value(page, count, buf, sizeof(buf));
	u32 n = NVMEV_ZNS_AUTO;

	if (!v || (strcmp(v, "auto") && (kstrtou32(v, 0, &n) ||
					 n >= ZNS_MAX_ZONES))) {
		pr_err("%s/%u: %s=%s: use auto, 0 (no limit) or a number of zones\n",
		       ns->ctrl->name, ns->nsid, attr, v ? v : "(too long)");
		return -EINVAL;
	}
	return NS_CFG_SET(ns, dst, n, count);
}

#define ZONE_LIMIT_ATTR(_name)						\
static ssize_t ns_##_name##_show(struct config_item *item, char *page)	\
{									\
	u32 n = to_ns(item)->cfg.zns._name;				\
									\
	if (n == NVMEV_ZNS_AUTO)					\
		return sysfs_emit(page, "auto\n");			\
	return sysfs_emit(page, "%u\n", n);				\
}									\
static ssize_t ns_##_name##_store(struct config_item *item,		\
				  const char *page, size_t count)	\
{									\
	struct nvmev_ns *ns = to_ns(item);				\
									\
	return zone_limit_store(ns, #_name, &ns->cfg.zns._name, page,	\
				count);					\
}									\
CONFIGFS_ATTR(ns_, _name)

ZONE_LIMIT_ATTR(max_open);
ZONE_LIMIT_ATTR(max_active);

/* Key-value store (type kv), checked when enabled (ftl/kv.h) */
U32_PARAM_ATTR(kv_max_value, kv.store.max_value);
U32_PARAM_ATTR(kv_bytes_per_key, kv.store.bytes_per_key);
U32_PARAM_ATTR(kv_index_ns, kv.index_ns);
/* dies a zone is striped over: the range depends on the NAND */
U32_PARAM_ATTR(stripe_dies, zns.stripe_dies);


/* Fault injection: the controller makes a zone read only or offline. */
static ssize_t zone_fault_store(struct nvmev_ns *ns, const char *attr,
				bool offline, const char *page, size_t count)
{
	u32 zone;
	int ret;

	if (kstrtou32(page, 0, &zone)) {
		pr_err("%s/%u: %s=%.*s: use a zone number (zone n starts at LBA n x zone size)\n",
		       ns->ctrl->name, ns->nsid, attr, (int)strcspn(page, "\n"),
		       page);
		return -EINVAL;
	}
	mutex_lock(&nvmev_cfg_lock);
	if (!ns->enabled || !ns->zones) {
		pr_err("%s/%u: %s: only an enabled namespace of type zns has zones\n",
		       ns->ctrl->name, ns->nsid, attr);
		ret = -EINVAL;
	} else {
		ret = nvmev_zns_fault(ns, zone, offline);
		if (ret == -ERANGE)
			pr_err("%s/%u: %s=%u: the zones are 0..%u\n",
			       ns->ctrl->name, ns->nsid, attr, zone,
			       zns_nr_zones(ns->zones) - 1);
		else if (ret)
			pr_err("%s/%u: %s=%u: an offline zone cannot become read only\n",
			       ns->ctrl->name, ns->nsid, attr, zone);
		if (ret)
			ret = -EINVAL;
	}
	mutex_unlock(&nvmev_cfg_lock);
	return ret ? ret : count;
}

static ssize_t ns_fault_zone_readonly_store(struct config_item *item,
					    const char *page, size_t count)
{
	return zone_fault_store(to_ns(item), "fault_zone_readonly", false,
				page, count);
}
CONFIGFS_ATTR_WO(ns_, fault_zone_readonly);

static ssize_t ns_fault_zone_offline_store(struct config_item *item,
					   const char *page, size_t count)
{
	return zone_fault_store(to_ns(item), "fault_zone_offline", true, page,
				count);
}
CONFIGFS_ATTR_WO(ns_, fault_zone_offline);


static ssize_t ns_faults_show(struct config_item *item, char *page)
{
	struct nvmev_ns *ns = to_ns(item);
	ssize_t n = nvmev_fault_show(&ns->faults, page, PAGE_SIZE);

	mutex_lock(&nvmev_cfg_lock);	/* the map goes with the namespace */
	if (ns->enabled && ns->uncor) {
		spin_lock(&ns->uncor_lock);
		n += scnprintf(page + n, PAGE_SIZE - n, "bad_lbas %u\n",
			       bitmap_weight(ns->uncor, ns->nr_lbas));
		spin_unlock(&ns->uncor_lock);
	}
	mutex_unlock(&nvmev_cfg_lock);
	return n;
}

/* A rule, "clear", "del N", or "bad lba=S-E" (uncorrectable at once) */
static ssize_t ns_faults_store(struct config_item *item, const char *page,
			       size_t count)
{
	struct nvmev_ns *ns = to_ns(item);
	char who[48], buf[64], *v;
	u64 a = 1, b = 0;	/* as refused, until parsed */
	int ret;

	snprintf(who, sizeof(who), "%s/%u", ns->ctrl->name, ns->nsid);
	if (strncmp(page, "bad ", 4))
		return faults_store(&ns->faults, who, page, count, true);
	v = value(page, count, buf, sizeof(buf));
	if (v && sscanf(v, "bad lba=%llu-%llu", &a, &b) != 2) {
		a = 1;
		b = 0;
		if (sscanf(v, "bad lba=%llu", &a) == 1)
			b = a;
	}
	if (!v || b < a) {
		pr_err("%s/faults: use bad lba=S-E\n", who);
		return -EINVAL;
	}
	mutex_lock(&nvmev_cfg_lock);
	ret = ns->enabled ? nvmev_uncor_set(ns, a, b - a + 1) : -ENODEV;
	mutex_unlock(&nvmev_cfg_lock);
	if (ret)
		pr_err("%s/faults: bad lba=%llu-%llu: %s\n", who, a, b,
		       ret == -ENODEV ? "the namespace is not enabled" :
		       ret == -ERANGE ? "beyond the namespace" :
		       "no memory for the map");
	return ret ? -EINVAL : count;
}
CONFIGFS_ATTR(ns_, faults);

static ssize_t ns_write_protect_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(to_ns(item)->write_protect));
}

static ssize_t ns_write_protect_store(struct config_item *item,
				      const char *page, size_t count)
{
	struct nvmev_ns *ns = to_ns(item);
	bool on;

	if (kstrtobool(page, &on))
		return -EINVAL;
	mutex_lock(&nvmev_cfg_lock);
	if (set_armed(&ns->armed, &ns->write_protect, on) && ns->enabled)
		nvmev_ns_changed_all(ns);
	mutex_unlock(&nvmev_cfg_lock);
	return count;
}
CONFIGFS_ATTR(ns_, write_protect);

/* ANA group (ana.c) */
static ssize_t ns_anagrpid_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", to_ns(item)->anagrpid);
}

static ssize_t ns_anagrpid_store(struct config_item *item, const char *page,
				 size_t count)
{
	struct nvmev_ns *ns = to_ns(item);
	u32 v;

	if (kstrtou32(page, 0, &v) || !v || v > NVMEV_MAX_NS) {
		pr_err("%s/%u: anagrpid=%.*s: ANA group, 1..%u\n",
		       ns->ctrl->name, ns->nsid, (int)strcspn(page, "\n"),
		       page, NVMEV_MAX_NS);
		return -EINVAL;
	}
	return NS_CFG_SET(ns, &ns->anagrpid, v, count);
}
CONFIGFS_ATTR(ns_, anagrpid);

/* Power-loss protection: the cache is saved at a cut (no journal) */
static ssize_t ns_plp_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", to_ns(item)->cfg.plp);
}

static ssize_t ns_plp_store(struct config_item *item, const char *page,
			    size_t count)
{
	struct nvmev_ns *ns = to_ns(item);
	bool on;

	if (kstrtobool(page, &on))
		return -EINVAL;
	return NS_CFG_SET(ns, &ns->cfg.plp, on, count);
}
CONFIGFS_ATTR(ns_, plp);

/* A broken device (power loss tests): Flush and FUA make nothing durable */
static ssize_t ns_ignore_flush_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(to_ns(item)->ignore_flush));
}

static ssize_t ns_ignore_flush_store(struct config_item *item,
				     const char *page, size_t count)
{
	bool on;

	if (kstrtobool(page, &on))
		return -EINVAL;
	WRITE_ONCE(to_ns(item)->ignore_flush, on);
	return count;
}
CONFIGFS_ATTR(ns_, ignore_flush);

/* Grown bad blocks: N erase units of the NAND (type conv) retire now */
static ssize_t ns_fault_bad_blocks_store(struct config_item *item,
					 const char *page, size_t count)
{
	struct nvmev_ns *ns = to_ns(item);
	u32 nr;
	int ret;

	if (kstrtou32(page, 0, &nr) || !nr) {
		pr_err("%s/%u: fault_bad_blocks: a number of erase units, 1 or more\n",
		       ns->ctrl->name, ns->nsid);
		return -EINVAL;
	}
	mutex_lock(&nvmev_cfg_lock);
	if (!ns->enabled || !ns->model_ops->inject_bad) {
		pr_err("%s/%u: fault_bad_blocks: only an enabled namespace of type conv has NAND blocks to retire\n",
		       ns->ctrl->name, ns->nsid);
		ret = -EINVAL;
	} else {
		ret = nvmev_fault_bad_blocks(ns, nr);
		pr_info("%s/%u: %d of %u erase units marked bad\n",
			ns->ctrl->name, ns->nsid, ret, nr);
		ret = 0;
	}
	mutex_unlock(&nvmev_cfg_lock);
	return ret ? ret : count;
}
CONFIGFS_ATTR_WO(ns_, fault_bad_blocks);

static ssize_t ns_controllers_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%s\n", to_ns(item)->paths);
}

/*
 * The controllers of the subsystem to attach to when enabled, by name,
 * comma-separated; empty: all of them.
 */
static ssize_t ns_controllers_store(struct config_item *item,
				    const char *page, size_t count)
{
	struct nvmev_ns *ns = to_ns(item);
	char buf[sizeof(ns->paths)], *v = value(page, count, buf, sizeof(buf));
	const char *p;
	size_t n;

	for (p = v; p && *p; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		if (!n || n >= sizeof(ns->ctrl->name))
			v = NULL;
	}
	if (!v || !nvmev_printable(v) || strpbrk(v, " \t/")) {
		pr_err("%s/%u: controllers=%s: name controllers of its subsystem, comma-separated (e.g. a,b), or nothing for all\n",
		       ns->ctrl->name, ns->nsid, v ? v : "(invalid)");
		return -EINVAL;
	}
	return ns_cfg_store(ns, ns->paths, v, strlen(v) + 1, count);
}
CONFIGFS_ATTR(ns_, controllers);

static ssize_t ns_enable_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", to_ns(item)->enabled);
}

static ssize_t ns_enable_store(struct config_item *item, const char *page,
			       size_t count)
{
	struct nvmev_ns *ns = to_ns(item);
	char buf[16], *v = value(page, count, buf, sizeof(buf));
	int ret = 0;

	if (!v || (strcmp(v, "0") && strcmp(v, "1"))) {
		pr_err("%s/%u: enable=%s: use 1 (attach) or 0 (detach)\n",
		       ns->ctrl->name, ns->nsid, v ? v : "(too long)");
		return -EINVAL;
	}
	mutex_lock(&nvmev_cfg_lock);
	if (*v == '1')
		ret = nvmev_ns_enable(ns);
	else
		nvmev_ns_disable(ns);
	mutex_unlock(&nvmev_cfg_lock);
	return ret ? ret : count;
}
CONFIGFS_ATTR(ns_, enable);

static ssize_t ns_stats_show(struct config_item *item, char *page)
{
	struct nvmev_ns *ns = to_ns(item);
	struct model_stats st;
	ssize_t n;

	n = nvmev_stats_show(&ns->stats, atomic_read(&ns->nr_reqs), page,
			     PAGE_SIZE);
	mutex_lock(&nvmev_cfg_lock);
	if (ns->enabled && ns->model_ops->stats) {
		nvmev_ns_media_stats(ns, &st);
		n += nvmev_model_stats_show(&st, page + n, PAGE_SIZE - n);
	}
	if (ns->enabled && ns->model_ops->health) {
		struct model_health h;

		ns->model_ops->health(ns->model, &h);
		n += scnprintf(page + n, PAGE_SIZE - n,
			       "percent_used %u\navail_spare %u\nretired_blocks %llu\nmax_erase %llu\navg_erase %llu\nmedia_read_errors %llu\nread_only %d\n",
			       h.percent_used, h.avail_spare, h.retired_blocks,
			       h.max_erase, h.avg_erase, h.read_errors,
			       h.read_only);
	}
	if (ns->enabled && ns->ops->stats_show)
		n += ns->ops->stats_show(ns, page + n, PAGE_SIZE - n);
	if (ns->enabled)
		n += nvmev_pl_stats_show(ns, page + n, PAGE_SIZE - n);
	mutex_unlock(&nvmev_cfg_lock);
	return n;
}
CONFIGFS_ATTR_RO(ns_, stats);

static struct configfs_attribute *ns_attrs[] = {
	&ns_attr_type,
	&ns_attr_size,
	&ns_attr_anagrpid,
	&ns_attr_lba_size,
	&ns_attr_preset,
	&ns_attr_presets,
	&ns_attr_read_delay,
	&ns_attr_read_time,
	&ns_attr_read_trailing,
	&ns_attr_write_delay,
	&ns_attr_write_time,
	&ns_attr_write_trailing,
	&ns_attr_nr_io_units,
	&ns_attr_cache_kib,
	&ns_attr_cmd_read_ns,
	&ns_attr_cmd_write_ns,
	&ns_attr_io_unit_shift,
	&ns_attr_op_percent,
	&ns_attr_pe_cycles,
	&ns_attr_read_error_ppm,
	&ns_attr_read_error_seed,
	&ns_attr_nr_channels,
	&ns_attr_luns_per_channel,
	&ns_attr_planes_per_lun,
	&ns_attr_pages_per_block,
	&ns_attr_page_size,
	&ns_attr_oneshot_pages,
	&ns_attr_cell_bits,
	&ns_attr_read_4k_ns,
	&ns_attr_read_page_ns,
	&ns_attr_prog_ns,
	&ns_attr_erase_ns,
	&ns_attr_channel_mbps,
	&ns_attr_link_mbps,
	&ns_attr_fw_read_ns,
	&ns_attr_fw_write_ns,
	&ns_attr_fw_other_ns,
	&ns_attr_buffer_kib,
	&ns_attr_gc_policy,
	&ns_attr_gc_threshold_pct,
	&ns_attr_bg_gc_threshold_pct,
	&ns_attr_plane_reads,
	&ns_attr_fw_cores,
	&ns_attr_slc_cache_pm,
	&ns_attr_slc_prog_ns,
	&ns_attr_slc_read_ns,
	&ns_attr_fdp_rgs,
	&ns_attr_fdp_ruhs,
	&ns_attr_fdp_persistent,
	&ns_attr_zone_size,
	&ns_attr_zone_cap,
	&ns_attr_max_open,
	&ns_attr_max_active,
	&ns_attr_stripe_dies,
	&ns_attr_kv_max_value,
	&ns_attr_kv_bytes_per_key,
	&ns_attr_kv_index_ns,
	&ns_attr_fault_zone_readonly,
	&ns_attr_fault_zone_offline,
	&ns_attr_enable,
	&ns_attr_stats,
	&ns_attr_faults,
	&ns_attr_write_protect,
	&ns_attr_ignore_flush,
	&ns_attr_plp,
	&ns_attr_fault_bad_blocks,
	&ns_attr_controllers,
	NULL,
};

/* ---- Groups -------------------------------------------------------------- */

static void ns_release(struct config_item *item)
{
	nvmev_ns_free(to_ns(item));
}

static struct configfs_item_operations ns_item_ops = {
	.release = ns_release,
};

static const struct config_item_type ns_type = {
	.ct_item_ops = &ns_item_ops,
	.ct_attrs = ns_attrs,
	.ct_owner = THIS_MODULE,
};

static struct config_group *ns_make(struct config_group *group,
				    const char *name)
{
	struct nvmev_ctrl *ctrl = container_of(group, struct nvmev_ctrl,
					       ns_group);
	struct nvmev_ns *ns;
	unsigned int nsid;
	int ret = 0;

	if (kstrtouint(name, 10, &nsid) || nsid < 1 || nsid > NVMEV_MAX_NS ||
	    name[0] == '0' || name[0] == '+') {
		pr_err("%s: namespaces/%s: name a namespace by its NSID, 1..%u\n",
		       ctrl->name, name, NVMEV_MAX_NS);
		return ERR_PTR(-EINVAL);
	}
	mutex_lock(&nvmev_cfg_lock);
	if (ctrl->ns_cfg[nsid - 1]) {
		ret = -EEXIST;
		goto out;
	}
	ns = nvmev_ns_alloc(ctrl, nsid);
	if (!ns) {
		ret = -ENOMEM;
		goto out;
	}
	config_group_init_type_name(&ns->group, name, &ns_type);
	ctrl->ns_cfg[nsid - 1] = ns;
out:
	mutex_unlock(&nvmev_cfg_lock);
	return ret ? ERR_PTR(ret) : &ns->group;
}

static void ns_drop(struct config_group *group, struct config_item *item)
{
	struct nvmev_ns *ns = to_ns(item);

	mutex_lock(&nvmev_cfg_lock);
	nvmev_ns_disable(ns);
	ns->ctrl->ns_cfg[ns->nsid - 1] = NULL;
	mutex_unlock(&nvmev_cfg_lock);
	config_item_put(item);
}

static struct configfs_group_operations ns_group_ops = {
	.make_group = ns_make,
	.drop_item = ns_drop,
};

static const struct config_item_type ns_group_type = {
	.ct_group_ops = &ns_group_ops,
	.ct_owner = THIS_MODULE,
};

static void ctrl_release(struct config_item *item)
{
	nvmev_ctrl_free(to_ctrl(item));
}

static struct configfs_item_operations ctrl_item_ops = {
	.release = ctrl_release,
};

static const struct config_item_type ctrl_type = {
	.ct_item_ops = &ctrl_item_ops,
	.ct_attrs = ctrl_attrs,
	.ct_owner = THIS_MODULE,
};

static void ctrl_groups_init(struct nvmev_ctrl *ctrl, const char *name)
{
	config_group_init_type_name(&ctrl->group, name, &ctrl_type);
	config_group_init_type_name(&ctrl->ns_group, "namespaces",
				    &ns_group_type);
	configfs_add_default_group(&ctrl->ns_group, &ctrl->group);
}

static struct config_group *ctrl_make(struct config_group *group,
				      const char *name)
{
	struct nvmev_ctrl *ctrl;

	if (strlen(name) >= sizeof(ctrl->name)) {
		pr_err("%s: controller names have at most %zu characters\n",
		       name, sizeof(ctrl->name) - 1);
		return ERR_PTR(-ENAMETOOLONG);
	}
	ctrl = nvmev_ctrl_alloc(name);
	if (!ctrl)
		return ERR_PTR(-ENOSPC);
	ctrl_groups_init(ctrl, name);
	return &ctrl->group;
}

static void ctrl_drop(struct config_group *group, struct config_item *item)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);

	mutex_lock(&nvmev_cfg_lock);
	nvmev_ctrl_disable(ctrl);
	mutex_unlock(&nvmev_cfg_lock);
	nvmev_nsm_ctrl_drop(ctrl);	/* those the host created here */
	/* none of its namespaces is left: it can leave its subsystem */
	mutex_lock(&nvmev_cfg_lock);
	nvmev_subsys_join(ctrl, "");	/* gives back shared namespaces */
	mutex_unlock(&nvmev_cfg_lock);
	config_item_put(item);
}

static struct configfs_group_operations root_group_ops = {
	.make_group = ctrl_make,
	.drop_item = ctrl_drop,
};

static ssize_t root_pool_show(struct config_item *item, char *page)
{
	return nvmev_pool_show(page, PAGE_SIZE);
}
CONFIGFS_ATTR_RO(root_, pool);

static ssize_t root_features_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "types nvm conv zns kv\nmax_ctrls %u\nmax_namespaces %u\n",
			  NVMEV_MAX_CTRLS, NVMEV_MAX_NS);
}
CONFIGFS_ATTR_RO(root_, features);

static struct configfs_attribute *root_attrs[] = {
	&root_attr_pool,
	&root_attr_features,
	NULL,
};

static const struct config_item_type root_type = {
	.ct_group_ops = &root_group_ops,
	.ct_attrs = root_attrs,
	.ct_owner = THIS_MODULE,
};

static struct configfs_subsystem nvmev_cfs = {
	.su_group = {
		.cg_item = {
			.ci_namebuf = NVMEV_NAME,
			.ci_type = &root_type,
		},
	},
};

int nvmev_configfs_init(void)
{
	int ret;

	config_group_init(&nvmev_cfs.su_group);
	nvmev_subsys_init(&nvmev_cfs.su_group);
	mutex_init(&nvmev_cfs.su_mutex);
	ret = configfs_register_subsystem(&nvmev_cfs);
	if (ret)
		pr_err("cannot register /sys/kernel/config/%s: %d\n",
		       NVMEV_NAME, ret);
	return ret;
}

void nvmev_configfs_exit(void)
{
	configfs_unregister_subsystem(&nvmev_cfs);
	nvmev_subsys_exit();
}

/* nvmev0 and its namespace 1 appear in configfs like the others. */
int nvmev_configfs_add_default(struct nvmev_ctrl *ctrl)
{
	struct nvmev_ns *ns = ctrl->ns_cfg[0];
	int ret;

	ctrl_groups_init(ctrl, ctrl->name);
	ret = configfs_register_group(&nvmev_cfs.su_group, &ctrl->group);
	if (ret)
		return ret;
	config_group_init_type_name(&ns->group, "1", &ns_type);
	ret = configfs_register_group(&ctrl->ns_group, &ns->group);
	if (ret) {
		configfs_unregister_group(&ctrl->group);
		return ret;
	}
	return 0;
}

/* The caller has disabled both; the last references free them. */
void nvmev_configfs_remove_default(struct nvmev_ctrl *ctrl)
{
	struct nvmev_ns *ns = ctrl->ns_cfg[0];

	configfs_unregister_group(&ns->group);
	ctrl->ns_cfg[0] = NULL;
	config_group_put(&ns->group);
	configfs_unregister_group(&ctrl->group);
	config_group_put(&ctrl->group);
}

/*
 * A namespace the host created (nsmgmt.c) appears as <ctrl>/namespaces/<nsid>/.
 * Not under nvmev_cfg_lock: configfs takes its own locks.
 */
int nvmev_configfs_add_ns(struct nvmev_ns *ns)
{
	char name[12];

	snprintf(name, sizeof(name), "%u", ns->nsid);
	config_group_init_type_name(&ns->group, name, &ns_type);
	return configfs_register_group(&ns->ctrl->ns_group, &ns->group);
}

/* Its directory goes; nvmev_configfs_put_ns() drops the last reference. */
void nvmev_configfs_remove_ns(struct nvmev_ns *ns)
{
	configfs_unregister_group(&ns->group);
}

void nvmev_configfs_put_ns(struct nvmev_ns *ns)
{
	config_group_put(&ns->group);
}
