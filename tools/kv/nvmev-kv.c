// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev-kv: drive an NVMe Key Value namespace (command set 01h) through the
 * Linux passthrough ioctl on its generic char device /dev/ngXnY.
 *
 * Command layout (NVMe Key Value Command Set; see ftl/kv.h for the sources):
 *   opcode   Store 01h, Retrieve 02h, List 06h, Delete 10h, Exist 14h
 *   CDW2-3   key bytes 0..7, CDW14-15 key bytes 8..15 (byte i of the key is
 *            byte i of those 8 bytes, little-endian dwords)
 *   CDW10    Store: value size; Retrieve, List: host buffer size (bytes)
 *   CDW11    bits 7:0 key length, bits 15:8 Store / Retrieve options
 *   Retrieve completes with the full value size in CDW0.
 *   List fills the buffer with a u32 key count, then per key a u16 length and
 *   the key bytes, padded to a multiple of 4 bytes.
 *
 * Plain C, libc and pthreads only, so it can be linked statically into an
 * initramfs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/nvme_ioctl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define OPC_STORE	0x01
#define OPC_RETRIEVE	0x02
#define OPC_LIST	0x06
#define OPC_DELETE	0x10
#define OPC_EXIST	0x14

#define SO_IF_EXISTS	0x01	/* Store Option bit 0 (CDW11 bit 8) */
#define SO_IF_NOT_EXISTS 0x02	/* Store Option bit 1 (CDW11 bit 9) */

#define MAX_KEY		16
#define LIST_PAGE_MIN	(4 + 2 * 20)	/* header and two 16-byte keys */
#define MAX_VALUE_READ	(64U << 20)	/* largest value file we read */

#define EXIT_STATUS	1	/* the device returned an error status */
#define EXIT_USAGE	2	/* bad arguments or a system error */

struct opts {
	const char *dev;
	uint32_t nsid;
	bool nsid_set;
	bool dry_run;
	int kl;			/* key length override, -1: none */
	uint32_t buf;		/* host buffer size for get/list, 0: default */
	uint8_t store_opts;
	const char *out;
	bool all;
	/* bench */
	uint64_t ops;
	uint32_t keys;
	uint32_t size;
	uint32_t write_pct;
	uint32_t threads;
	uint64_t seed;
	bool preload;
	int cpu;		/* pin to this CPU, -1: no */
	bool spin;
	/* fill, verify */
	bool keys_set;
	bool size_set;
	bool range_set;
	uint32_t min_size, max_size;
	const char *prefix;
};

static struct opts o = {
	.kl = -1,
	.ops = 10000,
	.keys = 1000,
	.size = 4096,
	.write_pct = 50,
	.threads = 1,
	.seed = 1,
	.preload = true,
	.cpu = -1,
	.min_size = UINT32_MAX,
	.max_size = UINT32_MAX,
	.prefix = "k",
};

static int fd = -1;
static const char *prog = "nvmev-kv";

struct key {
	uint8_t b[MAX_KEY];
	uint32_t len;
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						     noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

/* ---- statuses ---- */

static const struct {
	uint16_t code;		/* (SCT << 8) | SC */
	const char *name;
} status_names[] = {
	{ 0x000, "Successful Completion" },
	{ 0x001, "Invalid Command Opcode" },
	{ 0x002, "Invalid Field in Command" },
	{ 0x004, "Data Transfer Error" },
	{ 0x006, "Internal Error" },
	{ 0x007, "Command Abort Requested" },
	{ 0x00b, "Invalid Namespace or Format" },
	{ 0x00d, "Invalid SGL Segment Descriptor" },
	{ 0x013, "PRP Offset Invalid" },
	{ 0x081, "Capacity Exceeded" },
	{ 0x082, "Namespace Not Ready" },
	{ 0x083, "Reservation Conflict" },
	{ 0x084, "Format In Progress" },
	{ 0x085, "Invalid Value Size" },
	{ 0x086, "Invalid Key Size" },
	{ 0x087, "KV Key Does Not Exist" },
	{ 0x088, "Unrecovered Error" },
	{ 0x089, "KV Key Exists" },
	{ 0x281, "Unrecovered Read Error" },
};

static const char *status_name(uint32_t status)
{
	uint32_t code = status & 0x7ff;
	size_t i;

	for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (status_names[i].code == code)
			return status_names[i].name;
	return "Unknown Status";
}

static void print_status(FILE *f, const char *what, uint32_t status)
{
	fprintf(f, "%s: %s: %s (SCT %u SC 0x%02x, status 0x%04x%s)\n", prog,
		what, status_name(status), (status >> 8) & 7, status & 0xff,
		status, status & 0x4000 ? ", DNR" : "");
}

/* ---- keys ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "0x..." is hex (two digits a byte), anything else the bytes themselves. */
static void parse_key(const char *s, struct key *k)
{
	size_t n = strlen(s), i;

	memset(k, 0, sizeof(*k));
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n -= 2;
		if (n % 2)
			die("hex key '0x%s': odd number of digits", s);
		if (n / 2 > MAX_KEY)
			die("hex key '0x%s': longer than %d bytes", s, MAX_KEY);
		for (i = 0; i < n / 2; i++) {
			int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

			if (hi < 0 || lo < 0)
				die("hex key '0x%s': not a hex digit", s);
			k->b[i] = (uint8_t)(hi << 4 | lo);
		}
		k->len = n / 2;
		return;
	}
	if (n > MAX_KEY)
		die("key '%s': longer than %d bytes", s, MAX_KEY);
	memcpy(k->b, s, n);
	k->len = n;
}

