// SPDX-License-Identifier: GPL-2.0-only
/*
 * libnvmeraw: a small userspace NVMe driver for tests (see nvmeraw.h).
 *
 * Written from the NVM Express Base Specification 1.4; section numbers in
 * comments refer to it.
 */
#define _GNU_SOURCE
#include "nvmeraw.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PCI_COMMAND		0x04
#define PCI_COMMAND_MEMORY	0x0002
#define PCI_COMMAND_MASTER	0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400

#define HUGE_SIZE		(2u << 20)
#define SPIN_LOOPS		2000	/* polls before sleeping between polls */
#define SLEEP_NS		20000
#define CSTS_CHECK_MS		10

/* ---- errors ---- */

static _Thread_local char errbuf[320];

const char *nvr_errmsg(void)
{
	return errbuf;
}

__attribute__((format(printf, 2, 3)))
static int fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return err;
}

/* ---- statuses (Figures 126-129, 94) ---- */

static const struct {
	uint16_t code;		/* SCT << 8 | SC */
	const char *name;
} status_names[] = {
	{ 0x000, "Successful Completion" },
	{ 0x001, "Invalid Command Opcode" },
	{ 0x002, "Invalid Field in Command" },
	{ 0x003, "Command ID Conflict" },
	{ 0x004, "Data Transfer Error" },
	{ 0x005, "Commands Aborted due to Power Loss Notification" },
	{ 0x006, "Internal Error" },
	{ 0x007, "Command Abort Requested" },
	{ 0x008, "Command Aborted due to SQ Deletion" },
	{ 0x009, "Command Aborted due to Failed Fused Command" },
	{ 0x00a, "Command Aborted due to Missing Fused Command" },
	{ 0x00b, "Invalid Namespace or Format" },
	{ 0x00c, "Command Sequence Error" },
	{ 0x00d, "Invalid SGL Segment Descriptor" },
	{ 0x00e, "Invalid Number of SGL Descriptors" },
	{ 0x00f, "Data SGL Length Invalid" },
	{ 0x010, "Metadata SGL Length Invalid" },
	{ 0x011, "SGL Descriptor Type Invalid" },
	{ 0x012, "Invalid Use of Controller Memory Buffer" },
	{ 0x013, "PRP Offset Invalid" },
	{ 0x014, "Atomic Write Unit Exceeded" },
	{ 0x015, "Operation Denied" },
	{ 0x016, "SGL Offset Invalid" },
	{ 0x018, "Host Identifier Inconsistent Format" },
	{ 0x019, "Keep Alive Timer Expired" },
	{ 0x01a, "Keep Alive Timeout Invalid" },
	{ 0x01b, "Command Aborted due to Preempt and Abort" },
	{ 0x01c, "Sanitize Failed" },
	{ 0x01d, "Sanitize In Progress" },
	{ 0x01e, "SGL Data Block Granularity Invalid" },
	{ 0x01f, "Command Not Supported for Queue in CMB" },
	{ 0x020, "Namespace is Write Protected" },
	{ 0x021, "Command Interrupted" },
	{ 0x022, "Transient Transport Error" },
	{ 0x029, "FDP Disabled" },		/* TP4146 */
	{ 0x080, "LBA Out of Range" },
	{ 0x081, "Capacity Exceeded" },
	{ 0x082, "Namespace Not Ready" },
	{ 0x083, "Reservation Conflict" },
	{ 0x084, "Format In Progress" },
	{ 0x100, "Completion Queue Invalid" },
	{ 0x101, "Invalid Queue Identifier" },
	{ 0x102, "Invalid Queue Size" },
	{ 0x103, "Abort Command Limit Exceeded" },
	{ 0x105, "Asynchronous Event Request Limit Exceeded" },
	{ 0x106, "Invalid Firmware Slot" },
	{ 0x107, "Invalid Firmware Image" },
	{ 0x108, "Invalid Interrupt Vector" },
	{ 0x109, "Invalid Log Page" },
	{ 0x10a, "Invalid Format" },
	{ 0x10c, "Invalid Queue Deletion" },
	{ 0x10d, "Feature Identifier Not Saveable" },
	{ 0x10e, "Feature Not Changeable" },
	{ 0x10f, "Feature Not Namespace Specific" },
	{ 0x114, "Overlapping Range" },
	{ 0x115, "Namespace Insufficient Capacity" },
	{ 0x116, "Namespace Identifier Unavailable" },
	{ 0x118, "Namespace Already Attached" },
	{ 0x119, "Namespace Is Private" },
	{ 0x11a, "Namespace Not Attached" },
	{ 0x11b, "Thin Provisioning Not Supported" },
	{ 0x11c, "Controller List Invalid" },
	{ 0x180, "Conflicting Attributes" },
	{ 0x181, "Invalid Protection Information" },
	{ 0x182, "Attempted Write to Read Only Range" },
	{ 0x280, "Write Fault" },
	{ 0x281, "Unrecovered Read Error" },
	{ 0x282, "End-to-end Guard Check Error" },
	{ 0x283, "End-to-end Application Tag Check Error" },
	{ 0x284, "End-to-end Reference Tag Check Error" },
	{ 0x285, "Compare Failure" },
	{ 0x286, "Access Denied" },
	{ 0x287, "Deallocated or Unwritten Logical Block" },
};

const char *nvr_status_name(uint16_t status)
{
	uint16_t code = status & 0x7ff;
	size_t i;

	for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (status_names[i].code == code)
			return status_names[i].name;
	switch (code >> 8) {
	case 3:
		return "Path Related Status";
	case 7:
		return "Vendor Specific";
	default:
		return "Unknown Status";
	}
}

char *nvr_status_str(uint16_t status, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", nvr_status_name(status),
		 status & NVR_STATUS_MORE ? ", More" : "",
		 status & NVR_STATUS_DNR ? ", DNR" : "");
	return buf;
}

