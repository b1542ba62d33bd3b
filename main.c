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
#include <linux/slab.h>
#include <linux/string.h>

#include "nvmev.h"
#include "namespace.h"
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

static unsigned int nr_ctrls = 1;
module_param(nr_ctrls, uint, 0444);
MODULE_PARM_DESC(nr_ctrls, "1 (default): one controller with one namespace over the region; 0: the region is a pool for configfs (/sys/kernel/config/nvmev)");

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

static unsigned int idle_max_us = NVMEV_IDLE_MAX_SLEEP_US;
module_param(idle_max_us, uint, 0444);
MODULE_PARM_DESC(idle_max_us, "Longest idle poll interval in microseconds, 100..1000000 (default 4000): longer costs less CPU while idle and delays the first command after an idle period more");

static char *preset;
module_param(preset, charp, 0444);
MODULE_PARM_DESC(preset, "Preset of nvmev0's namespace, e.g. preset=qlc or preset=kv (the names are in configfs, in every namespace's presets file); default: the NVM model with the timing parameters below");

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

static struct nvmev_params module_params;
const struct nvmev_params *nvmev_module_params = &module_params;
static struct nvmev_ctrl *default_ctrl;	/* nvmev0, from the parameters */

static int parse_size(const char *name, const char *s, u64 *out)
{
	char buf[32];

	if (!s || !*s) {
		pr_err("%s is missing: load with memmap_start=4G memmap_size=2G after booting with memmap=2G$4G\n",
		       name);
		return -EINVAL;
	}
	strscpy(buf, s, sizeof(buf));
	buf[strcspn(buf, "\n")] = '\0';
	if (strlen(s) >= sizeof(buf) || nvmev_parse_bytes(buf, out) ||
	    *out == 0) {
		pr_err("%s=%s is not a size: use a number with an optional K/M/G/T suffix, e.g. %s=4G\n",
		       name, s, name);
		return -EINVAL;
	}
	return 0;
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
	bool region = memmap_start || memmap_size;
	u64 v;
	int ret;

	memset(p, 0, sizeof(*p));
	p->nr_ctrls = nr_ctrls;
	p->msix = msix;
	p->idle_spin_us = idle_spin_us;
	if (idle_max_us < 100 || idle_max_us > USEC_PER_SEC) {
		pr_err("idle_max_us=%u: use 100..1000000 (microseconds between polls while idle)\n",
		       idle_max_us);
		return -EINVAL;
	}
	p->idle_max_us = idle_max_us;
	if (nr_ctrls > 1) {
		pr_err("nr_ctrls=%u: use 1 (one controller from the parameters) or 0 (create controllers through configfs)\n",
		       nr_ctrls);
		return -EINVAL;
	}
	if (!region && nr_ctrls) {
		/* configfs only: enabling a device says there is no region */
		pr_info("no memmap_start/memmap_size: loaded without a reserved region; configfs at /sys/kernel/config/nvmev cannot enable devices\n");
		p->nr_ctrls = 0;
	}
	if (region) {
		ret = parse_size("memmap_start", memmap_start, &v);
		if (ret)
			return ret;
		p->memmap_start = v;
		ret = parse_size("memmap_size", memmap_size, &p->memmap_size);
		if (ret)
			return ret;
	}
	if (p->nr_ctrls || (cpus && *cpus)) {
		ret = nvmev_parse_cpus("", cpus, p->cpus, &p->nr_cpus);
		if (ret)
			return ret;
	}
	if (lba_size != 512 && lba_size != 4096) {
		pr_err("lba_size=%u: use 512 or 4096\n", lba_size);
		return -EINVAL;
	}
	p->lba_shift = ilog2(lba_size);
	p->wipe = wipe;
	p->reset_smart = reset_smart;

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
	return region ? check_region(p) : 0;
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

/* nvmev0: one controller with one NVM namespace over the whole region. */
static int default_ctrl_create(const struct nvmev_params *p)
{
	struct nvmev_ctrl *ctrl;
	struct nvmev_ns *ns;
	int ret;

	ctrl = nvmev_ctrl_alloc("nvmev0");
	if (!ctrl)
		return -ENOMEM;
	ns = nvmev_ns_alloc(ctrl, 1);
	if (!ns) {
		nvmev_ctrl_free(ctrl);
		return -ENOMEM;
	}
	ctrl->persistent = true;
	ctrl->wipe = p->wipe;
	ctrl->reset_smart = p->reset_smart;
	ctrl->want_phys = p->memmap_start;
	ns->cfg.size = p->memmap_size - SZ_1M;
	ns->cfg.lba_shift = p->lba_shift;
	ns->cfg.preset = -1;		/* the module's timing parameters */
	ns->cfg.nvm = p->nvm;
	if (preset && *preset && nvmev_ns_set_preset(ns, preset)) {
		char names[256];

		nvmev_preset_names(names, sizeof(names));
		pr_err("preset=%s is not a preset: use one of %s\n", preset,
		       names);
		nvmev_ns_free(ns);
		nvmev_ctrl_free(ctrl);
		return -EINVAL;
	}
	ctrl->ns_cfg[0] = ns;

	mutex_lock(&nvmev_cfg_lock);
	ret = nvmev_ctrl_region_get(ctrl);	/* the superblock decides */
	if (!ret)
		ret = nvmev_ns_enable(ns);
	if (!ret)
		ret = nvmev_ctrl_enable(ctrl);
	if (ret) {
		nvmev_ns_disable(ns);
		nvmev_ctrl_disable(ctrl);
		nvmev_ctrl_region_put(ctrl);
	}
	mutex_unlock(&nvmev_cfg_lock);
	if (ret)
		goto free;
	ret = nvmev_configfs_add_default(ctrl);
	if (ret) {
		mutex_lock(&nvmev_cfg_lock);
		nvmev_ctrl_disable(ctrl);
		nvmev_ns_disable(ns);
		mutex_unlock(&nvmev_cfg_lock);
		goto free;
	}
	default_ctrl = ctrl;
	return 0;
free:
	nvmev_ns_free(ns);
	nvmev_ctrl_free(ctrl);
	return ret;
}

static void default_ctrl_destroy(void)
{
	struct nvmev_ctrl *ctrl = default_ctrl;

	if (!ctrl)
		return;
	mutex_lock(&nvmev_cfg_lock);
	nvmev_ctrl_disable(ctrl);
	if (ctrl->ns_cfg[0])
		nvmev_ns_disable(ctrl->ns_cfg[0]);
	nvmev_subsys_join(ctrl, "");
	mutex_unlock(&nvmev_cfg_lock);
	nvmev_configfs_remove_default(ctrl);	/* frees it */
	default_ctrl = NULL;
}

static int __init nvmev_init(void)
{
	struct nvmev_params *p = &module_params;
	int ret;

	ret = collect_params(p);
	if (ret)
		return ret;
	ret = nvmev_req_cache_init();
	if (ret)
		return ret;
	ret = nvmev_pci_init();
	if (ret)
		goto cache;
	if (p->memmap_size) {
		ret = nvmev_pool_init(p->memmap_start, p->memmap_size);
		if (ret)
			goto pci;
	}
	ret = nvmev_configfs_init();
	if (ret)
		goto pool;
	if (p->nr_ctrls) {
		ret = default_ctrl_create(p);
		if (ret)
			goto configfs;
	}
	return 0;
configfs:
	nvmev_configfs_exit();
pool:
	nvmev_pool_exit();
pci:
	nvmev_pci_exit();
cache:
	nvmev_req_cache_exit();
	return ret;
}

static void __exit nvmev_exit(void)
{
	default_ctrl_destroy();
	nvmev_configfs_exit();
	nvmev_pool_exit();
	nvmev_pci_exit();
	nvmev_req_cache_exit();
	pr_info("removed\n");
}

module_init(nvmev_init);
module_exit(nvmev_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Software-defined NVMe SSD on reserved RAM");
MODULE_VERSION(NVMEV_VERSION);
