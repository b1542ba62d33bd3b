// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: moving data between host memory and the controller.
 *
 * The "DMA engine": walks PRP1/PRP2 and chained PRP lists and copies whole
 * contiguous runs of host memory in one go.  Knows nothing of timing
 * models.
 *
 * It is also the device's IOMMU.  A real controller behind an IOMMU can
 * reach only what the host mapped for it; this one reaches all of physical
 * memory through the direct map, so every host address a command names is
 * checked before it is touched (nvmev_host_va()): each PRP entry, each PRP
 * list page and each queue base.  A page is refused when it is
 *   - in the first MiB: page 0 is what a command without a buffer names
 *     (PRP1 = 0), and the rest is firmware's (real-mode code, BIOS data);
 *   - not RAM the kernel manages: no online memory section, a hole inside
 *     one, hot-removed or device (ZONE_DEVICE) memory: not in the direct
 *     map, or not ours to write;
 *   - reserved (PageReserved): the kernel image, memblock reservations
 *     (firmware tables, the crash kernel, other memmap= regions, swiotlb
 *     bounce buffers);
 *   - in nvmev's own reserved region.
 * A command naming such a page fails with Data Transfer Error before any
 * data moves (a transfer over several runs is checked whole first), gets
 * an error log entry, and the kernel log says which address was refused.
 * The cost is a section lookup and a page flag test per 4 KiB page, and
 * for transfers of more than one run a second walk of the PRPs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/memory_hotplug.h>
#include <linux/string.h>

#include "nvmev.h"

#define PRP_MASK	((u64)NVMEV_PAGE_SIZE - 1)
#define LOW_RESERVED	SZ_1M

/* Why the page at @pfn may not be touched, or NULL if it may. */
static const char *host_pfn_refused(unsigned long pfn)
{
	struct page *page;

	if (pfn < PHYS_PFN(LOW_RESERVED))
		return "in the first MiB";
	page = pfn_to_online_page(pfn);
	if (!page)
		return "not RAM the kernel manages";
	if (PageReserved(page))
		return "reserved memory";
	return NULL;
}

static const char *host_range_refused(u64 addr, size_t len)
{
	u64 end = addr + len - 1;
	unsigned long pfn;
	const char *why;

	if (!len || end < addr)
		return "an empty or wrapping range";
	if (nvmev_pool_overlaps(addr, end))
		return "nvmev's own region";
	for (pfn = PHYS_PFN(addr); pfn <= PHYS_PFN(end); pfn++) {
		why = host_pfn_refused(pfn);
		if (why)
			return why;
	}
	return NULL;
}

/*
 * Host memory the controller may touch (the rules above): its kernel
 * address, or NULL after a line in the kernel log saying why not.
 */
void *nvmev_host_va(struct nvmev_ctrl *ctrl, u64 addr, size_t len)
{
	const char *why = host_range_refused(addr, len);

	if (likely(!why))
		return phys_to_virt(addr);
	pr_warn_ratelimited("%s: refused host address %#llx+%zu: %s\n",
			    ctrl->name, addr, len, why);
	return NULL;
}

/* XFER_CHECK moves nothing: it checks every address of the transfer. */
enum xfer_op { XFER_CHECK, XFER_TO_HOST, XFER_FROM_HOST, XFER_CMP };

struct xfer {
	enum xfer_op op;
	u8 *buf;		/* controller side */
	size_t done;
	/* pending contiguous host run */
	u64 run_addr;
	size_t run_len;
	bool mismatch;
};

/*
 * Copy one run.  Whole aligned pages (the usual 4 KiB I/O: PRP entries are
 * page aligned, and so is the storage offset of a 4 KiB LBA) go through
 * copy_page(), which moves 8 bytes per step where memcpy() may move one
 * (rep movsb; emulated CPUs pay per step: +7% to +58%, median +19%, QD1
 * IOPS under TCG in six paired runs).
 */
static void copy_run(void *dst, const void *src, size_t len)
{
	size_t i;

	if (((unsigned long)dst | (unsigned long)src | len) & ~PAGE_MASK) {
		memcpy(dst, src, len);
		return;
	}
	for (i = 0; i < len; i += PAGE_SIZE)
		copy_page(dst + i, (void *)src + i);
}

static u16 xfer_flush(struct nvmev_ctrl *ctrl, struct xfer *x)
{
	void *host;

	if (!x->run_len)
		return NVME_SC_SUCCESS;
	host = nvmev_host_va(ctrl, x->run_addr, x->run_len);
	if (!host)
		return NVME_SC_DATA_XFER_ERROR | NVME_STATUS_DNR;
	switch (x->op) {
	case XFER_CHECK:
		break;
	case XFER_TO_HOST:
		copy_run(host, x->buf + x->done, x->run_len);
		break;
	case XFER_FROM_HOST:
		copy_run(x->buf + x->done, host, x->run_len);
		break;
	case XFER_CMP:
		if (memcmp(host, x->buf + x->done, x->run_len))
			x->mismatch = true;
		break;
	}
	x->done += x->run_len;
	x->run_len = 0;
	return NVME_SC_SUCCESS;
}

