// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: the admin queue.
 *
 * The dispatcher fetches admin commands and runs them here, one at a time,
 * then posts the completion on the admin CQ.  Every field is checked; what
 * is not implemented is answered with Invalid Opcode or Invalid Field, and
 * never advertised.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/slab.h>

#include "nvmev.h"
#include "namespace.h"
#include "fdp.h"

static void pad_copy(char *dst, size_t n, const char *src)
{
	size_t l = strnlen(src, n);

	memcpy(dst, src, l);
	memset(dst + l, ' ', n - l);
}

/* Send @len bytes of @buf to the host buffer of the current command. */
static u16 to_host(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		   const void *buf, size_t len)
{
	return nvmev_dma_xfer(ctrl, &req->cmd, (void *)buf, len, true);
}

static u16 from_host(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		     void *buf, size_t len)
{
	return nvmev_dma_xfer(ctrl, &req->cmd, buf, len, false);
}

/* ---- Identify ---------------------------------------------------------- */

static void fill_id_ctrl(struct nvmev_ctrl *ctrl, struct nvme_id_ctrl *id)
{
	u64 unvmcap;

	id->vid = cpu_to_le16(NVMEV_PCI_VENDOR);
	id->ssvid = cpu_to_le16(NVMEV_PCI_VENDOR);
	pad_copy(id->sn, sizeof(id->sn), nvmev_serial(ctrl));
	pad_copy(id->mn, sizeof(id->mn), nvmev_model(ctrl));
	pad_copy(id->fr, sizeof(id->fr), nvmev_firmware(ctrl));
	id->mdts = NVMEV_MDTS;
	id->cntlid = cpu_to_le16(nvmev_cntlid(ctrl));
	/* a named subsystem: two or more ports, two or more controllers */
	if (ctrl->subsys)
		id->cmic = NVME_CTRL_CMIC_MULTI_PORT | NVME_CTRL_CMIC_MULTI_CTRL;
	id->ver = cpu_to_le32(NVME_VS(1, 4, 0));
	/*
	 * Endurance Groups (every namespace but a key-value one is its own)
	 * and the FDP capability, whether or not a group has FDP enabled
	 * (feature 1Dh tells, per group): both are capabilities.
	 */
	id->ctratt = cpu_to_le32(NVMEV_CTRATT_ENDGRPS | NVMEV_CTRATT_FDPS);
	put_unaligned_le16(NVMEV_MAX_NS, (u8 *)id + NVMEV_ID_CTRL_ENDGIDMAX);
	id->oacs = cpu_to_le16(NVME_CTRL_OACS_DIRECTIVES |
			       NVME_CTRL_OACS_NS_MNGT_SUPP);
	id->cntrltype = 1;		/* I/O controller */
	id->acl = 3;
	id->aerl = NVMEV_AERL;
	id->oaes = cpu_to_le32(NVME_AEN_CFG_NS_ATTR);	/* namespaces come and go */
	id->frmw = (1 << 1) | 1;	/* one slot, read only */
	id->lpa = NVME_CTRL_LPA_CMD_EFFECTS_LOG | (1 << 2);	/* + LPO */
	id->elpe = NVMEV_ELPE;
	id->wctemp = cpu_to_le16(NVMEV_WCTEMP);
	id->cctemp = cpu_to_le16(NVMEV_CCTEMP);
	/*
	 * Unallocated: the pool's free space, shared with every controller;
	 * total: this controller's namespaces plus that.
	 */
	unvmcap = nvmev_pool_free_bytes();
	put_unaligned_le64(nvmev_ctrl_capacity(ctrl) + unvmcap, id->tnvmcap);
	put_unaligned_le64(unvmcap, id->unvmcap);
	id->sqes = (NVME_NVM_IOSQES << 4) | NVME_NVM_IOSQES;
	id->cqes = (NVME_NVM_IOCQES << 4) | NVME_NVM_IOCQES;
	id->nn = cpu_to_le32(NVMEV_MAX_NS);
	id->oncs = cpu_to_le16(NVME_CTRL_ONCS_COMPARE | NVME_CTRL_ONCS_DSM |
			       NVME_CTRL_ONCS_WRITE_UNCORRECTABLE |
			       NVME_CTRL_ONCS_WRITE_ZEROES |
			       NVME_CTRL_ONCS_TIMESTAMP | NVME_CTRL_ONCS_VERIFY |
			       NVME_CTRL_ONCS_RESERVATIONS);
	/* present, and Flush with NSID FFFFFFFFh flushes every namespace */
	id->vwc = ctrl->vwc ? 0x1 | (0x3 << 1) : 0;
	id->nvscc = 1;
	nvmev_subnqn(ctrl, id->subnqn, sizeof(id->subnqn));
	id->psd[0].max_power = cpu_to_le16(2500);	/* 25 W */
	nvmev_ana_id_ctrl(ctrl, id);
}