/* ---- time ---- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Between polls: spin a while (latency), then sleep (a TCG guest's CPU) */
static void poll_pause(struct nvr_ctrl *c, unsigned int *loops)
{
	struct timespec ts = { 0, SLEEP_NS };

	if (c->idle)
		c->idle(c->hook_ctx);
	if (++*loops > SPIN_LOOPS)
		nanosleep(&ts, NULL);
}

/* ---- registers ---- */

static int reg_check(const struct nvr_ctrl *c, uint64_t off, unsigned int w)
{
	if (off % 4)
		return fail(-EINVAL, "register offset 0x%" PRIx64
			    " is not dword aligned", off);
	if (off + w > c->bar_size)
		return fail(-ERANGE, "offset 0x%" PRIx64 " is beyond BAR0 (%zu bytes)",
			    off, c->bar_size);
	return 0;
}

static uint32_t rd32(struct nvr_ctrl *c, uint32_t off)
{
	return *(volatile uint32_t *)(c->bar + off);
}

static void wr32(struct nvr_ctrl *c, uint32_t off, uint32_t val)
{
	/* entries written to memory before are visible before the write */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*(volatile uint32_t *)(c->bar + off) = val;
	if (c->reg_written)
		c->reg_written(c->hook_ctx, off, val);
}

int nvr_reg_read32(struct nvr_ctrl *c, uint32_t off, uint32_t *val)
{
	int ret = reg_check(c, off, 4);

	if (!ret)
		*val = rd32(c, off);
	return ret;
}

int nvr_reg_write32(struct nvr_ctrl *c, uint32_t off, uint32_t val)
{
	int ret = reg_check(c, off, 4);

	if (!ret)
		wr32(c, off, val);
	return ret;
}

int nvr_reg_read64(struct nvr_ctrl *c, uint32_t off, uint64_t *val)
{
	int ret = reg_check(c, off, 8);

	if (!ret)
		*val = rd32(c, off) | (uint64_t)rd32(c, off + 4) << 32;
	return ret;
}

int nvr_reg_write64(struct nvr_ctrl *c, uint32_t off, uint64_t val)
{
	int ret = reg_check(c, off, 8);

	if (ret)
		return ret;
	wr32(c, off, (uint32_t)val);
	wr32(c, off + 4, (uint32_t)(val >> 32));
	return 0;
}

uint64_t nvr_doorbell_off(const struct nvr_ctrl *c, uint32_t qid, int cq)
{
	return NVR_REG_DBS + (2 * (uint64_t)qid + (cq ? 1 : 0)) * c->dstrd;
}

int nvr_doorbell(struct nvr_ctrl *c, uint32_t qid, int cq, uint32_t val)
{
	uint64_t off = nvr_doorbell_off(c, qid, cq);
	int ret = reg_check(c, off, 4);

	if (ret)
		return fail(ret, "%s doorbell of queue %u is at 0x%" PRIx64
			    ", beyond BAR0 (%zu bytes)", cq ? "CQ head" : "SQ tail",
			    qid, off, c->bar_size);
	wr32(c, (uint32_t)off, val);
	return 0;
}

/* ---- physical memory through /proc/self/pagemap ---- */

static int pagemap_map(void *ctx, void *va, size_t npages, int contig,
		       uint64_t *phys)
{
	uint64_t first = (uintptr_t)va / NVR_PAGE_SIZE, e;
	size_t i;
	int fd;

	(void)ctx;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(-errno, "/proc/self/pagemap: %s", strerror(errno));
	for (i = 0; i < npages; i++) {
		if (pread(fd, &e, 8, (off_t)((first + i) * 8)) != 8) {
			close(fd);
			return fail(-EIO, "/proc/self/pagemap: short read");
		}
		/* bit 63: present, bits 54:0: page frame number */
		if (!(e >> 63) || !(e & ((1ULL << 55) - 1))) {
			close(fd);
			if (!(e >> 63))
				return fail(-EFAULT, "page %p is not present",
					    (char *)va + i * NVR_PAGE_SIZE);
			return fail(-EPERM, "/proc/self/pagemap hides physical addresses: run as root (CAP_SYS_ADMIN)");
		}
		phys[i] = (e & ((1ULL << 55) - 1)) << NVR_PAGE_SHIFT;
		if (contig && i && phys[i] != phys[i - 1] + NVR_PAGE_SIZE) {
			close(fd);
			return -ENOMEM;		/* caller tries elsewhere */
		}
	}
	close(fd);
	return 0;
}

static void pagemap_unmap(void *ctx, void *va, size_t npages)
{
	(void)ctx;
	(void)va;
	(void)npages;
}

static const struct nvr_mem_ops pagemap_ops = {
	.map = pagemap_map,
	.unmap = pagemap_unmap,
};

/* ---- DMA memory ---- */

static size_t round_up(size_t v, size_t to)
{
	return (v + to - 1) / to * to;
}

/*
 * Anonymous, locked, touched memory: every page present from now on.
 * @thp asks for transparent huge pages (physically contiguous 2 MiB) where
 * the system gives them only on request.
 */
static void *pinned_mmap(size_t size, int extra_flags, int thp)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (thp)
		madvise(p, size, MADV_HUGEPAGE);
	if (mlock(p, size)) {
		int err = errno;

		munmap(p, size);
		errno = err;
		return NULL;
	}
	/* a child must not share (copy-on-write) pages a device writes */
	madvise(p, size, MADV_DONTFORK);
	memset(p, 0, size);
	return p;
}

static int dma_setup(struct nvr_ctrl *c, struct nvr_dma *d, void *map,
		     size_t map_size, void *va, size_t size, int contig)
{
	int ret;

	d->map = map;
	d->map_size = map_size;
	d->va = va;
	d->size = size;
	d->npages = size / NVR_PAGE_SIZE;
	d->phys = calloc(d->npages, sizeof(*d->phys));
	if (!d->phys)
		return fail(-ENOMEM, "out of memory");
	ret = c->mem->map(c->mem_ctx, va, d->npages, contig, d->phys);
	if (ret) {
		free(d->phys);
		d->phys = NULL;
	}
	return ret;
}

