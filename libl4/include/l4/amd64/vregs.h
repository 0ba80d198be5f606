// SPDX-License-Identifier: MIT
// libl4: the virtual registers (TCRs, MRs, BRs) in the thread's UTCB, at the byte offsets
// of the ABI's [utcb] section. The GS base of every thread points at its UTCB and the
// UTCB's first word holds the UTCB's own address, so `mov %gs:0` yields a plain pointer.
#ifndef L4_AMD64_VREGS_H
#define L4_AMD64_VREGS_H

#include <l4/types.h>
#include "abi.h"

#define __L4_NUM_MRS TERN_UTCB_MR_COUNT
#define __L4_NUM_BRS TERN_UTCB_BR_COUNT

// The UTCB of the calling thread. Not volatile: the value is fixed for a thread, so the
// compiler may reuse it within a function.
L4_INLINE L4_Word_t *__L4_Tern_Utcb(void)
{
    L4_Word_t *utcb;
    __asm__("movq %%gs:0, %0" : "=r"(utcb));
    return utcb;
}

L4_INLINE L4_Word_t *__L4_Tern_Word(L4_Word_t byte_offset)
{
    return __L4_Tern_Utcb() + byte_offset / sizeof(L4_Word_t);
}

// X.2 (Pistachio amd64) name: the address of MR0; TCRs are at the negative word indices
// below, buffer registers are not reachable from it in Tern's layout.
L4_INLINE L4_Word_t *__L4_X86_Utcb(void)
{
    return __L4_Tern_Word(TERN_UTCB_MR);
}

/*
 * Thread control registers. Word indices relative to __L4_X86_Utcb(), as in X.2.
 */
#define __L4_TCR_INDEX(byte_offset) ((__L4_CAST(int, byte_offset) - TERN_UTCB_MR) / 8)
#define __L4_TCR_MY_GLOBAL_ID __L4_TCR_INDEX(TERN_UTCB_MY_GLOBAL_ID)
#define __L4_TCR_PROCESSOR_NO __L4_TCR_INDEX(TERN_UTCB_PROCESSOR_NO)
#define __L4_TCR_USER_DEFINED_HANDLE __L4_TCR_INDEX(TERN_UTCB_USER_DEFINED_HANDLE)
#define __L4_TCR_PAGER __L4_TCR_INDEX(TERN_UTCB_PAGER)
#define __L4_TCR_EXCEPTION_HANDLER __L4_TCR_INDEX(TERN_UTCB_EXCEPTION_HANDLER)
#define __L4_TCR_PREEMPT_FLAGS __L4_TCR_INDEX(TERN_UTCB_FLAGS)
#define __L4_TCR_COP_FLAGS __L4_TCR_INDEX(TERN_UTCB_FLAGS)
#define __L4_TCR_ERROR_CODE __L4_TCR_INDEX(TERN_UTCB_ERROR_CODE)
#define __L4_TCR_XFER_TIMEOUT __L4_TCR_INDEX(TERN_UTCB_TRANSFER_TIMEOUTS)
#define __L4_TCR_INTENDED_RECEIVER __L4_TCR_INDEX(TERN_UTCB_INTENDED_RECEIVER)
#define __L4_TCR_VIRTUAL_ACTUAL_SENDER __L4_TCR_INDEX(TERN_UTCB_ACTUAL_SENDER)
#define __L4_TCR_THREAD_WORD_0 __L4_TCR_INDEX(TERN_UTCB_THREAD_WORD0)
#define __L4_TCR_THREAD_WORD_1 __L4_TCR_INDEX(TERN_UTCB_THREAD_WORD1)
// There is no WordSizeMask TCR (64-bit threads only): __L4_TCR_WORD_SIZE_MASK stays undefined.

L4_INLINE L4_Word_t __L4_TCR_MyGlobalId(void)
{
    return *__L4_Tern_Word(TERN_UTCB_MY_GLOBAL_ID);
}

L4_INLINE L4_Word_t __L4_TCR_MyLocalId(void)
{
    return __L4_RCAST(L4_Word_t, __L4_Tern_Utcb());
}

