// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for nvmev-replay (LD_PRELOAD): the path named by FAKE_DEV
 * opens a pretend NVMe namespace of FAKE_BLOCKS (default 4096) 512-byte
 * blocks held in memory, answering the ioctls nvmev-replay uses.  Every
 * command is logged to FAKE_LOG as "opcode slba nlb cdw12 cdw13 status".
 * FAKE_CORRUPT=N flips a byte of the Nth read; FAKE_FAIL=N fails the Nth
 * command with status 0x2 (Invalid Field).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <linux/nvme_ioctl.h>

#define LBSZ 512u

static int fake_fd = -1;
static unsigned char *store;
static uint64_t nblocks;
static unsigned long nr_cmds, nr_reads;
static FILE *logf;

int open(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	const char *fake = getenv("FAKE_DEV");
	va_list ap;
	mode_t mode;

	if (!real)
		real = dlsym(RTLD_NEXT, "open");
	va_start(ap, flags);
	mode = va_arg(ap, mode_t);
	va_end(ap);
	if (!fake || strcmp(path, fake))
		return real(path, flags, mode);
	nblocks = getenv("FAKE_BLOCKS") ? strtoull(getenv("FAKE_BLOCKS"),
						   NULL, 0) : 4096;
	store = calloc(nblocks, LBSZ);
	if (getenv("FAKE_LOG"))
		logf = fopen(getenv("FAKE_LOG"), "w");
	fake_fd = real("/dev/null", O_RDWR);
	return fake_fd;
}

static int cmd(struct nvme_passthru_cmd *c)
{
	uint64_t slba = c->cdw10 | (uint64_t)c->cdw11 << 32;
	uint64_t nlb = (c->cdw12 & 0xffff) + 1;
	unsigned char *buf = (unsigned char *)(uintptr_t)c->addr;
	int st = 0;

	nr_cmds++;
	if (getenv("FAKE_FAIL") &&
	    nr_cmds == strtoul(getenv("FAKE_FAIL"), NULL, 0))
		st = 0x2;
	else if (c->opcode == 0x01 || c->opcode == 0x02 || c->opcode == 0x08) {
		if (slba + nlb > nblocks || (c->opcode != 0x08 &&
					     c->data_len != nlb * LBSZ))
			st = 0x80;	/* LBA Out of Range */
		else if (c->opcode == 0x01)
			memcpy(store + slba * LBSZ, buf, nlb * LBSZ);
		else if (c->opcode == 0x08)
			memset(store + slba * LBSZ, 0, nlb * LBSZ);
		else {
			memcpy(buf, store + slba * LBSZ, nlb * LBSZ);
			if (getenv("FAKE_CORRUPT") && ++nr_reads ==
			    strtoul(getenv("FAKE_CORRUPT"), NULL, 0))
				buf[100] ^= 1;
		}
	} else if (c->opcode == 0x09) {
		const uint32_t *r = (const uint32_t *)buf;
		uint64_t s = r[2] | (uint64_t)r[3] << 32;

		if (s + r[1] > nblocks)
			st = 0x80;
		else
			memset(store + s * LBSZ, 0xa5, (size_t)r[1] * LBSZ);
		slba = s;
		nlb = r[1];
	} else if (c->opcode != 0x00) {
		st = 0x1;
	}
	if (logf) {
		fprintf(logf, "%#x %llu %llu %#x %#x %#x\n", c->opcode,
			(unsigned long long)slba, (unsigned long long)nlb,
			c->cdw12, c->cdw13, st);
		fflush(logf);
	}
	return st;
}

int ioctl(int fd, unsigned long req, ...)
{
	static int (*real)(int, unsigned long, ...);
	va_list ap;
	void *arg;

	if (!real)
		real = dlsym(RTLD_NEXT, "ioctl");
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != fake_fd)
		return real(fd, req, arg);
	if (req == NVME_IOCTL_ID)
		return 1;
	if (req == BLKSSZGET) {
		*(int *)arg = LBSZ;
		return 0;
	}
	if (req == BLKGETSIZE64) {
		*(uint64_t *)arg = nblocks * LBSZ;
		return 0;
	}
	if (req == NVME_IOCTL_IO_CMD)
		return cmd(arg);
	return real(fd, req, arg);
}
