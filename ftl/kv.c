// SPDX-License-Identifier: GPL-2.0-only
/*
 * kv.c - key-value store of an NVMe Key Value namespace; see kv.h for the
 * exact rules and the region layout.
 */
#include "kv.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the store accesses its little-endian region natively"
#endif

_Static_assert(sizeof(struct kv_sb) == 240, "kv_sb layout");
_Static_assert(sizeof(struct kv_leaf) == 32, "kv_leaf layout");
_Static_assert(sizeof(struct kv_node) == 16, "kv_node layout");
_Static_assert(sizeof(struct kv_blk) == 24, "kv_blk layout");
_Static_assert(sizeof(struct kv_sb) <= KV_SB_BYTES, "superblock size");

#define KV_CSUM_BYTES	68U	/* superblock bytes covered by csum */
#define KV_MARK_TREE	0x01U	/* kv_mount(): reached from the root */
#define KV_MARK_BLOCK	0x02U	/* kv_mount(): its block was found */

/* ---- small helpers ---- */

static u32 kv_fnv1a(const u8 *p, u32 n)
{
	u32 h = 0x811c9dc5U;
	u32 i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x01000193U;
	}
	return h;
}

/* floor(log2(v)), v != 0 */
static u32 kv_log2(u32 v)
{
	return 31 - (u32)__builtin_clz(v);
}

static u32 kv_units(u32 vlen)
{
	return (u32)(((u64)vlen + KV_BLOCK_HDR + KV_UNIT - 1) >> KV_UNIT_SHIFT);
}

