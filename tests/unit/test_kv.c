// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_kv.c - tests for the key-value store of ftl/kv.c: every rule of kv.h
 * with exact expectations, persistence and mount checks (including a fuzzer
 * over a valid region), and a randomized comparison against a reference
 * model written here.
 *
 * Unless a test says otherwise the store is R1: a 1 MiB region, max_value
 * 512 KiB, bytes_per_key 1024: 1024 key slots, the value area at 53248 with
 * 15552 granules (995328 bytes).  Regions are filled with 0xA5 before
 * kv_format(), so nothing relies on zeroed memory.
 */
#include <stdlib.h>
#include "kv.h"
#include "unit.h"

#define KIB	1024ULL
#define MIB	(1024ULL * KIB)

#define R1_SIZE		MIB
#define R1_KEYS		1024U
#define R1_AREA_OFF	53248U
#define R1_UNITS	15552U
#define R1_AREA		(R1_UNITS * 64ULL)

static u8 *region_new(u64 size)
{
	u8 *p = aligned_alloc(4096, (size + 4095) & ~4095ULL);

	if (p)
		memset(p, 0xA5, size);
	return p;
}

#define FORMAT(kv, base, size, maxv, bpk)				\
	do {								\
		struct kv_params p_ = { (maxv), (bpk) };		\
		if (kv_format(&(kv), (base), (size), &p_))		\
			FAIL("kv_format failed");			\
	} while (0)

#define R1(kv, base)							\
	do {								\
		(base) = region_new(R1_SIZE);				\
		if (!(base))						\
			FAIL("no memory");				\
		FORMAT(kv, base, R1_SIZE, KV_MAX_VALUE_LIMIT, 1024);	\
	} while (0)

static enum kv_status put(struct kv *kv, const void *key, u32 klen,
			  const void *val, u32 vlen, u32 opts)
{
	enum kv_status st;
	void *dst;

	st = kv_store_begin(kv, key, klen, vlen, opts, &dst);
	if (st)
		return st;
	if (vlen)
		memcpy(dst, val, vlen);
	kv_store_commit(kv);
	return KV_OK;
}

static enum kv_status puts_(struct kv *kv, const char *key, const char *val)
{
	return put(kv, key, strlen(key), val, strlen(val), 0);
}

/* Retrieve the whole value into buf (at most cap bytes); *n = value size. */
static enum kv_status get(struct kv *kv, const void *key, u32 klen, void *buf,
			  u32 cap, u32 *n)
{
	const void *src;
	u32 len;
	enum kv_status st;

	st = kv_retrieve(kv, key, klen, 0, cap, &src, &len, n);
	if (!st && len)
		memcpy(buf, src, len);
	return st;
}

static u64 used(const struct kv *kv)
{
	struct kv_stats st;

	kv_stats(kv, &st);
	return st.used_bytes;
}

static u64 free_b(const struct kv *kv)
{
	struct kv_stats st;

	kv_stats(kv, &st);
	return st.free_bytes;
}

static u64 nkeys(const struct kv *kv)
{
	struct kv_stats st;

	kv_stats(kv, &st);
	return st.nr_keys;
}

static u32 rd_le16(const u8 *p)
{
	return p[0] | (u32)p[1] << 8;
}

