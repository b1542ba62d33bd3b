// SPDX-License-Identifier: GPL-2.0-only
/*
 * job.c - nvmev-sim workload keys and job files.
 *
 * The same keys work on the command line ("rw=randread", "--rw=randread",
 * "--rw randread") and in job files:
 *
 *	# comment
 *	[global]
 *	bs=4k
 *	size=256M
 *	[fill]
 *	rw=write
 *	[overwrite]
 *	rw=randwrite
 *	io_size=512M
 *
 * Each section after [global] is a job; by default each job is a phase of
 * its own and phases run one after the other (stonewall).  "concurrent=1"
 * (or "stonewall=0") makes a job run alongside the job before it.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

enum job_key_id {
	K_NAME,
	K_RW,
	K_RWMIXREAD,
	K_RWMIXWRITE,
	K_BS,
	K_IODEPTH,
	K_SIZE,
	K_OFFSET,
	K_OFFSET_INCREMENT,
	K_IO_SIZE,
	K_NUMBER_IOS,
	K_RUNTIME,
	K_NUMJOBS,
	K_FUA,
	K_FLUSH_EVERY,
	K_SEED,
	K_TRIM_RATIO,
	K_THINKTIME,
	K_STARTDELAY,
	K_STONEWALL,
	K_CONCURRENT,
	K_TRACE,
	K_RUH,
	K_RG,
};

struct job_key {
	const char *name;
	enum job_key_id id;
	bool flag;		/* may be given without "=value" */
	const char *help;
};

static const struct job_key job_keys[] = {
	{ "name", K_NAME, false, "job name (default: section or job<N>)" },
	{ "rw", K_RW, false, "read write randread randwrite readwrite randrw "
	  "trim randtrim (default randread)" },
	{ "readwrite", K_RW, false, NULL },
	{ "rwmixread", K_RWMIXREAD, false,
	  "percent reads in readwrite/randrw (default 50)" },
	{ "rwmixwrite", K_RWMIXWRITE, false, "100 - rwmixread" },
	{ "bs", K_BS, false, "block size, bytes, K/M/G suffixes (default 4k)" },
	{ "blocksize", K_BS, false, NULL },
	{ "iodepth", K_IODEPTH, false,
	  "outstanding commands of this job (default 1)" },
	{ "size", K_SIZE, false,
	  "span the job addresses (default: --capacity, else 1G)" },
	{ "offset", K_OFFSET, false, "start of the span (default 0)" },
	{ "offset_increment", K_OFFSET_INCREMENT, false,
	  "numjobs clone i starts at offset + i * this (default 0)" },
	{ "io_size", K_IO_SIZE, false,
	  "bytes to transfer (default: size, unless number_ios/runtime)" },
	{ "io_limit", K_IO_SIZE, false, NULL },
	{ "number_ios", K_NUMBER_IOS, false,
	  "data commands to issue (flushes not counted)" },
	{ "runtime", K_RUNTIME, false,
	  "virtual time to issue for; bare number = s; ns/us/ms/s" },
	{ "numjobs", K_NUMJOBS, false,
	  "clones of this job running concurrently (default 1)" },
	{ "fua", K_FUA, true, "writes carry Force Unit Access (default 0)" },
	{ "flush_every", K_FLUSH_EVERY, false,
	  "issue a flush after every N writes (default 0: never)" },
	{ "seed", K_SEED, false, "random seed (default 1)" },
	{ "randseed", K_SEED, false, NULL },
	{ "trim_ratio", K_TRIM_RATIO, false,
	  "percent of commands that are trims instead (default 0)" },
	{ "thinktime", K_THINKTIME, false,
	  "pause of a slot after each completion; bare = us; ns/us/ms/s" },
	{ "startdelay", K_STARTDELAY, false,
	  "delay from phase start; bare = s; ns/us/ms/s" },
	{ "stonewall", K_STONEWALL, true,
	  "1: wait for all earlier jobs (start a new phase)" },
	{ "wait_for_previous", K_STONEWALL, true, NULL },
	{ "concurrent", K_CONCURRENT, true,
	  "1: run alongside the job before (same phase)" },
	{ "trace", K_TRACE, false,
	  "replay this trace file instead of generating commands" },
	{ "ruh", K_RUH, false, "FDP: writes go to this reclaim unit handle "
	  "(default: no placement, handle 0)" },
	{ "rg", K_RG, false, "FDP: writes go to this reclaim group "
	  "(default: no placement, the device's choice; 0 with ruh=)" },
};