L4_INLINE L4_Word_t __L4_TCR_ProcessorNo(void)
{
    return *__L4_Tern_Word(TERN_UTCB_PROCESSOR_NO);
}

L4_INLINE L4_Word_t __L4_TCR_UserDefinedHandle(void)
{
    return *__L4_Tern_Word(TERN_UTCB_USER_DEFINED_HANDLE);
}

L4_INLINE void __L4_TCR_Set_UserDefinedHandle(L4_Word_t w)
{
    *__L4_Tern_Word(TERN_UTCB_USER_DEFINED_HANDLE) = w;
}

L4_INLINE L4_Word_t __L4_TCR_Pager(void)
{
    return *__L4_Tern_Word(TERN_UTCB_PAGER);
}

L4_INLINE void __L4_TCR_Set_Pager(L4_Word_t w)
{
    *__L4_Tern_Word(TERN_UTCB_PAGER) = w;
}

L4_INLINE L4_Word_t __L4_TCR_ExceptionHandler(void)
{
    return *__L4_Tern_Word(TERN_UTCB_EXCEPTION_HANDLER);
}

L4_INLINE void __L4_TCR_Set_ExceptionHandler(L4_Word_t w)
{
    *__L4_Tern_Word(TERN_UTCB_EXCEPTION_HANDLER) = w;
}

L4_INLINE L4_Word_t __L4_TCR_ErrorCode(void)
{
    return *__L4_Tern_Word(TERN_UTCB_ERROR_CODE);
}

L4_INLINE L4_Word_t __L4_TCR_XferTimeout(void)
{
    return *__L4_Tern_Word(TERN_UTCB_TRANSFER_TIMEOUTS);
}

L4_INLINE void __L4_TCR_Set_XferTimeout(L4_Word_t w)
{
    *__L4_Tern_Word(TERN_UTCB_TRANSFER_TIMEOUTS) = w;
}

L4_INLINE L4_Word_t __L4_TCR_IntendedReceiver(void)
{
    return *__L4_Tern_Word(TERN_UTCB_INTENDED_RECEIVER);
}

L4_INLINE L4_Word_t __L4_TCR_ActualSender(void)
{
    return *__L4_Tern_Word(TERN_UTCB_ACTUAL_SENDER);
}

L4_INLINE void __L4_TCR_Set_VirtualSender(L4_Word_t w)
{
    *__L4_Tern_Word(TERN_UTCB_ACTUAL_SENDER) = w;
}

// ThreadWord 0 and 1; other indices select word 1 (there are only two).
L4_INLINE L4_Word_t __L4_TCR_ThreadWord(L4_Word_t n)
{
    return *__L4_Tern_Word(n == 0 ? TERN_UTCB_THREAD_WORD0 : TERN_UTCB_THREAD_WORD1);
}

L4_INLINE void __L4_TCR_Set_ThreadWord(L4_Word_t n, L4_Word_t w)
{
    *__L4_Tern_Word(n == 0 ? TERN_UTCB_THREAD_WORD0 : TERN_UTCB_THREAD_WORD1) = w;
}

/*
 * Preemption and coprocessor flags share the UTCB's flags word: bit 5 preemption-fault
 * exception enabled, bit 6 delayed preemption enabled, bit 7 preemption pending (set by the
 * kernel), bits 8 + n coprocessor n in use. The kernel only changes bit 7 while the thread
 * is not running, so single instructions on the own UTCB are enough.
 */
#define __L4_PREEMPT_FAULT_EXCEPTION_BIT TERN_UTCB_FLAGS_PREEMPTION_FAULT_SHIFT
#define __L4_PREEMPT_ENABLED_BIT TERN_UTCB_FLAGS_DELAY_PREEMPTION_SHIFT
#define __L4_PREEMPT_PENDING_BIT TERN_UTCB_FLAGS_PREEMPTION_PENDING_SHIFT
#define __L4_COP_FLAG_SHIFT 8

