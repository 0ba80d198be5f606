/* SPDX-License-Identifier: MIT */
/* What every benchmark root task needs: the time stamp counter (guest instructions under
 * QEMU -icount shift=0, host TSC ticks under plain TCG) and a way to end the emulator with
 * a status once its BENCH lines are printed. */
#ifndef TERN_BENCH_H
#define TERN_BENCH_H

#include <l4/kip.h>
#include <l4/types.h>

#include "abi.h"
#include "tern-syscalls.h"

static inline L4_Word_t rdtsc(void)
{
    unsigned int low, high;
    __asm__ __volatile__("rdtsc" : "=a"(low), "=d"(high));
    return (L4_Word_t)high << 32 | low;
}

static inline void stop_machine(L4_Word_t status)
{
    L4_Word_t kip = (L4_Word_t)L4_GetKernelInterface();
    __tern_syscall_kdb_exit(kip + *(L4_Word_t *)(kip + TERN_KIP_LINK_ARCH2), status);
}

#endif
