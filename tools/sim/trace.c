// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace.c - nvmev-sim trace files.
 *
 * One command per line:
 *
 *	<time_ns|-> <op> <offset_bytes> <len_bytes> [ruh=N] [rg=N]
 *
 * op is R (read), W (write), T (trim), F (flush) or Z (write zeroes),
 * either case.  A time means "do not issue before this virtual time",
 * counted from the start of the phase; '-' means "as soon as a queue slot
 * is free".  Commands are issued in file order.  Offset and length take
 * the size suffixes of the job keys; a flush may leave them out.  '#'
 * starts a comment; blank lines are ignored.
 *
 * Flexible Data Placement: a W line may end with "ruh=N" and/or "rg=N"
 * (each at most once, either order): the write goes to reclaim unit
 * handle N / reclaim group N.  One left out is the job's ruh / rg key, or
 * 0 if the job places nothing.  A W line without tokens has the job's
 * placement: none by default (handle 0, the device's choice of group, as
 * a write without a placement directive).  Other ops take no tokens.
 * tools/replay accepts the same tokens.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

#define TRACE_LINE_MAX	1024
#define TRACE_FIELDS	6	/* 4 positional, ruh=, rg= */
#define TRACE_PLACE_MAX	65534U	/* u16; 65535 is MODEL_RG_ANY */

/* Split @s at whitespace into at most @max fields; returns the count. */
static int split(char *s, char **fields, int max)
{
	int n = 0;

	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			return n;
		if (n == max)
			return max + 1;
		fields[n++] = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		if (*s)
			*s++ = '\0';
	}
}

/* "ruh=N" / "rg=N": 0 and the value, -1 if @f is not one, dies if bad. */
static int place_token(const char *path, unsigned long lineno, const char *f,
		       const char *name, u32 *out)
{
	size_t n = strlen(name);
	u64 v;

	if (strncmp(f, name, n) || f[n] != '=')
		return -1;
	if (parse_u64(f + n + 1, &v) || v > TRACE_PLACE_MAX)
		die("%s:%lu: bad value in '%s' (0..65534)", path, lineno, f);
	*out = (u32)v;
	return 0;
}

/*
 * Parse one line.  Returns 1 for a command, 0 for a blank or comment
 * line; dies on a malformed one.  Writes without placement tokens get
 * @ruh, @rg.
 */
static int parse_line(const char *path, unsigned long lineno, char *line,
		      struct sim_cmd *c, bool *timed, u32 ruh, u32 rg)
{
	char *f[TRACE_FIELDS], *hash;
	bool have_ruh = false, have_rg = false;
	int n, np;

	hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	n = split(line, f, TRACE_FIELDS);
	if (!n)
		return 0;
	if (n > TRACE_FIELDS)
		die("%s:%lu: expected '<time_ns|-> <R|W|T|F|Z> <offset> <len> "
		    "[ruh=N] [rg=N]'", path, lineno);
	/* trailing placement tokens */
	for (np = n; np > 2; np--) {
		if (!place_token(path, lineno, f[np - 1], "ruh", &ruh)) {
			if (have_ruh)
				die("%s:%lu: ruh= given twice", path, lineno);
			have_ruh = true;
		} else if (!place_token(path, lineno, f[np - 1], "rg", &rg)) {
			if (have_rg)
				die("%s:%lu: rg= given twice", path, lineno);
			have_rg = true;
		} else {
			break;
		}
	}
	if (np > 4 || np < 2)
		die("%s:%lu: expected '<time_ns|-> <R|W|T|F|Z> <offset> <len>'",
		    path, lineno);

