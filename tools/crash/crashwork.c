// SPDX-License-Identifier: GPL-2.0-only
/*
 * crashwork: a file-system workload that logs what the file system promised
 * to keep, and a checker of those promises after a crash (a power cut).
 *
 *   crashwork run [-f FILES] [-s KIB] [-w KIB] DIR LOG SEED [OPS]
 *   crashwork check DIR LOG
 *
 * run: a random mix (deterministic from SEED) of operations on files in DIR,
 * until killed, an error (the device went away: EIO) or OPS operations:
 *   - create a file with data, fsync it, fsync DIR;
 *   - append to a file and fsync or fdatasync it;
 *   - append to a file without syncing (volatile until a later sync),
 *     half of the time starting its writeback (sync_file_range WRITE: on
 *     the device, in its volatile cache);
 *   - rename a file to a new name ("pending rename" record first, then
 *     rename, fsync DIR, then the completion record);
 *   - sync(), then fsync every file with unsynced data (sync() returns no
 *     error; the fsyncs do, and must succeed before anything is recorded).
 * Files are only created, appended to and renamed: never overwritten in
 * place, truncated or deleted, so a prefix once durable never changes.
 * After every sync that returned 0 it appends a record to LOG (meant to be
 * on a RAM file system that survives the cut), each with one write(2), so a
 * record is complete before the next operation starts:
 *   W <id> <name> <len>            written (acknowledged, not yet durable)
 *   D <id> <name> <len> <fnv1a64>  durable: the first <len> bytes, checksum
 *   R <id> <from> <to>             rename about to happen
 *   C <id> <to>                    rename done and durable
 *   S                              a sync() returned
 * Lines starting with '#' are comments.  The data of file <id> at offset o
 * is a function of (SEED, id, o) only, so no two files hold the same bytes.
 * Options: -f at most FILES files (default 64), -s at most KIB KiB per file
 * (default 4096), -w at most KIB KiB per write (default 64).
 * Exit status: 0 after OPS operations, 2 when an operation on DIR failed
 * (the message says which), 3 when LOG could not be written, 64 usage.
 *
 * check: replays LOG and checks every file recorded durable: it exists under
 * its durable name (while a rename is pending, under either name; after a
 * completed one, the old name must be gone), is at least as long as recorded
 * and the recorded prefix has the recorded checksum.  Prints a line per
 * failure and a summary line; exits 0 iff nothing failed (1: failures, 2:
 * LOG unreadable or inconsistent).
 *
 * Plain C and libc, so it can be linked statically into an initramfs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define NAME_MAX_LEN 64
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static const char *prog = "crashwork";

static void die(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static uint64_t fnv1a(uint64_t h, const unsigned char *p, size_t n)
{
	while (n--) {
		h ^= *p++;
		h *= FNV_PRIME;
	}
	return h;
}

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* ------------------------------------------------------------------ run */

struct wfile {
	unsigned int id;
	unsigned int gen;	/* renames so far: the name is f<id>.<gen> */
	int fd;
	uint64_t len;		/* bytes written */
	uint64_t durable;	/* bytes recorded durable */
	uint64_t hash;		/* FNV-1a of the first len bytes */
	char name[NAME_MAX_LEN];
};

static uint64_t seed;
static uint64_t rng;
static int dirfd_ = -1;
static int logfd = -1;
static const char *dirname_;

static uint64_t rnd(uint64_t n)
{
	return n ? splitmix64(&rng) % n : 0;
}

/* The data of file <id> at [off, off + n): byte o is byte o % 8 of a hash
 * of (seed, id, o / 8). */
static void file_data(unsigned int id, uint64_t off, unsigned char *buf, size_t n)
{
	uint64_t o = off, end = off + n;

	while (o < end) {
		uint64_t s = seed * 0x2545f4914f6cdd1dULL ^
			     ((uint64_t)id << 40) ^ (o >> 3);
		uint64_t v = splitmix64(&s);

		do {
			*buf++ = (unsigned char)(v >> ((o & 7) * 8));
			o++;
		} while (o < end && (o & 7));
	}
}

static void log_write(const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(logfd, buf, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			die(3, "writing the log: %s", strerror(errno));
		}
		buf += w;
		n -= (size_t)w;
	}
}

static void log_rec(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		die(3, "log record too long");
	log_write(buf, (size_t)n);
}

static void fail_op(const char *op, const char *name)
{
	die(2, "%s %s/%s: %s", op, dirname_, name, strerror(errno));
}

static void write_all(struct wfile *f, const unsigned char *buf, size_t n)
{
	const unsigned char *p = buf;
	size_t left = n;

	while (left) {
		ssize_t w = write(f->fd, p, left);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			fail_op("write", f->name);
		}
		p += w;
		left -= (size_t)w;
	}
	f->hash = fnv1a(f->hash, buf, n);
	f->len += n;
	log_rec("W %u %s %" PRIu64 "\n", f->id, f->name, f->len);
}