void nvmev_fill_id_ns(struct nvmev_ns *ns, struct nvme_id_ns *id)
{
	id->nsze = cpu_to_le64(ns->nr_lbas);
	id->ncap = cpu_to_le64(ns->nr_lbas);
	id->nuse = cpu_to_le64(ns->nr_lbas);
	id->nlbaf = 0;
	id->flbas = 0;
	id->lbaf[0].ds = ns->lba_shift;
	/* deallocated blocks read as zeroes; Write Zeroes may deallocate */
	id->dlfeat = 0x1 | (1 << 3);
	/*
	 * A power cut never splits a 4 KiB unit on a 4 KiB boundary (power.c):
	 * NAWUN, NAWUPF and NABSN, NABSPF are valid (NSFEAT bit 1).
	 */
	if (ns->lba_shift < 12) {
		u16 unit = (1U << (12 - ns->lba_shift)) - 1;

		id->nsfeat |= 1 << 1;
		id->nawun = cpu_to_le16(unit);
		id->nawupf = cpu_to_le16(unit);
		id->nabsn = cpu_to_le16(unit);
		id->nabspf = cpu_to_le16(unit);
	}
	if (READ_ONCE(ns->write_protect) || READ_ONCE(ns->worn_ro) ||
	    READ_ONCE(ns->ctrl->media_ro))
		id->nsattr |= NVME_NS_ATTR_RO;	/* writes fail */
	id->endgid = cpu_to_le16(nvmev_ns_endgid(ns));
	if (ns->ctrl->subsys)	/* may be attached to several controllers */
		id->nmic = NVME_NS_NMIC_SHARED;
	id->anagrpid = cpu_to_le32(ns->anagrpid);
	/* reservation types 1 to 6 and IEKEY as of NVMe 1.3; no PTPL */
	id->rescap = 0xfe;
	memcpy(id->nguid, ns->nguid, sizeof(id->nguid));
	memcpy(id->eui64, ns->eui64, sizeof(id->eui64));
	put_unaligned_le64(ns->size, id->nvmcap);
}

static size_t fill_ns_descs(struct nvmev_ns *ns, u8 *buf)
{
	u8 *p = buf;

	p[0] = NVME_NIDT_EUI64;
	p[1] = NVME_NIDT_EUI64_LEN;
	memcpy(p + 4, ns->eui64, NVME_NIDT_EUI64_LEN);
	p += 4 + NVME_NIDT_EUI64_LEN;
	p[0] = NVME_NIDT_NGUID;
	p[1] = NVME_NIDT_NGUID_LEN;
	memcpy(p + 4, ns->nguid, NVME_NIDT_NGUID_LEN);
	p += 4 + NVME_NIDT_NGUID_LEN;
	p[0] = NVME_NIDT_UUID;
	p[1] = NVME_NIDT_UUID_LEN;
	memcpy(p + 4, ns->uuid, NVME_NIDT_UUID_LEN);
	p += 4 + NVME_NIDT_UUID_LEN;
	p[0] = NVME_NIDT_CSI;
	p[1] = NVME_NIDT_CSI_LEN;
	p[4] = ns->csi;
	p += 4 + 4;
	return p - buf;
}

static u16 ns_lookup(struct nvmev_ctrl *ctrl, u32 nsid, struct nvmev_ns **ns)
{
	if (nsid == 0 || nsid > NVMEV_MAX_NS)
		return NVMEV_ERR(NVME_SC_INVALID_NS);
	*ns = nvmev_ns_find(ctrl, nsid);	/* NULL: inactive */
	return NVME_SC_SUCCESS;
}

/*
 * CNS 00h: the namespace's Identify data; zeroes for an inactive one.
 * NSID FFFFFFFFh: what all namespaces share (Namespace Management): the
 * LBA format a created namespace can have, 512 bytes.
 */
static u16 id_ns(struct nvmev_ctrl *ctrl, u32 nsid, void *buf)
{
	struct nvmev_ns *ns;
	u16 st;

	if (nsid == NVME_NSID_ALL) {
		((struct nvme_id_ns *)buf)->lbaf[0].ds = 9;
		return NVME_SC_SUCCESS;
	}
	st = ns_lookup(ctrl, nsid, &ns);
	if (!st && ns && ns->csi == KV_CSI)	/* not an LBA namespace */
		return NVMEV_ERR(NVME_SC_INVALID_IO_CMD_SET);
	if (!st && ns)
		nvmev_fill_id_ns(ns, buf);
	return st;
}

/*
 * CNS 02h, and 07h for command set @csi (-1: any): active NSIDs above
 * @nsid, in order.
 */
static u16 id_active_list(struct nvmev_ctrl *ctrl, u32 nsid, int csi,
			  __le32 *list)
{
	unsigned int i, n = 0;

	if (nsid >= NVME_NSID_ALL - 1)
		return NVMEV_ERR(NVME_SC_INVALID_NS);
	if (csi >= 0 && csi != NVME_CSI_NVM && csi != NVME_CSI_ZNS &&
	    csi != KV_CSI)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	for (i = 0; i < NVMEV_MAX_NS; i++) {
		struct nvmev_ns *ns = nvmev_ns_find(ctrl, i + 1);

		if (ns && ns->nsid > nsid && (csi < 0 || ns->csi == csi))
			list[n++] = cpu_to_le32(ns->nsid);
	}
	return NVME_SC_SUCCESS;
}

/* CNS 03h: the namespace identification descriptors. */
static u16 id_ns_descs(struct nvmev_ctrl *ctrl, u32 nsid, void *buf)
{
	struct nvmev_ns *ns;
	u16 st = ns_lookup(ctrl, nsid, &ns);

	if (!st && !ns)
		return NVMEV_ERR(NVME_SC_INVALID_NS);
	if (!st)
		fill_ns_descs(ns, buf);
	return st;
}

/* CNS 05h: the namespace's data of I/O command set @csi. */
static u16 id_cs_ns(struct nvmev_ctrl *ctrl, u32 nsid, u8 csi, void *buf)
{
	struct nvmev_ns *ns;
	u16 st = ns_lookup(ctrl, nsid, &ns);

	if (st)
		return st;
	switch (csi) {
	case NVME_CSI_NVM:
		/* nothing beyond the defaults, for NVM and ZNS alike */
		if (ns && ns->csi == KV_CSI)
			return NVMEV_ERR(NVME_SC_INVALID_IO_CMD_SET);
		return NVME_SC_SUCCESS;
	case KV_CSI:
		if (ns && ns->csi != KV_CSI)
			return NVMEV_ERR(NVME_SC_INVALID_FIELD);
		if (ns)
			nvmev_kv_id_ns(ns, buf);
		return NVME_SC_SUCCESS;
	case NVME_CSI_ZNS:
		if (ns && ns->csi != NVME_CSI_ZNS)
			return NVMEV_ERR(NVME_SC_INVALID_FIELD);
		if (ns)
			nvmev_zns_id_ns(ns, buf);
		return NVME_SC_SUCCESS;
	default:
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	}
}