	memset(c, 0, sizeof(*c));
	if (!strcmp(f[0], "-")) {
		*timed = false;
	} else {
		if (parse_time(f[0], 1, &c->not_before))
			die("%s:%lu: bad time '%s'", path, lineno, f[0]);
		*timed = true;
	}
	if (strlen(f[1]) != 1)
		die("%s:%lu: bad op '%s'", path, lineno, f[1]);
	switch (toupper((unsigned char)f[1][0])) {
	case 'R':
		c->op = MODEL_READ;
		break;
	case 'W':
		c->op = MODEL_WRITE;
		break;
	case 'T':
		c->op = MODEL_DISCARD;
		break;
	case 'F':
		c->op = MODEL_FLUSH;
		break;
	case 'Z':
		c->op = MODEL_WRITE_ZEROES;
		break;
	default:
		die("%s:%lu: bad op '%s' (R, W, T, F or Z)", path, lineno,
		    f[1]);
	}
	if ((have_ruh || have_rg) && c->op != MODEL_WRITE)
		die("%s:%lu: %s= is for W lines only (placement of a write)",
		    path, lineno, have_ruh ? "ruh" : "rg");
	if (have_ruh && !have_rg && rg == MODEL_RG_ANY)
		rg = 0;		/* placed: the job placed nothing */
	if (c->op == MODEL_WRITE) {
		c->ruh = (u16)ruh;
		c->rg = (u16)rg;
	}
	if (c->op == MODEL_FLUSH && np == 2)
		return 1;
	if (np != 4)
		die("%s:%lu: expected '<time_ns|-> <R|W|T|F|Z> <offset> <len>'",
		    path, lineno);
	if (parse_size(f[2], &c->offset))
		die("%s:%lu: bad offset '%s'", path, lineno, f[2]);
	if (parse_size(f[3], &c->len))
		die("%s:%lu: bad length '%s'", path, lineno, f[3]);
	if (c->offset + c->len < c->offset)
		die("%s:%lu: offset + length overflows", path, lineno);
	return 1;
}

static bool read_line(FILE *f, const char *path, unsigned long *lineno,
		      char *buf)
{
	if (!fgets(buf, TRACE_LINE_MAX, f)) {
		if (ferror(f))
			die("%s: read error", path);
		return false;
	}
	(*lineno)++;
	if (!strchr(buf, '\n') && !feof(f))
		die("%s:%lu: line too long", path, *lineno);
	return true;
}

void trace_prescan(const char *path, u64 *nr_cmds, u64 *max_end,
		   const struct sim_model *m, const void *params, u32 ruh,
		   u32 rg)
{
	char buf[TRACE_LINE_MAX], why[256];
	unsigned long lineno = 0;
	struct sim_cmd c;
	bool timed;
	FILE *f;

	*nr_cmds = 0;
	*max_end = 0;
	f = fopen(path, "r");
	if (!f)
		die("%s: %s", path, strerror(errno));
	while (read_line(f, path, &lineno, buf)) {
		if (!parse_line(path, lineno, buf, &c, &timed, ruh, rg))
			continue;
		if (c.op == MODEL_WRITE &&
		    place_check(m, params, c.ruh, c.rg, why, sizeof(why)))
			die("%s:%lu: %s", path, lineno, why);
		(*nr_cmds)++;
		if (c.op != MODEL_FLUSH && c.offset + c.len > *max_end)
			*max_end = c.offset + c.len;
	}
	fclose(f);
}

void trace_open(struct trace_reader *tr, const char *path, u32 ruh, u32 rg)
{
	tr->f = fopen(path, "r");
	if (!tr->f)
		die("%s: %s", path, strerror(errno));
	tr->path = path;
	tr->line = 0;
	tr->ruh = (u16)ruh;
	tr->rg = (u16)rg;
}

bool trace_next(struct trace_reader *tr, struct sim_cmd *c, bool *timed)
{
	char buf[TRACE_LINE_MAX];

	while (read_line(tr->f, tr->path, &tr->line, buf))
		if (parse_line(tr->path, tr->line, buf, c, timed, tr->ruh,
			       tr->rg))
			return true;
	return false;
}

void trace_close(struct trace_reader *tr)
{
	if (tr->f)
		fclose(tr->f);
	tr->f = NULL;
}
