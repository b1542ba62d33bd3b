// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: fault injection (docs/faults.md).
 *
 * A controller and each of its namespaces hold a list of rules, written as
 * one line each to their configfs "faults" file:
 *
 *   op=read lba=1000-1999 status=0x281 count=1
 *   op=write delay=20ms ppm=1000 seed=7
 *   op=write lose every=100
 *
 * The dispatcher asks nvmev_fault_check() about every command it fetches,
 * before the command's own checks run.  A rule that fires either fails the
 * command with its status (nothing is moved, the model is not charged, a
 * zone's write pointer stays), adds time to it, or loses it: the command
 * is kept on the controller's lost list and never completes, unless an
 * Abort names it (rules with "abortable") or a reset ends the session.
 *
 * An Unrecovered Read Error on a read marks the LBAs the read addresses
 * within the rule's range as uncorrectable (nvm_cmds.c): they fail every
 * read from then on, as a bad sector does, until they are written, zeroed
 * or deallocated.  "bad lba=S-E" marks a range at once.
 *
 * The rule lists are changed from configfs and read by the dispatcher,
 * each under its spinlock; a list without rules costs one test per
 * command.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/string.h>
#include <linux/kernel.h>
#include <linux/ctype.h>

#include "nvmev.h"
#include "namespace.h"

#define FAULT_PPM_ALL		1000000U

/* What a rule matches */
enum {
	FAULT_OP_IO,		/* any I/O command */
	FAULT_OP_READ,		/* Read */
	FAULT_OP_WRITE,		/* Write, Zone Append */
	FAULT_OP_IO_OPC,	/* one I/O opcode */
	FAULT_OP_ADMIN,		/* any admin command */
	FAULT_OP_ADMIN_OPC,	/* one admin opcode */
};

static const char *const fault_kind_names[] = {
	[NVMEV_FAULT_ERROR] = "error",
	[NVMEV_FAULT_DELAY] = "delay",
	[NVMEV_FAULT_LOSE] = "lose",
};

struct nvmev_fault_rule {
	struct list_head node;
	unsigned int id;
	u8 kind;		/* NVMEV_FAULT_* */
	u8 op;			/* FAULT_OP_* */
	u8 opcode;
	bool has_lba;		/* only commands addressing LBAs in [slba, elba] */
	bool abortable;		/* lose: an Abort completes it */
	u64 slba, elba;
	u16 status;		/* error: SCT << 8 | SC, with DNR and More */
	u64 delay_ns;
	u32 every;		/* fire on every Nth match */
	u32 ppm;		/* then with this probability */
	u64 left;		/* firings left; U64_MAX: no limit */
	u64 seed, rng;
	u64 matched;
	u64 fired;
	u64 last_ns;		/* when it last fired, 0: never */
};

void nvmev_faults_init(struct nvmev_faults *f, atomic_t *armed)
{
	spin_lock_init(&f->lock);
	INIT_LIST_HEAD(&f->rules);
	f->next_id = 1;
	f->armed = armed;
}

void nvmev_faults_clear(struct nvmev_faults *f)
{
	struct nvmev_fault_rule *r, *tmp;
	LIST_HEAD(gone);

	spin_lock_irq(&f->lock);
	list_splice_init(&f->rules, &gone);
	atomic_sub(f->nr, f->armed);
	WRITE_ONCE(f->nr, 0);
	spin_unlock_irq(&f->lock);
	list_for_each_entry_safe(r, tmp, &gone, node)
		kfree(r);
}

/* xorshift64*: deterministic for a seed */
static u64 rng_next(u64 *s)
{
	u64 x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* ---- Rules from text ------------------------------------------------- */

static int parse_u64(const char *s, u64 *v)
{
	return kstrtou64(s, 0, v);
}

/* "5ms", "200us", "1s", "1500" (ns) */
static int parse_time(const char *s, u64 *ns)
{
	static const struct { const char *sfx; u64 mul; } units[] = {
		{ "ns", 1 }, { "us", NSEC_PER_USEC }, { "ms", NSEC_PER_MSEC },
		{ "s", NSEC_PER_SEC },
	};
	char num[24];
	size_t len = strlen(s);
	unsigned int i;
	u64 v;

	for (i = 0; i < ARRAY_SIZE(units); i++) {
		size_t sl = strlen(units[i].sfx);

		if (len > sl && !strcmp(s + len - sl, units[i].sfx) &&
		    len - sl < sizeof(num)) {
			memcpy(num, s, len - sl);
			num[len - sl] = '\0';
			if (kstrtou64(num, 10, &v) ||
			    check_mul_overflow(v, units[i].mul, ns))
				return -EINVAL;
			return 0;
		}
	}
	return kstrtou64(s, 10, ns);
}

/* "0.5%", "2%", or a plain number of parts per million */
static int parse_percent(const char *s, u32 *ppm)
{
	unsigned int whole = 0, frac = 0, digits = 0;
	const char *p = s;

	if (!*p || p[strlen(p) - 1] != '%')
		return -EINVAL;
	for (; isdigit(*p); p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > 100)
			return -EINVAL;
	}
	if (*p == '.')
		for (p++; isdigit(*p); p++)
			if (digits < 4) {
				frac = frac * 10 + (*p - '0');
				digits++;
			}
	if (*p != '%' || p[1] || p == s)
		return -EINVAL;
	while (digits++ < 4)
		frac *= 10;
	*ppm = whole * 10000 + frac;
	return *ppm <= FAULT_PPM_ALL ? 0 : -EINVAL;
}

static const struct { const char *name; u16 status; } status_names[] = {
	{ "read-error", NVME_SC_READ_ERROR | NVME_STATUS_DNR },
	{ "write-fault", NVME_SC_WRITE_FAULT | NVME_STATUS_DNR },
	{ "internal", NVME_SC_INTERNAL },
	{ "data-xfer", NVME_SC_DATA_XFER_ERROR },
	{ "write-protected", NVME_SC_NS_WRITE_PROTECTED | NVME_STATUS_DNR },
	{ "not-ready", NVME_SC_NS_NOT_READY },
	{ "interrupted", NVME_SC_CMD_INTERRUPTED },
	{ "compare", NVME_SC_COMPARE_FAILED | NVME_STATUS_DNR },
	{ "unwritten", NVME_SC_UNWRITTEN_BLOCK | NVME_STATUS_DNR },
};

static int parse_status(const char *s, u16 *st)
{
	unsigned int i;
	u64 v;

	for (i = 0; i < ARRAY_SIZE(status_names); i++) {
		if (!strcmp(s, status_names[i].name)) {
			*st = status_names[i].status;
			return 0;
		}
	}
	/* SCT << 8 | SC, plus More (0x2000) and DNR (0x4000) */
	if (parse_u64(s, &v) || !(v & 0x7ff) || (v & ~0x67ffULL))
		return -EINVAL;
	*st = v;
	return 0;
}

static int parse_op(struct nvmev_fault_rule *r, const char *s)
{
	static const struct { const char *name; u8 op; } ops[] = {
		{ "io", FAULT_OP_IO }, { "read", FAULT_OP_READ },
		{ "write", FAULT_OP_WRITE }, { "admin", FAULT_OP_ADMIN },
	};
	unsigned int i;
	u64 v;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		if (!strcmp(s, ops[i].name)) {
			r->op = ops[i].op;
			return 0;
		}
	}
	r->op = FAULT_OP_IO_OPC;
	if (!strncmp(s, "admin:", 6)) {
		r->op = FAULT_OP_ADMIN_OPC;
		s += 6;
	}
	if (parse_u64(s, &v) || v > 0xff)
		return -EINVAL;
	r->opcode = v;
	return 0;
}

