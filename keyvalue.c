// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: namespaces of the Key Value command set (type kv, CSI 01h).
 *
 * The store is ftl/kv.c, kept entirely in the namespace's storage, so it
 * survives a reload of nvmev0.  This file decodes the KV commands (Store,
 * Retrieve, List, Delete, Exist, and Flush), moves values between host
 * memory and the store, fills the KV Identify structures, and times each
 * command as an index lookup followed by the value's transfer on the NVM
 * model.  Commands run to the end on the dispatcher, the only thread that
 * touches a namespace's store while it is enabled, so a Store is never
 * seen half done.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>

#include "nvmev.h"
#include "namespace.h"

/* KV Identify Namespace (CNS 05h, CSI 01h): byte offsets, see ftl/kv.h */
#define KV_ID_NSZE		0
#define KV_ID_NUSE		16
#define KV_ID_NKVF		25
#define KV_ID_NOVG		32
#define KV_ID_NGUID		48
#define KV_ID_EUI64		64
#define KV_ID_FMT0		72
#define KV_FMT_KVKML		0
#define KV_FMT_KVVML		4
#define KV_FMT_KVMNK		8
/* KV Identify Controller (CNS 06h, CSI 01h): the version, 1.0 */
#define KV_ID_CTRL_VER		NVME_VS(1, 0, 0)

static u16 kv_err(enum kv_status st)
{
	return st == KV_OK ? NVME_SC_SUCCESS : NVMEV_ERR((u16)st);
}

static int kv_check(struct nvmev_ns *ns, u64 size)
{
	const char *why = kv_check_params(&ns->cfg.kv.store, size);

	if (why) {
		pr_err("%s/%u: %s\n", ns->ctrl->name, ns->nsid, why);
		return -EINVAL;
	}
	return 0;
}

/*
 * Open the store in the storage of @ns: the one kept from the last load,
 * or a new one.  A kept region that holds a damaged store is not wiped
 * unasked.
 */
static int kv_start(struct nvmev_ns *ns, bool kept)
{
	const char *why = NULL;
	int ret;

	ns->kv = kzalloc(sizeof(*ns->kv), GFP_KERNEL);
	if (!ns->kv)
		return -ENOMEM;
	if (kept) {
		ret = kv_mount(ns->kv, ns->data, ns->size, &why);
		if (!ret) {
			pr_info("%s/%u: key-value store kept: %llu keys\n",
				ns->ctrl->name, ns->nsid,
				(u64)ns->kv->sb->nr_keys);
			return 0;
		}
		if (kv_has_magic(ns->data, ns->size)) {
			pr_err("%s/%u: the kept key-value store is damaged (%s): load with wipe=1 to start a new one\n",
			       ns->ctrl->name, ns->nsid, why);
			goto fail;
		}
	}
	ret = kv_format(ns->kv, ns->data, ns->size, &ns->cfg.kv.store);
	if (!ret)
		return 0;
	pr_err("%s/%u: cannot make a key-value store (%d)\n", ns->ctrl->name,
	       ns->nsid, ret);
fail:
	kfree(ns->kv);
	ns->kv = NULL;
	return -EINVAL;
}

static void kv_stop(struct nvmev_ns *ns)
{
	if (!ns->kv)
		return;
	kv_unmount(ns->kv);
	kfree(ns->kv);
	ns->kv = NULL;
}

/* ---- Identify ------------------------------------------------------------ */

void nvmev_kv_id_ns(struct nvmev_ns *ns, u8 *id)
{
	struct kv_stats st;
	u8 *f = id + KV_ID_FMT0;

	kv_stats(ns->kv, &st);
	put_unaligned_le64(st.area_bytes, id + KV_ID_NSZE);
	put_unaligned_le64(st.used_bytes, id + KV_ID_NUSE);
	id[KV_ID_NKVF] = 0;			/* one KV format (0's based) */
	put_unaligned_le32(1U << KV_UNIT_SHIFT, id + KV_ID_NOVG);
	memcpy(id + KV_ID_NGUID, ns->nguid, sizeof(ns->nguid));
	memcpy(id + KV_ID_EUI64, ns->eui64, sizeof(ns->eui64));
	put_unaligned_le16(st.max_key, f + KV_FMT_KVKML);
	put_unaligned_le32(st.max_value, f + KV_FMT_KVVML);
	put_unaligned_le32(min_t(u64, st.max_keys, U32_MAX), f + KV_FMT_KVMNK);
}

