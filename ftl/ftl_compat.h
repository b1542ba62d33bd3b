/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ftl_compat.h - the only header the timing models include directly.
 *
 * The files in ftl/ are built twice: into the nvmev kernel module and into
 * the userspace unit tests in tests/unit/.  Model code must not include any
 * kernel or libc header itself; it includes this file and uses only what is
 * listed here:
 *
 *   types:     u8 u16 u32 u64 s64 bool size_t, true/false, NULL
 *   limits:    U32_MAX U64_MAX
 *   memory:    kzalloc() kcalloc() kfree(), GFP_KERNEL GFP_ATOMIC,
 *              kvzalloc() kvfree() for tables that may be large (vmalloc
 *              fallback in the kernel)
 *   strings:   memset() memcpy() strcmp()
 *   arrays:    ARRAY_SIZE()
 *   errors:    EINVAL ENOMEM (returned negated, kernel style)
 *   math:      div_u64() div_u64_rem()  (never open-code u64 / or %: it
 *              does not link on 32-bit kernels)
 *   overflow:  check_add_overflow() check_mul_overflow()
 *   hints:     likely() unlikely()
 *   sharing:   READ_ONCE() WRITE_ONCE() (counters read by other threads)
 */
#ifndef _NVMEV_FTL_COMPAT_H
#define _NVMEV_FTL_COMPAT_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/compiler.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/math64.h>
#include <linux/overflow.h>

#else /* !__KERNEL__: userspace unit tests */

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define U32_MAX		((u32)~0U)
#define U64_MAX		((u64)~0ULL)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Allocation flags are accepted and ignored. */
#define GFP_KERNEL	0U
#define GFP_ATOMIC	0U

static inline void *kzalloc(size_t size, unsigned int flags)
{
	(void)flags;
	return calloc(1, size);
}

static inline void *kcalloc(size_t n, size_t size, unsigned int flags)
{
	(void)flags;
	return calloc(n, size);
}

static inline void kfree(const void *p)
{
	free((void *)p);
}

static inline void *kvzalloc(size_t size, unsigned int flags)
{
	(void)flags;
	return calloc(1, size);
}

static inline void kvfree(const void *p)
{
	free((void *)p);
}

#ifndef FTL_COMPAT_EXTERN_DIV
static inline u64 div_u64_rem(u64 dividend, u32 divisor, u32 *remainder)
{
	*remainder = (u32)(dividend % divisor);
	return dividend / divisor;
}
#else
/*
 * tests/unit builds the models for i386 with this defined and then checks
 * the objects for libgcc's 64-bit division helpers: any hit means a model
 * open-codes a u64 division instead of going through div_u64*().
 */
u64 div_u64_rem(u64 dividend, u32 divisor, u32 *remainder);
#endif

static inline u64 div_u64(u64 dividend, u32 divisor)
{
	u32 remainder;

	return div_u64_rem(dividend, divisor, &remainder);
}

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)

#endif /* __KERNEL__ */

#endif /* _NVMEV_FTL_COMPAT_H */
