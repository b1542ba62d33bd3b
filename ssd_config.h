/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nvmev: device presets, as data.
 *
 * A preset names a namespace type and the timing (and later geometry) of
 * its model.  configfs lists them in every namespace's "presets" file, and
 * writing a name to "preset" loads its values, each of which may then be
 * overridden before the namespace is enabled.  Add a device by adding a
 * row; nothing else needs to change.
 */
#ifndef _NVMEV_SSD_CONFIG_H
#define _NVMEV_SSD_CONFIG_H

#include "namespace.h"
#include "ftl/zns_timing.h"

struct nvmev_preset {
	const char *name;
	enum nvmev_ns_type type;
	const char *desc;
	struct nvm_params nvm;
	struct conv_params conv;
	struct nvmev_zns_cfg zns;
	struct nvmev_kv_cfg kv;
};


static const struct nvmev_preset nvmev_presets[] = {
	{
		.name = "optane",
		.type = NVMEV_NS_NVM,
		.desc = "Optane-class NVM SSD (NVMeVirt defaults): 2 us + 3.5 us per 4 KiB, 16 units",
		.nvm = {
			.read_delay = NVM_DEFAULT_READ_DELAY,
			.read_time = NVM_DEFAULT_READ_TIME,
			.read_trailing = NVM_DEFAULT_READ_TRAILING,
			.write_delay = NVM_DEFAULT_WRITE_DELAY,
			.write_time = NVM_DEFAULT_WRITE_TIME,
			.write_trailing = NVM_DEFAULT_WRITE_TRAILING,
			.nr_units = NVM_DEFAULT_NR_UNITS,
			.unit_size = NVM_DEFAULT_UNIT_SIZE,
		},
	},
	{
		.name = "nvm-zero",
		.type = NVMEV_NS_NVM,
		.desc = "Zero-latency NVM: completes as fast as the emulator can",
		.nvm = {
			.nr_units = NVM_DEFAULT_NR_UNITS,
			.unit_size = NVM_DEFAULT_UNIT_SIZE,
		},
	},
	{
		.name = "nvm-slow",
		.type = NVMEV_NS_NVM,
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
		.type = NVMEV_NS_CONV,
		.desc = "Generic TLC NAND SSD: 8 channels x 4 dies, 4 MiB write buffer, 7% OP, greedy GC",
		.conv = CONV_PARAMS_DEFAULT_INIT,
	},
	{
		.name = "mlc-970pro",
		.type = NVMEV_NS_CONV,
		.desc = "Samsung 970 PRO-like MLC NAND SSD, PCIe 3.0 x4",
		.conv = CONV_PARAMS_MLC_970PRO,
	},
	{
		.name = "tlc-dc",
		.type = NVMEV_NS_CONV,
		.desc = "TLC datacenter NAND SSD, PCIe 4.0 x4, 28% OP, cost-benefit GC",
		.conv = CONV_PARAMS_TLC_DC,
	},
	{
		.name = "qlc",
		.type = NVMEV_NS_CONV,
		.desc = "QLC NAND SSD, PCIe 3.0 x4, slow programs and erases",
		.conv = CONV_PARAMS_QLC,
	},
	/*
	 * Zoned namespaces: zones (ftl/zns.h) on NAND timing
	 * (ftl/zns_timing.h; sources of the figures in zns_timing.c).
	 */
	{
		.name = "zns",
		.type = NVMEV_NS_ZNS,
		.desc = "Zoned TLC NAND SSD: zones of at most 64 MiB (at least 16) over 4 dies, 14 open and active",
		.conv = CONV_PARAMS_DEFAULT_INIT,
		.zns = {
			.max_open = NVMEV_ZNS_AUTO,
			.max_active = NVMEV_ZNS_AUTO,
			.stripe_dies = ZNS_TIMING_SMALL_STRIPE,
		},
	},
	{
		.name = "zns-small",
		.type = NVMEV_NS_ZNS,
		.desc = "Small-zone ZNS prototype: 16 MiB zones over 4 dies, the zns drive's NAND",
		.conv = CONV_PARAMS_DEFAULT_INIT,
		.zns = {
			.zone_size = ZNS_TIMING_SMALL_ZONE_BYTES,
			.max_open = NVMEV_ZNS_AUTO,
			.max_active = NVMEV_ZNS_AUTO,
			.stripe_dies = ZNS_TIMING_SMALL_STRIPE,
		},
	},
	{
		.name = "zn540",
		.type = NVMEV_NS_ZNS,
		.desc = "WD Ultrastar DC ZN540-like: 2 GiB zones of 1077 MiB over 32 dies, 14 open and active",
		.conv = ZNS_TIMING_ZN540_NAND,
		.zns = {
			.zone_size = ZNS_TIMING_ZN540_ZONE_BYTES,
			.zone_cap = ZNS_TIMING_ZN540_ZONE_CAP,
			.max_open = NVMEV_ZNS_AUTO,
			.max_active = NVMEV_ZNS_AUTO,
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
		.type = NVMEV_NS_KV,
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
		.type = NVMEV_NS_KV,
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

#endif /* _NVMEV_SSD_CONFIG_H */