/* "S-E" (inclusive) or "S+N" (N blocks) or "S" */
static int parse_lba(struct nvmev_fault_rule *r, char *s)
{
	char *sep = strpbrk(s, "-+");
	char c = sep ? *sep : 0;
	u64 a, b = 0;

	if (sep)
		*sep = '\0';
	if (parse_u64(s, &a) || (sep && parse_u64(sep + 1, &b)))
		return -EINVAL;
	r->has_lba = true;
	r->slba = a;
	if (c == '-')
		r->elba = b;
	else if (c == '+')
		r->elba = b ? a + b - 1 : 0;
	else
		r->elba = a;
	return r->elba < a ? -EINVAL : 0;
}

static int parse_key(struct nvmev_fault_rule *r, char *key, char *val,
		     bool *has_status, bool *has_freq)
{
	u64 v;

	if (!strcmp(key, "op"))
		return val ? parse_op(r, val) : -EINVAL;
	if (!strcmp(key, "lba"))
		return val ? parse_lba(r, val) : -EINVAL;
	if (!strcmp(key, "status")) {
		*has_status = true;
		return val ? parse_status(val, &r->status) : -EINVAL;
	}
	if (!strcmp(key, "dnr") || !strcmp(key, "more")) {
		u16 bit = key[0] == 'd' ? NVME_STATUS_DNR : 0x2000;

		if (!val || parse_u64(val, &v) || v > 1)
			return -EINVAL;
		r->status = v ? r->status | bit : r->status & ~bit;
		return 0;
	}
	if (!strcmp(key, "delay")) {
		r->kind = NVMEV_FAULT_DELAY;
		return val ? parse_time(val, &r->delay_ns) : -EINVAL;
	}
	if (!strcmp(key, "lose") || !strcmp(key, "abortable")) {
		if (val)
			return -EINVAL;
		r->kind = NVMEV_FAULT_LOSE;
		r->abortable |= key[0] == 'a';
		return 0;
	}
	if (!strcmp(key, "once")) {
		r->left = 1;
		return val ? -EINVAL : 0;
	}
	if (!strcmp(key, "count"))
		return val && !parse_u64(val, &r->left) && r->left ? 0 : -EINVAL;
	if (!strcmp(key, "every")) {
		*has_freq = true;
		if (!val || parse_u64(val, &v) || !v || v > U32_MAX)
			return -EINVAL;
		r->every = v;
		return 0;
	}
	if (!strcmp(key, "ppm")) {
		if (!val || parse_u64(val, &v) || v > FAULT_PPM_ALL)
			return -EINVAL;
		r->ppm = v;
		return 0;
	}
	if (!strcmp(key, "prob"))
		return val ? parse_percent(val, &r->ppm) : -EINVAL;
	if (!strcmp(key, "seed"))
		return val ? parse_u64(val, &r->seed) : -EINVAL;
	return -EINVAL;
}