#define NR_JOB_KEYS	(sizeof(job_keys) / sizeof(job_keys[0]))

static const char *const rw_names[] = {
	[RW_READ] = "read",
	[RW_WRITE] = "write",
	[RW_RANDREAD] = "randread",
	[RW_RANDWRITE] = "randwrite",
	[RW_READWRITE] = "readwrite",
	[RW_RANDRW] = "randrw",
	[RW_TRIM] = "trim",
	[RW_RANDTRIM] = "randtrim",
};

const char *rw_name(enum sim_rw rw)
{
	return rw_names[rw];
}

static const struct job_key *job_key_find(const char *key)
{
	unsigned int i;

	for (i = 0; i < NR_JOB_KEYS; i++)
		if (!strcmp(job_keys[i].name, key))
			return &job_keys[i];
	return NULL;
}

bool job_key_known(const char *key)
{
	return job_key_find(key) != NULL;
}

bool job_key_is_flag(const char *key)
{
	const struct job_key *k = job_key_find(key);

	return k && k->flag;
}

void job_print_keys(FILE *f)
{
	unsigned int i;

	for (i = 0; i < NR_JOB_KEYS; i++) {
		const struct job_key *k = &job_keys[i];

		unsigned int a;

		if (k->help) {
			fprintf(f, "  %-18s %s\n", k->name, k->help);
			continue;
		}
		for (a = 0; job_keys[a].id != k->id; a++)
			;
		fprintf(f, "  %-18s same as %s\n", k->name, job_keys[a].name);
	}
}

void job_defaults(struct job_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->rw = RW_RANDREAD;
	s->rwmixread = 50;
	s->bs = 4096;
	s->iodepth = 1;
	s->numjobs = 1;
	s->seed = 1;
	s->stonewall = -1;
	s->rg = MODEL_RG_ANY;	/* no placement: the device's choice */
}

static int percent(const char *val, u32 *out)
{
	u64 v;

	if (parse_u64(val, &v) || v > 100)
		return -EINVAL;
	*out = (u32)v;
	return 0;
}

static int u32_range(const char *val, u32 min, u32 max, u32 *out)
{
	u64 v;

	if (parse_u64(val, &v) || v < min || v > max)
		return -EINVAL;
	*out = (u32)v;
	return 0;
}

int job_apply(struct job_spec *s, const char *key, const char *val,
	      char *err, size_t errlen)
{
	const struct job_key *k = job_key_find(key);
	bool b;
	int ret = 0;
	unsigned int i;

	if (!k) {
		snprintf(err, errlen, "unknown key '%s' (see --help)", key);
		return -EINVAL;
	}
	switch (k->id) {
	case K_NAME:
		if (!*val || strlen(val) >= sizeof(s->name)) {
			ret = -EINVAL;
			break;
		}
		strcpy(s->name, val);
		break;
	case K_RW:
		ret = -EINVAL;
		for (i = 0; i < sizeof(rw_names) / sizeof(rw_names[0]); i++) {
			if (!strcmp(val, rw_names[i])) {
				s->rw = (enum sim_rw)i;
				ret = 0;
			}
		}
		if (!strcmp(val, "rw")) {
			s->rw = RW_READWRITE;
			ret = 0;
		}
		break;
	case K_RWMIXREAD:
		ret = percent(val, &s->rwmixread);
		break;
	case K_RWMIXWRITE:
		ret = percent(val, &s->rwmixread);
		if (!ret)
			s->rwmixread = 100 - s->rwmixread;
		break;
	case K_BS:
		ret = parse_size(val, &s->bs);
		if (!ret && (s->bs == 0 || s->bs > (1ULL << 32)))
			ret = -EINVAL;
		break;
	case K_IODEPTH:
		ret = u32_range(val, 1, 65536, &s->iodepth);
		break;
	case K_SIZE:
		ret = parse_size(val, &s->size);
		if (!ret && !s->size)
			ret = -EINVAL;
		break;
	case K_OFFSET:
		ret = parse_size(val, &s->offset);
		break;
	case K_OFFSET_INCREMENT:
		ret = parse_size(val, &s->offset_increment);
		break;
	case K_IO_SIZE:
		ret = parse_size(val, &s->io_size);
		break;
	case K_NUMBER_IOS:
		ret = parse_u64(val, &s->number_ios);
		break;
	case K_RUNTIME:
		ret = parse_time(val, 1000000000ULL, &s->runtime_ns);
		break;
	case K_NUMJOBS:
		ret = u32_range(val, 1, 4096, &s->numjobs);
		break;
	case K_FUA:
		ret = parse_bool(val, &s->fua);
		break;
	case K_FLUSH_EVERY:
		ret = parse_u64(val, &s->flush_every);
		break;
	case K_SEED:
		ret = parse_u64(val, &s->seed);
		break;
	case K_TRIM_RATIO:
		ret = percent(val, &s->trim_ratio);
		break;
	case K_THINKTIME:
		ret = parse_time(val, 1000ULL, &s->thinktime_ns);
		break;
	case K_STARTDELAY:
		ret = parse_time(val, 1000000000ULL, &s->startdelay_ns);
		break;
	case K_STONEWALL:
		ret = parse_bool(val, &b);
		if (!ret)
			s->stonewall = b;
		break;
	case K_CONCURRENT:
		ret = parse_bool(val, &b);
		if (!ret)
			s->stonewall = !b;
		break;
	case K_TRACE:
		free(s->trace);
		s->trace = *val ? xstrdup(val) : NULL;
		break;
	case K_RUH:
		/* placed: a placement identifier names a group, 0 if not rg= */
		ret = u32_range(val, 0, U32_MAX, &s->ruh);
		if (!ret && s->rg == MODEL_RG_ANY)
			s->rg = 0;
		break;
	case K_RG:
		ret = u32_range(val, 0, MODEL_RG_ANY - 1, &s->rg);
		break;
	}
	if (ret)
		snprintf(err, errlen, "bad value for %s: '%s'", key, val);
	return ret;
}

