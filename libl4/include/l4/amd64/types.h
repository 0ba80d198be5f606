// SPDX-License-Identifier: MIT
// libl4: machine word types of the x86-64 (LP64) target. Included by <l4/types.h>.
#ifndef L4_AMD64_TYPES_H
#define L4_AMD64_TYPES_H

#if !defined(__x86_64__) || !defined(__LP64__)
# error "libl4 supports the x86-64 LP64 target only"
#endif

#define L4_LITTLE_ENDIAN
#define L4_64BIT
#undef L4_32BIT

typedef unsigned long L4_Word64_t;
typedef unsigned int L4_Word32_t;
typedef unsigned short L4_Word16_t;
typedef unsigned char L4_Word8_t;
typedef unsigned long L4_Word_t;

typedef signed long L4_SignedWord64_t;
typedef signed int L4_SignedWord32_t;
typedef signed short L4_SignedWord16_t;
typedef signed char L4_SignedWord8_t;
typedef signed long L4_SignedWord_t;

typedef unsigned long L4_Size_t;
typedef L4_Word64_t L4_Paddr_t;

// Where X.2 code finds the 32-bit thread-id compatibility types.
#define L4_COMPAT_H_LOCATION <l4/amd64/compat.h>

#endif
