/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * presets.h - device presets, as data: one table (presets.c) for the
 * kernel and for nvmev-sim.
 *
 * A preset names a namespace type and the parameters of its model.  The
 * kernel lists them in every namespace's configfs "presets" file, and
 * writing a name to "preset" (or the module parameter preset=) loads its
 * values, each of which may then be overridden before the namespace is
 * enabled.  nvmev-sim offers the nvm, conv and zns rows as --preset.  Add a
 * device by adding a row; nothing else needs to change.
 */
#ifndef _NVMEV_FTL_PRESETS_H
#define _NVMEV_FTL_PRESETS_H

#include "ftl_compat.h"
#include "nvm.h"
#include "conv.h"
#include "zns.h"
#include "kv.h"

/* The namespace type of a preset (the kernel maps it to its own enum). */
enum ftl_preset_type {
	FTL_PRESET_NVM,
	FTL_PRESET_CONV,
	FTL_PRESET_ZNS,
	FTL_PRESET_KV,
};

/*
 * The zones of a zns preset, as the kernel's configfs attributes of the
 * same names take them (zns_params_geometry() turns them into zns_params).
 * @zone_size:   bytes, a power of two; 0: automatic
 * @zone_cap:    bytes; 0: the zone size
 * @max_open:    open zone limit; 0: no limit; ZNS_LIMIT_AUTO: automatic
 * @max_active:  active zone limit; 0: no limit; ZNS_LIMIT_AUTO: automatic
 * @stripe_dies: dies a zone is striped over; 0: all
 */
struct ftl_preset_zns {
	u64 zone_size;
	u64 zone_cap;
	u32 max_open;
	u32 max_active;
	u32 stripe_dies;
};

/*
 * The store of a kv preset.
 * @store:    the key-value store's format parameters (kv.h)
 * @index_ns: index lookup time per command
 */
struct ftl_preset_kv {
	struct kv_params store;
	u32 index_ns;
};

/*
 * One preset.  Only the parameters of its type are used:
 * @nvm:  nvm; kv (the timing of the values)
 * @conv: conv; zns (the NAND; capacity 0: the namespace's size)
 * @zns:  zns
 * @kv:   kv
 */
struct ftl_preset {
	const char *name;
	enum ftl_preset_type type;
	const char *desc;
	struct nvm_params nvm;
	struct conv_params conv;
	struct ftl_preset_zns zns;
	struct ftl_preset_kv kv;
};

extern const struct ftl_preset ftl_presets[];
extern const unsigned int ftl_nr_presets;

/* The index in ftl_presets of the preset named @name, or -EINVAL. */
int ftl_preset_find(const char *name);

#endif /* _NVMEV_FTL_PRESETS_H */
