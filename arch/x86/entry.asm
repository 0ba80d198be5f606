; SPDX-License-Identifier: MIT
; Interrupt and exception entry. Each vector's stub makes the stack look the same (an
; error code, real or zero, then the vector number), and the common path saves the
; general registers to complete an Exception_frame for interrupt_dispatch().

%include "offsets.inc"

bits 64
default rel

extern interrupt_dispatch

; Vectors for which the CPU pushes an error code.
%define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

section .text

%assign vector 0
%rep 256
align 16
interrupt_stub_ %+ vector:
%if !HAS_ERROR_CODE(vector)
    push 0
%endif
    push vector
    jmp interrupt_common
%assign vector vector + 1
%endrep

align 16
interrupt_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    cld
    mov rdi, rsp
    call interrupt_dispatch
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, FRAME_RIP - FRAME_VECTOR
    iretq

section .rodata
global interrupt_stubs
align 8
interrupt_stubs:
%assign vector 0
%rep 256
    dq interrupt_stub_ %+ vector
%assign vector vector + 1
%endrep
