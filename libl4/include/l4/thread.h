// SPDX-License-Identifier: MIT
// libl4: thread control registers, thread states and the calls X.2 derives from
// ExchangeRegisters.
//
// ExchangeRegisters control word: h 0 (new halt state, applied when H is set), r 1 (abort a
// receive), s 2 (abort a send), S 3 (set sp), I 4 (set ip), f 5 (set flags), u 6 (set the
// user-defined handle), p 7 (set the pager), H 8 (apply h), d 9 (deliver the old values).
// old_control returns the thread state (L4_ThreadState_t).
#ifndef L4_THREAD_H
#define L4_THREAD_H

#include <l4/types.h>
#include <l4/amd64/syscalls.h>
#include <l4/amd64/vregs.h>

#define L4_ERROR_OK (0)
#define L4_ERROR_NO_PRIVILEGE (1)
#define L4_ERROR_INVALID_THREAD (2)
#define L4_ERROR_INVALID_SPACE (3)
#define L4_ERROR_INVALID_SCHEDULER (4)
#define L4_ERROR_INVALID_PARAM (5)
#define L4_ERROR_UTCB_AREA (6)
#define L4_ERROR_KIP_AREA (7)
#define L4_ERROR_NO_MEM (8)

// ExchangeRegisters' control bits (abi.h, from abi/x86_64.toml [layouts.exregs_control]).
#define __L4_EXREGS_HALT TERN_EXREGS_CONTROL_HALT_MASK
#define __L4_EXREGS_ABORT_RECEIVE TERN_EXREGS_CONTROL_CANCEL_RECEIVE_MASK
#define __L4_EXREGS_ABORT_SEND TERN_EXREGS_CONTROL_CANCEL_SEND_MASK
#define __L4_EXREGS_SET_SP TERN_EXREGS_CONTROL_SET_SP_MASK
#define __L4_EXREGS_SET_IP TERN_EXREGS_CONTROL_SET_IP_MASK
#define __L4_EXREGS_SET_FLAGS TERN_EXREGS_CONTROL_SET_FLAGS_MASK
#define __L4_EXREGS_SET_HANDLE TERN_EXREGS_CONTROL_SET_HANDLE_MASK
#define __L4_EXREGS_SET_PAGER TERN_EXREGS_CONTROL_SET_PAGER_MASK
#define __L4_EXREGS_APPLY_HALT TERN_EXREGS_CONTROL_SET_HALT_MASK
#define __L4_EXREGS_DELIVER TERN_EXREGS_CONTROL_DELIVER_MASK

// Pistachio extensions (control-transfer items, exception handler, scheduler). The
// control-transfer configuration flag shares bit 9 with d.
#define L4_EXREGS_CTRLXFER_CONF_FLAG (1UL << 9)
#define L4_EXREGS_CTRLXFER_READ_FLAG (1UL << 10)
#define L4_EXREGS_CTRLXFER_WRITE_FLAG (1UL << 11)
#define L4_EXREGS_EXCHANDLER_FLAG (1UL << 12)
#define L4_EXREGS_SCHEDULER_FLAG (1UL << 13)

/*
 * Thread states (old_control of ExchangeRegisters)
 */

typedef struct L4_ThreadState {
    L4_Word_t raw;
} L4_ThreadState_t;

L4_INLINE L4_Bool_t L4_ThreadWasHalted(L4_ThreadState_t s)
{
    return (s.raw & 0x1) != 0;
}

L4_INLINE L4_Bool_t L4_ThreadWasReceiving(L4_ThreadState_t s)
{
    return (s.raw & 0x2) != 0;
}

L4_INLINE L4_Bool_t L4_ThreadWasSending(L4_ThreadState_t s)
{
    return (s.raw & 0x4) != 0;
}

L4_INLINE L4_Bool_t L4_ThreadWasIpcing(L4_ThreadState_t s)
{
    return (s.raw & 0x6) != 0;
}

/*
 * Thread control registers of the calling thread
 */

L4_INLINE L4_ThreadId_t L4_MyGlobalId(void)
{
    return __L4_Tern_ThreadId(__L4_TCR_MyGlobalId());
}