/* Text if printable and not mistakable for hex, else 0x... */
static void print_key(FILE *f, const uint8_t *b, uint32_t len)
{
	bool text = len > 0 && !(len >= 2 && b[0] == '0' &&
				 (b[1] == 'x' || b[1] == 'X'));
	uint32_t i;

	for (i = 0; i < len && text; i++)
		if (b[i] < 0x21 || b[i] > 0x7e)
			text = false;
	if (text) {
		fwrite(b, 1, len, f);
		return;
	}
	fputs("0x", f);
	for (i = 0; i < len; i++)
		fprintf(f, "%02x", b[i]);
}

/* ---- commands ---- */

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void build(struct nvme_passthru_cmd64 *c, uint8_t opc,
		  const struct key *k, uint8_t options, uint32_t cdw10,
		  void *data, uint32_t data_len)
{
	uint8_t kb[MAX_KEY];
	uint32_t kl;

	memset(c, 0, sizeof(*c));
	memset(kb, 0, sizeof(kb));
	if (k)
		memcpy(kb, k->b, k->len);
	kl = o.kl >= 0 ? (uint32_t)o.kl : k ? k->len : 0;
	c->opcode = opc;
	c->nsid = o.nsid;
	c->cdw2 = le32(kb);
	c->cdw3 = le32(kb + 4);
	c->cdw14 = le32(kb + 8);
	c->cdw15 = le32(kb + 12);
	c->cdw10 = cdw10;
	c->cdw11 = (kl & 0xff) | (uint32_t)options << 8;
	c->addr = (uintptr_t)data;
	c->data_len = data_len;
}

/*
 * Send @c; returns the NVMe status (0 on success) and the completion's
 * CDW0 in *result.  A system error is fatal.
 */
static uint32_t submit(struct nvme_passthru_cmd64 *c, uint32_t *result)
{
	int r;

	if (result)
		*result = 0;
	if (o.dry_run) {
		printf("cmd opcode=0x%02x nsid=%u cdw2=0x%08x cdw3=0x%08x "
		       "cdw10=0x%08x cdw11=0x%08x cdw12=0x%08x cdw13=0x%08x "
		       "cdw14=0x%08x cdw15=0x%08x data_len=%u\n",
		       c->opcode, c->nsid, c->cdw2, c->cdw3, c->cdw10,
		       c->cdw11, c->cdw12, c->cdw13, c->cdw14, c->cdw15,
		       c->data_len);
		return 0;
	}
	r = ioctl(fd, NVME_IOCTL_IO64_CMD, c);
	if (r < 0)
		die("%s: NVME_IOCTL_IO64_CMD: %s", o.dev, strerror(errno));
	if (result)
		*result = (uint32_t)c->result;
	return (uint32_t)r;
}

static void *xalloc(size_t n)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, n ? n : 1))
		die("out of memory (%zu bytes)", n);
	memset(p, 0, n ? n : 1);
	return p;
}

static void open_dev(void)
{
	int id;

	if (o.dry_run) {
		if (!o.nsid_set)
			o.nsid = 1;
		return;
	}
	fd = open(o.dev, O_RDWR);
	if (fd < 0)
		die("%s: %s", o.dev, strerror(errno));
	if (!o.nsid_set) {
		id = ioctl(fd, NVME_IOCTL_ID);
		if (id <= 0)
			die("%s: NVME_IOCTL_ID: %s (give --nsid)", o.dev,
			    id < 0 ? strerror(errno) : "no namespace");
		o.nsid = (uint32_t)id;
	}
}

static uint8_t *read_all(const char *path, uint32_t *len)
{
	FILE *f = stdin;
	size_t cap = 65536, n = 0, r;
	uint8_t *buf;

	if (path && strcmp(path, "-")) {
		f = fopen(path, "rb");
		if (!f)
			die("%s: %s", path, strerror(errno));
	}
	buf = malloc(cap);
	if (!buf)
		die("out of memory");
	while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			if (cap >= MAX_VALUE_READ)
				die("value larger than %u bytes",
				    MAX_VALUE_READ);
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				die("out of memory");
		}
	}
	if (ferror(f))
		die("%s: read error", path ? path : "stdin");
	if (f != stdin)
		fclose(f);
	*len = (uint32_t)n;
	return buf;
}

