// SPDX-License-Identifier: MIT
// libl4: the X.2 system calls. KernelInterface is the `lock; nop` instruction; every other
// call enters the kernel through the stub at KIP base + the link word the KIP holds for it
// (the generated __tern_syscall_<name> functions of tern-syscalls.h).
#ifndef L4_AMD64_SYSCALLS_H
#define L4_AMD64_SYSCALLS_H

#include <l4/types.h>
#include <l4/amd64/vregs.h>
#include "abi.h"
#include "tern-syscalls.h"

L4_INLINE void *L4_KernelInterface(L4_Word_t *ApiVersion, L4_Word_t *ApiFlags, L4_Word_t *KernelId)
{
    void *base;
    L4_Word_t version, flags, id;
    __asm__ __volatile__("lock; nop" : "=a"(base), "=c"(version), "=d"(flags), "=S"(id));
    *ApiVersion = version;
    *ApiFlags = flags;
    *KernelId = id;
    return base;
}

// The KIP address. The runtime's start code sets it before main; until then (or without the
// runtime) the first system call asks the kernel. Racing first calls store the same value.
__L4_EXTERN_C L4_Word_t __tern_kip;

L4_INLINE L4_Word_t __tern_kip_base(void)
{
    L4_Word_t kip = __tern_kip;
    if (__builtin_expect(kip == 0, 0)) {
        L4_Word_t version, flags, id;
        kip = __L4_RCAST(L4_Word_t, L4_KernelInterface(&version, &flags, &id));
        __tern_kip = kip;
    }
    return kip;
}

// Entry address of a system call: KIP base + the link stored at link_offset in the KIP.
L4_INLINE L4_Word_t __tern_entry(L4_Word_t link_offset)
{
    L4_Word_t kip = __tern_kip_base();
    return kip + *__L4_RCAST(const L4_Word_t *, kip + link_offset);
}

L4_INLINE L4_ThreadId_t __L4_Tern_ThreadId(L4_Word_t raw)
{
    L4_ThreadId_t id;
    id.raw = raw;
    return id;
}

L4_INLINE L4_ThreadId_t L4_ExchangeRegisters(L4_ThreadId_t dest, L4_Word_t control, L4_Word_t sp, L4_Word_t ip,
                                             L4_Word_t flags, L4_Word_t UserDefHandle, L4_ThreadId_t pager,
                                             L4_Word_t *old_control, L4_Word_t *old_sp, L4_Word_t *old_ip,
                                             L4_Word_t *old_flags, L4_Word_t *old_UserDefhandle,
                                             L4_ThreadId_t *old_pager)
{
    L4_Word_t result, out_control, out_sp, out_ip, out_flags, out_handle, out_pager;
    __tern_syscall_exchange_registers(__tern_entry(TERN_KIP_LINK_EXCHANGE_REGISTERS), dest.raw, control, sp, ip,
                                      flags, UserDefHandle, pager.raw, &result, &out_control, &out_sp, &out_ip,
                                      &out_flags, &out_handle, &out_pager);
    *old_control = out_control;
    *old_sp = out_sp;
    *old_ip = out_ip;
    *old_flags = out_flags;
    *old_UserDefhandle = out_handle;
    old_pager->raw = out_pager;
    return __L4_Tern_ThreadId(result);
}

L4_INLINE L4_Word_t L4_ThreadControl(L4_ThreadId_t dest, L4_ThreadId_t SpaceSpecifier, L4_ThreadId_t Scheduler,
                                     L4_ThreadId_t Pager, void *UtcbLocation)
{
    L4_Word_t result;
    __tern_syscall_thread_control(__tern_entry(TERN_KIP_LINK_THREAD_CONTROL), dest.raw, SpaceSpecifier.raw,
                                  Scheduler.raw, Pager.raw, __L4_RCAST(L4_Word_t, UtcbLocation), &result);
    return result;
}

// SystemClock and ThreadSwitch keep the C calling convention (abi.md, "C call"): plain
// calls through their cached links.
L4_INLINE L4_Clock_t L4_SystemClock(void)
{
    L4_Clock_t clock;
    clock.raw = __tern_link_system_clock();
    return clock;
}

L4_INLINE void L4_ThreadSwitch(L4_ThreadId_t dest)
{
    __tern_link_thread_switch(dest.raw);
}

L4_INLINE L4_Word_t L4_Schedule(L4_ThreadId_t dest, L4_Word_t TimeControl, L4_Word_t ProcessorControl,
                                L4_Word_t PrioControl, L4_Word_t PreemptionControl, L4_Word_t *old_TimeControl)
{
    L4_Word_t result, old_time, time_used;
    __tern_syscall_schedule(__tern_entry(TERN_KIP_LINK_SCHEDULE), dest.raw, TimeControl, ProcessorControl,
                            PrioControl, PreemptionControl, &result, &old_time, &time_used);
    *old_TimeControl = old_time;
    return result;
}

