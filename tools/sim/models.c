// SPDX-License-Identifier: GPL-2.0-only
/*
 * models.c - the models nvmev-sim knows and a table per model that maps
 * "--param key=value" to a field of the model's parameter struct.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"
#include "nvm.h"
#ifdef SIM_HAVE_CONV
#include "conv.h"
#endif

#define PARAM(type, field, ptype, help)					\
	{ #field, offsetof(type, field), sizeof(((type *)0)->field),	\
	  ptype, help }

static const struct sim_param nvm_params_table[] = {
	PARAM(struct nvm_params, read_delay, SP_UINT,
	      "ns every read pays once, before data moves"),
	PARAM(struct nvm_params, read_time, SP_UINT,
	      "ns per read chunk (unit_size bytes) on a unit"),
	PARAM(struct nvm_params, read_trailing, SP_UINT,
	      "ns a unit stays busy after a read chunk"),
	PARAM(struct nvm_params, write_delay, SP_UINT,
	      "ns every write pays once, before data moves"),
	PARAM(struct nvm_params, write_time, SP_UINT,
	      "ns per write chunk on a unit"),
	PARAM(struct nvm_params, write_trailing, SP_UINT,
	      "ns a unit stays busy after a write chunk"),
	PARAM(struct nvm_params, nr_units, SP_UINT,
	      "parallel units (1..1024)"),
	PARAM(struct nvm_params, unit_size, SP_UINT,
	      "bytes per chunk, power of two (512..1M)"),
};

static void nvm_defaults(void *p)
{
	nvm_params_default(p);
}

static const struct sim_model models[] = {
	{
		.name = "nvm",
		.desc = "Optane-class NVM: per-command delay, parallel units",
		.ops = &nvm_model_ops,
		.params_size = sizeof(struct nvm_params),
		.defaults = nvm_defaults,
		.params = nvm_params_table,
		.nr_params = sizeof(nvm_params_table) /
			     sizeof(nvm_params_table[0]),
		.capacity_param = NULL,
	},
};

#define NR_MODELS	(sizeof(models) / sizeof(models[0]))

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

void model_list(FILE *f)
{
	unsigned int i;

	for (i = 0; i < NR_MODELS; i++)
		fprintf(f, "  %-6s %s\n", models[i].name, models[i].desc);
}

static const struct sim_param *param_find(const struct sim_model *m,
					  const char *key)
{
	unsigned int i;

	for (i = 0; i < m->nr_params; i++)
		if (!strcmp(m->params[i].name, key))
			return &m->params[i];
	return NULL;
}

bool model_param_exists(const struct sim_model *m, const char *key)
{
	return param_find(m, key) != NULL;
}

u64 model_param_get(const struct sim_model *m, const void *params,
		    const struct sim_param *p)
{
	const u8 *base = (const u8 *)params + p->off;

	(void)m;
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

int model_param_set(const struct sim_model *m, void *params, const char *key,
		    const char *val, char *err, size_t errlen)
{
	const struct sim_param *p = param_find(m, key);
	u8 *base;
	u64 v;

	if (!p) {
		snprintf(err, errlen,
			 "model %s has no parameter '%s' (see --list-params)",
			 m->name, key);
		return -EINVAL;
	}
	base = (u8 *)params + p->off;
	if (p->type == SP_BOOL) {
		bool b;

		if (parse_bool(val, &b))
			goto bad;
		v = b;
	} else if (parse_size(val, &v) && parse_time(val, 1, &v)) {
		/* a size ("64G") or a time in ns ("2us", "1.5ms") */
		goto bad;
	}
	switch (p->size) {
	case 1:
		if (v > 0xff)
			goto bad;
		*(u8 *)base = (u8)v;
		break;
	case 2:
		if (v > 0xffff)
			goto bad;
		*(u16 *)base = (u16)v;
		break;
	case 4:
		if (v > U32_MAX)
			goto bad;
		*(u32 *)base = (u32)v;
		break;
	default:
		*(u64 *)base = v;
		break;
	}
	return 0;
bad:
	snprintf(err, errlen, "bad value for %s parameter %s: '%s'", m->name,
		 key, val);
	return -EINVAL;
}

void model_print_params(FILE *f, const struct sim_model *m)
{
	void *def = xcalloc(1, m->params_size);
	unsigned int i;

	m->defaults(def);
	fprintf(f, "model %s: %s\n", m->name, m->desc);
	for (i = 0; i < m->nr_params; i++) {
		const struct sim_param *p = &m->params[i];

		fprintf(f, "  %-22s %12llu  %s\n", p->name,
			(unsigned long long)model_param_get(m, def, p),
			p->help);
	}
	if (m->capacity_param)
		fprintf(f, "  (--capacity sets %s; default: the workload "
			"span)\n", m->capacity_param);
	free(def);
}