L4_INLINE L4_ThreadId_t L4_MyLocalId(void)
{
    return __L4_Tern_ThreadId(__L4_TCR_MyLocalId());
}

L4_INLINE L4_ThreadId_t L4_Myself(void)
{
    return L4_MyGlobalId();
}

L4_INLINE L4_Word_t L4_ProcessorNo(void)
{
    return __L4_TCR_ProcessorNo();
}

L4_INLINE L4_Word_t L4_UserDefinedHandle(void)
{
    return __L4_TCR_UserDefinedHandle();
}

L4_INLINE void L4_Set_UserDefinedHandle(L4_Word_t NewValue)
{
    __L4_TCR_Set_UserDefinedHandle(NewValue);
}

L4_INLINE L4_ThreadId_t L4_Pager(void)
{
    return __L4_Tern_ThreadId(__L4_TCR_Pager());
}

L4_INLINE void L4_Set_Pager(L4_ThreadId_t NewPager)
{
    __L4_TCR_Set_Pager(NewPager.raw);
}

L4_INLINE L4_ThreadId_t L4_ExceptionHandler(void)
{
    return __L4_Tern_ThreadId(__L4_TCR_ExceptionHandler());
}

L4_INLINE void L4_Set_ExceptionHandler(L4_ThreadId_t NewHandler)
{
    __L4_TCR_Set_ExceptionHandler(NewHandler.raw);
}

L4_INLINE L4_Word_t L4_ErrorCode(void)
{
    return __L4_TCR_ErrorCode();
}

// A name for an error code of a non-IPC system call.
L4_INLINE const char *L4_ErrorCode_String(L4_Word_t err)
{
    switch (err) {
    case L4_ERROR_OK: return "l4_error_ok";
    case L4_ERROR_NO_PRIVILEGE: return "l4_error_no_privilege";
    case L4_ERROR_INVALID_THREAD: return "l4_error_invalid_thread";
    case L4_ERROR_INVALID_SPACE: return "l4_error_invalid_space";
    case L4_ERROR_INVALID_SCHEDULER: return "l4_error_invalid_scheduler";
    case L4_ERROR_INVALID_PARAM: return "l4_error_invalid_param";
    case L4_ERROR_UTCB_AREA: return "l4_error_utcb_area";
    case L4_ERROR_KIP_AREA: return "l4_error_kip_area";
    case L4_ERROR_NO_MEM: return "l4_error_no_mem";
    default: return "invalid error code";
    }
}

L4_INLINE L4_Word_t L4_XferTimeouts(void)
{
    return __L4_TCR_XferTimeout();
}

L4_INLINE void L4_Set_XferTimeouts(L4_Word_t NewValue)
{
    __L4_TCR_Set_XferTimeout(NewValue);
}

L4_INLINE L4_ThreadId_t L4_IntendedReceiver(void)
{
    return __L4_Tern_ThreadId(__L4_TCR_IntendedReceiver());
}

L4_INLINE L4_ThreadId_t L4_ActualSender(void)
{
    return __L4_Tern_ThreadId(__L4_TCR_ActualSender());
}

L4_INLINE void L4_Set_VirtualSender(L4_ThreadId_t t)
{
    __L4_TCR_Set_VirtualSender(t.raw);
}

L4_INLINE L4_Word_t L4_ThreadWord(L4_Word_t n)
{
    return __L4_TCR_ThreadWord(n);
}

L4_INLINE void L4_Set_ThreadWord(L4_Word_t n, L4_Word_t w)
{
    __L4_TCR_Set_ThreadWord(n, w);
}

// All threads are 64-bit: the mask is all ones and cannot be changed.
L4_INLINE L4_Word_t L4_WordSizeMask(void)
{
    return ~0UL;
}

L4_INLINE void L4_Reset_WordSizeMask(void)
{
}

/*
 * Calls derived from ExchangeRegisters
 */

