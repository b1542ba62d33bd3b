// SPDX-License-Identifier: GPL-2.0-only
/*
 * fakedev.so: an LD_PRELOAD shim for test.sh that answers the NVMe
 * passthrough ioctls of nvmev-kv with ftl/kv.c, as a KV namespace would,
 * so the tool can be tested end to end without a device or a VM.  It is
 * also a small model of the kernel side: the command decode and the use of
 * the kv.h API below are what a KV namespace in the module has to do.
 *
 * Environment:
 *   FAKE_KV_REGION  file holding the store (created, formatted if it holds
 *                   no store; mounted again by every process)
 *   FAKE_KV_SIZE    its size in bytes (default 4 MiB)
 * Every ioctl other than NVME_IOCTL_ID (answers 1) and NVME_IOCTL_IO64_CMD
 * fails with ENOTTY.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/nvme_ioctl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kv.h"

#define SC_INVALID_OPCODE	0x001
#define SC_INVALID_FIELD	0x002
#define SC_DNR			0x4000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct kv kv;
static bool ready;

static int setup(void)
{
	const char *path = getenv("FAKE_KV_REGION");
	const char *sz = getenv("FAKE_KV_SIZE");
	u64 size = sz ? strtoull(sz, NULL, 0) : 4ULL << 20;
	struct kv_params p;
	const char *why;
	void *base;
	int rfd;

	if (!path)
		return -1;
	rfd = open(path, O_RDWR | O_CREAT, 0600);
	if (rfd < 0 || ftruncate(rfd, (off_t)size))
		return -1;
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, 0);
	close(rfd);
	if (base == MAP_FAILED)
		return -1;
	if (kv_mount(&kv, base, size, &why)) {
		if (kv_has_magic(base, size)) {
			fprintf(stderr, "fakedev: %s: %s\n", path, why);
			return -1;
		}
		kv_params_default(&p);
		if (kv_format(&kv, base, size, &p))
			return -1;
	}
	ready = true;
	return 0;
}

/* The key of a command: bytes 0..7 in CDW2-3, 8..15 in CDW14-15. */
static void get_key(const struct nvme_passthru_cmd64 *c, u8 *key)
{
	memcpy(key, &c->cdw2, 4);
	memcpy(key + 4, &c->cdw3, 4);
	memcpy(key + 8, &c->cdw14, 4);
	memcpy(key + 12, &c->cdw15, 4);
}

static u32 io_cmd(struct nvme_passthru_cmd64 *c)
{
	u32 kl = c->cdw11 & 0xff, opts = (c->cdw11 >> 8) & 0xff, n, used, vs;
	void *data = (void *)(uintptr_t)c->addr;
	enum kv_status st;
	const void *src;
	u8 key[16];
	void *dst;

	get_key(c, key);
	c->result = 0;
	switch (c->opcode) {
	case KV_OPC_STORE:
		if (c->cdw10 > c->data_len)	/* the PRPs cover CDW10 bytes */
			return SC_INVALID_FIELD;
		st = kv_store_begin(&kv, key, kl, c->cdw10, opts, &dst);
		if (st)
			return st;
		memcpy(dst, data, c->cdw10);	/* the DMA from the host */
		kv_store_commit(&kv);
		return KV_OK;
	case KV_OPC_RETRIEVE:
		n = c->cdw10 < c->data_len ? c->cdw10 : c->data_len;
		st = kv_retrieve(&kv, key, kl, 0, n, &src, &n, &vs);
		if (st)
			return st;
		memcpy(data, src, n);		/* the DMA to the host */
		c->result = vs;			/* CDW0: the full value size */
		return KV_OK;
	case KV_OPC_LIST:
		n = c->cdw10 < c->data_len ? c->cdw10 : c->data_len;
		return kv_list(&kv, key, kl, data, n, &vs, &used);
	case KV_OPC_DELETE:
		return kv_delete(&kv, key, kl);
	case KV_OPC_EXIST:
		return kv_exist(&kv, key, kl, NULL);
	default:
		return SC_INVALID_OPCODE;
	}
}

int ioctl(int fd, unsigned long request, ...)
{
	struct nvme_passthru_cmd64 *c;
	va_list ap;
	u32 st;

	(void)fd;
	if (request == (unsigned long)NVME_IOCTL_ID)
		return 1;
	if (request != (unsigned long)NVME_IOCTL_IO64_CMD) {
		errno = ENOTTY;
		return -1;
	}
	va_start(ap, request);
	c = va_arg(ap, struct nvme_passthru_cmd64 *);
	va_end(ap);
	pthread_mutex_lock(&lock);
	if (!ready && setup()) {
		pthread_mutex_unlock(&lock);
		errno = ENODEV;
		return -1;
	}
	st = io_cmd(c);
	pthread_mutex_unlock(&lock);
	return st ? (int)(st | SC_DNR) : 0;
}
