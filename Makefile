# SPDX-License-Identifier: GPL-2.0-only
# Out-of-tree build of nvmev.ko: `make` builds against the installed kernel
# headers; `make KDIR=/path/to/kernel/build` against another tree.

# Default: the running kernel's headers, else the newest installed ones.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
		    $(lastword $(sort $(wildcard /lib/modules/*/build))))

# Kbuild reads the Kbuild file, never this one; should one read this,
# KBUILD_EXTMOD is set. Not KERNELRELEASE: dkms puts that on the command
# line of `make`.
ifneq ($(KBUILD_EXTMOD),)
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

# The release of the kernel in KDIR, as the module's vermagic and
# /lib/modules name it (UTS_RELEASE). Not `make kernelrelease`: with
# Debian's headers that says 6.1.192 for 6.1.0-57-amd64 (their build
# overrides it in .kernelvariables). modules_install is given the same
# release, so install, depmod and uninstall agree on the directory.
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
		$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
INSTALL_MOD_DIR ?= updates
MODDIR := $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)
# A distribution's headers have no signing key: no attempt to sign then
# (modules_install would print sign-file's errors and go on unsigned).
NO_SIGN := $(if $(wildcard $(KDIR)/certs/signing_key.x509),,CONFIG_MODULE_SIG_ALL=)

# `make install`: nvmev.ko into /lib/modules/$(KVER)/updates, then depmod.
# INSTALL_MOD_PATH=DIR installs under DIR instead and runs no depmod.
install: modules
	@test -n "$(KVER)" || { echo "install: no UTS_RELEASE in $(KDIR)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) KERNELRELEASE=$(KVER) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) $(NO_SIGN) modules_install
	@test -f $(MODDIR)/nvmev.ko || { echo "install: $(MODDIR)/nvmev.ko missing" >&2; exit 1; }
	$(if $(INSTALL_MOD_PATH),,depmod -a $(KVER))

uninstall:
	@test -n "$(KVER)" || { echo "uninstall: no UTS_RELEASE in $(KDIR)" >&2; exit 1; }
	rm -f $(MODDIR)/nvmev.ko $(MODDIR)/nvmev.ko.gz $(MODDIR)/nvmev.ko.xz $(MODDIR)/nvmev.ko.zst
	-rmdir $(MODDIR) 2>/dev/null
	$(if $(INSTALL_MOD_PATH),,depmod -a $(KVER))

# DKMS. VERSION comes from nvmev.h; dkms.conf must say the same.
VERSION := $(shell sed -n 's/^\#define NVMEV_VERSION[[:space:]]*"\(.*\)"/\1/p' $(CURDIR)/nvmev.h)
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(CURDIR)/dkms.conf)
# Where the package's source goes (dkms's --sourcetree), and more dkms
# options, e.g. DKMS_ARGS="--dkmstree DIR --installtree DIR --no-depmod".
DKMS_SOURCE_TREE ?= /usr/src
DKMS_ARGS ?=
DKMS := dkms --sourcetree $(DKMS_SOURCE_TREE) $(DKMS_ARGS)
DKMS_SRC := $(DKMS_SOURCE_TREE)/nvmev-$(VERSION)
# Every installed kernel with headers.
DKMS_KERNELS ?= $(patsubst /lib/modules/%/build/include,%,$(wildcard /lib/modules/*/build/include))
# What the module build needs: the Makefile, Kbuild and the sources.
DKMS_FILES := Makefile Kbuild Kconfig dkms.conf $(wildcard *.c *.h) \
	      $(wildcard ftl/*.c ftl/*.h)

dkms-check:
	@test -n "$(VERSION)" || { echo "dkms: no NVMEV_VERSION in nvmev.h" >&2; exit 1; }
	@test "$(VERSION)" = "$(DKMS_VERSION)" || { echo "dkms: dkms.conf says PACKAGE_VERSION=\"$(DKMS_VERSION)\", nvmev.h says NVMEV_VERSION \"$(VERSION)\"" >&2; exit 1; }

# The package's source, alone, in $(DKMS_SRC); then `dkms add`.
dkms-source: dkms-check
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)/ftl
	cp $(filter-out ftl/%,$(DKMS_FILES)) $(DKMS_SRC)/
	cp $(filter ftl/%,$(DKMS_FILES)) $(DKMS_SRC)/ftl/

dkms-add: dkms-source
	$(DKMS) add -m nvmev -v $(VERSION)

dkms-build: dkms-check
	@test -n "$(DKMS_KERNELS)" || { echo "dkms: no kernel headers in /lib/modules/*/build" >&2; exit 1; }
	for k in $(DKMS_KERNELS); do $(DKMS) build -m nvmev -v $(VERSION) -k $$k || exit 1; done

# Added first when dkms does not have nvmev $(VERSION) yet.
dkms-install: dkms-check
	@test -n "$(DKMS_KERNELS)" || { echo "dkms: no kernel headers in /lib/modules/*/build" >&2; exit 1; }
	$(DKMS) status -m nvmev -v $(VERSION) | grep -q . || $(MAKE) dkms-add
	for k in $(DKMS_KERNELS); do $(DKMS) install -m nvmev -v $(VERSION) -k $$k || exit 1; done

# Uninstalled from every kernel, out of dkms, and the source copy deleted.
dkms-remove: dkms-check
	if $(DKMS) status -m nvmev -v $(VERSION) | grep -q .; then \
		$(DKMS) remove -m nvmev -v $(VERSION) --all || exit 1; fi
	rm -rf $(DKMS_SRC)

.PHONY: all modules clean check install uninstall dkms-check dkms-source dkms-add \
	dkms-build dkms-install dkms-remove
endif