static u32 rd_le32(const u8 *p)
{
	return p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

/* Value area bytes a value of vlen takes. */
static u64 vbytes(u32 vlen)
{
	return vlen ? ((vlen + 16 + 63ULL) / 64) * 64 : 0;
}

/* Largest free block in granules, by walking the area. */
static u32 largest_free(const struct kv *kv)
{
	u32 u = 0, best = 0;

	while (u < kv->sb->area_units) {
		const struct kv_blk *b =
			(const void *)(kv->area + ((size_t)u << 6));

		if (b->owner == KV_OWNER_FREE && b->units > best)
			best = b->units;
		u += b->units;
	}
	return best;
}

/* Number of blocks in the value area, and of free ones. */
static u32 nr_blocks(const struct kv *kv, u32 *nr_free)
{
	u32 u = 0, n = 0;

	*nr_free = 0;
	while (u < kv->sb->area_units) {
		const struct kv_blk *b =
			(const void *)(kv->area + ((size_t)u << 6));

		if (b->owner == KV_OWNER_FREE)
			(*nr_free)++;
		n++;
		u += b->units;
	}
	return n;
}

/* deterministic PRNG */
static u64 rng_state;

static u32 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (u32)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

/* ---- parameters and layout ---- */

static void test_params(void)
{
	struct kv_params p;

	kv_params_default(&p);
	EXPECT_EQ_U64(p.max_value, 512 * KIB);
	EXPECT_EQ_U64(p.bytes_per_key, 1024);
	EXPECT_TRUE(!kv_check_params(&p, 64 * MIB));
	EXPECT_TRUE(!kv_check_params(&p, KV_MIN_REGION));
	EXPECT_TRUE(!kv_check_params(&p, KV_MAX_REGION));
	EXPECT_TRUE(kv_check_params(&p, KV_MIN_REGION - 1) != NULL);
	EXPECT_TRUE(kv_check_params(&p, KV_MAX_REGION + 1) != NULL);
	p.max_value = 0;
	EXPECT_TRUE(kv_check_params(&p, 64 * MIB) != NULL);
	p.max_value = 512 * KIB + 1;
	EXPECT_TRUE(kv_check_params(&p, 64 * MIB) != NULL);
	p.max_value = 1;
	EXPECT_TRUE(!kv_check_params(&p, 64 * MIB));
	p.bytes_per_key = 63;
	EXPECT_TRUE(kv_check_params(&p, 64 * MIB) != NULL);
	p.bytes_per_key = 64;
	EXPECT_TRUE(!kv_check_params(&p, 64 * MIB));
	EXPECT_EQ_U64(kv_list_entry_bytes(1), 4);
	EXPECT_EQ_U64(kv_list_entry_bytes(2), 4);
	EXPECT_EQ_U64(kv_list_entry_bytes(3), 8);
	EXPECT_EQ_U64(kv_list_entry_bytes(6), 8);
	EXPECT_EQ_U64(kv_list_entry_bytes(7), 12);
	EXPECT_EQ_U64(kv_list_entry_bytes(14), 16);
	EXPECT_EQ_U64(kv_list_entry_bytes(15), 20);
	EXPECT_EQ_U64(kv_list_entry_bytes(16), 20);
}

static void test_layout(void)
{
	struct kv kv;
	struct kv_stats st;
	u8 *b;

	R1(kv, b);
	EXPECT_EQ_U64(kv.sb->max_keys, R1_KEYS);
	EXPECT_EQ_U64(kv.sb->leaf_off, 4096);
	EXPECT_EQ_U64(kv.sb->node_off, 4096 + 32 * 1024);
	EXPECT_EQ_U64(kv.sb->area_off, R1_AREA_OFF);
	EXPECT_EQ_U64(kv.sb->area_units, R1_UNITS);
	EXPECT_EQ_U64(kv.sb->magic, KV_MAGIC);
	EXPECT_TRUE(kv_has_magic(b, R1_SIZE));
	EXPECT_TRUE(!memcmp(b, "NVMEVKV1", 8));
	kv_stats(&kv, &st);
	EXPECT_EQ_U64(st.nr_keys, 0);
	EXPECT_EQ_U64(st.max_keys, R1_KEYS);
	EXPECT_EQ_U64(st.value_bytes, 0);
	EXPECT_EQ_U64(st.used_bytes, 0);
	EXPECT_EQ_U64(st.free_bytes, R1_AREA);
	EXPECT_EQ_U64(st.area_bytes, R1_AREA);
	EXPECT_EQ_U64(st.max_value, 512 * KIB);
	EXPECT_EQ_U64(st.max_key, 16);
	free(b);

	/* 64 MiB with the defaults */
	b = region_new(64 * MIB);
	if (!b)
		FAIL("no memory");
	FORMAT(kv, b, 64 * MIB, 512 * KIB, 1024);
	EXPECT_EQ_U64(kv.sb->max_keys, 65536);
	EXPECT_EQ_U64(kv.sb->area_off, 3149824);
	EXPECT_EQ_U64(kv.sb->area_units, 999360);
	/* the smallest bytes_per_key: 48 of every 64 bytes are key slots */
	EXPECT_TRUE(!kv_format(&kv, b, 64 * MIB, &(struct kv_params){ 1, 64 }));
	EXPECT_EQ_U64(kv.sb->max_keys, 1048576);
	EXPECT_EQ_U64(kv.sb->area_off, 4096 + 48 * 1048576ULL);
	/* misaligned base */
	EXPECT_EQ_INT(kv_format(&kv, b + 4, MIB,
				&(struct kv_params){ 1, 1024 }), -EINVAL);
	free(b);
}

/* ---- basic operations ---- */

static void test_insert_retrieve(void)
{
	struct kv kv;
	struct kv_stats st;
	char buf[64];
	u32 n;
	u8 *b;

	R1(kv, b);
	EXPECT_EQ_INT(puts_(&kv, "abc", "hello"), KV_OK);
	EXPECT_EQ_INT(get(&kv, "abc", 3, buf, sizeof(buf), &n), KV_OK);
	EXPECT_EQ_U64(n, 5);
	EXPECT_TRUE(!memcmp(buf, "hello", 5));
	EXPECT_EQ_INT(get(&kv, "abd", 3, buf, sizeof(buf), &n),
		      KV_KEY_NOT_EXIST);
	EXPECT_EQ_U64(n, 0);
	EXPECT_EQ_INT(get(&kv, "ab", 2, buf, sizeof(buf), &n),
		      KV_KEY_NOT_EXIST);
	kv_stats(&kv, &st);
	EXPECT_EQ_U64(st.nr_keys, 1);
	EXPECT_EQ_U64(st.value_bytes, 5);
	EXPECT_EQ_U64(st.used_bytes, 64);
	EXPECT_EQ_U64(st.free_bytes, R1_AREA - 64);
	/* 48 bytes fit the first granule with the header, 49 do not */
	EXPECT_EQ_INT(put(&kv, "k48", 3, b, 48, 0), KV_OK);
	EXPECT_EQ_U64(used(&kv), 128);
	EXPECT_EQ_INT(put(&kv, "k49", 3, b, 49, 0), KV_OK);
	EXPECT_EQ_U64(used(&kv), 256);
	EXPECT_EQ_U64(nkeys(&kv), 3);
	free(b);
}

static void test_overwrite_frees(void)
{
	static u8 big[100000], small[10];
	struct kv kv;
	struct kv_stats st;
	u32 n, i;
	u8 *b;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (u8)(i * 7);
	memset(small, 0x5A, sizeof(small));
	R1(kv, b);
	EXPECT_EQ_INT(put(&kv, "x", 1, big, 1000, 0), KV_OK);
	EXPECT_EQ_U64(used(&kv), 1024);		/* 1016 -> 16 granules */
	EXPECT_EQ_INT(put(&kv, "x", 1, small, 10, 0), KV_OK);
	kv_stats(&kv, &st);
	EXPECT_EQ_U64(st.nr_keys, 1);
	EXPECT_EQ_U64(st.value_bytes, 10);
	EXPECT_EQ_U64(st.used_bytes, 64);
	EXPECT_EQ_U64(st.free_bytes, R1_AREA - 64);
	EXPECT_EQ_INT(put(&kv, "x", 1, big, sizeof(big), 0), KV_OK);
	EXPECT_EQ_U64(used(&kv), vbytes(sizeof(big)));
	EXPECT_EQ_U64(vbytes(sizeof(big)), 100032);
	{
		static u8 out[100000];

		EXPECT_EQ_INT(get(&kv, "x", 1, out, sizeof(out), &n), KV_OK);
		EXPECT_EQ_U64(n, sizeof(big));
		EXPECT_TRUE(!memcmp(out, big, sizeof(big)));
	}
	/* an overwrite with the empty value frees everything */
	EXPECT_EQ_INT(put(&kv, "x", 1, NULL, 0, 0), KV_OK);
	kv_stats(&kv, &st);
	EXPECT_EQ_U64(st.nr_keys, 1);
	EXPECT_EQ_U64(st.used_bytes, 0);
	EXPECT_EQ_U64(st.free_bytes, R1_AREA);
	EXPECT_EQ_U64(largest_free(&kv), R1_UNITS);
	free(b);
}

static void test_delete_exist(void)
{
	struct kv kv;
	u32 vs;
	u8 *b;

	R1(kv, b);
	EXPECT_EQ_INT(puts_(&kv, "one", "1"), KV_OK);
	EXPECT_EQ_INT(puts_(&kv, "two", "22"), KV_OK);
	EXPECT_EQ_INT(kv_exist(&kv, "two", 3, &vs), KV_OK);
	EXPECT_EQ_U64(vs, 2);
	EXPECT_EQ_INT(kv_exist(&kv, "two", 3, NULL), KV_OK);
	EXPECT_EQ_INT(kv_exist(&kv, "tw", 2, &vs), KV_KEY_NOT_EXIST);
	EXPECT_EQ_U64(vs, 0);
	EXPECT_EQ_INT(kv_delete(&kv, "one", 3), KV_OK);
	EXPECT_EQ_INT(kv_exist(&kv, "one", 3, NULL), KV_KEY_NOT_EXIST);
	EXPECT_EQ_INT(kv_delete(&kv, "one", 3), KV_KEY_NOT_EXIST);
	EXPECT_EQ_INT(kv_delete(&kv, "three", 5), KV_KEY_NOT_EXIST);
	EXPECT_EQ_U64(nkeys(&kv), 1);
	EXPECT_EQ_U64(used(&kv), 64);
	EXPECT_EQ_INT(kv_delete(&kv, "two", 3), KV_OK);
	EXPECT_EQ_U64(nkeys(&kv), 0);
	EXPECT_EQ_U64(used(&kv), 0);
	EXPECT_EQ_U64(kv.sb->root, KV_NONE);
	EXPECT_EQ_INT(kv_delete(&kv, "two", 3), KV_KEY_NOT_EXIST);
	EXPECT_EQ_INT(kv_exist(&kv, "two", 3, NULL), KV_KEY_NOT_EXIST);
	free(b);
}

static void test_retrieve_offset(void)
{
	struct kv kv;
	const void *src;
	u32 len, vs;
	u8 *b;

	R1(kv, b);
	EXPECT_EQ_INT(puts_(&kv, "k", "0123456789"), KV_OK);
	EXPECT_EQ_INT(kv_retrieve(&kv, "k", 1, 0, 100, &src, &len, &vs), KV_OK);
	EXPECT_EQ_U64(len, 10);
	EXPECT_EQ_U64(vs, 10);
	EXPECT_TRUE(!memcmp(src, "0123456789", 10));
	EXPECT_EQ_INT(kv_retrieve(&kv, "k", 1, 3, 100, &src, &len, &vs), KV_OK);
	EXPECT_EQ_U64(len, 7);
	EXPECT_EQ_U64(vs, 10);
	EXPECT_TRUE(!memcmp(src, "3456789", 7));
	EXPECT_EQ_INT(kv_retrieve(&kv, "k", 1, 3, 4, &src, &len, &vs), KV_OK);
	EXPECT_EQ_U64(len, 4);
	EXPECT_TRUE(!memcmp(src, "3456", 4));
	/* a host buffer smaller than the value: truncated, full size */
	EXPECT_EQ_INT(kv_retrieve(&kv, "k", 1, 0, 4, &src, &len, &vs), KV_OK);
	EXPECT_EQ_U64(len, 4);
	EXPECT_EQ_U64(vs, 10);
	/* HBS 0: only the size */
	EXPECT_EQ_INT(kv_retrieve(&kv, "k", 1, 0, 0, &src, &len, &vs), KV_OK);
	EXPECT_EQ_U64(len, 0);
	EXPECT_EQ_U64(vs, 10);
	EXPECT_EQ_INT(kv_retrieve(&kv, "k", 1, 9, 100, &src, &len, &vs), KV_OK);
	EXPECT_EQ_U64(len, 1);
	EXPECT_TRUE(!memcmp(src, "9", 1));
	EXPECT_EQ_INT(kv_retrieve(&kv, "k", 1, 10, 100, &src, &len, &vs),
		      KV_OK);
	EXPECT_EQ_U64(len, 0);
	EXPECT_TRUE(src != NULL);
	EXPECT_EQ_INT(kv_retrieve(&kv, "k", 1, 0xFFFFFFFF, 100, &src, &len,
				  &vs), KV_OK);
	EXPECT_EQ_U64(len, 0);
	EXPECT_EQ_U64(vs, 10);
	free(b);
}

static void test_empty_value(void)
{
	struct kv kv;
	struct kv_stats st;
	const void *src;
	void *dst;
	u32 len, vs;
	u8 *b;

	R1(kv, b);
	EXPECT_EQ_INT(kv_store_begin(&kv, "e", 1, 0, 0, &dst), KV_OK);
	EXPECT_TRUE(dst != NULL);
	kv_store_commit(&kv);
	kv_stats(&kv, &st);
	EXPECT_EQ_U64(st.nr_keys, 1);
	EXPECT_EQ_U64(st.value_bytes, 0);
	EXPECT_EQ_U64(st.used_bytes, 0);
	EXPECT_EQ_INT(kv_retrieve(&kv, "e", 1, 0, 100, &src, &len, &vs), KV_OK);
	EXPECT_EQ_U64(len, 0);
	EXPECT_EQ_U64(vs, 0);
	EXPECT_TRUE(src != NULL);
	EXPECT_EQ_INT(kv_exist(&kv, "e", 1, &vs), KV_OK);
	EXPECT_EQ_INT(puts_(&kv, "e", "now"), KV_OK);
	EXPECT_EQ_U64(used(&kv), 64);
	EXPECT_EQ_INT(kv_delete(&kv, "e", 1), KV_OK);
	EXPECT_EQ_U64(used(&kv), 0);
	free(b);
}

static void test_key_sizes(void)
{
	static const u8 k17[17] = "0123456789abcdefg";
	struct kv kv;
	const void *src;
	u8 lbuf[64], buf[8];
	void *dst;
	u32 len, vs, nr, usedb;
	u8 *b;

	R1(kv, b);
	EXPECT_EQ_INT(kv_store_begin(&kv, k17, 0, 1, 0, &dst),
		      KV_INVALID_KEY_SIZE);
	EXPECT_TRUE(dst == NULL);
	EXPECT_EQ_INT(kv_store_begin(&kv, k17, 17, 1, 0, &dst),
		      KV_INVALID_KEY_SIZE);
	EXPECT_EQ_INT(kv_store_begin(&kv, k17, 255, 1, 0, &dst),
		      KV_INVALID_KEY_SIZE);
	EXPECT_EQ_INT(kv_retrieve(&kv, k17, 0, 0, 1, &src, &len, &vs),
		      KV_INVALID_KEY_SIZE);
	EXPECT_EQ_INT(kv_retrieve(&kv, k17, 17, 0, 1, &src, &len, &vs),
		      KV_INVALID_KEY_SIZE);
	EXPECT_EQ_INT(kv_exist(&kv, k17, 0, NULL), KV_INVALID_KEY_SIZE);
	EXPECT_EQ_INT(kv_exist(&kv, k17, 17, NULL), KV_INVALID_KEY_SIZE);
	EXPECT_EQ_INT(kv_delete(&kv, k17, 0), KV_INVALID_KEY_SIZE);
	EXPECT_EQ_INT(kv_delete(&kv, k17, 17), KV_INVALID_KEY_SIZE);
	EXPECT_EQ_INT(kv_list(&kv, k17, 17, lbuf, sizeof(lbuf), &nr, &usedb),
		      KV_INVALID_KEY_SIZE);
	EXPECT_EQ_U64(nkeys(&kv), 0);
	EXPECT_EQ_U64(used(&kv), 0);
	/* 16 bytes is the largest key; 1 the smallest */
	EXPECT_EQ_INT(put(&kv, k17, 16, "v16", 3, 0), KV_OK);
	EXPECT_EQ_INT(put(&kv, k17, 1, "v1", 2, 0), KV_OK);
	/* keys differing only in length or in trailing zeros are distinct */
	EXPECT_EQ_INT(put(&kv, "a", 1, "A1", 2, 0), KV_OK);
	EXPECT_EQ_INT(put(&kv, "a\0", 2, "A2", 2, 0), KV_OK);
	EXPECT_EQ_INT(put(&kv, "a\0\0", 3, "A3", 2, 0), KV_OK);
	EXPECT_EQ_U64(nkeys(&kv), 5);
	EXPECT_EQ_INT(get(&kv, "a\0", 2, buf, sizeof(buf), &vs), KV_OK);
	EXPECT_TRUE(!memcmp(buf, "A2", 2));
	EXPECT_EQ_INT(get(&kv, "a", 1, buf, sizeof(buf), &vs), KV_OK);
	EXPECT_TRUE(!memcmp(buf, "A1", 2));
	EXPECT_EQ_INT(get(&kv, "a\0\0", 3, buf, sizeof(buf), &vs), KV_OK);
	EXPECT_TRUE(!memcmp(buf, "A3", 2));
	EXPECT_EQ_INT(get(&kv, "a\0\0\0", 4, buf, sizeof(buf), &vs),
		      KV_KEY_NOT_EXIST);
	EXPECT_EQ_INT(get(&kv, k17, 16, buf, sizeof(buf), &vs), KV_OK);
	EXPECT_TRUE(!memcmp(buf, "v16", 3));
	EXPECT_EQ_INT(kv_delete(&kv, "a\0", 2), KV_OK);
	EXPECT_EQ_INT(kv_exist(&kv, "a", 1, NULL), KV_OK);
	EXPECT_EQ_INT(kv_exist(&kv, "a\0\0", 3, NULL), KV_OK);
	free(b);
}

static void test_value_limits(void)
{
	static u8 v[512 * 1024 + 1];
	struct kv kv;
	void *dst;
	u8 *b;

	R1(kv, b);
	EXPECT_EQ_INT(kv_store_begin(&kv, "k", 1, 512 * 1024 + 1, 0, &dst),
		      KV_INVALID_VALUE_SIZE);
	EXPECT_EQ_INT(kv_store_begin(&kv, "k", 1, 0xFFFFFFFF, 0, &dst),
		      KV_INVALID_VALUE_SIZE);
	EXPECT_EQ_INT(put(&kv, "k", 1, v, 512 * 1024, 0), KV_OK);
	EXPECT_EQ_U64(used(&kv), vbytes(512 * 1024));
	free(b);

	/* a smaller max_value */
	b = region_new(R1_SIZE);
	if (!b)
		FAIL("no memory");
	FORMAT(kv, b, R1_SIZE, 1000, 1024);
	EXPECT_EQ_INT(put(&kv, "k", 1, v, 1000, 0), KV_OK);
	EXPECT_EQ_INT(put(&kv, "k", 1, v, 1001, 0), KV_INVALID_VALUE_SIZE);
	/* key size is checked before value size */
	EXPECT_EQ_INT(put(&kv, "k", 0, v, 1001, 0), KV_INVALID_KEY_SIZE);
	free(b);
}

static void test_store_options(void)
{
	struct kv kv;
	char buf[16];
	u32 n;
	u8 *b;

	R1(kv, b);
	/* only if it exists: not created */
	EXPECT_EQ_INT(put(&kv, "k", 1, "v1", 2, KV_STORE_IF_EXISTS),
		      KV_KEY_NOT_EXIST);
	EXPECT_EQ_INT(kv_exist(&kv, "k", 1, NULL), KV_KEY_NOT_EXIST);
	EXPECT_EQ_U64(used(&kv), 0);
	/* only if it does not exist: created */
	EXPECT_EQ_INT(put(&kv, "k", 1, "v1", 2, KV_STORE_IF_NOT_EXISTS),
		      KV_OK);
	/* ... not again */
	EXPECT_EQ_INT(put(&kv, "k", 1, "v2", 2, KV_STORE_IF_NOT_EXISTS),
		      KV_KEY_EXISTS);
	EXPECT_EQ_INT(get(&kv, "k", 1, buf, sizeof(buf), &n), KV_OK);
	EXPECT_TRUE(!memcmp(buf, "v1", 2));
	EXPECT_EQ_U64(used(&kv), 64);
	/* only if it exists: replaced */
	EXPECT_EQ_INT(put(&kv, "k", 1, "v333", 4, KV_STORE_IF_EXISTS), KV_OK);
	EXPECT_EQ_INT(get(&kv, "k", 1, buf, sizeof(buf), &n), KV_OK);
	EXPECT_EQ_U64(n, 4);
	EXPECT_TRUE(!memcmp(buf, "v333", 4));
	/* both: invalid, whether the key exists or not */
	EXPECT_EQ_INT(put(&kv, "k", 1, "x", 1, KV_STORE_IF_EXISTS |
			  KV_STORE_IF_NOT_EXISTS), KV_INVALID_FIELD);
	EXPECT_EQ_INT(put(&kv, "z", 1, "x", 1, KV_STORE_IF_EXISTS |
			  KV_STORE_IF_NOT_EXISTS), KV_INVALID_FIELD);
	/* the compression hint and reserved bits are ignored */
	EXPECT_EQ_INT(put(&kv, "k", 1, "c", 1, KV_STORE_NO_COMPRESS | 0xF8),
		      KV_OK);
	EXPECT_EQ_INT(get(&kv, "k", 1, buf, sizeof(buf), &n), KV_OK);
	EXPECT_EQ_U64(n, 1);
	EXPECT_EQ_U64(nkeys(&kv), 1);
	EXPECT_EQ_U64(used(&kv), 64);
	free(b);
}

static void test_pending_rules(void)
{
	struct kv kv;
	char buf[16];
	void *dst, *dst2;
	u32 n;
	u8 *b;

	R1(kv, b);
	EXPECT_EQ_INT(puts_(&kv, "k", "old"), KV_OK);
	EXPECT_EQ_INT(kv_store_begin(&kv, "k", 1, 100, 0, &dst), KV_OK);
	memset(dst, 'N', 100);
	EXPECT_EQ_U64(used(&kv), 64 + 128);	/* old + reserved */
	EXPECT_EQ_INT(kv_store_begin(&kv, "j", 1, 1, 0, &dst2), KV_INTERNAL);
	EXPECT_EQ_INT(kv_delete(&kv, "k", 1), KV_INTERNAL);
	/* reads see the old state */
	EXPECT_EQ_INT(get(&kv, "k", 1, buf, sizeof(buf), &n), KV_OK);
	EXPECT_EQ_U64(n, 3);
	EXPECT_TRUE(!memcmp(buf, "old", 3));
	kv_store_abort(&kv);
	EXPECT_EQ_U64(used(&kv), 64);
	EXPECT_EQ_U64(free_b(&kv), R1_AREA - 64);
	EXPECT_EQ_INT(get(&kv, "k", 1, buf, sizeof(buf), &n), KV_OK);
	EXPECT_EQ_U64(n, 3);
	/* commit and abort without a pending store do nothing */
	kv_store_commit(&kv);
	kv_store_abort(&kv);
	EXPECT_EQ_U64(nkeys(&kv), 1);
	EXPECT_EQ_U64(used(&kv), 64);
	/* an aborted new key leaves no trace */
	EXPECT_EQ_INT(kv_store_begin(&kv, "new", 3, 5000, 0, &dst), KV_OK);
	kv_store_abort(&kv);
	EXPECT_EQ_INT(kv_exist(&kv, "new", 3, NULL), KV_KEY_NOT_EXIST);
	EXPECT_EQ_U64(nkeys(&kv), 1);
	EXPECT_EQ_U64(used(&kv), 64);
	EXPECT_EQ_U64(largest_free(&kv), R1_UNITS - 1);
	/* kv_unmount aborts */
	EXPECT_EQ_INT(kv_store_begin(&kv, "new", 3, 5000, 0, &dst), KV_OK);
	kv_unmount(&kv);
	EXPECT_EQ_INT(kv_mount(&kv, b, R1_SIZE, NULL), 0);
	EXPECT_EQ_U64(used(&kv), 64);
	EXPECT_EQ_U64(nkeys(&kv), 1);
	free(b);
}

/* ---- List ---- */

static const struct {
	const char *k;
	u32 len;
} lkeys[] = {
	/* in their expected order */
	{ "\0", 1 }, { "\0\0", 2 }, { "\0\x01", 2 }, { "0123456789ABCDEF", 16 },
	{ "a", 1 }, { "a\0", 2 }, { "ab", 2 }, { "abc", 3 }, { "abcdef", 6 },
	{ "abcdefg", 7 }, { "b", 1 }, { "\xff", 1 },
	{ "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
	  16 },
};

#define NLKEYS	UNIT_ARRAY_SIZE(lkeys)

static int fill_lkeys(struct kv *kv)
{
	/* insertion order: a fixed shuffle */
	static const u32 order[] = { 7, 0, 12, 3, 9, 1, 11, 5, 8, 2, 10, 4, 6 };
	u32 i;

	for (i = 0; i < NLKEYS; i++)
		if (put(kv, lkeys[order[i]].k, lkeys[order[i]].len, "v", 1, 0))
			return -1;
	return 0;
}

/* Check that buf holds keys lkeys[first .. first + nr - 1]. */
static int check_list(const u8 *buf, u32 nr, u32 usedb, u32 first)
{
	u32 pos = 4, i;

	if (rd_le32(buf) != nr)
		return -1;
	for (i = 0; i < nr; i++) {
		u32 k = first + i, l = rd_le16(buf + pos);

		if (k >= NLKEYS || l != lkeys[k].len ||
		    memcmp(buf + pos + 2, lkeys[k].k, l))
			return -1;
		pos += kv_list_entry_bytes(l);
	}
	return pos == usedb ? 0 : -1;
}

static void test_list_order(void)
{
	struct kv kv;
	u8 buf[512];
	u32 nr, usedb;
	u8 *b;

	R1(kv, b);
	EXPECT_EQ_INT(kv_list(&kv, NULL, 0, buf, sizeof(buf), &nr, &usedb),
		      KV_OK);
	EXPECT_EQ_U64(nr, 0);
	EXPECT_EQ_U64(usedb, 4);
	EXPECT_EQ_U64(rd_le32(buf), 0);
	EXPECT_EQ_INT(fill_lkeys(&kv), 0);
	EXPECT_EQ_INT(kv_list(&kv, NULL, 0, buf, sizeof(buf), &nr, &usedb),
		      KV_OK);
	EXPECT_EQ_U64(nr, NLKEYS);
	EXPECT_EQ_INT(check_list(buf, nr, usedb, 0), 0);
	/* deleting keeps the order of the rest */
	EXPECT_EQ_INT(kv_delete(&kv, "\0\0", 2), KV_OK);
	EXPECT_EQ_INT(kv_list(&kv, "\0\0", 2, buf, sizeof(buf), &nr, &usedb),
		      KV_OK);
	EXPECT_EQ_INT(check_list(buf, nr, usedb, 2), 0);
	free(b);
}

static void test_list_from_start(void)
{
	struct kv kv;
	u8 buf[512];
	u32 nr, usedb;
	u8 *b;

	R1(kv, b);
	EXPECT_EQ_INT(fill_lkeys(&kv), 0);
	/* an existing start key is included */
	EXPECT_EQ_INT(kv_list(&kv, "ab", 2, buf, sizeof(buf), &nr, &usedb),
		      KV_OK);
	EXPECT_EQ_U64(nr, NLKEYS - 6);
	EXPECT_EQ_INT(check_list(buf, nr, usedb, 6), 0);
	/* a missing one: the next larger key */
	EXPECT_EQ_INT(kv_list(&kv, "abd", 3, buf, sizeof(buf), &nr, &usedb),
		      KV_OK);
	EXPECT_EQ_INT(check_list(buf, nr, usedb, 10), 0);
	EXPECT_EQ_INT(kv_list(&kv, "abcd", 4, buf, sizeof(buf), &nr, &usedb),
		      KV_OK);
	EXPECT_EQ_INT(check_list(buf, nr, usedb, 8), 0);
	EXPECT_EQ_INT(kv_list(&kv, "a\0\0", 3, buf, sizeof(buf), &nr, &usedb),
		      KV_OK);
	EXPECT_EQ_INT(check_list(buf, nr, usedb, 6), 0);
	EXPECT_EQ_INT(kv_list(&kv, "1", 1, buf, sizeof(buf), &nr, &usedb),
		      KV_OK);
	EXPECT_EQ_INT(check_list(buf, nr, usedb, 4), 0);
	EXPECT_EQ_INT(kv_list(&kv, "\0", 1, buf, sizeof(buf), &nr, &usedb),
		      KV_OK);
	EXPECT_EQ_INT(check_list(buf, nr, usedb, 0), 0);
	/* beyond the last key: nothing */
	EXPECT_EQ_INT(kv_list(&kv, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
			      "\xff\xff\xff\xff\xff\xff", 16, buf, sizeof(buf),
			      &nr, &usedb), KV_OK);
	EXPECT_EQ_U64(nr, 1);
	EXPECT_EQ_INT(check_list(buf, nr, usedb, NLKEYS - 1), 0);
	EXPECT_EQ_INT(kv_delete(&kv, "\xff\xff\xff\xff\xff\xff\xff\xff\xff"
				"\xff\xff\xff\xff\xff\xff\xff", 16), KV_OK);
	EXPECT_EQ_INT(kv_list(&kv, "\xff\x00", 2, buf, sizeof(buf), &nr,
			      &usedb), KV_OK);
	EXPECT_EQ_U64(nr, 0);
	EXPECT_EQ_U64(usedb, 4);
	free(b);
}

static void test_list_wire_bytes(void)
{
	static const u8 expect[64] = {
		7, 0, 0, 0,
		1, 0, 0x00, 0,
		16, 0, '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
		'A', 'B', 'C', 'D', 'E', 'F', 0, 0,
		1, 0, 'a', 0,
		2, 0, 'a', 'b',
		3, 0, 'a', 'b', 'c', 0, 0, 0,
		6, 0, 'a', 'b', 'c', 'd', 'e', 'f',
		7, 0, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 0, 0, 0,
	};
	static const char * const keys[] = {
		"abcdefg", "a", "abcdef", "0123456789ABCDEF", "ab", "abc",
	};
	struct kv kv;
	u8 buf[100];
	u32 nr, usedb, i;
	u8 *b;

	R1(kv, b);
	for (i = 0; i < UNIT_ARRAY_SIZE(keys); i++)
		EXPECT_EQ_INT(puts_(&kv, keys[i], "x"), KV_OK);
	EXPECT_EQ_INT(put(&kv, "\0", 1, "x", 1, 0), KV_OK);
	memset(buf, 0xEE, sizeof(buf));
	EXPECT_EQ_INT(kv_list(&kv, NULL, 0, buf, sizeof(buf), &nr, &usedb),
		      KV_OK);
	EXPECT_EQ_U64(nr, 7);
	EXPECT_EQ_U64(usedb, 64);
	for (i = 0; i < 64; i++)
		if (buf[i] != expect[i])
			FAIL("byte %u is %#x, expected %#x", i, buf[i],
			     expect[i]);
	for (i = 64; i < sizeof(buf); i++)
		EXPECT_EQ_U64(buf[i], 0xEE);
	/* exactly as many bytes as needed, and one fewer */
	memset(buf, 0xEE, sizeof(buf));
	EXPECT_EQ_INT(kv_list(&kv, NULL, 0, buf, 64, &nr, &usedb), KV_OK);
	EXPECT_EQ_U64(nr, 7);
	EXPECT_TRUE(!memcmp(buf, expect, 64));
	memset(buf, 0xEE, sizeof(buf));
	EXPECT_EQ_INT(kv_list(&kv, NULL, 0, buf, 63, &nr, &usedb), KV_OK);
	EXPECT_EQ_U64(nr, 6);
	EXPECT_EQ_U64(usedb, 52);
	EXPECT_EQ_U64(rd_le32(buf), 6);
	EXPECT_TRUE(!memcmp(buf + 4, expect + 4, 48));
	EXPECT_EQ_U64(buf[52], 0xEE);
	free(b);
}

static void test_list_small_buffer(void)
{
	struct kv kv;
	u8 buf[32];
	u32 nr, usedb;
	u8 *b;

	R1(kv, b);
	EXPECT_EQ_INT(puts_(&kv, "a", "1"), KV_OK);
	EXPECT_EQ_INT(puts_(&kv, "bcd", "2"), KV_OK);
	memset(buf, 0xEE, sizeof(buf));
	EXPECT_EQ_INT(kv_list(&kv, NULL, 0, buf, 3, &nr, &usedb),
		      KV_INVALID_FIELD);
	EXPECT_EQ_U64(nr, 0);
	EXPECT_EQ_U64(usedb, 0);
	EXPECT_EQ_U64(buf[0], 0xEE);
	EXPECT_EQ_INT(kv_list(&kv, NULL, 0, buf, 0, &nr, &usedb),
		      KV_INVALID_FIELD);
	EXPECT_EQ_INT(kv_list(&kv, NULL, 0, buf, 4, &nr, &usedb), KV_OK);
	EXPECT_EQ_U64(nr, 0);
	EXPECT_EQ_U64(usedb, 4);
	EXPECT_EQ_U64(rd_le32(buf), 0);
	EXPECT_EQ_U64(buf[4], 0xEE);
	EXPECT_EQ_INT(kv_list(&kv, NULL, 0, buf, 7, &nr, &usedb), KV_OK);
	EXPECT_EQ_U64(nr, 0);
	EXPECT_EQ_INT(kv_list(&kv, NULL, 0, buf, 8, &nr, &usedb), KV_OK);
	EXPECT_EQ_U64(nr, 1);
	EXPECT_EQ_U64(usedb, 8);
	EXPECT_EQ_INT(kv_list(&kv, NULL, 0, buf, 15, &nr, &usedb), KV_OK);
	EXPECT_EQ_U64(nr, 1);
	EXPECT_EQ_INT(kv_list(&kv, NULL, 0, buf, 16, &nr, &usedb), KV_OK);
	EXPECT_EQ_U64(nr, 2);
	EXPECT_EQ_U64(usedb, 16);
	free(b);
}

/* Enumerate a whole store in small List calls, restarting at the last key. */
static void test_list_paging(void)
{
	struct kv kv;
	u8 buf[64], last[16], cur[16];
	u32 nr, usedb, i, total = 0, lastlen = 0, pos;
	bool first = true;
	u8 *b;

	R1(kv, b);
	for (i = 0; i < 1000; i++) {
		u8 k[4] = { (u8)(i * 37), (u8)(i >> 8), (u8)i, 0xAA };

		EXPECT_EQ_INT(put(&kv, k, 2 + i % 3, NULL, 0, 0), KV_OK);
	}
	EXPECT_EQ_U64(nkeys(&kv), 1000);
	memset(last, 0, sizeof(last));
	for (;;) {
		EXPECT_EQ_INT(kv_list(&kv, last, lastlen, buf, sizeof(buf),
				      &nr, &usedb), KV_OK);
		pos = 4;
		for (i = 0; i < nr; i++) {
			u32 l = rd_le16(buf + pos);

			memset(cur, 0, sizeof(cur));
			memcpy(cur, buf + pos + 2, l);
			pos += kv_list_entry_bytes(l);
			if (!first && i == 0) {
				/* the start key itself, again */
				EXPECT_TRUE(l == lastlen &&
					    !memcmp(cur, last, 16));
				continue;
			}
			if (!first) {
				int c = memcmp(last, cur, 16);

				EXPECT_TRUE(c < 0 || (c == 0 && lastlen < l));
			}
			memcpy(last, cur, 16);
			lastlen = l;
			first = false;
			total++;
		}
		if (nr <= 1 && !first)
			break;
	}
	EXPECT_EQ_U64(total, 1000);
	free(b);
}

/* ---- capacity ---- */

static void fillval(u8 *v, u32 n, u32 seed)
{
	u32 i;

	for (i = 0; i < n; i++)
		v[i] = (u8)((seed * 2654435761U + i * 40503U) >> 11);
}

static void test_full_device(void)
{
	static u8 v[20000], out[20000];
	struct kv kv;
	struct kv_stats st, st2;
	u32 i, n, nr = 0;
	enum kv_status s;
	u8 *b;

	R1(kv, b);
	/* 19984-byte values take exactly 20000 bytes = 312.5 -> 313 granules */
	for (i = 0;; i++) {
		fillval(v, 19984, i);
		s = put(&kv, &i, 4, v, 19984, 0);
		if (s)
			break;
		nr++;
	}
	EXPECT_EQ_INT(s, KV_CAPACITY_EXCEEDED);
	EXPECT_EQ_U64(nr, R1_UNITS / 313);	/* 49 */
	kv_stats(&kv, &st);
	EXPECT_EQ_U64(st.nr_keys, 49);
	EXPECT_EQ_U64(st.used_bytes, 49 * 313 * 64ULL);
	EXPECT_EQ_U64(st.free_bytes, R1_AREA - 49 * 313 * 64ULL);
	/* what is left still takes small values */
	EXPECT_EQ_INT(put(&kv, "small", 5, v, 100, 0), KV_OK);
	EXPECT_EQ_INT(kv_delete(&kv, "small", 5), KV_OK);
	/* a failed store changed nothing */
	i = 1000;
	EXPECT_EQ_INT(put(&kv, &i, 4, v, 19984, 0), KV_CAPACITY_EXCEEDED);
	kv_stats(&kv, &st2);
	EXPECT_TRUE(!memcmp(&st, &st2, sizeof(st)));
	for (i = 0; i < 49; i++) {
		fillval(v, 19984, i);
		EXPECT_EQ_INT(get(&kv, &i, 4, out, sizeof(out), &n), KV_OK);
		EXPECT_EQ_U64(n, 19984);
		EXPECT_TRUE(!memcmp(out, v, n));
	}
	/* deleting one makes room for exactly one */
	i = 20;
	EXPECT_EQ_INT(kv_delete(&kv, &i, 4), KV_OK);
	i = 1000;
	EXPECT_EQ_INT(put(&kv, &i, 4, v, 19984, 0), KV_OK);
	i = 1001;
	EXPECT_EQ_INT(put(&kv, &i, 4, v, 19984, 0), KV_CAPACITY_EXCEEDED);
	free(b);
}

static void test_max_keys(void)
{
	struct kv kv;
	u32 i;
	u8 *b;

	b = region_new(KV_MIN_REGION);
	if (!b)
		FAIL("no memory");
	FORMAT(kv, b, KV_MIN_REGION, 100, 4096);	/* 16 key slots */
	EXPECT_EQ_U64(kv.sb->max_keys, 16);
	for (i = 0; i < 16; i++)
		EXPECT_EQ_INT(put(&kv, &i, 4, "v", 1, 0), KV_OK);
	EXPECT_EQ_INT(put(&kv, &i, 4, "v", 1, 0), KV_CAPACITY_EXCEEDED);
	EXPECT_EQ_INT(put(&kv, &i, 4, NULL, 0, 0), KV_CAPACITY_EXCEEDED);
	/* existing keys can still be overwritten */
	i = 3;
	EXPECT_EQ_INT(put(&kv, &i, 4, "vv", 2, 0), KV_OK);
	EXPECT_EQ_INT(kv_delete(&kv, &i, 4), KV_OK);
	i = 16;
	EXPECT_EQ_INT(put(&kv, &i, 4, "v", 1, 0), KV_OK);
	EXPECT_EQ_U64(nkeys(&kv), 16);
	EXPECT_EQ_U64(kv.sb->leaf_hwm, 16);
	EXPECT_EQ_U64(kv.sb->node_hwm, 15);
	free(b);
}

/* An overwrite that fits only once the old value is gone. */
static void test_tight_overwrite(void)
{
	static u8 v[512 * 1024], out[512 * 1024];
	struct kv kv;
	u32 n, vmax, units, i;
	void *dst;
	u8 *b;

	R1(kv, b);
	/* one value that takes more than half of the area */
	vmax = 512 * 1024;
	units = (vmax + 16 + 63) / 64;
	EXPECT_TRUE(units * 2 > R1_UNITS);
	fillval(v, vmax, 1);
	EXPECT_EQ_INT(put(&kv, "big", 3, v, vmax, 0), KV_OK);
	/* a second one does not fit */
	EXPECT_EQ_INT(put(&kv, "big2", 4, v, vmax, 0), KV_CAPACITY_EXCEEDED);
	/* the same key does, in the old value's space */
	fillval(v, vmax, 2);
	EXPECT_EQ_INT(put(&kv, "big", 3, v, vmax, 0), KV_OK);
	EXPECT_EQ_INT(get(&kv, "big", 3, out, sizeof(out), &n), KV_OK);
	EXPECT_EQ_U64(n, vmax);
	EXPECT_TRUE(!memcmp(out, v, vmax));
	EXPECT_EQ_U64(used(&kv), units * 64ULL);
	EXPECT_EQ_U64(nkeys(&kv), 1);
	/* an aborted tight overwrite leaves the key deleted */
	EXPECT_EQ_INT(kv_store_begin(&kv, "big", 3, vmax, 0, &dst), KV_OK);
	EXPECT_EQ_INT(kv_exist(&kv, "big", 3, NULL), KV_KEY_NOT_EXIST);
	kv_store_abort(&kv);
	EXPECT_EQ_INT(kv_exist(&kv, "big", 3, NULL), KV_KEY_NOT_EXIST);
	EXPECT_EQ_U64(nkeys(&kv), 0);
	EXPECT_EQ_U64(used(&kv), 0);
	EXPECT_EQ_U64(largest_free(&kv), R1_UNITS);
	/* and one that cannot fit even then fails and keeps the old value */
	EXPECT_EQ_INT(put(&kv, "big", 3, v, vmax, 0), KV_OK);
	for (i = 0; i < 4; i++)
		EXPECT_EQ_INT(put(&kv, &i, 4, v, 100000, 0), KV_OK);
	EXPECT_EQ_INT(put(&kv, "big", 3, v, vmax, 0), KV_OK);
	i = 99;
	EXPECT_EQ_INT(put(&kv, &i, 4, v, 100000, 0), KV_CAPACITY_EXCEEDED);
	i = 0;
	EXPECT_EQ_INT(put(&kv, &i, 4, v, 200000, 0), KV_CAPACITY_EXCEEDED);
	EXPECT_EQ_INT(get(&kv, &i, 4, out, sizeof(out), &n), KV_OK);
	EXPECT_EQ_U64(n, 100000);
	EXPECT_TRUE(!memcmp(out, v, n));
	EXPECT_EQ_U64(nkeys(&kv), 5);
	free(b);
}

static void test_fill_empty_refill(void)
{
	static u8 v[8192];
	static u32 ids[2048];
	struct kv kv;
	struct kv_stats st;
	u32 cycle, n, i, j, nfree;
	u8 *b;

	R1(kv, b);
	rng_state = 77;
	for (cycle = 0; cycle < 8; cycle++) {
		u32 misses = 0;

		n = 0;
		/* fill with random sizes until 20 stores in a row fail */
		while (misses < 20 && n < R1_KEYS) {
			u32 id = cycle * 100000 + n, len = rnd() % 8192;

			fillval(v, len, id);
			if (put(&kv, &id, 4, v, len, 0) == KV_OK) {
				ids[n++] = id;
				misses = 0;
			} else {
				misses++;
			}
		}
		EXPECT_TRUE(n > 200);
		kv_stats(&kv, &st);
		EXPECT_EQ_U64(st.nr_keys, n);
		/* empty in random order */
		for (i = n; i > 1; i--) {
			u32 t;

			j = rnd() % i;
			t = ids[i - 1];
			ids[i - 1] = ids[j];
			ids[j] = t;
		}
		for (i = 0; i < n; i++)
			EXPECT_EQ_INT(kv_delete(&kv, &ids[i], 4), KV_OK);
		kv_stats(&kv, &st);
		EXPECT_EQ_U64(st.nr_keys, 0);
		EXPECT_EQ_U64(st.value_bytes, 0);
		EXPECT_EQ_U64(st.used_bytes, 0);
		EXPECT_EQ_U64(st.free_bytes, R1_AREA);
		EXPECT_EQ_U64(nr_blocks(&kv, &nfree), 1);
		EXPECT_EQ_U64(nfree, 1);
		EXPECT_EQ_U64(kv.sb->root, KV_NONE);
		EXPECT_TRUE(kv.sb->leaf_hwm <= R1_KEYS);
	}
	free(b);
}

/* ---- persistence ---- */

static void test_persistence(void)
{
	struct kv kv, kv2;
	struct kv_stats st, st2;
	u8 v[3000], out[3000], lb1[4096], lb2[4096];
	u32 i, n, nr1, nr2, u1, u2;
	const char *why = NULL;
	u8 *a, *c;

	R1(kv, a);
	for (i = 0; i < 300; i++) {
		fillval(v, i * 10, i);
		EXPECT_EQ_INT(put(&kv, &i, 2 + i % 3, v, i * 10, 0), KV_OK);
	}
	for (i = 0; i < 300; i += 3)
		EXPECT_EQ_INT(kv_delete(&kv, &i, 2 + i % 3), KV_OK);
	kv_stats(&kv, &st);
	EXPECT_EQ_INT(kv_list(&kv, NULL, 0, lb1, sizeof(lb1), &nr1, &u1),
		      KV_OK);
	/* a copy at another address */
	c = region_new(R1_SIZE + 4096);
	if (!c)
		FAIL("no memory");
	memcpy(c + 4096, a, R1_SIZE);
	memset(a, 0, R1_SIZE);
	EXPECT_EQ_INT(kv_mount(&kv2, c + 4096, R1_SIZE, &why), 0);
	kv_stats(&kv2, &st2);
	EXPECT_TRUE(!memcmp(&st, &st2, sizeof(st)));
	EXPECT_EQ_INT(kv_list(&kv2, NULL, 0, lb2, sizeof(lb2), &nr2, &u2),
		      KV_OK);
	EXPECT_EQ_U64(nr2, nr1);
	EXPECT_EQ_U64(u2, u1);
	EXPECT_TRUE(!memcmp(lb1, lb2, u1));
	for (i = 0; i < 300; i++) {
		enum kv_status s = get(&kv2, &i, 2 + i % 3, out, sizeof(out),
				       &n);

		if (i % 3 == 0) {
			EXPECT_EQ_INT(s, KV_KEY_NOT_EXIST);
			continue;
		}
		EXPECT_EQ_INT(s, KV_OK);
		fillval(v, i * 10, i);
		EXPECT_EQ_U64(n, i * 10);
		EXPECT_TRUE(!memcmp(out, v, n));
	}
	/* and it keeps working */
	EXPECT_EQ_INT(puts_(&kv2, "after", "mount"), KV_OK);
	EXPECT_EQ_U64(nkeys(&kv2), st.nr_keys + 1);
	free(a);
	free(c);
}

static void test_persistence_pending(void)
{
	struct kv kv, kv2;
	struct kv_stats st, st2;
	void *dst;
	u8 *a, *c;

	R1(kv, a);
	c = region_new(R1_SIZE);
	if (!c)
		FAIL("no memory");
	EXPECT_EQ_INT(puts_(&kv, "keep", "value"), KV_OK);
	kv_stats(&kv, &st);
	/* a copy taken while a new key's store is pending */
	EXPECT_EQ_INT(kv_store_begin(&kv, "new", 3, 4000, 0, &dst), KV_OK);
	memcpy(c, a, R1_SIZE);
	EXPECT_EQ_INT(kv_mount(&kv2, c, R1_SIZE, NULL), 0);
	kv_stats(&kv2, &st2);
	EXPECT_TRUE(!memcmp(&st, &st2, sizeof(st)));
	EXPECT_EQ_INT(kv_exist(&kv2, "new", 3, NULL), KV_KEY_NOT_EXIST);
	EXPECT_EQ_U64(largest_free(&kv2), R1_UNITS - 1);
	kv_store_abort(&kv);
	/* ... while an overwrite is pending: the old value */
	EXPECT_EQ_INT(kv_store_begin(&kv, "keep", 4, 4000, 0, &dst), KV_OK);
	memset(dst, 'X', 4000);
	memcpy(c, a, R1_SIZE);
	EXPECT_EQ_INT(kv_mount(&kv2, c, R1_SIZE, NULL), 0);
	kv_stats(&kv2, &st2);
	EXPECT_TRUE(!memcmp(&st, &st2, sizeof(st)));
	kv_store_commit(&kv);
	free(a);
	free(c);
}

static void test_mount_failures(void)
{
	struct kv kv;
	const char *why;
	u8 *a, *c;
	u32 i;

	a = region_new(R1_SIZE);
	c = region_new(R1_SIZE);
	if (!a || !c)
		FAIL("no memory");
	/* zeroed, garbage */
	memset(c, 0, R1_SIZE);
	why = NULL;
	EXPECT_EQ_INT(kv_mount(&kv, c, R1_SIZE, &why), -EINVAL);
	EXPECT_TRUE(why != NULL);
	EXPECT_TRUE(!kv_has_magic(c, R1_SIZE));
	rng_state = 5;
	for (i = 0; i < R1_SIZE; i++)
		c[i] = (u8)rnd();
	EXPECT_EQ_INT(kv_mount(&kv, c, R1_SIZE, &why), -EINVAL);
	/* garbage behind a valid magic */
	memcpy(c, "NVMEVKV1", 8);
	EXPECT_TRUE(kv_has_magic(c, R1_SIZE));
	EXPECT_EQ_INT(kv_mount(&kv, c, R1_SIZE, &why), -EINVAL);

	FORMAT(kv, a, R1_SIZE, KV_MAX_VALUE_LIMIT, 1024);
	for (i = 0; i < 50; i++)
		EXPECT_EQ_INT(put(&kv, &i, 4, a, 100 + i, 0), KV_OK);
	/* truncated, larger, tiny, misaligned */
	memcpy(c, a, R1_SIZE);
	EXPECT_EQ_INT(kv_mount(&kv, c, R1_SIZE - 4096, &why), -EINVAL);
	EXPECT_EQ_INT(kv_mount(&kv, c, 100, &why), -EINVAL);
	EXPECT_EQ_INT(kv_mount(&kv, c, 0, &why), -EINVAL);
	EXPECT_EQ_INT(kv_mount(&kv, NULL, R1_SIZE, &why), -EINVAL);
	EXPECT_EQ_INT(kv_mount(&kv, c + 1, R1_SIZE - 1, &why), -EINVAL);
	EXPECT_EQ_INT(kv_mount(&kv, c, R1_SIZE, &why), 0);

#define CORRUPT(stmt)							\
	do {								\
		memcpy(c, a, R1_SIZE);					\
		EXPECT_EQ_INT(kv_mount(&kv, c, R1_SIZE, NULL), 0);	\
		stmt;							\
		why = NULL;						\
		EXPECT_EQ_INT(kv_mount(&kv, c, R1_SIZE, &why), -EINVAL); \
		EXPECT_TRUE(why != NULL);				\
	} while (0)

	CORRUPT(kv.sb->version = 2);
	CORRUPT(kv.sb->max_keys++);			/* checksum */
	CORRUPT(kv.sb->leaf_hwm = R1_KEYS + 1);
	CORRUPT(kv.sb->root = R1_KEYS + 7);
	CORRUPT(kv.leaves[3].klen = 0);
	CORRUPT(kv.leaves[3].klen = 17);
	CORRUPT(kv.leaves[3].key[10] = 1);		/* padding */
	CORRUPT(kv.leaves[3].key[0] ^= 0x80);		/* order */
	CORRUPT(kv.leaves[3].vlen = 600 * 1024);
	CORRUPT(kv.leaves[3].vlen = 0);			/* block, no length */
	CORRUPT(kv.leaves[3].vlen += 64);		/* block too small */
	CORRUPT(kv.leaves[3].block += 1);		/* not a block */
	CORRUPT(kv.leaves[3].block = kv.leaves[4].block);
	CORRUPT(kv.leaves[3].block = R1_UNITS);
	CORRUPT(kv.nodes[0].bit = 200);
	CORRUPT(kv.nodes[0].child[0] = 0);		/* a cycle */
	CORRUPT(kv.nodes[5].child[1] = kv.nodes[5].child[0]);	/* shared */
	CORRUPT({					/* swapped children */
		u32 t = kv.nodes[5].child[0];

		kv.nodes[5].child[0] = kv.nodes[5].child[1];
		kv.nodes[5].child[1] = t;
	});
	CORRUPT(kv.nodes[5].child[1] = KV_NONE);
	CORRUPT(kv.nodes[5].child[1] = 40000);
	CORRUPT({
		struct kv_blk *bk = (void *)kv.area;

		bk->units = 0;
	});
	CORRUPT({
		struct kv_blk *bk = (void *)kv.area;

		bk->units = R1_UNITS + 1;
	});
	CORRUPT({
		struct kv_blk *bk = (void *)(kv.area + 64 * 2);

		bk->prev = 5;
	});
	CORRUPT({
		struct kv_blk *bk = (void *)kv.area;

		bk->owner = 9;		/* owned by another key */
	});
#undef CORRUPT
	/* dynamic counters and free lists are rebuilt, not trusted */
	memcpy(c, a, R1_SIZE);
	EXPECT_EQ_INT(kv_mount(&kv, c, R1_SIZE, NULL), 0);
	kv.sb->nr_keys = 7;
	kv.sb->used_units = 0;
	kv.sb->free_head[3] = 12345;
	kv.sb->leaf_free = 3;
	EXPECT_EQ_INT(kv_mount(&kv, c, R1_SIZE, &why), 0);
	EXPECT_EQ_U64(nkeys(&kv), 50);
	EXPECT_EQ_U64(kv.sb->leaf_free, KV_NONE);
	free(a);
	free(c);
}

/* Flip random bytes of a valid region: mount fails or the store works. */
static void test_mount_fuzz(void)
{
	const u64 size = KV_MIN_REGION;
	struct kv kv;
	u8 *a, *c, lb[256], v[300];
	u32 trial, i, nr, u, n, ok = 0, hot;
	const void *src;

	a = region_new(size);
	c = region_new(size);
	if (!a || !c)
		FAIL("no memory");
	FORMAT(kv, a, size, 300, 512);		/* 128 key slots */
	for (i = 0; i < 60; i++) {
		fillval(v, i * 5, i);
		EXPECT_EQ_INT(put(&kv, &i, 1 + i % 4, v, i * 5, 0), KV_OK);
	}
	for (i = 0; i < 60; i += 4)
		EXPECT_EQ_INT(kv_delete(&kv, &i, 1 + i % 4), KV_OK);
	/* bytes worth hitting: superblock, used slots, the used area */
	hot = (u32)kv.sb->area_off + 64 * kv.sb->used_units + 2048;
	rng_state = 99;
	for (trial = 0; trial < 3000; trial++) {
		u32 k = 1 + rnd() % 4;

		memcpy(c, a, size);
		for (i = 0; i < k; i++) {
			u32 off = rnd() % 3 ? (u32)(rnd() % 240) :
				  (u32)(rnd() % hot);

			c[off] ^= (u8)(1U << (rnd() % 8));
			if (rnd() % 4 == 0)
				c[off] = (u8)rnd();
		}
		if (kv_mount(&kv, c, size, NULL))
			continue;
		ok++;
		/* exercise everything; ASan and UBSan watch */
		for (i = 0; i < 64; i++)
			if (!kv_retrieve(&kv, &i, 1 + i % 4, 0, 300, &src,
					 &u, &n) && u)
				memcpy(v, src, u);
		kv_list(&kv, NULL, 0, lb, sizeof(lb), &nr, &u);
		for (i = 0; i < 30; i++) {
			u32 id = rnd() % 80;

			if (rnd() % 2)
				put(&kv, &id, 1 + id % 4, v, rnd() % 300, 0);
			else
				kv_delete(&kv, &id, 1 + id % 4);
		}
		if (kv_mount(&kv, c, size, NULL))
			FAIL("trial %u: mounts, but not after use", trial);
	}
	EXPECT_TRUE(ok > 100);
	free(a);
	free(c);
}

/* 100,000 keys: every one listed, in order, in 4 KiB List calls. */
static void test_many_keys(void)
{
	const u64 size = 16 * MIB;
	struct kv kv;
	u8 buf[4096], last[16];
	u32 i, nr, u, total = 0, lastlen = 0, pos;
	bool again = false;
	u8 *b;

	b = region_new(size);
	if (!b)
		FAIL("no memory");
	FORMAT(kv, b, size, 64, 128);
	for (i = 0; i < 100000; i++) {
		u64 k = (u64)i * 0x9E3779B97F4A7C15ULL;

		EXPECT_EQ_INT(put(&kv, &k, 8, &i, 4, 0), KV_OK);
	}
	EXPECT_EQ_U64(nkeys(&kv), 100000);
	EXPECT_EQ_U64(used(&kv), 100000 * 64ULL);
	memset(last, 0, sizeof(last));
	for (;;) {
		EXPECT_EQ_INT(kv_list(&kv, last, lastlen, buf, sizeof(buf),
				      &nr, &u), KV_OK);
		EXPECT_EQ_U64(nr, nr ? (u - 4) / 12 : 0);
		for (pos = 4, i = 0; i < nr; i++, pos += 12) {
			if (again && i == 0)
				continue;
			if (lastlen)
				EXPECT_TRUE(memcmp(last, buf + pos + 2, 8) < 0);
			memcpy(last, buf + pos + 2, 8);
			lastlen = 8;
			total++;
		}
		again = true;
		if (nr <= 1)
			break;
	}
	EXPECT_EQ_U64(total, 100000);
	for (i = 0; i < 100000; i += 2) {
		u64 k = (u64)i * 0x9E3779B97F4A7C15ULL;

		EXPECT_EQ_INT(kv_delete(&kv, &k, 8), KV_OK);
	}
	EXPECT_EQ_U64(nkeys(&kv), 50000);
	EXPECT_EQ_U64(used(&kv), 50000 * 64ULL);
	free(b);
}

/* ---- randomized comparison with a reference model ---- */

/*
 * The reference keeps, per key of a fixed universe, whether it is present
 * and the length and version of its value; value bytes are a function of
 * (key, version), so every byte can be checked.  Order is a sorted copy of
 * the universe.  Capacity Exceeded cannot be predicted without the
 * allocator, so it is checked against the allocator state instead.
 */
#define RU	1500		/* keys in the universe */

struct rkey {
	u8 k[16];
	u32 len;
};

static struct rkey ru[RU];
static u32 rsorted[RU];		/* universe indexes in key order */
static bool rpresent[RU];
static u32 rvlen[RU], rver[RU];

static int rkey_cmp(const u8 *a, u32 alen, const u8 *b, u32 blen)
{
	int c = memcmp(a, b, 16);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static int rsort_cmp(const void *x, const void *y)
{
	const struct rkey *a = &ru[*(const u32 *)x], *b = &ru[*(const u32 *)y];

	return rkey_cmp(a->k, a->len, b->k, b->len);
}

static void rvalue(u8 *v, u32 id, u32 ver, u32 len)
{
	u32 x = id * 0x9E3779B9U ^ ver * 0x85EBCA6BU, i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		v[i] = (u8)x;
	}
}

static void rinit(void)
{
	static const u8 alpha[] = { 0x00, 0x01, 'a', 0x7f, 0x80, 0xff };
	u32 i, j, l;

	for (i = 0; i < RU; i++) {
again:
		memset(&ru[i], 0, sizeof(ru[i]));
		l = rnd() % 4 ? 1 + rnd() % 6 : 1 + rnd() % 16;
		for (j = 0; j < l; j++)
			ru[i].k[j] = rnd() % 3 ? alpha[rnd() % 6] : (u8)rnd();
		ru[i].len = l;
		for (j = 0; j < i; j++)
			if (ru[j].len == l && !memcmp(ru[j].k, ru[i].k, 16))
				goto again;
		rsorted[i] = i;
		rpresent[i] = false;
	}
	qsort(rsorted, RU, sizeof(rsorted[0]), rsort_cmp);
}

/* Granules a free of block u would make available (the allocator's rule). */
static u32 rextent(const struct kv *kv, u32 u)
{
	const struct kv_blk *b = (const void *)(kv->area + ((size_t)u << 6));
	u32 n = b->units;

	if (u + b->units < kv->sb->area_units) {
		const struct kv_blk *nx = (const void *)((const u8 *)b +
							 ((size_t)b->units << 6));

		if (nx->owner == KV_OWNER_FREE)
			n += nx->units;
	}
	if (b->prev) {
		const struct kv_blk *pv = (const void *)((const u8 *)b -
							 ((size_t)b->prev << 6));

		if (pv->owner == KV_OWNER_FREE)
			n += pv->units;
	}
	return n;
}

static u32 rblock_of(struct kv *kv, u32 id)
{
	u8 k16[16] = { 0 };
	u32 r = kv->sb->root, i;

	memcpy(k16, ru[id].k, 16);
	while (!(r & KV_REF_LEAF)) {
		const struct kv_node *n = &kv->nodes[r];
		u32 byte = n->bit >> 3;
		u8 c = byte < 16 ? k16[byte] : (u8)ru[id].len;

		r = n->child[(c >> (7 - (n->bit & 7))) & 1];
	}
	i = r & ~KV_REF_LEAF;
	return kv->leaves[i].block;
}

/* Check every key against the reference, and the counters. */
static const char *rcheck_all(struct kv *kv)
{
	static u8 out[16384], v[16384];
	struct kv_stats st;
	u64 vb = 0, ub = 0, nk = 0;
	u32 i, n;

	for (i = 0; i < RU; i++) {
		enum kv_status s = get(kv, ru[i].k, ru[i].len, out,
				       sizeof(out), &n);

		if (!rpresent[i]) {
			if (s != KV_KEY_NOT_EXIST)
				return "absent key found";
			continue;
		}
		if (s != KV_OK || n != rvlen[i])
			return "present key missing or of wrong size";
		rvalue(v, i, rver[i], n);
		if (memcmp(out, v, n))
			return "value bytes differ";
		vb += n;
		ub += vbytes(n);
		nk++;
	}
	kv_stats(kv, &st);
	if (st.nr_keys != nk || st.value_bytes != vb || st.used_bytes != ub ||
	    st.free_bytes != st.area_bytes - ub)
		return "counters differ";
	return NULL;
}

/* NULL if Capacity Exceeded is right for this store, else why not. */
static const char *r_full_why(struct kv *kv, u32 id, u32 len, u32 units,
			      bool tight)
{
	struct kv_stats st;

	kv_stats(kv, &st);
	if (tight)
		return "capacity exceeded: the old value makes room";
	if (!rpresent[id] && st.nr_keys < st.max_keys &&
	    (!len || largest_free(kv) >= units))
		return "capacity exceeded with room";
	if (rpresent[id] && len && largest_free(kv) >= units)
		return "capacity exceeded for an overwrite with room";
	if (rpresent[id] && !len)
		return "capacity exceeded for an empty overwrite";
	return NULL;
}

static long run_model(u64 seed, u32 steps, char *why, size_t whylen)
{
	static u8 v[16384], lb[700];
	const u64 size = 2 * MIB;
	struct kv kv;
	struct kv_stats st;
	u8 *reg[2];
	u32 step, cur = 0, vmax = 16384;
	const char *err;

	rng_state = seed;
	rinit();
	reg[0] = region_new(size);
	reg[1] = region_new(size);
	if (!reg[0] || !reg[1]) {
		snprintf(why, whylen, "no memory");
		return 0;
	}
	{
		struct kv_params p = { vmax, 2048 };	/* 1024 key slots */

		if (kv_format(&kv, reg[0], size, &p)) {
			snprintf(why, whylen, "format");
			return 0;
		}
	}
	for (step = 0; step < steps; step++) {
		u32 op = rnd() % 100, id = rnd() % RU;
		const struct rkey *k = &ru[id];
		enum kv_status s, e;

		if (op < 42) {			/* store */
			u32 r = rnd() % 100, len, opts = 0, units;
			bool abort_ = rnd() % 20 == 0, tight = false;
			void *dst;

			len = r < 45 ? rnd() % 64 : r < 85 ? rnd() % 4096 :
			      rnd() % (vmax + 1);
			r = rnd() % 100;
			if (r < 10)
				opts = KV_STORE_IF_EXISTS;
			else if (r < 20)
				opts = KV_STORE_IF_NOT_EXISTS;
			else if (r < 22)
				opts = KV_STORE_IF_EXISTS |
				       KV_STORE_IF_NOT_EXISTS;
			else if (r < 30)
				opts = KV_STORE_NO_COMPRESS;
			if (rnd() % 200 == 0)
				len = vmax + 1 + rnd() % 3;
			units = (len + 16 + 63) / 64;
			if (len && len <= vmax && rpresent[id] &&
			    largest_free(&kv) < units) {
				u32 old = rblock_of(&kv, id);

				tight = old != KV_NONE &&
					rextent(&kv, old) >= units;
			}
			s = kv_store_begin(&kv, k->k, k->len, len, opts, &dst);
			if (len > vmax)
				e = KV_INVALID_VALUE_SIZE;
			else if ((opts & 3) == 3)
				e = KV_INVALID_FIELD;
			else if (rpresent[id] && (opts & KV_STORE_IF_NOT_EXISTS))
				e = KV_KEY_EXISTS;
			else if (!rpresent[id] && (opts & KV_STORE_IF_EXISTS))
				e = KV_KEY_NOT_EXIST;
			else
				e = KV_OK;	/* or Capacity Exceeded */
			if (s != e && (e != KV_OK || s != KV_CAPACITY_EXCEEDED)) {
				snprintf(why, whylen, "store %#x, expected %#x",
					 s, e);
				return step;
			}
			err = s == KV_CAPACITY_EXCEEDED ?
			      r_full_why(&kv, id, len, units, tight) : NULL;
			if (err) {
				snprintf(why, whylen, "%s", err);
				return step;
			}
			if (s == KV_OK) {
				rvalue(dst, id, step, len);
				if (abort_) {
					kv_store_abort(&kv);
					if (tight)
						rpresent[id] = false;
				} else {
					kv_store_commit(&kv);
					rpresent[id] = true;
					rvlen[id] = len;
					rver[id] = step;
				}
			}
		} else if (op < 62) {		/* retrieve */
			const void *src;
			u32 off = rnd() % 4 ? 0 : rnd() % 5000;
			u32 max = rnd() % 4 ? vmax : rnd() % 5000, len, vs;

			s = kv_retrieve(&kv, k->k, k->len, off, max, &src,
					&len, &vs);
			e = rpresent[id] ? KV_OK : KV_KEY_NOT_EXIST;
			if (s != e) {
				snprintf(why, whylen, "retrieve status %#x", s);
				return step;
			}
			if (s == KV_OK) {
				u32 want = off < rvlen[id] ? rvlen[id] - off : 0;

				if (want > max)
					want = max;
				if (vs != rvlen[id] || len != want) {
					snprintf(why, whylen, "retrieve size");
					return step;
				}
				rvalue(v, id, rver[id], rvlen[id]);
				if (len && memcmp(src, v + off, len)) {
					snprintf(why, whylen, "retrieve bytes");
					return step;
				}
			}
		} else if (op < 72) {		/* exist */
			u32 vs;

			s = kv_exist(&kv, k->k, k->len, &vs);
			e = rpresent[id] ? KV_OK : KV_KEY_NOT_EXIST;
			if (s != e || (s == KV_OK && vs != rvlen[id])) {
				snprintf(why, whylen, "exist");
				return step;
			}
		} else if (op < 88) {		/* delete */
			s = kv_delete(&kv, k->k, k->len);
			e = rpresent[id] ? KV_OK : KV_KEY_NOT_EXIST;
			if (s != e) {
				snprintf(why, whylen, "delete status %#x", s);
				return step;
			}
			rpresent[id] = false;
		} else if (op < 98) {		/* list */
			u8 sk[16];
			u32 slen, buflen = 4 + rnd() % (sizeof(lb) - 4);
			u32 nr, used_, pos = 4, i, r, n = 0;

			memset(sk, 0, sizeof(sk));
			if (rnd() % 8 == 0) {
				slen = 0;
			} else if (rnd() % 2) {
				slen = k->len;
				memcpy(sk, k->k, 16);
			} else {
				slen = 1 + rnd() % 16;
				for (i = 0; i < slen; i++)
					sk[i] = (u8)rnd();
			}
			s = kv_list(&kv, sk, slen, lb, buflen, &nr, &used_);
			if (s != KV_OK) {
				snprintf(why, whylen, "list status %#x", s);
				return step;
			}
			/* the reference: the first present key >= start */
			for (r = 0; r < RU; r++) {
				const struct rkey *q = &ru[rsorted[r]];

				if (rkey_cmp(q->k, q->len, sk, slen) >= 0)
					break;
			}
			for (; r < RU; r++) {
				const struct rkey *q = &ru[rsorted[r]];
				u32 need;

				if (!rpresent[rsorted[r]])
					continue;
				need = kv_list_entry_bytes(q->len);
				if (pos + need > buflen)
					break;
				if (n >= nr || rd_le16(lb + pos) != q->len ||
				    memcmp(lb + pos + 2, q->k, q->len)) {
					snprintf(why, whylen, "list key %u", n);
					return step;
				}
				pos += need;
				n++;
			}
			if (n != nr || rd_le32(lb) != nr || pos != used_) {
				snprintf(why, whylen, "list count %u vs %u",
					 nr, n);
				return step;
			}
		} else {			/* remount a copy elsewhere */
			struct kv_stats st2;

			kv_stats(&kv, &st);
			memcpy(reg[1 - cur], reg[cur], size);
			memset(reg[cur], 0x5A, size);
			cur = 1 - cur;
			if (kv_mount(&kv, reg[cur], size, &err)) {
				snprintf(why, whylen, "remount: %s", err);
				return step;
			}
			kv_stats(&kv, &st2);
			if (memcmp(&st, &st2, sizeof(st))) {
				snprintf(why, whylen, "remount counters");
				return step;
			}
		}
		if (step % 5000 == 4999) {
			err = rcheck_all(&kv);
			if (err) {
				snprintf(why, whylen, "%s", err);
				return step;
			}
		}
	}
	err = rcheck_all(&kv);
	if (err) {
		snprintf(why, whylen, "end: %s", err);
		return steps;
	}
	free(reg[0]);
	free(reg[1]);
	return -1;
}

static void test_random_model(void)
{
	static const u64 seeds[] = { 1, 0x5eed, 0xdeadbeef };
	char why[160];
	size_t s;

	for (s = 0; s < UNIT_ARRAY_SIZE(seeds); s++) {
		long at = run_model(seeds[s], 100000, why, sizeof(why));

		if (at >= 0)
			FAIL("seed %llu step %ld: %s",
			     (unsigned long long)seeds[s], at, why);
	}
}

static const struct unit_test tests[] = {
	UNIT_TEST(params),
	UNIT_TEST(layout),
	UNIT_TEST(insert_retrieve),
	UNIT_TEST(overwrite_frees),
	UNIT_TEST(delete_exist),
	UNIT_TEST(retrieve_offset),
	UNIT_TEST(empty_value),
	UNIT_TEST(key_sizes),
	UNIT_TEST(value_limits),
	UNIT_TEST(store_options),
	UNIT_TEST(pending_rules),
	UNIT_TEST(list_order),
	UNIT_TEST(list_from_start),
	UNIT_TEST(list_wire_bytes),
	UNIT_TEST(list_small_buffer),
	UNIT_TEST(list_paging),
	UNIT_TEST(full_device),
	UNIT_TEST(max_keys),
	UNIT_TEST(tight_overwrite),
	UNIT_TEST(fill_empty_refill),
	UNIT_TEST(persistence),
	UNIT_TEST(persistence_pending),
	UNIT_TEST(mount_failures),
	UNIT_TEST(mount_fuzz),
	UNIT_TEST(many_keys),
	UNIT_TEST(random_model),
};

int main(int argc, char **argv)
{
	return unit_main("unit/kv/", tests, UNIT_ARRAY_SIZE(tests),
			 argc, argv);
}