void kv_add(struct kv_list *l, const char *key, const char *val)
{
	if (l->nr == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->keys = xrealloc(l->keys, l->cap * sizeof(*l->keys));
		l->vals = xrealloc(l->vals, l->cap * sizeof(*l->vals));
	}
	l->keys[l->nr] = xstrdup(key);
	l->vals[l->nr] = xstrdup(val);
	l->nr++;
}

void kv_free(struct kv_list *l)
{
	unsigned int i;

	for (i = 0; i < l->nr; i++) {
		free(l->keys[i]);
		free(l->vals[i]);
	}
	free(l->keys);
	free(l->vals);
	memset(l, 0, sizeof(*l));
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	*e = '\0';
	return s;
}

/*
 * Job files: "[name]" starts a section ([global] holds defaults for all
 * jobs), "key=value" or a bare flag key sets a key, lines starting with
 * '#' or ';' are comments, blank lines are ignored.
 */
void job_file_parse(const char *path, const struct job_file_cb *cb,
		    void *ctx)
{
	bool in_global = true, any_job = false;
	unsigned long lineno = 0;
	char buf[4096];
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		die("%s: %s", path, strerror(errno));
	while (fgets(buf, sizeof(buf), f)) {
		char *line, *eq, *key, *val;

		lineno++;
		if (!strchr(buf, '\n') && !feof(f))
			die("%s:%lu: line too long", path, lineno);
		line = trim(buf);
		if (!*line || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			char *end = strchr(line, ']');

			if (!end || end[1])
				die("%s:%lu: bad section header", path,
				    lineno);
			*end = '\0';
			line = trim(line + 1);
			if (!*line || strlen(line) >= SIM_NAME_MAX)
				die("%s:%lu: bad section name", path, lineno);
			in_global = !strcmp(line, "global");
			if (!in_global) {
				cb->section(ctx, line);
				any_job = true;
			}
			continue;
		}
		eq = strchr(line, '=');
		if (eq) {
			*eq = '\0';
			key = trim(line);
			val = trim(eq + 1);
		} else {
			key = line;
			val = "1";
			if (!job_key_is_flag(key))
				die("%s:%lu: '%s' needs a value", path, lineno,
				    key);
		}
		if (!job_key_known(key))
			die("%s:%lu: unknown key '%s'", path, lineno, key);
		if (in_global)
			cb->global(ctx, key, val);
		else
			cb->key(ctx, key, val);
	}
	if (ferror(f))
		die("%s: read error", path);
	fclose(f);
	/* Keys without any job section make one job. */
	if (!any_job)
		cb->section(ctx, NULL);
}
