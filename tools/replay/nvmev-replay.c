// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev-replay: replay an nvmev-sim trace on an NVMe namespace through the
 * kernel's passthrough ioctl, one command at a time, so that each write can
 * carry a data placement directive (Flexible Data Placement: DTYPE 2 and a
 * placement identifier), which fio before 3.34 cannot send.
 *
 *   nvmev-replay [--verify] [--quiet] [--rgif BITS] DEVICE TRACE
 *
 * DEVICE is a namespace's block device (/dev/nvme0n1).  TRACE has the
 * lines of nvmev-sim's traces (tools/sim/README.md, "Traces"):
 *
 *	<time_ns|-> <op> <offset_bytes> <len_bytes> [ruh=N] [rg=N] [pid=N]
 *
 * op: W write, R read, T deallocate, Z write zeroes, F flush (offset and
 * length may be left out).  Sizes take k, m, g (KiB, MiB, GiB).  A write
 * naming a placement goes with the Data Placement directive (DTYPE 2) and
 * a placement identifier: pid=N gives it whole; ruh=N (the placement
 * handle) and rg=N (the reclaim group) make rg << (16 - BITS) | ruh, BITS
 * being the configuration's RGIF (--rgif, default 0: rg must be 0).
 * Without any, a write has no directive.  The time column is ignored
 * (commands go one after another).  '#' starts a comment.
 *
 * Every logical block written holds a pattern made from its LBA and a
 * generation number.  With --verify, reads compare what they get with what
 * the trace wrote last (zeroes after write zeroes; blocks never written or
 * deallocated are not checked), and at the end every block the trace left
 * written is read back and compared.
 *
 * Prints one line per failed command and a summary; exits 0 if every
 * command succeeded and every comparison matched, 1 otherwise, 2 on bad
 * usage or an unreadable trace.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/fs.h>
#include <linux/nvme_ioctl.h>

#define OP_WRITE	0x01
#define OP_READ		0x02
#define OP_FLUSH	0x00
#define OP_DSM		0x09
#define OP_WZ		0x08
#define DTYPE_PLACEMENT	2
/*
 * Longer commands are split: 256 KiB is 64 pages, within the segments the
 * kernel allows a passthrough buffer (NVMe: 127), however scattered
 */
#define MAX_XFER	(256u << 10)
#define MAGIC		0x6e767270u	/* "nvrp" */

/* What a block holds, as far as the trace knows. */
enum { B_UNKNOWN = 0, B_ZERO = 1 };	/* else the generation + 1 */

struct dev {
	int fd;
	unsigned int nsid;
	unsigned int lbsz;
	uint64_t nlb;
	uint32_t *state;	/* per block: B_* or generation + 1 */
	uint32_t gen;
	unsigned char *buf;
	bool verify;
	bool quiet;
	unsigned int rgif;
	unsigned long cmds, errors, mismatches;
};

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void fill_block(unsigned char *p, unsigned int n, uint64_t lba,
		       uint32_t gen)
{
	uint64_t s = mix(lba * 0x100000001ULL + gen);
	unsigned int i;

	for (i = 0; i < n; i += 8) {
		s = mix(s);
		memcpy(p + i, &s, 8);
	}
	memcpy(p, &(uint32_t){ MAGIC }, 4);
	memcpy(p + 4, &gen, 4);
	memcpy(p + 8, &lba, 8);
}

static int io(struct dev *d, uint8_t opc, uint64_t slba, uint32_t nlb,
	      void *buf, uint32_t len, uint32_t cdw12_extra, uint32_t cdw13)
{
	struct nvme_passthru_cmd c;
	int r;

	memset(&c, 0, sizeof(c));
	c.opcode = opc;
	c.nsid = d->nsid;
	c.addr = (uintptr_t)buf;
	c.data_len = len;
	if (opc == OP_READ || opc == OP_WRITE || opc == OP_WZ) {
		c.cdw10 = (uint32_t)slba;
		c.cdw11 = (uint32_t)(slba >> 32);
		c.cdw12 = (nlb - 1) | cdw12_extra;
		c.cdw13 = cdw13;
	} else if (opc == OP_DSM) {
		c.cdw10 = 0;		/* one range */
		c.cdw11 = 1 << 2;	/* deallocate */
	}
	d->cmds++;
	r = ioctl(d->fd, NVME_IOCTL_IO_CMD, &c);
	if (r) {
		d->errors++;
		if (r < 0)
			fprintf(stderr, "opcode %#x slba %" PRIu64 ": %s\n",
				opc, slba, strerror(errno));
		else
			fprintf(stderr,
				"opcode %#x slba %" PRIu64 ": status %#x\n",
				opc, slba, r);
	}
	return r;
}

