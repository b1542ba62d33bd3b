// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of libnvmeraw and the script parser, without hardware:
 * structure layout and command encoding against NVMe 1.4, PRP lists for
 * given physical page lists (checked by a separate walker that reads them
 * as a device would), status names, the parser, and the library's queue
 * handling (phase tags, wrap, full queue, out-of-order completions, AER,
 * timeouts, polling) against the fake controller of fake.c, and the fake's
 * deliberate out-of-bounds write that nvme-raw-fuzz's tests rely on.
 *
 * Prints "@@RESULT PASS|FAIL tools/nvme-raw/unit/<name>" lines and
 * "<N> passed, <N> failed"; exits non-zero on failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake.h"
#include "nvmeraw.h"
#include "script.h"

static int failed;		/* the current test failed */
static char why[512];
static int npass, nfail;

#define CHECK(cond) \
	check(!!(cond), __LINE__, "%s", #cond)
#define CHECK_EQ(a, b) do { \
	uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b); \
	check(a_ == b_, __LINE__, "%s == %s: 0x%" PRIx64 " != 0x%" PRIx64, \
	      #a, #b, a_, b_); \
} while (0)
#define CHECK_STR(a, b) \
	check(!strcmp((a), (b)), __LINE__, "%s: '%s' != '%s'", #a, (a), (b))

__attribute__((format(printf, 3, 4)))
static void check(int ok, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ok || failed)
		return;
	failed = 1;
	n = snprintf(why, sizeof(why), "line %d: ", line);
	va_start(ap, fmt);
	vsnprintf(why + n, sizeof(why) - (size_t)n, fmt, ap);
	va_end(ap);
}

static void run(const char *name, void (*fn)(void))
{
	failed = 0;
	fn();
	if (failed) {
		printf("@@RESULT FAIL tools/nvme-raw/unit/%s: %s\n", name, why);
		nfail++;
	} else {
		printf("@@RESULT PASS tools/nvme-raw/unit/%s\n", name);
		npass++;
	}
}

/* ---- layout and encoding ---- */

static void test_layout(void)
{
	/* Figure 105 (SQE) and Figure 121 (CQE) of NVMe 1.4 */
	CHECK_EQ(sizeof(struct nvr_sqe), 64);
	CHECK_EQ(offsetof(struct nvr_sqe, cid), 2);
	CHECK_EQ(offsetof(struct nvr_sqe, nsid), 4);
	CHECK_EQ(offsetof(struct nvr_sqe, mptr), 16);
	CHECK_EQ(offsetof(struct nvr_sqe, prp1), 24);
	CHECK_EQ(offsetof(struct nvr_sqe, prp2), 32);
	CHECK_EQ(offsetof(struct nvr_sqe, cdw10), 40);
	CHECK_EQ(offsetof(struct nvr_sqe, cdw15), 60);
	CHECK_EQ(sizeof(struct nvr_cqe), 16);
	CHECK_EQ(offsetof(struct nvr_cqe, sqhd), 8);
	CHECK_EQ(offsetof(struct nvr_cqe, sqid), 10);
	CHECK_EQ(offsetof(struct nvr_cqe, cid), 12);
	CHECK_EQ(offsetof(struct nvr_cqe, sf), 14);
}

static void test_encoding(void)
{
	struct nvr_sqe c;

	nvr_cmd_create_cq(&c, 3, 64, 0x12345000);
	CHECK_EQ(c.opc, 0x05);
	CHECK_EQ(c.prp1, 0x12345000);
	CHECK_EQ(c.prp2, 0);
	CHECK_EQ(c.cdw10, 63u << 16 | 3);	/* QSIZE 0's based, QID */
	CHECK_EQ(c.cdw11, 1);			/* PC, no IEN, IV 0 */
	nvr_cmd_create_sq(&c, 3, 1024, 2, 0xabc000);
	CHECK_EQ(c.opc, 0x01);
	CHECK_EQ(c.prp1, 0xabc000);
	CHECK_EQ(c.cdw10, 1023u << 16 | 3);
	CHECK_EQ(c.cdw11, 2u << 16 | 1);	/* CQID, QPRIO 0, PC */
	nvr_cmd_delete_q(&c, NVR_ADM_DELETE_CQ, 7);
	CHECK_EQ(c.opc, 0x04);
	CHECK_EQ(c.cdw10, 7);
	nvr_cmd_identify(&c, 1, 0, 0x5000);
	CHECK_EQ(c.opc, 0x06);
	CHECK_EQ(c.cdw10, 1);
	CHECK_EQ(c.nsid, 0);
	CHECK_EQ(c.prp1, 0x5000);
	nvr_cmd_rw(&c, NVR_IO_READ, 1, 0x123456789ULL, 8);
	CHECK_EQ(c.opc, 0x02);
	CHECK_EQ(c.nsid, 1);
	CHECK_EQ(c.cdw10, 0x23456789);
	CHECK_EQ(c.cdw11, 0x1);
	CHECK_EQ(c.cdw12, 7);			/* NLB 0's based */
	nvr_cmd_rw(&c, NVR_IO_WRITE, 1, 0, 65536);
	CHECK_EQ(c.cdw12, 0xffff);
}

