// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvme-raw-identify: print the facts of an NVMe controller and its active
 * namespaces, from the registers and Identify, through libnvmeraw.  The
 * smallest complete user of the library: open, reset, admin commands,
 * close.
 *
 *   nvme-raw-identify BDF       the PCI function, unbound from its driver
 *   nvme-raw-identify --fake    the fake controller of the tests
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fake.h"
#include "nvmeraw.h"

#define MAX_NS_SHOWN	16

static void field(const char *name, const uint8_t *src, size_t n)
{
	while (n && (src[n - 1] == ' ' || src[n - 1] == 0))
		n--;
	printf("%-14s %.*s\n", name, (int)n, (const char *)src);
}

static uint64_t le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

static void print_regs(struct nvr_ctrl *c)
{
	uint32_t vs = 0;

	nvr_reg_read32(c, NVR_REG_VS, &vs);
	printf("%-14s 0x%016" PRIx64 "\n", "cap", c->cap);
	printf("%-14s %u entries, contiguous %s, timeout %u ms, doorbell stride %u, css 0x%02x, pages %u..%u KiB\n",
	       "  ", NVR_CAP_MQES(c->cap) + 1, NVR_CAP_CQR(c->cap) ? "yes" : "no",
	       NVR_CAP_TO(c->cap) * 500, c->dstrd, NVR_CAP_CSS(c->cap),
	       4u << NVR_CAP_MPSMIN(c->cap), 4u << NVR_CAP_MPSMAX(c->cap));
	printf("%-14s %u.%u.%u\n", "version", vs >> 16, vs >> 8 & 0xff,
	       vs & 0xff);
}

static void print_ctrl(const uint8_t *id)
{
	printf("%-14s 0x%04x / 0x%04x\n", "vid / ssvid",
	       (unsigned int)le(id, 2), (unsigned int)le(id + 2, 2));
	field("serial", id + 4, 20);
	field("model", id + 24, 40);
	field("firmware", id + 64, 8);
	if (id[77])
		printf("%-14s %u (%u KiB)\n", "mdts", id[77],
		       4u << id[77]);
	else
		printf("%-14s 0 (no limit)\n", "mdts");
	printf("%-14s %u\n", "cntlid", (unsigned int)le(id + 78, 2));
	printf("%-14s %u\n", "aerl", id[259] + 1u);
	printf("%-14s %u / %u bytes\n", "sq / cq entry", 1u << (id[512] & 0xf),
	       1u << (id[513] & 0xf));
	printf("%-14s %u\n", "namespaces", (unsigned int)le(id + 516, 4));
	printf("%-14s 0x%04x\n", "oncs", (unsigned int)le(id + 520, 2));
	printf("%-14s %s\n", "write cache", id[525] & 1 ? "yes" : "no");
}

static void print_ns(uint32_t nsid, const uint8_t *id)
{
	unsigned int lbaf = id[26] & 0xf;
	unsigned int lbads = id[128 + 4 * lbaf + 2];
	uint64_t nsze = le(id, 8);

	printf("namespace %u: %" PRIu64 " blocks of %u bytes (%" PRIu64 " MiB), capacity %" PRIu64 ", used %" PRIu64 "\n",
	       nsid, nsze, 1u << lbads, (nsze << lbads) >> 20, le(id + 8, 8),
	       le(id + 16, 8));
}

static int namespaces(struct nvr_ctrl *c, struct nvr_dma *d)
{
	uint32_t list[MAX_NS_SHOWN];
	uint16_t st;
	int i;

	/* CNS 02h: active namespace IDs above 0, ascending */
	if (nvr_identify(c, 2, 0, d, &st))
		return -1;
	memcpy(list, d->va, sizeof(list));
	for (i = 0; i < MAX_NS_SHOWN && list[i]; i++) {
		if (nvr_identify(c, 0, list[i], d, &st))
			return -1;
		print_ns(list[i], d->va);
	}
	return 0;
}

static int run(struct nvr_ctrl *c)
{
	struct nvr_dma d;
	uint16_t st;
	int ret = -1;

	print_regs(c);
	if (nvr_ctrl_reset(c, 8) || nvr_dma_alloc(c, NVR_PAGE_SIZE, 0, &d))
		return -1;
	if (!nvr_identify(c, 1, 0, &d, &st)) {
		print_ctrl(d.va);
		ret = namespaces(c, &d);
	}
	nvr_dma_free(c, &d);
	return ret;
}

int main(int argc, char **argv)
{
	struct nvr_fake *fake = NULL;
	struct nvr_ctrl *c;
	int ret;

	if (argc != 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc == 2 ? stdout : stderr,
			"usage: nvme-raw-identify BDF|--fake\n");
		return argc == 2 ? 0 : 2;
	}
	if (!strcmp(argv[1], "--fake")) {
		fake = nvr_fake_new(2048);
		ret = fake ? nvr_fake_open(fake, &c) : -1;
	} else {
		ret = nvr_open(argv[1], &c);
	}
	if (ret) {
		fprintf(stderr, "nvme-raw-identify: %s\n", nvr_errmsg());
		nvr_fake_free(fake);
		return 1;
	}
	ret = run(c);
	if (ret)
		fprintf(stderr, "nvme-raw-identify: %s\n", nvr_errmsg());
	nvr_close(c);
	nvr_fake_free(fake);
	return ret ? 1 : 0;
}