/* Queue one PRP segment; adjacent segments merge into one copy. */
static u16 xfer_seg(struct nvmev_ctrl *ctrl, struct xfer *x, u64 addr, size_t n)
{
	u16 st;

	if (x->run_len && x->run_addr + x->run_len == addr) {
		x->run_len += n;
		return NVME_SC_SUCCESS;
	}
	st = xfer_flush(ctrl, x);
	if (st)
		return st;
	x->run_addr = addr;
	x->run_len = n;
	return NVME_SC_SUCCESS;
}

static u16 prp_walk(struct nvmev_ctrl *ctrl, const struct nvme_command *cmd,
		    struct xfer *x, size_t len)
{
	u64 prp1 = le64_to_cpu(cmd->common.dptr.prp1);
	u64 prp2 = le64_to_cpu(cmd->common.dptr.prp2);
	size_t off, n;
	unsigned int hops = 0;
	u16 st;

	if (cmd->common.flags & NVME_CMD_SGL_ALL)
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;	/* SGLS = 0 */
	if (!len)
		return NVME_SC_SUCCESS;
	if (prp1 & 3)
		return NVME_SC_PRP_INVALID_OFFSET | NVME_STATUS_DNR;

	n = min_t(size_t, len, NVMEV_PAGE_SIZE - (prp1 & PRP_MASK));
	st = xfer_seg(ctrl, x, prp1, n);
	if (st)
		return st;
	off = n;
	if (off == len)
		return xfer_flush(ctrl, x);

	if (len - off <= NVMEV_PAGE_SIZE) {
		if (prp2 & PRP_MASK)
			return NVME_SC_PRP_INVALID_OFFSET | NVME_STATUS_DNR;
		st = xfer_seg(ctrl, x, prp2, len - off);
		return st ? st : xfer_flush(ctrl, x);
	}

	/* PRP2 points to a list; the last entry of a full page chains on. */
	while (off < len) {
		unsigned int i, nents;
		__le64 *list;

		if ((prp2 & 7) || ++hops > len / NVMEV_PAGE_SIZE + 2)
			return NVME_SC_PRP_INVALID_OFFSET | NVME_STATUS_DNR;
		nents = (NVMEV_PAGE_SIZE - (prp2 & PRP_MASK)) / sizeof(__le64);
		list = nvmev_host_va(ctrl, prp2, nents * sizeof(__le64));
		if (!list)
			return NVME_SC_DATA_XFER_ERROR | NVME_STATUS_DNR;
		for (i = 0; i < nents && off < len; i++) {
			u64 e = le64_to_cpu(READ_ONCE(list[i]));

			if (i == nents - 1 && len - off > NVMEV_PAGE_SIZE) {
				prp2 = e;
				break;
			}
			if (e & PRP_MASK)
				return NVME_SC_PRP_INVALID_OFFSET | NVME_STATUS_DNR;
			n = min_t(size_t, len - off, NVMEV_PAGE_SIZE);
			st = xfer_seg(ctrl, x, e, n);
			if (st)
				return st;
			off += n;
		}
	}
	return xfer_flush(ctrl, x);
}

/*
 * Walk the PRPs of @cmd for @len bytes doing @x->op.  A transfer that may
 * take more than one run is checked whole first, so that a bad address in
 * the middle fails the command before anything moved.  (A host that
 * rewrites its PRP list while the command runs can still make it fail half
 * way; every address is checked again as it is used.)
 */
static u16 xfer(struct nvmev_ctrl *ctrl, const struct nvme_command *cmd,
		struct xfer *x, size_t len)
{
	u64 prp1 = le64_to_cpu(cmd->common.dptr.prp1);

	if (len > NVMEV_PAGE_SIZE - (prp1 & PRP_MASK)) {
		struct xfer check = { .op = XFER_CHECK };
		u16 st = prp_walk(ctrl, cmd, &check, len);

		if (st)
			return st;
	}
	return prp_walk(ctrl, cmd, x, len);
}

/* Copy @len bytes between @buf and the host buffer the command describes. */
u16 nvmev_dma_xfer(struct nvmev_ctrl *ctrl, const struct nvme_command *cmd,
		   void *buf, size_t len, bool to_host)
{
	struct xfer x = {
		.op = to_host ? XFER_TO_HOST : XFER_FROM_HOST,
		.buf = buf,
	};

	return xfer(ctrl, cmd, &x, len);
}

/* Compare the host buffer with @buf: Compare Failure on any difference. */
u16 nvmev_dma_cmp(struct nvmev_ctrl *ctrl, const struct nvme_command *cmd,
		  const void *buf, size_t len)
{
	struct xfer x = { .op = XFER_CMP, .buf = (u8 *)buf };
	u16 st = xfer(ctrl, cmd, &x, len);

	if (st)
		return st;
	return x.mismatch ? NVME_SC_COMPARE_FAILED | NVME_STATUS_DNR : NVME_SC_SUCCESS;
}
