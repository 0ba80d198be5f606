// SPDX-License-Identifier: MIT
// libl4 runtime: the cached KIP links of Ipc and Lipc (tern-syscalls.h). Each starts as
// the address of its resolver below, so the first call lands there with Ipc's registers
// loaded: the resolver keeps the inputs, has ipc_link.c store KIP base + link in the
// cache, and jumps to that entry as if it had been called directly. Later calls go to the
// KIP stub at once. (rax, rcx and r11 carry no input; the stub is entered from a `call`
// below the caller's red zone, so pushing is safe.)
    .data
    .balign 8
    .globl __tern_link_ipc, __tern_link_lipc
__tern_link_ipc:
    .quad __tern_resolve_ipc
__tern_link_lipc:
    .quad __tern_resolve_lipc

    .text
.macro resolver name, function
    .type \name, @function
\name:
    pushq %rdi
    pushq %rsi
    pushq %rdx
    pushq %r8
    pushq %r9
    pushq %r10
    subq $8, %rsp           // the C call needs rsp 16-byte aligned
    call \function
    addq $8, %rsp
    popq %r10
    popq %r9
    popq %r8
    popq %rdx
    popq %rsi
    popq %rdi
    jmp *%rax
    .size \name, . - \name
.endm

    resolver __tern_resolve_ipc, __tern_resolve_link_ipc
    resolver __tern_resolve_lipc, __tern_resolve_link_lipc

    .section .note.GNU-stack, "", @progbits