static void test_status(void)
{
	struct nvr_cqe e = { .sf = 0x4001 << 1 | 1 };
	char buf[96];

	CHECK_EQ(nvr_status(&e), 0x4001);
	e.sf = 0x4004 << 1;
	CHECK_EQ(nvr_status(&e), 0x4004);
	CHECK_STR(nvr_status_name(0x4001), "Invalid Command Opcode");
	CHECK_STR(nvr_status_name(0x4004), "Data Transfer Error");
	CHECK_STR(nvr_status_name(0x0013), "PRP Offset Invalid");
	CHECK_STR(nvr_status_name(0x4101), "Invalid Queue Identifier");
	CHECK_STR(nvr_status_name(0x410c), "Invalid Queue Deletion");
	CHECK_STR(nvr_status_name(0x4285), "Compare Failure");
	CHECK_STR(nvr_status_name(0x4080), "LBA Out of Range");
	CHECK_STR(nvr_status_name(0x4029), "FDP Disabled");
	CHECK_STR(nvr_status_name(0x00ff), "Unknown Status");
	CHECK_STR(nvr_status_name(0x0301), "Path Related Status");
	CHECK_STR(nvr_status_name(0x07c0), "Vendor Specific");
	CHECK_STR(nvr_status_str(0x6002, buf, sizeof(buf)),
		  "Invalid Field in Command, More, DNR");
	CHECK_STR(nvr_status_str(0, buf, sizeof(buf)), "Successful Completion");
}

/* ---- PRPs ---- */

#define MAXP 2048

static uint64_t data[MAXP];		/* physical address of each page */
static uint64_t lists[4][NVR_PRPS_PER_PAGE];
static uint64_t lists_phys[4] = { 0xa0000000, 0xb0000000, 0xc0000000,
				  0xd0000000 };

/* Scattered, descending page addresses, none next to another */
static void make_pages(void)
{
	unsigned int i;

	for (i = 0; i < MAXP; i++)
		data[i] = 0x800000000ULL - (uint64_t)i * 3 * NVR_PAGE_SIZE;
}

static uint64_t *list_at(uint64_t phys)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		if ((phys & ~(uint64_t)(NVR_PAGE_SIZE - 1)) == lists_phys[i])
			return lists[i] + (phys & (NVR_PAGE_SIZE - 1)) / 8;
	return NULL;
}

/*
 * Walk PRP1/PRP2 as a device does and check that the transfer's address
 * sequence is byte @off of data[] onwards, page by page.
 */
static int walk_ok(uint64_t prp1, uint64_t prp2, size_t off, size_t len)
{
	size_t done, n, left;
	uint64_t *l, e;

	n = NVR_PAGE_SIZE - prp1 % NVR_PAGE_SIZE;
	n = n < len ? n : len;
	if (prp1 != data[off / NVR_PAGE_SIZE] + off % NVR_PAGE_SIZE)
		return 0;
	done = n;
	if (done == len)
		return prp2 == 0;
	if (len - done <= NVR_PAGE_SIZE)
		return prp2 == data[off / NVR_PAGE_SIZE + 1];
	l = list_at(prp2);
	while (l && done < len) {
		left = len - done;
		e = *l;
		/* last slot of a list page with more than a page to go */
		if (((uintptr_t)(l + 1) - (uintptr_t)lists) %
			    (NVR_PAGE_SIZE) == 0 && left > NVR_PAGE_SIZE) {
			l = list_at(e);
			continue;
		}
		if (e != data[(off + done) / NVR_PAGE_SIZE])
			return 0;
		done += left < NVR_PAGE_SIZE ? left : NVR_PAGE_SIZE;
		l++;
	}
	return done == len;
}

static int prp_case(size_t off, size_t len, int want_lists)
{
	uint64_t *lp[4] = { lists[0], lists[1], lists[2], lists[3] };
	uint64_t prp1 = 0, prp2 = 0;
	int n;

	memset(lists, 0xee, sizeof(lists));
	n = nvr_prp_fill(data, off, len, lp, lists_phys, 4, &prp1, &prp2);
	CHECK_EQ(n, want_lists);
	CHECK_EQ(nvr_prp_list_pages(off, len), want_lists);
	check(walk_ok(prp1, prp2, off, len), __LINE__,
	      "PRPs of %zu bytes at %zu do not walk to the pages", len, off);
	return n;
}

