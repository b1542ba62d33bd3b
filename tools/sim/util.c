// SPDX-License-Identifier: GPL-2.0-only
/*
 * util.c - nvmev-sim helpers: errors, allocation, number parsing, LCG.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "sim.h"

void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("nvmev-sim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		die("out of memory (%zu bytes)", size);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		die("out of memory (%zu bytes)", size);
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = xmalloc(n);

	memcpy(d, s, n);
	return d;
}

/*
 * Parse "<digits>[.<digits>]" at *sp (hex "0x..." when @allow_frac is
 * false).  The value is whole + num / den.  Moves *sp past the number.
 */
static int parse_number(const char **sp, bool allow_frac, u64 *whole,
			u64 *num, u64 *den)
{
	const char *s = *sp;
	unsigned int base = 10;
	bool any = false;
	u64 v = 0;

	*num = 0;
	*den = 1;
	if (!allow_frac && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = (tolower((unsigned char)*s) - 'a') + 10;
		else
			break;
		if (__builtin_mul_overflow(v, base, &v) ||
		    __builtin_add_overflow(v, d, &v))
			return -ERANGE;
		any = true;
	}
	if (allow_frac && *s == '.') {
		s++;
		while (*s >= '0' && *s <= '9') {
			/* Digits beyond 18 places cannot matter here. */
			if (*den < 1000000000000000000ULL) {
				*num = *num * 10 + (u64)(*s - '0');
				*den *= 10;
			}
			any = true;
			s++;
		}
	}
	if (!any)
		return -EINVAL;
	*whole = v;
	*sp = s;
	return 0;
}

/* whole * mult + num * mult / den, truncated; -ERANGE on overflow. */
static int scale(u64 whole, u64 num, u64 den, u64 mult, u64 *out)
{
	unsigned __int128 v;

	v = (unsigned __int128)whole * mult +
	    (unsigned __int128)num * mult / den;
	if (v > U64_MAX)
		return -ERANGE;
	*out = (u64)v;
	return 0;
}

int parse_u64(const char *s, u64 *out)
{
	u64 whole, num, den;
	int err;

	err = parse_number(&s, false, &whole, &num, &den);
	if (err)
		return err;
	if (*s)
		return -EINVAL;
	*out = whole;
	return 0;
}

/*
 * Bytes: "4096", "4k", "4K", "4KiB", "4kb", "1.5G", "0x1000".  K, M, G, T
 * and P are powers of 1024 (as in fio); the "i", "b" and "B" after them are
 * optional.
 */
int parse_size(const char *s, u64 *out)
{
	static const char units[] = "kmgtp";
	u64 whole, num, den, mult = 1;
	const char *u;
	int err;

	err = parse_number(&s, !(s[0] == '0' && (s[1] == 'x' || s[1] == 'X')),
			   &whole, &num, &den);
	if (err)
		return err;
	if (*s) {
		u = strchr(units, tolower((unsigned char)*s));
		if (!u)
			return -EINVAL;
		mult = 1ULL << (10 * (u - units + 1));
		s++;
		if (*s == 'i' || *s == 'I')
			s++;
		if (*s == 'b' || *s == 'B')
			s++;
		if (*s)
			return -EINVAL;
	}
	return scale(whole, num, den, mult, out);
}

/*
 * Times: "1500", "1.5us", "20ms", "2s", "100ns".  A bare number is in
 * units of @unit_ns.  Result in ns, truncated.
 */
int parse_time(const char *s, u64 unit_ns, u64 *out)
{
	u64 whole, num, den, mult = unit_ns;
	int err;

	err = parse_number(&s, true, &whole, &num, &den);
	if (err)
		return err;
	if (!strcasecmp(s, "ns"))
		mult = 1;
	else if (!strcasecmp(s, "us"))
		mult = 1000;
	else if (!strcasecmp(s, "ms"))
		mult = 1000000;
	else if (!strcasecmp(s, "s"))
		mult = 1000000000;
	else if (*s)
		return -EINVAL;
	return scale(whole, num, den, mult, out);
}

int parse_bool(const char *s, bool *out)
{
	if (!strcmp(s, "1") || !strcasecmp(s, "true") ||
	    !strcasecmp(s, "yes") || !strcasecmp(s, "on")) {
		*out = true;
		return 0;
	}
	if (!strcmp(s, "0") || !strcasecmp(s, "false") ||
	    !strcasecmp(s, "no") || !strcasecmp(s, "off")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

/*
 * The LCG is Knuth's MMIX one (modulus 2^64).  Its high bits are the good
 * ones, so rng_next() folds them down and rng_below() takes the high half
 * of a 128-bit product.  The seed goes through a splitmix64-style mixer so
 * that nearby seeds and streams start far apart.
 */
#define LCG_MUL	6364136223846793005ULL
#define LCG_INC	1442695040888963407ULL

void rng_seed(struct sim_rng *r, u64 seed, u64 stream)
{
	u64 z = seed + (stream + 1) * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	r->state = z ^ (z >> 31);
}

u64 rng_next(struct sim_rng *r)
{
	u64 x;

	r->state = r->state * LCG_MUL + LCG_INC;
	x = r->state;
	return x ^ (x >> 32);
}

/* Uniform-enough value in [0, n); n must be > 0. */
u64 rng_below(struct sim_rng *r, u64 n)
{
	return (u64)(((unsigned __int128)rng_next(r) * n) >> 64);
}
