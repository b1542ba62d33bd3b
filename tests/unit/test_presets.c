// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_presets.c - the preset table of ftl/presets.c: names unique and
 * found by ftl_preset_find(), every row's parameters accepted by its
 * model's own checks (as the kernel checks a namespace before enabling
 * it), and every namespace type with a preset (the kernel's "type" loads
 * the type's first one).
 */
#include "presets.h"
#include "zns_timing.h"
#include "unit.h"

#define MIB	(1024ULL * 1024)
#define GIB	(1024ULL * MIB)

static const char *type_name(enum ftl_preset_type t)
{
	switch (t) {
	case FTL_PRESET_NVM:
		return "nvm";
	case FTL_PRESET_CONV:
		return "conv";
	case FTL_PRESET_ZNS:
		return "zns";
	case FTL_PRESET_KV:
		return "kv";
	}
	return NULL;
}

/* The nvm model's check is in its init (nvm_params_check() is static). */
static int nvm_ok(const struct nvm_params *p)
{
	struct nvm_model m;
	int ret = nvm_model_init(&m, p);

	if (!ret)
		nvm_model_exit(&m);
	return ret;
}

/*
 * The zones and the NAND timing of @pr at @size bytes of LBAs of
 * 1 << @shift bytes, checked as zoned.c's zns_check() does.
 */
static const char *zns_why(const struct ftl_preset *pr, u64 size,
			   unsigned int shift)
{
	struct zns_timing_params tp = { .nand = pr->conv };
	struct zns_params p;
	const char *why;

	why = zns_params_geometry(&p, size >> shift, shift, pr->zns.zone_size,
				  pr->zns.zone_cap, pr->zns.max_open,
				  pr->zns.max_active);
	if (!why)
		why = zns_check_params(&p);
	if (why)
		return why;
	tp.zone_bytes = p.zone_size << shift;
	tp.zone_cap_bytes = p.zone_cap << shift;
	tp.nr_zones = (u32)(p.nr_lbas >> zns_ilog2(p.zone_size));
	tp.stripe_dies = pr->zns.stripe_dies;
	return zns_timing_check_params(&tp);
}

static void test_count(void)
{
	EXPECT_TRUE(ftl_nr_presets > 0);
	/* the kernel's default for a new namespace is the first row */
	EXPECT_TRUE(!strcmp(ftl_presets[0].name, "optane"));
	EXPECT_EQ_INT(ftl_presets[0].type, FTL_PRESET_NVM);
}

static void test_names_unique(void)
{
	unsigned int i, k;

	for (i = 0; i < ftl_nr_presets; i++) {
		const struct ftl_preset *p = &ftl_presets[i];

		if (!p->name || !*p->name || strchr(p->name, ' '))
			FAIL("row %u: the name must be one word", i);
		if (!p->desc || !*p->desc)
			FAIL("%s: no description", p->name);
		if (!type_name(p->type))
			FAIL("%s: type %d", p->name, (int)p->type);
		for (k = 0; k < i; k++)
			if (!strcmp(ftl_presets[k].name, p->name))
				FAIL("%s: rows %u and %u", p->name, k, i);
	}
}

static void test_every_type_has_a_preset(void)
{
	enum ftl_preset_type t;
	unsigned int i;

	for (t = FTL_PRESET_NVM; t <= FTL_PRESET_KV; t++) {
		for (i = 0; i < ftl_nr_presets; i++)
			if (ftl_presets[i].type == t)
				break;
		if (i == ftl_nr_presets)
			FAIL("no preset of type %s", type_name(t));
	}
}

static void test_find(void)
{
	unsigned int i;

	for (i = 0; i < ftl_nr_presets; i++)
		EXPECT_EQ_INT(ftl_preset_find(ftl_presets[i].name), i);
}

static void test_find_unknown(void)
{
	EXPECT_EQ_INT(ftl_preset_find("no-such-preset"), -EINVAL);
	EXPECT_EQ_INT(ftl_preset_find(""), -EINVAL);
	EXPECT_EQ_INT(ftl_preset_find("optane "), -EINVAL);
	EXPECT_EQ_INT(ftl_preset_find("Optane"), -EINVAL);
	EXPECT_EQ_INT(ftl_preset_find("zn"), -EINVAL);
}

/* nvm rows, and the value timing of kv rows. */
static void test_nvm_rows_valid(void)
{
	unsigned int i;

	for (i = 0; i < ftl_nr_presets; i++) {
		const struct ftl_preset *p = &ftl_presets[i];

		if (p->type != FTL_PRESET_NVM && p->type != FTL_PRESET_KV)
			continue;
		if (nvm_ok(&p->nvm))
			FAIL("%s: nvm_model_init refuses the nvm parameters",
			     p->name);
	}
}

/* At the smallest capacity the geometry allows, and at the largest. */
static void test_conv_rows_valid(void)
{
	unsigned int i;

	for (i = 0; i < ftl_nr_presets; i++) {
		struct conv_params c = ftl_presets[i].conv;
		const char *name = ftl_presets[i].name;
		const char *why;

		if (ftl_presets[i].type != FTL_PRESET_CONV)
			continue;
		EXPECT_EQ_U64(c.capacity, 0);	/* the namespace's size */
		c.capacity = conv_min_capacity(&c);
		if (!c.capacity)
			FAIL("%s: conv_min_capacity() = 0", name);
		why = conv_check_params(&c);
		if (why)
			FAIL("%s at %llu bytes: %s", name,
			     (unsigned long long)c.capacity, why);
		c.capacity = CONV_MAX_CAPACITY;
		why = conv_check_params(&c);
		if (why)
			FAIL("%s at 4 TiB: %s", name, why);
	}
}

/* The FDP presets: FDP on, refused below their minimum, exact figures. */
static void test_fdp_rows(void)
{
	static const struct {
		const char *name;
		u64 min;
		u32 rgs, ruhs, persistent;
	} want[] = {
		{ "conv-fdp", 1415581696ULL, 1, 4, 0 },
		{ "tlc-dc-fdp", 2865598464ULL, 2, 4, 1 },
	};
	unsigned int i;

	for (i = 0; i < UNIT_ARRAY_SIZE(want); i++) {
		int k = ftl_preset_find(want[i].name);
		struct conv_params c;

		if (k < 0)
			FAIL("%s: missing", want[i].name);
		c = ftl_presets[k].conv;
		EXPECT_EQ_U64(c.fdp_rgs, want[i].rgs);
		EXPECT_EQ_U64(c.fdp_ruhs, want[i].ruhs);
		EXPECT_EQ_U64(c.fdp_persistent, want[i].persistent);
		EXPECT_EQ_U64(conv_min_capacity(&c), want[i].min);
		c.capacity = want[i].min - 4096;
		EXPECT_TRUE(conv_check_params(&c) != NULL);
		c.capacity = want[i].min;
		EXPECT_TRUE(conv_check_params(&c) == NULL);
	}
}

/*
 * The SLC caches (conv.h "SLC cache"): exact parameters, none elsewhere,
 * and the cache of a 16 GiB namespace (Ls = 4194304 slots):
 *	qlc: floor(4194304 * 140 / 1000) = 587202 slots / G = 1536 -> 382
 *	tlc-970evoplus: 176160 slots / G = 768 -> 229 groups
 */
static void test_slc_rows(void)
{
	static const struct {
		const char *name;
		u32 pm, prog, read, cap;
	} want[] = {
		{ "qlc", 140, 1900000, 60000, 382 },
		{ "tlc-970evoplus", 42, 850000, 30000, 229 },
	};
	unsigned int i, n = 0;

	for (i = 0; i < ftl_nr_presets; i++)
		if (ftl_presets[i].type == FTL_PRESET_CONV &&
		    ftl_presets[i].conv.slc_cache_pm)
			n++;
	EXPECT_EQ_U64(n, UNIT_ARRAY_SIZE(want));
	for (i = 0; i < UNIT_ARRAY_SIZE(want); i++) {
		int k = ftl_preset_find(want[i].name);
		struct conv_params c;
		struct conv_model m;

		if (k < 0)
			FAIL("%s: missing", want[i].name);
		c = ftl_presets[k].conv;
		EXPECT_EQ_U64(c.slc_cache_pm, want[i].pm);
		EXPECT_EQ_U64(c.slc_prog_ns, want[i].prog);
		EXPECT_EQ_U64(c.slc_read_ns, want[i].read);
		c.capacity = 16ULL << 30;
		EXPECT_EQ_INT(conv_model_init(&m, &c), 0);
		EXPECT_EQ_U64(m.slc_cap, want[i].cap);
		conv_model_exit(&m);
	}
}

/* At 64 GiB (32 zones of the largest preset) with 4 KiB and 512 B LBAs. */
static void test_zns_rows_valid(void)
{
	static const unsigned int shifts[] = { 12, 9 };
	unsigned int i, s;

	for (i = 0; i < ftl_nr_presets; i++) {
		const struct ftl_preset *p = &ftl_presets[i];

		if (p->type != FTL_PRESET_ZNS)
			continue;
		for (s = 0; s < UNIT_ARRAY_SIZE(shifts); s++) {
			const char *why = zns_why(p, 64 * GIB, shifts[s]);

			if (why)
				FAIL("%s, %u-byte LBAs: %s", p->name,
				     1U << shifts[s], why);
		}
	}
}

/* The auto limits resolve to the figures the descriptions give. */
static void test_zns_auto_limits(void)
{
	const struct ftl_preset *p = &ftl_presets[ftl_preset_find("zns")];
	struct zns_params zp;

	EXPECT_EQ_U64(p->zns.max_open, ZNS_LIMIT_AUTO);
	EXPECT_EQ_U64(p->zns.max_active, ZNS_LIMIT_AUTO);
	EXPECT_TRUE(!zns_params_geometry(&zp, GIB >> 12, 12,
					 p->zns.zone_size, p->zns.zone_cap,
					 p->zns.max_open, p->zns.max_active));
	EXPECT_EQ_U64(zp.zone_size << 12, 64 * MIB);
	EXPECT_EQ_U64(zp.max_open, 14);
	EXPECT_EQ_U64(zp.max_active, 14);
}

static void test_kv_rows_valid(void)
{
	static const u64 sizes[] = { MIB, GIB, KV_MAX_REGION };
	unsigned int i, s;

	for (i = 0; i < ftl_nr_presets; i++) {
		const struct ftl_preset *p = &ftl_presets[i];

		if (p->type != FTL_PRESET_KV)
			continue;
		for (s = 0; s < UNIT_ARRAY_SIZE(sizes); s++) {
			const char *why = kv_check_params(&p->kv.store,
							  sizes[s]);

			if (why)
				FAIL("%s at %llu bytes: %s", p->name,
				     (unsigned long long)sizes[s], why);
		}
	}
}

/*
 * optane is the Intel Optane SSD P5800X (nvm.h, docs/presets.md):
 * NVMeVirt's media timing (the nvm defaults, the module's parameters)
 * plus the controller's command rate; the nvm-zero, nvm-slow and kv
 * rows have no command-rate limit, so they keep their exact timing.
 */
static void test_optane_p5800x(void)
{
	const struct nvm_params *o;
	struct nvm_params d;
	unsigned int i;
	int k = ftl_preset_find("optane");

	EXPECT_TRUE(k >= 0);
	if (k < 0)
		return;
	o = &ftl_presets[k].nvm;
	nvm_params_default(&d);
	EXPECT_EQ_U64(o->read_delay, d.read_delay);
	EXPECT_EQ_U64(o->read_time, d.read_time);
	EXPECT_EQ_U64(o->read_trailing, d.read_trailing);
	EXPECT_EQ_U64(o->write_delay, d.write_delay);
	EXPECT_EQ_U64(o->write_time, d.write_time);
	EXPECT_EQ_U64(o->write_trailing, d.write_trailing);
	EXPECT_EQ_U64(o->nr_units, 16);
	EXPECT_EQ_U64(o->unit_size, 4096);
	EXPECT_EQ_U64(o->cache_kib, 0);
	EXPECT_EQ_U64(o->cmd_read_ns, 667);	/* 10^9 / 1.5 M, rounded up */
	EXPECT_EQ_U64(o->cmd_write_ns, 741);	/* 10^9 / 1.35 M, rounded up */
	EXPECT_EQ_U64(d.cmd_read_ns, 0);
	EXPECT_EQ_U64(d.cmd_write_ns, 0);
	for (i = 0; i < ftl_nr_presets; i++) {
		const struct ftl_preset *p = &ftl_presets[i];

		if ((int)i == k || (p->type != FTL_PRESET_NVM &&
				    p->type != FTL_PRESET_KV))
			continue;
		if (p->nvm.cmd_read_ns || p->nvm.cmd_write_ns)
			FAIL("%s: a command-rate limit", p->name);
	}
}

static const struct unit_test tests[] = {
	UNIT_TEST(count),
	UNIT_TEST(names_unique),
	UNIT_TEST(every_type_has_a_preset),
	UNIT_TEST(find),
	UNIT_TEST(find_unknown),
	UNIT_TEST(nvm_rows_valid),
	UNIT_TEST(conv_rows_valid),
	UNIT_TEST(fdp_rows),
	UNIT_TEST(slc_rows),
	UNIT_TEST(zns_rows_valid),
	UNIT_TEST(zns_auto_limits),
	UNIT_TEST(kv_rows_valid),
	UNIT_TEST(optane_p5800x),
};

int main(int argc, char **argv)
{
	return unit_main("unit/presets/", tests, UNIT_ARRAY_SIZE(tests),
			 argc, argv);
}
