// SPDX-License-Identifier: MIT
// libl4: x86 I/O-port fpages: port 31..16 | s 15..10 (2^s ports) | 2 9..4 | rights 3..0.
#ifndef L4_AMD64_ARCH_H
#define L4_AMD64_ARCH_H

#include <l4/types.h>

typedef union {
    L4_Word_t raw;
    struct {
        L4_Word_t rwx : 4;
        L4_Word_t __two : 6;
        L4_Word_t s : 6;
        L4_Word_t p : 16;
        L4_Word_t : 32;
    } X;
} L4_IoFpage_t;

#define __L4_IO_FPAGE_MARK (2UL << 4)

#if defined(__cplusplus)
L4_INLINE L4_Fpage_t L4_Fpage(L4_IoFpage_t f)
{
    L4_Fpage_t out;
    out.raw = f.raw;
    return out;
}
#endif

L4_INLINE L4_Fpage_t L4_IoFpageLog2(L4_Word_t BasePort, int FpageSize)
{
    L4_Fpage_t fp;
    fp.raw = ((BasePort & 0xffff) << 16) | ((__L4_CAST(L4_Word_t, FpageSize) & 0x3f) << 10) | __L4_IO_FPAGE_MARK;
    return fp;
}

// The smallest I/O fpage of at least FpageSize ports.
L4_INLINE L4_Fpage_t L4_IoFpage(L4_Word_t BasePort, int FpageSize)
{
    L4_Word_t size = __L4_CAST(L4_Word_t, FpageSize);
    int log2 = 0;
    if (FpageSize > 1) {
        log2 = __L4_Msb(size);
        if ((1UL << log2) < size)
            ++log2;
    }
    return L4_IoFpageLog2(BasePort, log2);
}

L4_INLINE L4_Word_t L4_IoFpagePort(L4_Fpage_t f)
{
    return (f.raw >> 16) & 0xffff;
}

L4_INLINE L4_Word_t L4_IoFpageSizeLog2(L4_Fpage_t f)
{
    return (f.raw >> 10) & 0x3f;
}

L4_INLINE L4_Word_t L4_IoFpageSize(L4_Fpage_t f)
{
    return 1UL << L4_IoFpageSizeLog2(f);
}

L4_INLINE L4_Bool_t L4_IsIoFpage(L4_Fpage_t f)
{
    return (f.raw & (0x3fUL << 4)) == __L4_IO_FPAGE_MARK;
}

#endif
