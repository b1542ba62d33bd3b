/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sim.h - nvmev-sim: run a workload through an nvmev timing model in
 * virtual time.  Shared declarations of the simulator's parts:
 *
 *   util.c    number parsing (sizes, times), the LCG, small helpers
 *   job.c     workload keys, job files, command generation
 *   trace.c   trace files
 *   models.c  model table and the key -> parameter field mapping
 *   engine.c  the event loop (min-heap of events in virtual time)
 *   report.c  latency statistics, human table and JSON output
 *   main.c    command line
 */
#ifndef _NVMEV_SIM_H
#define _NVMEV_SIM_H

#include <stdio.h>

#include "model.h"
#include "presets.h"

#define SIM_NAME_MAX	64

/* ----------------------------------------------------------------- util */

void die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
					       noreturn));
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);

int parse_u64(const char *s, u64 *out);
int parse_size(const char *s, u64 *out);
int parse_time(const char *s, u64 unit_ns, u64 *out);
int parse_bool(const char *s, bool *out);

static inline u64 add_sat(u64 a, u64 b)
{
	u64 r;

	return __builtin_add_overflow(a, b, &r) ? U64_MAX : r;
}

/* Deterministic pseudo-random numbers: a 64-bit LCG. */
struct sim_rng {
	u64 state;
};

void rng_seed(struct sim_rng *r, u64 seed, u64 stream);
u64 rng_next(struct sim_rng *r);
u64 rng_below(struct sim_rng *r, u64 n);

/* ----------------------------------------------------------------- jobs */

enum sim_rw {
	RW_READ,
	RW_WRITE,
	RW_RANDREAD,
	RW_RANDWRITE,
	RW_READWRITE,
	RW_RANDRW,
	RW_TRIM,
	RW_RANDTRIM,
};

/* One job as described by the user (before numjobs cloning). */
struct job_spec {
	char name[SIM_NAME_MAX];
	enum sim_rw rw;
	u32 rwmixread;		/* percent of reads in read/write mixes */
	u32 trim_ratio;		/* percent of commands that are trims */
	u64 bs;
	u32 iodepth;
	u64 size;		/* span; 0 = not set (default capacity) */
	u64 offset;
	u64 offset_increment;
	u64 io_size;		/* 0 = not set */
	u64 number_ios;		/* 0 = not set */
	u64 runtime_ns;		/* 0 = not set */
	u32 numjobs;
	bool fua;
	u64 flush_every;	/* 0 = never */
	u64 seed;
	u64 thinktime_ns;
	u64 startdelay_ns;
	int stonewall;		/* 1: new phase, 0: join, -1: by origin */
	u32 ruh;		/* FDP placement of every write: handle, */
	u32 rg;			/* reclaim group (MODEL_RG_ANY: no placement) */
	char *trace;		/* trace file, or NULL */
	/* trace prescan results */
	u64 trace_cmds;
	u64 trace_end;		/* largest offset + len in the trace */
};

/* Raw "key=value" settings, applied in order by job_materialize(). */
struct kv_list {
	char **keys;
	char **vals;
	unsigned int nr;
	unsigned int cap;
};

void kv_add(struct kv_list *l, const char *key, const char *val);
void kv_free(struct kv_list *l);

/* A job still in raw form, as read from the command line or a job file. */
struct job_raw {
	char name[SIM_NAME_MAX];
	struct kv_list kv;
	bool new_phase;		/* --phase or a [section] */
};

bool job_key_known(const char *key);
bool job_key_is_flag(const char *key);
void job_defaults(struct job_spec *s);
int job_apply(struct job_spec *s, const char *key, const char *val,
	      char *err, size_t errlen);
void job_print_keys(FILE *f);
const char *rw_name(enum sim_rw rw);

struct job_file_cb {
	void (*global)(void *ctx, const char *key, const char *val);
	void (*section)(void *ctx, const char *name);
	void (*key)(void *ctx, const char *key, const char *val);
};

void job_file_parse(const char *path, const struct job_file_cb *cb,
		    void *ctx);