static int cmd_put(const char *keys, const char *path)
{
	struct nvme_passthru_cmd64 c;
	struct key k;
	uint32_t len, st;
	uint8_t *v, *dma;

	parse_key(keys, &k);
	v = read_all(path, &len);
	dma = xalloc(len);
	memcpy(dma, v, len);
	free(v);
	build(&c, OPC_STORE, &k, o.store_opts, len, len ? dma : NULL, len);
	st = submit(&c, NULL);
	free(dma);
	if (st) {
		print_status(stderr, keys, st);
		return EXIT_STATUS;
	}
	return 0;
}

static int cmd_get(const char *keys)
{
	struct nvme_passthru_cmd64 c;
	uint32_t cap = o.buf ? o.buf : 65536, vsize, st;
	struct key k;
	uint8_t *buf;
	FILE *f = stdout;

	parse_key(keys, &k);
	for (;;) {
		buf = xalloc(cap);
		build(&c, OPC_RETRIEVE, &k, 0, cap, buf, cap);
		st = submit(&c, &vsize);
		if (st) {
			print_status(stderr, keys, st);
			free(buf);
			return EXIT_STATUS;
		}
		if (vsize <= cap || o.buf)
			break;
		free(buf);	/* too small: again, with the full size */
		cap = vsize;
	}
	if (o.out) {
		f = fopen(o.out, "wb");
		if (!f)
			die("%s: %s", o.out, strerror(errno));
	}
	if (fwrite(buf, 1, vsize < cap ? vsize : cap, f) !=
	    (vsize < cap ? vsize : cap) || fflush(f))
		die("%s: write error", o.out ? o.out : "stdout");
	if (f != stdout)
		fclose(f);
	if (vsize > cap)
		fprintf(stderr, "%s: %s: value is %u bytes, %u shown\n", prog,
			keys, vsize, cap);
	free(buf);
	return 0;
}

static int cmd_simple(uint8_t opc, const char *keys)
{
	struct nvme_passthru_cmd64 c;
	struct key k;
	uint32_t st;

	parse_key(keys, &k);
	build(&c, opc, &k, 0, 0, NULL, 0);
	st = submit(&c, NULL);
	if (st) {
		print_status(stderr, keys, st);
		return EXIT_STATUS;
	}
	return 0;
}

static bool key_eq(const struct key *k, const uint8_t *b, uint32_t len)
{
	return k->len == len && !memcmp(k->b, b, len);
}

/*
 * One List command from @start: print the keys (but the first one if
 * @skip; with @count, count them instead of printing), remember the first
 * and last key returned, stop at @stop if given.  Returns the number of
 * keys in the answer, or -1 on an error status.
 */
static int list_once(const struct key *start, bool skip,
		     const struct key *stop, struct key *first,
		     struct key *last, bool *stopped, uint64_t *count)
{
	struct nvme_passthru_cmd64 c;
	uint32_t cap = o.buf ? o.buf : 65536, st, nrk, pos = 4, i;
	uint8_t *buf = xalloc(cap);

	build(&c, OPC_LIST, start, 0, cap, buf, cap);
	st = submit(&c, NULL);
	if (st) {
		print_status(stderr, "list", st);
		free(buf);
		return -1;
	}
	nrk = cap >= 4 ? le32(buf) : 0;
	for (i = 0; i < nrk; i++) {
		const uint8_t *kb = buf + pos + 2;
		uint32_t l;

		if (pos + 2 > cap)
			break;
		l = buf[pos] | (uint32_t)buf[pos + 1] << 8;
		if (l > MAX_KEY || pos + 2 + l > cap) {
			fprintf(stderr, "%s: list: malformed entry %u\n",
				prog, i);
			break;
		}
		if (i > 0 && stop && key_eq(stop, kb, l)) {
			*stopped = true;	/* the device wrapped around */
			break;
		}
		if (skip && i == 0) {
			/* the start key again: already counted */
		} else if (count) {
			(*count)++;
		} else {
			print_key(stdout, kb, l);
			putchar('\n');
		}
		if (i == 0 && first) {
			memset(first, 0, sizeof(*first));
			memcpy(first->b, kb, l);
			first->len = l;
		}
		memset(last, 0, sizeof(*last));
		memcpy(last->b, kb, l);
		last->len = l;
		pos += (2 + l + 3) & ~3U;
	}
	free(buf);
	return (int)nrk;
}

