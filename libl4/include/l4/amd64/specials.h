// SPDX-License-Identifier: MIT
// libl4: small x86-64 helpers X.2 headers and programs use (bit scans, time-stamp and
// performance counters). Included by <l4/types.h>.
#ifndef L4_AMD64_SPECIALS_H
#define L4_AMD64_SPECIALS_H

// Index of the most significant set bit; w must not be 0 (as in X.2).
L4_INLINE int __L4_Msb(L4_Word_t w)
{
    return 63 - __builtin_clzl(w);
}

// Index of the least significant set bit; w must not be 0 (as in X.2).
L4_INLINE int __L4_Lsb(L4_Word_t w)
{
    return __builtin_ctzl(w);
}

L4_INLINE void __L4_Inc_Atomic(L4_Word_t *w)
{
    __asm__ __volatile__("lock; addq $1, %0" : "+m"(*w) : : "cc");
}

L4_INLINE L4_Word64_t __L4_Rdtsc(void)
{
    L4_Word32_t low, high;
    __asm__ __volatile__("rdtsc" : "=a"(low), "=d"(high));
    return (__L4_CAST(L4_Word64_t, high) << 32) | low;
}

L4_INLINE L4_Word64_t __L4_Rdpmc(const L4_Word_t counter)
{
    L4_Word32_t low, high;
    __asm__ __volatile__("rdpmc" : "=a"(low), "=d"(high) : "c"(counter));
    return (__L4_CAST(L4_Word64_t, high) << 32) | low;
}

#endif