static int dma_alloc_huge(struct nvr_ctrl *c, size_t size, struct nvr_dma *d)
{
	size_t map_size = round_up(size, HUGE_SIZE);
	void *p = pinned_mmap(map_size, MAP_HUGETLB | (21 << MAP_HUGE_SHIFT), 0);
	int ret;

	if (!p)
		return fail(-errno, "no %zu bytes of 2 MiB hugepages (%s): see /proc/sys/vm/nr_hugepages",
			    map_size, strerror(errno));
	ret = dma_setup(c, d, p, map_size, p, size, size <= HUGE_SIZE);
	if (ret)
		munmap(p, map_size);
	return ret;
}

/*
 * Physically contiguous memory without hugetlb pages: map a larger 2 MiB
 * aligned area (transparent huge pages, where the system has them) and
 * look for a run of consecutive pages in it.  The whole area stays mapped.
 * -EAGAIN: no run in this area.
 */
static int contig_try(struct nvr_ctrl *c, size_t size, size_t area,
		      struct nvr_dma *d)
{
	size_t need = size / NVR_PAGE_SIZE, n, i, run = 0;
	uint64_t *phys;
	uint8_t *p, *start;
	int ret;

	p = pinned_mmap(area, 0, 1);
	if (!p)
		return fail(-errno, "mmap/mlock %zu bytes: %s", area,
			    strerror(errno));
	start = (uint8_t *)round_up((uintptr_t)p, HUGE_SIZE);
	n = (area - (size_t)(start - p)) / NVR_PAGE_SIZE;
	phys = calloc(n, sizeof(*phys));
	ret = phys ? c->mem->map(c->mem_ctx, start, n, 0, phys) :
		     fail(-ENOMEM, "out of memory");
	for (i = 0; !ret && i < n; i++) {
		run = (run && phys[i] == phys[i - 1] + NVR_PAGE_SIZE) ? run + 1 : 1;
		if (run == need)
			break;
	}
	if (phys && !ret)
		c->mem->unmap(c->mem_ctx, start, n);
	free(phys);
	if (!ret && run == need)
		ret = dma_setup(c, d, p, area,
				start + (i + 1 - need) * NVR_PAGE_SIZE, size, 1);
	else if (!ret)
		ret = -EAGAIN;
	if (ret)
		munmap(p, area);
	return ret;
}

/* Larger areas in turn, as fragmented memory may need them */
static int dma_alloc_contig(struct nvr_ctrl *c, size_t size, struct nvr_dma *d)
{
	size_t area = round_up(size * 4, HUGE_SIZE) + HUGE_SIZE;
	unsigned int i;
	int ret = -EAGAIN;

	for (i = 0; i < 3 && ret == -EAGAIN; i++, area *= 2)
		ret = contig_try(c, size, area, d);
	if (ret == -EAGAIN)
		ret = fail(-ENOMEM, "no %zu physically contiguous bytes found (reserve hugepages: /proc/sys/vm/nr_hugepages)",
			   size);
	return ret;
}

int nvr_dma_alloc(struct nvr_ctrl *c, size_t size, unsigned int flags,
		  struct nvr_dma *d)
{
	int ret, contig;
	void *p;

	memset(d, 0, sizeof(*d));
	if (!size)
		return fail(-EINVAL, "DMA buffer of 0 bytes");
	size = round_up(size, NVR_PAGE_SIZE);
	if (flags & NVR_DMA_HUGE)
		return dma_alloc_huge(c, size, d);
	if ((flags & NVR_DMA_CONTIG) && size > NVR_PAGE_SIZE &&
	    size <= HUGE_SIZE && !dma_alloc_huge(c, size, d))
		return 0;
	p = pinned_mmap(size, 0, 0);
	if (!p)
		return fail(-errno, "mmap/mlock %zu bytes: %s", size,
			    strerror(errno));
	contig = (flags & NVR_DMA_CONTIG) && size > NVR_PAGE_SIZE;
	ret = dma_setup(c, d, p, size, p, size, contig);
	if (ret)
		munmap(p, size);
	/* not contiguous by luck: search a larger area */
	if (ret == -ENOMEM && contig)
		return dma_alloc_contig(c, size, d);
	return ret;
}

void nvr_dma_free(struct nvr_ctrl *c, struct nvr_dma *d)
{
	if (!d->map)
		return;
	c->mem->unmap(c->mem_ctx, d->va, d->npages);
	munmap(d->map, d->map_size);
	free(d->phys);
	memset(d, 0, sizeof(*d));
}

uint64_t nvr_dma_phys(const struct nvr_dma *d, size_t off)
{
	return d->phys[off / NVR_PAGE_SIZE] + off % NVR_PAGE_SIZE;
}

/* ---- PRPs (Section 4.3) ---- */

/* Pages after the first one that @len bytes at @off touch */
static size_t prp_entries(size_t off, size_t len)
{
	size_t first = NVR_PAGE_SIZE - off % NVR_PAGE_SIZE;

	return len <= first ? 0 : (len - first + NVR_PAGE_SIZE - 1) / NVR_PAGE_SIZE;
}

size_t nvr_prp_list_pages(size_t off, size_t len)
{
	size_t n = prp_entries(off, len);

	if (n <= 1)
		return 0;
	if (n <= NVR_PRPS_PER_PAGE)
		return 1;
	/* every list page but the last gives one slot to the chain pointer */
	return 1 + (n - NVR_PRPS_PER_PAGE + NVR_PRPS_PER_PAGE - 2) /
		       (NVR_PRPS_PER_PAGE - 1);
}

