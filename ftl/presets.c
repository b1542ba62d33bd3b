// SPDX-License-Identifier: GPL-2.0-only
/*
 * presets.c - the device presets (see presets.h): the kernel's configfs
 * presets and nvmev-sim's --preset, from this one table.
 */
#include "presets.h"
#include "zns_timing.h"

const struct ftl_preset ftl_presets[] = {
	{
		.name = "optane",
		.type = FTL_PRESET_NVM,
		.desc = "Intel Optane SSD P5800X: NVMeVirt's 2 us + 3.5 us per 4 KiB on 16 units, controller limited to 1.5M reads or 1.35M writes/s",
		.nvm = {
			.read_delay = NVM_DEFAULT_READ_DELAY,
			.read_time = NVM_DEFAULT_READ_TIME,
			.read_trailing = NVM_DEFAULT_READ_TRAILING,
			.write_delay = NVM_DEFAULT_WRITE_DELAY,
			.write_time = NVM_DEFAULT_WRITE_TIME,
			.write_trailing = NVM_DEFAULT_WRITE_TRAILING,
			.nr_units = NVM_DEFAULT_NR_UNITS,
			.unit_size = NVM_DEFAULT_UNIT_SIZE,
			.cmd_read_ns = NVM_P5800X_CMD_READ_NS,
			.cmd_write_ns = NVM_P5800X_CMD_WRITE_NS,
		},
	},
	{
		.name = "nvm-zero",
		.type = FTL_PRESET_NVM,
		.desc = "Zero-latency NVM: completes as fast as the emulator can",
		.nvm = {
			.nr_units = NVM_DEFAULT_NR_UNITS,
			.unit_size = NVM_DEFAULT_UNIT_SIZE,
		},
	},
	{
		.name = "nvm-slow",
		.type = FTL_PRESET_NVM,
		.desc = "Slow NVM for visible timing: 100 us reads, 200 us writes, 4 units",
		.nvm = {
			.read_delay = 100000,
			.write_delay = 200000,
			.nr_units = 4,
			.unit_size = NVM_DEFAULT_UNIT_SIZE,
		},
	},
	/*
	 * NAND SSDs (ftl/conv.h): the geometry scales to the namespace size;
	 * figures and their sources are in ftl/conv.c.
	 */
	{
		.name = "conv",
		.type = FTL_PRESET_CONV,
		.desc = "Generic TLC NAND SSD: 8 channels x 4 dies, 4 MiB write buffer, 7% OP, greedy GC",
		.conv = CONV_PARAMS_DEFAULT_INIT,
	},
	{
		.name = "mlc-970pro",
		.type = FTL_PRESET_CONV,
		.desc = "Samsung 970 PRO 512 GB: MLC NAND SSD, PCIe 3.0 x4, independent plane reads, 2 firmware cores",
		.conv = CONV_PARAMS_MLC_970PRO,
	},
	{
		.name = "tlc-dc",
		.type = FTL_PRESET_CONV,
		.desc = "TLC datacenter NAND SSD, PCIe 4.0 x4, 28% OP, cost-benefit GC",
		.conv = CONV_PARAMS_TLC_DC,
	},
	{
		.name = "tlc-970evoplus",
		.type = FTL_PRESET_CONV,
		.desc = "Samsung 970 EVO Plus 1 TB: TLC NAND SSD with an SLC cache (4.2% of the capacity), PCIe 3.0 x4, independent plane reads, 2 firmware cores",
		.conv = CONV_PARAMS_TLC_970EVOPLUS,
	},
	{
		.name = "qlc",
		.type = FTL_PRESET_CONV,
		.desc = "Intel 660p 2 TB-like QLC NAND SSD with an SLC cache (14% of the capacity), PCIe 3.0 x4, slow programs and erases",
		.conv = CONV_PARAMS_QLC,
	},
	/*
	 * Flexible Data Placement (conv.h): the same NAND with reclaim unit
	 * handles.  Open reclaim units take spare space, so these need larger
	 * namespaces (conv_min_capacity(): conv-fdp 1415581696 bytes, 1.32
	 * GiB; tlc-dc-fdp 2865598464 bytes, 2.67 GiB).
	 */
	{
		.name = "conv-fdp",
		.type = FTL_PRESET_CONV,
		.desc = "Generic TLC NAND SSD with FDP: 1 reclaim group, 4 handles initially isolated, 28% OP",
		.conv = CONV_PARAMS_FDP,
	},
	{
		.name = "tlc-dc-fdp",
		.type = FTL_PRESET_CONV,
		.desc = "TLC datacenter NAND SSD with FDP: 2 reclaim groups, 4 handles persistently isolated",
		.conv = CONV_PARAMS_TLC_DC_FDP,
	},
	/*
	 * Zoned namespaces: zones (ftl/zns.h) on NAND timing
	 * (ftl/zns_timing.h; sources of the figures in zns_timing.c).
	 */
	{
		.name = "zns",
		.type = FTL_PRESET_ZNS,
		.desc = "Zoned TLC NAND SSD: zones of at most 64 MiB (at least 16) over 4 dies, 14 open and active",
		.conv = CONV_PARAMS_DEFAULT_INIT,
		.zns = {
			.max_open = ZNS_LIMIT_AUTO,
			.max_active = ZNS_LIMIT_AUTO,
			.stripe_dies = ZNS_TIMING_SMALL_STRIPE,
		},
	},
	{
		.name = "zns-small",
		.type = FTL_PRESET_ZNS,
		.desc = "Small-zone ZNS prototype: 16 MiB zones over 4 dies, the zns drive's NAND",
		.conv = CONV_PARAMS_DEFAULT_INIT,
		.zns = {
			.zone_size = ZNS_TIMING_SMALL_ZONE_BYTES,
			.max_open = ZNS_LIMIT_AUTO,
			.max_active = ZNS_LIMIT_AUTO,
			.stripe_dies = ZNS_TIMING_SMALL_STRIPE,
		},
	},
	{
		.name = "zn540",
		.type = FTL_PRESET_ZNS,
		.desc = "WD Ultrastar DC ZN540-like: 2 GiB zones of 1077 MiB over 32 dies, 14 open and active",
		.conv = ZNS_TIMING_ZN540_NAND,
		.zns = {
			.zone_size = ZNS_TIMING_ZN540_ZONE_BYTES,
			.zone_cap = ZNS_TIMING_ZN540_ZONE_CAP,
			.max_open = ZNS_LIMIT_AUTO,
			.max_active = ZNS_LIMIT_AUTO,
		},
	},
	/*
	 * Key-value SSDs (ftl/kv.h): a lookup in the index, then the value
	 * on the NVM model.  The kv figures are estimates for a NAND-based
	 * KV SSD (Samsung's PM983-based KV SSD: tens of microseconds per
	 * small operation): 10 us of index work, reads of 60 us + 4 us per
	 * 4 KiB, writes buffered at 10 us + 4 us per 4 KiB, 8 parallel units.
	 */
	{
		.name = "kv",
		.type = FTL_PRESET_KV,
		.desc = "Key-value SSD: 10 us index lookup, NAND-like values (60 us reads, 10 us buffered writes), values up to 512 KiB",
		.nvm = {
			.read_delay = 60000,
			.read_time = 4000,
			.write_delay = 10000,
			.write_time = 4000,
			.nr_units = 8,
			.unit_size = NVM_DEFAULT_UNIT_SIZE,
		},
		.kv = {
			.store = {
				.max_value = KV_DEFAULT_MAX_VALUE,
				.bytes_per_key = KV_DEFAULT_BYTES_PER_KEY,
			},
			.index_ns = 10000,
		},
	},
	{
		.name = "kv-zero",
		.type = FTL_PRESET_KV,
		.desc = "Zero-latency key-value store: completes as fast as the emulator can",
		.nvm = {
			.nr_units = NVM_DEFAULT_NR_UNITS,
			.unit_size = NVM_DEFAULT_UNIT_SIZE,
		},
		.kv = {
			.store = {
				.max_value = KV_DEFAULT_MAX_VALUE,
				.bytes_per_key = KV_DEFAULT_BYTES_PER_KEY,
			},
		},
	},
};

const unsigned int ftl_nr_presets = ARRAY_SIZE(ftl_presets);

int ftl_preset_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ftl_nr_presets; i++)
		if (!strcmp(ftl_presets[i].name, name))
			return i;
	return -EINVAL;
}
