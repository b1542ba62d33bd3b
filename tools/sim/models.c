// SPDX-License-Identifier: GPL-2.0-only
/*
 * models.c - the models nvmev-sim knows, a table per model that maps
 * "--param key=value" to a field of the model's parameter struct, and the
 * presets (named like the kernel's configfs presets).
 *
 * Array fields take "key=v0,v1,..." (the elements given, in order; the
 * rest stay) or "key[i]=v".  Values take size suffixes ("64G") or time
 * suffixes, converted to ns ("2us", "1.5ms").
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"
#include "nvm.h"
#ifdef SIM_HAVE_CONV
#include "conv.h"
#endif

#define FIELD_SIZE(type, field)	sizeof(((type *)0)->field)

#define PARAM(type, field, help)					\
	{ #field, offsetof(type, field), FIELD_SIZE(type, field), 1,	\
	  SP_UINT, help }

#define PARAM_ARRAY(type, field, help)					\
	{ #field, offsetof(type, field),				\
	  sizeof(((type *)0)->field[0]),				\
	  FIELD_SIZE(type, field) / sizeof(((type *)0)->field[0]),	\
	  SP_UINT, help }

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ nvm */

static const struct sim_param nvm_params_table[] = {
	PARAM(struct nvm_params, read_delay,
	      "ns every read pays once, before data moves"),
	PARAM(struct nvm_params, read_time,
	      "ns per read chunk (unit_size bytes) on a unit"),
	PARAM(struct nvm_params, read_trailing,
	      "ns a unit stays busy after a read chunk"),
	PARAM(struct nvm_params, write_delay,
	      "ns every write pays once, before data moves"),
	PARAM(struct nvm_params, write_time,
	      "ns per write chunk on a unit"),
	PARAM(struct nvm_params, write_trailing,
	      "ns a unit stays busy after a write chunk"),
	PARAM(struct nvm_params, nr_units, "parallel units (1..1024)"),
	PARAM(struct nvm_params, unit_size,
	      "bytes per chunk, power of two (512..1M)"),
};

static void nvm_defaults(void *p)
{
	nvm_params_default(p);
}

/* The nvm rows of the kernel's preset table (ssd_config.h). */
static const struct nvm_params nvm_optane = {
	.read_delay = NVM_DEFAULT_READ_DELAY,
	.read_time = NVM_DEFAULT_READ_TIME,
	.read_trailing = NVM_DEFAULT_READ_TRAILING,
	.write_delay = NVM_DEFAULT_WRITE_DELAY,
	.write_time = NVM_DEFAULT_WRITE_TIME,
	.write_trailing = NVM_DEFAULT_WRITE_TRAILING,
	.nr_units = NVM_DEFAULT_NR_UNITS,
	.unit_size = NVM_DEFAULT_UNIT_SIZE,
};

static const struct nvm_params nvm_zero = {
	.nr_units = NVM_DEFAULT_NR_UNITS,
	.unit_size = NVM_DEFAULT_UNIT_SIZE,
};

static const struct nvm_params nvm_slow = {
	.read_delay = 100000,
	.write_delay = 200000,
	.nr_units = 4,
	.unit_size = NVM_DEFAULT_UNIT_SIZE,
};

static const struct sim_preset nvm_presets[] = {
	{ "optane", "Optane-class NVM SSD (the nvm defaults)", &nvm_optane },
	{ "nvm-zero", "zero-latency NVM", &nvm_zero },
	{ "nvm-slow", "100 us reads, 200 us writes, 4 units", &nvm_slow },
};

/* ----------------------------------------------------------------- conv */

#ifdef SIM_HAVE_CONV
static const struct sim_param conv_params_table[] = {
	PARAM(struct conv_params, capacity,
	      "host-visible bytes, multiple of 4096 (--capacity)"),
	PARAM(struct conv_params, op_percent, "over-provisioning %, 1..100"),
	PARAM(struct conv_params, nr_channels, "channels, 1..64"),
	PARAM(struct conv_params, luns_per_channel, "dies per channel, 1..64"),
	PARAM(struct conv_params, planes_per_lun, "planes per die, 1..8"),
	PARAM(struct conv_params, pages_per_block,
	      "pages per block, multiple of oneshot_pages"),
	PARAM(struct conv_params, page_size,
	      "flash page bytes, multiple of 4096, 4K..64K"),
	PARAM(struct conv_params, oneshot_pages,
	      "pages programmed together per plane, 1..8"),
	PARAM(struct conv_params, cell_bits, "1 SLC, 2 MLC, 3 TLC, 4 QLC"),
	PARAM_ARRAY(struct conv_params, read_4k_ns,
		    "tR per page type, one 4 KiB slot needed"),
	PARAM_ARRAY(struct conv_params, read_page_ns,
		    "tR per page type, more of the page needed"),
	PARAM(struct conv_params, prog_ns, "tPROG of one program unit"),
	PARAM(struct conv_params, erase_ns, "tBERS of one multi-plane block"),
	PARAM(struct conv_params, channel_mbps,
	      "MB/s per channel, 0 = instantaneous"),
	PARAM(struct conv_params, link_mbps,
	      "host link MB/s each way, 0 = instantaneous"),
	PARAM(struct conv_params, fw_read_ns, "firmware ns per read"),
	PARAM(struct conv_params, fw_write_ns, "firmware ns per write"),
	PARAM(struct conv_params, fw_other_ns, "firmware ns per other command"),
	PARAM(struct conv_params, buffer_kib,
	      "write buffer KiB, 0 = none (writes are durable)"),
	PARAM(struct conv_params, gc_policy, "0 greedy, 1 cost-benefit"),
	PARAM(struct conv_params, gc_threshold_pct,
	      "foreground GC below this % of groups free, 0..50"),
	PARAM(struct conv_params, bg_gc_threshold_pct,
	      "background GC in idle time below this %, 0..50"),
};

