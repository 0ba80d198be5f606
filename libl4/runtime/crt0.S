// SPDX-License-Identifier: MIT
// libl4 runtime: the entry point of a user program. The kernel loads the ELF segments
// (bss zeroed) and starts the first thread here. A thread started with a stack keeps it;
// one started with rsp = 0 runs on the runtime's own initial stack.
    .text
    .globl _start
    .type _start, @function
_start:
    testq %rsp, %rsp
    jnz 1f
    leaq __tern_initial_stack_top(%rip), %rsp
1:  andq $-16, %rsp
    xorl %ebp, %ebp
    call __tern_start
    ud2
    .size _start, . - _start

    .bss
    .balign 16
__tern_initial_stack:
    .space 16384
__tern_initial_stack_top:

    .section .note.GNU-stack, "", @progbits
