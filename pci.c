// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: the virtual PCI function.
 *
 * A root bus on a PCI domain of its own, with one function whose config
 * space lives in memory.  BAR0 is the start of the reserved region, so the
 * nvme driver's register and doorbell writes land in RAM that the
 * dispatcher polls.  Interrupts are raised by retriggering the Linux irq
 * behind the MSI-X (or MSI) vector the host programmed.
 *
 * The function can be removed and found again like a hot-plugged one
 * (sysfs "remove", then "rescan"): a notifier on the PCI bus follows the
 * pci_dev of each controller's bus, claims BAR0 for every new one before
 * the PCI core would assign it elsewhere, and forgets one being removed.
 *
 * This file knows nothing of NVMe commands.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/pci.h>
#include <linux/pci_regs.h>
#include <linux/irq.h>
#include <linux/msi.h>
#include <linux/slab.h>
#include <linux/iommu.h>

#include "nvmev.h"

/* Capability layout in config space */
#define CAP_PM		0x40
#define CAP_MSIX	0x50
#define CAP_MSI		0x60
#define CAP_EXP		0x70

static struct nvmev_ctrl *bus_to_ctrl(struct pci_bus *bus)
{
	return container_of(bus->sysdata, struct nvmev_ctrl, sysdata);
}

static void cfg_put(u8 *p, unsigned int off, unsigned int len, u32 v)
{
	while (len--) {
		p[off++] = v & 0xff;
		v >>= 8;
	}
}

static u32 cfg_get(const u8 *p, unsigned int off, unsigned int len)
{
	u32 v = 0;

	while (len--)
		v = (v << 8) | p[off + len];
	return v;
}

static void cfg_set(struct nvmev_ctrl *ctrl, unsigned int off,
		    unsigned int len, u32 val, u32 wmask)
{
	cfg_put(ctrl->cfg, off, len, val);
	cfg_put(ctrl->cfg_wmask, off, len, wmask);
}

