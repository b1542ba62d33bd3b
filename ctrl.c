// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: controller lifecycle.
 *
 * A controller exists from its configfs mkdir (or module load, for nvmev0)
 * until its rmdir (or unload).  Enabling it takes 1 MiB of the pool for
 * BAR0 and the superblock, starts polling it on the shared threads and
 * creates its PCI function, which the nvme driver then binds; disabling
 * does the reverse.  Its namespaces come and go independently.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/io.h>
#include <linux/idr.h>
#include <linux/string.h>
#include <linux/cpumask.h>
#include <linux/ctype.h>
#include <linux/overflow.h>

#include "nvmev.h"
#include "namespace.h"

DEFINE_MUTEX(nvmev_cfg_lock);		/* configuration changes, enable */
static DEFINE_IDA(ctrl_ida);
LIST_HEAD(nvmev_ctrls);		/* every controller, under nvmev_cfg_lock */

static int add_cpu(const char *who, const char *list, unsigned int *cpus,
		   unsigned int *nr, unsigned int cpu)
{
	unsigned int i;

	if (cpu >= nr_cpu_ids || !cpu_online(cpu)) {
		pr_err("%scpus=%s: CPU %u is not online (online CPUs: %*pbl)\n",
		       who, list, cpu, cpumask_pr_args(cpu_online_mask));
		return -EINVAL;
	}
	for (i = 0; i < *nr; i++) {
		if (cpus[i] == cpu) {
			pr_err("%scpus=%s: CPU %u is listed twice\n", who, list,
			       cpu);
			return -EINVAL;
		}
	}
	if (*nr == NVMEV_MAX_CPUS) {
		pr_err("%scpus=%s: at most %u CPUs\n", who, list,
		       NVMEV_MAX_CPUS);
		return -EINVAL;
	}
	cpus[(*nr)++] = cpu;
	return 0;
}

/*
 * "2,3" or "1-3,6": the order matters, the first CPU runs the dispatcher.
 * @who prefixes the error line ("" for the module parameter).
 */