/* Compare block @lba (in @p) with what the trace left there. */
static void check_block(struct dev *d, const unsigned char *p, uint64_t lba)
{
	uint32_t st = d->state[lba];
	static unsigned char *want;
	unsigned int i;

	if (st == B_UNKNOWN)
		return;
	if (!want) {
		want = malloc(d->lbsz);
		if (!want) {
			perror("malloc");
			exit(2);
		}
	}
	if (st == B_ZERO) {
		for (i = 0; i < d->lbsz && !p[i]; i++)
			;
		if (i == d->lbsz)
			return;
	} else {
		fill_block(want, d->lbsz, lba, st - 1);
		if (!memcmp(p, want, d->lbsz))
			return;
	}
	if (d->mismatches++ < 10)
		fprintf(stderr, "lba %" PRIu64 ": data differs from %s %u\n",
			lba, st == B_ZERO ? "zeroes" : "generation",
			st == B_ZERO ? 0 : st - 1);
}

static void do_rw(struct dev *d, bool write, uint64_t slba, uint64_t nlb,
		  int pid)
{
	uint32_t per = MAX_XFER / d->lbsz;

	while (nlb) {
		uint32_t n = nlb < per ? (uint32_t)nlb : per;
		uint32_t i;

		if (write) {
			d->gen++;
			for (i = 0; i < n; i++)
				fill_block(d->buf + (size_t)i * d->lbsz,
					   d->lbsz, slba + i, d->gen);
			if (!io(d, OP_WRITE, slba, n, d->buf, n * d->lbsz,
				pid >= 0 ? DTYPE_PLACEMENT << 20 : 0,
				pid >= 0 ? (uint32_t)pid << 16 : 0))
				for (i = 0; i < n; i++)
					d->state[slba + i] = d->gen + 1;
		} else if (!io(d, OP_READ, slba, n, d->buf, n * d->lbsz, 0,
			       0) && d->verify) {
			for (i = 0; i < n; i++)
				check_block(d, d->buf + (size_t)i * d->lbsz,
					    slba + i);
		}
		slba += n;
		nlb -= n;
	}
}

