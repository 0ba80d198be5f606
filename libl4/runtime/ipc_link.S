// SPDX-License-Identifier: MIT
// libl4 runtime: the cached KIP links of Ipc and Lipc (tern-syscalls.h). Each starts as
// the address of its resolver below, so the first call lands there with Ipc's registers
// loaded and the return address in rbx (the links are entered with a jump, docs/abi.md):
// the resolver keeps the inputs, has ipc_link.c store KIP base + link in the cache, and
// jumps to that entry as if it had been jumped to directly. Later calls go to the KIP stub
// at once. (rax, rcx, r11 and r12 carry no input; rbx and rbp survive the C call. The
// caller's red zone lies below its rsp, so the resolver steps over it before pushing.)
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
    movq %rsp, %r12         // (r12 carries no input and survives the C call)
    leaq -128(%rsp), %rsp
    andq $-16, %rsp         // the C call needs rsp 16-byte aligned
    pushq %rdi
    pushq %rsi
    pushq %rdx
    pushq %r8
    pushq %r9
    pushq %r10
    call \function
    popq %r10
    popq %r9
    popq %r8
    popq %rdx
    popq %rsi
    popq %rdi
    movq %r12, %rsp
    jmp *%rax
    .size \name, . - \name
.endm

    resolver __tern_resolve_ipc, __tern_resolve_link_ipc
    resolver __tern_resolve_lipc, __tern_resolve_link_lipc

    .section .note.GNU-stack, "", @progbits