int nvr_prp_fill(const uint64_t *data_phys, size_t off, size_t len,
		 uint64_t *const *list, const uint64_t *list_phys,
		 size_t nlist, uint64_t *prp1, uint64_t *prp2)
{
	size_t n = prp_entries(off, len), first = off / NVR_PAGE_SIZE;
	size_t need = nvr_prp_list_pages(off, len), i, page = 0, slot = 0;

	if (!len || off % 4)
		return fail(-EINVAL, "PRPs for %zu bytes at offset %zu: %s",
			    len, off, len ? "offset not dword aligned" : "no data");
	if (need > nlist)
		return fail(-ENOSPC, "%zu PRP list pages needed, %zu given",
			    need, nlist);
	*prp1 = data_phys[first] + off % NVR_PAGE_SIZE;
	*prp2 = n == 1 ? data_phys[first + 1] : n ? list_phys[0] : 0;
	if (n <= 1)
		return 0;
	for (i = 0; i < n; i++) {
		/* the last slot chains on when more than one entry is left */
		if (slot == NVR_PRPS_PER_PAGE - 1 && n - i > 1) {
			list[page][slot] = list_phys[page + 1];
			page++;
			slot = 0;
		}
		list[page][slot++] = data_phys[first + 1 + i];
	}
	return (int)need;
}

int nvr_prp_map(struct nvr_ctrl *c, const struct nvr_dma *d, size_t off,
		size_t len, struct nvr_sqe *cmd, struct nvr_dma *lists)
{
	size_t need = nvr_prp_list_pages(off, len), i;
	uint64_t **pages = NULL;
	int ret;

	memset(lists, 0, sizeof(*lists));
	if (off + len > d->size || off + len < off)
		return fail(-EINVAL, "%zu bytes at offset %zu do not fit the %zu byte buffer",
			    len, off, d->size);
	if (need) {
		ret = nvr_dma_alloc(c, need * NVR_PAGE_SIZE, 0, lists);
		if (ret)
			return ret;
		pages = calloc(need, sizeof(*pages));
		if (!pages) {
			nvr_dma_free(c, lists);
			return fail(-ENOMEM, "out of memory");
		}
		for (i = 0; i < need; i++)
			pages[i] = (uint64_t *)((uint8_t *)lists->va +
						i * NVR_PAGE_SIZE);
	}
	ret = nvr_prp_fill(d->phys, off, len, pages,
			   need ? lists->phys : NULL, need, &cmd->prp1,
			   &cmd->prp2);
	free(pages);
	if (ret < 0)
		nvr_dma_free(c, lists);
	return ret < 0 ? ret : 0;
}

/* ---- open and close ---- */

/* "00:04.0" -> "0000:00:04.0"; anything with a domain stays as it is */
static int bdf_normalize(const char *in, char *out, size_t len)
{
	unsigned int a, b, f;
	char tail;

	if (strchr(in, '/') || strlen(in) + 6 > len)
		return fail(-EINVAL, "'%s' is not a PCI address", in);
	if (sscanf(in, "%x:%x.%x%c", &a, &b, &f, &tail) == 3)
		snprintf(out, len, "0000:%s", in);
	else
		snprintf(out, len, "%s", in);
	return 0;
}

static int pci_command_set(struct nvr_ctrl *c)
{
	uint16_t cmd;

	if (pread(c->cfg_fd, &cmd, 2, PCI_COMMAND) != 2)
		return fail(-EIO, "%s: cannot read the PCI command register",
			    c->bdf);
	c->cmd_saved = cmd;
	/*
	 * Memory Space for BAR0, Bus Master for DMA, and INTx off: nobody
	 * handles this function's interrupts now.
	 */
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
	       PCI_COMMAND_INTX_DISABLE;
	if (pwrite(c->cfg_fd, &cmd, 2, PCI_COMMAND) != 2)
		return fail(-errno, "%s: cannot write the PCI command register: %s",
			    c->bdf, strerror(errno));
	return 0;
}

/*
 * No driver, or uio_pci_generic: it only enables the function and leaves
 * BAR0 and DMA to user space, as SPDK and DPDK use it.  Any other driver
 * owns the device.
 */
static int check_unbound(const char *dir, const char *bdf)
{
	char path[160], link[PATH_MAX];
	const char *drv;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/driver", dir);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;
	link[n] = 0;
	drv = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	if (!strcmp(drv, "uio_pci_generic"))
		return 0;
	return fail(-EBUSY, "%s is bound to the %s driver; unbind it first: echo %s > /sys/bus/pci/drivers/%s/unbind (then leave it unbound or bind uio_pci_generic)",
		    bdf, drv, bdf, drv);
}

static struct nvr_ctrl *ctrl_new(void)
{
	struct nvr_ctrl *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->bar_fd = -1;
	c->cfg_fd = -1;
	c->timeout_ms = 5000;
	c->mem = &pagemap_ops;
	return c;
}

/* CAP-derived settings; all-ones means the function is gone */
static int read_cap(struct nvr_ctrl *c)
{
	uint64_t cap = ~0ULL;

	if (nvr_reg_read64(c, NVR_REG_CAP, &cap) || cap == ~0ULL)
		return fail(-ENODEV, "%s: BAR0 reads all ones (device gone?)",
			    c->bdf);
	c->cap = cap;
	c->dstrd = 4u << NVR_CAP_DSTRD(cap);
	c->ready_ms = NVR_CAP_TO(cap) * 500;
	if (!c->ready_ms)
		c->ready_ms = 500;
	return 0;
}

static int open_files(struct nvr_ctrl *c)
{
	char dir[128], path[160];
	struct stat st;
	void *p;
	int ret;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", c->bdf);
	if (stat(dir, &st))
		return fail(-ENODEV, "no PCI function %s (%s)", c->bdf,
			    strerror(errno));
	ret = check_unbound(dir, c->bdf);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/config", dir);
	c->cfg_fd = open(path, O_RDWR | O_CLOEXEC);
	if (c->cfg_fd < 0)
		return fail(-errno, "%s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/resource0", dir);
	c->bar_fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (c->bar_fd < 0)
		return fail(-errno, "%s: %s", path, strerror(errno));
	if (flock(c->bar_fd, LOCK_EX | LOCK_NB))
		return fail(-EBUSY, "%s is in use by another process", c->bdf);
	if (fstat(c->bar_fd, &st) || st.st_size < 0x2000)
		return fail(-EINVAL, "%s: BAR0 of %lld bytes is too small",
			    path, (long long)st.st_size);
	ret = pci_command_set(c);
	if (ret)
		return ret;
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 c->bar_fd, 0);
	if (p == MAP_FAILED)
		return fail(-errno, "mmap %s: %s", path, strerror(errno));
	c->bar = p;
	c->bar_size = (size_t)st.st_size;
	return 0;
}