int nvmev_parse_cpus(const char *who, const char *list, unsigned int *cpus,
		     unsigned int *nr)
{
	char *copy, *rest, *item;
	int ret = 0;

	*nr = 0;
	if (!list || !*list || (list[0] == '\n' && !list[1])) {
		pr_err("%scpus is missing: give at least two CPUs, e.g. cpus=2,3 (the first runs the dispatcher, the rest run I/O workers)\n",
		       who);
		return -EINVAL;
	}
	copy = kstrdup(list, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	rest = strim(copy);
	while (!ret && (item = strsep(&rest, ","))) {
		char *hi = strchr(item, '-');
		unsigned int a, b, cpu;

		if (hi)
			*hi++ = '\0';
		if (kstrtouint(item, 10, &a) || (hi && kstrtouint(hi, 10, &b)) ||
		    (hi && b < a)) {
			pr_err("%scpus=%s is not a CPU list: use numbers and ranges, e.g. cpus=2,3 or cpus=1-3\n",
			       who, list);
			ret = -EINVAL;
			break;
		}
		if (!hi)
			b = a;
		for (cpu = a; !ret && cpu <= b; cpu++)
			ret = add_cpu(who, list, cpus, nr, cpu);
	}
	kfree(copy);
	if (!ret && *nr < 2) {
		pr_err("%scpus=%s: need at least two CPUs, one for the dispatcher and one or more for I/O workers, e.g. cpus=2,3\n",
		       who, list);
		ret = -EINVAL;
	}
	return ret;
}

/*
 * A size in bytes with an optional K/M/G/T/P/E suffix, like memparse() but
 * refusing what memparse() would wrap around.  @s ends at its NUL.
 */
int nvmev_parse_bytes(const char *s, u64 *out)
{
	static const char suffixes[] = "kmgtpe";
	char digits[24];
	const char *sfx;
	size_t n = strlen(s);
	unsigned int shift = 0;
	u64 v;

	sfx = n ? strchr(suffixes, tolower(s[n - 1])) : NULL;
	if (sfx && *sfx) {
		shift = 10 * (sfx - suffixes + 1);
		n--;
	}
	if (!n || n >= sizeof(digits))
		return -EINVAL;
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (kstrtou64(digits, 0, &v))
		return -EINVAL;
	if (check_shl_overflow(v, shift, out))
		return -ERANGE;
	return 0;
}

/* A controller with default settings; not live. */
struct nvmev_ctrl *nvmev_ctrl_alloc(const char *name)
{
	const struct nvmev_params *p = nvmev_module_params;
	struct nvmev_ctrl *ctrl;
	int id;

	ctrl = kvzalloc(sizeof(*ctrl), GFP_KERNEL);
	if (!ctrl)
		return NULL;
	id = ida_alloc_max(&ctrl_ida, NVMEV_MAX_CTRLS - 1, GFP_KERNEL);
	if (id < 0) {
		pr_err("%s: at most %u controllers\n", name, NVMEV_MAX_CTRLS);
		kvfree(ctrl);
		return NULL;
	}
	ctrl->id = id;
	strscpy(ctrl->name, name, sizeof(ctrl->name));
	spin_lock_init(&ctrl->errlog_lock);
	spin_lock_init(&ctrl->aen_lock);
	spin_lock_init(&ctrl->cfg_lock);
	mutex_init(&ctrl->pdev_lock);
	ctrl->kept = RB_ROOT_CACHED;
	INIT_LIST_HEAD(&ctrl->lost);
	nvmev_faults_init(&ctrl->faults, &ctrl->faults_armed);
	ctrl->temp_kelvin = NVMEV_TEMP_KELVIN;
	ctrl->avail_spare = 100;
	ctrl->wear_spare = 100;
	nvmev_ana_init(ctrl);
	snprintf(ctrl->serial, sizeof(ctrl->serial), "NVMEV%04X%08llX",
		 ctrl->id, (u64)p->memmap_start >> 20);
	strscpy(ctrl->model, "nvmev NVM SSD", sizeof(ctrl->model));
	strscpy(ctrl->firmware, NVMEV_VERSION, sizeof(ctrl->firmware));
	nvmev_power_init(ctrl);
	nvmev_nsm_init(ctrl);
	memcpy(ctrl->cpus, p->cpus, sizeof(ctrl->cpus));
	ctrl->nr_cpus = p->nr_cpus;
	ctrl->msix = p->msix;
	ctrl->idle_spin_us = p->idle_spin_us;
	mutex_lock(&nvmev_cfg_lock);
	list_add_tail(&ctrl->node, &nvmev_ctrls);
	mutex_unlock(&nvmev_cfg_lock);
	return ctrl;
}

void nvmev_ctrl_free(struct nvmev_ctrl *ctrl)
{
	nvmev_nsm_exit(ctrl);
	mutex_lock(&nvmev_cfg_lock);
	list_del(&ctrl->node);
	mutex_unlock(&nvmev_cfg_lock);
	ida_free(&ctrl_ida, ctrl->id);
	nvmev_power_cancel(ctrl, true);
	nvmev_faults_clear(&ctrl->faults);
	kvfree(ctrl);
}

/*
 * Keep the counters of the last load unless asked otherwise, like an SSD
 * across a power cycle (nvmev0 only; a configfs controller is new each
 * time).  Decides whether namespace 1 keeps its data: only when nothing
 * about the layout changed and wipe=1 was not given.  Lifetime counters
 * (SMART) survive a wipe too, as they survive a format on a real drive;
 * reset_smart=1 starts them from zero.
 */
static void superblock_load(struct nvmev_ctrl *ctrl)
{
	struct nvmev_superblock *sb = ctrl->sb;
	struct nvmev_ns *ns1 = ctrl->ns_cfg[0];
	bool valid = ctrl->persistent &&
		     le64_to_cpu(sb->magic) == NVMEV_SB_MAGIC &&
		     le32_to_cpu(sb->version) == NVMEV_SB_VERSION;

	if (valid && ns1 && !ns1->enabled)
		ns1->keep_data = !ctrl->wipe &&
			le64_to_cpu(sb->storage_size) == ns1->cfg.size &&
			le32_to_cpu(sb->lba_shift) == ns1->cfg.lba_shift &&
			le32_to_cpu(sb->ns_type) == ns1->cfg.type;
	if (valid && !le64_to_cpu(sb->clean))
		le64_add_cpu(&sb->unsafe_shutdowns, 1);
	if (!valid || ctrl->reset_smart) {
		memset(sb, 0, sizeof(*sb));
		sb->magic = cpu_to_le64(NVMEV_SB_MAGIC);
		sb->version = cpu_to_le32(NVMEV_SB_VERSION);
	}
	if (ns1) {
		sb->storage_size = cpu_to_le64(ns1->cfg.size);
		sb->lba_shift = cpu_to_le32(ns1->cfg.lba_shift);
		sb->ns_type = cpu_to_le32(ns1->cfg.type);
	}
	le64_add_cpu(&sb->power_cycles, 1);
	sb->clean = 0;
	ctrl->loaded_ns = nvmev_now();
	atomic64_set(&ctrl->stats.units_read, le64_to_cpu(sb->data_units_read));
	atomic64_set(&ctrl->stats.units_written, le64_to_cpu(sb->data_units_written));
	atomic64_set(&ctrl->stats.host_reads, le64_to_cpu(sb->host_reads));
	atomic64_set(&ctrl->stats.host_writes, le64_to_cpu(sb->host_writes));
	ctrl->err_count = le64_to_cpu(sb->err_count);
	ctrl->media_errors = le64_to_cpu(sb->media_errors);
}

static void superblock_save(struct nvmev_ctrl *ctrl)
{
	struct nvmev_superblock *sb = ctrl->sb;

	sb->data_units_read = cpu_to_le64(atomic64_read(&ctrl->stats.units_read));
	sb->data_units_written = cpu_to_le64(atomic64_read(&ctrl->stats.units_written));
	sb->host_reads = cpu_to_le64(atomic64_read(&ctrl->stats.host_reads));
	sb->host_writes = cpu_to_le64(atomic64_read(&ctrl->stats.host_writes));
	sb->err_count = cpu_to_le64(ctrl->err_count);
	sb->media_errors = cpu_to_le64(ctrl->media_errors);
	le64_add_cpu(&sb->power_on_secs,
		     div_u64(nvmev_now() - ctrl->loaded_ns, NSEC_PER_SEC));
	ctrl->loaded_ns = nvmev_now();
	/* unloaded with the power cut: the next load counts it */
	sb->clean = cpu_to_le64(!ctrl->power_off);
}

/*
 * BAR0 and the superblock: 1 MiB of the pool.  nvmev0 takes it before its
 * namespace so that the superblock can say whether the data is kept.
 */
int nvmev_ctrl_region_get(struct nvmev_ctrl *ctrl)
{
	int ret;

	if (ctrl->bar)
		return 0;
	ret = nvmev_pool_alloc(SZ_1M, ctrl->want_phys, ctrl->name, &ctrl->phys);
	if (ret)
		return ret;
	/*
	 * The nvme driver maps BAR0 uncached; a write-through mapping here is
	 * compatible with that and keeps our polling reads cheap.
	 */
	ctrl->bar = memremap(ctrl->phys, NVMEV_BAR_SIZE, MEMREMAP_WT);
	ctrl->sb = memremap(ctrl->phys + NVMEV_SB_OFF, PAGE_SIZE, MEMREMAP_WB);
	if (!ctrl->bar || !ctrl->sb) {
		pr_err("%s: cannot map %#llx\n", ctrl->name, (u64)ctrl->phys);
		if (ctrl->sb)
			memunmap(ctrl->sb);
		if (ctrl->bar)
			memunmap(ctrl->bar);
		ctrl->bar = NULL;
		ctrl->sb = NULL;
		nvmev_pool_free(ctrl->phys);
		return -ENOMEM;
	}
	memset(ctrl->bar, 0, NVMEV_BAR_SIZE);
	superblock_load(ctrl);
	return 0;
}

void nvmev_ctrl_region_put(struct nvmev_ctrl *ctrl)
{
	if (!ctrl->bar)
		return;
	superblock_save(ctrl);
	memunmap(ctrl->sb);
	memunmap(ctrl->bar);
	ctrl->bar = NULL;
	ctrl->sb = NULL;
	nvmev_pool_free(ctrl->phys);
}

/* Total capacity: the namespaces attached now. */
u64 nvmev_ctrl_capacity(struct nvmev_ctrl *ctrl)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < NVMEV_MAX_NS; i++)
		if (ctrl->ns[i])
			sum += ctrl->ns[i]->size;
	return sum;
}

