// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: per controller and per namespace I/O statistics.
 *
 * Commands and bytes by opcode, errors, and a log2 histogram of the time
 * from fetch to completion.  Counted when a completion is posted, read as
 * "key value" text through configfs (see docs/configfs.md).
 */
#include <linux/kernel.h>
#include <linux/log2.h>

#include "nvmev.h"
#include "namespace.h"

static const char *const op_names[NVMEV_NR_OPS] = {
	[NVMEV_OP_READ] = "read",
	[NVMEV_OP_WRITE] = "write",
	[NVMEV_OP_FLUSH] = "flush",
	[NVMEV_OP_WRITE_ZEROES] = "write_zeroes",
	[NVMEV_OP_DSM] = "dsm",
	[NVMEV_OP_COMPARE] = "compare",
	[NVMEV_OP_VERIFY] = "verify",
	[NVMEV_OP_ZONE_APPEND] = "zone_append",
	[NVMEV_OP_ZONE_SEND] = "zone_mgmt_send",
	[NVMEV_OP_ZONE_RECV] = "zone_mgmt_recv",
	[NVMEV_OP_OTHER] = "other",
};

/* Operations that move (or address) data: their bytes are counted. */
static bool op_has_bytes(unsigned int op)
{
	return op == NVMEV_OP_READ || op == NVMEV_OP_WRITE ||
	       op == NVMEV_OP_WRITE_ZEROES || op == NVMEV_OP_COMPARE ||
	       op == NVMEV_OP_VERIFY || op == NVMEV_OP_ZONE_APPEND;
}

/* Bucket b counts latencies in (2^(b-1), 2^b] microseconds; 0: <= 1 us. */
static unsigned int lat_bucket(u64 lat_ns)
{
	u64 us = DIV_ROUND_UP_ULL(lat_ns, NSEC_PER_USEC);

	if (us <= 1)
		return 0;
	return min_t(unsigned int, ilog2(us - 1) + 1, NVMEV_LAT_BUCKETS);
}

/* A completed command of statistics class @op (enum nvmev_stat_op). */
void nvmev_stats_account(struct nvmev_io_stats *s, unsigned int op,
			 u64 bytes, u16 status, u64 lat_ns)
{
	atomic64_inc(&s->cmds[op]);
	if (status)
		atomic64_inc(&s->errors);
	else if (op_has_bytes(op))
		atomic64_add(bytes, &s->bytes[op]);
	atomic64_add(lat_ns, &s->lat_ns[op]);
	atomic64_inc(&s->lat[lat_bucket(lat_ns)]);
}

ssize_t nvmev_stats_show(const struct nvmev_io_stats *s, long inflight,
			 char *buf, size_t size)
{
	ssize_t n;
	unsigned int i;

	n = scnprintf(buf, size, "inflight %ld\nerrors %lld\n", inflight,
		      atomic64_read(&s->errors));
	for (i = 0; i < NVMEV_NR_OPS; i++) {
		n += scnprintf(buf + n, size - n, "%s_cmds %lld\n", op_names[i],
			       atomic64_read(&s->cmds[i]));
		if (op_has_bytes(i))
			n += scnprintf(buf + n, size - n, "%s_bytes %lld\n",
				       op_names[i], atomic64_read(&s->bytes[i]));
		n += scnprintf(buf + n, size - n, "%s_lat_ns %lld\n",
			       op_names[i], atomic64_read(&s->lat_ns[i]));
	}
	n += scnprintf(buf + n, size - n,
		       "fault_errors %lld\nfault_delays %lld\nfault_lost %lld\nfault_last_ms %lld\n",
		       atomic64_read(&s->fault_errors),
		       atomic64_read(&s->fault_delays),
		       atomic64_read(&s->fault_lost),
		       div_s64(atomic64_read(&s->fault_last_ns), NSEC_PER_MSEC));
	n += scnprintf(buf + n, size - n, "latency_us");
	for (i = 0; i < NVMEV_LAT_BUCKETS; i++)
		n += scnprintf(buf + n, size - n, " %llu:%lld", 1ULL << i,
			       atomic64_read(&s->lat[i]));
	n += scnprintf(buf + n, size - n, " inf:%lld\n",
		       atomic64_read(&s->lat[NVMEV_LAT_BUCKETS]));
	return n;
}

/* The timing model's media counters, for models that keep them. */
ssize_t nvmev_model_stats_show(const struct model_stats *st, char *buf,
			       size_t size)
{
	return scnprintf(buf, size,
			 "media_read_bytes %llu\nmedia_write_bytes %llu\nerases %llu\n"
			 "gc_blocks %llu\ngc_pages %llu\ngc_foreground %llu\n"
			 "gc_background %llu\nbuffer_waits %llu\n",
			 st->media_read_bytes, st->media_write_bytes,
			 st->erases, st->gc_blocks, st->gc_pages,
			 st->gc_foreground, st->gc_background,
			 st->buffer_waits);
}
