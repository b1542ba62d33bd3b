// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - nvmev-sim command line.  See README.md and --help.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sim.h"

struct cli {
	const char *model_name;
	struct kv_list params;		/* --param key=value */
	u64 capacity;			/* --capacity, 0: not given */
	u64 host_overhead_ns;
	u64 health_every;		/* --health-every, 0: not given */
	bool json;
	bool timing;
	bool list_params;
	const char *preset;
	const char *log_path;

	struct kv_list file_globals;	/* [global] of job files */
	struct kv_list cli_globals;	/* keys before any --phase/--job */
	struct job_raw *raw;
	unsigned int nr_raw;
	unsigned int cap_raw;
	bool from_file[4096];		/* raw job i came from a job file */
	struct kv_list *cur;		/* where command-line keys go */
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: nvmev-sim [options] [key=value ...] [JOBFILE ...]\n"
"               [--phase[=NAME] key=value ...] [--job[=NAME] key=value ...]\n"
"\n"
"Runs a workload through an nvmev timing model in virtual time and prints\n"
"IOPS, bandwidth and exact latency percentiles per phase.\n"
"\n"
"options:\n"
"  --model NAME          timing model (default nvm); models:\n");
	model_list(f);
	fprintf(f,
"  --param KEY=VALUE     model parameter (repeatable; see --list-params)\n"
"  --capacity SIZE       device capacity for models that have one (conv,\n"
"                        zns); default: the largest offset + size of any job\n"
"  --preset NAME         start from a preset's parameters (implies its model)\n"
"  --list-params         print the model's parameters and defaults, exit\n"
"  --job-file FILE       jobs from an ini-like file (also: a bare FILE)\n"
"  --trace FILE          replay FILE (same as trace=FILE)\n"
"  --phase[=NAME]        start a new job that runs after all jobs before it\n"
"  --job[=NAME]          start a new job that runs alongside the one before\n"
"  --host-overhead-ns N  time from submission to device fetch (default 0)\n"
"  --health-every SIZE   models with wear (conv): a row of media health\n"
"                        (Percentage Used, spare, retired blocks, read\n"
"                        only) each SIZE of host writes\n"
"  --log FILE            write every command to FILE as a trace line with\n"
"                        its fetch, completion and latency as a comment\n"
"  --json                JSON output\n"
"  --timing              print wall-clock time to stderr\n"
"  --help                this text\n"
"\n"
"workload keys (KEY=VALUE, --KEY=VALUE or --KEY VALUE); keys before the\n"
"first --phase/--job apply to every job:\n");
	job_print_keys(f);
	fprintf(f,
"\n"
"trace lines: <time_ns|-> <R|W|T|F|Z> <offset_bytes> <len_bytes>, '#'\n"
"  comments; W lines may end with ruh=N and/or rg=N\n"
"  (FDP placement; default: the job's ruh and rg keys)\n");
}

static void add_raw(struct cli *c, const char *name, bool new_phase,
		    bool from_file)
{
	struct job_raw *r;

	if (c->nr_raw == sizeof(c->from_file) / sizeof(c->from_file[0]))
		die("too many jobs");
	if (c->nr_raw == c->cap_raw) {
		c->cap_raw = c->cap_raw ? 2 * c->cap_raw : 8;
		c->raw = xrealloc(c->raw, c->cap_raw * sizeof(*c->raw));
	}
	r = &c->raw[c->nr_raw];
	memset(r, 0, sizeof(*r));
	if (name) {
		if (!*name || strlen(name) >= sizeof(r->name))
			die("bad job name '%s'", name);
		strcpy(r->name, name);
	}
	r->new_phase = new_phase;
	c->from_file[c->nr_raw] = from_file;
	c->nr_raw++;
}

static void file_global(void *ctx, const char *key, const char *val)
{
	struct cli *c = ctx;

	kv_add(&c->file_globals, key, val);
}

static void file_section(void *ctx, const char *name)
{
	add_raw(ctx, name, true, true);
}

static void file_key(void *ctx, const char *key, const char *val)
{
	struct cli *c = ctx;

	kv_add(&c->raw[c->nr_raw - 1].kv, key, val);
}

static const struct job_file_cb file_cb = {
	.global = file_global,
	.section = file_section,
	.key = file_key,
};

