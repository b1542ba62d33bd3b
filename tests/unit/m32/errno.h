/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub for the freestanding -m32 build check only (see ../Makefile). */
#ifndef _NVMEV_M32_ERRNO_H
#define _NVMEV_M32_ERRNO_H
#define ENOMEM 12
#define EINVAL 22
#endif