/* A command ready to be issued. */
struct sim_cmd {
	enum model_op op;
	u64 offset;
	u64 len;
	bool fua;
	u16 ruh;		/* writes: FDP placement (model_req ruh, rg) */
	u16 rg;
	u64 not_before;		/* absolute virtual time, ns */
};

/* ---------------------------------------------------------------- trace */

struct trace_reader {
	FILE *f;
	const char *path;
	unsigned long line;
	u16 ruh;		/* placement of W lines without tokens */
	u16 rg;
};

struct sim_model;

/*
 * Count the commands of trace @path and its largest offset + len; every
 * line's placement (ruh=N rg=N tokens, else @ruh, @rg) is checked with
 * place_check() against model @m with @params.
 */
void trace_prescan(const char *path, u64 *nr_cmds, u64 *max_end,
		   const struct sim_model *m, const void *params, u32 ruh,
		   u32 rg);
void trace_open(struct trace_reader *tr, const char *path, u32 ruh, u32 rg);
/* Returns false at the end of the file. not_before is relative (or 0). */
bool trace_next(struct trace_reader *tr, struct sim_cmd *c, bool *timed);
void trace_close(struct trace_reader *tr);

/* --------------------------------------------------------------- models */

enum sim_param_type {
	SP_UINT,
	SP_BOOL,
};

/* One field of a model's parameter struct; arrays have count > 1. */
struct sim_param {
	const char *name;
	size_t off;
	size_t size;		/* of one element: 1, 2, 4 or 8 */
	unsigned int count;
	enum sim_param_type type;
	const char *help;
};

struct sim_preset {
	const char *name;
	const char *desc;
	const void *params;
};

struct sim_model {
	const char *name;
	const char *desc;
	const struct model_ops *ops;
	size_t params_size;
	void (*defaults)(void *params);
	const struct sim_param *params;
	unsigned int nr_params;
	/*
	 * Its presets: the rows of @preset_type of the shared table
	 * (ftl/presets.c), in table order, with the parameters from_preset()
	 * makes of a row.  models.c fills presets and nr_presets before the
	 * first model_*() or preset_find() returns.
	 */
	enum ftl_preset_type preset_type;
	void (*from_preset)(void *params, const struct ftl_preset *p);
	const struct sim_preset *presets;
	unsigned int nr_presets;
	/* Name of the parameter --capacity sets, or NULL. */
	const char *capacity_param;
	u64 capacity_align;
	/* Optional: why @params are refused, or NULL. */
	const char *(*check)(const void *params);
	/* Optional: smallest capacity the model accepts with @params. */
	u64 (*min_capacity)(const void *params);
	/* Optional: bytes the instance allocated. */
	size_t (*meta_bytes)(const void *priv);
	/*
	 * Optional: replace automatic values in @params by what the model
	 * will use (once the capacity is set), so the output shows them.
	 */
	void (*resolve)(void *params);
	/*
	 * Optional: why job @s cannot run on the model with @params (a
	 * message written to @buf), or NULL.
	 */
	const char *(*check_job)(const void *params,
				 const struct job_spec *s, char *buf,
				 size_t len);
	/*
	 * Optional, models with Flexible Data Placement: the reclaim unit
	 * handles and reclaim groups @params configure (*rgs = 0: FDP off)
	 * and the bytes of one erase block (the unit model_stats.erases
	 * counts); the instance's reclaim unit size (bytes) and the bytes
	 * handle @ruh can still write into its current reclaim unit in @rg.
	 */
	void (*fdp_config)(const void *params, u32 *ruhs, u32 *rgs,
			   u64 *block_bytes);
	u64 (*fdp_ru_bytes)(const void *priv);
	u64 (*fdp_ru_avail)(const void *priv, u32 ruh, u32 rg);
};

const struct sim_model *model_find(const char *name);
const struct sim_model *model_at(unsigned int i);
const struct sim_preset *preset_find(const char *name,
				     const struct sim_model **model);
void model_list(FILE *f);
int model_param_set(const struct sim_model *m, void *params, const char *key,
		    const char *val, char *err, size_t errlen);
u64 model_param_get(const void *params, const struct sim_param *p,
		    unsigned int idx);
void model_param_format(const void *params, const struct sim_param *p,
			char *buf, size_t len, bool json);