/* "--opt=value" or "--opt value": the value, advancing *i if needed. */
static const char *opt_value(int argc, char **argv, int *i, const char *opt)
{
	const char *a = argv[*i];
	size_t n = strlen(opt);

	if (a[n] == '=')
		return a + n + 1;
	if (*i + 1 >= argc)
		die("%s needs a value", opt);
	return argv[++*i];
}

static bool is_opt(const char *a, const char *opt)
{
	size_t n = strlen(opt);

	return !strncmp(a, opt, n) && (a[n] == '\0' || a[n] == '=');
}

static void add_key(struct cli *c, const char *key, const char *val)
{
	if (!job_key_known(key))
		die("unknown workload key '%s' (see --help)", key);
	kv_add(c->cur, key, val);
}

static void parse_args(struct cli *c, int argc, char **argv)
{
	int i;

	c->cur = &c->cli_globals;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v, *eq;
		char key[128];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		} else if (is_opt(a, "--model")) {
			c->model_name = opt_value(argc, argv, &i, "--model");
		} else if (is_opt(a, "--param")) {
			v = opt_value(argc, argv, &i, "--param");
			eq = strchr(v, '=');
			if (!eq || eq == v || (size_t)(eq - v) >= sizeof(key))
				die("--param wants KEY=VALUE, not '%s'", v);
			memcpy(key, v, eq - v);
			key[eq - v] = '\0';
			kv_add(&c->params, key, eq + 1);
		} else if (is_opt(a, "--capacity")) {
			v = opt_value(argc, argv, &i, "--capacity");
			if (parse_size(v, &c->capacity) || !c->capacity)
				die("bad --capacity '%s'", v);
		} else if (is_opt(a, "--preset")) {
			c->preset = opt_value(argc, argv, &i, "--preset");
		} else if (!strcmp(a, "--list-params")) {
			c->list_params = true;
		} else if (is_opt(a, "--job-file")) {
			job_file_parse(opt_value(argc, argv, &i, "--job-file"),
				       &file_cb, c);
		} else if (is_opt(a, "--trace")) {
			add_key(c, "trace", opt_value(argc, argv, &i,
						      "--trace"));
		} else if (is_opt(a, "--phase") || is_opt(a, "--job")) {
			bool phase = a[2] == 'p';
			const char *name = strchr(a, '=');

			add_raw(c, name ? name + 1 : NULL, phase, false);
			c->cur = &c->raw[c->nr_raw - 1].kv;
		} else if (is_opt(a, "--host-overhead-ns")) {
			v = opt_value(argc, argv, &i, "--host-overhead-ns");
			if (parse_time(v, 1, &c->host_overhead_ns))
				die("bad --host-overhead-ns '%s'", v);
		} else if (is_opt(a, "--health-every")) {
			v = opt_value(argc, argv, &i, "--health-every");
			if (parse_size(v, &c->health_every) ||
			    !c->health_every)
				die("bad --health-every '%s'", v);
		} else if (is_opt(a, "--log")) {
			c->log_path = opt_value(argc, argv, &i, "--log");
		} else if (!strcmp(a, "--json")) {
			c->json = true;
		} else if (!strcmp(a, "--timing")) {
			c->timing = true;
		} else if (a[0] == '-' && a[1] == '-') {
			/* --key=value, --key value, or --flag */
			a += 2;
			eq = strchr(a, '=');
			if (eq) {
				if ((size_t)(eq - a) >= sizeof(key))
					die("unknown option '%s'", argv[i]);
				memcpy(key, a, eq - a);
				key[eq - a] = '\0';
				v = eq + 1;
			} else {
				if (strlen(a) >= sizeof(key))
					die("unknown option '%s'", argv[i]);
				strcpy(key, a);
				if (!job_key_known(key))
					die("unknown option '%s' (see --help)",
					    argv[i]);
				if (job_key_is_flag(key))
					v = "1";
				else if (i + 1 < argc)
					v = argv[++i];
				else
					die("%s needs a value", argv[i]);
			}
			if (!job_key_known(key))
				die("unknown option '%s' (see --help)",
				    argv[i]);
			add_key(c, key, v);
		} else if ((eq = strchr(a, '='))) {
			if ((size_t)(eq - a) >= sizeof(key))
				die("unknown workload key in '%s'", a);
			memcpy(key, a, eq - a);
			key[eq - a] = '\0';
			add_key(c, key, eq + 1);
		} else if (a[0] == '-' && a[1]) {
			die("unknown option '%s' (see --help)", a);
		} else {
			job_file_parse(a, &file_cb, c);
		}
	}
}

