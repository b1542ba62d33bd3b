/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nvme-raw's script language: the pure parsing parts (no device), shared
 * by the tool and its unit tests.  See README.md for the language.
 */
#ifndef NVME_RAW_SCRIPT_H
#define NVME_RAW_SCRIPT_H

#include <stddef.h>
#include <stdint.h>
#include "nvmeraw.h"

#define SCR_MAX_ARGS	40
#define SCR_NAME_MAX	32

/* Which command fields a statement set (struct scr_cmd.set) */
#define SCR_SET_CID	(1u << 0)
#define SCR_SET_PRP1	(1u << 1)
#define SCR_SET_PRP2	(1u << 2)
#define SCR_SET_DATA	(1u << 3)
#define SCR_SET_LEN	(1u << 4)
#define SCR_SET_TIMEOUT	(1u << 5)
#define SCR_SET_OPC	(1u << 6)

/* A command as an admin or io statement describes it */
struct scr_cmd {
	struct nvr_sqe sqe;
	unsigned int set;
	char data[SCR_NAME_MAX];	/* data=NAME[+OFF] */
	uint64_t data_off;
	uint64_t len;			/* bytes the PRPs describe */
	uint64_t timeout_ms;
};

/*
 * Split @line into words in place; "#" starts a comment when it begins a
 * word.  Returns the number of words, or -1 when there are more than @max.
 */
int scr_split(char *line, char **argv, int max);
/* A number: decimal or 0x hex, 64 bits; 0 or -1 (with a message) */
int scr_num(const char *s, uint64_t *v, char *err, size_t errlen);
/* A number that must fit @max */
int scr_num_max(const char *s, uint64_t max, uint64_t *v, char *err,
		size_t errlen);
/* A size: a number with an optional k, m or g suffix (powers of 1024) */
int scr_size(const char *s, uint64_t *v, char *err, size_t errlen);
/* A buffer name: letters, digits, '_' and '-', shorter than SCR_NAME_MAX */
int scr_name_ok(const char *s);
/*
 * One "key=value" word of an admin or io statement, applied to @c in
 * order (a later word overrides an earlier one of the same field).
 */
int scr_cmd_field(const char *word, struct scr_cmd *c, char *err,
		  size_t errlen);
/* Status words of expect-status: a number or "timeout" (-> 0x10000) */
#define SCR_STATUS_TIMEOUT 0x10000u
int scr_status(const char *s, uint32_t *status, char *err, size_t errlen);

#endif