/* CNS 06h: the controller's data of I/O command set @csi. */
static u16 id_cs_ctrl(struct nvmev_ctrl *ctrl, u8 csi, void *buf)
{
	if (csi == NVME_CSI_ZNS)
		nvmev_zns_id_ctrl(ctrl, buf);
	else if (csi == KV_CSI)
		nvmev_kv_id_ctrl(buf);
	else if (csi != NVME_CSI_NVM)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	/* NVM: all limits zero, none beyond MDTS */
	return NVME_SC_SUCCESS;
}

/*
 * CNS 1Ch: one combination of I/O command sets, index 0: NVM, Key Value
 * and Zoned.  CNTID 0 is taken as this controller (tools send it), as no
 * controller of this subsystem has ID 0.
 */
static u16 id_iocs(struct nvmev_ctrl *ctrl, u16 cntid, void *buf)
{
	if (cntid && cntid != ctrl->id + 1)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	put_unaligned_le64(NVMEV_IOCS_VECTOR, buf);
	return NVME_SC_SUCCESS;
}

/* CNS 08h: the I/O command set independent namespace data. */
static u16 id_cs_indep(struct nvmev_ctrl *ctrl, u32 nsid, void *buf)
{
	struct nvmev_ns *ns;
	u16 st = ns_lookup(ctrl, nsid, &ns);

	if (!st && ns)
		((struct nvme_id_ns_cs_indep *)buf)->nstat = 1;
	return st;
}

static u16 admin_identify(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	struct nvme_identify *c = &req->cmd.identify;
	u32 nsid = le32_to_cpu(c->nsid);
	void *buf;
	u16 st;

	/* allocated namespaces, controller lists: completed later */
	if (c->cns >= NVME_ID_CNS_NS_PRESENT_LIST &&
	    c->cns <= NVME_ID_CNS_CTRL_LIST)
		return nvmev_nsm_identify(ctrl, req);
	buf = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	if (!buf)
		return NVME_SC_INTERNAL;

	switch (c->cns) {
	case NVME_ID_CNS_NS:
		st = id_ns(ctrl, nsid, buf);
		break;
	case NVME_ID_CNS_CTRL:
		fill_id_ctrl(ctrl, buf);
		st = NVME_SC_SUCCESS;
		break;
	case NVME_ID_CNS_NS_ACTIVE_LIST:
		st = id_active_list(ctrl, nsid, -1, buf);
		break;
	case NVME_ID_CNS_NS_DESC_LIST:
		st = id_ns_descs(ctrl, nsid, buf);
		break;
	case NVME_ID_CNS_CS_NS:
		st = id_cs_ns(ctrl, nsid, c->csi, buf);
		break;
	case NVME_ID_CNS_CS_CTRL:
		st = id_cs_ctrl(ctrl, c->csi, buf);
		break;
	case NVMEV_ID_CNS_CS_NS_ACTIVE_LIST:
		st = id_active_list(ctrl, nsid, c->csi, buf);
		break;
	case NVMEV_ID_CNS_IOCS:
		st = id_iocs(ctrl, le16_to_cpu(c->ctrlid), buf);
		break;
	case NVME_ID_CNS_NS_CS_INDEP:
		st = id_cs_indep(ctrl, nsid, buf);
		break;
	case NVMEV_ID_CNS_ENDGRP_LIST:	/* CNS Specific Identifier: CDW11 */
		st = nvmev_endgrp_list(ctrl,
				       le32_to_cpu(req->cmd.common.cdw11), buf);
		break;
	default:
		st = NVMEV_ERR(NVME_SC_INVALID_FIELD);
		break;
	}
	if (!st)
		st = to_host(ctrl, req, buf, NVME_IDENTIFY_DATA_SIZE);
	kfree(buf);
	return st;
}

/* ---- Log pages --------------------------------------------------------- */

static void put_le128(u8 *dst, u64 v)
{
	put_unaligned_le64(v, dst);
	put_unaligned_le64(0, dst + 8);
}

/* SMART Critical Warning: the health configfs sets, against thresholds */
u8 nvmev_crit_warning(struct nvmev_ctrl *ctrl)
{
	int temp = READ_ONCE(ctrl->temp_kelvin);
	u8 w = 0;

	if (temp >= ctrl->feat.temp_over || temp < ctrl->feat.temp_under)
		w |= NVME_SMART_CRIT_TEMPERATURE;
	if (min(READ_ONCE(ctrl->avail_spare), READ_ONCE(ctrl->wear_spare)) <
	    NVMEV_SPARE_THRESH)
		w |= NVME_SMART_CRIT_SPARE;
	if (READ_ONCE(ctrl->degraded))
		w |= NVME_SMART_CRIT_RELIABILITY;
	if (READ_ONCE(ctrl->media_ro) || READ_ONCE(ctrl->nr_worn_ro))
		w |= NVME_SMART_CRIT_MEDIA;
	return w;
}

/* SMART Percentage Used: the most worn model's, at most 255 */
static u8 wear_percent_used(struct nvmev_ctrl *ctrl)
{
	struct model_health h;
	u32 used = 0;
	unsigned int i;

	for (i = 0; i < NVMEV_MAX_NS; i++) {
		struct nvmev_ns *ns = ctrl->ns[i];

		if (ns && ns->model_ops->health) {
			ns->model_ops->health(ns->model, &h);
			used = max(used, h.percent_used);
		}
	}
	return min(used, 255U);
}