static void test_prp_small(void)
{
	make_pages();
	prp_case(0, 4096, 0);
	prp_case(0, 1, 0);
	prp_case(512, 3584, 0);		/* to the end of the first page */
	prp_case(512, 3585, 0);		/* one byte into the second */
	prp_case(0, 8192, 0);		/* PRP2: the second page itself */
	prp_case(4096 * 5 + 8, 4096, 0);
	prp_case(0, 8193, 1);		/* three pages: a list */
	prp_case(0, 12288, 1);
	prp_case(100, 8192, 1);		/* offset: three pages touched */
	CHECK_EQ(lists[0][0], data[1]);
	CHECK_EQ(lists[0][1], data[2]);
	CHECK_EQ(lists[0][2], 0xeeeeeeeeeeeeeeeeULL);	/* nothing more */
}

static void test_prp_list_exact(void)
{
	uint64_t prp1, prp2;
	uint64_t *lp[4] = { lists[0], lists[1], lists[2], lists[3] };

	make_pages();
	/* 513 pages: 512 entries fill one list page, no chaining */
	prp_case(0, 513 * 4096, 1);
	CHECK_EQ(lists[0][511], data[512]);
	nvr_prp_fill(data, 0, 513 * 4096, lp, lists_phys, 4, &prp1, &prp2);
	CHECK_EQ(prp1, data[0]);
	CHECK_EQ(prp2, lists_phys[0]);
}

static void test_prp_chain(void)
{
	make_pages();
	/* 514 pages: 513 entries, the last slot of page 0 chains */
	prp_case(0, 514 * 4096, 2);
	CHECK_EQ(lists[0][510], data[511]);
	CHECK_EQ(lists[0][511], lists_phys[1]);
	CHECK_EQ(lists[1][0], data[512]);
	CHECK_EQ(lists[1][1], data[513]);
	/* 1 + 511 + 512 pages: two list pages exactly */
	prp_case(0, 1024 * 4096, 2);
	CHECK_EQ(lists[1][511], data[1023]);
	/* one page more: a third list page */
	prp_case(0, 1025 * 4096, 3);
	CHECK_EQ(lists[1][511], lists_phys[2]);
	CHECK_EQ(lists[2][0], data[1023]);
	CHECK_EQ(lists[2][1], data[1024]);
	/* an unaligned start shifts every entry by a page boundary */
	prp_case(2052, 600 * 4096, 2);
	prp_case(4092, 1536 * 4096, 4);
}

static void test_prp_errors(void)
{
	uint64_t *lp[1] = { lists[0] };
	uint64_t prp1, prp2;

	make_pages();
	CHECK_EQ(nvr_prp_fill(data, 0, 0, lp, lists_phys, 1, &prp1, &prp2),
		 -EINVAL);
	CHECK_EQ(nvr_prp_fill(data, 2, 16, lp, lists_phys, 1, &prp1, &prp2),
		 -EINVAL);
	CHECK_EQ(nvr_prp_fill(data, 0, 514 * 4096, lp, lists_phys, 1, &prp1,
			      &prp2), -ENOSPC);
	CHECK(strstr(nvr_errmsg(), "2 PRP list pages needed"));
	CHECK_EQ(nvr_prp_list_pages(0, 0), 0);
	CHECK_EQ(nvr_prp_list_pages(4095, 2), 0);
	CHECK_EQ(nvr_prp_list_pages(4095, 4098), 1);
}

/* ---- script parser ---- */

static void test_split(void)
{
	char line[] = "  admin opc=0x06\tcdw10=1   # a comment cdw11=2\n";
	char line2[] = "# only a comment";
	char line3[] = "a b c d";
	char line4[] = "echo a#b";
	char *argv[4];

	CHECK_EQ(scr_split(line, argv, 4), 3);
	CHECK_STR(argv[0], "admin");
	CHECK_STR(argv[1], "opc=0x06");
	CHECK_STR(argv[2], "cdw10=1");
	CHECK_EQ(scr_split(line2, argv, 4), 0);
	CHECK_EQ(scr_split(line3, argv, 3), -1);
	CHECK_EQ(scr_split(line4, argv, 4), 2);	/* '#' inside a word */
	CHECK_STR(argv[1], "a#b");
}

