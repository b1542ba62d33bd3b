// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: module parameters, validation and device lifecycle.
 *
 *   insmod nvmev.ko memmap_start=4G memmap_size=2G cpus=2,3
 *
 * creates one NVMe controller with one namespace on the RAM that the kernel
 * command line reserved with memmap=2G$4G.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>

#include "nvmev.h"
#include "ftl/nvm.h"

static char *memmap_start;
module_param(memmap_start, charp, 0444);
MODULE_PARM_DESC(memmap_start, "Start of the reserved region (K/M/G/T suffixes), e.g. 4G");

static char *memmap_size;
module_param(memmap_size, charp, 0444);
MODULE_PARM_DESC(memmap_size, "Size of the reserved region (K/M/G/T suffixes), e.g. 2G");

static char *cpus;
module_param(cpus, charp, 0444);
MODULE_PARM_DESC(cpus, "CPUs: the first runs the dispatcher, the others I/O workers, e.g. 2,3");

static bool wipe;
module_param(wipe, bool, 0444);
MODULE_PARM_DESC(wipe, "Erase the stored data instead of keeping it from the last load");

static unsigned int lba_size = 512;
module_param(lba_size, uint, 0444);
MODULE_PARM_DESC(lba_size, "Logical block size in bytes: 512 or 4096 (default 512)");

static bool reset_smart;
module_param(reset_smart, bool, 0444);
MODULE_PARM_DESC(reset_smart, "Start the SMART lifetime counters (power cycles, data units, commands, errors) from zero, like a new drive");

static bool msix = true;
module_param(msix, bool, 0444);
MODULE_PARM_DESC(msix, "Offer MSI-X (default); 0 offers only single-vector MSI, the fallback");

static unsigned int idle_spin_us = 200;
module_param(idle_spin_us, uint, 0444);
MODULE_PARM_DESC(idle_spin_us, "Microseconds the dispatcher polls after the last command before it starts to sleep (default 200)");

/* The NVM timing model; NVMeVirt's names and meaning. Values in ns. */
static unsigned int read_delay = NVM_DEFAULT_READ_DELAY;
module_param(read_delay, uint, 0444);
MODULE_PARM_DESC(read_delay, "ns paid once per read command");
static unsigned int read_time = NVM_DEFAULT_READ_TIME;
module_param(read_time, uint, 0444);
MODULE_PARM_DESC(read_time, "ns per I/O unit of read data");
static unsigned int read_trailing = NVM_DEFAULT_READ_TRAILING;
module_param(read_trailing, uint, 0444);
MODULE_PARM_DESC(read_trailing, "ns an I/O unit stays busy after a read");
static unsigned int write_delay = NVM_DEFAULT_WRITE_DELAY;
module_param(write_delay, uint, 0444);
MODULE_PARM_DESC(write_delay, "ns paid once per write command");
static unsigned int write_time = NVM_DEFAULT_WRITE_TIME;
module_param(write_time, uint, 0444);
MODULE_PARM_DESC(write_time, "ns per I/O unit of write data");
static unsigned int write_trailing = NVM_DEFAULT_WRITE_TRAILING;
module_param(write_trailing, uint, 0444);
MODULE_PARM_DESC(write_trailing, "ns an I/O unit stays busy after a write");
static unsigned int nr_io_units = NVM_DEFAULT_NR_UNITS;
module_param(nr_io_units, uint, 0444);
MODULE_PARM_DESC(nr_io_units, "Parallel I/O units of the NVM model");
static unsigned int io_unit_shift = 12;
module_param(io_unit_shift, uint, 0444);
MODULE_PARM_DESC(io_unit_shift, "log2 of the I/O unit size in bytes (default 12: 4 KiB)");

/* Every controller of this module; the module parameters create the first. */
static LIST_HEAD(nvmev_ctrls);
static DEFINE_MUTEX(nvmev_ctrls_lock);
static DEFINE_IDA(nvmev_ctrl_ida);

static int parse_size(const char *name, const char *s, u64 *out)
{
	char *end;

	if (!s || !*s) {
		pr_err("%s is missing: load with memmap_start=4G memmap_size=2G after booting with memmap=2G$4G\n",
		       name);
		return -EINVAL;
	}
	*out = memparse(s, &end);
	if (*end == '\n')
		end++;
	if (*end || *out == 0) {
		pr_err("%s=%s is not a size: use a number with an optional K/M/G/T suffix, e.g. %s=4G\n",
		       name, s, name);
		return -EINVAL;
	}
	return 0;
}