static void release(struct nvr_ctrl *c)
{
	if (c->bar && c->bar_fd >= 0)
		munmap((void *)c->bar, c->bar_size);
	if (c->cfg_fd >= 0 && c->cmd_saved != 0xffff && c->bar_fd >= 0)
		pwrite(c->cfg_fd, &c->cmd_saved, 2, PCI_COMMAND);
	if (c->cfg_fd >= 0)
		close(c->cfg_fd);
	if (c->bar_fd >= 0)
		close(c->bar_fd);
	free(c);
}

int nvr_open(const char *bdf, struct nvr_ctrl **out)
{
	struct nvr_ctrl *c = ctrl_new();
	int ret;

	*out = NULL;
	if (!c)
		return fail(-ENOMEM, "out of memory");
	c->cmd_saved = 0xffff;		/* nothing to restore yet */
	ret = bdf_normalize(bdf, c->bdf, sizeof(c->bdf));
	if (!ret)
		ret = open_files(c);
	if (!ret)
		ret = read_cap(c);
	if (ret) {
		release(c);
		return ret;
	}
	*out = c;
	return 0;
}

int nvr_open_fake(void *bar, size_t bar_size, const struct nvr_mem_ops *mem,
		  void *mem_ctx, void (*reg_written)(void *, uint32_t,
						     uint32_t),
		  void (*idle)(void *), void *hook_ctx,
		  struct nvr_ctrl **out)
{
	struct nvr_ctrl *c = ctrl_new();
	int ret;

	*out = NULL;
	if (!c)
		return fail(-ENOMEM, "out of memory");
	snprintf(c->bdf, sizeof(c->bdf), "fake");
	c->bar = bar;
	c->bar_size = bar_size;
	if (mem) {
		c->mem = mem;
		c->mem_ctx = mem_ctx;
	}
	c->reg_written = reg_written;
	c->idle = idle;
	c->hook_ctx = hook_ctx;
	ret = read_cap(c);
	if (ret) {
		free(c);
		return ret;
	}
	*out = c;
	return 0;
}

/* ---- queues ---- */

void nvr_queue_free(struct nvr_ctrl *c, uint16_t qid)
{
	struct nvr_queue *q = qid <= NVR_MAX_QID ? c->q[qid] : NULL;

	if (!q)
		return;
	nvr_dma_free(c, &q->sq);
	nvr_dma_free(c, &q->cq);
	free(q);
	c->q[qid] = NULL;
}

static void queues_free(struct nvr_ctrl *c)
{
	unsigned int i;

	for (i = 0; i <= NVR_MAX_QID; i++)
		nvr_queue_free(c, (uint16_t)i);
}

int nvr_queue_alloc(struct nvr_ctrl *c, uint16_t qid, uint32_t entries,
		    struct nvr_queue **out)
{
	struct nvr_queue *q;
	int ret;

	if (qid > NVR_MAX_QID)
		return fail(-EINVAL, "queue id %u: the library tracks 0..%u",
			    qid, NVR_MAX_QID);
	if (c->q[qid])
		return fail(-EEXIST, "queue %u already exists", qid);
	if (entries < 2 || entries > 65536)
		return fail(-EINVAL, "queue of %u entries: use 2..65536",
			    entries);
	q = calloc(1, sizeof(*q));
	if (!q)
		return fail(-ENOMEM, "out of memory");
	/* CAP.CQR: every controller we know wants contiguous queues */
	ret = nvr_dma_alloc(c, entries * NVR_SQE_SIZE, NVR_DMA_CONTIG, &q->sq);
	if (!ret)
		ret = nvr_dma_alloc(c, entries * NVR_CQE_SIZE, NVR_DMA_CONTIG,
				    &q->cq);
	if (ret) {
		nvr_dma_free(c, &q->sq);
		free(q);
		return ret;
	}
	q->qid = qid;
	q->cqid = qid;
	q->size = entries;
	q->sq_base = q->sq.phys[0];
	q->cq_base = q->cq.phys[0];
	q->phase = 1;
	q->next_cid = 1;
	c->q[qid] = q;
	if (out)
		*out = q;
	return 0;
}

int nvr_submit(struct nvr_ctrl *c, uint16_t qid, struct nvr_sqe *cmd,
	       unsigned int flags, uint16_t *cid)
{
	struct nvr_queue *q = qid <= NVR_MAX_QID ? c->q[qid] : NULL;
	uint8_t *slot;

	if (!q)
		return fail(-ENOENT, "no submission queue %u (create it first)",
			    qid);
	if ((q->sq_tail + 1) % q->size == q->sq_head)
		return fail(-EBUSY, "submission queue %u is full (%u entries)",
			    qid, q->size);
	if (!(flags & NVR_RAW_CID)) {
		cmd->cid = q->next_cid++;
		if (q->next_cid == 0xffff)	/* FFFFh: "no command" */
			q->next_cid = 1;
	}
	slot = (uint8_t *)q->sq.va + (size_t)q->sq_tail * NVR_SQE_SIZE;
	memcpy(slot, cmd, sizeof(*cmd));
	q->sq_tail = (q->sq_tail + 1) % q->size;
	if (cid)
		*cid = cmd->cid;
	wr32(c, (uint32_t)nvr_doorbell_off(c, qid, 0), q->sq_tail);
	return 0;
}