static void test_numbers(void)
{
	char e[160];
	uint64_t v;

	CHECK_EQ(scr_num("0x10", &v, e, sizeof(e)), 0);
	CHECK_EQ(v, 16);
	CHECK_EQ(scr_num("4096", &v, e, sizeof(e)), 0);
	CHECK_EQ(v, 4096);
	CHECK_EQ(scr_num("0xffffffffffffffff", &v, e, sizeof(e)), 0);
	CHECK_EQ(v, UINT64_MAX);
	CHECK_EQ(scr_num("0x1ffffffffffffffff", &v, e, sizeof(e)), -1);
	CHECK(strstr(e, "64 bits"));
	CHECK_EQ(scr_num("-1", &v, e, sizeof(e)), -1);
	CHECK_EQ(scr_num("", &v, e, sizeof(e)), -1);
	CHECK_EQ(scr_num("12a", &v, e, sizeof(e)), -1);
	CHECK_EQ(scr_num(" 1", &v, e, sizeof(e)), -1);
	CHECK_EQ(scr_num_max("256", 255, &v, e, sizeof(e)), -1);
	CHECK_STR(e, "256 is above 0xff");
	CHECK_EQ(scr_size("64k", &v, e, sizeof(e)), 0);
	CHECK_EQ(v, 65536);
	CHECK_EQ(scr_size("2M", &v, e, sizeof(e)), 0);
	CHECK_EQ(v, 2 << 20);
	CHECK_EQ(scr_size("1g", &v, e, sizeof(e)), 0);
	CHECK_EQ(v, 1 << 30);
	CHECK_EQ(scr_size("0x1000", &v, e, sizeof(e)), 0);
	CHECK_EQ(v, 4096);
	CHECK_EQ(scr_size("k", &v, e, sizeof(e)), -1);
	CHECK(scr_name_ok("buf_1-a"));
	CHECK(!scr_name_ok("a+b"));
	CHECK(!scr_name_ok(""));
	CHECK(!scr_name_ok("0123456789012345678901234567890123"));
}

static int field(const char *w, struct scr_cmd *c)
{
	char e[200];

	return scr_cmd_field(w, c, e, sizeof(e));
}

static void test_fields(void)
{
	struct scr_cmd c = { 0 };
	char e[200];

	CHECK_EQ(field("opc=0x06", &c), 0);
	CHECK_EQ(c.sqe.opc, 6);
	CHECK(c.set & SCR_SET_OPC);
	CHECK_EQ(field("nsid=0xffffffff", &c), 0);
	CHECK_EQ(c.sqe.nsid, 0xffffffff);
	CHECK_EQ(field("cdw2=1", &c) | field("cdw3=2", &c) |
		 field("cdw10=10", &c) | field("cdw11=11", &c) |
		 field("cdw13=13", &c) | field("cdw14=14", &c) |
		 field("cdw15=15", &c) | field("mptr=0x99", &c), 0);
	CHECK_EQ(c.sqe.cdw2, 1);
	CHECK_EQ(c.sqe.cdw3, 2);
	CHECK_EQ(c.sqe.cdw10, 10);
	CHECK_EQ(c.sqe.cdw11, 11);
	CHECK_EQ(c.sqe.cdw13, 13);
	CHECK_EQ(c.sqe.cdw14, 14);
	CHECK_EQ(c.sqe.cdw15, 15);
	CHECK_EQ(c.sqe.mptr, 0x99);
	/* SLBA over CDW10-11, NLB in CDW12 bits 15:0 keeping the rest */
	CHECK_EQ(field("slba=0x100000002", &c), 0);
	CHECK_EQ(c.sqe.cdw10, 2);
	CHECK_EQ(c.sqe.cdw11, 1);
	CHECK_EQ(field("cdw12=0x40000000", &c) | field("blocks=8", &c), 0);
	CHECK_EQ(c.sqe.cdw12, 0x40000007);
	CHECK_EQ(field("nlb=0xffff", &c), 0);
	CHECK_EQ(c.sqe.cdw12, 0x4000ffff);
	CHECK_EQ(field("blocks=0", &c), -1);
	CHECK_EQ(field("blocks=65537", &c), -1);
	/* any value at all in the PRP fields: 0, odd, beyond RAM */
	CHECK_EQ(field("prp1=0", &c), 0);
	CHECK_EQ(c.sqe.prp1, 0);
	CHECK(c.set & SCR_SET_PRP1);
	CHECK_EQ(field("prp2=0xffffffffffffffff", &c), 0);
	CHECK_EQ(c.sqe.prp2, UINT64_MAX);
	CHECK_EQ(field("prp1=0x1003", &c), 0);
	CHECK_EQ(c.sqe.prp1, 0x1003);
	/* FUSE bits 1:0, PSDT bits 7:6 of the flags byte */
	CHECK_EQ(field("fuse=1", &c) | field("psdt=2", &c), 0);
	CHECK_EQ(c.sqe.flags, 0x81);
	CHECK_EQ(field("fuse=4", &c), -1);
	CHECK_EQ(field("cid=0xffff", &c), 0);
	CHECK_EQ(c.sqe.cid, 0xffff);
	CHECK(c.set & SCR_SET_CID);
	CHECK_EQ(field("cdw0=0xbeef4106", &c), 0);
	CHECK_EQ(c.sqe.opc, 0x06);
	CHECK_EQ(c.sqe.flags, 0x41);
	CHECK_EQ(c.sqe.cid, 0xbeef);
	CHECK_EQ(field("data=wbuf+4k", &c), 0);
	CHECK_STR(c.data, "wbuf");
	CHECK_EQ(c.data_off, 4096);
	CHECK_EQ(field("data=w", &c), 0);
	CHECK_EQ(c.data_off, 0);
	CHECK_EQ(field("len=64k", &c) | field("timeout=100", &c), 0);
	CHECK_EQ(c.len, 65536);
	CHECK_EQ(c.timeout_ms, 100);
	CHECK_EQ(field("opc=0x100", &c), -1);
	CHECK_EQ(field("bogus=1", &c), -1);
	CHECK_EQ(field("opc", &c), -1);
	CHECK_EQ(field("=1", &c), -1);
	CHECK_EQ(field("data=a/b", &c), -1);
	CHECK_EQ(scr_cmd_field("nlbx=1", &c, e, sizeof(e)), -1);
	CHECK_STR(e, "unknown field 'nlbx'");
}