static void fill_smart(struct nvmev_ctrl *ctrl, struct nvme_smart_log *s)
{
	struct nvmev_superblock *sb = ctrl->sb;
	u64 secs = le64_to_cpu(sb->power_on_secs) +
		   div_u64(nvmev_now() - ctrl->loaded_ns, NSEC_PER_SEC);

	s->critical_warning = nvmev_crit_warning(ctrl);
	put_unaligned_le16(READ_ONCE(ctrl->temp_kelvin), s->temperature);
	s->avail_spare = min(READ_ONCE(ctrl->avail_spare),
			     READ_ONCE(ctrl->wear_spare));
	s->spare_thresh = NVMEV_SPARE_THRESH;
	s->percent_used = wear_percent_used(ctrl);
	/* thousands of 512-byte units, rounded up */
	put_le128(s->data_units_read,
		  div_u64(atomic64_read(&ctrl->stats.units_read) + 999, 1000));
	put_le128(s->data_units_written,
		  div_u64(atomic64_read(&ctrl->stats.units_written) + 999, 1000));
	put_le128(s->host_reads, atomic64_read(&ctrl->stats.host_reads));
	put_le128(s->host_writes, atomic64_read(&ctrl->stats.host_writes));
	put_le128(s->power_cycles, le64_to_cpu(sb->power_cycles));
	put_le128(s->power_on_hours, div_u64(secs, 3600));
	put_le128(s->unsafe_shutdowns, le64_to_cpu(sb->unsafe_shutdowns));
	put_le128(s->media_errors, ctrl->media_errors);
	put_le128(s->num_err_log_entries, ctrl->err_count);
}

/*
 * OCP Datacenter NVMe SSD SMART / Health Information Extended (log C0h):
 * physical media units (bytes) read and written, so standard tools show
 * NAND traffic and write amplification.  Counters this device does not
 * have (bad blocks, PCIe errors, ...) are zero, which is the truth here.
 */
#define OCP_C0_LOG_SIZE		512
#define OCP_C0_PMUW		0
#define OCP_C0_PMUR		16
#define OCP_C0_LPV		494
#define OCP_C0_LPG		496
#define OCP_C0_VERSION		3

static const u8 ocp_c0_guid[16] = {
	0xc5, 0xaf, 0x10, 0x28, 0xea, 0xbf, 0xf2, 0xa4,
	0x9c, 0x4f, 0x6f, 0x7c, 0xc9, 0x14, 0xd5, 0xaf,
};

static void fill_ocp_c0(struct nvmev_ctrl *ctrl, u8 *log)
{
	struct model_stats st;
	u64 wr = 0, rd = 0;
	unsigned int i;

	for (i = 0; i < NVMEV_MAX_NS; i++) {
		if (!ctrl->ns[i])
			continue;
		nvmev_ns_media_stats(ctrl->ns[i], &st);
		wr += st.media_write_bytes;
		rd += st.media_read_bytes;
	}
	put_le128(log + OCP_C0_PMUW, wr);
	put_le128(log + OCP_C0_PMUR, rd);
	put_unaligned_le16(OCP_C0_VERSION, log + OCP_C0_LPV);
	memcpy(log + OCP_C0_LPG, ocp_c0_guid, sizeof(ocp_c0_guid));
}

static void fill_effects(struct nvme_effects_log *e, u8 csi)
{
	nvmev_cmd_set_effects(&nvmev_admin_cmds, e->acs);
	switch (csi) {
	case NVME_CSI_ZNS:
		nvmev_cmd_set_effects(&nvmev_zns_cmds, e->iocs);
		break;
	case KV_CSI:
		nvmev_cmd_set_effects(&nvmev_kv_cmds, e->iocs);
		break;
	default:
		nvmev_cmd_set_effects(&nvmev_nvm_cmds, e->iocs);
		break;
	}
}

#define OCP_C0_LID		0xc0

static bool log_known(u8 lid)
{
	return lid == NVME_LOG_ERROR || lid == NVME_LOG_SMART ||
	       lid == NVME_LOG_FW_SLOT || lid == NVME_LOG_CHANGED_NS ||
	       lid == NVME_LOG_CMD_EFFECTS || lid == OCP_C0_LID ||
	       lid == NVME_LOG_ENDURANCE_GROUP || lid == NVME_LOG_ANA ||
	       (lid >= NVMEV_LOG_FDP_CONFIGS && lid <= NVMEV_LOG_FDP_EVENTS);
}

/* Log 01h, newest first; read without RAE, error events are unmasked. */
static size_t log_error(struct nvmev_ctrl *ctrl, bool rae,
			struct nvme_error_slot *e)
{
	unsigned int i, n = min_t(u64, ctrl->err_count, NVMEV_ELPE + 1);

	spin_lock_irq(&ctrl->errlog_lock);
	for (i = 0; i < n; i++)
		e[i] = ctrl->errlog[(ctrl->err_count - 1 - i) % (NVMEV_ELPE + 1)];
	spin_unlock_irq(&ctrl->errlog_lock);
	if (!rae) {
		spin_lock_irq(&ctrl->aen_lock);
		ctrl->aen_error_masked = false;
		spin_unlock_irq(&ctrl->aen_lock);
	}
	return sizeof(ctrl->errlog);
}

/* Log 04h; read without RAE, it is cleared and its event unmasked. */
static size_t log_changed_ns(struct nvmev_ctrl *ctrl, bool rae,
			     __le32 *list)
{
	unsigned long flags;
	unsigned int bit, n = 0;

	spin_lock_irqsave(&ctrl->aen_lock, flags);
	for_each_set_bit(bit, ctrl->changed_ns, NVMEV_MAX_NS + 1)
		list[n++] = cpu_to_le32(bit);
	if (!rae) {
		bitmap_zero(ctrl->changed_ns, NVMEV_MAX_NS + 1);
		ctrl->aen_masked = false;
	}
	spin_unlock_irqrestore(&ctrl->aen_lock, flags);
	return NVME_MAX_CHANGED_NAMESPACES * sizeof(__le32);
}

