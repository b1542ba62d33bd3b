// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvme-raw's script language: words, numbers and command fields.
 */
#include "script.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int scr_split(char *line, char **argv, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			return n;
		if (n == max)
			return -1;
		argv[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = 0;
	}
}

int scr_num(const char *s, uint64_t *v, char *err, size_t errlen)
{
	unsigned long long x;
	char *end;

	/* strtoull would take "-1" and " 1"; a test script must not */
	if (!isdigit((unsigned char)*s)) {
		snprintf(err, errlen, "'%s' is not a number", s);
		return -1;
	}
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end || end == s) {
		snprintf(err, errlen, "'%s' is not a number%s", s,
			 errno == ERANGE ? " of 64 bits" : "");
		return -1;
	}
	*v = x;
	return 0;
}

int scr_num_max(const char *s, uint64_t max, uint64_t *v, char *err,
		size_t errlen)
{
	if (scr_num(s, v, err, errlen))
		return -1;
	if (*v > max) {
		snprintf(err, errlen, "%s is above 0x%llx", s,
			 (unsigned long long)max);
		return -1;
	}
	return 0;
}

int scr_size(const char *s, uint64_t *v, char *err, size_t errlen)
{
	char num[32];
	size_t n = strlen(s);
	unsigned int shift = 0;

	if (n && n < sizeof(num) && !(n > 2 && s[0] == '0' && s[1] == 'x')) {
		switch (s[n - 1]) {
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'm':
		case 'M':
			shift = 20;
			break;
		case 'g':
		case 'G':
			shift = 30;
			break;
		}
	}
	if (!shift || n >= sizeof(num))
		return scr_num(s, v, err, errlen);
	memcpy(num, s, n - 1);
	num[n - 1] = 0;
	if (scr_num(num, v, err, errlen))
		return -1;
	if (*v > (UINT64_MAX >> shift)) {
		snprintf(err, errlen, "size '%s' is too large", s);
		return -1;
	}
	*v <<= shift;
	return 0;
}

int scr_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || n >= SCR_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-')
			return 0;
	return 1;
}

/* data=NAME or data=NAME+OFF */
static int field_data(const char *v, struct scr_cmd *c, char *err,
		      size_t errlen)
{
	const char *plus = strchr(v, '+');
	size_t n = plus ? (size_t)(plus - v) : strlen(v);

	if (n >= SCR_NAME_MAX) {
		snprintf(err, errlen, "buffer name '%s' is too long", v);
		return -1;
	}
	memcpy(c->data, v, n);
	c->data[n] = 0;
	if (!scr_name_ok(c->data)) {
		snprintf(err, errlen, "'%s' is not a buffer name", c->data);
		return -1;
	}
	c->data_off = 0;
	if (plus && scr_size(plus + 1, &c->data_off, err, errlen))
		return -1;
	c->set |= SCR_SET_DATA;
	return 0;
}

enum field {
	F_OPC, F_FLAGS, F_FUSE, F_PSDT, F_CID, F_CDW0, F_NSID, F_CDW2, F_CDW3,
	F_MPTR, F_PRP1, F_PRP2, F_CDW10, F_CDW11, F_CDW12, F_CDW13, F_CDW14,
	F_CDW15, F_SLBA, F_NLB, F_BLOCKS, F_LEN, F_TIMEOUT,
};

static const struct {
	const char *name;
	enum field f;
	uint64_t max;
} fields[] = {
	{ "opc", F_OPC, 0xff },
	{ "flags", F_FLAGS, 0xff },
	{ "fuse", F_FUSE, 3 },
	{ "psdt", F_PSDT, 3 },
	{ "cid", F_CID, 0xffff },
	{ "cdw0", F_CDW0, 0xffffffff },
	{ "nsid", F_NSID, 0xffffffff },
	{ "cdw2", F_CDW2, 0xffffffff },
	{ "cdw3", F_CDW3, 0xffffffff },
	{ "mptr", F_MPTR, UINT64_MAX },
	{ "prp1", F_PRP1, UINT64_MAX },
	{ "prp2", F_PRP2, UINT64_MAX },
	{ "cdw10", F_CDW10, 0xffffffff },
	{ "cdw11", F_CDW11, 0xffffffff },
	{ "cdw12", F_CDW12, 0xffffffff },
	{ "cdw13", F_CDW13, 0xffffffff },
	{ "cdw14", F_CDW14, 0xffffffff },
	{ "cdw15", F_CDW15, 0xffffffff },
	{ "slba", F_SLBA, UINT64_MAX },
	{ "nlb", F_NLB, 0xffff },
	{ "blocks", F_BLOCKS, 0x10000 },
	{ "len", F_LEN, UINT64_MAX },
	{ "timeout", F_TIMEOUT, UINT64_MAX },
};