static void test_status_words(void)
{
	char e[160];
	uint32_t st;

	CHECK_EQ(scr_status("timeout", &st, e, sizeof(e)), 0);
	CHECK_EQ(st, SCR_STATUS_TIMEOUT);
	CHECK_EQ(scr_status("0x4001", &st, e, sizeof(e)), 0);
	CHECK_EQ(st, 0x4001);
	CHECK_EQ(scr_status("0", &st, e, sizeof(e)), 0);
	CHECK_EQ(st, 0);
	CHECK_EQ(scr_status("0x8000", &st, e, sizeof(e)), -1);
	CHECK_EQ(scr_status("late", &st, e, sizeof(e)), -1);
}

/* ---- the library against the fake controller ---- */

static struct nvr_fake *fake;
static struct nvr_ctrl *ctrl;

static int fake_up(void)
{
	fake = nvr_fake_new(16384);
	if (!fake || nvr_fake_open(fake, &ctrl) || nvr_ctrl_reset(ctrl, 4)) {
		check(0, __LINE__, "fake bring-up: %s", nvr_errmsg());
		return -1;
	}
	return 0;
}

static void fake_down(void)
{
	nvr_close(ctrl);
	nvr_fake_free(fake);
	ctrl = NULL;
	fake = NULL;
}

static void test_bringup(void)
{
	uint32_t cc = 0, csts = 0, aqa = 0;
	uint64_t asq = 0;

	if (fake_up())
		return;
	nvr_reg_read32(ctrl, NVR_REG_CC, &cc);
	nvr_reg_read32(ctrl, NVR_REG_CSTS, &csts);
	nvr_reg_read32(ctrl, NVR_REG_AQA, &aqa);
	nvr_reg_read64(ctrl, NVR_REG_ASQ, &asq);
	/* EN, CSS NVM (the fake offers no other), MPS 0, IOSQES 6, IOCQES 4 */
	CHECK_EQ(cc, 0x00460001);
	CHECK_EQ(csts & 1, 1);
	CHECK_EQ(aqa, 0x00030003);
	CHECK_EQ(asq, ctrl->q[0]->sq.phys[0]);
	CHECK_EQ(ctrl->ready_ms, 1000);	/* CAP.TO 2 */
	CHECK_EQ(ctrl->dstrd, 4);
	CHECK_EQ(nvr_doorbell_off(ctrl, 1, 1), 0x100c);
	CHECK_EQ(nvr_reg_read32(ctrl, 2, &cc), -EINVAL);
	CHECK_EQ(nvr_reg_write32(ctrl, 0x4000, 1), -ERANGE);
	CHECK_EQ(nvr_doorbell(ctrl, 2000, 0, 1), -ERANGE);
	CHECK(strstr(nvr_errmsg(), "beyond BAR0"));
	CHECK_EQ(nvr_ctrl_shutdown(ctrl), 0);
	fake_down();
}

static void test_admin_wrap(void)
{
	struct nvr_sqe cmd;
	struct nvr_cqe e;
	unsigned int i;

	if (fake_up())
		return;
	/* 4-entry admin queue: 10 commands wrap the SQ and flip the phase */
	for (i = 0; i < 10; i++) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.opc = 0xff;
		CHECK_EQ(nvr_cmd(ctrl, 0, &cmd, 1000, &e), 0);
		CHECK_EQ(nvr_status(&e), 0x4001);
		CHECK_EQ(e.sqid, 0);
		CHECK_EQ(e.cid, cmd.cid);
	}
	CHECK_EQ(ctrl->q[0]->phase, 1 ^ (10 / 4 % 2));
	CHECK_EQ(ctrl->q[0]->cq_head, 10 % 4);
	fake_down();
}

