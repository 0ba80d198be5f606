// SPDX-License-Identifier: MIT
// libl4: the calls X.2 derives from Unmap. Unmap takes its fpages from MR0.. and returns
// them there with the access bits (referenced, written, executed) in the rights field.
// Unmap control word: f (bit 6) flush (the caller's own mappings too) | k 5..0 (fpage count - 1).
#ifndef L4_SPACE_H
#define L4_SPACE_H

#include <l4/types.h>
#include <l4/amd64/syscalls.h>

#define __L4_UNMAP_FLUSH 0x40UL

L4_INLINE L4_Fpage_t __L4_Unmap_One(L4_Fpage_t f, L4_Word_t control)
{
    L4_LoadMR(0, f.raw);
    L4_Unmap(control);
    L4_StoreMR(0, &f.raw);
    return f;
}

L4_INLINE void __L4_Unmap_Many(L4_Word_t n, L4_Fpage_t *fpages, L4_Word_t control)
{
    L4_Word_t i;
    if (n == 0)
        return;
    if (n > 64)
        n = 64;
    for (i = 0; i < n; ++i)
        L4_LoadMR(__L4_CAST(int, i), fpages[i].raw);
    L4_Unmap(control | (n - 1));
    for (i = 0; i < n; ++i)
        L4_StoreMR(__L4_CAST(int, i), &fpages[i].raw);
}

L4_INLINE L4_Fpage_t L4_UnmapFpage(L4_Fpage_t f)
{
    return __L4_Unmap_One(f, 0);
}

L4_INLINE void L4_UnmapFpages(L4_Word_t n, L4_Fpage_t *fpages)
{
    __L4_Unmap_Many(n, fpages, 0);
}

L4_INLINE L4_Fpage_t L4_Flush(L4_Fpage_t f)
{
    return __L4_Unmap_One(f, __L4_UNMAP_FLUSH);
}

L4_INLINE void L4_FlushFpages(L4_Word_t n, L4_Fpage_t *fpages)
{
    __L4_Unmap_Many(n, fpages, __L4_UNMAP_FLUSH);
}

#if defined(__cplusplus)
L4_INLINE L4_Fpage_t L4_Unmap(L4_Fpage_t f)
{
    return L4_UnmapFpage(f);
}

L4_INLINE void L4_Unmap(L4_Word_t n, L4_Fpage_t *fpages)
{
    L4_UnmapFpages(n, fpages);
}

L4_INLINE void L4_Flush(L4_Word_t n, L4_Fpage_t *fpages)
{
    L4_FlushFpages(n, fpages);
}
#endif

// Reads and resets the access bits of f without revoking anything (unmap with no rights).
L4_INLINE L4_Fpage_t L4_GetStatus(L4_Fpage_t f)
{
    f.raw &= ~0xfUL;
    return __L4_Unmap_One(f, 0);
}

L4_INLINE L4_Bool_t L4_WasWritten(L4_Fpage_t f)
{
    return (f.raw & L4_Writable) != 0;
}

L4_INLINE L4_Bool_t L4_WasReferenced(L4_Fpage_t f)
{
    return (f.raw & L4_Readable) != 0;
}

L4_INLINE L4_Bool_t L4_WaseXecuted(L4_Fpage_t f)
{
    return (f.raw & L4_eXecutable) != 0;
}

#endif