/* list; with @count (the count command) print only the number of keys */
static int cmd_list(const char *starts, uint64_t *count)
{
	struct key start, first, last;
	bool stopped = false;
	int n;

	/*
	 * Paging needs room for the start key and one more of the largest
	 * size; then an answer with at most one key means the end.
	 */
	if ((o.all || count) && o.buf && o.buf < LIST_PAGE_MIN)
		die("%s: --buf must be at least %u",
		    count ? "count" : "list --all", LIST_PAGE_MIN);
	memset(&start, 0, sizeof(start));
	if (starts)
		parse_key(starts, &start);
	n = list_once(&start, false, NULL, &first, &last, &stopped, count);
	if (n < 0)
		return EXIT_STATUS;
	if ((!o.all && !count) || o.dry_run)
		return 0;
	/*
	 * Page on from the last key returned, which comes back first.  A
	 * device listing in a circular order would return the very first key
	 * again: stop there.
	 */
	while (n > 1 && !stopped) {
		start = last;
		n = list_once(&start, true, &first, NULL, &last, &stopped,
			      count);
		if (n < 0)
			return EXIT_STATUS;
	}
	return 0;
}

static int cmd_count(const char *starts)
{
	uint64_t count = 0;
	int r = cmd_list(starts, &count);

	if (!r && !o.dry_run)
		printf("count: %" PRIu64 "\n", count);
	return r;
}

/* ---- bench ---- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void bench_key(struct key *k, uint32_t i)
{
	char s[MAX_KEY + 1];

	snprintf(s, sizeof(s), "bench%08x", i);
	memset(k, 0, sizeof(*k));
	memcpy(k->b, s, 13);
	k->len = 13;
}

struct bench_thread {
	pthread_t tid;
	uint32_t idx;
	uint64_t ops;
	uint64_t rng;
	uint64_t *lat_store, *lat_get;
	uint64_t n_store, n_get, errors;
	uint8_t *buf;
};

static uint32_t xrand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (uint32_t)((*s * 0x2545F4914F6CDD1DULL) >> 32);
}

static void *bench_run(void *arg)
{
	struct bench_thread *t = arg;
	struct nvme_passthru_cmd64 c;
	uint64_t i, t0, t1;
	uint32_t vs;
	struct key k;

	for (i = 0; i < t->ops; i++) {
		bool store = xrand(&t->rng) % 100 < o.write_pct;

		bench_key(&k, xrand(&t->rng) % o.keys);
		if (store)
			build(&c, OPC_STORE, &k, 0, o.size,
			      o.size ? t->buf : NULL, o.size);
		else
			build(&c, OPC_RETRIEVE, &k, 0, o.size,
			      o.size ? t->buf : NULL, o.size);
		t0 = now_ns();
		if (submit(&c, &vs))
			t->errors++;
		t1 = now_ns();
		if (store)
			t->lat_store[t->n_store++] = t1 - t0;
		else
			t->lat_get[t->n_get++] = t1 - t0;
	}
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted @v[n], in microseconds. */
static double pct(const uint64_t *v, uint64_t n, double p)
{
	uint64_t r = (uint64_t)(p * (double)n / 100.0 + 0.999999);

	if (r < 1)
		r = 1;
	if (r > n)
		r = n;
	return (double)v[r - 1] / 1000.0;
}

/*
 * One line per kind: ops/s, nearest-rank percentiles, and the 10% trimmed
 * mean (the mean without the fastest and the slowest tenth: the typical
 * latency, for comparing against a model when the host adds long delays
 * to a few commands).
 */