// ExchangeRegisters for the derived calls: returns the result id, old values where asked.
L4_INLINE L4_ThreadId_t __L4_Exreg(L4_ThreadId_t t, L4_Word_t control, L4_Word_t sp, L4_Word_t ip, L4_Word_t flags,
                                   L4_Word_t handle, L4_ThreadId_t pager, L4_Word_t *old_control,
                                   L4_Word_t *old_sp, L4_Word_t *old_ip, L4_Word_t *old_flags,
                                   L4_Word_t *old_handle, L4_ThreadId_t *old_pager)
{
    L4_Word_t control_out, sp_out, ip_out, flags_out, handle_out;
    L4_ThreadId_t pager_out;
    L4_ThreadId_t result = L4_ExchangeRegisters(t, control, sp, ip, flags, handle, pager, &control_out, &sp_out,
                                                &ip_out, &flags_out, &handle_out, &pager_out);
    if (old_control != 0)
        *old_control = control_out;
    if (old_sp != 0)
        *old_sp = sp_out;
    if (old_ip != 0)
        *old_ip = ip_out;
    if (old_flags != 0)
        *old_flags = flags_out;
    if (old_handle != 0)
        *old_handle = handle_out;
    if (old_pager != 0)
        *old_pager = pager_out;
    return result;
}

// The global id of t (t itself when it already is one); nilthread when t is unknown.
L4_INLINE L4_ThreadId_t L4_GlobalIdOf(L4_ThreadId_t t)
{
    if (!L4_IsLocalId(t))
        return t;
    return __L4_Exreg(t, 0, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, 0);
}

// The local id of t (t itself when it already is one); nilthread when t is not in the
// caller's address space.
L4_INLINE L4_ThreadId_t L4_LocalIdOf(L4_ThreadId_t t)
{
    if (!L4_IsGlobalId(t))
        return t;
    return __L4_Exreg(t, 0, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, 0);
}

L4_INLINE L4_Bool_t L4_SameThreads(L4_ThreadId_t l, L4_ThreadId_t r)
{
    return L4_GlobalIdOf(l).raw == L4_GlobalIdOf(r).raw;
}

L4_INLINE L4_Word_t L4_UserDefinedHandleOf(L4_ThreadId_t t)
{
    L4_Word_t handle;
    (void)__L4_Exreg(t, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, &handle, 0);
    return handle;
}

L4_INLINE void L4_Set_UserDefinedHandleOf(L4_ThreadId_t t, L4_Word_t handle)
{
    (void)__L4_Exreg(t, __L4_EXREGS_SET_HANDLE, 0, 0, 0, handle, L4_nilthread, 0, 0, 0, 0, 0, 0);
}

L4_INLINE L4_ThreadId_t L4_PagerOf(L4_ThreadId_t t)
{
    L4_ThreadId_t pager;
    (void)__L4_Exreg(t, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, &pager);
    return pager;
}

L4_INLINE void L4_Set_PagerOf(L4_ThreadId_t t, L4_ThreadId_t p)
{
    (void)__L4_Exreg(t, __L4_EXREGS_SET_PAGER, 0, 0, 0, 0, p, 0, 0, 0, 0, 0, 0);
}

#define __L4_EXREGS_RESUME (__L4_EXREGS_APPLY_HALT | __L4_EXREGS_ABORT_RECEIVE | __L4_EXREGS_ABORT_SEND)
#define __L4_EXREGS_STOP (__L4_EXREGS_APPLY_HALT | __L4_EXREGS_HALT | __L4_EXREGS_DELIVER)

// Resumes a halted thread (aborting any IPC it was in).
L4_INLINE void L4_Start(L4_ThreadId_t t)
{
    (void)__L4_Exreg(t, __L4_EXREGS_RESUME, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, 0);
}

L4_INLINE void L4_Start_SpIp(L4_ThreadId_t t, L4_Word_t sp, L4_Word_t ip)
{
    (void)__L4_Exreg(t, __L4_EXREGS_RESUME | __L4_EXREGS_SET_SP | __L4_EXREGS_SET_IP, sp, ip, 0, 0, L4_nilthread, 0,
                     0, 0, 0, 0, 0);
}

