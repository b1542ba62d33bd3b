/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub for the freestanding -m32 build check only (see ../Makefile). */
#ifndef _NVMEV_M32_STRING_H
#define _NVMEV_M32_STRING_H
#include <stddef.h>
void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int strcmp(const char *a, const char *b);
#endif
