// SPDX-License-Identifier: MIT
// libl4, Tern extension: processor time. The kernel charges each timer tick whole to the
// thread it interrupts (docs/kernel.md, "Processor time"): a thread's total is what Schedule
// returns beside X.2's results, and the ticks no thread ran are counted per processor in the
// KIP. Like any tick-sampled figure it is exact only over many ticks.
#ifndef L4_TERN_PROCESSOR_TIME_H
#define L4_TERN_PROCESSOR_TIME_H

#include <l4/kip.h>
#include <l4/schedule.h>
#include <l4/types.h>

// The processor time thread has had since it was made, in microseconds, through Schedule
// with nothing changed: the caller must be thread's scheduler (or privileged). Returns
// Schedule's result; on L4_SCHEDRESULT_ERROR, *us is unchanged and L4_ErrorCode says why.
L4_INLINE L4_Word_t tern_time_used(L4_ThreadId_t thread, L4_Word_t *us)
{
    L4_Word_t used = 0;
    L4_Word_t result = __tern_schedule_time_used(thread, &used);
    if (result != L4_SCHEDRESULT_ERROR)
        *us = used;
    return result;
}

// The microseconds processor cpu has been idle since boot.
L4_INLINE L4_Word_t tern_idle_time(L4_Word_t cpu)
{
    if (cpu >= TERN_KIP_IDLE_TIME_COUNT)
        return 0;
    const volatile L4_Word_t *words = __L4_RCAST(const volatile L4_Word_t *, L4_GetKernelInterface());
    return words[(TERN_KIP_IDLE_TIMES + 8 * cpu) / 8];
}

#endif