L4_INLINE void L4_Start_SpIpFlags(L4_ThreadId_t t, L4_Word_t sp, L4_Word_t ip, L4_Word_t flags)
{
    (void)__L4_Exreg(t, __L4_EXREGS_RESUME | __L4_EXREGS_SET_SP | __L4_EXREGS_SET_IP | __L4_EXREGS_SET_FLAGS, sp, ip,
                     flags, 0, L4_nilthread, 0, 0, 0, 0, 0, 0);
}

// Halts t after optionally aborting its IPC; returns the state it was in and, for the
// _SpIpFlags variants, its sp, ip and flags.
L4_INLINE L4_ThreadState_t __L4_Halt(L4_ThreadId_t t, L4_Word_t abort, L4_Word_t *sp, L4_Word_t *ip, L4_Word_t *flags)
{
    L4_ThreadState_t state;
    (void)__L4_Exreg(t, __L4_EXREGS_STOP | abort, 0, 0, 0, 0, L4_nilthread, &state.raw, sp, ip, flags, 0, 0);
    return state;
}

L4_INLINE L4_ThreadState_t L4_Stop(L4_ThreadId_t t)
{
    return __L4_Halt(t, 0, 0, 0, 0);
}

L4_INLINE L4_ThreadState_t L4_Stop_SpIpFlags(L4_ThreadId_t t, L4_Word_t *sp, L4_Word_t *ip, L4_Word_t *flags)
{
    return __L4_Halt(t, 0, sp, ip, flags);
}

L4_INLINE L4_ThreadState_t L4_AbortReceive_and_stop(L4_ThreadId_t t)
{
    return __L4_Halt(t, __L4_EXREGS_ABORT_RECEIVE, 0, 0, 0);
}

L4_INLINE L4_ThreadState_t L4_AbortReceive_and_stop_SpIpFlags(L4_ThreadId_t t, L4_Word_t *sp, L4_Word_t *ip,
                                                              L4_Word_t *flags)
{
    return __L4_Halt(t, __L4_EXREGS_ABORT_RECEIVE, sp, ip, flags);
}

L4_INLINE L4_ThreadState_t L4_AbortSend_and_stop(L4_ThreadId_t t)
{
    return __L4_Halt(t, __L4_EXREGS_ABORT_SEND, 0, 0, 0);
}

L4_INLINE L4_ThreadState_t L4_AbortSend_and_stop_SpIpFlags(L4_ThreadId_t t, L4_Word_t *sp, L4_Word_t *ip,
                                                           L4_Word_t *flags)
{
    return __L4_Halt(t, __L4_EXREGS_ABORT_SEND, sp, ip, flags);
}

L4_INLINE L4_ThreadState_t L4_AbortIpc_and_stop(L4_ThreadId_t t)
{
    return __L4_Halt(t, __L4_EXREGS_ABORT_RECEIVE | __L4_EXREGS_ABORT_SEND, 0, 0, 0);
}

L4_INLINE L4_ThreadState_t L4_AbortIpc_and_stop_SpIpFlags(L4_ThreadId_t t, L4_Word_t *sp, L4_Word_t *ip,
                                                          L4_Word_t *flags)
{
    return __L4_Halt(t, __L4_EXREGS_ABORT_RECEIVE | __L4_EXREGS_ABORT_SEND, sp, ip, flags);
}

#if defined(__cplusplus)
L4_INLINE L4_ThreadId_t L4_GlobalId(L4_ThreadId_t t)
{
    return L4_GlobalIdOf(t);
}

L4_INLINE L4_ThreadId_t L4_LocalId(L4_ThreadId_t t)
{
    return L4_LocalIdOf(t);
}

L4_INLINE L4_Word_t L4_UserDefinedHandle(L4_ThreadId_t t)
{
    return L4_UserDefinedHandleOf(t);
}

L4_INLINE void L4_Set_UserDefinedHandle(L4_ThreadId_t t, L4_Word_t handle)
{
    L4_Set_UserDefinedHandleOf(t, handle);
}

L4_INLINE L4_ThreadId_t L4_Pager(L4_ThreadId_t t)
{
    return L4_PagerOf(t);
}

