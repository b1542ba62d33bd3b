/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * resv.h - NVMe reservations of one namespace (NVMe Base Specification
 * 2.0, 8.19 "Reservations"): registrants, the holder, the type and the
 * generation, the actions of Reservation Register, Acquire and Release,
 * and the rule that says which commands a reservation lets a host run.
 *
 * Device logic only, plain C (built into the module and into the unit
 * tests): the caller (resv.c) decodes the commands, moves their data,
 * builds the Reservation Report and turns the results into NVMe statuses.
 * The caller serialises every call on one namespace (the dispatcher).
 *
 * A host is identified by its Host Identifier (Set Features 81h) when that
 * is not zero: every controller with the same identifier is the same host.
 * A controller whose identifier is zero (never set) is a host of its own,
 * identified by its controller ID.
 */
#ifndef _NVMEV_FTL_RESV_H
#define _NVMEV_FTL_RESV_H

#include "ftl_compat.h"

#define RESV_MAX_REGS		32	/* registrants of one namespace */

/* Reservation types (RTYPE) */
enum resv_type {
	RESV_NONE = 0,
	RESV_WE = 1,			/* Write Exclusive */
	RESV_EA = 2,			/* Exclusive Access */
	RESV_WE_RO = 3,			/* Write Exclusive - Registrants Only */
	RESV_EA_RO = 4,			/* Exclusive Access - Registrants Only */
	RESV_WE_AR = 5,			/* Write Exclusive - All Registrants */
	RESV_EA_AR = 6,			/* Exclusive Access - All Registrants */
};

/* Results of the actions; resv.c maps them to NVMe statuses. */
enum resv_result {
	RESV_OK = 0,
	RESV_CONFLICT,			/* Reservation Conflict */
	RESV_INVALID,			/* Invalid Field in Command */
	RESV_FULL,			/* no room for another registrant */
};

/* Who sends a command */
struct resv_host {
	u8 id[16];			/* Host Identifier; all zero: not set */
	bool ext;			/* a 128-bit identifier */
	u16 cntlid;			/* the controller the command came to */
};

struct resv_reg {
	bool used;
	struct resv_host host;		/* cntlid: the controller it registered on */
	u64 rkey;
};

struct resv {
	u8 type;			/* enum resv_type; RESV_NONE: no reservation */
	int holder;			/* index into regs (types 1 to 4), or -1 */
	u32 gen;			/* Generation */
	unsigned int nr;		/* registrants */
	struct resv_reg regs[RESV_MAX_REGS];
};

void resv_init(struct resv *r);
/* Register (rrega 0), unregister (1), replace (2). */
enum resv_result resv_register(struct resv *r, const struct resv_host *h,
			       unsigned int rrega, bool iekey, u64 crkey,
			       u64 nrkey);
/* Acquire (racqa 0), preempt (1), preempt and abort (2, as preempt). */
enum resv_result resv_acquire(struct resv *r, const struct resv_host *h,
			      unsigned int racqa, unsigned int rtype, u64 crkey,
			      u64 prkey);
/* Release (rrela 0), clear (1). */
enum resv_result resv_release(struct resv *r, const struct resv_host *h,
			      unsigned int rrela, unsigned int rtype, u64 crkey);
/* The registrant that is host @h, or -1. */
int resv_find(const struct resv *r, const struct resv_host *h);
/* Registrant @i holds the reservation (RCSTS bit 0). */
bool resv_holds(const struct resv *r, int i);
/*
 * May host @h run a command of the read command group (@write false:
 * Read, Compare, Verify, the Receive commands) or of the write command
 * group (@write true: every other command that addresses the namespace)?
 */
bool resv_allows(const struct resv *r, const struct resv_host *h, bool write);
/* The same rule by the host's standing alone (the specification's table). */
bool resv_type_allows(unsigned int type, bool registrant, bool holder,
		      bool write);

#endif /* _NVMEV_FTL_RESV_H */