static void test_full_and_order(void)
{
	struct nvr_sqe cmd = { .opc = 0xfe };
	uint16_t cid[4];
	struct nvr_cqe e;

	if (fake_up())
		return;
	/* hung: three commands fit a 4-entry SQ, the fourth does not */
	nvr_fake_hang(fake, 1);
	CHECK_EQ(nvr_submit(ctrl, 0, &cmd, 0, &cid[0]), 0);
	CHECK_EQ(nvr_submit(ctrl, 0, &cmd, 0, &cid[1]), 0);
	CHECK_EQ(nvr_submit(ctrl, 0, &cmd, 0, &cid[2]), 0);
	CHECK_EQ(nvr_submit(ctrl, 0, &cmd, 0, &cid[3]), -EBUSY);
	CHECK_EQ(nvr_wait(ctrl, 0, cid[0], 50, &e), -ETIMEDOUT);
	CHECK(strstr(nvr_errmsg(), "within 50 ms"));
	/* the first ring after the hang: all three complete */
	nvr_fake_hang(fake, 0);
	CHECK_EQ(nvr_doorbell(ctrl, 0, 0, ctrl->q[0]->sq_tail), 0);
	/* asked for out of order: the others wait in the stash */
	CHECK_EQ(nvr_wait(ctrl, 0, cid[2], 1000, &e), 0);
	CHECK_EQ(e.cid, cid[2]);
	CHECK_EQ(ctrl->q[0]->nstash, 2);
	CHECK_EQ(nvr_wait(ctrl, 0, cid[0], 1000, &e), 0);
	CHECK_EQ(e.cid, cid[0]);
	CHECK_EQ(nvr_reap(ctrl, 0, 1000, &e), 0);
	CHECK_EQ(e.cid, cid[1]);
	CHECK_EQ(nvr_reap(ctrl, 0, 10, &e), -ETIMEDOUT);
	/* raw command identifiers go out as they are */
	cmd.cid = 0xffff;
	CHECK_EQ(nvr_submit(ctrl, 0, &cmd, NVR_RAW_CID, &cid[0]), 0);
	CHECK_EQ(cid[0], 0xffff);
	CHECK_EQ(nvr_wait(ctrl, 0, 0xffff, 1000, &e), 0);
	fake_down();
}

static void test_io_prp(void)
{
	struct nvr_dma w, r, l1, l2;
	struct nvr_sqe cmd;
	struct nvr_cqe e;
	uint16_t st;
	size_t i, sizes[] = { 512, 4096, 8192, 12288, 65536, 514 * 4096,
			      1024 * 4096 };

	if (fake_up())
		return;
	CHECK_EQ(nvr_ioq_create(ctrl, 1, 128, &st), 0);
	CHECK_EQ(st, 0);
	CHECK_EQ(nvr_dma_alloc(ctrl, 4 << 20, 0, &w), 0);
	CHECK_EQ(nvr_dma_alloc(ctrl, 4 << 20, 0, &r), 0);
	for (i = 0; i < w.size; i++)
		((uint8_t *)w.va)[i] = (uint8_t)(i * 7 + i / 4096);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(r.va, 0, r.size);
		nvr_cmd_rw(&cmd, NVR_IO_WRITE, 1, 0, (uint32_t)(sizes[i] / 512));
		CHECK_EQ(nvr_prp_map(ctrl, &w, 0, sizes[i], &cmd, &l1), 0);
		CHECK_EQ(nvr_cmd(ctrl, 1, &cmd, 1000, &e), 0);
		CHECK_EQ(nvr_status(&e), 0);
		nvr_cmd_rw(&cmd, NVR_IO_READ, 1, 0, (uint32_t)(sizes[i] / 512));
		CHECK_EQ(nvr_prp_map(ctrl, &r, 0, sizes[i], &cmd, &l2), 0);
		CHECK_EQ(nvr_cmd(ctrl, 1, &cmd, 1000, &e), 0);
		CHECK_EQ(nvr_status(&e), 0);
		check(!memcmp(w.va, r.va, sizes[i]), __LINE__,
		      "%zu bytes read back differ", sizes[i]);
		nvr_dma_free(ctrl, &l1);
		nvr_dma_free(ctrl, &l2);
	}
	/* PRP1 = 0 goes out as 0: the fake has nothing there */
	nvr_cmd_rw(&cmd, NVR_IO_READ, 1, 0, 8);
	cmd.prp1 = 0;
	CHECK_EQ(nvr_cmd(ctrl, 1, &cmd, 1000, &e), 0);
	CHECK_EQ(nvr_status(&e), 0x4004);
	nvr_dma_free(ctrl, &w);
	nvr_dma_free(ctrl, &r);
	CHECK_EQ(nvr_ioq_delete(ctrl, 1, &st), 0);
	CHECK(ctrl->q[1] == NULL);
	fake_down();
}

