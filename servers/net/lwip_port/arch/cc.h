/* SPDX-License-Identifier: MIT */
/* lwIP's port to Tern (docs/network.md): how it reports and checks, its byte order and its
 * random numbers. The same port builds lwIP for the network server and for the host unit
 * tests (tests/unit/lwip_stack_test.cpp). */
#ifndef TERN_LWIP_ARCH_CC_H
#define TERN_LWIP_ARCH_CC_H

#if __STDC_HOSTED__
#include <stdio.h>
#else
/* Tern's target: libl4's runtime prints; the compiler's own headers only (no inttypes.h,
 * no ctype.h). */
int printf(const char *format, ...);
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H 1
#define LWIP_NO_LIMITS_H 1
#define LWIP_NO_UNISTD_H 1
#define INT_MAX __INT_MAX__
typedef long ssize_t;
#define SSIZE_MAX __LONG_MAX__
#define X8_F "02x"
#define U16_F "hu"
#define S16_F "hd"
#define X16_F "hx"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* A failed lwIP assertion: reported, then the stack's user decides (the server ends). */
void tern_lwip_assert_failed(const char *message, const char *file, int line);
/* The random numbers lwIP wants (its ports, TCP's initial sequence numbers). */
unsigned int tern_lwip_random(void);

#ifdef __cplusplus
}
#endif

#ifndef BYTE_ORDER  /* (the host's C library may say it already) */
#define BYTE_ORDER LITTLE_ENDIAN
#endif
#define LWIP_PLATFORM_DIAG(message) \
    do {                            \
        printf message;             \
    } while (0)
#define LWIP_PLATFORM_ASSERT(message) tern_lwip_assert_failed((message), __FILE__, __LINE__)
#define LWIP_RAND() tern_lwip_random()
/* Byte order by the compiler's builtins: lwIP's own are functions, a call and a return for
 * each header field (a return is a jump QEMU must look up again after every address-space
 * switch, docs/performance.md). */
#define lwip_htons(x) ((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((u32_t)(x)))

#endif