/* Parse one rule line into @r; NULL, or the word that is wrong. */
static const char *parse_rule(struct nvmev_fault_rule *r, char *line,
			      bool is_ns)
{
	bool has_status = false, has_freq = false;
	char *tok;

	r->kind = NVMEV_FAULT_ERROR;
	r->op = FAULT_OP_IO;
	r->every = 1;
	r->ppm = FAULT_PPM_ALL;
	r->left = U64_MAX;
	r->seed = 1;
	r->status = NVME_SC_INTERNAL;
	while ((tok = strsep(&line, " \t")) != NULL) {
		char *val;

		if (!*tok)
			continue;
		val = strchr(tok, '=');
		if (val)
			*val++ = '\0';
		if (parse_key(r, tok, val, &has_status, &has_freq))
			return tok;
	}
	if (r->kind != NVMEV_FAULT_ERROR && has_status)
		return "status (only for errors)";
	if (r->kind == NVMEV_FAULT_ERROR && !has_status)
		return "status (missing)";
	if (is_ns && (r->op == FAULT_OP_ADMIN || r->op == FAULT_OP_ADMIN_OPC))
		return "op (admin rules belong to the controller)";
	if (r->op == FAULT_OP_ADMIN || r->op == FAULT_OP_ADMIN_OPC) {
		if (r->has_lba)
			return "lba (admin commands address no LBAs)";
		if (r->kind == NVMEV_FAULT_DELAY)
			return "delay (admin commands take no model time)";
	}
	r->rng = r->seed ? r->seed : 1;
	return NULL;
}

