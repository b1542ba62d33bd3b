// SPDX-License-Identifier: GPL-2.0-only
/*
 * report.c - nvmev-sim latency statistics and output.
 *
 * Every latency is kept (u64 ns) and sorted at the end of the phase, so the
 * percentiles are exact: the p-th percentile is the nearest-rank value,
 * the smallest latency L such that at least p% of the commands took <= L,
 * i.e. element ceil(n * p / 100) (1-based) of the sorted latencies.
 */
#include <stdio.h>
#include <string.h>

#include "sim.h"

void lat_grow(struct lat_stats *l)
{
	l->cap = l->cap ? 2 * l->cap : 4096;
	l->lat = xrealloc(l->lat, l->cap * sizeof(*l->lat));
}

void lat_free(struct lat_stats *l)
{
	free(l->lat);
	memset(l, 0, sizeof(*l));
}

/*
 * LSD radix sort, 11 bits per pass; passes in which every key has the same
 * digit are skipped, so typical latencies (< 2^33 ns) take three passes.
 */
#define RADIX_BITS	11
#define RADIX_SIZE	(1U << RADIX_BITS)
#define RADIX_PASSES	((64 + RADIX_BITS - 1) / RADIX_BITS)

static void radix_sort(u64 *v, u64 n, u64 *tmp)
{
	static u64 count[RADIX_PASSES][RADIX_SIZE];
	u64 *src = v, *dst = tmp, i;
	unsigned int p;

	memset(count, 0, sizeof(count));
	for (i = 0; i < n; i++)
		for (p = 0; p < RADIX_PASSES; p++)
			count[p][(v[i] >> (p * RADIX_BITS)) &
				 (RADIX_SIZE - 1)]++;
	for (p = 0; p < RADIX_PASSES; p++) {
		unsigned int shift = p * RADIX_BITS, d;
		u64 sum = 0, *t;

		if (count[p][(v[0] >> shift) & (RADIX_SIZE - 1)] == n)
			continue;
		for (d = 0; d < RADIX_SIZE; d++) {
			u64 c = count[p][d];

			count[p][d] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[p][(src[i] >> shift) &
				     (RADIX_SIZE - 1)]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
}

/* Percentiles in units of 1/1000 %, so that 99.9 is exact. */
static const struct {
	const char *json;
	u64 milli;
} pcts[] = {
	{ "p50", 50000 },
	{ "p90", 90000 },
	{ "p99", 99000 },
	{ "p99_9", 99900 },
	{ "p99_99", 99990 },
};

#define NR_PCTS		(sizeof(pcts) / sizeof(pcts[0]))
#define NR_PCTS_TABLE	4	/* the human table stops at p99.9 */

/* Sorted @v of @n > 0 elements. */
static u64 percentile(const u64 *v, u64 n, u64 milli)
{
	unsigned __int128 r = (unsigned __int128)n * milli;
	u64 rank = (u64)(r / 100000) + (r % 100000 ? 1 : 0);

	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}

struct summary {
	u64 ops;
	u64 bytes;
	u64 min;
	u64 max;
	double mean;
	u64 pct[NR_PCTS];
};

static void summarize(const u64 *sorted, u64 n, u64 bytes, u64 sum,
		      struct summary *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->ops = n;
	s->bytes = bytes;
	if (!n)
		return;
	s->min = sorted[0];
	s->max = sorted[n - 1];
	s->mean = (double)sum / (double)n;
	for (i = 0; i < NR_PCTS; i++)
		s->pct[i] = percentile(sorted, n, pcts[i].milli);
}

static const char *const kind_names[OPK_NR] = {
	[OPK_READ] = "read",
	[OPK_WRITE] = "write",
	[OPK_TRIM] = "trim",
	[OPK_FLUSH] = "flush",
};

static double per_sec(u64 v, u64 ns)
{
	return ns ? (double)v * 1e9 / (double)ns : 0.0;
}

/* --------------------------------------------------------------- human */

static void human_row(FILE *f, const char *name, const struct summary *s,
		      u64 elapsed)
{
	unsigned int i;

	fprintf(f, "  %-6s %10llu %11.0f %10.2f", name,
		(unsigned long long)s->ops, per_sec(s->ops, elapsed),
		per_sec(s->bytes, elapsed) / 1e6);
	fprintf(f, " %9.3f", s->mean / 1e3);
	for (i = 0; i < NR_PCTS_TABLE; i++)
		fprintf(f, " %9.3f", (double)s->pct[i] / 1e3);
	fprintf(f, " %9.3f\n", (double)s->max / 1e3);
}

static void stats_delta(const struct model_stats *a,
			const struct model_stats *b, struct model_stats *d)
{
	d->host_read_bytes = b->host_read_bytes - a->host_read_bytes;
	d->host_write_bytes = b->host_write_bytes - a->host_write_bytes;
	d->media_read_bytes = b->media_read_bytes - a->media_read_bytes;
	d->media_write_bytes = b->media_write_bytes - a->media_write_bytes;
	d->erases = b->erases - a->erases;
	d->gc_blocks = b->gc_blocks - a->gc_blocks;
	d->gc_pages = b->gc_pages - a->gc_pages;
	d->gc_foreground = b->gc_foreground - a->gc_foreground;
	d->gc_background = b->gc_background - a->gc_background;
	d->buffer_waits = b->buffer_waits - a->buffer_waits;
}

static void human_stats(FILE *f, const char *what,
			const struct model_stats *d)
{
	fprintf(f, "  %s: host write %.2f MB, media write %.2f MB", what,
		d->host_write_bytes / 1e6, d->media_write_bytes / 1e6);
	if (d->host_write_bytes)
		fprintf(f, ", WAF %.4f",
			(double)d->media_write_bytes / d->host_write_bytes);
	else
		fprintf(f, ", WAF -");
	fprintf(f, "\n  %*s  host read %.2f MB, media read %.2f MB, erases "
		"%llu, GC blocks %llu, GC pages %llu (foreground %llu, "
		"background %llu), buffer waits %llu\n", (int)strlen(what), "",
		d->host_read_bytes / 1e6, d->media_read_bytes / 1e6,
		(unsigned long long)d->erases,
		(unsigned long long)d->gc_blocks,
		(unsigned long long)d->gc_pages,
		(unsigned long long)d->gc_foreground,
		(unsigned long long)d->gc_background,
		(unsigned long long)d->buffer_waits);
}

static double waf_of(u64 media, u64 host)
{
	return host ? (double)media / (double)host : 0.0;
}

static void human_health(FILE *f, const struct phase_result *res)
{
	const struct model_health *h = &res->health;

	fprintf(f, "  health: percent used %u%%, available spare %u%% "
		"(threshold %u%%), read only %s\n", h->percent_used,
		h->avail_spare, h->spare_thresh, h->read_only ? "yes" : "no");
	fprintf(f, "          retired blocks %llu (%llu erase units), erases "
		"per block max %llu avg %llu, read errors %llu (this phase "
		"%llu), refused writes %llu\n",
		(unsigned long long)h->retired_blocks,
		(unsigned long long)h->retired_groups,
		(unsigned long long)h->max_erase,
		(unsigned long long)h->avg_erase,
		(unsigned long long)h->read_errors,
		(unsigned long long)res->read_errors,
		(unsigned long long)res->refused_writes);
}

/*
 * The --health-every rows: host data written, virtual time, WAF since the
 * row before (of this phase or the one before) and since the start, and
 * the health.
 */
static void human_health_rows(struct report_ctx *rc, FILE *f,
			      const struct phase_result *res, u64 every)
{
	const struct health_row *prev = rc->have_row ? &rc->last_row : NULL;
	u64 i;

	fprintf(f, "  health every %.2f MiB of host writes (WAF: since the "
		"row before / since the start):\n", every / 1048576.0);
	fprintf(f, "  %10s %11s %7s %7s %6s %7s %8s %6s %5s %-9s\n",
		"host GiB", "virtual s", "WAF", "total", "used%", "spare%",
		"retired", "maxer", "avger", "read only");
	for (i = 0; i < res->nr_rows; i++) {
		const struct health_row *r = &res->rows[i];
		u64 dh = prev ? r->st.host_write_bytes -
				prev->st.host_write_bytes : 0;

		fprintf(f, "  %10.3f %11.6f", r->st.host_write_bytes /
			(1024.0 * 1024.0 * 1024.0), r->time / 1e9);
		if (dh)
			fprintf(f, " %7.3f", waf_of(r->st.media_write_bytes -
						  prev->st.media_write_bytes,
						  dh));
		else
			fprintf(f, " %7s", "-");
		if (r->st.host_write_bytes)
			fprintf(f, " %7.3f", waf_of(r->st.media_write_bytes,
						  r->st.host_write_bytes));
		else
			fprintf(f, " %7s", "-");
		fprintf(f, " %6u %7u %8llu %6llu %5llu %s\n",
			r->h.percent_used, r->h.avail_spare,
			(unsigned long long)r->h.retired_blocks,
			(unsigned long long)r->h.max_erase,
			(unsigned long long)r->h.avg_erase,
			r->read_only_event ? "yes (now)" :
			r->h.read_only ? "yes" : "no");
		prev = r;
	}
	rc->last_row = *prev;
	rc->have_row = true;
}

/*
 * FDP on: what the device's FDP Statistics log page gives for the counters
 * @d (a phase, or the totals): Host Bytes with Metadata Written (HBMW),
 * Media Bytes with Metadata Written (MBMW) and Media Bytes Erased (MBE,
 * erases count blocks of one plane).  The WAF above is MBMW / HBMW.
 */
static void human_fdp_stats(FILE *f, const char *what,
			    const struct sim_config *c,
			    const struct model_stats *d)
{
	fprintf(f, "  %s HBMW %llu, MBMW %llu, MBE %llu (bytes: host "
		"written, media written, media erased)\n", what,
		(unsigned long long)d->host_write_bytes,
		(unsigned long long)d->media_write_bytes,
		(unsigned long long)(d->erases * c->fdp_block_bytes));
}

/* FDP on: bytes left in each handle's RU per RG at the end of the phase */
static void human_ru_avail(FILE *f, const struct sim_config *c,
			   const struct phase_result *res)
{
	char col[16];
	u32 h, r;

	fprintf(f, "  fdp RU available at the end (bytes each handle can "
		"still write into its reclaim unit; RU %llu bytes):\n",
		(unsigned long long)c->fdp_ru_bytes);
	fprintf(f, "        ");
	for (h = 0; h < res->fdp_ruhs; h++) {
		snprintf(col, sizeof(col), "ruh %u", h);
		fprintf(f, " %12s", col);
	}
	fprintf(f, "\n");
	for (r = 0; r < res->fdp_rgs; r++) {
		fprintf(f, "    rg %-3u", r);
		for (h = 0; h < res->fdp_ruhs; h++)
			fprintf(f, " %12llu", (unsigned long long)
				res->ru_avail[r * res->fdp_ruhs + h]);
		fprintf(f, "\n");
	}
}

/* ---------------------------------------------------------------- json */

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void json_summary(FILE *f, const char *name, const struct summary *s,
			 u64 elapsed, bool last)
{
	unsigned int i;

	fprintf(f, "        \"%s\": {\n", name);
	fprintf(f, "          \"ops\": %llu,\n", (unsigned long long)s->ops);
	fprintf(f, "          \"bytes\": %llu,\n",
		(unsigned long long)s->bytes);
	fprintf(f, "          \"iops\": %.3f,\n", per_sec(s->ops, elapsed));
	fprintf(f, "          \"bw_bytes_per_sec\": %.3f,\n",
		per_sec(s->bytes, elapsed));
	fprintf(f, "          \"mb_per_sec\": %.6f,\n",
		per_sec(s->bytes, elapsed) / 1e6);
	fprintf(f, "          \"lat_ns\": {\"min\": %llu, \"mean\": %.3f",
		(unsigned long long)s->min, s->mean);
	for (i = 0; i < NR_PCTS; i++)
		fprintf(f, ", \"%s\": %llu", pcts[i].json,
			(unsigned long long)s->pct[i]);
	fprintf(f, ", \"max\": %llu}\n", (unsigned long long)s->max);
	fprintf(f, "        }%s\n", last ? "" : ",");
}

static void json_stats(FILE *f, const char *name,
		       const struct model_stats *d)
{
	fprintf(f, "      \"%s\": {\"host_read_bytes\": %llu, "
		"\"host_write_bytes\": %llu, \"media_read_bytes\": %llu, "
		"\"media_write_bytes\": %llu, \"erases\": %llu, "
		"\"gc_blocks\": %llu, \"gc_pages\": %llu, "
		"\"gc_foreground\": %llu, \"gc_background\": %llu, "
		"\"buffer_waits\": %llu, \"waf\": ", name,
		(unsigned long long)d->host_read_bytes,
		(unsigned long long)d->host_write_bytes,
		(unsigned long long)d->media_read_bytes,
		(unsigned long long)d->media_write_bytes,
		(unsigned long long)d->erases,
		(unsigned long long)d->gc_blocks,
		(unsigned long long)d->gc_pages,
		(unsigned long long)d->gc_foreground,
		(unsigned long long)d->gc_background,
		(unsigned long long)d->buffer_waits);
	if (d->host_write_bytes)
		fprintf(f, "%.6f}", (double)d->media_write_bytes /
			d->host_write_bytes);
	else
		fprintf(f, "null}");
}

static void json_fdp_stats(FILE *f, const char *name,
			   const struct sim_config *c,
			   const struct model_stats *d)
{
	fprintf(f, "      \"%s\": {\"hbmw\": %llu, \"mbmw\": %llu, "
		"\"mbe\": %llu", name,
		(unsigned long long)d->host_write_bytes,
		(unsigned long long)d->media_write_bytes,
		(unsigned long long)(d->erases * c->fdp_block_bytes));
}

/* "fdp" (this phase, with ru_avail[rg][ruh]) and "fdp_total" */
static void json_fdp(FILE *f, const struct sim_config *c,
		     const struct phase_result *res,
		     const struct model_stats *d, const struct model_stats *t)
{
	u32 h, r;

	fprintf(f, ",\n");
	json_fdp_stats(f, "fdp", c, d);
	fprintf(f, ", \"ru_avail\": [");
	for (r = 0; r < res->fdp_rgs; r++) {
		fprintf(f, "%s[", r ? ", " : "");
		for (h = 0; h < res->fdp_ruhs; h++)
			fprintf(f, "%s%llu", h ? ", " : "", (unsigned long long)
				res->ru_avail[r * res->fdp_ruhs + h]);
		fprintf(f, "]");
	}
	fprintf(f, "]},\n");
	json_fdp_stats(f, "fdp_total", c, t);
	fprintf(f, "}");
}

static void json_health_fields(FILE *f, const struct model_health *h)
{
	fprintf(f, "\"percent_used\": %u, \"avail_spare\": %u, "
		"\"spare_thresh\": %u, \"read_only\": %s, "
		"\"retired_groups\": %llu, \"retired_blocks\": %llu, "
		"\"max_erase\": %llu, \"avg_erase\": %llu, "
		"\"read_errors\": %llu", h->percent_used, h->avail_spare,
		h->spare_thresh, h->read_only ? "true" : "false",
		(unsigned long long)h->retired_groups,
		(unsigned long long)h->retired_blocks,
		(unsigned long long)h->max_erase,
		(unsigned long long)h->avg_erase,
		(unsigned long long)h->read_errors);
}

static void json_health(FILE *f, const struct phase_result *res, bool rows)
{
	u64 i;

	fprintf(f, ",\n      \"health\": {");
	json_health_fields(f, &res->health);
	fprintf(f, "},\n      \"refused_writes\": %llu,\n"
		"      \"read_errors\": %llu",
		(unsigned long long)res->refused_writes,
		(unsigned long long)res->read_errors);
	if (!rows)
		return;
	fprintf(f, ",\n      \"health_series\": [");
	for (i = 0; i < res->nr_rows; i++) {
		const struct health_row *r = &res->rows[i];

		fprintf(f, "%s\n        {\"time_ns\": %llu, "
			"\"host_write_bytes\": %llu, "
			"\"media_write_bytes\": %llu, \"erases\": %llu, "
			"\"waf\": ", i ? "," : "",
			(unsigned long long)r->time,
			(unsigned long long)r->st.host_write_bytes,
			(unsigned long long)r->st.media_write_bytes,
			(unsigned long long)r->st.erases);
		if (r->st.host_write_bytes)
			fprintf(f, "%.6f", waf_of(r->st.media_write_bytes,
						  r->st.host_write_bytes));
		else
			fprintf(f, "null");
		fprintf(f, ", \"read_only_event\": %s, ",
			r->read_only_event ? "true" : "false");
		json_health_fields(f, &r->h);
		fprintf(f, "}");
	}
	fprintf(f, "\n      ]");
}

/* ------------------------------------------------------------- entry */

static void print_params(struct report_ctx *r, FILE *f, bool json)
{
	const struct sim_model *m = r->cfg->model;
	unsigned int i;
	char v[256];

	for (i = 0; i < m->nr_params; i++) {
		const struct sim_param *p = &m->params[i];

		model_param_format(r->cfg->params, p, v, sizeof(v), json);
		if (json)
			fprintf(f, "%s\"%s\": %s", i ? ", " : "", p->name, v);
		else
			fprintf(f, "%s%s=%s", i ? " " : "", p->name, v);
	}
}

void report_begin(struct report_ctx *r, FILE *f)
{
	const struct sim_config *c = r->cfg;

	if (r->json) {
		fprintf(f, "{\n  \"tool\": \"nvmev-sim\",\n");
		fprintf(f, "  \"model\": \"%s\",\n", c->model->name);
		fprintf(f, "  \"preset\": ");
		if (c->preset)
			json_string(f, c->preset);
		else
			fprintf(f, "null");
		fprintf(f, ",\n");
		fprintf(f, "  \"params\": {");
		print_params(r, f, true);
		fprintf(f, "},\n");
		if (c->capacity)
			fprintf(f, "  \"capacity\": %llu,\n",
				(unsigned long long)c->capacity);
		else
			fprintf(f, "  \"capacity\": null,\n");
		fprintf(f, "  \"volatile_cache\": %s,\n",
			r->volatile_cache ? "true" : "false");
		fprintf(f, "  \"host_overhead_ns\": %llu,\n",
			(unsigned long long)c->host_overhead_ns);
		if (c->meta_bytes)
			fprintf(f, "  \"metadata_bytes\": %zu,\n",
				c->meta_bytes);
		if (c->health_every)
			fprintf(f, "  \"health_every\": %llu,\n",
				(unsigned long long)c->health_every);
		if (c->fdp_rgs)
			fprintf(f, "  \"fdp\": {\"ruhs\": %u, \"rgs\": %u, "
				"\"ru_bytes\": %llu, \"block_bytes\": %llu},\n",
				c->fdp_ruhs, c->fdp_rgs,
				(unsigned long long)c->fdp_ru_bytes,
				(unsigned long long)c->fdp_block_bytes);
		fprintf(f, "  \"phases\": [");
		return;
	}
	fprintf(f, "model %s", c->model->name);
	if (c->preset)
		fprintf(f, " (preset %s)", c->preset);
	fprintf(f, ": ");
	print_params(r, f, false);
	fprintf(f, "\n");
	if (c->capacity)
		fprintf(f, "capacity %llu bytes (%.2f GiB), ",
			(unsigned long long)c->capacity,
			c->capacity / (1024.0 * 1024.0 * 1024.0));
	fprintf(f, "volatile write cache %s, host overhead %llu ns",
		r->volatile_cache ? "yes" : "no",
		(unsigned long long)c->host_overhead_ns);
	if (c->meta_bytes)
		fprintf(f, ", model metadata %.2f MiB",
			c->meta_bytes / (1024.0 * 1024.0));
	fprintf(f, "\n");
	if (c->fdp_rgs)
		fprintf(f, "flexible data placement: %u reclaim group%s, %u "
			"handle%s, reclaim unit %llu bytes, erase block %llu "
			"bytes\n", c->fdp_rgs, c->fdp_rgs == 1 ? "" : "s",
			c->fdp_ruhs, c->fdp_ruhs == 1 ? "" : "s",
			(unsigned long long)c->fdp_ru_bytes,
			(unsigned long long)c->fdp_block_bytes);
}

void report_phase(struct report_ctx *r, FILE *f, struct phase_result *res)
{
	struct summary sum[OPK_NR], all;
	u64 elapsed = res->end - res->start;
	u64 max_n = 0, total_n = 0, total_bytes = 0, total_sum = 0;
	unsigned int k, nr_kinds = 0, last_kind = 0;
	struct model_stats d, t;
	u64 *tmp;

	for (k = 0; k < OPK_NR; k++) {
		struct lat_stats *l = &res->op[k];

		if (l->ops > max_n)
			max_n = l->ops;
		total_n += l->ops;
		if (k != OPK_TRIM)
			total_bytes += l->bytes;
		total_sum += l->sum;
		if (l->ops) {
			nr_kinds++;
			last_kind = k;
		}
	}
	tmp = xmalloc((nr_kinds > 1 ? total_n : max_n) * sizeof(*tmp));
	for (k = 0; k < OPK_NR; k++) {
		struct lat_stats *l = &res->op[k];

		if (l->ops)
			radix_sort(l->lat, l->ops, tmp);
		summarize(l->lat, l->ops, l->bytes, l->sum, &sum[k]);
	}
	if (nr_kinds > 1) {
		u64 *cat = xmalloc(total_n * sizeof(*cat)), pos = 0;

		for (k = 0; k < OPK_NR; k++) {
			if (res->op[k].ops)
				memcpy(cat + pos, res->op[k].lat,
				       res->op[k].ops * sizeof(*cat));
			pos += res->op[k].ops;
		}
		radix_sort(cat, total_n, tmp);
		summarize(cat, total_n, total_bytes, total_sum, &all);
		free(cat);
	} else {
		all = sum[last_kind];
	}
	free(tmp);

	if (res->have_stats) {
		stats_delta(&res->before, &res->after, &d);
		t = res->after;
	}

	if (r->json) {
		fprintf(f, "%s\n    {\n", res->index ? "," : "");
		fprintf(f, "      \"phase\": %u,\n", res->index + 1);
		fprintf(f, "      \"name\": ");
		json_string(f, res->name);
		fprintf(f, ",\n");
		fprintf(f, "      \"jobs\": %u,\n", res->nr_jobs);
		fprintf(f, "      \"start_ns\": %llu,\n",
			(unsigned long long)res->start);
		fprintf(f, "      \"end_ns\": %llu,\n",
			(unsigned long long)res->end);
		fprintf(f, "      \"elapsed_ns\": %llu,\n",
			(unsigned long long)elapsed);
		fprintf(f, "      \"ops\": {\n");
		for (k = 0; k < OPK_NR; k++)
			json_summary(f, kind_names[k], &sum[k], elapsed,
				     false);
		json_summary(f, "all", &all, elapsed, true);
		fprintf(f, "      }");
		if (res->have_stats) {
			fprintf(f, ",\n");
			json_stats(f, "model_stats", &d);
			fprintf(f, ",\n");
			json_stats(f, "model_stats_total", &t);
			if (res->fdp_rgs)
				json_fdp(f, r->cfg, res, &d, &t);
		}
		if (res->have_health)
			json_health(f, res, r->cfg->health_every);
		fprintf(f, "\n    }");
		return;
	}

	fprintf(f, "\nphase %u \"%s\": %u job%s, %llu commands, %llu ns "
		"(%.6f s) virtual, from %llu to %llu ns\n", res->index + 1,
		res->name, res->nr_jobs, res->nr_jobs == 1 ? "" : "s",
		(unsigned long long)total_n, (unsigned long long)elapsed,
		elapsed / 1e9, (unsigned long long)res->start,
		(unsigned long long)res->end);
	fprintf(f, "  %-6s %10s %11s %10s %9s %9s %9s %9s %9s %9s\n", "op",
		"ops", "IOPS", "MB/s", "mean", "p50", "p90", "p99", "p99.9",
		"max");
	for (k = 0; k < OPK_NR; k++)
		if (sum[k].ops)
			human_row(f, kind_names[k], &sum[k], elapsed);
	if (nr_kinds > 1)
		human_row(f, "all", &all, elapsed);
	if (sum[OPK_TRIM].ops)
		fprintf(f, "  (latency in us; MB = 10^6 bytes; trim MB/s counts "
			"bytes deallocated, \"all\" does not)\n");
	else
		fprintf(f, "  (latency in us; MB = 10^6 bytes)\n");
	if (res->have_stats) {
		human_stats(f, "model", &d);
		if (res->index)
			human_stats(f, "total", &t);
		if (res->fdp_rgs) {
			human_fdp_stats(f, "fdp:      ", r->cfg, &d);
			if (res->index)
				human_fdp_stats(f, "fdp total:", r->cfg, &t);
			human_ru_avail(f, r->cfg, res);
		}
	}
	if (res->have_health) {
		human_health(f, res);
		if (r->cfg->health_every && res->nr_rows)
			human_health_rows(r, f, res, r->cfg->health_every);
	}
}

void report_end(struct report_ctx *r, FILE *f)
{
	if (r->json)
		fprintf(f, "\n  ]\n}\n");
}
