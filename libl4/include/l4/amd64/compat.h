// SPDX-License-Identifier: MIT
// libl4: 32-bit thread ids (global: thread_no 31..14 | version 13..0, local: 31..6) and
// conversions, as X.2 defines them for 64-bit kernels with 32-bit threads. Tern runs 64-bit
// threads only; the types are for programs that exchange 32-bit ids.
#ifndef L4_AMD64_COMPAT_H
#define L4_AMD64_COMPAT_H

#include <l4/types.h>

typedef union {
    L4_Word32_t raw;
    struct {
        L4_Word32_t version : 14;
        L4_Word32_t thread_no : 18;
    } X;
} L4_GthreadId32_t;

typedef union {
    L4_Word32_t raw;
    struct {
        L4_Word32_t __zeros : 6;
        L4_Word32_t local_id : 26;
    } X;
} L4_LthreadId32_t;

typedef union {
    L4_Word32_t raw;
    L4_GthreadId32_t global;
    L4_LthreadId32_t local;
} L4_ThreadId32_t;

#define L4_nilthread32 __L4_VALUE(L4_ThreadId32_t, 0U)
#define L4_anythread32 __L4_VALUE(L4_ThreadId32_t, ~0U)
#define L4_anylocalthread32 __L4_VALUE(L4_ThreadId32_t, ~0U << 6)

L4_INLINE L4_ThreadId32_t L4_GlobalId32(L4_Word32_t threadno, L4_Word32_t version)
{
    L4_ThreadId32_t t;
    t.raw = ((threadno & 0x3ffffU) << 14) | (version & 0x3fffU);
    return t;
}

L4_INLINE L4_Word32_t L4_Version32(L4_ThreadId32_t t)
{
    return t.raw & 0x3fffU;
}

L4_INLINE L4_Word32_t L4_ThreadNo32(L4_ThreadId32_t t)
{
    return t.raw >> 14;
}

L4_INLINE L4_Bool_t L4_IsThreadEqual32(const L4_ThreadId32_t l, const L4_ThreadId32_t r)
{
    return l.raw == r.raw;
}

L4_INLINE L4_Bool_t L4_IsThreadNotEqual32(const L4_ThreadId32_t l, const L4_ThreadId32_t r)
{
    return l.raw != r.raw;
}

#if defined(__cplusplus)
static inline bool operator==(const L4_ThreadId32_t &l, const L4_ThreadId32_t &r)
{
    return l.raw == r.raw;
}

static inline bool operator!=(const L4_ThreadId32_t &l, const L4_ThreadId32_t &r)
{
    return l.raw != r.raw;
}
#endif

L4_INLINE L4_Bool_t L4_IsNilThread32(L4_ThreadId32_t t)
{
    return t.raw == 0;
}

L4_INLINE L4_Bool_t L4_IsLocalId32(L4_ThreadId32_t t)
{
    return (t.raw & 0x3fU) == 0;
}

L4_INLINE L4_Bool_t L4_IsGlobalId32(L4_ThreadId32_t t)
{
    return (t.raw & 0x3fU) != 0;
}

L4_INLINE L4_ThreadId32_t L4_ThreadId32(L4_ThreadId_t id)
{
    L4_ThreadId32_t t;
    if (L4_IsThreadEqual(id, L4_anythread))
        return L4_anythread32;
    if (L4_IsThreadEqual(id, L4_anylocalthread))
        return L4_anylocalthread32;
    if (L4_IsLocalId(id)) {
        t.raw = __L4_CAST(L4_Word32_t, id.raw);
        return t;
    }
    return L4_GlobalId32(__L4_CAST(L4_Word32_t, L4_ThreadNo(id)), __L4_CAST(L4_Word32_t, L4_Version(id)));
}

L4_INLINE L4_ThreadId_t L4_ThreadIdFrom32(L4_ThreadId32_t id)
{
    L4_ThreadId_t t;
    if (L4_IsThreadEqual32(id, L4_anythread32))
        return L4_anythread;
    if (L4_IsThreadEqual32(id, L4_anylocalthread32))
        return L4_anylocalthread;
    if (L4_IsLocalId32(id)) {
        t.raw = id.raw;
        return t;
    }
    return L4_GlobalId(L4_ThreadNo32(id), L4_Version32(id));
}

#if defined(__cplusplus)
L4_INLINE L4_ThreadId_t L4_ThreadId(L4_ThreadId32_t id)
{
    return L4_ThreadIdFrom32(id);
}
#endif

#endif
