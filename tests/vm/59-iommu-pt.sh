#!/bin/sh
# shellcheck shell=dash
# nvmev-vm-args: --iommu pt
#
# 59-iommu.sh with the IOMMU in passthrough for DMA (iommu=pt); interrupt
# remapping stays on.
IOMMU_P=iommu-pt
IOMMU_PT=1
# shellcheck source=tests/vm/59-iommu.sh
. /tests/59-iommu.sh