static void apply_list(struct job_spec *s, const struct kv_list *l,
		       const char *where)
{
	char err[256];
	unsigned int i;

	for (i = 0; i < l->nr; i++)
		if (job_apply(s, l->keys[i], l->vals[i], err, sizeof(err)))
			die("%s: %s", where, err);
}

/* Build the job specs and group them into phases. */
static struct job_spec *build_jobs(struct cli *c, unsigned int *nr_jobs,
				   struct sim_phase **phases,
				   unsigned int *nr_phases)
{
	struct job_spec *specs;
	struct sim_phase *ph;
	unsigned int i, n;

	if (!c->nr_raw)
		add_raw(c, NULL, true, false);
	n = c->nr_raw;
	specs = xcalloc(n, sizeof(*specs));
	ph = xcalloc(n, sizeof(*ph));
	*nr_phases = 0;
	for (i = 0; i < n; i++) {
		struct job_spec *s = &specs[i];
		struct job_raw *r = &c->raw[i];
		char where[SIM_NAME_MAX + 32];
		bool new_phase;

		job_defaults(s);
		if (r->name[0])
			strcpy(s->name, r->name);
		else
			snprintf(s->name, sizeof(s->name), "job%u", i + 1);
		snprintf(where, sizeof(where), "job '%s'", s->name);
		apply_list(s, &c->file_globals, where);
		if (c->from_file[i]) {
			apply_list(s, &r->kv, where);
			apply_list(s, &c->cli_globals, where);
		} else {
			apply_list(s, &c->cli_globals, where);
			apply_list(s, &r->kv, where);
		}

		new_phase = s->stonewall < 0 ? r->new_phase : s->stonewall;
		if (i == 0 || new_phase) {
			ph[*nr_phases].jobs = xcalloc(n, sizeof(s));
			(*nr_phases)++;
		}
		ph[*nr_phases - 1].jobs[ph[*nr_phases - 1].nr_jobs++] = s;
	}
	*nr_jobs = n;
	*phases = ph;
	return specs;
}

/*
 * Fill in sizes and check every job against the capacity.  Returns the
 * largest byte any job may touch.
 */
static u64 check_jobs(const struct sim_config *cfg, struct job_spec *specs,
		      unsigned int n, u64 capacity)
{
	u64 max_end = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct job_spec *s = &specs[i];
		u64 end, last;

		if (s->trace) {
			trace_prescan(s->trace, &s->trace_cmds,
				      &s->trace_end, cfg->model, cfg->params,
				      s->ruh, s->rg);
			end = s->trace_end;
		} else {
			if (!s->size)
				s->size = capacity > s->offset ?
					  capacity - s->offset : 1ULL << 30;
			if (s->size < s->bs)
				die("job '%s': size %llu is smaller than bs "
				    "%llu", s->name,
				    (unsigned long long)s->size,
				    (unsigned long long)s->bs);
			if (__builtin_mul_overflow((u64)(s->numjobs - 1),
						   s->offset_increment,
						   &last) ||
			    __builtin_add_overflow(last, s->offset, &end) ||
			    __builtin_add_overflow(end, s->size, &end))
				die("job '%s': offset + size overflows",
				    s->name);
		}
		if (capacity && end > capacity)
			die("job '%s' reaches byte %llu, beyond the capacity "
			    "%llu", s->name, (unsigned long long)end,
			    (unsigned long long)capacity);
		if (end > max_end)
			max_end = end;
	}
	return max_end;
}

/* "a", or "a+b+c" for concurrent jobs, cut to fit. */
static void phase_name(const struct sim_phase *ph, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < ph->nr_jobs; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? "+" : "",
				 ph->jobs[i]->name);

		if (n < 0 || (size_t)n >= len - used)
			break;
		used += n;
	}
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const struct sim_param *param_by_name(const struct sim_model *m,
					     const char *name)
{
	unsigned int i;

	for (i = 0; i < m->nr_params; i++)
		if (!strcmp(m->params[i].name, name))
			return &m->params[i];
	return NULL;
}

/* Model, parameters and capacity from the command line and the jobs. */
static void setup_model(struct cli *c, struct sim_config *cfg,
			struct job_spec *specs, unsigned int nr_jobs)
{
	const struct sim_preset *preset = NULL;
	const struct sim_model *pm = NULL;
	bool cap_given = false;
	char err[256];
	unsigned int i;