static size_t log_fw_slot(struct nvmev_ctrl *ctrl,
			  struct nvme_fw_slot_info_log *fw)
{
	fw->afi = 1;
	pad_copy((char *)&fw->frs[0], sizeof(fw->frs[0]), nvmev_firmware(ctrl));
	return sizeof(*fw);
}

/* The whole of log page @c->lid into @log; *@size: its length. */
static u16 log_fill(struct nvmev_ctrl *ctrl,
		    const struct nvme_get_log_page_command *c, void *log,
		    size_t *size)
{
	/* Log Specific Identifier: CDW11 bits 31:16 */
	u16 lsi = le32_to_cpu(((const struct nvme_command *)c)->common.cdw11) >> 16;
	u32 nsid = le32_to_cpu(c->nsid);
	bool rae = c->lsp & 0x80;	/* CDW10 bit 15: Retain Async. Event */

	switch (c->lid) {
	case NVME_LOG_ERROR:
		*size = log_error(ctrl, rae, log);
		return NVME_SC_SUCCESS;
	case NVME_LOG_SMART:
		if (nsid != 0 && nsid != NVME_NSID_ALL)
			return NVMEV_ERR(NVME_SC_INVALID_FIELD); /* LPA bit 0 = 0 */
		*size = sizeof(struct nvme_smart_log);
		fill_smart(ctrl, log);
		if (!rae) {	/* the SMART / Health event is unmasked */
			spin_lock_irq(&ctrl->aen_lock);
			ctrl->smart_masked = false;
			ctrl->crit_sent = ((struct nvme_smart_log *)log)->critical_warning;
			spin_unlock_irq(&ctrl->aen_lock);
		}
		return NVME_SC_SUCCESS;
	case NVME_LOG_FW_SLOT:
		*size = log_fw_slot(ctrl, log);
		return NVME_SC_SUCCESS;
	case NVME_LOG_CHANGED_NS:
		*size = log_changed_ns(ctrl, rae, log);
		return NVME_SC_SUCCESS;
	case NVME_LOG_CMD_EFFECTS:
		*size = sizeof(struct nvme_effects_log);
		fill_effects(log, c->csi);
		return NVME_SC_SUCCESS;
	case NVME_LOG_ENDURANCE_GROUP:
		return nvmev_endgrp_log(ctrl, lsi, log, size);
	case NVME_LOG_ANA:
		*size = nvmev_ana_log(ctrl, c->lsp & 0x7f, rae, log);
		return NVME_SC_SUCCESS;
	case NVMEV_LOG_FDP_CONFIGS:
	case NVMEV_LOG_FDP_RUH_USAGE:
	case NVMEV_LOG_FDP_STATS:
	case NVMEV_LOG_FDP_EVENTS:
		return nvmev_fdp_log(ctrl, c->lid, c->lsp & 0x7f, lsi, log,
				     size);
	case OCP_C0_LID:	/* vendor specific: OCP SMART extended */
		if (nsid != 0 && nsid != NVME_NSID_ALL)
			return NVMEV_ERR(NVME_SC_INVALID_FIELD);
		*size = OCP_C0_LOG_SIZE;
		fill_ocp_c0(ctrl, log);
		return NVME_SC_SUCCESS;
	default:
		return NVMEV_ERR(NVME_SC_INVALID_LOG_PAGE);
	}
}

static u16 admin_get_log_page(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	struct nvme_get_log_page_command *c = &req->cmd.get_log_page;
	u64 len = (((u64)le16_to_cpu(c->numdu) << 16 | le16_to_cpu(c->numdl)) + 1) * 4;
	u64 off = le64_to_cpu(c->lpo);
	size_t size;
	void *log, *buf;
	u16 st;

	if (len > NVMEV_MAX_XFER || (off & 3))
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);

	/* of the log pages here only the effects differ by command set */
	if (c->csi != NVME_CSI_NVM &&
	    (c->lid != NVME_LOG_CMD_EFFECTS ||
	     (c->csi != NVME_CSI_ZNS && c->csi != KV_CSI)))
		return NVMEV_ERR(log_known(c->lid) ? NVME_SC_INVALID_FIELD :
						     NVME_SC_INVALID_LOG_PAGE);

	log = kzalloc(sizeof(struct nvme_effects_log), GFP_KERNEL);
	if (!log)
		return NVME_SC_INTERNAL;
	st = log_fill(ctrl, c, log, &size);
	if (!st && off >= size)
		st = NVMEV_ERR(NVME_SC_INVALID_FIELD);
	if (st)
		goto out;
	buf = kzalloc(len, GFP_KERNEL);
	if (!buf) {
		st = NVME_SC_INTERNAL;
		goto out;
	}
	memcpy(buf, log + off, min_t(u64, len, size - off));
	st = to_host(ctrl, req, buf, len);
	kfree(buf);
out:
	kfree(log);
	return st;
}

/* ---- Features ---------------------------------------------------------- */

static u64 timestamp_ms(struct nvmev_ctrl *ctrl)
{
	struct nvmev_features *f = &ctrl->feat;
	u64 base = f->timestamp_set ? f->timestamp_base_ms : 0;

	return base + div_u64(nvmev_now() - f->timestamp_set_ns, NSEC_PER_MSEC);
}

/* The Timestamp feature's data now: ms, and origin 1 once the host set it */
u64 nvmev_timestamp(struct nvmev_ctrl *ctrl)
{
	return (timestamp_ms(ctrl) & GENMASK_ULL(47, 0)) |
	       ((u64)(ctrl->feat.timestamp_set ? 1 << 1 : 0) << 48);
}