static void conv_defaults(void *p)
{
	conv_params_default(p);
}

static const char *conv_check(const void *p)
{
	return conv_check_params(p);
}

static u64 conv_min_cap(const void *p)
{
	return conv_min_capacity(p);
}

static const struct conv_params conv_generic = CONV_PARAMS_DEFAULT_INIT;
static const struct conv_params conv_970pro = CONV_PARAMS_MLC_970PRO;
static const struct conv_params conv_tlc_dc = CONV_PARAMS_TLC_DC;
static const struct conv_params conv_qlc = CONV_PARAMS_QLC;

static const struct sim_preset conv_presets[] = {
	{ "conv", "generic TLC: 8 channels x 4 dies, 4 MiB buffer, 7% OP",
	  &conv_generic },
	{ "mlc-970pro", "Samsung 970 PRO-like MLC, PCIe 3.0 x4",
	  &conv_970pro },
	{ "tlc-dc", "TLC datacenter, PCIe 4.0 x4, 28% OP, cost-benefit GC",
	  &conv_tlc_dc },
	{ "qlc", "QLC, PCIe 3.0 x4, slow programs and erases", &conv_qlc },
};
#endif /* SIM_HAVE_CONV */

/* --------------------------------------------------------------- table */

static const struct sim_model models[] = {
	{
		.name = "nvm",
		.desc = "Optane-class NVM: per-command delay, parallel units",
		.ops = &nvm_model_ops,
		.params_size = sizeof(struct nvm_params),
		.defaults = nvm_defaults,
		.params = nvm_params_table,
		.nr_params = ARRAY_LEN(nvm_params_table),
		.presets = nvm_presets,
		.nr_presets = ARRAY_LEN(nvm_presets),
	},
#ifdef SIM_HAVE_CONV
	{
		.name = "conv",
		.desc = "NAND SSD: write buffer, page-mapped FTL, GC",
		.ops = &conv_model_ops,
		.params_size = sizeof(struct conv_params),
		.defaults = conv_defaults,
		.params = conv_params_table,
		.nr_params = ARRAY_LEN(conv_params_table),
		.presets = conv_presets,
		.nr_presets = ARRAY_LEN(conv_presets),
		.capacity_param = "capacity",
		.capacity_align = CONV_SLOT_SIZE,
		.check = conv_check,
		.min_capacity = conv_min_cap,
		.meta_bytes = conv_metadata_bytes,
	},
#endif
};

#define NR_MODELS	ARRAY_LEN(models)

const struct sim_model *model_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < NR_MODELS; i++)
		if (!strcmp(models[i].name, name))
			return &models[i];
	return NULL;
}

const struct sim_model *model_at(unsigned int i)
{
	return i < NR_MODELS ? &models[i] : NULL;
}

const struct sim_preset *preset_find(const char *name,
				     const struct sim_model **model)
{
	unsigned int i, k;

	for (i = 0; i < NR_MODELS; i++) {
		for (k = 0; k < models[i].nr_presets; k++) {
			if (!strcmp(models[i].presets[k].name, name)) {
				*model = &models[i];
				return &models[i].presets[k];
			}
		}
	}
	return NULL;
}

void model_list(FILE *f)
{
	unsigned int i, k;

	for (i = 0; i < NR_MODELS; i++) {
		fprintf(f, "      %-6s %s; presets:", models[i].name,
			models[i].desc);
		for (k = 0; k < models[i].nr_presets; k++)
			fprintf(f, " %s", models[i].presets[k].name);
		fprintf(f, "\n");
	}
}

/* ---------------------------------------------------------- parameters */

