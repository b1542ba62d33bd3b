/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kv.h - the key-value store behind an NVMe Key Value namespace (NVM Express
 * Key Value Command Set Specification, "KV" below; CSI 01h).
 *
 * This is device logic and data layout only: the index, the value space
 * allocator and the List output.  The caller (the kernel's I/O path) decodes
 * commands, moves data between host memory and the pointers handed out here,
 * and builds completions and Identify structures from the neutral values
 * returned here.  No timing.
 *
 * ======== Part 1: the NVMe facts the kernel side needs ========
 *
 * Sources, and how sure each fact is.  The ratified spec PDF itself was not
 * available to read; every fact below was cross-checked in independent public
 * implementations that follow it:
 *   [X] xNVMe (Samsung): include/libxnvme_spec.h (as its ctypes binding),
 *       lib/xnvme_kvs.c
 *   [S] SPDK upstream (2026, NVIDIA): include/spdk/nvme_kv.h,
 *       lib/nvme/nvme_kv.c, module/bdev/kvmalloc (its List handler cites
 *       the spec's "Figures 15-16")
 *   [W] the 2020 Western Digital SPDK KV header (pre-ratification layout)
 *   [F] FEMU hw/femu/kvssd/ (says it follows KV revision 1.3 and cites figure
 *       numbers of that revision)
 *   [A] AirMettle qemu-csd / csd docs (a vendor variant: used only where it
 *       agrees with the others)
 * "sure" = all sources that cover it agree; "likely" = two sources agree and
 * none contradicts; "unsure" = sources disagree or only one covers it.
 *
 * -- Command set identifier --
 *   CSI 01h = Key Value (00h NVM, 02h Zoned).  Linux (5.13+) exposes a
 *   namespace of a command set it does not know only as the generic char
 *   device /dev/ngXnY (passthrough ioctls).				sure
 *
 * -- I/O opcodes --						[X][S][F] sure
 *   01h Store   02h Retrieve   06h List   10h Delete   14h Exist
 *   (Samsung's pre-standard KV SSDs used vendor opcodes 81h/90h/A1h...; not
 *   these.)
 *
 * -- Command dwords (common command format) --			[X][S][F] sure
 *   CDW2, CDW3    key bytes 0..7: key byte i is byte i of the 8 bytes at
 *                 command offset 8 (i.e. CDW2 bits 7:0 = key[0], CDW2 bits
 *                 31:24 = key[3], CDW3 bits 7:0 = key[4]).
 *   CDW14, CDW15  key bytes 8..15 the same way (command offset 56).
 *                 Only the first KL bytes are the key; the controller ignores
 *                 the rest.  ([A] uses a different, big-endian order: vendor.)
 *   CDW10         Store: Value Size in bytes (not 0's based, not dwords).
 *                 Retrieve, List: Host Buffer Size in bytes.
 *                 Delete, Exist: reserved.
 *   CDW11 7:0     KL, Key Length in bytes.  List: 0 = "from the start".
 *   CDW11 15:8    Store: Store Options; Retrieve: Retrieve Options.
 *   CDW11 31:16   reserved.   CDW12, CDW13: reserved.
 *   DPTR          PRP1/PRP2 (or SGL) of the value or List buffer.
 *   Retrieve has NO offset field: the value is always read from byte 0
 *   ([A]'s read offset is vendor).					likely
 *
 * -- Store Options (CDW11 bits 15:8) --
 *   bit 8  (SO bit 0) store only if the key exists ("don't store if the key
 *          does not exist")					[X][S][F][A] sure
 *   bit 9  (SO bit 1) store only if the key does not exist	[X][S][F][A] sure
 *   bit 10 (SO bit 2) compression hint: [F] and [S] call it "no compression",
 *          [X] "compress".  Ignored here.				unsure
 *   Both bits 8 and 9 set: not covered by any source; this library answers
 *   Invalid Field in Command.
 *   Retrieve Options bit 8 (RO bit 0): "retrieve raw" (no decompression) [X];
 *   ignored here.
 *
 * -- Completion --
 *   Retrieve: CDW0 = the full size of the stored value, whatever the Host
 *   Buffer Size; min(HBS, value size) bytes are transferred from value byte
 *   0; a smaller buffer is not an error (the host retries with a larger one);
 *   HBS 0 transfers nothing and only reports the size.	[S][F][A] sure
 *   Store, Delete, Exist, List: CDW0 not used by the spec as far as known
 *   ([S] reports the value size for Exist, [A] the key count for List; both
 *   look vendor-specific).  Write 0.				unsure
 *
 * -- Status codes, Status Code Type 0h (Generic) --		[X][S][F] sure
 *   00h Successful Completion
 *   02h Invalid Field in Command
 *   81h Capacity Exceeded		(base spec NVM-set status, reused by KV)
 *   85h Invalid Value Size		KV
 *   86h Invalid Key Size		KV
 *   87h KV Key Does Not Exist		KV
 *   88h Unrecovered Error		KV
 *   89h KV Key Exists			KV
 *   (82h Namespace Not Ready, 83h Reservation Conflict, 84h Format In
 *   Progress are the base spec's.)  One 2021 SPDK fork put 85h..89h under
 *   SCT 1h; everything else, incl. SPDK upstream, uses SCT 0h.
 *   Key length rules: KL 0 -> Invalid Key Size (List: allowed, "from the
 *   start") [S][F]; KL > 16: [S] Invalid Key Size, [F] Invalid Field in
 *   Command ("per spec", it says).  This library returns Invalid Key Size for
 *   both (KV_INVALID_KEY_SIZE); a caller that wants [F]'s reading maps
 *   KL > 16 to Invalid Field before calling.			unsure
 *   Value Size > KVVML (KV Value Max Length) -> Invalid Value Size [S][F].
 *   A zero-length value is legal ("0 stores an empty value") [S][F].
 *   List with Host Buffer Size < 4 -> Invalid Field in Command [S][F].
 *   Delete of a key that does not exist: KV Key Does Not Exist in KV 1.0
 *   ([S]); [F] (rev 1.3) adds Feature 20h "Key Value Configuration", CDW11
 *   bit 0 EDNEK (Error on Delete of Non-Existent Key), default 0 = such a
 *   Delete succeeds.  kv_delete() reports KV_KEY_NOT_EXIST; the caller
 *   decides.								unsure
 *
 * -- List output (the Host Buffer) --			[S][F] sure ([A] differs)
 *   offset 0:  u32 LE  NRK, Number of Returned Keys
 *   offset 4:  the keys, one KV key data structure each:
 *              u16 LE key length, the key bytes, then zero padding so that the
 *              structure ends on a 4-byte boundary: a key of L bytes takes
 *              (2 + L + 3) & ~3 bytes (L 1, 2 -> 4; 3..6 -> 8; 7..10 -> 12;
 *              11..14 -> 16; 15, 16 -> 20).  kv_list_entry_bytes().
 *   Only whole structures that fit in the buffer are returned.  The list
 *   starts at the start key if it exists; if it does not, the first key
 *   returned is vendor specific; the order must be stable while nothing
 *   changes ([F] quoting the spec).  This library: ascending order (below),
 *   starting at the first key >= the start key.
 *
 * -- Identify, CNS 05h with CSI 01h: I/O Command Set specific Identify
 *    Namespace (4096 bytes, little-endian) --
 *   0    u64  NSZE  namespace size, in BYTES		[S][F] likely
 *   8    u64  reserved in [X][W]; [F] calls it NCAP	unsure (write 0)
 *   16   u64  NUSE  bytes in use				[S][F] likely
 *   24   u8   NSFEAT					[X][W][F] sure
 *   25   u8   NKVF  Number of KV Formats, 0's based ([S][F]: 0 = one format;
 *             [X]'s printer treats it as a count)		likely
 *   26   u8   NMIC    27 u8 RESCAP    28 u8 FPI		[X][W][F] sure
 *   29   u8   [F] KVFC (bits 3:0 = index of the format in use), [S] has a
 *             kvfc.kvfi field; reserved in [X][W].  0 is right either way.
 *   32   u32  NOVG  Namespace Optimal Value Granularity, bytes [X][W][F] sure
 *   36   u32  ANAGRPID  43 u8 NSATTR  44 u16 NVMSETID  46 u16 ENDGID
 *   48   u8[16] NGUID   64 u64 EUI64			[X][W] sure
 *   72   KV Format 0..15, 16 bytes each:			[X][W][F] sure
 *          +0  u16 KVKML  KV Key Max Length (16 here)
 *          +2  u8  reserved
 *          +3  u8  additional format options ([W]: bits 7:6 relative
 *                  performance)
 *          +4  u32 KVVML  KV Value Max Length, bytes
 *          +8  u32 KVMNK  Max Number of Keys ([F]: 0 = no limit)
 *          +12 u8[4] reserved
 *   328..3839 reserved, 3840..4095 vendor specific.
 * -- Identify, CNS 06h with CSI 01h: I/O Command Set specific Identify
 *    Controller --						[F][S] likely
 *   0..3 VER, the KV spec version the controller follows, encoded like the
 *   VS register (byte 0 tertiary, byte 1 minor, bytes 2-3 major): 1.0 ->
 *   00010000h.  The rest is reserved.
 * -- Also, from the base spec (NVMe 2.0) --				sure
 *   CAP.CSS bit 6 (I/O command sets), CC.CSS = 110b, Identify CNS 1Ch (I/O
 *   Command Set vector: bit 1 = KV), Namespace Identification Descriptor
 *   NIDT 04h = CSI 01h, Commands Supported and Effects for CSI 01h.
 *
 * ======== Part 2: this store ========
 *
 * ---- Region ----
 * All state lives in one caller-provided region (base, size), in a fixed
 * little-endian layout that holds only offsets and indexes, so a region
 * copied or mapped elsewhere mounts again.  kv.c accesses the fields
 * natively and refuses to build for a big-endian CPU.  base must be 8-byte
 * aligned; KV_MIN_REGION <= size <= KV_MAX_REGION.
 *
 *   [0, 4096)            superblock (struct kv_sb)
 *   [leaf_off, +32*K)    K key slots (struct kv_leaf), leaf_off = 4096
 *   [node_off, +16*K)    K index nodes (struct kv_node)
 *   [area_off, size)     the value area, area_off = the next 4096 multiple;
 *                        area_units = (size - area_off) >> 6 granules of 64 B
 * K = max_keys = min(size / bytes_per_key, KV_MAX_KEYS); the region must
 * leave at least one granule for the value area.
 *
 * Overhead: 4096 B fixed plus < 4096 B alignment; 48 B per key slot, for all
 * K slots (with the default bytes_per_key of 1024: 4.7% of the region); per
 * stored value a 16 B block header and rounding up to 64 B, i.e. a value of
 * v > 0 bytes takes ceil((v + 16) / 64) * 64 bytes of the value area, an empty
 * value none.
 *
 * ---- Keys and order ----
 * A key is 1..16 bytes.  Internally it is the 17-byte string of its 16 bytes
 * zero-padded, then its length; two keys are ordered by that string, i.e.
 * by their zero-padded bytes and then by length.  This is plain lexicographic
 * byte order with a proper prefix first ("ab" < "ab\0" < "abc").  List
 * returns keys in this ascending order.
 *
 * ---- Index ----
 * A crit-bit tree over the 136-bit strings: K leaves (the key slots) and up to
 * K - 1 internal nodes, each testing one bit; bit numbers strictly increase
 * from the root, so any path has at most 136 nodes.  Lookup, insert and delete
 * are O(136) with no rebalancing; List is O(136 + keys returned).  Nothing
 * recurses.  Free key slots and nodes are kept on free lists; slots above a
 * high-water mark have never been used, so format touches only the
 * superblock and one block header.
 *
 * ---- Value space ----
 * The value area is tiled by blocks of whole 64 B granules, each starting with
 * a 16 B header (size, size of the block before it, owner).  A value of v > 0
 * bytes lives in one block of ceil((v + 16) / 64) granules at block + 16, so a
 * value is contiguous and 16-byte aligned.  Free blocks are on 32 segregated
 * lists by floor(log2(granules)).  Allocation of n granules takes, in this
 * order, the head of n's own list if it fits, else the head of the smallest
 * non-empty larger list, else the first fit found by scanning n's own list;
 * the block is split and the tail returned to the free lists.  Freeing merges
 * a block with free neighbours at once, so free space never stays split:
 * after every value is deleted the area is one free block again, and the
 * store can be filled, emptied and refilled forever.  A Store fails with
 * Capacity Exceeded exactly when no free block is large enough (free space
 * may be fragmented: free_bytes can exceed the largest storable value).
 *
 * ---- Store: two phases ----
 * kv_store_begin() checks, in this order (first failure wins, nothing
 * changes on failure):
 *  1. a store is already pending				KV_INTERNAL
 *  2. klen is 0 or > 16					KV_INVALID_KEY_SIZE
 *  3. vlen > max_value						KV_INVALID_VALUE_SIZE
 *  4. both KV_STORE_IF_EXISTS and KV_STORE_IF_NOT_EXISTS	KV_INVALID_FIELD
 *  5. the key exists and KV_STORE_IF_NOT_EXISTS		KV_KEY_EXISTS
 *     the key does not exist and KV_STORE_IF_EXISTS		KV_KEY_NOT_EXIST
 *  6. a new key and nr_keys == max_keys			KV_CAPACITY_EXCEEDED
 *  7. no free block for vlen (and, for an existing key, none even
 *     counting the old value's block merged with its free neighbours)
 *								KV_CAPACITY_EXCEEDED
 * On success it reserves a block (none for vlen 0) and returns in *dst where
 * the caller copies the vlen bytes; then exactly one of kv_store_commit()
 * (the key now maps to the new value; an old value's block is freed) or
 * kv_store_abort() (the block is freed; nothing else changed) must follow.
 * Until then every call that changes the store returns KV_INTERNAL; lookups
 * and List see the old state.  Exception ("tight overwrite"): when the new
 * value of an existing key fits only in the space of the old one, begin
 * deletes the old key and value first, so an abort leaves the key deleted.
 * Options bits other than KV_STORE_IF_EXISTS and KV_STORE_IF_NOT_EXISTS are
 * ignored.
 *
 * ---- Other operations ----
 * kv_retrieve(), kv_exist(), kv_delete(): klen 0 or > 16 ->
 * KV_INVALID_KEY_SIZE, a missing key -> KV_KEY_NOT_EXIST.  kv_retrieve()
 * returns src = value + offset and len = min(vsize - offset, max_len) (0 when
 * offset >= vsize; src is then still a valid pointer), and vsize.  The kernel
 * passes offset 0 (the spec has none); a caller may use it to copy a value
 * out in pieces.  Pointers into the region are valid until the next call that
 * changes the store.
 * kv_list(): slen > 16 -> KV_INVALID_KEY_SIZE, buflen < 4 ->
 * KV_INVALID_FIELD; otherwise writes the List output above into buf, keys
 * from the first key >= (start, slen) (slen 0: from the first key), as many
 * as fit in buflen, and returns their number and the bytes written
 * (4 + their structures); bytes of buf beyond that are not touched.
 *
 * ---- Persistence ----
 * Every operation leaves the region consistent when it returns, including
 * kv_store_begin(): a region copied while a store is pending mounts as if the
 * store had been aborted.  kv_mount() trusts nothing: it checks the
 * superblock (magic, version, checksum, size, parameters, layout), walks the
 * whole index checking every node and key slot (ranges, each reached once,
 * bits increasing, keys in strict order with the crit bit of each pair of
 * neighbours equal to the bit of the node between them), walks the value
 * area block by block (sizes tile it exactly, back links match, each key's
 * block is owned by that key and large enough), then rebuilds the free lists
 * and counters.  Blocks no key owns (e.g. a pending store) are freed.  It
 * returns -EINVAL with a reason in *why for a zeroed, foreign, truncated or
 * corrupted region and never reads outside [base, base + size).  Cost
 * O(slots ever used + blocks); format is O(1).
 *
 * ======== Part 3: how the kernel's I/O path uses it ========
 *
 * (tools/kv/fakedev.c does exactly this in userspace.)  Per namespace:
 * kv_mount() the namespace's storage; if it fails and !kv_has_magic(), the
 * storage is new: kv_format() it (a region with the magic that does not
 * mount is corrupt: report *why, do not wipe it unasked).  kv_unmount() on
 * teardown.  For each command, with key[16] = the 16 bytes at command
 * offsets 8..15 and 56..63, kl = CDW11 & 0xff, st the status to complete
 * with (Do Not Retry if not KV_OK):
 *  Store:    st = kv_store_begin(kv, key, kl, CDW10, (CDW11 >> 8) & 0xff,
 *            &dst); if KV_OK, copy CDW10 bytes from the host PRPs to dst;
 *            on a transfer error kv_store_abort() and complete with Data
 *            Transfer Error (004h), else kv_store_commit().
 *  Retrieve: st = kv_retrieve(kv, key, kl, 0, CDW10, &src, &len, &vsize);
 *            if KV_OK, copy len bytes from src to the host PRPs; CDW0 =
 *            vsize.
 *  List:     st = kv_list(kv, key, kl, buf, min(CDW10, MDTS), &nr, &used)
 *            into a bounce buffer (or straight into host memory if it is
 *            contiguous); copy the used bytes to the host.
 *  Delete:   st = kv_delete(kv, key, kl) (KV_KEY_NOT_EXIST: see EDNEK).
 *  Exist:    st = kv_exist(kv, key, kl, NULL).
 *  Identify CNS 05h CSI 01h from kv_stats(): NSZE = area_bytes, NUSE =
 *  used_bytes, NKVF = 0, KV Format 0 = { KVKML max_key, KVVML max_value,
 *  KVMNK max_keys }.  CNS 06h: VER = 00010000h.
 * Hold the namespace's lock from kv_store_begin() to commit/abort.
 *
 * Concurrency: one caller at a time per store (the caller locks), except
 * kv_stats(), which may run concurrently and returns values each counter
 * had.  No global state.  Nothing here sleeps or allocates memory.
 */
#ifndef _NVMEV_FTL_KV_H
#define _NVMEV_FTL_KV_H

#include "ftl_compat.h"

/* Opcodes of the KV I/O commands. */
#define KV_OPC_STORE		0x01U
#define KV_OPC_RETRIEVE		0x02U
#define KV_OPC_LIST		0x06U
#define KV_OPC_DELETE		0x10U
#define KV_OPC_EXIST		0x14U

/* Command Set Identifier. */
#define KV_CSI			0x01U

/* Store Options: CDW11 bits 15:8 of Store, shifted down. */
#define KV_STORE_IF_EXISTS	0x01U	/* bit 8: only if the key exists */
#define KV_STORE_IF_NOT_EXISTS	0x02U	/* bit 9: only if it does not */
#define KV_STORE_NO_COMPRESS	0x04U	/* bit 10: hint, ignored */

/* Limits. */
#define KV_MAX_KEY		16U			/* KVKML */
#define KV_MAX_VALUE_LIMIT	(512U << 10)		/* = MDTS */
#define KV_MIN_REGION		(64ULL << 10)
#define KV_MAX_REGION		(256ULL << 30)		/* area < 2^32 granules */
#define KV_MAX_KEYS		(1U << 30)
#define KV_MIN_BYTES_PER_KEY	64U

/* Defaults of kv_params_default(). */
#define KV_DEFAULT_MAX_VALUE	KV_MAX_VALUE_LIMIT
#define KV_DEFAULT_BYTES_PER_KEY 1024U

/* Layout constants. */
#define KV_SB_BYTES		4096U
#define KV_UNIT_SHIFT		6U			/* 64 B granules */
#define KV_UNIT			(1U << KV_UNIT_SHIFT)
#define KV_BLOCK_HDR		16U
#define KV_KEY_BITS		136U			/* 16 bytes + length */
#define KV_LIST_HDR		4U
#define KV_VERSION		1U
#define KV_MAGIC		0x31564b56454d564eULL	/* "NVMEVKV1" */

/* Index references: a node index, or a key slot index | KV_REF_LEAF. */
#define KV_NONE			0xFFFFFFFFU
#define KV_REF_LEAF		0x80000000U

/* Block owners other than a key slot index. */
#define KV_OWNER_FREE		0xFFFFFFFFU
#define KV_OWNER_PENDING	0xFFFFFFFEU

/*
 * Status of an operation: the NVMe status field (SCT << 8) | SC, as in
 * Linux's NVME_SC_* values, so the caller can use it as is (with Do Not
 * Retry for errors).  All are SCT 0h (Generic); see Part 1.
 */
enum kv_status {
	KV_OK			= 0x000,
	KV_INVALID_FIELD	= 0x002,	/* Invalid Field in Command */
	KV_INTERNAL		= 0x006,	/* Internal Error (caller bug) */
	KV_CAPACITY_EXCEEDED	= 0x081,
	KV_INVALID_VALUE_SIZE	= 0x085,
	KV_INVALID_KEY_SIZE	= 0x086,
	KV_KEY_NOT_EXIST	= 0x087,	/* KV Key Does Not Exist */
	KV_UNRECOVERED		= 0x088,	/* Unrecovered Error: never */
	KV_KEY_EXISTS		= 0x089,
};

/*
 * Format parameters.
 * @max_value:     KVVML in bytes, 1 .. KV_MAX_VALUE_LIMIT
 * @bytes_per_key: one key slot per this many bytes of region,
 *                 KV_MIN_BYTES_PER_KEY .. ; sets max_keys (see the layout)
 */
struct kv_params {
	u32 max_value;
	u32 bytes_per_key;
};

/* ---- On-region structures (little-endian; sizes and offsets fixed) ---- */

/* Superblock at offset 0 (KV_SB_BYTES reserved). */
struct kv_sb {
	/* set by kv_format(), covered by csum */
	u64 magic;		/* 0   KV_MAGIC */
	u32 version;		/* 8   KV_VERSION */
	u32 sb_bytes;		/* 12  KV_SB_BYTES */
	u64 region_size;	/* 16 */
	u32 max_value;		/* 24 */
	u32 bytes_per_key;	/* 28 */
	u32 max_keys;		/* 32 */
	u32 unit_shift;		/* 36  KV_UNIT_SHIFT */
	u64 leaf_off;		/* 40 */
	u64 node_off;		/* 48 */
	u64 area_off;		/* 56 */
	u32 area_units;		/* 64 */
	u32 csum;		/* 68  FNV-1a 32 of bytes 0..67 */
	/* changed by operations; kv_mount() recomputes all but the first three */
	u32 root;		/* 72  index root reference or KV_NONE */
	u32 leaf_hwm;		/* 76  key slots [0, leaf_hwm) have been used */
	u32 node_hwm;		/* 80  nodes [0, node_hwm) have been used */
	u32 nr_keys;		/* 84 */
	u32 leaf_free;		/* 88  free key slot list head */
	u32 node_free;		/* 92  free node list head */
	u64 value_bytes;	/* 96  sum of the value lengths */
	u32 used_units;		/* 104 granules in allocated blocks */
	u32 free_mask;		/* 108 bit c: free list c is not empty */
	u32 free_head[32];	/* 112 free block lists by floor(log2(units)) */
};				/* 240 */

/* Key slot (leaf of the index), 32 bytes; block is KV_NONE if vlen is 0. */
struct kv_leaf {
	u8 key[16];		/* 0   zero beyond klen */
	u8 klen;		/* 16  1..16; 0 while free */
	u8 mark;		/* 17  scratch of kv_mount() */
	u16 rsvd;		/* 18 */
	u32 vlen;		/* 20 */
	u32 block;		/* 24  first granule of the value's block */
	u32 next;		/* 28  free list link while free */
};

/* Internal node of the index, 16 bytes. */
struct kv_node {
	u32 child[2];		/* 0   references; child[b] has bit @bit == b */
	u16 bit;		/* 8   0..135, MSB of key byte 0 is bit 0 */
	u8 mark;		/* 10  scratch of kv_mount() */
	u8 rsvd;		/* 11 */
	u32 next;		/* 12  free list link while free */
};

/* Header of a block of the value area, 16 bytes; the value follows. */
struct kv_blk {
	u32 units;		/* 0   block size in granules, header included */
	u32 prev;		/* 4   size of the block before; 0 for the first */
	u32 owner;		/* 8   key slot, KV_OWNER_FREE or _PENDING */
	u32 rsvd;		/* 12 */
	/* free blocks only, in the first granule's body: */
	u32 fnext;		/* 16  free list links (granule numbers) */
	u32 fprev;		/* 20 */
};

/* ---- Handle ---- */

/*
 * One mounted store.  Owned by the caller (any memory, no allocation
 * inside); fields are private to kv.c (the unit tests peek at them).
 */
struct kv {
	u8 *base;
	u64 size;
	struct kv_sb *sb;
	struct kv_leaf *leaves;
	struct kv_node *nodes;
	u8 *area;
	/* the pending store, see kv_store_begin() */
	bool pending;
	u32 p_leaf;		/* existing key slot to update, or KV_NONE */
	u32 p_block;		/* reserved block, or KV_NONE */
	u32 p_vlen;
	u32 p_klen;
	u8 p_key[16];
	/* index walk stack (List, mount) */
	u32 sp;
	u32 stk[KV_KEY_BITS];
};

/* Counters, for Identify and statistics. */
struct kv_stats {
	u64 nr_keys;
	u64 max_keys;		/* KVMNK */
	u64 value_bytes;	/* sum of the stored value lengths */
	u64 used_bytes;		/* value area in allocated blocks */
	u64 free_bytes;		/* value area in free blocks */
	u64 area_bytes;		/* used_bytes + free_bytes */
	u32 max_value;		/* KVVML */
	u32 max_key;		/* KVKML */
};

/* Bytes of one key in the List output (see Part 1). */
static inline u32 kv_list_entry_bytes(u32 klen)
{
	return (2 + klen + 3) & ~3U;
}

/* Fill @p with the defaults: max_value 512 KiB, bytes_per_key 1024. */
void kv_params_default(struct kv_params *p);

/* NULL if @p and @size can be formatted, else the reason. */
const char *kv_check_params(const struct kv_params *p, u64 size);

/* Does the region start with the magic of a store (valid or not)? */
bool kv_has_magic(const void *base, u64 size);

/*
 * Make [base, base + size) an empty store and mount it in @kv.  Returns 0,
 * or -EINVAL (kv_check_params() failed, or base not 8-byte aligned).
 */
int kv_format(struct kv *kv, void *base, u64 size, const struct kv_params *p);

/*
 * Mount the store in [base, base + size), checked and repaired as described
 * above.  Returns 0, or -EINVAL with *why (if @why) set to the reason.
 */
int kv_mount(struct kv *kv, void *base, u64 size, const char **why);

/* Abort a pending store; @kv is unusable afterwards.  Safe to repeat. */
void kv_unmount(struct kv *kv);

/* Store, phase 1: see the rules above. */
enum kv_status kv_store_begin(struct kv *kv, const void *key, u32 klen,
			      u32 vlen, u32 opts, void **dst);
/* Store, phase 2: make the pending store effective, or undo it. */
void kv_store_commit(struct kv *kv);
void kv_store_abort(struct kv *kv);

enum kv_status kv_retrieve(struct kv *kv, const void *key, u32 klen,
			   u32 offset, u32 max_len, const void **src,
			   u32 *len, u32 *vsize);
/* @vsize may be NULL. */
enum kv_status kv_exist(struct kv *kv, const void *key, u32 klen, u32 *vsize);
enum kv_status kv_delete(struct kv *kv, const void *key, u32 klen);
enum kv_status kv_list(struct kv *kv, const void *start, u32 slen, void *buf,
		       u32 buflen, u32 *nr_keys, u32 *used);

void kv_stats(const struct kv *kv, struct kv_stats *st);

#endif /* _NVMEV_FTL_KV_H */
