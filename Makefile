# SPDX-License-Identifier: GPL-2.0-only
# Out-of-tree build of nvmev.ko: `make` builds against the installed kernel
# headers; `make KDIR=/path/to/kernel/build` against another tree.

# Default: the running kernel's headers, else the newest installed ones.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
		    $(lastword $(sort $(wildcard /lib/modules/*/build))))

ifneq ($(KERNELRELEASE),)
include $(src)/Kbuild
else
all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) CONFIG_NVMEV=m modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tests/unit clean 2>/dev/null || true

check:
	$(MAKE) -C tests/unit check

.PHONY: all modules clean check
endif