u64 model_param_get(const void *params, const struct sim_param *p,
		    unsigned int idx)
{
	const u8 *base = (const u8 *)params + p->off + idx * p->size;

	switch (p->size) {
	case 1:
		return *(const u8 *)base;
	case 2:
		return *(const u16 *)base;
	case 4:
		return *(const u32 *)base;
	default:
		return *(const u64 *)base;
	}
}

static int param_store(const struct sim_param *p, void *params,
		       unsigned int idx, const char *val)
{
	u8 *base = (u8 *)params + p->off + idx * p->size;
	u64 v;

	if (p->type == SP_BOOL) {
		bool b;

		if (parse_bool(val, &b))
			return -EINVAL;
		v = b;
	} else if (parse_size(val, &v) && parse_time(val, 1, &v)) {
		return -EINVAL;
	}
	switch (p->size) {
	case 1:
		if (v > 0xff)
			return -ERANGE;
		*(u8 *)base = (u8)v;
		break;
	case 2:
		if (v > 0xffff)
			return -ERANGE;
		*(u16 *)base = (u16)v;
		break;
	case 4:
		if (v > U32_MAX)
			return -ERANGE;
		*(u32 *)base = (u32)v;
		break;
	default:
		*(u64 *)base = v;
		break;
	}
	return 0;
}

int model_param_set(const struct sim_model *m, void *params, const char *key,
		    const char *val, char *err, size_t errlen)
{
	const struct sim_param *p = NULL;
	char name[64], buf[256], *tok, *save;
	const char *br = strchr(key, '[');
	unsigned int i, idx = 0;
	bool indexed = false;
	size_t n = br ? (size_t)(br - key) : strlen(key);

	if (n < sizeof(name)) {
		memcpy(name, key, n);
		name[n] = '\0';
		for (i = 0; i < m->nr_params; i++)
			if (!strcmp(m->params[i].name, name))
				p = &m->params[i];
	}
	if (!p) {
		snprintf(err, errlen,
			 "model %s has no parameter '%s' (see --list-params)",
			 m->name, key);
		return -EINVAL;
	}
	if (br) {
		u64 v;
		char *end;

		if (strlen(br) >= sizeof(buf))
			goto bad_index;
		strcpy(buf, br + 1);
		end = strchr(buf, ']');
		if (!end || end[1])
			goto bad_index;
		*end = '\0';
		if (parse_u64(buf, &v) || v >= p->count)
			goto bad_index;
		idx = (unsigned int)v;
		indexed = true;
	}
	if (indexed || p->count == 1) {
		if (param_store(p, params, idx, val))
			goto bad;
		return 0;
	}
	if (strlen(val) >= sizeof(buf))
		goto bad;
	strcpy(buf, val);
	for (tok = strtok_r(buf, ",", &save), i = 0; tok;
	     tok = strtok_r(NULL, ",", &save), i++)
		if (i >= p->count || param_store(p, params, i, tok))
			goto bad;
	if (!i)
		goto bad;
	return 0;

bad_index:
	snprintf(err, errlen, "bad index in %s parameter '%s' (0..%u)",
		 m->name, key, p->count - 1);
	return -EINVAL;
bad:
	snprintf(err, errlen, "bad value for %s parameter %s: '%s'%s", m->name,
		 key, val, p->count > 1 && !indexed ?
		 " (up to the array length, comma separated)" : "");
	return -EINVAL;
}

/* "v" or "v0,v1,..." ("[v0, v1, ...]" for JSON). */
void model_param_format(const void *params, const struct sim_param *p,
			char *buf, size_t len, bool json)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	if (json && p->count > 1)
		used += snprintf(buf, len, "[");
	for (i = 0; i < p->count && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%llu",
				 i ? (json ? ", " : ",") : "",
				 (unsigned long long)model_param_get(params,
								     p, i));
	if (json && p->count > 1 && used < len)
		snprintf(buf + used, len - used, "]");
}

void model_print_params(FILE *f, const struct sim_model *m,
			const void *params, const char *preset)
{
	unsigned int i;
	char v[256];

	fprintf(f, "model %s: %s\n", m->name, m->desc);
	fprintf(f, "  %-20s %-24s  %s\n", "key",
		preset ? preset : "default", "meaning");
	for (i = 0; i < m->nr_params; i++) {
		const struct sim_param *p = &m->params[i];

		model_param_format(params, p, v, sizeof(v), false);
		fprintf(f, "  %-20s %-24s  %s\n", p->name, v, p->help);
	}
	if (m->capacity_param)
		fprintf(f, "  --capacity sets %s; default: the workload span, "
			"rounded up to %llu bytes\n", m->capacity_param,
			(unsigned long long)m->capacity_align);
	fprintf(f, "  presets (--preset):\n");
	for (i = 0; i < m->nr_presets; i++)
		fprintf(f, "    %-12s %s\n", m->presets[i].name,
			m->presets[i].desc);
}