L4_INLINE L4_Bool_t __L4_Tern_Flag_Set(L4_Word_t bit)
{
    L4_Word8_t was_set;
    __asm__ __volatile__("btsq %2, %1; setc %0"
                         : "=q"(was_set), "+m"(*__L4_Tern_Word(TERN_UTCB_FLAGS))
                         : "r"(bit)
                         : "cc");
    return was_set;
}

L4_INLINE L4_Bool_t __L4_Tern_Flag_Clear(L4_Word_t bit)
{
    L4_Word8_t was_set;
    __asm__ __volatile__("btrq %2, %1; setc %0"
                         : "=q"(was_set), "+m"(*__L4_Tern_Word(TERN_UTCB_FLAGS))
                         : "r"(bit)
                         : "cc");
    return was_set;
}

L4_INLINE void L4_Set_CopFlag(L4_Word_t n)
{
    (void)__L4_Tern_Flag_Set(__L4_COP_FLAG_SHIFT + (n & 7));
}

L4_INLINE void L4_Clr_CopFlag(L4_Word_t n)
{
    (void)__L4_Tern_Flag_Clear(__L4_COP_FLAG_SHIFT + (n & 7));
}

// Each returns the previous state of its flag.
L4_INLINE L4_Bool_t L4_EnablePreemptionFaultException(void)
{
    return __L4_Tern_Flag_Set(__L4_PREEMPT_FAULT_EXCEPTION_BIT);
}

L4_INLINE L4_Bool_t L4_DisablePreemptionFaultException(void)
{
    return __L4_Tern_Flag_Clear(__L4_PREEMPT_FAULT_EXCEPTION_BIT);
}

L4_INLINE L4_Bool_t L4_EnablePreemption(void)
{
    return __L4_Tern_Flag_Set(__L4_PREEMPT_ENABLED_BIT);
}

L4_INLINE L4_Bool_t L4_DisablePreemption(void)
{
    return __L4_Tern_Flag_Clear(__L4_PREEMPT_ENABLED_BIT);
}

// Whether a preemption was delayed; clears the indication.
L4_INLINE L4_Bool_t L4_PreemptionPending(void)
{
    return __L4_Tern_Flag_Clear(__L4_PREEMPT_PENDING_BIT);
}

/*
 * Message registers MR0..MR63 and buffer registers BR0..BR32.
 */

L4_INLINE L4_Word_t *__L4_Tern_MRs(void)
{
    return __L4_Tern_Word(TERN_UTCB_MR);
}

L4_INLINE L4_Word_t *__L4_Tern_BRs(void)
{
    return __L4_Tern_Word(TERN_UTCB_BR);
}

L4_INLINE void L4_StoreMR(int i, L4_Word_t *w)
{
    *w = __L4_Tern_MRs()[i];
}

L4_INLINE void L4_LoadMR(int i, L4_Word_t w)
{
    __L4_Tern_MRs()[i] = w;
}

L4_INLINE void L4_StoreMRs(int i, int k, L4_Word_t *w)
{
    const L4_Word_t *mr = __L4_Tern_MRs() + i;
    for (; k > 0; --k)
        *w++ = *mr++;
}

L4_INLINE void L4_LoadMRs(int i, int k, const L4_Word_t *w)
{
    L4_Word_t *mr = __L4_Tern_MRs() + i;
    for (; k > 0; --k)
        *mr++ = *w++;
}

L4_INLINE void L4_StoreBR(int i, L4_Word_t *w)
{
    *w = __L4_Tern_BRs()[i];
}

L4_INLINE void L4_LoadBR(int i, L4_Word_t w)
{
    __L4_Tern_BRs()[i] = w;
}

L4_INLINE void L4_StoreBRs(int i, int k, L4_Word_t *w)
{
    const L4_Word_t *br = __L4_Tern_BRs() + i;
    for (; k > 0; --k)
        *w++ = *br++;
}

L4_INLINE void L4_LoadBRs(int i, int k, const L4_Word_t *w)
{
    L4_Word_t *br = __L4_Tern_BRs() + i;
    for (; k > 0; --k)
        *br++ = *w++;
}

#endif