static void kv_put_le16(u8 *p, u32 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static void kv_put_le32(u8 *p, u32 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
	p[2] = (u8)(v >> 16);
	p[3] = (u8)(v >> 24);
}

/* Copy a key of @klen (<= 16) bytes into @k16, zero-padded. */
static void kv_norm(u8 *k16, const void *key, u32 klen)
{
	memset(k16, 0, 16);
	if (klen)
		memcpy(k16, key, klen);
}

/* Byte @i (0..16) of the 17-byte encoding of a key. */
static u32 kv_ebyte(const u8 *k16, u32 klen, u32 i)
{
	return i < 16 ? k16[i] : klen;
}

/* Bit @i (0..135) of the encoding; bit 0 is the MSB of byte 0. */
static u32 kv_ebit(const u8 *k16, u32 klen, u32 i)
{
	return (kv_ebyte(k16, klen, i >> 3) >> (7 - (i & 7))) & 1;
}

/* First bit in which two encodings differ, KV_KEY_BITS if equal. */
static u32 kv_crit(const u8 *a, u32 alen, const u8 *b, u32 blen)
{
	u32 i, x;

	for (i = 0; i < 17; i++) {
		x = kv_ebyte(a, alen, i) ^ kv_ebyte(b, blen, i);
		if (x)
			return i * 8 + 7 - kv_log2(x);
	}
	return KV_KEY_BITS;
}

static bool kv_key_eq(const struct kv_leaf *l, const u8 *k16, u32 klen)
{
	u32 i;

	if (l->klen != klen)
		return false;
	for (i = 0; i < 16; i++)
		if (l->key[i] != k16[i])
			return false;
	return true;
}

static struct kv_blk *kv_blk(const struct kv *kv, u32 u)
{
	return (struct kv_blk *)(kv->area + ((size_t)u << KV_UNIT_SHIFT));
}

static u8 *kv_value_ptr(const struct kv *kv, const struct kv_leaf *l)
{
	if (l->block == KV_NONE)
		return kv->base;	/* empty value: any valid pointer */
	return (u8 *)kv_blk(kv, l->block) + KV_BLOCK_HDR;
}

/* ---- parameters and layout ---- */

void kv_params_default(struct kv_params *p)
{
	p->max_value = KV_DEFAULT_MAX_VALUE;
	p->bytes_per_key = KV_DEFAULT_BYTES_PER_KEY;
}

struct kv_layout {
	u32 max_keys;
	u64 leaf_off;
	u64 node_off;
	u64 area_off;
	u32 area_units;
};

static const char *kv_layout(const struct kv_params *p, u64 size,
			     struct kv_layout *lo)
{
	u64 keys, end;

	if (!p->max_value || p->max_value > KV_MAX_VALUE_LIMIT)
		return "max_value: must be 1 .. 524288 bytes";
	if (p->bytes_per_key < KV_MIN_BYTES_PER_KEY)
		return "bytes_per_key: must be at least 64";
	if (size < KV_MIN_REGION)
		return "size: the region must be at least 64 KiB";
	if (size > KV_MAX_REGION)
		return "size: the region must be at most 256 GiB";
	keys = div_u64(size, p->bytes_per_key);
	if (keys > KV_MAX_KEYS)
		keys = KV_MAX_KEYS;
	lo->max_keys = (u32)keys;
	lo->leaf_off = KV_SB_BYTES;
	lo->node_off = lo->leaf_off + keys * sizeof(struct kv_leaf);
	end = lo->node_off + keys * sizeof(struct kv_node);
	lo->area_off = (end + KV_SB_BYTES - 1) & ~(u64)(KV_SB_BYTES - 1);
	if (lo->area_off + KV_UNIT > size)
		return "bytes_per_key: the key slots leave no room for values";
	lo->area_units = (u32)((size - lo->area_off) >> KV_UNIT_SHIFT);
	return NULL;
}

const char *kv_check_params(const struct kv_params *p, u64 size)
{
	struct kv_layout lo;

	return kv_layout(p, size, &lo);
}

bool kv_has_magic(const void *base, u64 size)
{
	const struct kv_sb *sb = base;

	return base && size >= sizeof(*sb) && sb->magic == KV_MAGIC;
}

static void kv_attach(struct kv *kv, void *base, u64 size)
{
	memset(kv, 0, sizeof(*kv));
	kv->base = base;
	kv->size = size;
	kv->sb = base;
	kv->leaves = (struct kv_leaf *)(kv->base + (size_t)kv->sb->leaf_off);
	kv->nodes = (struct kv_node *)(kv->base + (size_t)kv->sb->node_off);
	kv->area = kv->base + (size_t)kv->sb->area_off;
	kv->p_leaf = KV_NONE;
	kv->p_block = KV_NONE;
}

/* ---- value space ---- */

static void kv_fl_insert(struct kv *kv, u32 u)
{
	struct kv_sb *sb = kv->sb;
	struct kv_blk *b = kv_blk(kv, u);
	u32 c = kv_log2(b->units);

	b->owner = KV_OWNER_FREE;
	b->fprev = KV_NONE;
	b->fnext = sb->free_head[c];
	if (b->fnext != KV_NONE)
		kv_blk(kv, b->fnext)->fprev = u;
	sb->free_head[c] = u;
	sb->free_mask |= 1U << c;
}

static void kv_fl_remove(struct kv *kv, u32 u)
{
	struct kv_sb *sb = kv->sb;
	struct kv_blk *b = kv_blk(kv, u);
	u32 c = kv_log2(b->units);

	if (b->fprev != KV_NONE)
		kv_blk(kv, b->fprev)->fnext = b->fnext;
	else
		sb->free_head[c] = b->fnext;
	if (b->fnext != KV_NONE)
		kv_blk(kv, b->fnext)->fprev = b->fprev;
	if (sb->free_head[c] == KV_NONE)
		sb->free_mask &= ~(1U << c);
}

/* Set the back link of the block after the one at @u (of @units). */
static void kv_set_next_prev(struct kv *kv, u32 u, u32 units)
{
	if (u + units < kv->sb->area_units)
		kv_blk(kv, u + units)->prev = units;
}

/* Allocate a block of @n granules; returns its granule or KV_NONE. */
static u32 kv_alloc(struct kv *kv, u32 n)
{
	struct kv_sb *sb = kv->sb;
	u32 c = kv_log2(n), u = sb->free_head[c], larger;
	struct kv_blk *b;

	if (u == KV_NONE || kv_blk(kv, u)->units < n) {
		/* classes above c; 2U << 31 is 0, leaving none */
		larger = sb->free_mask & ~((2U << c) - 1);
		if (larger) {
			u = sb->free_head[__builtin_ctz(larger)];
		} else {
			while (u != KV_NONE && kv_blk(kv, u)->units < n)
				u = kv_blk(kv, u)->fnext;
			if (u == KV_NONE)
				return KV_NONE;
		}
	}
	kv_fl_remove(kv, u);
	b = kv_blk(kv, u);
	if (b->units > n) {
		struct kv_blk *r = kv_blk(kv, u + n);

		r->units = b->units - n;
		r->prev = n;
		r->rsvd = 0;
		kv_set_next_prev(kv, u + n, r->units);
		kv_fl_insert(kv, u + n);
		b->units = n;
	}
	b->owner = KV_OWNER_PENDING;
	b->rsvd = 0;
	WRITE_ONCE(sb->used_units, sb->used_units + n);
	return u;
}

/* Granules a free of block @u would make available at once. */
static u32 kv_free_extent(struct kv *kv, u32 u)
{
	struct kv_blk *b = kv_blk(kv, u);
	u32 n = b->units;

	if (u + b->units < kv->sb->area_units &&
	    kv_blk(kv, u + b->units)->owner == KV_OWNER_FREE)
		n += kv_blk(kv, u + b->units)->units;
	if (b->prev && kv_blk(kv, u - b->prev)->owner == KV_OWNER_FREE)
		n += kv_blk(kv, u - b->prev)->units;
	return n;
}

static void kv_free(struct kv *kv, u32 u)
{
	struct kv_sb *sb = kv->sb;
	struct kv_blk *b = kv_blk(kv, u);
	u32 n = b->units, next = u + b->units;

	WRITE_ONCE(sb->used_units, sb->used_units - n);
	if (next < sb->area_units &&
	    kv_blk(kv, next)->owner == KV_OWNER_FREE) {
		kv_fl_remove(kv, next);
		n += kv_blk(kv, next)->units;
	}
	if (b->prev && kv_blk(kv, u - b->prev)->owner == KV_OWNER_FREE) {
		u -= b->prev;
		kv_fl_remove(kv, u);
		n += kv_blk(kv, u)->units;
		b = kv_blk(kv, u);
	}
	b->units = n;
	kv_set_next_prev(kv, u, n);
	kv_fl_insert(kv, u);
}

/* ---- key slots and nodes ---- */

static u32 kv_leaf_get(struct kv *kv)
{
	struct kv_sb *sb = kv->sb;
	u32 i = sb->leaf_free;

	if (i != KV_NONE)
		sb->leaf_free = kv->leaves[i].next;
	else
		i = sb->leaf_hwm++;
	return i;
}

static void kv_leaf_put(struct kv *kv, u32 i)
{
	struct kv_leaf *l = &kv->leaves[i];

	memset(l, 0, sizeof(*l));
	l->block = KV_NONE;
	l->next = kv->sb->leaf_free;
	kv->sb->leaf_free = i;
}

static u32 kv_node_get(struct kv *kv)
{
	struct kv_sb *sb = kv->sb;
	u32 i = sb->node_free;

	if (i != KV_NONE)
		sb->node_free = kv->nodes[i].next;
	else
		i = sb->node_hwm++;
	return i;
}

static void kv_node_put(struct kv *kv, u32 i)
{
	struct kv_node *n = &kv->nodes[i];

	memset(n, 0, sizeof(*n));
	n->child[0] = KV_NONE;
	n->child[1] = KV_NONE;
	n->next = kv->sb->node_free;
	kv->sb->node_free = i;
}

/* ---- index ---- */

static u32 kv_find(const struct kv *kv, const u8 *k16, u32 klen)
{
	u32 r = kv->sb->root;

	if (r == KV_NONE)
		return KV_NONE;
	while (!(r & KV_REF_LEAF)) {
		const struct kv_node *n = &kv->nodes[r];

		r = n->child[kv_ebit(k16, klen, n->bit)];
	}
	r &= ~KV_REF_LEAF;
	return kv_key_eq(&kv->leaves[r], k16, klen) ? r : KV_NONE;
}

/* Link the filled key slot @li, whose key is not in the index. */
static void kv_tree_insert(struct kv *kv, u32 li)
{
	struct kv_leaf *l = &kv->leaves[li];
	u32 *where = &kv->sb->root;
	u32 r = *where, c, dir, ni;
	struct kv_leaf *best;
	struct kv_node *n;

	if (r == KV_NONE) {
		*where = li | KV_REF_LEAF;
		return;
	}
	while (!(r & KV_REF_LEAF)) {
		n = &kv->nodes[r];
		r = n->child[kv_ebit(l->key, l->klen, n->bit)];
	}
	best = &kv->leaves[r & ~KV_REF_LEAF];
	c = kv_crit(best->key, best->klen, l->key, l->klen);
	dir = kv_ebit(l->key, l->klen, c);
	while (!(*where & KV_REF_LEAF)) {
		n = &kv->nodes[*where];
		if (n->bit > c)
			break;
		where = &n->child[kv_ebit(l->key, l->klen, n->bit)];
	}
	ni = kv_node_get(kv);
	n = &kv->nodes[ni];
	n->bit = (u16)c;
	n->mark = 0;
	n->rsvd = 0;
	n->next = 0;
	n->child[dir] = li | KV_REF_LEAF;
	n->child[1 - dir] = *where;
	*where = ni;
}

/* Unlink the key; returns its slot or KV_NONE. */
static u32 kv_tree_remove(struct kv *kv, const u8 *k16, u32 klen)
{
	u32 *where = &kv->sb->root, *whereq = NULL;
	u32 r = *where, q = KV_NONE, dir = 0;

	if (r == KV_NONE)
		return KV_NONE;
	while (!(r & KV_REF_LEAF)) {
		whereq = where;
		q = r;
		dir = kv_ebit(k16, klen, kv->nodes[q].bit);
		where = &kv->nodes[q].child[dir];
		r = *where;
	}
	r &= ~KV_REF_LEAF;
	if (!kv_key_eq(&kv->leaves[r], k16, klen))
		return KV_NONE;
	if (!whereq) {
		kv->sb->root = KV_NONE;
	} else {
		*whereq = kv->nodes[q].child[1 - dir];
		kv_node_put(kv, q);
	}
	return r;
}

/* In-order walk: the leftmost key slot under @r, pushing left turns. */
static u32 kv_leftmost(struct kv *kv, u32 r)
{
	while (!(r & KV_REF_LEAF)) {
		kv->stk[kv->sp++] = r;
		r = kv->nodes[r].child[0];
	}
	return r & ~KV_REF_LEAF;
}

static u32 kv_next(struct kv *kv)
{
	if (!kv->sp)
		return KV_NONE;
	return kv_leftmost(kv, kv->nodes[kv->stk[--kv->sp]].child[1]);
}

/* The first key slot with a key >= (s16, slen), starting a walk. */
static u32 kv_lower_bound(struct kv *kv, const u8 *s16, u32 slen)
{
	u32 r = kv->sb->root, p = r, c, d;
	const struct kv_leaf *l;

	kv->sp = 0;
	if (r == KV_NONE)
		return KV_NONE;
	while (!(p & KV_REF_LEAF)) {
		const struct kv_node *n = &kv->nodes[p];

		p = n->child[kv_ebit(s16, slen, n->bit)];
	}
	l = &kv->leaves[p & ~KV_REF_LEAF];
	c = kv_crit(l->key, l->klen, s16, slen);
	/*
	 * Follow the start key down to the subtree X that holds every key
	 * sharing its first c bits; right subtrees passed on the way hold the
	 * larger keys and are left on the stack.
	 */
	while (!(r & KV_REF_LEAF)) {
		const struct kv_node *n = &kv->nodes[r];

		if (n->bit > c)
			break;
		d = kv_ebit(s16, slen, n->bit);
		if (!d)
			kv->stk[kv->sp++] = r;
		r = n->child[d];
	}
	if (c == KV_KEY_BITS)
		return r & ~KV_REF_LEAF;	/* the start key itself */
	if (!kv_ebit(s16, slen, c))
		return kv_leftmost(kv, r);	/* all of X is larger */
	return kv_next(kv);			/* all of X is smaller */
}

/* ---- format and mount ---- */

int kv_format(struct kv *kv, void *base, u64 size, const struct kv_params *p)
{
	struct kv_layout lo;
	struct kv_sb *sb = base;
	struct kv_blk *b;
	u32 c;

	memset(kv, 0, sizeof(*kv));
	if (!base || ((size_t)base & 7) || kv_layout(p, size, &lo))
		return -EINVAL;
	memset(sb, 0, KV_SB_BYTES);
	sb->magic = KV_MAGIC;
	sb->version = KV_VERSION;
	sb->sb_bytes = KV_SB_BYTES;
	sb->region_size = size;
	sb->max_value = p->max_value;
	sb->bytes_per_key = p->bytes_per_key;
	sb->max_keys = lo.max_keys;
	sb->unit_shift = KV_UNIT_SHIFT;
	sb->leaf_off = lo.leaf_off;
	sb->node_off = lo.node_off;
	sb->area_off = lo.area_off;
	sb->area_units = lo.area_units;
	sb->csum = kv_fnv1a(base, KV_CSUM_BYTES);
	sb->root = KV_NONE;
	sb->leaf_free = KV_NONE;
	sb->node_free = KV_NONE;
	for (c = 0; c < 32; c++)
		sb->free_head[c] = KV_NONE;
	kv_attach(kv, base, size);
	b = kv_blk(kv, 0);
	b->units = lo.area_units;
	b->prev = 0;
	b->rsvd = 0;
	kv_fl_insert(kv, 0);
	return 0;
}

static int kv_fail(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -EINVAL;
}

/* Is block @u owned by a key slot reached from the root? */
static bool kv_owned(const struct kv *kv, u32 u, const struct kv_blk *b)
{
	const struct kv_leaf *l;

	if (b->owner >= kv->sb->leaf_hwm)
		return false;
	l = &kv->leaves[b->owner];
	return (l->mark & KV_MARK_TREE) && l->block == u &&
	       b->units >= kv_units(l->vlen);
}

/* Check one key slot reached from the root. */
static const char *kv_check_leaf(const struct kv *kv, u32 i)
{
	const struct kv_sb *sb = kv->sb;
	const struct kv_leaf *l;
	u32 j;

	if (i >= sb->leaf_hwm)
		return "index: key slot reference out of range";
	l = &kv->leaves[i];
	if (l->mark)
		return "index: key slot reached twice";
	if (!l->klen || l->klen > KV_MAX_KEY)
		return "index: key length out of range";
	for (j = l->klen; j < 16; j++)
		if (l->key[j])
			return "index: key not zero-padded";
	if (l->vlen > sb->max_value)
		return "index: value longer than max_value";
	if ((l->vlen == 0) != (l->block == KV_NONE))
		return "index: value block does not match the value length";
	if (l->block != KV_NONE && l->block >= sb->area_units)
		return "index: value block out of range";
	return NULL;
}

/*
 * Walk the index in order, marking what is reached.  Each node must be
 * reached once, with bits increasing downwards; each pair of neighbouring
 * keys must first differ at the bit of the node between them, the smaller
 * one having 0 there.  This is exactly a valid crit-bit tree.
 */
static const char *kv_check_tree(struct kv *kv, u32 *nr_keys,
				 u64 *value_bytes)
{
	const struct kv_sb *sb = kv->sb;
	u32 r = sb->root, minbit = 0, lca = KV_NONE, prev = KV_NONE;
	const char *err;

	*nr_keys = 0;
	*value_bytes = 0;
	kv->sp = 0;
	if (r == KV_NONE)
		return NULL;
	for (;;) {
		struct kv_leaf *l;

		while (!(r & KV_REF_LEAF)) {
			struct kv_node *n;

			if (r >= sb->node_hwm)
				return "index: node reference out of range";
			n = &kv->nodes[r];
			if (n->mark)
				return "index: node reached twice";
			if (n->bit >= KV_KEY_BITS || n->bit < minbit ||
			    kv->sp >= KV_KEY_BITS)
				return "index: node bits do not increase";
			n->mark = KV_MARK_TREE;
			kv->stk[kv->sp++] = r;
			minbit = n->bit + 1U;
			r = n->child[0];
		}
		r &= ~KV_REF_LEAF;
		err = kv_check_leaf(kv, r);
		if (err)
			return err;
		l = &kv->leaves[r];
		l->mark = KV_MARK_TREE;
		if (prev != KV_NONE) {
			const struct kv_leaf *pl = &kv->leaves[prev];
			u32 bit = kv->nodes[lca].bit;

			if (kv_crit(pl->key, pl->klen, l->key, l->klen) != bit ||
			    kv_ebit(pl->key, pl->klen, bit))
				return "index: keys out of order";
		}
		(*nr_keys)++;
		*value_bytes += l->vlen;
		prev = r;
		if (!kv->sp)
			return NULL;
		/* go right at the deepest node where the walk went left */
		lca = kv->stk[--kv->sp];
		minbit = kv->nodes[lca].bit + 1U;
		r = kv->nodes[lca].child[1];
	}
}

/* Check that the blocks tile the value area and every value has its own. */
static const char *kv_check_area(struct kv *kv)
{
	const struct kv_sb *sb = kv->sb;
	u32 u = 0, prev = 0, i;

	while (u < sb->area_units) {
		struct kv_blk *b = kv_blk(kv, u);

		if (!b->units || b->units > sb->area_units - u)
			return "values: block size out of range";
		if (b->prev != prev)
			return "values: block back link broken";
		if (kv_owned(kv, u, b))
			kv->leaves[b->owner].mark |= KV_MARK_BLOCK;
		prev = b->units;
		u += b->units;
	}
	for (i = 0; i < sb->leaf_hwm; i++) {
		const struct kv_leaf *l = &kv->leaves[i];

		if ((l->mark & KV_MARK_TREE) && l->block != KV_NONE &&
		    !(l->mark & KV_MARK_BLOCK))
			return "values: a key's value block is missing";
	}
	return NULL;
}

/* Rebuild the free block lists, merging free and orphaned blocks. */
static void kv_rebuild_area(struct kv *kv)
{
	struct kv_sb *sb = kv->sb;
	u32 u = 0, last = 0, run = KV_NONE, run_units = 0, used = 0, c;

	for (c = 0; c < 32; c++)
		sb->free_head[c] = KV_NONE;
	sb->free_mask = 0;
	while (u < sb->area_units) {
		struct kv_blk *b = kv_blk(kv, u);
		u32 n = b->units;

		if (kv_owned(kv, u, b)) {
			if (run != KV_NONE) {
				kv_blk(kv, run)->units = run_units;
				kv_fl_insert(kv, run);
				last = run_units;
				run = KV_NONE;
			}
			b->prev = last;
			last = n;
			used += n;
		} else if (run == KV_NONE) {
			b->prev = last;
			run = u;
			run_units = n;
		} else {
			run_units += n;
		}
		u += n;
	}
	if (run != KV_NONE) {
		kv_blk(kv, run)->units = run_units;
		kv_fl_insert(kv, run);
	}
	sb->used_units = used;
}

/* Rebuild the key slot and node free lists from what the walk reached. */
static void kv_rebuild_slots(struct kv *kv)
{
	struct kv_sb *sb = kv->sb;
	u32 i;

	sb->leaf_free = KV_NONE;
	for (i = sb->leaf_hwm; i-- > 0;) {
		if (kv->leaves[i].mark)
			kv->leaves[i].mark = 0;
		else
			kv_leaf_put(kv, i);
	}
	sb->node_free = KV_NONE;
	for (i = sb->node_hwm; i-- > 0;) {
		if (kv->nodes[i].mark)
			kv->nodes[i].mark = 0;
		else
			kv_node_put(kv, i);
	}
}

int kv_mount(struct kv *kv, void *base, u64 size, const char **why)
{
	struct kv_sb *sb = base;
	struct kv_params p;
	struct kv_layout lo;
	const char *err;
	u64 value_bytes;
	u32 i, nr_keys;

	memset(kv, 0, sizeof(*kv));
	if (!base || ((size_t)base & 7))
		return kv_fail(why, "region: base must be 8-byte aligned");
	if (size < KV_SB_BYTES)
		return kv_fail(why, "region: smaller than a superblock");
	if (sb->magic != KV_MAGIC)
		return kv_fail(why, "superblock: no store (bad magic)");
	if (sb->version != KV_VERSION)
		return kv_fail(why, "superblock: unknown version");
	if (sb->csum != kv_fnv1a(base, KV_CSUM_BYTES))
		return kv_fail(why, "superblock: checksum mismatch");
	if (sb->region_size != size)
		return kv_fail(why, "superblock: region size differs");
	p.max_value = sb->max_value;
	p.bytes_per_key = sb->bytes_per_key;
	if (sb->sb_bytes != KV_SB_BYTES || sb->unit_shift != KV_UNIT_SHIFT ||
	    kv_layout(&p, size, &lo) || lo.max_keys != sb->max_keys ||
	    lo.leaf_off != sb->leaf_off || lo.node_off != sb->node_off ||
	    lo.area_off != sb->area_off || lo.area_units != sb->area_units)
		return kv_fail(why, "superblock: inconsistent layout");
	if (sb->leaf_hwm > sb->max_keys || sb->node_hwm > sb->max_keys)
		return kv_fail(why, "superblock: high-water mark out of range");
	if (sb->root != KV_NONE && (sb->root & ~KV_REF_LEAF) >= sb->max_keys)
		return kv_fail(why, "superblock: root out of range");

	kv_attach(kv, base, size);
	for (i = 0; i < sb->leaf_hwm; i++)
		kv->leaves[i].mark = 0;
	for (i = 0; i < sb->node_hwm; i++)
		kv->nodes[i].mark = 0;
	err = kv_check_tree(kv, &nr_keys, &value_bytes);
	if (!err)
		err = kv_check_area(kv);
	if (err) {
		memset(kv, 0, sizeof(*kv));
		return kv_fail(why, err);
	}
	kv_rebuild_area(kv);
	kv_rebuild_slots(kv);
	sb->nr_keys = nr_keys;
	sb->value_bytes = value_bytes;
	kv->sp = 0;
	return 0;
}

/* ---- operations ---- */

void kv_unmount(struct kv *kv)
{
	if (kv->sb && kv->pending)
		kv_store_abort(kv);
	memset(kv, 0, sizeof(*kv));
}

static enum kv_status kv_check_key(u32 klen)
{
	return (!klen || klen > KV_MAX_KEY) ? KV_INVALID_KEY_SIZE : KV_OK;
}

/* Remove key slot @li (already unlinked) and its value. */
static void kv_drop(struct kv *kv, u32 li)
{
	struct kv_sb *sb = kv->sb;
	struct kv_leaf *l = &kv->leaves[li];

	if (l->block != KV_NONE)
		kv_free(kv, l->block);
	WRITE_ONCE(sb->value_bytes, sb->value_bytes - l->vlen);
	WRITE_ONCE(sb->nr_keys, sb->nr_keys - 1);
	kv_leaf_put(kv, li);
}

enum kv_status kv_store_begin(struct kv *kv, const void *key, u32 klen,
			      u32 vlen, u32 opts, void **dst)
{
	struct kv_sb *sb = kv->sb;
	u32 li, u = KV_NONE, n;
	u8 k16[16];

	*dst = NULL;
	if (kv->pending)
		return KV_INTERNAL;
	if (kv_check_key(klen))
		return KV_INVALID_KEY_SIZE;
	if (vlen > sb->max_value)
		return KV_INVALID_VALUE_SIZE;
	if ((opts & KV_STORE_IF_EXISTS) && (opts & KV_STORE_IF_NOT_EXISTS))
		return KV_INVALID_FIELD;
	kv_norm(k16, key, klen);
	li = kv_find(kv, k16, klen);
	if (li != KV_NONE && (opts & KV_STORE_IF_NOT_EXISTS))
		return KV_KEY_EXISTS;
	if (li == KV_NONE && (opts & KV_STORE_IF_EXISTS))
		return KV_KEY_NOT_EXIST;
	if (li == KV_NONE && sb->nr_keys >= sb->max_keys)
		return KV_CAPACITY_EXCEEDED;
	if (vlen) {
		n = kv_units(vlen);
		u = kv_alloc(kv, n);
		if (u == KV_NONE) {
			u32 old = li != KV_NONE ? kv->leaves[li].block : KV_NONE;

			if (old == KV_NONE || kv_free_extent(kv, old) < n)
				return KV_CAPACITY_EXCEEDED;
			/* tight overwrite: the old value makes the room */
			kv_tree_remove(kv, k16, klen);
			kv_drop(kv, li);
			li = KV_NONE;
			u = kv_alloc(kv, n);
			if (u == KV_NONE)
				return KV_INTERNAL;	/* cannot happen */
		}
	}
	kv->pending = true;
	kv->p_leaf = li;
	kv->p_block = u;
	kv->p_vlen = vlen;
	kv->p_klen = klen;
	memcpy(kv->p_key, k16, 16);
	*dst = u == KV_NONE ? (void *)kv->base :
	       (void *)((u8 *)kv_blk(kv, u) + KV_BLOCK_HDR);
	return KV_OK;
}

void kv_store_commit(struct kv *kv)
{
	struct kv_sb *sb = kv->sb;
	struct kv_leaf *l;
	u32 li = kv->p_leaf;

	if (!kv->pending)
		return;
	if (li != KV_NONE) {
		l = &kv->leaves[li];
		if (l->block != KV_NONE)
			kv_free(kv, l->block);
		WRITE_ONCE(sb->value_bytes, sb->value_bytes - l->vlen);
	} else {
		li = kv_leaf_get(kv);
		l = &kv->leaves[li];
		memcpy(l->key, kv->p_key, 16);
		l->klen = (u8)kv->p_klen;
		l->mark = 0;
		l->rsvd = 0;
		l->next = 0;
		l->vlen = 0;
		l->block = KV_NONE;
		kv_tree_insert(kv, li);
		WRITE_ONCE(sb->nr_keys, sb->nr_keys + 1);
	}
	l->vlen = kv->p_vlen;
	l->block = kv->p_block;
	if (l->block != KV_NONE)
		kv_blk(kv, l->block)->owner = li;
	WRITE_ONCE(sb->value_bytes, sb->value_bytes + l->vlen);
	kv->pending = false;
}

void kv_store_abort(struct kv *kv)
{
	if (!kv->pending)
		return;
	if (kv->p_block != KV_NONE)
		kv_free(kv, kv->p_block);
	kv->pending = false;
}

enum kv_status kv_retrieve(struct kv *kv, const void *key, u32 klen,
			   u32 offset, u32 max_len, const void **src,
			   u32 *len, u32 *vsize)
{
	const struct kv_leaf *l;
	u8 k16[16];
	u32 li;

	*src = kv->base;
	*len = 0;
	*vsize = 0;
	if (kv_check_key(klen))
		return KV_INVALID_KEY_SIZE;
	kv_norm(k16, key, klen);
	li = kv_find(kv, k16, klen);
	if (li == KV_NONE)
		return KV_KEY_NOT_EXIST;
	l = &kv->leaves[li];
	*vsize = l->vlen;
	if (offset < l->vlen) {
		*len = l->vlen - offset < max_len ? l->vlen - offset : max_len;
		*src = kv_value_ptr(kv, l) + offset;
	}
	return KV_OK;
}

enum kv_status kv_exist(struct kv *kv, const void *key, u32 klen, u32 *vsize)
{
	u8 k16[16];
	u32 li;

	if (vsize)
		*vsize = 0;
	if (kv_check_key(klen))
		return KV_INVALID_KEY_SIZE;
	kv_norm(k16, key, klen);
	li = kv_find(kv, k16, klen);
	if (li == KV_NONE)
		return KV_KEY_NOT_EXIST;
	if (vsize)
		*vsize = kv->leaves[li].vlen;
	return KV_OK;
}

enum kv_status kv_delete(struct kv *kv, const void *key, u32 klen)
{
	u8 k16[16];
	u32 li;

	if (kv->pending)
		return KV_INTERNAL;
	if (kv_check_key(klen))
		return KV_INVALID_KEY_SIZE;
	kv_norm(k16, key, klen);
	li = kv_tree_remove(kv, k16, klen);
	if (li == KV_NONE)
		return KV_KEY_NOT_EXIST;
	kv_drop(kv, li);
	return KV_OK;
}

enum kv_status kv_list(struct kv *kv, const void *start, u32 slen, void *buf,
		       u32 buflen, u32 *nr_keys, u32 *used)
{
	u8 *out = buf, s16[16];
	u32 pos = KV_LIST_HDR, nr = 0, li;

	*nr_keys = 0;
	*used = 0;
	if (slen > KV_MAX_KEY)
		return KV_INVALID_KEY_SIZE;
	if (buflen < KV_LIST_HDR)
		return KV_INVALID_FIELD;
	kv_norm(s16, start, slen);
	for (li = kv_lower_bound(kv, s16, slen); li != KV_NONE;
	     li = kv_next(kv)) {
		const struct kv_leaf *l = &kv->leaves[li];
		u32 need = kv_list_entry_bytes(l->klen);

		if (need > buflen - pos)
			break;
		memset(out + pos, 0, need);
		kv_put_le16(out + pos, l->klen);
		memcpy(out + pos + 2, l->key, l->klen);
		pos += need;
		nr++;
	}
	kv->sp = 0;
	kv_put_le32(out, nr);
	*nr_keys = nr;
	*used = pos;
	return KV_OK;
}

void kv_stats(const struct kv *kv, struct kv_stats *st)
{
	const struct kv_sb *sb = kv->sb;
	u64 used = (u64)READ_ONCE(sb->used_units) << KV_UNIT_SHIFT;
	u64 area = (u64)sb->area_units << KV_UNIT_SHIFT;

	st->nr_keys = READ_ONCE(sb->nr_keys);
	st->max_keys = sb->max_keys;
	st->value_bytes = READ_ONCE(sb->value_bytes);
	st->used_bytes = used;
	st->free_bytes = area - used;
	st->area_bytes = area;
	st->max_value = sb->max_value;
	st->max_key = KV_MAX_KEY;
}
