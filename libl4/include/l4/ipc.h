// SPDX-License-Identifier: MIT
// libl4: IPC result helpers and the calls X.2 derives from Ipc and Lipc.
#ifndef L4_IPC_H
#define L4_IPC_H

#include <l4/types.h>
#include <l4/amd64/syscalls.h>
#include <l4/message.h>
#include <l4/thread.h>

// Message tag flags after an IPC: E (bit 3) error, X (bit 2) cross-processor,
// r (bit 1) redirected, p (bit 0) propagated.
#define __L4_IPC_FLAG_PROPAGATED 0x1UL
#define __L4_IPC_FLAG_REDIRECTED 0x2UL
#define __L4_IPC_FLAG_XCPU 0x4UL
#define __L4_IPC_FLAG_ERROR 0x8UL

L4_INLINE L4_Bool_t L4_IpcSucceeded(L4_MsgTag_t t)
{
    return (__L4_Tag_Flags(t.raw) & __L4_IPC_FLAG_ERROR) == 0;
}

L4_INLINE L4_Bool_t L4_IpcFailed(L4_MsgTag_t t)
{
    return (__L4_Tag_Flags(t.raw) & __L4_IPC_FLAG_ERROR) != 0;
}

L4_INLINE L4_Bool_t L4_IpcPropagated(L4_MsgTag_t t)
{
    return (__L4_Tag_Flags(t.raw) & __L4_IPC_FLAG_PROPAGATED) != 0;
}

L4_INLINE L4_Bool_t L4_IpcRedirected(L4_MsgTag_t t)
{
    return (__L4_Tag_Flags(t.raw) & __L4_IPC_FLAG_REDIRECTED) != 0;
}

L4_INLINE L4_Bool_t L4_IpcXcpu(L4_MsgTag_t t)
{
    return (__L4_Tag_Flags(t.raw) & __L4_IPC_FLAG_XCPU) != 0;
}

L4_INLINE void L4_Set_Propagation(L4_MsgTag_t *t)
{
    t->raw |= __L4_IPC_FLAG_PROPAGATED << __L4_TAG_FLAGS_SHIFT;
}

// The timeouts word: send timeout in bits 31..16, receive timeout in bits 15..0.
L4_INLINE L4_Word_t L4_Timeouts(L4_Time_t SndTimeout, L4_Time_t RcvTimeout)
{
    return (__L4_CAST(L4_Word_t, SndTimeout.raw) << 16) | RcvTimeout.raw;
}

/*
 * Derived calls. C has no overloading, so the variants with timeouts carry a suffix
 * (L4_Call_Timeouts, L4_Send_Timeout, ...); C++ also gets them as overloads.
 */

L4_INLINE L4_MsgTag_t L4_Call_Timeouts(L4_ThreadId_t to, L4_Time_t SndTimeout, L4_Time_t RcvTimeout)
{
    L4_ThreadId_t partner;
    return L4_Ipc(to, to, L4_Timeouts(SndTimeout, RcvTimeout), &partner);
}

L4_INLINE L4_MsgTag_t L4_Call(L4_ThreadId_t to)
{
    return L4_Call_Timeouts(to, L4_Never, L4_Never);
}

L4_INLINE L4_MsgTag_t L4_Send_Timeout(L4_ThreadId_t to, L4_Time_t SndTimeout)
{
    return L4_Ipc(to, L4_nilthread, L4_Timeouts(SndTimeout, L4_Never), __L4_CAST(L4_ThreadId_t *, 0));
}

L4_INLINE L4_MsgTag_t L4_Send(L4_ThreadId_t to)
{
    return L4_Send_Timeout(to, L4_Never);
}

L4_INLINE L4_MsgTag_t L4_Reply(L4_ThreadId_t to)
{
    return L4_Send_Timeout(to, L4_ZeroTime);
}

L4_INLINE L4_MsgTag_t L4_Receive_Timeout(L4_ThreadId_t from, L4_Time_t RcvTimeout)
{
    L4_ThreadId_t partner;
    return L4_Ipc(L4_nilthread, from, L4_Timeouts(L4_Never, RcvTimeout), &partner);
}

L4_INLINE L4_MsgTag_t L4_Receive(L4_ThreadId_t from)
{
    return L4_Receive_Timeout(from, L4_Never);
}

L4_INLINE L4_MsgTag_t L4_Wait_Timeout(L4_Time_t RcvTimeout, L4_ThreadId_t *from)
{
    return L4_Ipc(L4_nilthread, L4_anythread, L4_Timeouts(L4_Never, RcvTimeout), from);
}

L4_INLINE L4_MsgTag_t L4_Wait(L4_ThreadId_t *from)
{
    return L4_Wait_Timeout(L4_Never, from);
}

L4_INLINE L4_MsgTag_t L4_ReplyWait_Timeout(L4_ThreadId_t to, L4_Time_t RcvTimeout, L4_ThreadId_t *from)
{
    return L4_Ipc(to, L4_anythread, L4_Timeouts(L4_ZeroTime, RcvTimeout), from);
}

L4_INLINE L4_MsgTag_t L4_ReplyWait(L4_ThreadId_t to, L4_ThreadId_t *from)
{
    return L4_ReplyWait_Timeout(to, L4_Never, from);
}

// Blocks for t by receiving from the own thread, which never sends; MR0 keeps the result.
L4_INLINE void L4_Sleep(L4_Time_t t)
{
    (void)L4_Receive_Timeout(L4_MyGlobalId(), t);
}

L4_INLINE L4_MsgTag_t L4_Lcall(L4_ThreadId_t to)
{
    L4_ThreadId_t partner;
    return L4_Lipc(to, to, L4_Timeouts(L4_Never, L4_Never), &partner);
}

L4_INLINE L4_MsgTag_t L4_LreplyWait(L4_ThreadId_t to, L4_ThreadId_t *from)
{
    return L4_Lipc(to, L4_anylocalthread, L4_Timeouts(L4_ZeroTime, L4_Never), from);
}

// The X.2 reference manual's spelling of L4_LreplyWait.
L4_INLINE L4_MsgTag_t L4_Lreply_Wait(L4_ThreadId_t to, L4_ThreadId_t *from)
{
    return L4_LreplyWait(to, from);
}

#if defined(__cplusplus)
L4_INLINE L4_MsgTag_t L4_Call(L4_ThreadId_t to, L4_Time_t SndTimeout, L4_Time_t RcvTimeout)
{
    return L4_Call_Timeouts(to, SndTimeout, RcvTimeout);
}

L4_INLINE L4_MsgTag_t L4_Send(L4_ThreadId_t to, L4_Time_t SndTimeout)
{
    return L4_Send_Timeout(to, SndTimeout);
}

L4_INLINE L4_MsgTag_t L4_Receive(L4_ThreadId_t from, L4_Time_t RcvTimeout)
{
    return L4_Receive_Timeout(from, RcvTimeout);
}

L4_INLINE L4_MsgTag_t L4_Wait(L4_Time_t RcvTimeout, L4_ThreadId_t *from)
{
    return L4_Wait_Timeout(RcvTimeout, from);
}

L4_INLINE L4_MsgTag_t L4_ReplyWait(L4_ThreadId_t to, L4_Time_t RcvTimeout, L4_ThreadId_t *from)
{
    return L4_ReplyWait_Timeout(to, RcvTimeout, from);
}
#endif

#endif