/*
 * Add the rule @text to @f; "clear" removes every rule, "del N" rule N.
 * Returns 0 or -EINVAL (with one line in the log saying why).
 */
int nvmev_fault_write(struct nvmev_faults *f, const char *who,
		      const char *text, bool is_ns)
{
	struct nvmev_fault_rule *r, *tmp;
	char buf[256], *line;
	const char *bad;
	u64 id;

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strscpy(buf, text, sizeof(buf));
	line = strim(buf);
	if (!strcmp(line, "clear")) {
		nvmev_faults_clear(f);
		return 0;
	}
	if (!strncmp(line, "del ", 4)) {
		if (kstrtou64(line + 4, 10, &id))
			return -EINVAL;
		spin_lock_irq(&f->lock);
		list_for_each_entry_safe(r, tmp, &f->rules, node) {
			if (r->id == id) {
				list_del(&r->node);
				atomic_dec(f->armed);
				WRITE_ONCE(f->nr, f->nr - 1);
				spin_unlock_irq(&f->lock);
				kfree(r);
				return 0;
			}
		}
		spin_unlock_irq(&f->lock);
		return -ENOENT;
	}
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	bad = parse_rule(r, line, is_ns);
	if (bad) {
		pr_err("%s/faults: bad %s: write a rule such as \"op=read lba=0-99 status=read-error count=1\" (docs/faults.md)\n",
		       who, bad);
		kfree(r);
		return -EINVAL;
	}
	spin_lock_irq(&f->lock);
	if (f->nr >= NVMEV_MAX_FAULTS) {
		spin_unlock_irq(&f->lock);
		pr_err("%s/faults: at most %u rules\n", who, NVMEV_MAX_FAULTS);
		kfree(r);
		return -ENOSPC;
	}
	r->id = f->next_id++;
	list_add_tail(&r->node, &f->rules);
	atomic_inc(f->armed);
	WRITE_ONCE(f->nr, f->nr + 1);
	spin_unlock_irq(&f->lock);
	return 0;
}

static const char *op_name(const struct nvmev_fault_rule *r, char *buf,
			   size_t size)
{
	switch (r->op) {
	case FAULT_OP_READ:
		return "read";
	case FAULT_OP_WRITE:
		return "write";
	case FAULT_OP_ADMIN:
		return "admin";
	case FAULT_OP_IO_OPC:
		snprintf(buf, size, "0x%02x", r->opcode);
		return buf;
	case FAULT_OP_ADMIN_OPC:
		snprintf(buf, size, "admin:0x%02x", r->opcode);
		return buf;
	default:
		return "io";
	}
}

/* One line per rule, as it can be written back, then its counters. */
ssize_t nvmev_fault_show(struct nvmev_faults *f, char *page, size_t size)
{
	struct nvmev_fault_rule *r;
	char opbuf[16];
	ssize_t n = 0;

	spin_lock_irq(&f->lock);
	list_for_each_entry(r, &f->rules, node) {
		n += scnprintf(page + n, size - n, "%u: op=%s", r->id,
			       op_name(r, opbuf, sizeof(opbuf)));
		if (r->has_lba)
			n += scnprintf(page + n, size - n, " lba=%llu-%llu",
				       r->slba, r->elba);
		if (r->kind == NVMEV_FAULT_ERROR)
			n += scnprintf(page + n, size - n, " status=0x%x",
				       r->status);
		else if (r->kind == NVMEV_FAULT_DELAY)
			n += scnprintf(page + n, size - n, " delay=%lluns",
				       r->delay_ns);
		else
			n += scnprintf(page + n, size - n, " %s",
				       r->abortable ? "abortable" : "lose");
		if (r->every > 1)
			n += scnprintf(page + n, size - n, " every=%u",
				       r->every);
		if (r->ppm < FAULT_PPM_ALL)
			n += scnprintf(page + n, size - n, " ppm=%u seed=%llu",
				       r->ppm, r->seed);
		if (r->left != U64_MAX)
			n += scnprintf(page + n, size - n, " count=%llu",
				       r->left);
		n += scnprintf(page + n, size - n,
			       " # %s matched=%llu fired=%llu last_ms=%llu\n",
			       fault_kind_names[r->kind], r->matched, r->fired,
			       div_u64(r->last_ns, NSEC_PER_MSEC));
	}
	spin_unlock_irq(&f->lock);
	return n;
}