/*
 * One polling pass of the dispatcher over @ctrl; true if it did work.
 * Lowers *@due to the time of the next completion the dispatcher posts.
 */
bool nvmev_ctrl_poll(struct nvmev_ctrl *ctrl, u64 *due)
{
	bool busy;

	lockdep_assert_held(&ctrl->disp->lock);
	if (unlikely(READ_ONCE(ctrl->gone)))
		return false;		/* surprise-removed: nothing answers */
	if (unlikely(READ_ONCE(ctrl->fault_cfs)))
		nvmev_ctrl_fatal(ctrl);
	busy = nvmev_regs_poll(ctrl);

	if (ctrl->ready) {
		busy |= nvmev_admin_poll(ctrl);
		busy |= nvmev_io_poll(ctrl, due);
	}
	if (atomic_read(&ctrl->vec_pending))
		nvmev_deliver_pending_irqs(ctrl);
	return busy;
}

/* Make the PCI function appear.  The caller holds nvmev_cfg_lock. */
int nvmev_ctrl_enable(struct nvmev_ctrl *ctrl)
{
	unsigned int i;
	int ret;

	lockdep_assert_held(&nvmev_cfg_lock);
	if (ctrl->live)
		return 0;
	ret = nvmev_subsys_ctrl_check(ctrl);
	if (ret)
		return ret;
	if (!nvmev_pool_present()) {
		pr_err("%s: no reserved region: load nvmev with memmap_start= and memmap_size= (after booting with memmap=<size>$<start>)\n",
		       ctrl->name);
		return -ENODEV;
	}
	if (ctrl->nr_cpus < 2) {
		pr_err("%s: cpus is not set: echo 2,3 > cpus (or load nvmev with cpus=)\n",
		       ctrl->name);
		return -EINVAL;
	}
	for (i = 0; i < ctrl->nr_cpus; i++) {
		if (!cpu_online(ctrl->cpus[i])) {
			pr_err("%s: CPU %u is offline: set cpus to online CPUs (%*pbl)\n",
			       ctrl->name, ctrl->cpus[i],
			       cpumask_pr_args(cpu_online_mask));
			return -EINVAL;
		}
	}
	ret = nvmev_ctrl_region_get(ctrl);
	if (ret)
		return ret;
	ctrl->power_off = false;	/* the superblock counted a cut */
	memset(ctrl->hostid, 0, sizeof(ctrl->hostid));
	ctrl->hostid_ext = false;
	for (i = 0; i < NVMEV_MAX_NS; i++)
		if (ctrl->ns[i])
			nvmev_ns_identity(ctrl->ns[i]);	/* the serial may be new */
	/*
	 * The host learns about a volatile write cache once, at start: offer
	 * one if any configured namespace has one.  A namespace attached
	 * later to a controller without it writes through (see io.c).
	 */
	ctrl->vwc = false;
	for (i = 0; i < NVMEV_MAX_NS; i++)
		if (ctrl->ns_cfg[i] && nvmev_ns_cfg_volatile(&ctrl->ns_cfg[i]->cfg))
			ctrl->vwc = true;
	bitmap_zero(ctrl->changed_ns, NVMEV_MAX_NS + 1);
	ctrl->aen_pending = false;
	ctrl->aen_masked = false;
	nvmev_regs_init(ctrl);

	ret = nvmev_engine_attach(ctrl);
	if (ret)
		goto region;
	ctrl->live = true;
	ret = nvmev_pci_create(ctrl);
	if (ret)
		goto detach;
	pr_info("%s: controller %s ready: %llu MiB in namespaces, dispatcher on CPU %u, %u I/O worker(s)\n",
		ctrl->name, ctrl->pci_name,
		nvmev_ctrl_capacity(ctrl) >> 20, ctrl->cpus[0],
		ctrl->nr_workers);
	return 0;

detach:
	ctrl->live = false;
	nvmev_disp_lock(ctrl);
	nvmev_ctrl_quiesce(ctrl);
	nvmev_disp_unlock(ctrl);
	nvmev_engine_detach(ctrl);
region:
	nvmev_ctrl_region_put(ctrl);
	return ret;
}

/* Remove the PCI function.  The caller holds nvmev_cfg_lock. */
void nvmev_ctrl_disable(struct nvmev_ctrl *ctrl)
{
	lockdep_assert_held(&nvmev_cfg_lock);
	if (!ctrl->live)
		return;
	/* The nvme driver unbinds first and shuts the controller down. */
	nvmev_power_cancel(ctrl, false);
	nvmev_pci_destroy(ctrl);
	nvmev_disp_lock(ctrl);
	nvmev_ctrl_quiesce(ctrl);
	ctrl->ready = false;
	ctrl->live = false;
	nvmev_disp_unlock(ctrl);
	nvmev_engine_detach(ctrl);
	nvmev_ctrl_region_put(ctrl);
	pr_info("%s: controller removed\n", ctrl->name);
}