static void record_durable(struct wfile *f)
{
	f->durable = f->len;
	log_rec("D %u %s %" PRIu64 " %016" PRIx64 "\n", f->id, f->name,
		f->len, f->hash);
}

static void sync_dir(void)
{
	if (fsync(dirfd_))
		fail_op("fsync", ".");
}

struct run_opts {
	unsigned int max_files;
	uint64_t max_file;	/* bytes */
	uint64_t max_write;	/* bytes */
};

/* A write size: mostly small, sometimes up to max_write, rarely 1 byte. */
static uint64_t write_size(const struct run_opts *o, const struct wfile *f)
{
	uint64_t n, room = o->max_file - f->len;

	switch (rnd(8)) {
	case 0:
		n = 1 + rnd(16);
		break;
	case 1:
	case 2:
		n = 1 + rnd(o->max_write);
		break;
	default:
		n = 1 + rnd(o->max_write / 8 + 1);
		break;
	}
	return n < room ? n : room;
}

static void append(const struct run_opts *o, struct wfile *f, unsigned char *buf)
{
	uint64_t n = write_size(o, f);

	file_data(f->id, f->len, buf, n);
	write_all(f, buf, n);
}

static int run(int argc, char **argv)
{
	struct run_opts o = { 64, 4096 * 1024, 64 * 1024 };
	struct wfile *files;
	unsigned int nfiles = 0, next_id = 0;
	uint64_t ops = 0, max_ops = 0;
	unsigned char *buf;
	int c;

	while ((c = getopt(argc, argv, "+f:s:w:")) != -1) {
		switch (c) {
		case 'f':
			o.max_files = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 's':
			o.max_file = strtoull(optarg, NULL, 0) * 1024;
			break;
		case 'w':
			o.max_write = strtoull(optarg, NULL, 0) * 1024;
			break;
		default:
			return 64;
		}
	}
	if (argc - optind < 3 || argc - optind > 4 || !o.max_files ||
	    !o.max_file || !o.max_write)
		die(64, "usage: crashwork run [-f FILES] [-s KIB] [-w KIB] DIR LOG SEED [OPS]");
	dirname_ = argv[optind];
	seed = strtoull(argv[optind + 2], NULL, 0);
	if (argc - optind == 4)
		max_ops = strtoull(argv[optind + 3], NULL, 0);
	rng = seed ^ 0x6a09e667f3bcc908ULL;

	files = calloc(o.max_files, sizeof(*files));
	buf = malloc(o.max_write);
	if (!files || !buf)
		die(2, "out of memory");
	dirfd_ = open(dirname_, O_RDONLY | O_DIRECTORY);
	if (dirfd_ < 0)
		die(2, "open %s: %s", dirname_, strerror(errno));
	logfd = open(argv[optind + 1], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	if (logfd < 0)
		die(3, "open %s: %s", argv[optind + 1], strerror(errno));
	log_rec("# crashwork run seed=%" PRIu64 " dir=%s\n", seed, dirname_);

	while (!max_ops || ops < max_ops) {
		unsigned int r = (unsigned int)rnd(100);
		struct wfile *f = nfiles ? &files[rnd(nfiles)] : NULL;

		ops++;
		if (!f || (r < 15 && nfiles < o.max_files)) {
			/* create + fsync + fsync the directory */
			f = &files[nfiles];
			f->id = next_id++;
			f->hash = FNV_OFFSET;
			snprintf(f->name, sizeof(f->name), "f%05u.%u", f->id, 0u);
			f->fd = openat(dirfd_, f->name,
				       O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0644);
			if (f->fd < 0)
				fail_op("create", f->name);
			nfiles++;
			append(&o, f, buf);
			if (fsync(f->fd))
				fail_op("fsync", f->name);
			sync_dir();
			record_durable(f);
		} else if (r < 70 && f->len < o.max_file) {
			/* append, then fsync (fdatasync one time in four) */
			bool data_only = rnd(4) == 0;

			append(&o, f, buf);
			if (data_only ? fdatasync(f->fd) : fsync(f->fd))
				fail_op(data_only ? "fdatasync" : "fsync", f->name);
			record_durable(f);
		} else if (r < 82 && f->len < o.max_file) {
			/* append, volatile until a later sync; one time in two
			 * start its writeback (to the device, no flush) */
			append(&o, f, buf);
			if (rnd(2) && sync_file_range(f->fd, 0, 0, SYNC_FILE_RANGE_WRITE))
				fail_op("sync_file_range", f->name);
		} else if (r < 94) {
			/* rename to a new name, made durable by fsync(DIR) */
			char to[NAME_MAX_LEN];

			snprintf(to, sizeof(to), "f%05u.%u", f->id, f->gen + 1);
			log_rec("R %u %s %s\n", f->id, f->name, to);
			if (renameat(dirfd_, f->name, dirfd_, to))
				fail_op("rename", f->name);
			f->gen++;
			memcpy(f->name, to, sizeof(to));
			sync_dir();
			log_rec("C %u %s\n", f->id, f->name);
		} else {
			/* sync(); then fsync what it should have written */
			unsigned int i;

			sync();
			for (i = 0; i < nfiles; i++) {
				struct wfile *g = &files[i];

				if (g->len == g->durable)
					continue;
				if (fsync(g->fd))
					fail_op("fsync after sync", g->name);
			}
			log_rec("S\n");
			for (i = 0; i < nfiles; i++)
				if (files[i].len != files[i].durable)
					record_durable(&files[i]);
		}
	}
	fprintf(stderr, "%s: %" PRIu64 " operations, %u files\n", prog, ops, nfiles);
	while (nfiles)
		close(files[--nfiles].fd);
	close(dirfd_);
	close(logfd);
	free(files);
	free(buf);
	return 0;
}

/* ---------------------------------------------------------------- check */

struct cfile {
	bool used;		/* seen in the log */
	bool durable;		/* a D record */
	bool pending;		/* R without C */
	unsigned int records;	/* D records */
	uint64_t len, hash;	/* of the last D record */
	uint64_t written;	/* longest W record */
	char name[NAME_MAX_LEN];	/* the durable name */
	char to[NAME_MAX_LEN];		/* pending: the new name */
	char old[NAME_MAX_LEN];		/* a completed rename: the name before */
};

static struct cfile *cfiles;
static size_t ncfiles;

static struct cfile *cfile(unsigned long id, unsigned int line)
{
	if (id > 10000000)
		die(2, "log line %u: file id %lu out of range", line, id);
	if (id >= ncfiles) {
		size_t n = (id + 1) * 2;

		cfiles = realloc(cfiles, n * sizeof(*cfiles));
		if (!cfiles)
			die(2, "out of memory");
		memset(cfiles + ncfiles, 0, (n - ncfiles) * sizeof(*cfiles));
		ncfiles = n;
	}
	cfiles[id].used = true;
	return &cfiles[id];
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < NAME_MAX_LEN && !strchr(s, '/') &&
	       strcmp(s, ".") && strcmp(s, "..");
}

static void parse_line(char *line, unsigned int no)
{
	char a[NAME_MAX_LEN + 1], b[NAME_MAX_LEN + 1];
	unsigned long id;
	uint64_t len, hash;
	struct cfile *f;
	char extra;

	a[0] = b[0] = 0;
	switch (line[0]) {
	case '#':
	case 0:
		return;
	case 'S':
		return;
	case 'W':
		if (sscanf(line, "W %lu %64s %" SCNu64 " %c", &id, a, &len, &extra) != 3 ||
		    !valid_name(a))
			break;
		f = cfile(id, no);
		if (len > f->written)
			f->written = len;
		if (!f->durable)	/* created, not durable yet */
			strcpy(f->name, a);
		return;
	case 'D':
		if (sscanf(line, "D %lu %64s %" SCNu64 " %" SCNx64 " %c", &id, a,
			   &len, &hash, &extra) != 4 || !valid_name(a))
			break;
		f = cfile(id, no);
		if (f->pending)
			die(2, "log line %u: durable record during a pending rename", no);
		if (f->durable && strcmp(f->name, a))
			die(2, "log line %u: file %lu is %s, not %s", no, id, f->name, a);
		if (f->durable && len < f->len)
			die(2, "log line %u: %s durable length went down", no, a);
		f->durable = true;
		f->records++;
		f->len = len;
		f->hash = hash;
		strcpy(f->name, a);
		if (len > f->written)
			f->written = len;
		return;
	case 'R':
		if (sscanf(line, "R %lu %64s %64s %c", &id, a, b, &extra) != 3 ||
		    !valid_name(a) || !valid_name(b))
			break;
		f = cfile(id, no);
		if (!f->durable || f->pending || strcmp(f->name, a))
			die(2, "log line %u: rename of %s, which is not a durable file", no, a);
		f->pending = true;
		strcpy(f->to, b);
		return;
	case 'C':
		if (sscanf(line, "C %lu %64s %c", &id, a, &extra) != 2 || !valid_name(a))
			break;
		f = cfile(id, no);
		if (!f->pending || strcmp(f->to, a))
			die(2, "log line %u: completion of a rename not pending", no);
		f->pending = false;
		strcpy(f->old, f->name);
		strcpy(f->name, a);
		return;
	}
	die(2, "log line %u: cannot parse: %.80s", no, line);
}

static void read_log(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned int no = 0;

	if (!fp)
		die(2, "open %s: %s", path, strerror(errno));
	while ((n = getline(&line, &cap, fp)) > 0) {
		no++;
		if (line[n - 1] != '\n') {
			/* one write(2) per record: cannot happen; say so */
			fprintf(stderr, "%s: log line %u incomplete, ignored\n", prog, no);
			break;
		}
		line[n - 1] = 0;
		parse_line(line, no);
	}
	free(line);
	fclose(fp);
}

enum verdict { V_OK, V_MISSING, V_SHORT, V_BAD_SUM, V_IO };

/* Does DIR/<name> hold the durable prefix of <f>?  Sets *size. */
static enum verdict check_one(int dfd, const char *name, const struct cfile *f,
			      uint64_t *size, uint64_t *sum)
{
	static unsigned char buf[1 << 16];
	uint64_t h = FNV_OFFSET, left = f->len;
	struct stat st;
	int fd;

	*size = 0;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? V_MISSING : V_IO;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return V_IO;
	}
	*size = (uint64_t)st.st_size;
	if (*size < f->len) {
		close(fd);
		return V_SHORT;
	}
	while (left) {
		ssize_t r = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));

		if (r <= 0) {
			close(fd);
			return r < 0 ? V_IO : V_SHORT;
		}
		h = fnv1a(h, buf, (size_t)r);
		left -= (uint64_t)r;
	}
	close(fd);
	*sum = h;
	return h == f->hash ? V_OK : V_BAD_SUM;
}