/* ---- The dispatcher's question --------------------------------------- */

static bool rule_matches(const struct nvmev_fault_rule *r, bool admin,
			 u8 opcode, u8 stat, bool lba, u64 slba, u64 nlb)
{
	switch (r->op) {
	case FAULT_OP_IO:
		if (admin)
			return false;
		break;
	case FAULT_OP_READ:
		if (admin || stat != NVMEV_OP_READ)
			return false;
		break;
	case FAULT_OP_WRITE:
		if (admin || (stat != NVMEV_OP_WRITE &&
			      stat != NVMEV_OP_ZONE_APPEND))
			return false;
		break;
	case FAULT_OP_IO_OPC:
		if (admin || opcode != r->opcode)
			return false;
		break;
	case FAULT_OP_ADMIN:
		if (!admin)
			return false;
		break;
	default:
		if (!admin || opcode != r->opcode)
			return false;
		break;
	}
	if (!r->has_lba)
		return true;
	return lba && slba <= r->elba && slba + nlb - 1 >= r->slba;
}

/* Whether @r fires for a command it matches; counts it. */
static bool rule_fires(struct nvmev_fault_rule *r, u64 now)
{
	r->matched++;
	if (!r->left)
		return false;
	if (r->every > 1 && r->matched % r->every)
		return false;
	if (r->ppm < FAULT_PPM_ALL &&
	    (u32)(rng_next(&r->rng) % FAULT_PPM_ALL) >= r->ppm)
		return false;
	if (r->left != U64_MAX)
		r->left--;
	r->fired++;
	r->last_ns = now;
	return true;
}

/*
 * The rules of @f for one command: the first error or loss that fires
 * wins; delays add up.  Returns the kind of the first error or loss, or
 * NVMEV_FAULT_NONE.
 */
static int faults_check(struct nvmev_faults *f, struct nvmev_fault_hit *hit,
			bool admin, u8 opcode, u8 stat, bool lba, u64 slba,
			u64 nlb, u64 now)
{
	struct nvmev_fault_rule *r;
	int kind = NVMEV_FAULT_NONE;
	unsigned long flags;

	spin_lock_irqsave(&f->lock, flags);
	list_for_each_entry(r, &f->rules, node) {
		if (!rule_matches(r, admin, opcode, stat, lba, slba, nlb))
			continue;
		if (r->kind != NVMEV_FAULT_DELAY && kind != NVMEV_FAULT_NONE)
			continue;
		if (!rule_fires(r, now))
			continue;
		if (r->kind == NVMEV_FAULT_DELAY) {
			hit->delay_ns += r->delay_ns;
			continue;
		}
		kind = r->kind;
		hit->status = r->status;
		hit->abortable = r->abortable;
		if (r->has_lba) {
			hit->bad_slba = max(slba, r->slba);
			hit->bad_elba = min(slba + nlb - 1, r->elba);
		} else {
			hit->bad_slba = slba;
			hit->bad_elba = slba + nlb - 1;
		}
	}
	spin_unlock_irqrestore(&f->lock, flags);
	return kind;
}

/* Count an injection in @s (a controller's or a namespace's). */
static void account(struct nvmev_io_stats *s, int kind, u64 delay_ns,
		    u64 now)
{
	if (kind == NVMEV_FAULT_ERROR)
		atomic64_inc(&s->fault_errors);
	else if (kind == NVMEV_FAULT_LOSE)
		atomic64_inc(&s->fault_lost);
	if (delay_ns)
		atomic64_inc(&s->fault_delays);
	atomic64_set(&s->fault_last_ns, now);
}

