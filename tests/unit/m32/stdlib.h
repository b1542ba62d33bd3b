/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub for the freestanding -m32 build check only (see ../Makefile). */
#ifndef _NVMEV_M32_STDLIB_H
#define _NVMEV_M32_STDLIB_H
#include <stddef.h>
void *calloc(size_t n, size_t size);
void free(void *p);
#endif
