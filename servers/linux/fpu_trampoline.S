/* SPDX-License-Identifier: MIT
 * The page the Linux server maps into every process at Linux_server::fpu_trampoline_address
 * (docs/linux.md, "Signals"): the process saves or restores its own FPU and SSE registers
 * in a signal frame, since only it holds them, then comes back to the server with a call of
 * a number Linux does not have, which the server answers with the registers it keeps for
 * the process meanwhile. rsp points at the frame's 512-byte FXSAVE area on entry. */
#include "fpu_trampoline.h"

    .section .text.fpu_trampoline, "ax"
    .balign 4096
    .globl linux_fpu_trampoline
linux_fpu_trampoline:
    /* Before a handler runs: save, then the clean state Linux gives a handler. */
    fxsave64 (%rsp)
    fninit
    ldmxcsr default_mxcsr(%rip)
    mov $FPU_TRAMPOLINE_SAVED, %eax
    syscall
    ud2

    .balign FPU_TRAMPOLINE_RESTORE_OFFSET
    /* At rt_sigreturn: the registers the frame holds (a bad image faults here: SIGSEGV). */
    fxrstor64 (%rsp)
    mov $FPU_TRAMPOLINE_RESTORED, %eax
    syscall
    ud2

    .balign 16
default_mxcsr:
    .long 0x1f80
    .balign 4096
