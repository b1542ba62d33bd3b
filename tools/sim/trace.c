// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace.c - nvmev-sim trace files.
 *
 * One command per line:
 *
 *	<time_ns|-> <op> <offset_bytes> <len_bytes>
 *
 * op is R (read), W (write), T (trim), F (flush) or Z (write zeroes),
 * either case.  A time means "do not issue before this virtual time",
 * counted from the start of the phase; '-' means "as soon as a queue slot
 * is free".  Commands are issued in file order.  Offset and length take
 * the size suffixes of the job keys; a flush may leave them out.  '#'
 * starts a comment; blank lines are ignored.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

#define TRACE_LINE_MAX	1024

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

/*
 * Parse one line.  Returns 1 for a command, 0 for a blank or comment
 * line; dies on a malformed one.
 */
static int parse_line(const char *path, unsigned long lineno, char *line,
		      struct sim_cmd *c, bool *timed)
{
	char *f[5], *hash;
	int n;

	hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	n = split(line, f, 4);
	if (!n)
		return 0;
	if (n > 4 || n < 2)
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
	if (c->op == MODEL_FLUSH && n == 2)
		return 1;
	if (n != 4)
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

void trace_prescan(const char *path, u64 *nr_cmds, u64 *max_end)
{
	char buf[TRACE_LINE_MAX];
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
		if (!parse_line(path, lineno, buf, &c, &timed))
			continue;
		(*nr_cmds)++;
		if (c.op != MODEL_FLUSH && c.offset + c.len > *max_end)
			*max_end = c.offset + c.len;
	}
	fclose(f);
}

void trace_open(struct trace_reader *tr, const char *path)
{
	tr->f = fopen(path, "r");
	if (!tr->f)
		die("%s: %s", path, strerror(errno));
	tr->path = path;
	tr->line = 0;
}

bool trace_next(struct trace_reader *tr, struct sim_cmd *c, bool *timed)
{
	char buf[TRACE_LINE_MAX];

	while (read_line(tr->f, tr->path, &tr->line, buf))
		if (parse_line(tr->path, tr->line, buf, c, timed))
			return true;
	return false;
}

void trace_close(struct trace_reader *tr)
{
	if (tr->f)
		fclose(tr->f);
	tr->f = NULL;
}