/* nvr_poll: never waits; kept completions first, then the CQ */
static void test_poll(void)
{
	struct nvr_sqe cmd = { .opc = 0xfe };
	uint16_t cid[3];
	struct nvr_cqe e;

	if (fake_up())
		return;
	CHECK_EQ(nvr_poll(ctrl, 0, &e), 0);
	CHECK_EQ(nvr_poll(ctrl, 5, &e), -ENOENT);
	CHECK_EQ(nvr_submit(ctrl, 0, &cmd, 0, &cid[0]), 0);
	CHECK_EQ(nvr_submit(ctrl, 0, &cmd, 0, &cid[1]), 0);
	CHECK_EQ(nvr_poll(ctrl, 0, &e), 1);
	CHECK_EQ(e.cid, cid[0]);
	CHECK_EQ(nvr_status(&e), 0x4001);
	CHECK_EQ(nvr_poll(ctrl, 0, &e), 1);
	CHECK_EQ(e.cid, cid[1]);
	CHECK_EQ(nvr_poll(ctrl, 0, &e), 0);
	/* a completion kept by a wait for another comes first */
	nvr_fake_hang(fake, 1);
	CHECK_EQ(nvr_submit(ctrl, 0, &cmd, 0, &cid[0]), 0);
	CHECK_EQ(nvr_submit(ctrl, 0, &cmd, 0, &cid[1]), 0);
	nvr_fake_hang(fake, 0);
	CHECK_EQ(nvr_doorbell(ctrl, 0, 0, ctrl->q[0]->sq_tail), 0);
	CHECK_EQ(nvr_wait(ctrl, 0, cid[1], 1000, &e), 0);
	CHECK_EQ(ctrl->q[0]->nstash, 1);
	CHECK_EQ(nvr_poll(ctrl, 0, &e), 1);
	CHECK_EQ(e.cid, cid[0]);
	CHECK_EQ(ctrl->q[0]->nstash, 0);
	CHECK_EQ(nvr_poll(ctrl, 0, &e), 0);
	fake_down();
}

/* nvr_fake_oob: a read writes 16 bytes into the next physical page */
static void test_fake_oob(void)
{
	struct nvr_dma d;
	struct nvr_sqe cmd;
	struct nvr_cqe e;
	uint16_t st;
	uint8_t *p;
	size_t i;
	int n = 0;

	if (fake_up())
		return;
	CHECK_EQ(nvr_ioq_create(ctrl, 1, 8, &st), 0);
	CHECK_EQ(nvr_dma_alloc(ctrl, 3 * 4096, NVR_DMA_CONTIG, &d), 0);
	memset(d.va, 0x11, d.size);
	nvr_fake_oob(fake, 2);
	for (i = 0; i < 2; i++) {
		nvr_cmd_rw(&cmd, NVR_IO_READ, 1, 0, 8);
		cmd.prp1 = d.phys[0];
		CHECK_EQ(nvr_cmd(ctrl, 1, &cmd, 1000, &e), 0);
		CHECK_EQ(nvr_status(&e), 0);
		p = (uint8_t *)d.va + 4096;
		n = p[0] == 0xee && p[15] == 0xee && p[16] == 0x11;
		CHECK_EQ(n, i == 1);	/* the second read only */
	}
	nvr_dma_free(ctrl, &d);
	fake_down();
}

static void test_aer(void)
{
	struct nvr_sqe cmd = { .opc = 0xff };
	struct nvr_cqe e;
	uint16_t cid;

	if (fake_up())
		return;
	CHECK_EQ(nvr_aer_wait(ctrl, 10, &e), -ENOENT);
	CHECK_EQ(nvr_aer_post(ctrl, &cid), 0);
	CHECK_EQ(nvr_aer_wait(ctrl, 20, &e), -ETIMEDOUT);
	CHECK(strstr(nvr_errmsg(), "Asynchronous Event Request"));
	/* an event while another command is waited for: kept for later */
	nvr_fake_event(fake, 0x00040102);
	CHECK_EQ(nvr_cmd(ctrl, 0, &cmd, 1000, &e), 0);
	CHECK_EQ(nvr_status(&e), 0x4001);
	CHECK_EQ(nvr_aer_wait(ctrl, 1000, &e), 0);
	CHECK_EQ(e.cid, cid);
	CHECK_EQ(e.dw0, 0x00040102);
	CHECK_EQ(ctrl->naer, 0);
	fake_down();
}

static void test_contig(void)
{
	struct nvr_dma d;
	size_t i;

	if (fake_up())
		return;
	CHECK_EQ(nvr_dma_alloc(ctrl, 5 * 4096 + 1, NVR_DMA_CONTIG, &d), 0);
	CHECK_EQ(d.size, 6 * 4096);
	for (i = 1; i < d.npages; i++)
		CHECK_EQ(d.phys[i], d.phys[0] + i * 4096);
	CHECK_EQ(nvr_dma_phys(&d, 4096 + 5), d.phys[1] + 5);
	nvr_dma_free(ctrl, &d);
	CHECK_EQ(nvr_dma_alloc(ctrl, 0, 0, &d), -EINVAL);
	fake_down();
}