static u16 feat_temp(struct nvmev_ctrl *ctrl, u32 dw11, bool set, u64 *res)
{
	u32 tmpsel = (dw11 >> 16) & 0xf, thsel = (dw11 >> 20) & 0x3;
	u16 *th;

	/* Only the composite temperature exists (no sensors reported). */
	if (tmpsel != 0 || thsel > 1)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	th = thsel ? &ctrl->feat.temp_under : &ctrl->feat.temp_over;
	if (set)
		*th = dw11 & 0xffff;
	*res = *th;
	return NVME_SC_SUCCESS;
}

static u16 feat_num_queues(struct nvmev_ctrl *ctrl, u32 dw11, bool set,
			   u64 *res)
{
	u32 nsq = dw11 & 0xffff, ncq = dw11 >> 16;
	unsigned int i;

	if (!set) {
		*res = ctrl->feat.nr_queues;
		return NVME_SC_SUCCESS;
	}
	if (nsq == 0xffff || ncq == 0xffff)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	for (i = 1; i <= NVMEV_MAX_IOQ; i++) {
		if (ctrl->sqs[i] || ctrl->cqs[i])
			return NVMEV_ERR(NVME_SC_CMD_SEQ_ERROR);
	}
	/*
	 * Grant every queue we have, whatever was asked (the spec allows
	 * more than requested); the host uses what it needs.
	 */
	ctrl->feat.nr_queues = ((NVMEV_MAX_IOQ - 1) << 16) | (NVMEV_MAX_IOQ - 1);
	*res = ctrl->feat.nr_queues;
	return NVME_SC_SUCCESS;
}

static u16 feat_irq_config(struct nvmev_ctrl *ctrl, u32 dw11, bool set,
			   u64 *res)
{
	u32 iv = dw11 & 0xffff;

	if (iv >= NVMEV_NR_VECTORS)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	if (set)
		ctrl->feat.irq_config[iv] = dw11 & 0x1ffff;
	*res = ctrl->feat.irq_config[iv] | iv;
	return NVME_SC_SUCCESS;
}

static u16 feat_timestamp(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			  bool set)
{
	struct nvmev_features *f = &ctrl->feat;
	__le64 ts;
	u16 st;

	if (set) {
		st = from_host(ctrl, req, &ts, sizeof(ts));
		if (st)
			return st;
		f->timestamp_base_ms = le64_to_cpu(ts) & GENMASK_ULL(47, 0);
		f->timestamp_set_ns = nvmev_now();
		f->timestamp_set = true;
		return NVME_SC_SUCCESS;
	}
	ts = cpu_to_le64(nvmev_timestamp(ctrl));
	return to_host(ctrl, req, &ts, sizeof(ts));
}

static u16 admin_features(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			  bool set)
{
	struct nvmev_features *f = &ctrl->feat;
	u32 dw10 = le32_to_cpu(req->cmd.common.cdw10);
	u32 dw11 = le32_to_cpu(req->cmd.common.cdw11);
	u8 fid = dw10 & 0xff;
	u64 *res = &req->result;

	/* FDP is never changed: say why first, whatever SV asks */
	if (fid == NVMEV_FEAT_FDP)
		return nvmev_fdp_feature(ctrl, req, set);
	if (set && (dw10 & (1U << 31)))
		return NVMEV_ERR(NVME_SC_FEATURE_NOT_SAVEABLE);
	/* SEL is reserved: ONCS does not offer saved/default selection */

	switch (fid) {
	case NVME_FEAT_ARBITRATION:
		if (set)
			f->arbitration = dw11 & 0xffffff07;
		*res = f->arbitration;
		return NVME_SC_SUCCESS;
	case NVME_FEAT_POWER_MGMT:
		if (set && (dw11 & 0x1f))	/* only power state 0 */
			return NVMEV_ERR(NVME_SC_INVALID_FIELD);
		*res = 0;
		return NVME_SC_SUCCESS;
	case NVME_FEAT_TEMP_THRESH:
		return feat_temp(ctrl, dw11, set, res);
	case NVME_FEAT_ERR_RECOVERY:
		if (set && (dw11 & (1 << 16)))	/* DULBE not supported */
			return NVMEV_ERR(NVME_SC_INVALID_FIELD);
		if (set)
			f->err_recovery = dw11 & 0xffff;
		*res = f->err_recovery;
		return NVME_SC_SUCCESS;
	case NVME_FEAT_NUM_QUEUES:
		return feat_num_queues(ctrl, dw11, set, res);
	case NVME_FEAT_IRQ_COALESCE:
		/* Maximums the controller may wait; we signal once per batch. */
		if (set)
			f->irq_coalesce = dw11 & 0xffff;
		*res = f->irq_coalesce;
		return NVME_SC_SUCCESS;
	case NVME_FEAT_IRQ_CONFIG:
		return feat_irq_config(ctrl, dw11, set, res);
	case NVME_FEAT_WRITE_ATOMIC:
		if (set)
			f->write_atomicity = dw11 & 1;
		*res = f->write_atomicity;
		return NVME_SC_SUCCESS;
	case NVME_FEAT_ASYNC_EVENT:
		/* SMART / Health critical warnings, namespace attribute and ANA notices */
		if (set && (dw11 & ~(0xffU | NVME_AEN_CFG_NS_ATTR |
				     NVME_AEN_CFG_ANA_CHANGE)))
			return NVMEV_ERR(NVME_SC_INVALID_FIELD);
		if (set)
			f->async_event = dw11;
		*res = f->async_event;
		return NVME_SC_SUCCESS;
	case NVME_FEAT_TIMESTAMP:
		return feat_timestamp(ctrl, req, set);
	case NVMEV_FEAT_IOCS_PROFILE:
		/* the one combination of Identify CNS 1Ch: index 0 */
		if (set && (dw11 & 0x1ff))
			return NVMEV_ERR(NVMEV_SC_IOCS_COMBINATION_REJECTED);
		*res = 0;
		return NVME_SC_SUCCESS;
	case NVMEV_FEAT_FDP_EVENTS:
		return nvmev_fdp_feature(ctrl, req, set);
	case NVME_FEAT_HOST_ID:
		return nvmev_resv_hostid_feature(ctrl, req, set);
	case NVME_FEAT_VOLATILE_WC:
		/* Invalid Field when no volatile write cache is present */
		if (!ctrl->vwc || (set && (dw11 & ~1U)))
			return NVMEV_ERR(NVME_SC_INVALID_FIELD);
		if (set)
			f->wce = dw11 & 1;
		*res = f->wce;
		return NVME_SC_SUCCESS;
	default:
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	}
}