	if (c->preset) {
		preset = preset_find(c->preset, &pm);
		if (!preset)
			die("unknown preset '%s' (see --help)", c->preset);
		if (c->model_name && strcmp(c->model_name, pm->name))
			die("preset %s is for model %s, not %s", c->preset,
			    pm->name, c->model_name);
		c->model_name = pm->name;
	}
	if (c->list_params && !c->model_name) {
		for (i = 0; model_at(i); i++) {
			const struct sim_model *m = model_at(i);
			void *def = xcalloc(1, m->params_size);

			m->defaults(def);
			model_print_params(stdout, m, def, NULL);
			free(def);
		}
		exit(0);
	}
	cfg->model = model_find(c->model_name ? c->model_name : "nvm");
	if (!cfg->model)
		die("unknown model '%s' (see --help)", c->model_name);
	cfg->params = xcalloc(1, cfg->model->params_size);
	cfg->model->defaults(cfg->params);
	if (preset) {
		memcpy(cfg->params, preset->params, cfg->model->params_size);
		cfg->preset = preset->name;
	}
	for (i = 0; i < c->params.nr; i++) {
		if (model_param_set(cfg->model, cfg->params, c->params.keys[i],
				    c->params.vals[i], err, sizeof(err)))
			die("%s", err);
		if (cfg->model->capacity_param &&
		    !strcmp(c->params.keys[i], cfg->model->capacity_param))
			cap_given = true;
	}
	if (c->list_params) {
		model_print_params(stdout, cfg->model, cfg->params,
				   cfg->preset);
		exit(0);
	}
	for (i = 0; i < nr_jobs; i++) {
		const char *why = place_check(cfg->model, cfg->params,
					      specs[i].ruh, specs[i].rg, err,
					      sizeof(err));

		if (why)
			die("job '%s': %s", specs[i].name, why);
	}

	/*
	 * The capacity: --capacity, else the model's capacity parameter if
	 * given, else (models with a capacity) the largest byte any job
	 * touches, rounded up to the model's granularity.
	 */
	cfg->capacity = c->capacity;
	if (!cfg->capacity && cap_given)
		cfg->capacity = model_param_get(cfg->params,
			param_by_name(cfg->model, cfg->model->capacity_param),
			0);
	if (cfg->capacity) {
		check_jobs(cfg, specs, nr_jobs, cfg->capacity);
	} else {
		u64 span = check_jobs(cfg, specs, nr_jobs, 0);
		u64 align = cfg->model->capacity_align;

		if (cfg->model->capacity_param) {
			if (align > 1 && span % align)
				span += align - span % align;
			cfg->capacity = span;
		}
	}
	if (cfg->model->capacity_param) {
		if (!cfg->capacity)
			die("the workload touches no bytes; give --capacity");
		snprintf(err, sizeof(err), "%llu",
			 (unsigned long long)cfg->capacity);
		if (model_param_set(cfg->model, cfg->params,
				    cfg->model->capacity_param, err, err,
				    sizeof(err)))
			die("%s", err);
	}
	if (cfg->model->resolve)
		cfg->model->resolve(cfg->params);
	for (i = 0; cfg->model->check_job && i < nr_jobs; i++) {
		const char *why = cfg->model->check_job(cfg->params, &specs[i],
							err, sizeof(err));

		if (why)
			die("job '%s': %s", specs[i].name, why);
	}
}

/* Say why init refused the parameters, as precisely as the model can. */
static void __attribute__((noreturn))
init_failed(const struct sim_config *cfg, int ret)
{
	const struct sim_model *m = cfg->model;
	const char *why = m->check ? m->check(cfg->params) : NULL;
	u64 min;

	if (ret == -EINVAL && m->min_capacity && cfg->capacity) {
		min = m->min_capacity(cfg->params);
		if (min && cfg->capacity < min)
			die("model %s: capacity %llu is below the minimum "
			    "%llu for these parameters", m->name,
			    (unsigned long long)cfg->capacity,
			    (unsigned long long)min);
	}
	if (ret == -EINVAL && why)
		die("model %s rejected its parameters: %s", m->name, why);
	die("model %s rejected its parameters: %s", m->name, strerror(-ret));
}

/* FDP on: what each handle can still write into its RU in each RG. */
static void fdp_snapshot(const struct sim_config *cfg, void *priv,
			 struct phase_result *res)
{
	u32 h, r;