void model_print_params(FILE *f, const struct sim_model *m,
			const void *params, const char *preset);
/*
 * Why writes cannot go to handle @ruh in reclaim group @rg on model @m
 * with @params (a message in @buf), or NULL (0, 0 always can).
 */
const char *place_check(const struct sim_model *m, const void *params,
			u32 ruh, u32 rg, char *buf, size_t len);

/* ---------------------------------------------------------------- stats */

enum sim_op_kind {
	OPK_READ,
	OPK_WRITE,
	OPK_TRIM,
	OPK_FLUSH,
	OPK_NR,
};

struct lat_stats {
	u64 ops;
	u64 bytes;
	u64 sum;
	u64 min;
	u64 max;
	u64 *lat;		/* every latency, ns */
	u64 cap;
};

/* The media's health at one point of a run (--health-every). */
struct health_row {
	u64 time;		/* virtual ns: the fetch of the write after which */
	bool read_only_event;	/* the write that made the media read only */
	struct model_stats st;
	struct model_health h;
};

struct phase_result {
	char name[SIM_NAME_MAX];
	unsigned int index;
	unsigned int nr_jobs;	/* after numjobs cloning */
	u64 start;		/* virtual ns */
	u64 end;		/* last completion */
	struct lat_stats op[OPK_NR];
	bool have_stats;
	struct model_stats before;
	struct model_stats after;
	/* models with a health op */
	bool have_health;
	struct model_health health;	/* at the end of the phase */
	u64 refused_writes;	/* writes refused: the media was read only */
	u64 read_errors;	/* reads that returned an unrecovered error */
	struct health_row *rows;	/* --health-every */
	u64 nr_rows;
	u64 cap_rows;
	/* models with FDP on: ru_avail[rg * fdp_ruhs + ruh] at the end */
	u32 fdp_ruhs;		/* 0: FDP off */
	u32 fdp_rgs;
	u64 *ru_avail;
};

void lat_reserve(struct lat_stats *l, u64 n);
void lat_grow(struct lat_stats *l);
void lat_free(struct lat_stats *l);

static inline void lat_add(struct lat_stats *l, u64 lat, u64 bytes)
{
	if (l->ops == l->cap)
		lat_grow(l);
	l->lat[l->ops++] = lat;
	l->bytes += bytes;
	l->sum += lat;
	if (lat < l->min || l->ops == 1)
		l->min = lat;
	if (lat > l->max)
		l->max = lat;
}

/* --------------------------------------------------------------- engine */

struct sim_config {
	const struct sim_model *model;
	const char *preset;	/* NULL: the model's defaults */
	void *params;
	size_t meta_bytes;	/* model instance memory, 0: unknown */
	u32 fdp_ruhs;		/* FDP handles and reclaim groups, */
	u32 fdp_rgs;		/* 0, 0: FDP off (or no FDP) */
	u64 fdp_ru_bytes;	/* reclaim unit size */
	u64 fdp_block_bytes;	/* bytes of an erase block (MBE) */
	u64 capacity;		/* 0 = not known */
	u64 host_overhead_ns;
	u64 health_every;	/* --health-every: bytes written, 0 = off */
	FILE *log;		/* --log: every command, or NULL */
};

struct sim_phase {
	struct job_spec **jobs;	/* the specs in this phase */
	unsigned int nr_jobs;
};

/*
 * Run one phase starting at virtual time @start on the model instance
 * @priv.  @ordinal is the number of cloned jobs in earlier phases (it
 * makes every job's random stream distinct).
 */
void engine_run_phase(const struct sim_config *cfg, void *priv,
		      const struct sim_phase *ph, u64 start,
		      unsigned int ordinal, struct phase_result *res);

/* --------------------------------------------------------------- report */

struct report_ctx {
	const struct sim_config *cfg;
	bool json;
	bool volatile_cache;
	unsigned int nr_phases;
	struct health_row last_row;	/* --health-every: the last printed */
	bool have_row;
};

void report_begin(struct report_ctx *r, FILE *f);
void report_phase(struct report_ctx *r, FILE *f, struct phase_result *res);
void report_end(struct report_ctx *r, FILE *f);

#endif /* _NVMEV_SIM_H */