/* The next new entry of CQ @q, consumed and its doorbell rung, or 0 */
static int cq_take(struct nvr_ctrl *c, struct nvr_queue *q,
		   struct nvr_cqe *cqe)
{
	volatile struct nvr_cqe *e;
	struct nvr_queue *sq;

	e = (volatile struct nvr_cqe *)((uint8_t *)q->cq.va +
					(size_t)q->cq_head * NVR_CQE_SIZE);
	if ((e->sf & 1) != q->phase)
		return 0;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	cqe->dw0 = e->dw0;
	cqe->dw1 = e->dw1;
	cqe->sqhd = e->sqhd;
	cqe->sqid = e->sqid;
	cqe->cid = e->cid;
	cqe->sf = e->sf;
	if (++q->cq_head == q->size) {
		q->cq_head = 0;
		q->phase ^= 1;
	}
	/*
	 * Only an SQ that posts to this CQ: its owner polls this CQ, so a
	 * thread driving its own queue pair never writes another thread's
	 * queue, whatever SQID a completion claims.
	 */
	sq = cqe->sqid <= NVR_MAX_QID ? c->q[cqe->sqid] : NULL;
	if (sq && sq->cqid == q->qid && cqe->sqhd < sq->size) {
		if ((cqe->sqhd + sq->size - sq->sq_head) % sq->size >
		    (sq->sq_tail + sq->size - sq->sq_head) % sq->size)
			sq->sqhd_odd++;
		sq->sq_head = cqe->sqhd;
	}
	wr32(c, (uint32_t)nvr_doorbell_off(c, q->qid, 1), q->cq_head);
	return 1;
}

static void stash_put(struct nvr_queue *q, const struct nvr_cqe *cqe)
{
	if (q->nstash == NVR_STASH) {
		/* nobody asked for the oldest: drop it */
		memmove(q->stash, q->stash + 1,
			(NVR_STASH - 1) * sizeof(q->stash[0]));
		q->nstash--;
	}
	q->stash[q->nstash++] = *cqe;
}

typedef int (*cqe_match)(struct nvr_ctrl *c, const struct nvr_cqe *cqe,
			 const void *arg);

static int stash_take(struct nvr_ctrl *c, struct nvr_queue *q, cqe_match m,
		      const void *arg, struct nvr_cqe *cqe)
{
	unsigned int i;

	for (i = 0; i < q->nstash; i++) {
		if (!m(c, &q->stash[i], arg))
			continue;
		*cqe = q->stash[i];
		memmove(q->stash + i, q->stash + i + 1,
			(q->nstash - i - 1) * sizeof(q->stash[0]));
		q->nstash--;
		return 1;
	}
	return 0;
}

static int wait_match(struct nvr_ctrl *c, uint16_t cqid, cqe_match m,
		      const void *arg, unsigned int timeout_ms,
		      struct nvr_cqe *cqe, const char *what)
{
	struct nvr_queue *q = cqid <= NVR_MAX_QID ? c->q[cqid] : NULL;
	uint64_t start = now_ms(), csts_at = start;
	unsigned int loops = 0;
	uint32_t csts = 0;

	if (!q)
		return fail(-ENOENT, "no completion queue %u", cqid);
	if (stash_take(c, q, m, arg, cqe))
		return 0;
	for (;;) {
		while (cq_take(c, q, cqe)) {
			if (m(c, cqe, arg))
				return 0;
			stash_put(q, cqe);
		}
		if (now_ms() - csts_at >= CSTS_CHECK_MS) {
			csts_at = now_ms();
			csts = rd32(c, NVR_REG_CSTS);
		}
		if (now_ms() - start >= timeout_ms)
			break;
		poll_pause(c, &loops);
	}
	return fail(-ETIMEDOUT, "no completion for %s on CQ %u within %u ms (CSTS 0x%x%s)",
		    what, cqid, timeout_ms, csts,
		    csts & NVR_CSTS_CFS ? ": Controller Fatal Status" : "");
}

struct cid_arg {
	uint16_t sqid, cid;
};

static int match_cid(struct nvr_ctrl *c, const struct nvr_cqe *cqe,
		     const void *arg)
{
	const struct cid_arg *a = arg;

	(void)c;
	return cqe->sqid == a->sqid && cqe->cid == a->cid;
}

static int match_any(struct nvr_ctrl *c, const struct nvr_cqe *cqe,
		     const void *arg)
{
	(void)c;
	(void)cqe;
	(void)arg;
	return 1;
}

int nvr_wait(struct nvr_ctrl *c, uint16_t qid, uint16_t cid,
	     unsigned int timeout_ms, struct nvr_cqe *cqe)
{
	struct cid_arg a = { qid, cid };
	char what[48];

	if (qid > NVR_MAX_QID || !c->q[qid])
		return fail(-ENOENT, "no queue %u", qid);
	snprintf(what, sizeof(what), "command %u of SQ %u", cid, qid);
	return wait_match(c, c->q[qid]->cqid, match_cid, &a, timeout_ms, cqe,
			  what);
}

int nvr_reap(struct nvr_ctrl *c, uint16_t cqid, unsigned int timeout_ms,
	     struct nvr_cqe *cqe)
{
	return wait_match(c, cqid, match_any, NULL, timeout_ms, cqe,
			  "any command");
}

int nvr_poll(struct nvr_ctrl *c, uint16_t cqid, struct nvr_cqe *cqe)
{
	struct nvr_queue *q = cqid <= NVR_MAX_QID ? c->q[cqid] : NULL;

	if (!q)
		return fail(-ENOENT, "no completion queue %u", cqid);
	if (stash_take(c, q, match_any, NULL, cqe))
		return 1;
	return cq_take(c, q, cqe);
}

int nvr_cmd(struct nvr_ctrl *c, uint16_t qid, struct nvr_sqe *cmd,
	    unsigned int timeout_ms, struct nvr_cqe *cqe)
{
	uint16_t cid;
	int ret = nvr_submit(c, qid, cmd, 0, &cid);

	return ret ? ret : nvr_wait(c, qid, cid, timeout_ms, cqe);
}