static int add_cpu(const char *list, struct nvmev_params *p, unsigned int cpu)
{
	unsigned int i;

	if (cpu >= nr_cpu_ids || !cpu_online(cpu)) {
		pr_err("cpus=%s: CPU %u is not online (online CPUs: %*pbl)\n",
		       list, cpu, cpumask_pr_args(cpu_online_mask));
		return -EINVAL;
	}
	for (i = 0; i < p->nr_cpus; i++) {
		if (p->cpus[i] == cpu) {
			pr_err("cpus=%s: CPU %u is listed twice\n", list, cpu);
			return -EINVAL;
		}
	}
	if (p->nr_cpus == ARRAY_SIZE(p->cpus)) {
		pr_err("cpus=%s: at most %zu CPUs\n", list, ARRAY_SIZE(p->cpus));
		return -EINVAL;
	}
	p->cpus[p->nr_cpus++] = cpu;
	return 0;
}

/* "2,3" or "1-3,6": the order matters, the first CPU runs the dispatcher. */
static int parse_cpus(const char *list, struct nvmev_params *p)
{
	char *copy, *rest, *item;
	int ret = 0;

	if (!list || !*list) {
		pr_err("cpus is missing: give at least two CPUs, e.g. cpus=2,3 (the first runs the dispatcher, the rest run I/O workers)\n");
		return -EINVAL;
	}
	copy = kstrdup(list, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	rest = strim(copy);
	p->nr_cpus = 0;
	while (!ret && (item = strsep(&rest, ","))) {
		char *hi = strchr(item, '-');
		unsigned int a, b, cpu;

		if (hi)
			*hi++ = '\0';
		if (kstrtouint(item, 10, &a) || (hi && kstrtouint(hi, 10, &b)) ||
		    (hi && b < a)) {
			pr_err("cpus=%s is not a CPU list: use numbers and ranges, e.g. cpus=2,3 or cpus=1-3\n",
			       list);
			ret = -EINVAL;
			break;
		}
		if (!hi)
			b = a;
		for (cpu = a; !ret && cpu <= b; cpu++)
			ret = add_cpu(list, p, cpu);
	}
	kfree(copy);
	if (!ret && p->nr_cpus < 2) {
		pr_err("cpus=%s: need at least two CPUs, one for the dispatcher and one or more for I/O workers, e.g. cpus=2,3\n",
		       list);
		ret = -EINVAL;
	}
	return ret;
}

struct reserved_cover {
	u64 start;
	u64 cursor;		/* covered without a gap up to here */
};

static int reserved_cover_fn(struct resource *res, void *arg)
{
	struct reserved_cover *rc = arg;

	if (res->start <= rc->cursor && res->end + 1 > rc->cursor)
		rc->cursor = res->end + 1;
	return 0;
}

static int check_region(const struct nvmev_params *p)
{
	u64 start = p->memmap_start, size = p->memmap_size;
	u64 end = start + size - 1;
	struct reserved_cover rc = { .start = start, .cursor = start };
	int r;

	if (!IS_ALIGNED(start, SZ_1M) || !IS_ALIGNED(size, SZ_1M)) {
		pr_err("memmap_start=%#llx memmap_size=%#llx: both must be multiples of 1M\n",
		       start, size);
		return -EINVAL;
	}
	if (size < NVMEV_STORAGE_OFF + SZ_1M) {
		pr_err("memmap_size=%lluM is too small: registers need 1M and storage at least 1M, use memmap_size=2M or more\n",
		       size >> 20);
		return -EINVAL;
	}
	if (end < start || end >= (1ULL << boot_cpu_data.x86_phys_bits)) {
		pr_err("memmap_start=%#llx memmap_size=%#llx reaches beyond physical memory (%u address bits)\n",
		       start, size, boot_cpu_data.x86_phys_bits);
		return -EINVAL;
	}
	r = region_intersects(start, size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE);
	if (r != REGION_DISJOINT) {
		pr_err("%#llx-%#llx overlaps System RAM: reserve it first by booting with memmap=%lluM$%lluM\n",
		       start, end, size >> 20, start >> 20);
		return -EINVAL;
	}
	walk_iomem_res_desc(IORES_DESC_RESERVED, IORESOURCE_MEM, start, end,
			    &rc, reserved_cover_fn);
	if (rc.cursor <= end) {
		pr_err("%#llx-%#llx is not reserved RAM (see /proc/iomem): boot with memmap=%lluM$%lluM and load with the same start and size\n",
		       start, end, size >> 20, start >> 20);
		return -EINVAL;
	}
	return 0;
}

static int collect_params(struct nvmev_params *p)
{
	u64 v;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = parse_size("memmap_start", memmap_start, &v);
	if (ret)
		return ret;
	p->memmap_start = v;
	ret = parse_size("memmap_size", memmap_size, &p->memmap_size);
	if (ret)
		return ret;
	ret = parse_cpus(cpus, p);
	if (ret)
		return ret;
	if (lba_size != 512 && lba_size != 4096) {
		pr_err("lba_size=%u: use 512 or 4096\n", lba_size);
		return -EINVAL;
	}
	p->lba_shift = ilog2(lba_size);
	p->wipe = wipe;
	p->reset_smart = reset_smart;
	p->msix = msix;
	p->idle_spin_us = idle_spin_us;

	p->nvm.read_delay = read_delay;
	p->nvm.read_time = read_time;
	p->nvm.read_trailing = read_trailing;
	p->nvm.write_delay = write_delay;
	p->nvm.write_time = write_time;
	p->nvm.write_trailing = write_trailing;
	p->nvm.nr_units = nr_io_units;
	if (io_unit_shift < 9 || io_unit_shift > 20 ||
	    nr_io_units < NVM_MIN_UNITS || nr_io_units > NVM_MAX_UNITS) {
		pr_err("nr_io_units=%u io_unit_shift=%u: use 1..%u units of 2^9..2^20 bytes\n",
		       nr_io_units, io_unit_shift, NVM_MAX_UNITS);
		return -EINVAL;
	}
	p->nvm.unit_size = 1U << io_unit_shift;
	return check_region(p);
}

/*
 * Keep the data of the last load unless asked to wipe it or the layout
 * changed, like an SSD across a power cycle.  Lifetime counters (SMART)
 * survive a wipe too, as they survive a format on a real drive; a region
 * that never held nvmev, or reset_smart=1, starts them from zero.
 */
static void superblock_load(struct nvmev_ctrl *ctrl)
{
	struct nvmev_superblock *sb = ctrl->sb;
	bool valid = le64_to_cpu(sb->magic) == NVMEV_SB_MAGIC &&
		     le32_to_cpu(sb->version) == NVMEV_SB_VERSION;
	bool keep = valid && !ctrl->params.wipe &&
		    le64_to_cpu(sb->storage_size) == ctrl->storage_size &&
		    le32_to_cpu(sb->lba_shift) == ctrl->params.lba_shift;
	u64 off;

	if (valid && !le64_to_cpu(sb->clean))
		le64_add_cpu(&sb->unsafe_shutdowns, 1);
	if (keep) {
		pr_info("keeping the data stored by the last load (use wipe=1 to erase it)\n");
	} else {
		pr_info("formatting %llu MiB of storage\n", ctrl->storage_size >> 20);
		for (off = 0; off < ctrl->storage_size; off += SZ_16M) {
			memset(ctrl->storage + off, 0,
			       min_t(u64, SZ_16M, ctrl->storage_size - off));
			cond_resched();
		}
	}
	if (!valid || ctrl->params.reset_smart) {
		memset(sb, 0, sizeof(*sb));
		sb->magic = cpu_to_le64(NVMEV_SB_MAGIC);
		sb->version = cpu_to_le32(NVMEV_SB_VERSION);
	}
	sb->storage_size = cpu_to_le64(ctrl->storage_size);
	sb->lba_shift = cpu_to_le32(ctrl->params.lba_shift);
	le64_add_cpu(&sb->power_cycles, 1);
	sb->clean = 0;
	ctrl->loaded_ns = nvmev_now();
	atomic64_set(&ctrl->stats.units_read, le64_to_cpu(sb->data_units_read));
	atomic64_set(&ctrl->stats.units_written, le64_to_cpu(sb->data_units_written));
	atomic64_set(&ctrl->stats.host_reads, le64_to_cpu(sb->host_reads));
	atomic64_set(&ctrl->stats.host_writes, le64_to_cpu(sb->host_writes));
	ctrl->err_count = le64_to_cpu(sb->err_count);
}

static void superblock_save(struct nvmev_ctrl *ctrl)
{
	struct nvmev_superblock *sb = ctrl->sb;

	sb->data_units_read = cpu_to_le64(atomic64_read(&ctrl->stats.units_read));
	sb->data_units_written = cpu_to_le64(atomic64_read(&ctrl->stats.units_written));
	sb->host_reads = cpu_to_le64(atomic64_read(&ctrl->stats.host_reads));
	sb->host_writes = cpu_to_le64(atomic64_read(&ctrl->stats.host_writes));
	sb->err_count = cpu_to_le64(ctrl->err_count);
	le64_add_cpu(&sb->power_on_secs,
		     div_u64(nvmev_now() - ctrl->loaded_ns, NSEC_PER_SEC));
	ctrl->loaded_ns = nvmev_now();
	sb->clean = cpu_to_le64(1);
}

/*
 * Claim the region after BAR0 (pci.c claims BAR0 itself) as a non-busy
 * resource nested in the "Reserved" entry.  If the claim swallowed an
 * existing resource, someone else uses the range.
 */
int nvmev_claim(struct resource *res, const char *name, u64 start, u64 end)
{
	res->name = name;
	res->start = start;
	res->end = end;
	res->flags = IORESOURCE_MEM;
	if (insert_resource(&iomem_resource, res))
		goto busy;
	if (res->child) {
		remove_resource(res);
		goto busy;
	}
	return 0;
busy:
	pr_err("%#llx-%#llx is already in use (see /proc/iomem): unload the other user or pick another region\n",
	       start, end);
	return -EBUSY;
}

static int region_map(struct nvmev_ctrl *ctrl)
{
	struct nvmev_params *p = &ctrl->params;
	int ret;

	ret = nvmev_claim(&ctrl->res, NVMEV_NAME, p->memmap_start + NVMEV_BAR_SIZE,
			  p->memmap_start + p->memmap_size - 1);
	if (ret)
		return ret;

	/*
	 * The nvme driver maps BAR0 uncached; a write-through mapping here is
	 * compatible with that and keeps our polling reads cheap.
	 */
	ctrl->bar = memremap(p->memmap_start, NVMEV_BAR_SIZE, MEMREMAP_WT);
	ctrl->sb = memremap(p->memmap_start + NVMEV_SB_OFF, PAGE_SIZE,
			    MEMREMAP_WB);
	ctrl->storage_size = p->memmap_size - NVMEV_STORAGE_OFF;
	ctrl->storage = memremap(p->memmap_start + NVMEV_STORAGE_OFF,
				 ctrl->storage_size, MEMREMAP_WB);
	if (!ctrl->bar || !ctrl->sb || !ctrl->storage) {
		pr_err("cannot map %#llx-%#llx\n", (u64)p->memmap_start,
		       (u64)p->memmap_start + p->memmap_size - 1);
		ret = -ENOMEM;
		goto unmap;
	}
	memset(ctrl->bar, 0, NVMEV_BAR_SIZE);
	return 0;
unmap:
	if (ctrl->storage)
		memunmap(ctrl->storage);
	if (ctrl->sb)
		memunmap(ctrl->sb);
	if (ctrl->bar)
		memunmap(ctrl->bar);
	remove_resource(&ctrl->res);
	return ret;
}

static void region_unmap(struct nvmev_ctrl *ctrl)
{
	memunmap(ctrl->storage);
	memunmap(ctrl->sb);
	memunmap(ctrl->bar);
	remove_resource(&ctrl->res);
}

static int nvmev_dispatcher(void *data)
{
	struct nvmev_ctrl *ctrl = data;
	u64 spin_ns = (u64)ctrl->params.idle_spin_us * NSEC_PER_USEC;
	unsigned int sleep_us = 0;
	ktime_t timeout;

	ctrl->last_busy_ns = nvmev_now();
	while (!kthread_should_stop()) {
		bool busy;

		busy = nvmev_regs_poll(ctrl);
		if (ctrl->ready) {
			busy |= nvmev_admin_poll(ctrl);
			busy |= nvmev_io_poll(ctrl);
		}
		if (atomic_read(&ctrl->vec_pending))
			nvmev_deliver_pending_irqs(ctrl);

		if (busy) {
			ctrl->last_busy_ns = nvmev_now();
			sleep_us = 0;
			continue;
		}
		if (nvmev_now() - ctrl->last_busy_ns < spin_ns) {
			cpu_relax();
			if (need_resched())
				cond_resched();
			continue;
		}
		/*
		 * Idle: poll less and less often, down to every few ms, so a
		 * long idle period costs well under 1% of a CPU.  The first
		 * command after it waits at most that long.  An interruptible
		 * sleep does not count as load.
		 */
		sleep_us = clamp(sleep_us * 2, 10U, NVMEV_IDLE_MAX_SLEEP_US);
		timeout = ns_to_ktime((u64)sleep_us * NSEC_PER_USEC);
		set_current_state(TASK_INTERRUPTIBLE);
		schedule_hrtimeout_range(&timeout, sleep_us * NSEC_PER_USEC / 4,
					 HRTIMER_MODE_REL);
	}
	return 0;
}

static int nvmev_ctrl_create(const struct nvmev_params *params,
			     struct nvmev_ctrl **out)
{
	struct nvmev_ctrl *ctrl;
	int ret;

	ctrl = kzalloc(sizeof(*ctrl), GFP_KERNEL);
	if (!ctrl)
		return -ENOMEM;
	spin_lock_init(&ctrl->errlog_lock);
	ctrl->params = *params;
	ret = ida_alloc(&nvmev_ctrl_ida, GFP_KERNEL);
	if (ret < 0)
		goto free;
	ctrl->id = ret;
	snprintf(ctrl->serial, sizeof(ctrl->serial), "NVMEV%04X%08llX",
		 ctrl->id, (u64)ctrl->params.memmap_start >> 20);

	ret = region_map(ctrl);
	if (ret)
		goto free_id;
	superblock_load(ctrl);
	ret = nvmev_ns_init(ctrl);
	if (ret)
		goto unmap;
	nvmev_regs_init(ctrl);

	ret = nvmev_workers_start(ctrl);
	if (ret)
		goto ns_exit;
	ctrl->dispatcher = kthread_create_on_node(nvmev_dispatcher, ctrl,
						  cpu_to_node(ctrl->params.cpus[0]),
						  "nvmev%u_disp", ctrl->id);
	if (IS_ERR(ctrl->dispatcher)) {
		ret = PTR_ERR(ctrl->dispatcher);
		goto workers_stop;
	}
	kthread_bind(ctrl->dispatcher, ctrl->params.cpus[0]);
	wake_up_process(ctrl->dispatcher);

	ret = nvmev_pci_create(ctrl);
	if (ret)
		goto disp_stop;
	*out = ctrl;
	return 0;

disp_stop:
	kthread_stop(ctrl->dispatcher);
workers_stop:
	nvmev_workers_stop(ctrl);
ns_exit:
	nvmev_ns_exit(ctrl);
unmap:
	superblock_save(ctrl);
	region_unmap(ctrl);
free_id:
	ida_free(&nvmev_ctrl_ida, ctrl->id);
free:
	kfree(ctrl);
	return ret;
}

static void nvmev_ctrl_destroy(struct nvmev_ctrl *ctrl)
{
	/* The nvme driver unbinds first and shuts the controller down. */
	nvmev_pci_destroy(ctrl);
	kthread_stop(ctrl->dispatcher);
	nvmev_ctrl_quiesce(ctrl);
	nvmev_workers_stop(ctrl);
	nvmev_ns_exit(ctrl);
	superblock_save(ctrl);
	region_unmap(ctrl);
	ida_free(&nvmev_ctrl_ida, ctrl->id);
	kfree(ctrl);
}

static int __init nvmev_init(void)
{
	struct nvmev_params *params;
	struct nvmev_ctrl *ctrl;
	int ret;

	params = kzalloc(sizeof(*params), GFP_KERNEL);
	if (!params)
		return -ENOMEM;
	ret = collect_params(params);
	if (ret)
		goto out;
	ret = nvmev_req_cache_init();
	if (ret)
		goto out;
	ret = nvmev_ctrl_create(params, &ctrl);
	if (ret) {
		nvmev_req_cache_exit();
		goto out;
	}
	mutex_lock(&nvmev_ctrls_lock);
	list_add_tail(&ctrl->node, &nvmev_ctrls);
	mutex_unlock(&nvmev_ctrls_lock);
	pr_info("controller %s ready: %llu MiB at %#llx, dispatcher on CPU %u, %u I/O worker(s)\n",
		pci_name(ctrl->pdev), ctrl->storage_size >> 20,
		(u64)ctrl->params.memmap_start, ctrl->params.cpus[0],
		ctrl->nr_workers);
out:
	kfree(params);
	return ret;
}

static void __exit nvmev_exit(void)
{
	struct nvmev_ctrl *ctrl, *tmp;

	mutex_lock(&nvmev_ctrls_lock);
	list_for_each_entry_safe(ctrl, tmp, &nvmev_ctrls, node) {
		list_del(&ctrl->node);
		nvmev_ctrl_destroy(ctrl);
	}
	mutex_unlock(&nvmev_ctrls_lock);
	nvmev_req_cache_exit();
	pr_info("removed\n");
}

module_init(nvmev_init);
module_exit(nvmev_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Software-defined NVMe SSD on reserved RAM");
MODULE_VERSION(NVMEV_VERSION);