/* A controller that reports Controller Fatal Status once enabled */
static uint32_t fatal_bar[1024];
static uint64_t fatal_next = 0x40000000;

static int plain_map(void *ctx, void *va, size_t npages, int contig,
		     uint64_t *phys)
{
	size_t i;

	(void)ctx;
	(void)va;
	(void)contig;
	for (i = 0; i < npages; i++, fatal_next += NVR_PAGE_SIZE)
		phys[i] = fatal_next;
	return 0;
}

static void plain_unmap(void *ctx, void *va, size_t npages)
{
	(void)ctx;
	(void)va;
	(void)npages;
}

static void fatal_written(void *ctx, uint32_t off, uint32_t val)
{
	(void)ctx;
	if (off == NVR_REG_CC)
		fatal_bar[NVR_REG_CSTS / 4] = val & NVR_CC_EN ?
					      NVR_CSTS_CFS : 0;
}

static void test_fatal(void)
{
	static const struct nvr_mem_ops ops = { plain_map, plain_unmap };
	struct nvr_ctrl *c;
	struct timespec t0, t1;

	memset(fatal_bar, 0, sizeof(fatal_bar));
	fatal_bar[0] = 0x3ff | 20u << 24;	/* CAP.TO 20: 10 s */
	if (nvr_open_fake(fatal_bar, sizeof(fatal_bar), &ops, NULL,
			  fatal_written, NULL, NULL, &c)) {
		check(0, __LINE__, "%s", nvr_errmsg());
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ(nvr_ctrl_reset(c, 2), -EIO);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(strstr(nvr_errmsg(), "Controller Fatal Status (CSTS 0x2) while waiting for CSTS.RDY = 1"));
	/* at once, not after CAP.TO; so is the disable of the close */
	CHECK(t1.tv_sec - t0.tv_sec < 2);
	nvr_close(c);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(t0.tv_sec - t1.tv_sec < 2);
}

/*
 * Real memory through /proc/self/pagemap: needs root (else the frame
 * numbers read as 0 and the test only checks that this is said).
 */
static void test_pagemap(void)
{
	uint32_t bar[1024] = { 0x3ff, 0 };	/* CAP: MQES, nothing else */
	struct nvr_dma d, q;
	struct nvr_ctrl *c;
	size_t i;
	int ret;

	if (nvr_open_fake(bar, sizeof(bar), NULL, NULL, NULL, NULL, NULL,
			  &c)) {
		check(0, __LINE__, "%s", nvr_errmsg());
		return;
	}
	ret = nvr_dma_alloc(c, 64 << 10, 0, &d);
	if (ret == -EPERM) {
		CHECK(strstr(nvr_errmsg(), "run as root"));
		printf("## pagemap: not root, physical addresses not checked\n");
		free(c);
		return;
	}
	CHECK_EQ(ret, 0);
	for (i = 0; !ret && i < d.npages; i++) {
		CHECK(d.phys[i] != 0);
		CHECK_EQ(d.phys[i] % NVR_PAGE_SIZE, 0);
		CHECK(i == 0 || d.phys[i] != d.phys[i - 1]);
	}
	/* a queue of 16 KiB: contiguous, whichever way it was found */
	ret = nvr_dma_alloc(c, 16 << 10, NVR_DMA_CONTIG, &q);
	check(!ret, __LINE__, "contiguous 16 KiB: %s", nvr_errmsg());
	for (i = 1; !ret && i < q.npages; i++)
		CHECK_EQ(q.phys[i], q.phys[0] + i * NVR_PAGE_SIZE);
	nvr_dma_free(c, &q);
	nvr_dma_free(c, &d);
	free(c);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	run("layout", test_layout);
	run("encoding", test_encoding);
	run("status-names", test_status);
	run("prp-small", test_prp_small);
	run("prp-list-exact", test_prp_list_exact);
	run("prp-chain", test_prp_chain);
	run("prp-errors", test_prp_errors);
	run("script-split", test_split);
	run("script-numbers", test_numbers);
	run("script-fields", test_fields);
	run("script-status", test_status_words);
	run("fake-bringup", test_bringup);
	run("fake-admin-wrap", test_admin_wrap);
	run("fake-full-and-order", test_full_and_order);
	run("fake-io-prp", test_io_prp);
	run("fake-aer", test_aer);
	run("poll", test_poll);
	run("fake-oob", test_fake_oob);
	run("fake-contig", test_contig);
	run("fatal-status", test_fatal);
	run("pagemap-dma", test_pagemap);
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