/* ---- controller state ---- */

/*
 * Wait until (CSTS & @mask) == @want.  When @mask has CFS and @want does
 * not have it cleared on purpose (i.e. @want sets RDY), a fatal status
 * ends the wait at once: the controller will not get there.
 */
static int wait_csts(struct nvr_ctrl *c, uint32_t mask, uint32_t want,
		     const char *what)
{
	uint64_t start = now_ms();
	unsigned int loops = 0;
	uint32_t csts;

	for (;;) {
		csts = rd32(c, NVR_REG_CSTS);
		if (csts == ~0u)
			return fail(-ENODEV, "CSTS reads all ones while waiting for %s (device gone?)",
				    what);
		if ((csts & mask) == want)
			return 0;
		if ((want & NVR_CSTS_RDY) && (mask & csts & NVR_CSTS_CFS))
			return fail(-EIO, "Controller Fatal Status (CSTS 0x%x) while waiting for %s",
				    csts, what);
		if (now_ms() - start >= c->ready_ms)
			break;
		poll_pause(c, &loops);
	}
	return fail(-ETIMEDOUT, "timeout: %s not reached within %u ms (CAP.TO); CSTS 0x%x",
		    what, c->ready_ms, csts);
}

int nvr_ctrl_disable(struct nvr_ctrl *c)
{
	uint32_t cc = rd32(c, NVR_REG_CC);
	int ret;

	c->naer = 0;
	if (cc & NVR_CC_EN) {
		/*
		 * CC.EN should not change while CSTS.RDY disagrees (3.5.1),
		 * unless the controller is dead anyway (CSTS.CFS)
		 */
		wait_csts(c, NVR_CSTS_RDY | NVR_CSTS_CFS, NVR_CSTS_RDY,
			  "CSTS.RDY = 1");
		wr32(c, NVR_REG_CC, cc & ~NVR_CC_EN);
	}
	/*
	 * The reset also ends a fatal status: wait for CSTS.CFS to clear as
	 * well, or the next enable would see the old CFS before the
	 * controller has noticed the reset (RDY may have been 0 all along).
	 */
	ret = wait_csts(c, NVR_CSTS_RDY | NVR_CSTS_CFS, 0,
			"CSTS.RDY = 0 and CSTS.CFS = 0 after CC.EN = 0");
	queues_free(c);
	return ret;
}

int nvr_ctrl_reset(struct nvr_ctrl *c, uint32_t aq_entries)
{
	struct nvr_queue *q;
	uint32_t cc;
	int ret;

	if (aq_entries < 2 || aq_entries > 4096)
		return fail(-EINVAL, "admin queue of %u entries: use 2..4096",
			    aq_entries);
	if (NVR_CAP_MPSMIN(c->cap) != 0)
		return fail(-EOPNOTSUPP, "CAP.MPSMIN %u: the controller does not take 4 KiB pages",
			    NVR_CAP_MPSMIN(c->cap));
	ret = nvr_ctrl_disable(c);
	if (ret)
		return ret;
	ret = nvr_queue_alloc(c, 0, aq_entries, &q);
	if (ret)
		return ret;
	wr32(c, NVR_REG_AQA, (aq_entries - 1) << 16 | (aq_entries - 1));
	nvr_reg_write64(c, NVR_REG_ASQ, q->sq_base);
	nvr_reg_write64(c, NVR_REG_ACQ, q->cq_base);
	cc = NVR_CC_EN | NVR_CC_IOSQES | NVR_CC_IOCQES;
	/* CAP.CSS bit 6: "all supported I/O command sets" may be chosen */
	cc |= (NVR_CAP_CSS(c->cap) & 0x40) ? NVR_CC_CSS_ALL : NVR_CC_CSS_NVM;
	wr32(c, NVR_REG_CC, cc);
	ret = wait_csts(c, NVR_CSTS_RDY | NVR_CSTS_CFS, NVR_CSTS_RDY,
			"CSTS.RDY = 1 after CC.EN = 1");
	if (ret)
		return ret;
	/* pin-based and MSI interrupts masked: nobody listens (3.1.3) */
	wr32(c, NVR_REG_INTMS, ~0u);
	return 0;
}

int nvr_ctrl_shutdown(struct nvr_ctrl *c)
{
	uint32_t cc = rd32(c, NVR_REG_CC);

	wr32(c, NVR_REG_CC, (cc & ~NVR_CC_SHN_MASK) | NVR_CC_SHN_NORMAL);
	return wait_csts(c, NVR_CSTS_SHST_MASK, NVR_CSTS_SHST_DONE,
			 "CSTS.SHST = shutdown complete after CC.SHN = 01b");
}

/* ---- commands ---- */

void nvr_cmd_create_cq(struct nvr_sqe *cmd, uint16_t qid, uint32_t entries,
		       uint64_t base)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->opc = NVR_ADM_CREATE_CQ;
	cmd->prp1 = base;
	cmd->cdw10 = (entries - 1) << 16 | qid;	/* QSIZE is 0's based */
	cmd->cdw11 = 1;				/* PC = 1, IEN = 0, IV = 0 */
}

void nvr_cmd_create_sq(struct nvr_sqe *cmd, uint16_t qid, uint32_t entries,
		       uint16_t cqid, uint64_t base)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->opc = NVR_ADM_CREATE_SQ;
	cmd->prp1 = base;
	cmd->cdw10 = (entries - 1) << 16 | qid;
	cmd->cdw11 = (uint32_t)cqid << 16 | 1;	/* CQID, QPRIO 0, PC = 1 */
}

void nvr_cmd_delete_q(struct nvr_sqe *cmd, uint8_t opc, uint16_t qid)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->opc = opc;
	cmd->cdw10 = qid;
}

void nvr_cmd_identify(struct nvr_sqe *cmd, uint8_t cns, uint32_t nsid,
		      uint64_t prp1)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->opc = NVR_ADM_IDENTIFY;
	cmd->nsid = nsid;
	cmd->prp1 = prp1;
	cmd->cdw10 = cns;
}

