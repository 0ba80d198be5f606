// SPDX-License-Identifier: MIT
// libl4: the x86 part of a trace record (time-stamp counter, performance counters).
#ifndef L4_AMD64_TRACEBUFFER_H
#define L4_AMD64_TRACEBUFFER_H

#include <l4/types.h>

L4_INLINE void L4_Tbuf_StoreRecordArch(L4_TraceRecord_t *rec, L4_TraceConfig_t config)
{
    rec->tsc = __L4_Rdtsc();
    if ((config.raw & 0x2) != 0 && ((config.raw >> 2) & 0x3) == 0) {
        rec->pmc0 = __L4_Rdpmc(0);
        rec->pmc1 = __L4_Rdpmc(1);
    }
}

#endif
