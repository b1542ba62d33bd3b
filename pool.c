// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: the reserved region as a pool.
 *
 * Every controller takes 1 MiB for its registers, doorbells and superblock,
 * and every namespace a run of whole MiB for its storage.  Allocation is
 * first fit over a list of extents kept in address order, so the same
 * sequence of requests gives the same places (the module's own controller
 * relies on that to find its data again after a reload).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/list.h>
#include <linux/mutex.h>

#include "nvmev.h"

#define POOL_UNIT	SZ_1M

struct extent {
	struct list_head node;
	phys_addr_t start;
	u64 len;
	char owner[48];
};

static struct {
	phys_addr_t start;
	u64 size;
	struct resource res;
	bool present;
	struct list_head extents;	/* in address order */
	struct mutex lock;
} pool = {
	.extents = LIST_HEAD_INIT(pool.extents),
	.lock = __MUTEX_INITIALIZER(pool.lock),
};

int nvmev_pool_init(phys_addr_t start, u64 size)
{
	int ret;

	ret = nvmev_claim(&pool.res, NVMEV_NAME, start, start + size - 1);
	if (ret)
		return ret;
	pool.start = start;
	pool.size = size;
	pool.present = true;
	return 0;
}

void nvmev_pool_exit(void)
{
	struct extent *e, *tmp;

	list_for_each_entry_safe(e, tmp, &pool.extents, node) {
		pr_warn("pool: %s still holds %#llx+%llu at exit\n", e->owner,
			(u64)e->start, e->len);
		list_del(&e->node);
		kfree(e);
	}
	if (pool.present)
		remove_resource(&pool.res);
	pool.present = false;
}

bool nvmev_pool_present(void)
{
	return pool.present;
}

u64 nvmev_pool_size(void)
{
	return pool.present ? pool.size : 0;
}


/* Free space: the gaps between extents. Caller holds pool.lock. */
static void pool_free_space(u64 *total, u64 *largest)
{
	phys_addr_t cursor = pool.start;
	struct extent *e;

	lockdep_assert_held(&pool.lock);
	*total = 0;
	*largest = 0;
	list_for_each_entry(e, &pool.extents, node) {
		u64 gap = e->start - cursor;

		*total += gap;
		*largest = max(*largest, gap);
		cursor = e->start + e->len;
	}
	*total += pool.start + pool.size - cursor;
	*largest = max_t(u64, *largest, pool.start + pool.size - cursor);
}

u64 nvmev_pool_free_bytes(void)
{
	u64 total = 0, largest;

	mutex_lock(&pool.lock);
	if (pool.present)
		pool_free_space(&total, &largest);
	mutex_unlock(&pool.lock);
	return total;
}

/*
 * Take @len bytes (rounded up to whole MiB) at @want, or anywhere when
 * @want is 0.  -ENOSPC with a line saying what is free when it does not fit.
 */
int nvmev_pool_alloc(u64 len, phys_addr_t want, const char *owner,
		     phys_addr_t *out)
{
	phys_addr_t cursor, end;
	struct extent *e, *next = NULL, *new;
	u64 total, largest;

	if (!pool.present) {
		pr_err("%s: no reserved region: load nvmev with memmap_start= and memmap_size= (after booting with memmap=<size>$<start>)\n",
		       owner);
		return -ENODEV;
	}
	/* every sum below stays inside the pool: nothing wraps */
	if (!len || len > pool.size) {
		pr_err("%s: needs %llu bytes, but the reserved region has %llu MiB: reserve more with memmap= or ask for less\n",
		       owner, len, pool.size >> 20);
		return -ENOSPC;
	}
	len = round_up(len, POOL_UNIT);
	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	strscpy(new->owner, owner, sizeof(new->owner));

	mutex_lock(&pool.lock);
	cursor = pool.start;
	list_for_each_entry(e, &pool.extents, node) {
		end = want ? want : cursor;
		if (end >= cursor && end <= e->start && len <= e->start - end) {
			next = e;
			cursor = end;
			goto found;
		}
		cursor = e->start + e->len;
	}
	end = want ? want : cursor;
	if (end >= cursor && end <= pool.start + pool.size &&
	    len <= pool.start + pool.size - end) {
		cursor = end;
		goto found;
	}
	pool_free_space(&total, &largest);
	mutex_unlock(&pool.lock);
	kfree(new);
	pr_err("%s: needs %llu MiB of the reserved region, but only %llu MiB are free (largest free extent %llu MiB of %llu MiB): free other namespaces or reserve more with memmap=\n",
	       owner, len >> 20, total >> 20, largest >> 20, pool.size >> 20);
	return -ENOSPC;

found:
	new->start = cursor;
	new->len = len;
	if (next)
		list_add_tail(&new->node, &next->node);
	else
		list_add_tail(&new->node, &pool.extents);
	mutex_unlock(&pool.lock);
	*out = cursor;
	return 0;
}

void nvmev_pool_free(phys_addr_t addr)
{
	struct extent *e;

	mutex_lock(&pool.lock);
	list_for_each_entry(e, &pool.extents, node) {
		if (e->start == addr) {
			list_del(&e->node);
			kfree(e);
			break;
		}
	}
	mutex_unlock(&pool.lock);
}

/* Is any of [addr, end] in the reserved region? (Not host memory.) */
bool nvmev_pool_overlaps(u64 addr, u64 end)
{
	return pool.present && addr < pool.start + pool.size &&
	       end >= pool.start;
}

ssize_t nvmev_pool_show(char *buf, size_t size)
{
	u64 total = 0, largest = 0;
	struct extent *e;
	ssize_t n;

	mutex_lock(&pool.lock);
	if (pool.present)
		pool_free_space(&total, &largest);
	n = scnprintf(buf, size,
		      "start %#llx\nsize %llu\nfree %llu\nlargest_free %llu\n",
		      (u64)pool.start, pool.size, total, largest);
	list_for_each_entry(e, &pool.extents, node)
		n += scnprintf(buf + n, size - n, "extent %#llx %llu %s\n",
			       (u64)e->start, e->len, e->owner);
	mutex_unlock(&pool.lock);
	return n;
}