void nvr_cmd_rw(struct nvr_sqe *cmd, uint8_t opc, uint32_t nsid,
		uint64_t slba, uint32_t nblocks)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->opc = opc;
	cmd->nsid = nsid;
	cmd->cdw10 = (uint32_t)slba;
	cmd->cdw11 = (uint32_t)(slba >> 32);
	cmd->cdw12 = (nblocks - 1) & 0xffff;	/* NLB is 0's based */
}

/* An admin command that must succeed: -EIO with the status otherwise */
static int admin_ok(struct nvr_ctrl *c, struct nvr_sqe *cmd, uint16_t *status,
		    const char *what)
{
	struct nvr_cqe cqe;
	char name[96];
	int ret = nvr_cmd(c, 0, cmd, c->timeout_ms, &cqe);

	if (status)
		*status = ret ? 0xffff : nvr_status(&cqe);
	if (ret)
		return ret;
	if (nvr_status(&cqe))
		return fail(-EIO, "%s: status 0x%x (%s)", what,
			    nvr_status(&cqe),
			    nvr_status_str(nvr_status(&cqe), name,
					   sizeof(name)));
	return 0;
}

int nvr_ioq_create(struct nvr_ctrl *c, uint16_t qid, uint32_t entries,
		   uint16_t *status)
{
	struct nvr_queue *q;
	struct nvr_sqe cmd;
	char what[40];
	int ret;

	if (!qid)
		return fail(-EINVAL, "queue 0 is the admin queue");
	ret = nvr_queue_alloc(c, qid, entries, &q);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "Create I/O CQ %u", qid);
	nvr_cmd_create_cq(&cmd, qid, entries, q->cq_base);
	ret = admin_ok(c, &cmd, status, what);
	if (ret) {
		nvr_queue_free(c, qid);
		return ret;
	}
	snprintf(what, sizeof(what), "Create I/O SQ %u", qid);
	nvr_cmd_create_sq(&cmd, qid, entries, qid, q->sq_base);
	ret = admin_ok(c, &cmd, status, what);
	if (ret) {
		nvr_cmd_delete_q(&cmd, NVR_ADM_DELETE_CQ, qid);
		admin_ok(c, &cmd, NULL, "Delete I/O CQ");
		nvr_queue_free(c, qid);
	}
	return ret;
}

int nvr_ioq_delete(struct nvr_ctrl *c, uint16_t qid, uint16_t *status)
{
	struct nvr_sqe cmd;
	int ret, ret2;

	nvr_cmd_delete_q(&cmd, NVR_ADM_DELETE_SQ, qid);
	ret = admin_ok(c, &cmd, status, "Delete I/O SQ");
	nvr_cmd_delete_q(&cmd, NVR_ADM_DELETE_CQ, qid);
	ret2 = admin_ok(c, &cmd, ret ? NULL : status, "Delete I/O CQ");
	/* the memory may still be the controller's if a delete failed */
	if (!ret && !ret2)
		nvr_queue_free(c, qid);
	return ret ? ret : ret2;
}

int nvr_identify(struct nvr_ctrl *c, uint8_t cns, uint32_t nsid,
		 struct nvr_dma *buf, uint16_t *status)
{
	struct nvr_sqe cmd;
	char what[40];

	snprintf(what, sizeof(what), "Identify CNS %u", cns);
	nvr_cmd_identify(&cmd, cns, nsid, buf->phys[0]);
	return admin_ok(c, &cmd, status, what);
}

/* ---- asynchronous events ---- */

int nvr_aer_post(struct nvr_ctrl *c, uint16_t *cid)
{
	struct nvr_sqe cmd = { .opc = NVR_ADM_ASYNC_EVENT };
	uint16_t id;
	int ret;

	if (c->naer == sizeof(c->aer_cid) / sizeof(c->aer_cid[0]))
		return fail(-EBUSY, "%u AERs outstanding already", c->naer);
	ret = nvr_submit(c, 0, &cmd, 0, &id);
	if (ret)
		return ret;
	c->aer_cid[c->naer++] = id;
	if (cid)
		*cid = id;
	return 0;
}

static int match_aer(struct nvr_ctrl *c, const struct nvr_cqe *cqe,
		     const void *arg)
{
	unsigned int i;

	(void)arg;
	if (cqe->sqid != 0)
		return 0;
	for (i = 0; i < c->naer; i++)
		if (c->aer_cid[i] == cqe->cid)
			return 1;
	return 0;
}

int nvr_aer_wait(struct nvr_ctrl *c, unsigned int timeout_ms,
		 struct nvr_cqe *cqe)
{
	unsigned int i;
	int ret;

	if (!c->naer)
		return fail(-ENOENT, "no Asynchronous Event Request outstanding");
	ret = wait_match(c, 0, match_aer, NULL, timeout_ms, cqe,
			 "an Asynchronous Event Request");
	if (ret)
		return ret;
	for (i = 0; i < c->naer; i++) {
		if (c->aer_cid[i] != cqe->cid)
			continue;
		c->aer_cid[i] = c->aer_cid[--c->naer];
		break;
	}
	return 0;
}

/* ---- close ---- */

void nvr_close(struct nvr_ctrl *c)
{
	unsigned int i;
	uint32_t cc;

	if (!c)
		return;
	cc = rd32(c, NVR_REG_CC);
	if ((cc & NVR_CC_EN) && (rd32(c, NVR_REG_CSTS) & NVR_CSTS_RDY)) {
		/* I/O queues first, as a host should before shutdown */
		for (i = NVR_MAX_QID; c->q[0] && i > 0; i--)
			if (c->q[i])
				nvr_ioq_delete(c, (uint16_t)i, NULL);
		nvr_ctrl_shutdown(c);
	}
	nvr_ctrl_disable(c);
	queues_free(c);
	if (c->bar_fd < 0) {		/* fake: the caller owns the BAR */
		free(c);
		return;
	}
	release(c);
}