static void report(const char *what, uint64_t *v, uint64_t n, double secs)
{
	uint64_t i, lo = n / 10, hi = n - n / 10;
	double mid = 0;

	if (!n) {
		printf("  %-9s %10d ops\n", what, 0);
		return;
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	for (i = lo; i < hi; i++)
		mid += (double)v[i] / 1000.0;
	mid /= (double)(hi - lo);
	printf("  %-9s %10" PRIu64 " ops %10.0f ops/s  p50 %8.1f us  "
	       "p99 %8.1f us  p99.9 %8.1f us  max %8.1f us  "
	       "trimmed mean %8.1f us\n", what, n, (double)n / secs,
	       pct(v, n, 50), pct(v, n, 99), pct(v, n, 99.9),
	       (double)v[n - 1] / 1000.0, mid);
}

static volatile bool spin_stop;

/* A busy loop at the lowest priority: the CPU never goes idle. */
static void *spin_run(void *arg)
{
	struct sched_param sp = { .sched_priority = 0 };

	(void)arg;
	pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
	while (!spin_stop)
		;
	return NULL;
}

static int cmd_bench(void)
{
	pthread_t spinner;
	struct bench_thread *t;
	struct nvme_passthru_cmd64 c;
	uint64_t *all, n_all = 0, errors = 0, ns, i, t0;
	uint64_t *st_all, *get_all, n_st = 0, n_get = 0;
	uint8_t *buf = xalloc(o.size);
	struct key k;
	uint32_t j;
	double secs;

	if (!o.keys || !o.threads || o.write_pct > 100)
		die("bench: --keys and --threads must be >= 1, --write 0..100");
	for (i = 0; i < o.size; i++)
		buf[i] = (uint8_t)(i * 31 + 7);
	if (o.preload) {
		for (j = 0; j < o.keys; j++) {
			bench_key(&k, j);
			build(&c, OPC_STORE, &k, 0, o.size,
			      o.size ? buf : NULL, o.size);
			if (submit(&c, NULL)) {
				fprintf(stderr, "%s: bench: preload of key %u "
					"failed\n", prog, j);
				return EXIT_STATUS;
			}
		}
	}
	t = calloc(o.threads, sizeof(*t));
	if (!t)
		die("out of memory");
	for (j = 0; j < o.threads; j++) {
		t[j].idx = j;
		t[j].ops = o.ops / o.threads + (j < o.ops % o.threads);
		t[j].rng = o.seed * 0x9E3779B97F4A7C15ULL + j + 1;
		t[j].lat_store = calloc(t[j].ops + 1, sizeof(uint64_t));
		t[j].lat_get = calloc(t[j].ops + 1, sizeof(uint64_t));
		t[j].buf = xalloc(o.size);
		memcpy(t[j].buf, buf, o.size);
		if (!t[j].lat_store || !t[j].lat_get)
			die("out of memory");
	}
	if (o.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("--cpu %d: %s", o.cpu, strerror(errno));
	}
	if (o.spin && pthread_create(&spinner, NULL, spin_run, NULL))
		die("pthread_create failed");
	t0 = now_ns();
	for (j = 0; j < o.threads; j++)
		if (pthread_create(&t[j].tid, NULL, bench_run, &t[j]))
			die("pthread_create failed");
	for (j = 0; j < o.threads; j++)
		pthread_join(t[j].tid, NULL);
	ns = now_ns() - t0;
	if (o.spin) {
		spin_stop = true;
		pthread_join(spinner, NULL);
	}
	secs = ns ? (double)ns / 1e9 : 1e-9;
	all = calloc(o.ops + 1, sizeof(uint64_t));
	st_all = calloc(o.ops + 1, sizeof(uint64_t));
	get_all = calloc(o.ops + 1, sizeof(uint64_t));
	if (!all || !st_all || !get_all)
		die("out of memory");
	for (j = 0; j < o.threads; j++) {
		memcpy(st_all + n_st, t[j].lat_store,
		       t[j].n_store * sizeof(uint64_t));
		n_st += t[j].n_store;
		memcpy(get_all + n_get, t[j].lat_get,
		       t[j].n_get * sizeof(uint64_t));
		n_get += t[j].n_get;
		errors += t[j].errors;
	}
	memcpy(all, st_all, n_st * sizeof(uint64_t));
	memcpy(all + n_st, get_all, n_get * sizeof(uint64_t));
	n_all = n_st + n_get;
	printf("bench: %" PRIu64 " ops (%u%% store), %u keys, %u-byte values, "
	       "%u thread%s, %.3f s, %.1f MB/s\n", o.ops, o.write_pct, o.keys,
	       o.size, o.threads, o.threads == 1 ? "" : "s", secs,
	       (double)n_all * o.size / secs / 1e6);
	report("all", all, n_all, secs);
	report("store", st_all, n_st, secs);
	report("retrieve", get_all, n_get, secs);
	printf("  errors %" PRIu64 "\n", errors);
	return errors ? EXIT_STATUS : 0;
}

/* ---- fill, verify ---- */

/*
 * The pairs of fill and verify, a function of (seed, index) only:
 *   key    prefix, then the index as 8 lowercase hex digits
 *   state  s = mix(mix(seed) + index)  (64-bit wrapping arithmetic)
 *   next   s += 0x9E3779B97F4A7C15, return mix(s)   (splitmix64)
 *   mix    z = (z ^ z >> 30) * 0xBF58476D1CE4E5B9;
 *          z = (z ^ z >> 27) * 0x94D049BB133111EB; z ^ z >> 31
 *   length min + next() % (max - min + 1); next() is drawn even if
 *          min == max
 *   bytes  the following next() values, each as 8 little-endian bytes, the
 *          last one cut to the length
 * The checksum is 64-bit FNV-1a (offset basis 0xcbf29ce484222325, prime
 * 0x100000001b3) over, in index order, each key's bytes then its value's.
 */
#define GOLDEN		0x9E3779B97F4A7C15ULL
#define FNV_BASIS	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL
#define REPORT_MAX	5	/* offending keys printed by name */

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint64_t sm_next(uint64_t *s)
{
	*s += GOLDEN;
	return mix64(*s);
}

static uint64_t fnv1a(uint64_t h, const uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
	return h;
}

static struct key fill_prefix;

static void fill_key(struct key *k, uint32_t i)
{
	char hex[9];

	*k = fill_prefix;
	snprintf(hex, sizeof(hex), "%08x", i);
	memcpy(k->b + k->len, hex, 8);
	k->len += 8;
}

/* The value of pair @i into @v (room for o.max_size); returns its length. */
static uint32_t fill_value(uint32_t i, uint8_t *v)
{
	uint64_t s = mix64(mix64(o.seed) + i), w;
	uint64_t span = (uint64_t)o.max_size - o.min_size + 1;
	uint32_t len = o.min_size + (uint32_t)(sm_next(&s) % span), n, j;

	for (n = 0; n < len; n += 8) {
		w = sm_next(&s);
		for (j = 0; j < 8 && n + j < len; j++)
			v[n + j] = (uint8_t)(w >> (8 * j));
	}
	return len;
}

/* Check and default the options of fill and verify. */
static void fill_setup(const char *cmd)
{
	if (!o.keys_set)
		die("%s: --keys N is required", cmd);
	if (o.range_set && o.size_set)
		die("%s: give --size or --min-size/--max-size, not both", cmd);
	if (o.range_set) {
		if (o.min_size == UINT32_MAX || o.max_size == UINT32_MAX)
			die("%s: --min-size and --max-size go together", cmd);
		if (o.min_size > o.max_size)
			die("%s: --min-size %u is above --max-size %u", cmd,
			    o.min_size, o.max_size);
	} else {
		o.min_size = o.max_size = o.size_set ? o.size : 64;
	}
	parse_key(o.prefix, &fill_prefix);
	if (fill_prefix.len > MAX_KEY - 8)
		die("%s: --prefix '%s': longer than %d bytes", cmd, o.prefix,
		    MAX_KEY - 8);
}

/* "WHAT: KEY", the key as print_key() shows it */
static void key_name(char *buf, size_t size, const char *what,
		     const struct key *k)
{
	FILE *f = fmemopen(buf, size, "w");

	if (!f)
		die("fmemopen: %s", strerror(errno));
	fprintf(f, "%s: ", what);
	print_key(f, k->b, k->len);
	fclose(f);
}

static int cmd_fill(void)
{
	struct nvme_passthru_cmd64 c;
	uint8_t *v = xalloc(o.max_size);
	uint64_t h = FNV_BASIS, total = 0, errors = 0, t0, ns;
	char name[16 + 2 * MAX_KEY + 3];
	uint32_t i, len, st;
	struct key k;

	t0 = now_ns();
	for (i = 0; i < o.keys; i++) {
		fill_key(&k, i);
		len = fill_value(i, v);
		build(&c, OPC_STORE, &k, o.store_opts, len, len ? v : NULL,
		      len);
		st = submit(&c, NULL);
		if (st && errors++ < REPORT_MAX) {
			key_name(name, sizeof(name), "fill", &k);
			print_status(stderr, name, st);
		}
		h = fnv1a(fnv1a(h, k.b, k.len), v, len);
		total += len;
	}
	ns = now_ns() - t0;
	printf("fill: %u keys, %" PRIu64 " bytes, checksum 0x%016" PRIx64
	       ", %.0f ops/s\n", o.keys, total, h,
	       (double)o.keys * 1e9 / (double)(ns ? ns : 1));
	free(v);
	if (errors) {
		fprintf(stderr, "%s: fill: %" PRIu64 " of %u stores failed\n",
			prog, errors, o.keys);
		return EXIT_STATUS;
	}
	return 0;
}

/*
 * Retrieve every pair with a buffer of the expected length and compare.
 * The checksum and total are over what came back (min(value size, expected
 * length) bytes of each value), so they equal fill's exactly when every
 * value came back whole.
 */
static int cmd_verify(void)
{
	struct nvme_passthru_cmd64 c;
	uint8_t *want = xalloc(o.max_size), *got = xalloc(o.max_size);
	uint64_t h = FNV_BASIS, total = 0, bad = 0, errors = 0;
	char name[16 + 2 * MAX_KEY + 3];
	uint32_t i, j, len, st, vsize, n;
	struct key k;

	for (i = 0; i < o.keys; i++) {
		fill_key(&k, i);
		len = fill_value(i, want);
		/* bytes the device does not write cannot match */
		for (j = 0; j < len; j++)
			got[j] = (uint8_t)~want[j];
		build(&c, OPC_RETRIEVE, &k, 0, len, len ? got : NULL, len);
		st = submit(&c, &vsize);
		if (o.dry_run)
			continue;
		h = fnv1a(h, k.b, k.len);
		if (st) {
			if (errors++ < REPORT_MAX) {
				key_name(name, sizeof(name), "verify", &k);
				print_status(stderr, name, st);
			}
			continue;
		}
		n = vsize < len ? vsize : len;
		h = fnv1a(h, got, n);
		total += n;
		for (j = 0; j < n && got[j] == want[j]; j++)
			;
		if (vsize == len && j == len)
			continue;
		if (bad++ >= REPORT_MAX)
			continue;
		key_name(name, sizeof(name), "verify", &k);
		if (vsize != len)
			fprintf(stderr, "%s: %s: value size %u, expected %u\n",
				prog, name, vsize, len);
		else
			fprintf(stderr, "%s: %s: differs at byte %u of %u "
				"(0x%02x, expected 0x%02x)\n", prog, name, j,
				len, got[j], want[j]);
	}
	free(want);
	free(got);
	if (o.dry_run)
		return 0;
	printf("verify: %u keys, %" PRIu64 " bytes, checksum 0x%016" PRIx64
	       ", %" PRIu64 " mismatches, %" PRIu64 " errors\n", o.keys, total,
	       h, bad, errors);
	return bad || errors ? EXIT_STATUS : 0;
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f,
"usage: %s [options] COMMAND [ARGS]\n"
"\n"
"Commands (KEY: text, or 0x followed by hex digits; 1..16 bytes):\n"
"  put KEY [FILE|-]   store the contents of FILE (default: stdin) as KEY\n"
"  get KEY [-o FILE]  write the value of KEY to FILE (default: stdout)\n"
"  del KEY            delete KEY\n"
"  exists KEY         exit 0 if KEY exists, 1 if not\n"
"  list [START]       print the keys from START (default: the first)\n"
"  count [START]      the number of keys from START, paging like list -a\n"
"  fill --keys N      store N generated pairs (PREFIX + 8 hex digits)\n"
"  verify --keys N    retrieve and check the pairs fill stored\n"
"  bench              store/retrieve load, ops/s and latency percentiles\n"
"  status CODE        print the name of an NVMe status value\n"
"\n"
"Options:\n"
"  -d, --dev PATH       generic char device (default $NVMEV_KV_DEV or\n"
"                       /dev/ng0n1)\n"
"  -n, --nsid N         namespace ID (default: from the device)\n"
"      --dry-run        print the command dwords instead of sending them\n"
"  -b, --buf BYTES      host buffer size of get and list (default 65536;\n"
"                       get retries with the full size unless given)\n"
"  -o, --out FILE       get: write the value here\n"
"      --if-exists      put: only if KEY exists (Store Option bit 0)\n"
"      --if-not-exists  put: only if KEY does not exist (bit 1)\n"
"  -a, --all            list: page through all keys\n"
"      --kl N           send N as the key length (to test a device)\n"
"Fill and verify options (the same for both; see README.md):\n"
"      --keys N         pairs, index 0..N-1 (required)\n"
"      --size BYTES     every value this long (default 64)\n"
"      --min-size A, --max-size B\n"
"                       value lengths vary per key in [A, B]\n"
"      --seed S         seed of the values (default 1)\n"
"      --prefix P       key prefix, up to 8 bytes (default k)\n"
"      --if-not-exists  fill: Store Option bit 1 (also --if-exists)\n"
"Bench options:\n"
"      --ops N          operations (default 10000)\n"
"      --keys N         distinct keys (default 1000)\n"
"      --size BYTES     value size (default 4096)\n"
"      --write PCT      share of stores (default 50)\n"
"  -t, --threads N      threads, each with its own commands (default 1)\n"
"      --seed N         random seed (default 1)\n"
"      --no-preload     do not store every key first\n"
"      --cpu N          run on CPU N only\n"
"      --spin           keep a lowest-priority busy thread (SCHED_IDLE) beside\n"
"                       the bench threads, so the CPU never idles while they\n"
"                       wait for a command (with --cpu: on that CPU); an\n"
"                       emulated CPU can take ~100 us to leave idle\n"
"\n"
"Exit status: 0 success, 1 the device returned an error status (printed\n"
"by name) or verify found a wrong value, 2 bad arguments or a system\n"
"error.\n", prog);
}