static void cfg_build(struct nvmev_ctrl *ctrl)
{
	u64 bar = ctrl->phys;

	memset(ctrl->cfg, 0, sizeof(ctrl->cfg));
	memset(ctrl->cfg_wmask, 0, sizeof(ctrl->cfg_wmask));

	cfg_set(ctrl, PCI_VENDOR_ID, 2, NVMEV_PCI_VENDOR, 0);
	cfg_set(ctrl, PCI_DEVICE_ID, 2, NVMEV_PCI_DEVICE, 0);
	cfg_set(ctrl, PCI_COMMAND, 2, 0,
		PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
		PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
	cfg_set(ctrl, PCI_STATUS, 2, PCI_STATUS_CAP_LIST, 0);
	cfg_set(ctrl, PCI_CLASS_REVISION, 4,
		(PCI_CLASS_STORAGE_EXPRESS << 8) | 0x01, 0);
	cfg_set(ctrl, PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_NORMAL, 0);
	/* BAR0/1: 64-bit non-prefetchable memory; writes handled apart */
	cfg_set(ctrl, PCI_BASE_ADDRESS_0, 4,
		lower_32_bits(bar) | PCI_BASE_ADDRESS_MEM_TYPE_64, 0);
	cfg_set(ctrl, PCI_BASE_ADDRESS_1, 4, upper_32_bits(bar), 0);
	cfg_set(ctrl, PCI_SUBSYSTEM_VENDOR_ID, 2, NVMEV_PCI_VENDOR, 0);
	cfg_set(ctrl, PCI_SUBSYSTEM_ID, 2, NVMEV_PCI_DEVICE, 0);
	cfg_set(ctrl, PCI_CAPABILITY_LIST, 1, CAP_PM, 0);
	cfg_set(ctrl, PCI_INTERRUPT_LINE, 1, 0, 0xff);
	cfg_set(ctrl, PCI_INTERRUPT_PIN, 1, 0, 0);	/* no INTx */

	/* Power management: D0 only */
	cfg_set(ctrl, CAP_PM + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_PM, 0);
	cfg_set(ctrl, CAP_PM + PCI_CAP_LIST_NEXT, 1,
		ctrl->msix ? CAP_MSIX : CAP_MSI, 0);
	cfg_set(ctrl, CAP_PM + PCI_PM_PMC, 2, 3, 0);
	cfg_set(ctrl, CAP_PM + PCI_PM_CTRL, 2, PCI_PM_CTRL_NO_SOFT_RESET, 0);

	/* MSI-X: table and PBA in BAR0 */
	cfg_set(ctrl, CAP_MSIX + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_MSIX, 0);
	cfg_set(ctrl, CAP_MSIX + PCI_CAP_LIST_NEXT, 1, CAP_MSI, 0);
	cfg_set(ctrl, CAP_MSIX + PCI_MSIX_FLAGS, 2, NVMEV_NR_VECTORS - 1,
		PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	cfg_set(ctrl, CAP_MSIX + PCI_MSIX_TABLE, 4, NVMEV_MSIX_TABLE_OFF, 0);
	cfg_set(ctrl, CAP_MSIX + PCI_MSIX_PBA, 4, NVMEV_MSIX_PBA_OFF, 0);

	/* MSI, one 64-bit vector: the fallback when MSI-X is not used */
	cfg_set(ctrl, CAP_MSI + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_MSI, 0);
	cfg_set(ctrl, CAP_MSI + PCI_CAP_LIST_NEXT, 1, CAP_EXP, 0);
	cfg_set(ctrl, CAP_MSI + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_64BIT,
		PCI_MSI_FLAGS_ENABLE);
	cfg_set(ctrl, CAP_MSI + PCI_MSI_ADDRESS_LO, 4, 0, 0xfffffffc);
	cfg_set(ctrl, CAP_MSI + PCI_MSI_ADDRESS_HI, 4, 0, 0xffffffff);
	cfg_set(ctrl, CAP_MSI + PCI_MSI_DATA_64, 2, 0, 0xffff);

	/* PCI Express endpoint, Gen3 x4 */
	cfg_set(ctrl, CAP_EXP + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_EXP, 0);
	cfg_set(ctrl, CAP_EXP + PCI_CAP_LIST_NEXT, 1, 0, 0);
	cfg_set(ctrl, CAP_EXP + PCI_EXP_FLAGS, 2,
		2 | (PCI_EXP_TYPE_ENDPOINT << 4), 0);
	cfg_set(ctrl, CAP_EXP + PCI_EXP_DEVCAP, 4, 1 /* 256 B payload */, 0);
	cfg_set(ctrl, CAP_EXP + PCI_EXP_DEVCTL, 2, 0, 0x7fff);
	cfg_set(ctrl, CAP_EXP + PCI_EXP_LNKCAP, 4, 3 | (4 << 4), 0);
	cfg_set(ctrl, CAP_EXP + PCI_EXP_LNKCTL, 2, 0, 0x0fff);
	cfg_set(ctrl, CAP_EXP + PCI_EXP_LNKSTA, 2, 3 | (4 << 4), 0);
	cfg_set(ctrl, CAP_EXP + PCI_EXP_DEVCTL2, 2, 0, 0xffff);
}

static int nvmev_cfg_read(struct pci_bus *bus, unsigned int devfn, int where,
			  int size, u32 *val)
{
	struct nvmev_ctrl *ctrl = bus_to_ctrl(bus);
	unsigned long flags;

	if (devfn != 0 || where < 0 || where + size > PCI_CFG_SPACE_EXP_SIZE) {
		*val = ~0U;
		return PCIBIOS_DEVICE_NOT_FOUND;
	}
	if (READ_ONCE(ctrl->gone)) {	/* surprise-removed: all ones */
		*val = size == 4 ? ~0U : (1U << (size * 8)) - 1;
		return PCIBIOS_SUCCESSFUL;
	}
	spin_lock_irqsave(&ctrl->cfg_lock, flags);
	if ((where & ~3) == PCI_BASE_ADDRESS_0 && (ctrl->bar_sizing & 1))
		*val = cfg_get((u8 *)&(u32){ ~(NVMEV_BAR_SIZE - 1) |
				PCI_BASE_ADDRESS_MEM_TYPE_64 }, where & 3, size);
	else if ((where & ~3) == PCI_BASE_ADDRESS_1 && (ctrl->bar_sizing & 2))
		*val = cfg_get((u8 *)&(u32){ ~0U }, where & 3, size);
	else
		*val = cfg_get(ctrl->cfg, where, size);
	spin_unlock_irqrestore(&ctrl->cfg_lock, flags);
	return PCIBIOS_SUCCESSFUL;
}

static int nvmev_cfg_write(struct pci_bus *bus, unsigned int devfn, int where,
			   int size, u32 val)
{
	struct nvmev_ctrl *ctrl = bus_to_ctrl(bus);
	unsigned long flags;
	u16 msix_before, msix_after;
	int i;

	if (devfn != 0 || where < 0 || where + size > PCI_CFG_SPACE_EXP_SIZE)
		return PCIBIOS_DEVICE_NOT_FOUND;
	if (READ_ONCE(ctrl->gone))
		return PCIBIOS_SUCCESSFUL;	/* nobody there to take it */

	spin_lock_irqsave(&ctrl->cfg_lock, flags);
	/*
	 * BAR0 sits at a fixed address: all-ones starts sizing, anything else
	 * ends it; the address itself never moves.
	 */
	if ((where & ~3) == PCI_BASE_ADDRESS_0 && size == 4) {
		ctrl->bar_sizing = (ctrl->bar_sizing & ~1) | (val == ~0U);
		goto out;
	}
	if ((where & ~3) == PCI_BASE_ADDRESS_1 && size == 4) {
		ctrl->bar_sizing = (ctrl->bar_sizing & ~2) | ((val == ~0U) << 1);
		goto out;
	}
	msix_before = cfg_get(ctrl->cfg, CAP_MSIX + PCI_MSIX_FLAGS, 2);
	for (i = 0; i < size; i++) {
		u8 m = ctrl->cfg_wmask[where + i];
		u8 b = (val >> (8 * i)) & 0xff;

		ctrl->cfg[where + i] = (ctrl->cfg[where + i] & ~m) | (b & m);
	}
	msix_after = cfg_get(ctrl->cfg, CAP_MSIX + PCI_MSIX_FLAGS, 2);
	/* Vectors may be reassigned whenever MSI or MSI-X is toggled. */
	if ((where >= CAP_MSIX && where < CAP_EXP) &&
	    msix_before != msix_after) {
		for (i = 0; i < NVMEV_NR_VECTORS; i++)
			WRITE_ONCE(ctrl->vecs[i].virq, 0);
	}
	if (where >= CAP_MSI && where < CAP_EXP)
		WRITE_ONCE(ctrl->vecs[0].virq, 0);
	if ((msix_before & PCI_MSIX_FLAGS_MASKALL) &&
	    !(msix_after & PCI_MSIX_FLAGS_MASKALL))
		atomic_set(&ctrl->vec_pending, 1);
out:
	spin_unlock_irqrestore(&ctrl->cfg_lock, flags);
	return PCIBIOS_SUCCESSFUL;
}

static struct pci_ops nvmev_pci_ops = {
	.read = nvmev_cfg_read,
	.write = nvmev_cfg_write,
};

static u16 cfg_read16(struct nvmev_ctrl *ctrl, unsigned int off)
{
	return READ_ONCE(*(u16 *)&ctrl->cfg[off]);
}

/*
 * Resolve the Linux irq for @vector.  May sleep (msi_get_virq() takes the
 * device's MSI descriptor mutex), so only threads call this.  The pci_dev
 * may be going away (sysfs remove): its lock keeps it while it is asked.
 */
static unsigned int vec_to_virq(struct nvmev_ctrl *ctrl, unsigned int vector,
				struct nvmev_vec *v, bool msix)
{
	unsigned int virq = READ_ONCE(v->virq);

	if (virq)
		return virq;
	mutex_lock(&ctrl->pdev_lock);
	if (ctrl->pdev) {
		virq = msix ? msi_get_virq(&ctrl->pdev->dev, vector) :
			      pci_irq_vector(ctrl->pdev, 0);
		if ((int)virq < 0)
			virq = 0;
		WRITE_ONCE(v->virq, virq);
	}
	mutex_unlock(&ctrl->pdev_lock);
	return virq;
}

static void fire(unsigned int virq)
{
	struct irq_data *d = irq_get_irq_data(virq);
	struct irq_chip *chip = d ? irq_data_get_irq_chip(d) : NULL;

	if (chip && chip->irq_retrigger)
		chip->irq_retrigger(d);
}

/*
 * Raise interrupt @vector as the device would: respect the function mask
 * and per-vector mask bits, remembering a masked vector as pending in the
 * PBA, to be delivered when unmasked.
 */
void nvmev_signal_irq(struct nvmev_ctrl *ctrl, unsigned int vector)
{
	u16 msix = cfg_read16(ctrl, CAP_MSIX + PCI_MSIX_FLAGS);
	struct nvmev_vec *v;
	unsigned int virq;

	if (vector >= NVMEV_NR_VECTORS)
		return;
	v = &ctrl->vecs[vector];

	if (msix & PCI_MSIX_FLAGS_ENABLE) {
		u32 *ent = ctrl->bar + NVMEV_MSIX_TABLE_OFF +
			   vector * PCI_MSIX_ENTRY_SIZE;
		u32 *pba = ctrl->bar + NVMEV_MSIX_PBA_OFF;
		u32 lo = READ_ONCE(ent[0]), hi = READ_ONCE(ent[1]);
		u32 data = READ_ONCE(ent[2]);

		if ((msix & PCI_MSIX_FLAGS_MASKALL) ||
		    (READ_ONCE(ent[3]) & PCI_MSIX_ENTRY_CTRL_MASKBIT)) {
			set_bit(vector, (unsigned long *)pba);
			WRITE_ONCE(v->pending, true);
			atomic_set(&ctrl->vec_pending, 1);
			return;
		}
		if (lo != v->addr_lo || hi != v->addr_hi || data != v->data) {
			v->addr_lo = lo;
			v->addr_hi = hi;
			v->data = data;
			WRITE_ONCE(v->virq, 0);
		}
		virq = vec_to_virq(ctrl, vector, v, true);
	} else if (cfg_read16(ctrl, CAP_MSI + PCI_MSI_FLAGS) &
		   PCI_MSI_FLAGS_ENABLE) {
		/* Single-message MSI: every queue shares vector 0 */
		virq = vec_to_virq(ctrl, 0, &ctrl->vecs[0], false);
	} else {
		return;		/* no INTx; polled queues need no interrupt */
	}
	if (virq)
		fire(virq);
}

/* Deliver vectors that were raised while masked and are unmasked now. */
void nvmev_deliver_pending_irqs(struct nvmev_ctrl *ctrl)
{
	u16 msix = cfg_read16(ctrl, CAP_MSIX + PCI_MSIX_FLAGS);
	u32 *pba = ctrl->bar + NVMEV_MSIX_PBA_OFF;
	bool still = false;
	unsigned int i;

	atomic_set(&ctrl->vec_pending, 0);
	for (i = 0; i < NVMEV_NR_VECTORS; i++) {
		u32 *ent = ctrl->bar + NVMEV_MSIX_TABLE_OFF +
			   i * PCI_MSIX_ENTRY_SIZE;

		if (!READ_ONCE(ctrl->vecs[i].pending))
			continue;
		if (!(msix & PCI_MSIX_FLAGS_ENABLE)) {
			WRITE_ONCE(ctrl->vecs[i].pending, false);
			clear_bit(i, (unsigned long *)pba);
			continue;
		}
		if ((msix & PCI_MSIX_FLAGS_MASKALL) ||
		    (READ_ONCE(ent[3]) & PCI_MSIX_ENTRY_CTRL_MASKBIT)) {
			still = true;
			continue;
		}
		WRITE_ONCE(ctrl->vecs[i].pending, false);
		clear_bit(i, (unsigned long *)pba);
		nvmev_signal_irq(ctrl, i);
	}
	/* Per-vector unmasking is a BAR write we cannot see: keep looking. */
	if (still)
		atomic_set(&ctrl->vec_pending, 1);
}

static int pick_domain(void)
{
	int domain;

	for (domain = NVMEV_PCI_DOMAIN_BASE; domain < NVMEV_PCI_DOMAIN_BASE + 256;
	     domain++) {
		if (!pci_find_bus(domain, 0))
			return domain;
	}
	return -EBUSY;
}

/*
 * The device's virtual PCI domain belongs to no IOMMU unit on the machines
 * seen so far (DMAR units cover PCI segments of the firmware's tables), so
 * the DMA API hands the nvme driver physical addresses, even with
 * intel_iommu=on.  Should an IOMMU ever translate for it, the addresses
 * the driver puts into commands would not be physical ones: refuse then.
 * (The IOMMU core attaches its domain when the device is added, before
 * this module's notifier runs.)
 */
static bool dma_translated(struct pci_dev *pdev)
{
	struct iommu_domain *dom = iommu_get_domain_for_dev(&pdev->dev);

	return dom && dom->type != IOMMU_DOMAIN_IDENTITY;
}

/*
 * A pci_dev appears on @ctrl's bus (at creation, or by a rescan after a
 * remove): claim BAR0 where it is, in the reserved range, so that the PCI
 * core neither moves it nor refuses to enable it, and remember the device.
 */
static void pdev_added(struct nvmev_ctrl *ctrl, struct pci_dev *pdev)
{
	struct resource *res = &pdev->resource[0];

	if (pdev->devfn != 0)
		return;
	if (dma_translated(pdev)) {
		pr_err("%s: an IOMMU translates DMA for %s, but nvmev reads host memory at physical addresses: boot with iommu=pt (or without the IOMMU for this PCI domain)\n",
		       ctrl->name, pci_name(pdev));
		return;
	}
	if (nvmev_claim(res, pci_name(pdev), res->start, res->end)) {
		res->parent = NULL;
		return;
	}
	mutex_lock(&ctrl->pdev_lock);
	if (!ctrl->pdev)	/* one function per bus: never two at once */
		ctrl->pdev = pci_dev_get(pdev);
	mutex_unlock(&ctrl->pdev_lock);
}

/* The pci_dev of @ctrl goes (sysfs remove, or the bus is torn down). */
static void pdev_removed(struct nvmev_ctrl *ctrl, struct pci_dev *pdev)
{
	unsigned int i;

	mutex_lock(&ctrl->pdev_lock);
	if (ctrl->pdev != pdev) {
		mutex_unlock(&ctrl->pdev_lock);
		return;
	}
	ctrl->pdev = NULL;
	for (i = 0; i < NVMEV_NR_VECTORS; i++)
		WRITE_ONCE(ctrl->vecs[i].virq, 0);
	mutex_unlock(&ctrl->pdev_lock);
	pci_dev_put(pdev);
}

static int pci_notify(struct notifier_block *nb, unsigned long action,
		      void *data)
{
	struct pci_dev *pdev = to_pci_dev(data);

	if (pdev->bus->ops != &nvmev_pci_ops)
		return NOTIFY_DONE;
	if (action == BUS_NOTIFY_ADD_DEVICE)
		pdev_added(bus_to_ctrl(pdev->bus), pdev);
	else if (action == BUS_NOTIFY_DEL_DEVICE)
		pdev_removed(bus_to_ctrl(pdev->bus), pdev);
	return NOTIFY_OK;
}

static struct notifier_block pci_nb = {
	.notifier_call = pci_notify,
};

int nvmev_pci_init(void)
{
	return bus_register_notifier(&pci_bus_type, &pci_nb);
}

void nvmev_pci_exit(void)
{
	bus_unregister_notifier(&pci_bus_type, &pci_nb);
}

int nvmev_pci_create(struct nvmev_ctrl *ctrl)
{
	struct pci_bus *bus;
	int domain;

	spin_lock_init(&ctrl->cfg_lock);
	cfg_build(ctrl);
	WRITE_ONCE(ctrl->gone, false);

	domain = pick_domain();
	if (domain < 0) {
		pr_err("no free PCI domain for the virtual bus\n");
		return domain;
	}
	ctrl->sysdata.domain = domain;
	ctrl->sysdata.node = cpu_to_node(ctrl->cpus[0]);
	snprintf(ctrl->pci_name, sizeof(ctrl->pci_name), "%04x:00:00.0",
		 domain);

	pci_lock_rescan_remove();
	bus = pci_scan_bus(0, &nvmev_pci_ops, &ctrl->sysdata);
	if (!bus) {
		pci_unlock_rescan_remove();
		pr_err("cannot create the virtual PCI bus\n");
		return -ENODEV;
	}
	ctrl->bus = bus;
	if (!ctrl->pdev) {	/* pdev_added() could not claim BAR0 */
		pci_stop_root_bus(bus);
		pci_remove_root_bus(bus);
		pci_unlock_rescan_remove();
		ctrl->bus = NULL;
		return -EBUSY;
	}
	pci_bus_add_devices(bus);
	pci_unlock_rescan_remove();
	return 0;
}

void nvmev_pci_destroy(struct nvmev_ctrl *ctrl)
{
	pci_lock_rescan_remove();
	pci_stop_root_bus(ctrl->bus);
	pci_remove_root_bus(ctrl->bus);	/* pdev_removed() drops ctrl->pdev */
	pci_unlock_rescan_remove();
	ctrl->bus = NULL;
}

/*
 * The function stops answering (config space and registers all ones) and
 * nothing it was doing goes on.  The caller holds the dispatcher's lock.
 */
void nvmev_pci_vanish(struct nvmev_ctrl *ctrl)
{
	WRITE_ONCE(ctrl->gone, true);
	nvmev_ctrl_quiesce(ctrl);
	ctrl->ready = false;
	memset(ctrl->bar, 0xff, NVME_REG_DBS);
}

/* After nvmev_pci_vanish(): the PCI core removes the function. */
void nvmev_pci_unplug(struct nvmev_ctrl *ctrl)
{
	struct pci_dev *pdev;

	mutex_lock(&ctrl->pdev_lock);
	pdev = ctrl->pdev ? pci_dev_get(ctrl->pdev) : NULL;
	mutex_unlock(&ctrl->pdev_lock);
	if (pdev) {
		pci_stop_and_remove_bus_device_locked(pdev);
		pci_dev_put(pdev);
	}
}

/*
 * Surprise removal (fault injection, configfs "present"): the function
 * stops answering at once, as if pulled out.  Config reads return all
 * ones, so the nvme driver finds it gone (pci_device_is_present()), its
 * registers read all ones, its commands never complete; then the PCI core
 * removes it, as a hotplug controller would.  With @remove false it comes
 * back, a new device on the same bus with its storage as it was.  The
 * caller holds nvmev_cfg_lock.
 */
int nvmev_pci_surprise(struct nvmev_ctrl *ctrl, bool remove)
{
	unsigned long flags;

	lockdep_assert_held(&nvmev_cfg_lock);
	if (remove == READ_ONCE(ctrl->gone))
		return 0;
	if (remove) {
		nvmev_disp_lock(ctrl);
		nvmev_pci_vanish(ctrl);
		nvmev_disp_unlock(ctrl);
		pr_warn("%s: surprise removal of %s (injected)\n", ctrl->name,
			ctrl->pci_name);
		nvmev_pci_unplug(ctrl);
		return 0;
	}
	nvmev_disp_lock(ctrl);
	nvmev_regs_init(ctrl);
	nvmev_disp_unlock(ctrl);
	spin_lock_irqsave(&ctrl->cfg_lock, flags);
	cfg_build(ctrl);
	ctrl->bar_sizing = 0;
	spin_unlock_irqrestore(&ctrl->cfg_lock, flags);
	WRITE_ONCE(ctrl->gone, false);
	pr_info("%s: %s is back\n", ctrl->name, ctrl->pci_name);
	pci_lock_rescan_remove();
	pci_rescan_bus(ctrl->bus);
	pci_unlock_rescan_remove();
	return ctrl->pdev ? 0 : -EIO;
}