static bool exists(int dfd, const char *name)
{
	struct stat st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static const char *verdict_text(enum verdict v)
{
	switch (v) {
	case V_OK: return "ok";
	case V_MISSING: return "missing";
	case V_SHORT: return "too short";
	case V_BAD_SUM: return "checksum mismatch";
	default: return "unreadable";
	}
}

static int check(int argc, char **argv)
{
	unsigned int files = 0, records = 0, failures = 0, pending = 0;
	uint64_t verified = 0, lost = 0;
	int dfd;
	size_t i;

	if (argc != 4)
		die(64, "usage: crashwork check DIR LOG");
	read_log(argv[3]);
	dfd = open(argv[2], O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		die(2, "open %s: %s", argv[2], strerror(errno));

	for (i = 0; i < ncfiles; i++) {
		struct cfile *f = &cfiles[i];
		uint64_t size = 0, size2 = 0, sum = 0, sum2 = 0;
		enum verdict v, v2 = V_MISSING;
		const char *name = f->name;

		if (!f->used)
			continue;
		if (!f->durable) {
			/* created, never durable: whatever is there is fine */
			v = check_one(dfd, f->name, f, &size, &sum);
			if (f->written > size)
				lost += f->written - size;
			continue;
		}
		files++;
		records += f->records;
		v = check_one(dfd, f->name, f, &size, &sum);
		if (f->pending) {
			pending++;
			v2 = check_one(dfd, f->to, f, &size2, &sum2);
			if (v != V_OK && v2 == V_OK) {
				name = f->to;
				v = V_OK;
				size = size2;
			}
		}
		if (v == V_OK && f->pending && v2 != V_MISSING && name == f->name) {
			printf("FAIL %s: both names of a pending rename exist (%s too)\n",
			       f->name, f->to);
			failures++;
		} else if (v == V_OK && f->old[0] && exists(dfd, f->old)) {
			printf("FAIL %s: renamed durably, but the old name %s is back\n",
			       f->name, f->old);
			failures++;
		} else if (v == V_OK) {
			verified += f->len;
		} else {
			failures++;
			printf("FAIL %s%s%s: %s: %" PRIu64 " bytes durable (%u records)",
			       f->name, f->pending ? " or " : "",
			       f->pending ? f->to : "", verdict_text(v), f->len, f->records);
			if (v == V_SHORT)
				printf(", has %" PRIu64, size);
			if (v == V_BAD_SUM)
				printf(", checksum %016" PRIx64 " not %016" PRIx64,
				       sum, f->hash);
			if (v == V_MISSING && f->old[0] && exists(dfd, f->old))
				printf(", the name before its durable rename, %s, exists",
				       f->old);
			putchar('\n');
		}
		if (f->written > size)
			lost += f->written - size;
	}
	close(dfd);
	printf("crashwork check: %u files, %u durable records, %" PRIu64
	       " bytes verified, %u pending renames, %" PRIu64
	       " written bytes missing, %u failures\n",
	       files, records, verified, pending, lost, failures);
	free(cfiles);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return run(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "check"))
		return check(argc, argv);
	fprintf(stderr,
		"usage: crashwork run [-f FILES] [-s KIB] [-w KIB] DIR LOG SEED [OPS]\n"
		"       crashwork check DIR LOG\n");
	return 64;
}