static uint64_t num(const char *s, const char *what, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > max)
		die("%s: '%s' is not a number up to %" PRIu64, what, s, max);
	return v;
}

enum {
	OPT_DRY = 256, OPT_IFE, OPT_IFNE, OPT_KL, OPT_OPS, OPT_KEYS, OPT_SIZE,
	OPT_WRITE, OPT_SEED, OPT_NOPRE, OPT_MINSZ, OPT_MAXSZ, OPT_PREFIX,
	OPT_CPU, OPT_SPIN,
};

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "nsid", required_argument, NULL, 'n' },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "buf", required_argument, NULL, 'b' },
		{ "out", required_argument, NULL, 'o' },
		{ "if-exists", no_argument, NULL, OPT_IFE },
		{ "if-not-exists", no_argument, NULL, OPT_IFNE },
		{ "all", no_argument, NULL, 'a' },
		{ "kl", required_argument, NULL, OPT_KL },
		{ "ops", required_argument, NULL, OPT_OPS },
		{ "keys", required_argument, NULL, OPT_KEYS },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "write", required_argument, NULL, OPT_WRITE },
		{ "threads", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "no-preload", no_argument, NULL, OPT_NOPRE },
		{ "min-size", required_argument, NULL, OPT_MINSZ },
		{ "max-size", required_argument, NULL, OPT_MAXSZ },
		{ "prefix", required_argument, NULL, OPT_PREFIX },
		{ "cpu", required_argument, NULL, OPT_CPU },
		{ "spin", no_argument, NULL, OPT_SPIN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd;
	int c;

	o.dev = getenv("NVMEV_KV_DEV");
	if (!o.dev || !*o.dev)
		o.dev = "/dev/ng0n1";
	while ((c = getopt_long(argc, argv, "d:n:b:o:at:h", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.dev = optarg;
			break;
		case 'n':
			o.nsid = (uint32_t)num(optarg, "--nsid", 0xFFFFFFFEU);
			o.nsid_set = true;
			break;
		case OPT_DRY:
			o.dry_run = true;
			break;
		case 'b':
			o.buf = (uint32_t)num(optarg, "--buf", 1U << 30);
			if (!o.buf)
				die("--buf: must be at least 1");
			break;
		case 'o':
			o.out = optarg;
			break;
		case OPT_IFE:
			o.store_opts |= SO_IF_EXISTS;
			break;
		case OPT_IFNE:
			o.store_opts |= SO_IF_NOT_EXISTS;
			break;
		case 'a':
			o.all = true;
			break;
		case OPT_KL:
			o.kl = (int)num(optarg, "--kl", 255);
			break;
		case OPT_OPS:
			o.ops = num(optarg, "--ops", 1ULL << 32);
			break;
		case OPT_KEYS:
			o.keys = (uint32_t)num(optarg, "--keys", 0xFFFFFFFFU);
			o.keys_set = true;
			break;
		case OPT_SIZE:
			o.size = (uint32_t)num(optarg, "--size", 1U << 30);
			o.size_set = true;
			break;
		case OPT_MINSZ:
			o.min_size = (uint32_t)num(optarg, "--min-size",
						   1U << 30);
			o.range_set = true;
			break;
		case OPT_MAXSZ:
			o.max_size = (uint32_t)num(optarg, "--max-size",
						   1U << 30);
			o.range_set = true;
			break;
		case OPT_PREFIX:
			o.prefix = optarg;
			break;
		case OPT_WRITE:
			o.write_pct = (uint32_t)num(optarg, "--write", 100);
			break;
		case 't':
			o.threads = (uint32_t)num(optarg, "--threads", 256);
			break;
		case OPT_SEED:
			o.seed = num(optarg, "--seed", UINT64_MAX);
			break;
		case OPT_NOPRE:
			o.preload = false;
			break;
		case OPT_CPU:
			o.cpu = (int)num(optarg, "--cpu", CPU_SETSIZE - 1);
			break;
		case OPT_SPIN:
			o.spin = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind++];
	argc -= optind;
	argv += optind;
	if (!strcmp(cmd, "status")) {
		uint32_t st;

		if (argc != 1)
			die("usage: status CODE");
		st = (uint32_t)num(argv[0], "status", 0xFFFF);
		printf("%s\n", status_name(st));
		return 0;
	}
#define NARGS(lo_, hi_)							\
	do {								\
		if (argc < (lo_) || argc > (hi_))			\
			die("%s: wrong number of arguments (see --help)", \
			    cmd);					\
	} while (0)
	if (!strcmp(cmd, "put")) {
		NARGS(1, 2);
		open_dev();
		return cmd_put(argv[0], argc > 1 ? argv[1] : NULL);
	}
	if (!strcmp(cmd, "get")) {
		NARGS(1, 1);
		open_dev();
		return cmd_get(argv[0]);
	}
	if (!strcmp(cmd, "del")) {
		NARGS(1, 1);
		open_dev();
		return cmd_simple(OPC_DELETE, argv[0]);
	}
	if (!strcmp(cmd, "exists")) {
		NARGS(1, 1);
		open_dev();
		return cmd_simple(OPC_EXIST, argv[0]);
	}
	if (!strcmp(cmd, "list")) {
		NARGS(0, 1);
		open_dev();
		return cmd_list(argc ? argv[0] : NULL, NULL);
	}
	if (!strcmp(cmd, "count")) {
		NARGS(0, 1);
		open_dev();
		return cmd_count(argc ? argv[0] : NULL);
	}
	if (!strcmp(cmd, "fill") || !strcmp(cmd, "verify")) {
		NARGS(0, 0);
		fill_setup(cmd);
		open_dev();
		return cmd[0] == 'f' ? cmd_fill() : cmd_verify();
	}
	if (!strcmp(cmd, "bench")) {
		NARGS(0, 0);
		open_dev();
		return cmd_bench();
	}
	die("unknown command '%s' (see --help)", cmd);
}