/* A write while the namespace or the media is read only */
static bool write_refused(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns,
			  const struct nvmev_op *op)
{
	if (!op || !(op->effects & NVME_CMD_EFFECTS_LBCC))
		return false;
	return READ_ONCE(ctrl->media_ro) ||
	       (ns && (READ_ONCE(ns->write_protect) || READ_ONCE(ns->worn_ro)));
}

/*
 * Ask the faults of @ctrl and of the command's namespace about @req,
 * fetched at @now, before the command's own checks.  Returns:
 *  NVMEV_FAULT_NONE:  go on as usual, and add *@delay to its time;
 *  NVMEV_FAULT_ERROR: complete it with req->status (req->ns and req->op
 *                     set for the statistics and the error log);
 *  NVMEV_FAULT_LOSE:  never complete it (I/O: put it on ctrl->lost).
 * On the dispatcher.
 */
int nvmev_fault_cmd(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		    bool admin, u64 now, u64 *delay)
{
	const struct nvme_command *cmd = &req->cmd;
	struct nvmev_ns *ns = NULL;
	const struct nvmev_op *op;
	struct nvmev_faults *lists[2];
	struct nvmev_fault_hit hit, h2;
	bool lba;
	u64 slba, nlb;
	int kind = NVMEV_FAULT_NONE, k;
	unsigned int i;
	u8 stat;

	if (atomic64_read(&ctrl->cfs_after) > 0 &&
	    atomic64_dec_return(&ctrl->cfs_after) == 0) {
		WRITE_ONCE(ctrl->fault_cfs, true);
		atomic_dec(&ctrl->faults_armed);
	}
	if (admin) {
		op = nvmev_op_find(&nvmev_admin_cmds, cmd->common.opcode);
	} else {
		ns = nvmev_ns_find(ctrl, le32_to_cpu(cmd->common.nsid));
		op = nvmev_op_find(nvmev_ns_cmd_set(ns), cmd->common.opcode);
	}
	lba = op && (op->flags & NVMEV_OPF_LBA);
	stat = op ? op->stat : NVMEV_OP_OTHER;
	slba = lba ? le64_to_cpu(cmd->rw.slba) : 0;
	nlb = lba ? (u64)le16_to_cpu(cmd->rw.length) + 1 : 0;

	memset(&hit, 0, sizeof(hit));
	if (!admin && write_refused(ctrl, ns, op)) {
		kind = NVMEV_FAULT_ERROR;
		hit.status = NVME_SC_NS_WRITE_PROTECTED | NVME_STATUS_DNR;
	}
	/* the controller's rules, then the namespace's */
	lists[0] = &ctrl->faults;
	lists[1] = ns ? &ns->faults : NULL;
	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		if (!lists[i] || !READ_ONCE(lists[i]->nr))
			continue;
		memset(&h2, 0, sizeof(h2));
		k = faults_check(lists[i], &h2, admin, cmd->common.opcode,
				 stat, lba, slba, nlb, now);
		hit.delay_ns += h2.delay_ns;
		if (kind == NVMEV_FAULT_NONE && k != NVMEV_FAULT_NONE) {
			h2.delay_ns = hit.delay_ns;
			hit = h2;
			kind = k;
		}
	}
	/* an Unrecovered Read Error on a read leaves the LBAs bad */
	if (kind == NVMEV_FAULT_ERROR && ns && stat == NVMEV_OP_READ &&
	    (hit.status & 0x7ff) == NVME_SC_READ_ERROR &&
	    hit.bad_slba < ns->nr_lbas && hit.bad_slba <= hit.bad_elba)
		nvmev_uncor_set(ns, hit.bad_slba,
				min(hit.bad_elba, ns->nr_lbas - 1) -
				hit.bad_slba + 1);
	*delay = hit.delay_ns;
	if (kind == NVMEV_FAULT_NONE && !hit.delay_ns)
		return kind;
	account(&ctrl->io_stats, kind, hit.delay_ns, now);
	if (ns)
		account(&ns->stats, kind, hit.delay_ns, now);
	if (kind == NVMEV_FAULT_NONE)
		return kind;
	req->op = op;
	if (!admin)
		req->ns = ns;
	req->status = kind == NVMEV_FAULT_ERROR ? hit.status : 0;
	req->abortable = hit.abortable;
	return kind;
}

