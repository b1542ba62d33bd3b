/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * zns.h - zone state machine of an NVMe Zoned Namespace (NVMe Zoned
 * Namespace Command Set Specification 1.1, "ZNS" below).
 *
 * This is device logic only: zone states, write pointers, open/active
 * resources, the checks of Write / Zone Append / Read and the Zone
 * Management Send / Receive actions.  No timing, no data: the caller (the
 * kernel's I/O path) moves data, zeroes the LBA ranges this library hands
 * back, and builds the NVMe structures (completion status, Zone Descriptors,
 * Identify Namespace for CSI 02h) from the neutral values returned here.
 *
 * ==== Geometry ====
 *
 * The namespace has nr_lbas LBAs.  Zones are zone_size LBAs (a power of
 * two, "ZSZE"); zone i starts at ZSLBA = i * zone_size and its first
 * zone_cap LBAs ("ZCAP") are writable.  nr_zones = floor(nr_lbas /
 * zone_size); the tail_lbas = nr_lbas - nr_zones * zone_size LBAs after the
 * last whole zone are not part of the zoned namespace: the namespace size
 * the host sees (NSZE) is zns_nsze() = nr_zones * zone_size, and every LBA
 * at or beyond it is out of range.  The LBAs [ZSLBA + zone_cap, ZSLBA +
 * zone_size) of a zone with zone_cap < zone_size can never be written;
 * reads of them are allowed and return zeroes (see Reads).
 *
 * ==== States and resources ====
 *
 * Every zone is a sequential write required zone (Zone Type 2h) in one of
 * the states of enum zns_state (values are the ZNS Zone State codes).
 * Open zones are those in ZSIO or ZSEO; active zones are those in ZSIO,
 * ZSEO or ZSC.  With max_open != 0 at most max_open zones are open, with
 * max_active != 0 at most max_active zones are active (0 = no limit).
 *
 * Making a zone open (a Write or Zone Append to a ZSE or ZSC zone: implicit
 * open to ZSIO; an Open Zone action on a ZSE or ZSC zone: explicit open to
 * ZSEO) needs:
 *  1. if the zone is ZSE, an active resource: if nr_active == max_active
 *     the command fails with ZNS_TOO_MANY_ACTIVE and nothing changes;
 *  2. an open resource: if nr_open == max_open and some zone is in ZSIO,
 *     the controller implicitly closes (ZSIO -> ZSC) the zone that has been
 *     open longest among the ZSIO zones (FIFO by the time each zone became
 *     open); if no zone is in ZSIO the command fails with
 *     ZNS_TOO_MANY_OPEN and nothing changes.
 * A ZSIO zone becoming ZSEO (Open Zone on it) needs no new resource.
 * A zone leaving the open or active set (close, finish, reset, becoming
 * full, read only or offline) releases its resources at once.
 *
 * ==== Write (zns_write) ====
 *
 * Checks, in this order, first failure wins (nothing changes on failure):
 *  1. nlb == 0 (the caller converts the 0's based NLB, so never for a real
 *     command)					ZNS_INVALID_FIELD
 *  2. slba + nlb > nsze (or overflows)		ZNS_LBA_OUT_OF_RANGE
 *  3. zone Z containing slba is ZSF		ZNS_ZONE_FULL
 *     ZSRO					ZNS_ZONE_READ_ONLY
 *     ZSO					ZNS_ZONE_OFFLINE
 *  4. slba != write pointer of Z		ZNS_ZONE_INVALID_WRITE
 *  5. slba + nlb > ZSLBA + zone_cap, i.e. the write does not fit in the
 *     writable capacity of Z (this includes every write crossing into the
 *     next zone)				ZNS_ZONE_BOUNDARY_ERROR
 *  6. Z is ZSE or ZSC: implicit open as above	ZNS_TOO_MANY_ACTIVE /
 *						ZNS_TOO_MANY_OPEN
 * Then wp += nlb; when wp reaches ZSLBA + zone_cap, Z becomes ZSF and
 * releases its resources.  A write that fills a ZSE zone in one command
 * still passes through ZSIO (step 6 applies, and may implicitly close
 * another zone), as in the ZNS state machine.
 *
 * ==== Zone Append (zns_append) ====
 *
 *  1. nlb == 0					ZNS_INVALID_FIELD
 *  2. zslba + nlb > nsze (or overflows)		ZNS_LBA_OUT_OF_RANGE
 *  3. zslba is not the ZSLBA of a zone		ZNS_INVALID_FIELD
 *  4. zasl != 0 and nlb > zasl			ZNS_INVALID_FIELD
 *  5. the Write checks 3, 5 and 6 with slba = the zone's write pointer.
 * The data lands at the write pointer before the command (*out_lba).
 * zasl == 0 means "ZASL equals MDTS": the size check is the caller's.
 *
 * ==== Reads (zns_read_check) ====
 *
 * Read Across Zone Boundaries is supported: a read may span any number of
 * zones.  nlb == 0 -> ZNS_INVALID_FIELD; slba + nlb > nsze ->
 * ZNS_LBA_OUT_OF_RANGE; any zone of the range in ZSO -> ZNS_ZONE_OFFLINE;
 * otherwise success.  Reads at or beyond a write pointer (and of the LBAs
 * between zone_cap and zone_size) succeed and must return zeroes.
 *
 * ==== Data (zns_data_end) ====
 *
 * The caller keeps the data, and never has to erase any: a zone's data is
 * [ZSLBA, zns_data_end()), and every LBA of the zone above it reads as
 * zeroes whatever the caller's storage holds there.  A write or append
 * moves the end with the write pointer; Reset moves it back to ZSLBA (so
 * a reset is all or nothing: it takes effect entirely when the command is
 * processed, and nothing is left to do later); Finish leaves it where the
 * data ends, as the LBAs it skips read as zeroes.  Read only and offline
 * zones keep theirs.
 *
 * ==== Zone Management Send (zns_mgmt_send) ====
 *
 * Without Select All, zslba >= nsze -> ZNS_LBA_OUT_OF_RANGE and zslba not a
 * ZSLBA -> ZNS_INVALID_FIELD; an action code that is not Close, Finish,
 * Open, Reset or Offline (e.g. Set Zone Descriptor Extension, not offered)
 * -> ZNS_INVALID_FIELD.  Per action and current state of the zone
 * ("-" = success, no change; "X" = ZNS_INVALID_TRANSITION, no change):
 *
 *		ZSE	ZSIO	ZSEO	ZSC	ZSF	ZSRO	ZSO
 *	Open	ZSEO*	ZSEO	-	ZSEO*	X	X	X
 *	Close	X	ZSC	ZSC	-	X	X	X
 *	Finish	ZSF	ZSF	ZSF	ZSF	-	X	X
 *	Reset	-	ZSE	ZSE	ZSE	ZSE	X	X
 *	Offline	X	X	X	X	X	ZSO	-
 *
 * (* needs resources as described above.)  Finish sets wp = ZSLBA +
 * zone_cap and calls fn(arg, old wp, ZSLBA + zone_cap - old wp) when that
 * range is not empty (LBAs that now read as zeroes without being written).
 * Reset sets wp = ZSLBA and calls fn(arg, ZSLBA, old wp - ZSLBA) when not
 * empty (for a ZSF zone old wp = ZSLBA + zone_cap: the LBAs whose data is
 * discarded).  fn is for timing (what the media does); the data needs
 * nothing (see Data).  No other action calls fn.  fn may be NULL.
 *
 * With Select All, zslba is ignored and the action applies, in zone order,
 * to every zone in the states listed here (other zones are untouched):
 *	Open	ZSC			(all-or-nothing: if nr_open + nr_closed >
 *					 max_open, ZNS_TOO_MANY_OPEN and no
 *					 change; no implicit close is done)
 *	Close	ZSIO, ZSEO
 *	Finish	ZSIO, ZSEO, ZSC
 *	Reset	ZSIO, ZSEO, ZSC, ZSF
 *	Offline	ZSRO
 * and always succeeds otherwise (even if no zone matches).
 *
 * ==== Zone Management Receive (zns_report) ====
 *
 * Report Zones only (Extended Report Zones is not offered: no zone
 * descriptor extensions).  slba >= nsze -> ZNS_LBA_OUT_OF_RANGE; an option
 * above ZNS_REPORT_OFFLINE -> ZNS_INVALID_FIELD.  Zones are considered from
 * the zone containing slba to the last zone; those matching the option are
 * copied in zone order to buf until max_descs are copied.  *nr_copied =
 * the number copied; *nr_total = the number of matching zones from slba to
 * the end when partial is false, *nr_copied when partial is true (the
 * "Number of Zones" field of the report header).
 * A descriptor's wp is ZNS_WP_INVALID (all ones) for zones in ZSF, ZSRO
 * and ZSO, whose write pointer is not valid.
 *
 * ==== Not offered ====
 *
 * Zone attributes (ZFC, FZR, RZR, ZDEV) are always 0: the controller never
 * finishes a zone by itself and never recommends a reset or finish, so the
 * corresponding reporting options and the Changed Zone List log page are not
 * offered.  Zone Descriptor Extensions, ZRWA and Zone Active Excursions are
 * not offered.
 *
 * ==== Controller-initiated transitions (fault injection) ====
 *
 * zns_set_read_only(): any state except ZSO -> ZSRO (ZSRO: no change).
 * zns_set_offline(): any state -> ZSO.  Both release the zone's resources;
 * ZSO -> ZSRO is ZNS_INVALID_TRANSITION.
 *
 * ==== Power loss ====
 *
 * zns_power_lost(slba): the zone containing @slba lost its data from
 * @slba on (data written but not durable when the power was cut): its
 * data ends at @slba if it ended beyond it (nothing changes otherwise,
 * nor for an @slba beyond the zones or in a ZSO zone); a zone whose write
 * pointer is valid (ZSE, ZSIO, ZSEO, ZSC) gets it back there.  A ZSF zone
 * stays full (its data ends earlier, as after a Finish there); a ZSRO
 * zone stays read only.  zns_power_on(): the controller comes back with
 * no zone open: every ZSIO, ZSEO and ZSC zone with data (wp > ZSLBA)
 * becomes ZSC, every one without becomes ZSE, releasing what it held.
 *
 * ==== Identify ====
 *
 * zns_mor() / zns_mar() return the 0's based Maximum Open / Active
 * Resources for the Identify Namespace data structure (ZNS CSI 02h):
 * max_open - 1 / max_active - 1, or 0xFFFFFFFF for "no limit".
 *
 * Memory: 16 bytes per zone plus 4 bytes per max_open; no per-LBA state.
 * Concurrency: one caller at a time per instance (the caller locks); no
 * global state.  Nothing here sleeps except zns_init().
 */
#ifndef _NVMEV_FTL_ZNS_H
#define _NVMEV_FTL_ZNS_H

#include "ftl_compat.h"

/* Largest number of zones zns_check_params() accepts (16 B each). */
#define ZNS_MAX_ZONES		(1U << 22)

/* Defaults of zns_params_default(). */
#define ZNS_DEFAULT_ZONE_BYTES	(64ULL << 20)	/* at most 64 MiB zones */
#define ZNS_DEFAULT_MIN_ZONES	16U		/* per namespace, if it fits */
#define ZNS_DEFAULT_MAX_OPEN	14U		/* = max_active */

/* Zone Type field: sequential write required. */
#define ZNS_ZONE_TYPE_SEQ_WRITE	2U

/* Write pointer reported for ZSF, ZSRO and ZSO zones. */
#define ZNS_WP_INVALID		U64_MAX

/* Identify MOR/MAR value meaning "no limit". */
#define ZNS_NO_LIMIT		0xFFFFFFFFU

/*
 * Status of an operation.  Each value is the NVMe status field
 * (SCT << 8) | SC, the encoding of the NVME_SC_* values of Linux's
 * include/linux/nvme.h, so the caller can use it as is:
 *	ZNS_OK				SCT 0h SC 00h  Successful Completion
 *	ZNS_INVALID_FIELD		SCT 0h SC 02h  Invalid Field in Command
 *	ZNS_LBA_OUT_OF_RANGE		SCT 0h SC 80h  LBA Out of Range
 *	ZNS_ZONE_BOUNDARY_ERROR		SCT 1h SC B8h  Zone Boundary Error
 *	ZNS_ZONE_FULL			SCT 1h SC B9h  Zone Is Full
 *	ZNS_ZONE_READ_ONLY		SCT 1h SC BAh  Zone Is Read Only
 *	ZNS_ZONE_OFFLINE		SCT 1h SC BBh  Zone Is Offline
 *	ZNS_ZONE_INVALID_WRITE		SCT 1h SC BCh  Zone Invalid Write
 *	ZNS_TOO_MANY_ACTIVE		SCT 1h SC BDh  Too Many Active Zones
 *	ZNS_TOO_MANY_OPEN		SCT 1h SC BEh  Too Many Open Zones
 *	ZNS_INVALID_TRANSITION		SCT 1h SC BFh  Invalid Zone State
 *							Transition
 * (ZNS 1.1 "Status Code - Command Specific Status Values"; Linux:
 * NVME_SC_INVALID_FIELD 0x2, NVME_SC_LBA_RANGE 0x80, NVME_SC_ZONE_BOUNDARY_
 * ERROR 0x1b8 ... NVME_SC_ZONE_INVALID_TRANSITION 0x1bf.)  Every error is
 * final: the caller should set Do Not Retry.
 */
enum zns_status {
	ZNS_OK			= 0x000,
	ZNS_INVALID_FIELD	= 0x002,
	ZNS_LBA_OUT_OF_RANGE	= 0x080,
	ZNS_ZONE_BOUNDARY_ERROR	= 0x1b8,
	ZNS_ZONE_FULL		= 0x1b9,
	ZNS_ZONE_READ_ONLY	= 0x1ba,
	ZNS_ZONE_OFFLINE	= 0x1bb,
	ZNS_ZONE_INVALID_WRITE	= 0x1bc,
	ZNS_TOO_MANY_ACTIVE	= 0x1bd,
	ZNS_TOO_MANY_OPEN	= 0x1be,
	ZNS_INVALID_TRANSITION	= 0x1bf,
};

/* Zone states; the values are the Zone State (ZS) codes of ZNS 1.1. */
enum zns_state {
	ZNS_ZSE		= 0x1,	/* Empty */
	ZNS_ZSIO	= 0x2,	/* Implicitly Opened */
	ZNS_ZSEO	= 0x3,	/* Explicitly Opened */
	ZNS_ZSC		= 0x4,	/* Closed */
	ZNS_ZSRO	= 0xd,	/* Read Only */
	ZNS_ZSF		= 0xe,	/* Full */
	ZNS_ZSO		= 0xf,	/* Offline */
};

/* Zone Send Action codes of Zone Management Send. */
enum zns_action {
	ZNS_ACT_CLOSE	= 0x1,
	ZNS_ACT_FINISH	= 0x2,
	ZNS_ACT_OPEN	= 0x3,
	ZNS_ACT_RESET	= 0x4,
	ZNS_ACT_OFFLINE	= 0x5,
};

/* Reporting options (Zone Receive Action Specific Field of Report Zones). */
enum zns_report_opt {
	ZNS_REPORT_ALL		= 0x0,
	ZNS_REPORT_EMPTY	= 0x1,
	ZNS_REPORT_IMP_OPEN	= 0x2,
	ZNS_REPORT_EXP_OPEN	= 0x3,
	ZNS_REPORT_CLOSED	= 0x4,
	ZNS_REPORT_FULL		= 0x5,
	ZNS_REPORT_READ_ONLY	= 0x6,
	ZNS_REPORT_OFFLINE	= 0x7,
};

/*
 * Parameters.  All sizes are in LBAs.
 * @nr_lbas:    LBAs of the namespace's backing space (the tail beyond the
 *              last whole zone is unused, see zns_tail_lbas())
 * @zone_size:  ZSZE, a power of two, 1 .. nr_lbas
 * @zone_cap:   ZCAP, 1 .. zone_size, at most 2^32 - 1
 * @max_open:   MOR + 1, 0 = no limit; <= nr_zones
 * @max_active: MAR + 1, 0 = no limit; <= nr_zones; when not 0, max_open
 *              must be 1 .. max_active (ZNS: MOR <= MAR)
 * @zasl:       Zone Append Size Limit in LBAs, 0 = MDTS (not checked here)
 * nr_zones = nr_lbas / zone_size must be 1 .. ZNS_MAX_ZONES.
 */
struct zns_params {
	u64 nr_lbas;
	u64 zone_size;
	u64 zone_cap;
	u32 max_open;
	u32 max_active;
	u32 zasl;
};

/* Per-zone state (16 bytes); private to zns.c. */
struct zns_zone {
	u64 wp;		/* absolute LBA; ZSLBA + zone_cap when ZSF */
	u32 data;	/* LBAs of data from ZSLBA (see Data above) */
	u8 state;	/* enum zns_state */
	u8 attrs;	/* zone attributes, always 0 (see top of file) */
};

/*
 * One zoned namespace.  Owned by the caller; fields are private to zns.c
 * (the unit tests peek at them).
 * @p:          copy of the parameters
 * @zones:      [nr_zones]
 * @open_fifo:  [max_open] zone indexes of the open zones, oldest first
 *              (only when max_open != 0)
 */
struct zns {
	struct zns_params p;
	struct zns_zone *zones;
	u32 *open_fifo;
	u32 nr_zones;
	u32 zone_shift;
	u32 nr_open;
	u32 nr_active;
};

/* Neutral Zone Descriptor (what Report Zones returns per zone). */
struct zns_desc {
	u8 type;	/* ZNS_ZONE_TYPE_SEQ_WRITE */
	u8 state;	/* enum zns_state */
	u8 attrs;	/* always 0 */
	u64 cap;	/* ZCAP */
	u64 zslba;
	u64 wp;		/* ZNS_WP_INVALID in ZSF, ZSRO, ZSO */
};

/* Called for each LBA range the caller must make read as zeroes. */
typedef void (*zns_range_fn)(void *arg, u64 slba, u64 nlb);

/*
 * Fill @p for a namespace of @nr_lbas LBAs of (1 << @lba_shift) bytes:
 *  - zone_size: the largest power of two of bytes that is <= 64 MiB and
 *    <= capacity / 16 (so a namespace of 1 GiB or more has zones of 64 MiB
 *    and smaller ones have at least 16 zones), in LBAs, at least 1 LBA;
 *  - zone_cap = zone_size: real drives often have a smaller capacity, but
 *    equal values keep the LBA space dense for tools that assume it;
 *  - max_open = max_active = min(14, nr_zones - 1), but at least 1 (a
 *    single-zone namespace has max 1 / 1): one zone more than the limit
 *    exists, so the limit is reachable and observable;
 *  - zasl = 0 (MDTS).
 * The result passes zns_check_params() whenever nr_lbas gives at least one
 * zone and at most ZNS_MAX_ZONES zones (for 512 B or 4 KiB LBAs: any
 * namespace from one LBA up to 256 TiB).
 */
void zns_params_default(struct zns_params *p, u64 nr_lbas, u32 lba_shift);

/* "Choose for me" for the open and active limits of zns_params_geometry(). */
#define ZNS_LIMIT_AUTO		0xffffffffU

/*
 * The zone geometry of a namespace of @nr_lbas LBAs of 1 << @lba_shift
 * bytes, as a configuration gives it, into @p: zns_params_default(), then
 * @zone_bytes and @cap_bytes (0: the default; the size a power of two of
 * at least one LBA, the capacity a multiple of the LBA size up to it), then
 * the limits: ZNS_LIMIT_AUTO picks min(14, zones - 1) but at least 1, open
 * at most active, any other value is taken as given (0: no limit).  zasl
 * stays 0.  Returns NULL or what is wrong; the caller still runs
 * zns_check_params() on the result.
 */
const char *zns_params_geometry(struct zns_params *p, u64 nr_lbas,
				u32 lba_shift, u64 zone_bytes, u64 cap_bytes,
				u32 max_open, u32 max_active);

/* NULL if @p is valid, else a reason naming the field and its range. */
const char *zns_check_params(const struct zns_params *p);

/* log2 of a power of two (of @v rounded down otherwise; 0 for 0 and 1). */
u32 zns_ilog2(u64 v);

/*
 * Validate and copy @p, allocate the zones, all ZSE with wp = ZSLBA.
 * Returns 0, -EINVAL (zns_check_params() failed) or -ENOMEM; on failure
 * @z holds nothing to free.  May sleep.
 */
int zns_init(struct zns *z, const struct zns_params *p);

/* Free the zones.  Safe after a failed init and safe to repeat. */
void zns_exit(struct zns *z);

/* Geometry and resource counters. */
u32 zns_nr_zones(const struct zns *z);
u64 zns_nsze(const struct zns *z);	/* nr_zones * zone_size */
u64 zns_tail_lbas(const struct zns *z);	/* nr_lbas - nsze */
u32 zns_nr_open(const struct zns *z);
u32 zns_nr_active(const struct zns *z);
u32 zns_mor(const struct zns *z);	/* 0's based or ZNS_NO_LIMIT */
u32 zns_mar(const struct zns *z);	/* 0's based or ZNS_NO_LIMIT */

/* Descriptor of zone @zone (< nr_zones) as Report Zones would give it. */
void zns_zone_desc(const struct zns *z, u32 zone, struct zns_desc *d);

/* Write of @nlb LBAs at @slba; on success *@zone = the zone written. */
enum zns_status zns_write(struct zns *z, u64 slba, u64 nlb, u32 *zone);

/* Set the Zone Append Size Limit (LBAs, 0: MDTS, not checked here). */
void zns_set_zasl(struct zns *z, u32 zasl);

/* Zone Append of @nlb LBAs to the zone starting at @zslba. */
enum zns_status zns_append(struct zns *z, u64 zslba, u64 nlb, u64 *out_lba);

/* May a Read of @nlb LBAs at @slba proceed? */
enum zns_status zns_read_check(const struct zns *z, u64 slba, u64 nlb);

/* The end (absolute LBA) of the data of zone @zone (< nr_zones). */
u64 zns_data_end(const struct zns *z, u32 zone);

/* Zone Management Send; @action is a Zone Send Action code. */
enum zns_status zns_mgmt_send(struct zns *z, u32 action, u64 zslba,
			      bool select_all, zns_range_fn fn, void *arg);

/* Zone Management Receive, Report Zones; see the top of the file. */
enum zns_status zns_report(const struct zns *z, u64 slba, u32 option,
			   bool partial, struct zns_desc *buf, u32 max_descs,
			   u64 *nr_total, u32 *nr_copied);

/* Controller-initiated transitions of zone index @zone (< nr_zones). */
enum zns_status zns_set_read_only(struct zns *z, u32 zone);
enum zns_status zns_set_offline(struct zns *z, u32 zone);

/* A power cut; see "Power loss" at the top of the file. */
void zns_power_lost(struct zns *z, u64 slba);
void zns_power_on(struct zns *z);

#endif /* _NVMEV_FTL_ZNS_H */