L4_INLINE void L4_Set_Pager(L4_ThreadId_t t, L4_ThreadId_t p)
{
    L4_Set_PagerOf(t, p);
}

L4_INLINE void L4_Start(L4_ThreadId_t t, L4_Word_t sp, L4_Word_t ip)
{
    L4_Start_SpIp(t, sp, ip);
}

L4_INLINE void L4_Start(L4_ThreadId_t t, L4_Word_t sp, L4_Word_t ip, L4_Word_t flags)
{
    L4_Start_SpIpFlags(t, sp, ip, flags);
}

L4_INLINE L4_ThreadState_t L4_Stop(L4_ThreadId_t t, L4_Word_t *sp, L4_Word_t *ip, L4_Word_t *flags)
{
    return L4_Stop_SpIpFlags(t, sp, ip, flags);
}

L4_INLINE L4_ThreadState_t L4_AbortReceive_and_stop(L4_ThreadId_t t, L4_Word_t *sp, L4_Word_t *ip, L4_Word_t *flags)
{
    return L4_AbortReceive_and_stop_SpIpFlags(t, sp, ip, flags);
}

L4_INLINE L4_ThreadState_t L4_AbortSend_and_stop(L4_ThreadId_t t, L4_Word_t *sp, L4_Word_t *ip, L4_Word_t *flags)
{
    return L4_AbortSend_and_stop_SpIpFlags(t, sp, ip, flags);
}

// Pistachio's name for the overload above.
L4_INLINE L4_ThreadState_t l4_abort_send_and_stop(L4_ThreadId_t t, L4_Word_t *sp, L4_Word_t *ip, L4_Word_t *flags)
{
    return L4_AbortSend_and_stop_SpIpFlags(t, sp, ip, flags);
}

L4_INLINE L4_ThreadState_t L4_AbortIpc_and_stop(L4_ThreadId_t t, L4_Word_t *sp, L4_Word_t *ip, L4_Word_t *flags)
{
    return L4_AbortIpc_and_stop_SpIpFlags(t, sp, ip, flags);
}
#endif

/*
 * Interrupts: an interrupt thread is associated with its handler by making the handler its
 * pager (ThreadControl with UtcbLocation -1), and released by making it its own pager.
 */

L4_INLINE L4_Word_t L4_AssociateInterrupt(L4_ThreadId_t InterruptThread, L4_ThreadId_t HandlerThread)
{
    return L4_ThreadControl(InterruptThread, InterruptThread, L4_nilthread, HandlerThread,
                            __L4_RCAST(void *, ~0UL));
}

L4_INLINE L4_Word_t L4_DeassociateInterrupt(L4_ThreadId_t InterruptThread)
{
    return L4_ThreadControl(InterruptThread, InterruptThread, L4_nilthread, InterruptThread,
                            __L4_RCAST(void *, ~0UL));
}

/*
 * Pistachio extension: control-transfer item configuration through ExchangeRegisters.
 */

L4_INLINE L4_Word_t L4_ConfCtrlXferItems(L4_ThreadId_t dest)
{
    L4_Word_t old_control;
    (void)__L4_Exreg(dest, L4_EXREGS_CTRLXFER_CONF_FLAG, 0, 0, 0, 0, L4_nilthread, &old_control, 0, 0, 0, 0, 0);
    return old_control;
}

L4_INLINE L4_Word_t L4_ReadCtrlXferItems(L4_ThreadId_t dest)
{
    L4_Word_t old_control;
    (void)__L4_Exreg(dest, L4_EXREGS_CTRLXFER_READ_FLAG, 0, 0, 0, 0, L4_nilthread, &old_control, 0, 0, 0, 0, 0);
    return old_control;
}

L4_INLINE L4_Word_t L4_WriteCtrlXferItems(L4_ThreadId_t dest)
{
    L4_Word_t old_control;
    (void)__L4_Exreg(dest, L4_EXREGS_CTRLXFER_WRITE_FLAG, 0, 0, 0, 0, L4_nilthread, &old_control, 0, 0, 0, 0, 0);
    return old_control;
}

#endif
