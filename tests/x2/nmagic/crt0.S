/* SPDX-License-Identifier: MIT */
/* The start-up file of an X.2 program with its own crt0, the way Pistachio's programs
   have one: a stack in bss, __L4_Init (libl4's initialiser), then main. */
    .text
    .globl _start
    .type _start, @function
_start:
    leaq stack_top(%rip), %rsp
    call __L4_Init
    call main
1:  jmp 1b
    .size _start, . - _start

    .bss
    .balign 16
    .space 8192
stack_top:

    .section .note.GNU-stack, "", @progbits
