// SPDX-License-Identifier: MIT
// libl4: the sigma0 protocol. A request is a call to sigma0 with
//   MR0  tag: label -6 << 4 (as a 48-bit label: 0xffff_ffff_ffa0), u = 2 (u = 3 when the
//        fpage's extended bit 3 is set), t = 0
//   MR1  the requested fpage with the requested rights; base bits 63..10 all ones asks
//        for any free fpage of that size
//   MR2  attributes (0: default)
//   MR3  high part of a physical address (extended requests only)
// and BR0 = the receive window. Sigma0 replies with a map item (MR1, MR2); the mapped
// fpage (MR2) is nil when it refused.
#ifndef L4_SIGMA0_H
#define L4_SIGMA0_H

#include <l4/types.h>
#include <l4/kip.h>
#include <l4/message.h>
#include <l4/ipc.h>

// -6 << 4 in the 48 bits of a label (abi/x86_64.toml [labels]).
#define __L4_SIGMA0_LABEL TERN_LABEL_SIGMA0

// Pistachio's sigma0 extension, which Tern's sigma0 also speaks (Pistachio's l4test uses
// it): label -1001 << 4 (48 bits), MR1 = VERBOSE (accepted, no effect) or DUMP (sigma0
// prints its memory pools); answered with an empty message.
#define TERN_SIGMA0_POOLS_LABEL 0xffffffffc170ul
#define TERN_SIGMA0_POOLS_VERBOSE 1ul
#define TERN_SIGMA0_POOLS_DUMP 2ul

// Sigma0's thread id: the first user thread, version 1.
L4_INLINE L4_ThreadId_t __L4_Sigma0_Id(void)
{
    return L4_GlobalId(L4_ThreadIdUserBase(L4_GetKernelInterface()), 1);
}

L4_INLINE L4_Fpage_t L4_Sigma0_GetPage_RcvWindow_High(L4_ThreadId_t s0, L4_Fpage_t f, L4_Fpage_t RcvWindow,
                                                      L4_Word_t high)
{
    L4_Msg_t msg;
    L4_MsgTag_t tag;
    if (L4_IsNilThread(s0))
        s0 = __L4_Sigma0_Id();
    L4_MsgClear(&msg);
    L4_MsgAppendWord(&msg, f.raw);
    L4_MsgAppendWord(&msg, 0);
    if ((f.raw & __L4_FPAGE_EXTENDED) != 0)
        L4_MsgAppendWord(&msg, high);
    L4_Set_MsgLabel(&msg, __L4_SIGMA0_LABEL);
    L4_MsgLoad(&msg);
    L4_Accept(L4_MapGrantItems(RcvWindow));
    tag = L4_Call(s0);
    if (L4_IpcFailed(tag))
        return L4_Nilpage;
    L4_StoreMR(2, &f.raw);
    return f;
}

L4_INLINE L4_Fpage_t L4_Sigma0_GetPage_RcvWindow(L4_ThreadId_t s0, L4_Fpage_t f, L4_Fpage_t RcvWindow)
{
    return L4_Sigma0_GetPage_RcvWindow_High(s0, f, RcvWindow, 0);
}

L4_INLINE L4_Fpage_t L4_Sigma0_GetPage(L4_ThreadId_t s0, L4_Fpage_t f)
{
    return L4_Sigma0_GetPage_RcvWindow(s0, f, L4_CompleteAddressSpace);
}

#if defined(__cplusplus)
// Extended requests: high holds the address bits above the fpage word (bit 3 marks them).
L4_INLINE L4_Fpage_t L4_Sigma0_GetPage(L4_ThreadId_t s0, L4_Fpage_t f, L4_Word_t high)
{
    f.raw |= __L4_FPAGE_EXTENDED;
    return L4_Sigma0_GetPage_RcvWindow_High(s0, f, L4_CompleteAddressSpace, high);
}

L4_INLINE L4_Fpage_t L4_Sigma0_GetPage(L4_ThreadId_t s0, L4_Fpage_t f, L4_Word_t high, L4_Fpage_t RcvWindow)
{
    f.raw |= __L4_FPAGE_EXTENDED;
    return L4_Sigma0_GetPage_RcvWindow_High(s0, f, RcvWindow, high);
}
#endif

// Any free fpage of 2^s bytes.
L4_INLINE L4_Fpage_t L4_Sigma0_GetAny(L4_ThreadId_t s0, L4_Word_t s, L4_Fpage_t RcvWindow)
{
    return L4_Sigma0_GetPage_RcvWindow(s0, L4_FpageLog2(~0UL, __L4_CAST(int, s)), RcvWindow);
}

// Maps the memory of the first KIP memory descriptor of the given type, in pages of
// pagesize bytes, read-write at address (or 1:1 when address is 0). Returns where it is
// mapped, or 0 when there is no such descriptor (or the caller is sigma0).
L4_INLINE void *L4_Sigma0_GetSpecial(L4_Word_t type, void *address, L4_Word_t pagesize)
{
    void *kip = L4_GetKernelInterface();
    L4_ThreadId_t sigma0 = __L4_Sigma0_Id();
    L4_Word_t i;
    for (i = 0; i < L4_NumMemoryDescriptors(kip); ++i) {
        L4_MemoryDesc_t *desc = L4_MemoryDesc(kip, i);
        L4_Word_t start, end, target;
        if (L4_MemoryDescType(desc) != type)
            continue;
        start = L4_MemoryDescLow(desc);
        end = L4_MemoryDescHigh(desc) + 1;
        target = __L4_RCAST(L4_Word_t, address);
        if (target == 0) {
            target = start;
            address = __L4_RCAST(void *, start);
        }
        if (L4_IsThreadEqual(L4_Myself(), sigma0))
            return 0;
        for (; start < end; start += pagesize, target += pagesize) {
            L4_Fpage_t page = L4_Fpage(start, pagesize);
            page.raw |= L4_ReadWriteOnly;
            if (L4_IsNilFpage(L4_Sigma0_GetPage_RcvWindow(sigma0, page, L4_Fpage(target, pagesize))))
                break;
        }
        return address;
    }
    return 0;
}

#endif