/* ---- Dispatch ---------------------------------------------------------- */

static u16 admin_set_features(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	return admin_features(ctrl, req, true);
}

static u16 admin_get_features(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	return admin_features(ctrl, req, false);
}

static u16 admin_create_cq(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	return nvmev_create_cq(ctrl, &req->cmd.create_cq);
}

static u16 admin_create_sq(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	return nvmev_create_sq(ctrl, &req->cmd.create_sq);
}

static u16 admin_delete_sq(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	return nvmev_delete_sq(ctrl, req);
}

static u16 admin_delete_cq(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	return nvmev_delete_cq(ctrl, le16_to_cpu(req->cmd.delete_queue.qid));
}

/*
 * Only a command lost by fault injection (with "abortable") is found and
 * aborted; any other has completed or is about to, as the spec allows.
 * Dword 0 bit 0: 1 = not aborted.
 */
static u16 admin_abort(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	u32 dw10 = le32_to_cpu(req->cmd.common.cdw10);

	req->result = !nvmev_io_abort_lost(ctrl, dw10 & 0xffff, dw10 >> 16);
	return NVME_SC_SUCCESS;
}

/* Held until an event (nvmev_ns_changed, a doorbell error) or a reset. */
static u16 admin_async_event(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	if (ctrl->nr_aers > NVMEV_AERL)
		return NVMEV_ERR(NVME_SC_ASYNC_LIMIT);
	ctrl->aer_cids[ctrl->nr_aers++] = req->cmd.common.command_id;
	req->hold = true;
	return NVME_SC_SUCCESS;
}

#define ADMIN_OP(opc, fn)	NVMEV_OP(opc, NVMEV_OP_OTHER, 0, 0, NULL, fn)

static const struct nvmev_op admin_ops[] = {
	ADMIN_OP(nvme_admin_delete_sq, admin_delete_sq),
	ADMIN_OP(nvme_admin_create_sq, admin_create_sq),
	ADMIN_OP(nvme_admin_get_log_page, admin_get_log_page),
	ADMIN_OP(nvme_admin_delete_cq, admin_delete_cq),
	ADMIN_OP(nvme_admin_create_cq, admin_create_cq),
	ADMIN_OP(nvme_admin_identify, admin_identify),
	ADMIN_OP(nvme_admin_abort_cmd, admin_abort),
	ADMIN_OP(nvme_admin_set_features, admin_set_features),
	ADMIN_OP(nvme_admin_get_features, admin_get_features),
	ADMIN_OP(nvme_admin_async_event, admin_async_event),
	ADMIN_OP(nvme_admin_directive_send, nvmev_directive_send),
	ADMIN_OP(nvme_admin_directive_recv, nvmev_directive_recv),
	/* namespaces come and go, and change capacity (nsmgmt.c) */
	NVMEV_OP(nvme_admin_ns_mgmt, NVMEV_OP_OTHER, 0,
		 NVME_CMD_EFFECTS_NIC | NVME_CMD_EFFECTS_NCC, NULL,
		 nvmev_ns_mgmt),
	NVMEV_OP(nvme_admin_ns_attach, NVMEV_OP_OTHER, 0,
		 NVME_CMD_EFFECTS_NIC | NVME_CMD_EFFECTS_NCC, NULL,
		 nvmev_ns_attachment),
};

const struct nvmev_cmd_set nvmev_admin_cmds = {
	.ops = admin_ops,
	.nr_ops = ARRAY_SIZE(admin_ops),
};

static u16 admin_execute(struct nvmev_ctrl *ctrl, struct nvmev_req *req)
{
	struct nvme_command *cmd = &req->cmd;

	if (cmd->common.flags & (NVME_CMD_FUSE_FIRST | NVME_CMD_FUSE_SECOND))
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);	/* FUSES = 0 */
	req->op = nvmev_op_find(&nvmev_admin_cmds, cmd->common.opcode);
	if (!req->op)
		return NVMEV_ERR(NVME_SC_INVALID_OPCODE);
	return req->op->execute(ctrl, req);
}

void nvmev_admin_reset(struct nvmev_ctrl *ctrl)
{
	unsigned long flags;

	ctrl->nr_aers = 0;
	spin_lock_irqsave(&ctrl->aen_lock, flags);
	ctrl->smart_masked = false;
	ctrl->crit_sent = 0;
	ctrl->aen_error_pending = false;
	ctrl->aen_error_masked = false;
	spin_unlock_irqrestore(&ctrl->aen_lock, flags);
}

/*
 * A doorbell error: an Error status event, kept until an AER takes it.
 * One waits at a time, and after one is sent no other is until the host
 * reads the Error Information log (as the spec masks an event type).
 * Called from any thread.
 */
void nvmev_async_error(struct nvmev_ctrl *ctrl, u8 info, const char *what,
		       u32 qid, u32 value)
{
	unsigned long flags;

	pr_warn_ratelimited("%s: %s (queue %u, value %u)\n", ctrl->name, what,
			    qid, value);
	spin_lock_irqsave(&ctrl->aen_lock, flags);
	if (!ctrl->aen_error_pending && !ctrl->aen_error_masked) {
		ctrl->aen_error_pending = true;
		ctrl->aen_error_info = info;
	}
	spin_unlock_irqrestore(&ctrl->aen_lock, flags);
}

