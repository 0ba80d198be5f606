// SPDX-License-Identifier: MIT
// libl4: the calls X.2 derives from MemoryControl. The fpages go into MR0..; the
// attribute index of each fpage is its rights field (0 selects attributes[0], ...).
#ifndef L4_MISC_H
#define L4_MISC_H

#include <l4/types.h>
#include <l4/amd64/syscalls.h>

#define L4_DefaultMemory 0

L4_INLINE L4_Word_t L4_Set_PageAttribute(L4_Fpage_t f, L4_Word_t attribute)
{
    L4_Word_t attributes[4];
    attributes[0] = attribute;
    attributes[1] = attributes[2] = attributes[3] = L4_DefaultMemory;
    L4_LoadMR(0, L4_Set_Rights(&f, 0).raw);
    return L4_MemoryControl(0, attributes);
}

L4_INLINE L4_Word_t L4_Set_PageAttributes(L4_Word_t n, L4_Fpage_t *f, const L4_Word_t *attributes)
{
    L4_Word_t i;
    if (n == 0)
        return 0;
    if (n > 64)
        n = 64;
    for (i = 0; i < n; ++i)
        L4_LoadMR(__L4_CAST(int, i), f[i].raw);
    return L4_MemoryControl(n - 1, attributes);
}

#endif