static void do_dsm(struct dev *d, uint64_t slba, uint64_t nlb, bool zeroes)
{
	struct { uint32_t cattr, nlb; uint64_t slba; } r;

	while (nlb) {
		uint32_t n = nlb < 65536 ? (uint32_t)nlb : 65536;
		uint32_t i;
		int e;

		if (zeroes) {
			e = io(d, OP_WZ, slba, n, NULL, 0, 0, 0);
		} else {
			r.cattr = 0;
			r.nlb = n;
			r.slba = slba;
			e = io(d, OP_DSM, 0, 0, &r, sizeof(r), 0, 0);
		}
		if (!e)
			for (i = 0; i < n; i++)
				d->state[slba + i] = zeroes ? B_ZERO :
							      B_UNKNOWN;
		slba += n;
		nlb -= n;
	}
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (tolower((unsigned char)*end)) {
	case 'k':
		v <<= 10;
		end++;
		break;
	case 'm':
		v <<= 20;
		end++;
		break;
	case 'g':
		v <<= 30;
		end++;
		break;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

/* One trace line; returns 0, or -1 with a message for a bad line. */
static int run_line(struct dev *d, char *line, unsigned long no)
{
	char *tok[8], *p = strchr(line, '#');
	uint64_t off = 0, len = 0, slba, nlb, ruh = 0, rg = 0, v;
	int n = 0, i, pid = -1;
	bool placed = false;
	char op;

	if (p)
		*p = 0;
	for (p = strtok(line, " \t\r\n"); p && n < 8;
	     p = strtok(NULL, " \t\r\n"))
		tok[n++] = p;
	if (p)
		goto bad;
	if (!n)
		return 0;
	if (n < 2 || strlen(tok[1]) != 1)
		goto bad;
	op = (char)toupper((unsigned char)tok[1][0]);
	if (op == 'F') {
		io(d, OP_FLUSH, 0, 0, NULL, 0, 0, 0);
		return 0;
	}
	if (n < 4 || parse_size(tok[2], &off) || parse_size(tok[3], &len))
		goto bad;
	for (i = 4; i < n; i++) {
		if (!strncmp(tok[i], "pid=", 4) &&
		    !parse_size(tok[i] + 4, &v) && v <= 0xffff)
			pid = (int)v;
		else if (!strncmp(tok[i], "ruh=", 4) &&
			 !parse_size(tok[i] + 4, &v))
			ruh = v;
		else if (!strncmp(tok[i], "rg=", 3) &&
			 !parse_size(tok[i] + 3, &v))
			rg = v;
		else
			goto bad;
		placed = true;
	}
	if (placed && op != 'W')
		goto bad;
	if (placed && pid < 0) {
		unsigned int phbits = 16 - d->rgif;

		if (ruh >> phbits || (d->rgif ? rg >> d->rgif : rg)) {
			fprintf(stderr, "line %lu: ruh=%" PRIu64 " rg=%" PRIu64 " do not fit a placement identifier with RGIF %u\n",
				no, ruh, rg, d->rgif);
			return -1;
		}
		pid = (int)(rg << phbits | ruh);
	}
	if (off % d->lbsz || len % d->lbsz || !len) {
		fprintf(stderr, "line %lu: offset and length must be multiples of %u\n",
			no, d->lbsz);
		return -1;
	}
	slba = off / d->lbsz;
	nlb = len / d->lbsz;
	if (slba >= d->nlb || nlb > d->nlb - slba) {
		fprintf(stderr, "line %lu: beyond the namespace\n", no);
		return -1;
	}
	switch (op) {
	case 'W':
		do_rw(d, true, slba, nlb, pid);
		return 0;
	case 'R':
		do_rw(d, false, slba, nlb, -1);
		return 0;
	case 'T':
		do_dsm(d, slba, nlb, false);
		return 0;
	case 'Z':
		do_dsm(d, slba, nlb, true);
		return 0;
	}
bad:
	fprintf(stderr, "line %lu: not '<time|-> <W|R|T|Z|F> <offset> <len>' (a W may add ruh=N rg=N or pid=N)\n",
		no);
	return -1;
}

static void verify_all(struct dev *d)
{
	uint64_t lba = 0;

	while (lba < d->nlb) {
		uint64_t n = 0;

		while (lba < d->nlb && d->state[lba] == B_UNKNOWN)
			lba++;
		while (lba + n < d->nlb && d->state[lba + n] != B_UNKNOWN &&
		       n < MAX_XFER / d->lbsz)
			n++;
		if (n)
			do_rw(d, false, lba, n, -1);
		lba += n;
	}
}

int main(int argc, char **argv)
{
	struct dev d = { .fd = -1 };
	unsigned long no = 0;
	unsigned long long bytes;
	char line[512];
	int i, ret, bad = 0;
	FILE *f;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--verify"))
			d.verify = true;
		else if (!strcmp(argv[i], "--quiet"))
			d.quiet = true;
		else if (!strcmp(argv[i], "--rgif") && i + 1 < argc &&
			 atoi(argv[i + 1]) >= 0 && atoi(argv[i + 1]) <= 15)
			d.rgif = (unsigned int)atoi(argv[++i]);
		else
			break;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: %s [--verify] [--quiet] [--rgif BITS] DEVICE TRACE\n",
			argv[0]);
		return 2;
	}
	d.fd = open(argv[i], O_RDWR);
	if (d.fd < 0) {
		fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
		return 2;
	}
	ret = ioctl(d.fd, NVME_IOCTL_ID);
	if (ret <= 0 || ioctl(d.fd, BLKSSZGET, &d.lbsz) ||
	    ioctl(d.fd, BLKGETSIZE64, &bytes) || !d.lbsz) {
		fprintf(stderr, "%s: not an NVMe namespace block device\n",
			argv[i]);
		return 2;
	}
	d.nsid = (unsigned int)ret;
	d.nlb = bytes / d.lbsz;
	d.state = calloc(d.nlb, sizeof(*d.state));
	d.buf = aligned_alloc(4096, MAX_XFER);
	if (!d.state || !d.buf) {
		perror("malloc");
		return 2;
	}
	f = fopen(argv[i + 1], "r");
	if (!f) {
		fprintf(stderr, "%s: %s\n", argv[i + 1], strerror(errno));
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		if (run_line(&d, line, ++no)) {
			bad = 1;
			break;
		}
	}
	fclose(f);
	if (bad)
		return 2;
	if (d.verify)
		verify_all(&d);
	if (!d.quiet)
		printf("%lu commands, %lu failed, %lu blocks differ\n",
		       d.cmds, d.errors, d.mismatches);
	return d.errors || d.mismatches ? 1 : 0;
}