	res->fdp_ruhs = cfg->fdp_ruhs;
	res->fdp_rgs = cfg->fdp_rgs;
	res->ru_avail = xcalloc((size_t)cfg->fdp_ruhs * cfg->fdp_rgs,
				sizeof(*res->ru_avail));
	for (r = 0; r < cfg->fdp_rgs; r++)
		for (h = 0; h < cfg->fdp_ruhs; h++)
			res->ru_avail[r * cfg->fdp_ruhs + h] =
				cfg->model->fdp_ru_avail(priv, h, r);
}

int main(int argc, char **argv)
{
	struct cli c = { .model_name = NULL };
	struct sim_config cfg = { 0 };
	struct report_ctx rep = { 0 };
	struct sim_phase *phases;
	struct job_spec *specs;
	unsigned int nr_jobs, nr_phases, i, ordinal = 0;
	double t0, t_all;
	u64 start = 0, total_cmds = 0;
	void *priv;
	int ret;

	parse_args(&c, argc, argv);
	specs = build_jobs(&c, &nr_jobs, &phases, &nr_phases);
	setup_model(&c, &cfg, specs, nr_jobs);
	cfg.host_overhead_ns = c.host_overhead_ns;
	cfg.health_every = c.health_every;

	if (c.log_path) {
		cfg.log = fopen(c.log_path, "w");
		if (!cfg.log)
			die("%s: %s", c.log_path, strerror(errno));
	}

	priv = xcalloc(1, cfg.model->ops->priv_size);
	ret = cfg.model->ops->init(priv, cfg.params);
	if (ret)
		init_failed(&cfg, ret);
	if (cfg.model->meta_bytes)
		cfg.meta_bytes = cfg.model->meta_bytes(priv);
	if (cfg.model->fdp_config) {
		cfg.model->fdp_config(cfg.params, &cfg.fdp_ruhs,
				      &cfg.fdp_rgs, &cfg.fdp_block_bytes);
		if (cfg.fdp_rgs)
			cfg.fdp_ru_bytes = cfg.model->fdp_ru_bytes(priv);
		else
			cfg.fdp_ruhs = 0;
	}

	rep.cfg = &cfg;
	rep.json = c.json;
	rep.nr_phases = nr_phases;
	rep.volatile_cache = cfg.model->ops->volatile_cache &&
			     cfg.model->ops->volatile_cache(priv);
	report_begin(&rep, stdout);

	t_all = wall_now();
	for (i = 0; i < nr_phases; i++) {
		struct phase_result res;
		unsigned int k;

		memset(&res, 0, sizeof(res));
		res.index = i;
		phase_name(&phases[i], res.name, sizeof(res.name));
		if (cfg.model->ops->stats) {
			res.have_stats = true;
			cfg.model->ops->stats(priv, &res.before);
		}
		t0 = wall_now();
		engine_run_phase(&cfg, priv, &phases[i], start, ordinal, &res);
		if (c.timing) {
			u64 n = 0;

			for (k = 0; k < OPK_NR; k++)
				n += res.op[k].ops;
			total_cmds += n;
			fprintf(stderr, "timing: phase %u: %.3f s wall, %.0f "
				"commands/s\n", i + 1, wall_now() - t0,
				n / (wall_now() - t0 + 1e-9));
		}
		if (res.have_stats)
			cfg.model->ops->stats(priv, &res.after);
		if (cfg.fdp_rgs)
			fdp_snapshot(&cfg, priv, &res);
		ordinal += res.nr_jobs;
		start = res.end;
		report_phase(&rep, stdout, &res);
		for (k = 0; k < OPK_NR; k++)
			lat_free(&res.op[k]);
		free(res.rows);
		free(res.ru_avail);
		fflush(stdout);
	}
	report_end(&rep, stdout);
	if (c.timing)
		fprintf(stderr, "timing: total %.3f s wall, %llu commands\n",
			wall_now() - t_all, (unsigned long long)total_cmds);

	if (cfg.log && fclose(cfg.log))
		die("%s: write error", c.log_path);
	cfg.model->ops->exit(priv);
	free(priv);
	free(cfg.params);
	for (i = 0; i < nr_phases; i++)
		free(phases[i].jobs);
	free(phases);
	for (i = 0; i < nr_jobs; i++)
		free(specs[i].trace);
	free(specs);
	for (i = 0; i < c.nr_raw; i++)
		kv_free(&c.raw[i].kv);
	free(c.raw);
	kv_free(&c.params);
	kv_free(&c.file_globals);
	kv_free(&c.cli_globals);
	return ferror(stdout) ? 1 : 0;
}