void nvmev_kv_id_ctrl(u8 *id)
{
	put_unaligned_le32(KV_ID_CTRL_VER, id);
}

/* ---- I/O ------------------------------------------------------------------ */

/* The key: command bytes 8..15 (CDW2-3) and 56..63 (CDW14-15). */
static void cmd_key(const struct nvme_command *cmd, u8 *key)
{
	const u8 *c = (const u8 *)cmd;

	memcpy(key, c + 8, 8);
	memcpy(key + 8, c + 56, 8);
}

static u16 kv_store(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		    const u8 *key, u32 kl)
{
	struct nvmev_ns *ns = req->ns;
	u32 dw10 = le32_to_cpu(req->cmd.common.cdw10);
	u32 dw11 = le32_to_cpu(req->cmd.common.cdw11);
	enum kv_status st;
	void *dst;
	u16 ret;

	st = kv_store_begin(ns->kv, key, kl, dw10, (dw11 >> 8) & 0xff, &dst);
	if (st)
		return kv_err(st);
	ret = nvmev_dma_xfer(ctrl, &req->cmd, dst, dw10, false);
	if (ret) {
		kv_store_abort(ns->kv);
		return ret;
	}
	kv_store_commit(ns->kv);
	req->len = dw10;
	return NVME_SC_SUCCESS;
}

static u16 kv_retrieve_cmd(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			   const u8 *key, u32 kl)
{
	struct nvmev_ns *ns = req->ns;
	u32 dw10 = le32_to_cpu(req->cmd.common.cdw10);
	enum kv_status st;
	const void *src;
	u32 len, vsize;
	u16 ret;

	st = kv_retrieve(ns->kv, key, kl, 0, dw10, &src, &len, &vsize);
	if (st)
		return kv_err(st);
	ret = nvmev_dma_xfer(ctrl, &req->cmd, (void *)src, len, true);
	if (ret)
		return ret;
	req->len = len;
	req->result = vsize;
	return NVME_SC_SUCCESS;
}

static u16 kv_list_cmd(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		       const u8 *key, u32 kl)
{
	u32 dw10 = le32_to_cpu(req->cmd.common.cdw10);
	u32 len = min_t(u32, dw10, NVMEV_MAX_XFER), nr, used;
	enum kv_status st;
	void *buf;
	u16 ret;

	if (len < KV_LIST_HDR)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	buf = kvmalloc(len, GFP_KERNEL);
	if (!buf)
		return NVME_SC_INTERNAL;
	st = kv_list(req->ns->kv, key, kl, buf, len, &nr, &used);
	ret = st ? kv_err(st) : nvmev_dma_xfer(ctrl, &req->cmd, buf, used,
					       true);
	kvfree(buf);
	req->len = used;
	return ret;
}

static u16 kv_delete_cmd(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			 const u8 *key, u32 kl)
{
	return kv_err(kv_delete(req->ns->kv, key, kl));
}

static u16 kv_exist_cmd(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			const u8 *key, u32 kl)
{
	return kv_err(kv_exist(req->ns->kv, key, kl, NULL));
}

/* Values are durable when a Store completes: nothing to do. */
static u16 kv_flush_cmd(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			const u8 *key, u32 kl)
{
	return NVME_SC_SUCCESS;
}

/*
 * Run a command of a KV namespace with @run and time it as model
 * operation @op: the index lookup, then the value.
 */