static void field_set(enum field f, uint64_t x, struct scr_cmd *c)
{
	struct nvr_sqe *s = &c->sqe;
	uint32_t d = (uint32_t)x;

	switch (f) {
	case F_OPC:
		s->opc = (uint8_t)x;
		c->set |= SCR_SET_OPC;
		break;
	case F_FLAGS:
		s->flags = (uint8_t)x;
		break;
	case F_FUSE:
		s->flags = (uint8_t)((s->flags & ~3u) | x);
		break;
	case F_PSDT:
		s->flags = (uint8_t)((s->flags & 0x3fu) | x << 6);
		break;
	case F_CID:
		s->cid = (uint16_t)x;
		c->set |= SCR_SET_CID;
		break;
	case F_CDW0:
		/* OPC 7:0, FUSE and PSDT 15:8, CID 31:16 (Figure 104) */
		s->opc = (uint8_t)x;
		s->flags = (uint8_t)(x >> 8);
		s->cid = (uint16_t)(x >> 16);
		c->set |= SCR_SET_OPC | SCR_SET_CID;
		break;
	case F_NSID:
		s->nsid = d;
		break;
	case F_CDW2:
		s->cdw2 = d;
		break;
	case F_CDW3:
		s->cdw3 = d;
		break;
	case F_MPTR:
		s->mptr = x;
		break;
	case F_PRP1:
		s->prp1 = x;
		c->set |= SCR_SET_PRP1;
		break;
	case F_PRP2:
		s->prp2 = x;
		c->set |= SCR_SET_PRP2;
		break;
	case F_CDW10:
		s->cdw10 = d;
		break;
	case F_CDW11:
		s->cdw11 = d;
		break;
	case F_CDW12:
		s->cdw12 = d;
		break;
	case F_CDW13:
		s->cdw13 = d;
		break;
	case F_CDW14:
		s->cdw14 = d;
		break;
	case F_CDW15:
		s->cdw15 = d;
		break;
	case F_SLBA:
		s->cdw10 = d;
		s->cdw11 = (uint32_t)(x >> 32);
		break;
	/* NLB, CDW12 bits 15:0, is 0's based; the other bits stay */
	case F_NLB:
		s->cdw12 = (s->cdw12 & 0xffff0000u) | d;
		break;
	case F_BLOCKS:
		s->cdw12 = (s->cdw12 & 0xffff0000u) | (d - 1);
		break;
	case F_LEN:
		c->len = x;
		c->set |= SCR_SET_LEN;
		break;
	case F_TIMEOUT:
		c->timeout_ms = x;
		c->set |= SCR_SET_TIMEOUT;
		break;
	}
}

int scr_cmd_field(const char *word, struct scr_cmd *c, char *err,
		  size_t errlen)
{
	const char *eq = strchr(word, '='), *v;
	size_t n, i;
	uint64_t x;
	int ret;

	if (!eq || eq == word) {
		snprintf(err, errlen, "'%s': expected FIELD=VALUE", word);
		return -1;
	}
	n = (size_t)(eq - word);
	v = eq + 1;
	if (n == 4 && !strncmp(word, "data", 4))
		return field_data(v, c, err, errlen);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strlen(fields[i].name) == n &&
		    !strncmp(word, fields[i].name, n))
			break;
	if (i == sizeof(fields) / sizeof(fields[0])) {
		snprintf(err, errlen, "unknown field '%.*s'", (int)n, word);
		return -1;
	}
	ret = fields[i].f == F_LEN ? scr_size(v, &x, err, errlen) :
		scr_num_max(v, fields[i].max, &x, err, errlen);
	if (ret)
		return -1;
	if (fields[i].f == F_BLOCKS && !x) {
		snprintf(err, errlen, "blocks=0: at least 1 (nlb=N sets the 0's based field itself)");
		return -1;
	}
	field_set(fields[i].f, x, c);
	return 0;
}

int scr_status(const char *s, uint32_t *status, char *err, size_t errlen)
{
	uint64_t v;

	if (!strcmp(s, "timeout")) {
		*status = SCR_STATUS_TIMEOUT;
		return 0;
	}
	if (scr_num_max(s, 0x7fff, &v, err, errlen))
		return -1;
	*status = (uint32_t)v;
	return 0;
}