/*
 * A namespace was attached or detached: note it for the Changed Namespace
 * List log page and send a Namespace Attribute Changed event.
 */
void nvmev_ns_changed(struct nvmev_ctrl *ctrl, u32 nsid)
{
	unsigned long flags;

	spin_lock_irqsave(&ctrl->aen_lock, flags);
	set_bit(nsid, ctrl->changed_ns);
	ctrl->aen_pending = true;
	spin_unlock_irqrestore(&ctrl->aen_lock, flags);
}

/* The next event to send: true and its AER dword 0 if there is one. */
static bool take_event(struct nvmev_ctrl *ctrl, u32 *dw0)
{
	bool send = false;
	u8 warn;
	unsigned long flags;

	spin_lock_irqsave(&ctrl->aen_lock, flags);
	warn = nvmev_crit_warning(ctrl) & ~ctrl->crit_sent &
	       ctrl->feat.async_event & 0xff;
	if (ctrl->aen_error_pending) {
		/* error events cannot be disabled (Feature 0Bh) */
		ctrl->aen_error_pending = false;
		ctrl->aen_error_masked = true;	/* until log 01h is read */
		*dw0 = NVME_AER_ERROR | (ctrl->aen_error_info << 8) |
		       (NVME_LOG_ERROR << 16);
		send = true;
	} else if (ctrl->aen_pending && !ctrl->aen_masked &&
		   (ctrl->feat.async_event & NVME_AEN_CFG_NS_ATTR)) {
		ctrl->aen_pending = false;
		ctrl->aen_masked = true;	/* until the host reads log 04h */
		*dw0 = NVME_AER_NOTICE | (NVME_AER_NOTICE_NS_CHANGED << 8) |
		       (NVME_LOG_CHANGED_NS << 16);
		send = true;
	} else if (nvmev_ana_take_event(ctrl, dw0)) {
		send = true;
	} else if (warn && !ctrl->smart_masked) {
		u8 info = warn & NVME_SMART_CRIT_TEMPERATURE ? 1 :
			  warn & NVME_SMART_CRIT_SPARE ? 2 : 0;

		ctrl->smart_masked = true;	/* until the host reads log 02h */
		ctrl->crit_sent |= warn;
		*dw0 = NVME_AER_SMART | (info << 8) | (NVME_LOG_SMART << 16);
		send = true;
	}
	spin_unlock_irqrestore(&ctrl->aen_lock, flags);
	return send;
}

/* Complete an outstanding AER with a pending event, if the host wants it. */
static bool post_event(struct nvmev_ctrl *ctrl)
{
	struct nvmev_cq *cq = ctrl->cqs[0];
	u32 dw0;

	if ((!READ_ONCE(ctrl->aen_pending) &&
	     !READ_ONCE(ctrl->aen_error_pending) &&
	     !READ_ONCE(ctrl->aen_ana_pending) &&
	     (READ_ONCE(ctrl->smart_masked) ||
	      !(nvmev_crit_warning(ctrl) & ~READ_ONCE(ctrl->crit_sent) &
		ctrl->feat.async_event & 0xff))) ||
	    !ctrl->nr_aers || nvmev_cq_full(cq, ctrl))
		return false;
	if (!take_event(ctrl, &dw0))
		return false;
	nvmev_post_cqe(ctrl, cq, 0, ctrl->sqs[0]->head,
		       ctrl->aer_cids[--ctrl->nr_aers], NVME_SC_SUCCESS, dw0);
	nvmev_signal_irq(ctrl, 0);
	return true;
}

bool nvmev_admin_poll(struct nvmev_ctrl *ctrl)
{
	struct nvmev_sq *sq = ctrl->sqs[0];
	struct nvmev_cq *cq = ctrl->cqs[0];
	bool posted = false;
	u32 tail;

	nvmev_scan_doorbells(ctrl);
	posted = post_event(ctrl);
	posted |= nvmev_sq_deletes_poll(ctrl);
	posted |= nvmev_nsm_poll(ctrl);
	if (posted)
		return true;
	if (nvmev_nsm_busy(ctrl))	/* one admin command at a time there */
		return false;
	if (!nvmev_sq_tail(ctrl, sq, &tail))
		return false;

	while (sq->head != tail && ctrl->ready) {
		struct nvmev_req req = { .ctrl = ctrl };
		struct nvme_command *cmd = &req.cmd;
		int fault;
		u64 delay;
		u16 st;

		if (nvmev_cq_full(cq, ctrl))
			break;
		nvmev_sq_fetch(sq, cmd);
		fault = NVMEV_FAULT_NONE;
		if (unlikely(atomic_read(&ctrl->faults_armed)))
			fault = nvmev_fault_cmd(ctrl, &req, true, nvmev_now(),
						&delay);
		st = fault == NVMEV_FAULT_NONE ? admin_execute(ctrl, &req) :
						 req.status;
		atomic64_inc(&ctrl->admin_cmds);
		if (nvmev_nsm_busy(ctrl))
			break;		/* the rest waits for it */
		if (req.hold || fault == NVMEV_FAULT_LOSE)
			continue;
		if (st) {
			atomic64_inc(&ctrl->admin_errors);
			nvmev_log_error(ctrl, 0, cmd->common.command_id, st,
					le32_to_cpu(cmd->common.nsid), 0);
		}
		nvmev_post_cqe(ctrl, cq, 0, sq->head, cmd->common.command_id,
			       st, req.result);
		posted = true;
	}
	if (posted)
		nvmev_signal_irq(ctrl, 0);
	return true;
}