static u16 kv_parse(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		    struct model_req *m, enum model_op op,
		    u16 (*run)(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			       const u8 *key, u32 kl))
{
	struct nvme_command *cmd = &req->cmd;
	struct nvmev_ns *ns = req->ns;
	u8 key[KV_MAX_KEY];
	u16 st;

	if (cmd->common.flags & NVME_CMD_SGL_ALL)
		return NVMEV_ERR(NVME_SC_INVALID_FIELD);
	cmd_key(cmd, key);
	st = run(ctrl, req, key, le32_to_cpu(cmd->common.cdw11) & 0xff);
	if (st)
		return st;
	m->op = op;
	m->now += ns->cfg.kv.index_ns;
	m->slba_bytes = 0;
	m->len = req->len;
	nvmev_schedule(ns, req, m);
	return NVME_SC_SUCCESS;
}

static u16 parse_flush(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		       struct model_req *m)
{
	return kv_parse(ctrl, req, m, MODEL_FLUSH, kv_flush_cmd);
}

static u16 parse_store(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		       struct model_req *m)
{
	return kv_parse(ctrl, req, m, MODEL_WRITE, kv_store);
}

static u16 parse_retrieve(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			  struct model_req *m)
{
	return kv_parse(ctrl, req, m, MODEL_READ, kv_retrieve_cmd);
}

static u16 parse_list(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		      struct model_req *m)
{
	return kv_parse(ctrl, req, m, MODEL_READ, kv_list_cmd);
}

static u16 parse_delete(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
			struct model_req *m)
{
	return kv_parse(ctrl, req, m, MODEL_OTHER, kv_delete_cmd);
}

static u16 parse_exist(struct nvmev_ctrl *ctrl, struct nvmev_req *req,
		       struct model_req *m)
{
	return kv_parse(ctrl, req, m, MODEL_OTHER, kv_exist_cmd);
}

/*
 * The KV I/O commands (Flush is the base specification's); the opcodes
 * mean other things than in the NVM command set, which this one does not
 * extend.
 */
static const struct nvmev_op kv_ops[] = {
	NVMEV_OP(nvme_cmd_flush, NVMEV_OP_FLUSH, 0, 0, parse_flush, NULL),
	NVMEV_OP(KV_OPC_STORE, NVMEV_OP_WRITE,
		 NVMEV_OPF_HOST_WRITE | NVMEV_OPF_UNITS, NVME_CMD_EFFECTS_LBCC,
		 parse_store, NULL),
	NVMEV_OP(KV_OPC_RETRIEVE, NVMEV_OP_READ,
		 NVMEV_OPF_HOST_READ | NVMEV_OPF_UNITS, 0, parse_retrieve, NULL),
	NVMEV_OP(KV_OPC_LIST, NVMEV_OP_OTHER, 0, 0, parse_list, NULL),
	NVMEV_OP(KV_OPC_DELETE, NVMEV_OP_OTHER, 0, NVME_CMD_EFFECTS_LBCC,
		 parse_delete, NULL),
	NVMEV_OP(KV_OPC_EXIST, NVMEV_OP_OTHER, 0, 0, parse_exist, NULL),
};

const struct nvmev_cmd_set nvmev_kv_cmds = {
	.ops = kv_ops,
	.nr_ops = ARRAY_SIZE(kv_ops),
};


static ssize_t kv_stats_show(struct nvmev_ns *ns, char *buf, size_t size)
{
	struct kv_stats st;

	kv_stats(ns->kv, &st);
	return scnprintf(buf, size,
			 "kv_keys %llu\nkv_max_keys %llu\nkv_value_bytes %llu\nkv_used_bytes %llu\nkv_free_bytes %llu\n",
			 st.nr_keys, st.max_keys, st.value_bytes,
			 st.used_bytes, st.free_bytes);
}

/* The store's timing: the NVM model (plus the index lookup per command). */
static int kv_model_start(struct nvmev_ns *ns)
{
	return nvmev_ns_model_init(ns, &nvm_model_ops, &ns->cfg.nvm);
}

const struct nvmev_ns_ops nvmev_kv_ns_ops = {
	.name = "kv",
	.csi = KV_CSI,
	.cmds = &nvmev_kv_cmds,
	.keeps_data = true,
	.check = kv_check,
	.start = kv_start,
	.stop = kv_stop,
	.model_start = kv_model_start,
	.stats_show = kv_stats_show,
};
