// SPDX-License-Identifier: MIT
// libl4: the calls X.2 derives from Schedule and ThreadSwitch. A control word of ~0 leaves
// that parameter unchanged. time control: time slice 31..16 | total quantum 15..0;
// processor control: processor number 15..0; priority control: priority 7..0;
// preemption control: sensitive priority 23..16 | maximum delay 15..0 (microseconds).
#ifndef L4_SCHEDULE_H
#define L4_SCHEDULE_H

#include <l4/types.h>
#include <l4/amd64/syscalls.h>

#define __L4_SCHEDULE_UNCHANGED (~0UL)

L4_INLINE void L4_Yield(void)
{
    L4_ThreadSwitch(L4_nilthread);
}

L4_INLINE L4_Word_t L4_Set_Priority(L4_ThreadId_t tid, L4_Word_t prio)
{
    L4_Word_t old_time_control;
    return L4_Schedule(tid, __L4_SCHEDULE_UNCHANGED, __L4_SCHEDULE_UNCHANGED, prio & 0xff, __L4_SCHEDULE_UNCHANGED,
                       &old_time_control);
}

L4_INLINE L4_Word_t L4_Set_ProcessorNo(L4_ThreadId_t tid, L4_Word_t cpu_no)
{
    L4_Word_t old_time_control;
    return L4_Schedule(tid, __L4_SCHEDULE_UNCHANGED, cpu_no & 0xffff, __L4_SCHEDULE_UNCHANGED,
                       __L4_SCHEDULE_UNCHANGED, &old_time_control);
}

L4_INLINE L4_Word_t L4_Set_Timeslice(L4_ThreadId_t tid, L4_Time_t timeslice, L4_Time_t totalquantum)
{
    L4_Word_t old_time_control;
    L4_Word_t time_control = (__L4_CAST(L4_Word_t, timeslice.raw) << 16) | totalquantum.raw;
    return L4_Schedule(tid, time_control, __L4_SCHEDULE_UNCHANGED, __L4_SCHEDULE_UNCHANGED, __L4_SCHEDULE_UNCHANGED,
                       &old_time_control);
}

L4_INLINE L4_Word_t L4_Timeslice(L4_ThreadId_t tid, L4_Time_t *timeslice, L4_Time_t *totalquantum)
{
    L4_Word_t time_control;
    L4_Word_t result = L4_Schedule(tid, __L4_SCHEDULE_UNCHANGED, __L4_SCHEDULE_UNCHANGED, __L4_SCHEDULE_UNCHANGED,
                                   __L4_SCHEDULE_UNCHANGED, &time_control);
    timeslice->raw = __L4_CAST(L4_Word16_t, time_control >> 16);
    totalquantum->raw = __L4_CAST(L4_Word16_t, time_control);
    return result;
}

L4_INLINE L4_Word_t L4_Set_PreemptionDelay(L4_ThreadId_t tid, L4_Word_t sensitivePrio, L4_Word_t maxDelay)
{
    L4_Word_t old_time_control;
    L4_Word_t preemption_control = ((sensitivePrio & 0xff) << 16) | (maxDelay & 0xffff);
    return L4_Schedule(tid, __L4_SCHEDULE_UNCHANGED, __L4_SCHEDULE_UNCHANGED, __L4_SCHEDULE_UNCHANGED,
                       preemption_control, &old_time_control);
}

// Pistachio extensions for its proportional-share scheduler (kernel feature "hscheduling").
L4_INLINE L4_Word_t L4_Set_Stride(L4_ThreadId_t tid, L4_Word_t stride)
{
    L4_Word_t old_time_control;
    return L4_Schedule(tid, __L4_SCHEDULE_UNCHANGED, __L4_SCHEDULE_UNCHANGED, (stride << 16) | 0xffff,
                       __L4_SCHEDULE_UNCHANGED, &old_time_control);
}

L4_INLINE L4_Word_t L4_HS_Schedule(L4_ThreadId_t tid, L4_Word_t control, L4_ThreadId_t domain, L4_Word_t prio,
                                   L4_Word_t stride, L4_Word_t *old_control)
{
    L4_Word_t preemption_control = ((control & 0x3f) << 26) | (1UL << 25);
    L4_Word_t prio_control = (stride << 16) | (prio & 0x1ff);
    return L4_Schedule(tid, domain.raw, __L4_SCHEDULE_UNCHANGED, prio_control, preemption_control, old_control);
}

// Result of Schedule: the thread's state, or L4_SCHEDRESULT_ERROR (see L4_ErrorCode).
#define L4_SCHEDRESULT_ERROR (0)
#define L4_SCHEDRESULT_DEAD (1)
#define L4_SCHEDRESULT_INACTIVE (2)
#define L4_SCHEDRESULT_RUNNING (3)
#define L4_SCHEDRESULT_PENDING_SEND (4)
#define L4_SCHEDRESULT_SENDING (5)
#define L4_SCHEDRESULT_WAITING (6)
#define L4_SCHEDRESULT_RECEIVING (7)

#endif