/* ---- Worn media (models with a health op: conv) ---------------------- */

/* The lowest Available Spare of @ctrl's models, after @ns changed. */
static void wear_spare_update(struct nvmev_ctrl *ctrl)
{
	unsigned int i;
	u8 min = 100;

	for (i = 0; i < NVMEV_MAX_NS; i++)
		if (ctrl->ns[i] && ctrl->ns[i]->model_ops->health)
			min = min(min, ctrl->ns[i]->wear_spare);
	WRITE_ONCE(ctrl->wear_spare, min);
}

/*
 * @ns left @ctrl: its wear no longer counts there; disabled (on no
 * controller), its next model has none.
 */
void nvmev_fault_ns_detached(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns)
{
	lockdep_assert_held(&nvmev_cfg_lock);
	if (ns->worn_ctrl == ctrl) {	/* its SMART counted the wear-out */
		ctrl->nr_worn_ro--;
		ns->worn_ctrl = NULL;
	}
	if (!ns->nr_paths) {		/* disabled: the next model is new */
		if (ns->worn_ro) {
			WRITE_ONCE(ns->worn_ro, false);
			atomic_dec(&ns->armed);
		}
		ns->wear_spare = 100;
	}
	wear_spare_update(ctrl);
}

/*
 * The model of @ns reported @h: its spare goes to SMART, and once it is
 * read only the namespace refuses writes and the host is told.  Under the
 * dispatcher's lock (or on the dispatcher).
 */
static void wear_apply(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns,
		       const struct model_health *h)
{
	if (h->avail_spare != ns->wear_spare) {
		ns->wear_spare = h->avail_spare;
		wear_spare_update(ctrl);
	}
	if (!h->read_only || ns->worn_ro)
		return;
	pr_warn("%s/%u: the NAND wore out (%llu blocks retired): the namespace is read only\n",
		ctrl->name, ns->nsid, h->retired_blocks);
	WRITE_ONCE(ns->worn_ro, true);
	atomic_inc(&ns->armed);
	ctrl->nr_worn_ro++;
	ns->worn_ctrl = ctrl;
	if (ctrl->live)
		nvmev_ns_changed(ctrl, ns->nsid);
}

/*
 * After a successful parse of @req on a namespace whose model wears
 * (ftl/conv.h "Wear"): a read of data on a failing block may return an
 * Unrecovered Read Error (the model decides, seeded); a write may have
 * retired blocks: the spare it leaves goes to SMART, and when none is
 * left the namespace turns read only (later writes: 0x4020, NSATTR bit 0
 * and a Namespace Attribute Changed event; SMART's media read-only bit).
 * Returns the command's status.  On the dispatcher.
 */
u16 nvmev_fault_media(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		      const struct model_req *m)
{
	struct nvmev_ns *ns = req->ns;
	const struct model_ops *ops = ns->model_ops;
	struct model_health h;

	if (m->op == MODEL_READ)
		return ops->read_error && ops->read_error(ns->model, m) ?
		       NVMEV_ERR(NVME_SC_READ_ERROR) : NVME_SC_SUCCESS;
	if (m->op != MODEL_WRITE)
		return NVME_SC_SUCCESS;
	ops->health(ns->model, &h);
	wear_apply(ctrl, ns, &h);
	return NVME_SC_SUCCESS;
}

/*
 * Mark @nr erase units of @ns's NAND bad (configfs); how many were.  The
 * caller holds nvmev_cfg_lock and @ns is enabled with a model that can.
 */
int nvmev_fault_bad_blocks(struct nvmev_ns *ns, u32 nr)
{
	struct nvmev_ctrl *ctrl = ns->ctrl;
	struct model_health h;
	u32 done;

	nvmev_disp_lock(ctrl);
	done = ns->model_ops->inject_bad(ns->model, nr);
	ns->model_ops->health(ns->model, &h);
	wear_apply(ctrl, ns, &h);
	nvmev_disp_unlock(ctrl);
	return done;
}