// Tern's: Schedule changing nothing, which also gives dest's processor time since it was
// made, in microseconds (<l4/tern/processor_time.h>). Returns Schedule's result.
L4_INLINE L4_Word_t __tern_schedule_time_used(L4_ThreadId_t dest, L4_Word_t *time_used)
{
    L4_Word_t result, old_time;
    __tern_syscall_schedule(__tern_entry(TERN_KIP_LINK_SCHEDULE), dest.raw, ~0UL, ~0UL, ~0UL, ~0UL, &result,
                            &old_time, time_used);
    return result;
}

// MR0..MR2 travel in registers and are written back to the UTCB; the received message tag
// (or, after a send-only IPC, the send result) is MR0. *from is set only when the call had
// a receive phase (FromSpecifier not nil), as in X.2. The entry is the cached KIP link of
// Ipc or (local) Lipc, which __L4_Init resolves; the call preserves only rsp and rbp
// (docs/abi.md): the compiler keeps what it needs across it. Lipc has Ipc's registers; only
// the link (and so the system-call number) differs.
L4_INLINE L4_Word_t __L4_Tern_Ipc_Through(int local, L4_ThreadId_t to, L4_ThreadId_t FromSpecifier,
                                          L4_Word_t Timeouts, L4_ThreadId_t *from)
{
    L4_Word_t *mr = __L4_Tern_MRs();
    L4_Word_t sender, mr0, mr1, mr2;
    if (local)
        __tern_syscall_lipc_linked(to.raw, FromSpecifier.raw, Timeouts, mr[0], mr[1], mr[2], &sender, &mr0, &mr1,
                                   &mr2);
    else
        __tern_syscall_ipc_linked(to.raw, FromSpecifier.raw, Timeouts, mr[0], mr[1], mr[2], &sender, &mr0, &mr1,
                                  &mr2);
    mr[0] = mr0;
    mr[1] = mr1;
    mr[2] = mr2;
    if (from != 0 && FromSpecifier.raw != 0)
        from->raw = sender;
    return mr0;
}

L4_INLINE L4_Word_t __L4_Tern_Ipc(L4_ThreadId_t to, L4_ThreadId_t FromSpecifier, L4_Word_t Timeouts,
                                  L4_ThreadId_t *from)
{
    return __L4_Tern_Ipc_Through(0, to, FromSpecifier, Timeouts, from);
}

L4_INLINE L4_Word_t __L4_Tern_Lipc(L4_ThreadId_t to, L4_ThreadId_t FromSpecifier, L4_Word_t Timeouts,
                                   L4_ThreadId_t *from)
{
    return __L4_Tern_Ipc_Through(1, to, FromSpecifier, Timeouts, from);
}

L4_INLINE void L4_Unmap(L4_Word_t control)
{
    __tern_syscall_unmap(__tern_entry(TERN_KIP_LINK_UNMAP), control);
}

L4_INLINE L4_Word_t L4_SpaceControl(L4_ThreadId_t SpaceSpecifier, L4_Word_t control,
                                    L4_Fpage_t KernelInterfacePageArea, L4_Fpage_t UtcbArea,
                                    L4_ThreadId_t redirector, L4_Word_t *old_control)
{
    L4_Word_t result, previous;
    __tern_syscall_space_control(__tern_entry(TERN_KIP_LINK_SPACE_CONTROL), SpaceSpecifier.raw, control,
                                 KernelInterfacePageArea.raw, UtcbArea.raw, redirector.raw, &result, &previous);
    *old_control = previous;
    return result;
}

L4_INLINE L4_Word_t L4_ProcessorControl(L4_Word_t ProcessorNo, L4_Word_t InternalFrequency,
                                        L4_Word_t ExternalFrequency, L4_Word_t voltage)
{
    L4_Word_t result;
    __tern_syscall_processor_control(__tern_entry(TERN_KIP_LINK_PROCESSOR_CONTROL), ProcessorNo, InternalFrequency,
                                     ExternalFrequency, voltage, &result);
    return result;
}

// The fpages are in MR0..MR(control & 63); attributes[0..3] are the four attribute words.
L4_INLINE L4_Word_t L4_MemoryControl(L4_Word_t control, const L4_Word_t *attributes)
{
    L4_Word_t result;
    __tern_syscall_memory_control(__tern_entry(TERN_KIP_LINK_MEMORY_CONTROL), control, attributes[0], attributes[1],
                                  attributes[2], attributes[3], &result);
    return result;
}

#include <l4/message.h>

L4_INLINE L4_MsgTag_t L4_Ipc(L4_ThreadId_t to, L4_ThreadId_t FromSpecifier, L4_Word_t Timeouts, L4_ThreadId_t *from)
{
    L4_MsgTag_t tag;
    tag.raw = __L4_Tern_Ipc(to, FromSpecifier, Timeouts, from);
    return tag;
}

L4_INLINE L4_MsgTag_t L4_Lipc(L4_ThreadId_t to, L4_ThreadId_t FromSpecifier, L4_Word_t Timeouts, L4_ThreadId_t *from)
{
    L4_MsgTag_t tag;
    tag.raw = __L4_Tern_Lipc(to, FromSpecifier, Timeouts, from);
    return tag;
}

#include <l4/amd64/kdebug.h>

#endif
