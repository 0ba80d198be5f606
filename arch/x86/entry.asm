; SPDX-License-Identifier: MIT
; Interrupt and exception entry. Each vector's stub makes the stack look the same (an
; error code, real or zero, then the vector number), and the common path saves the
; general registers to complete an Exception_frame for interrupt_dispatch().

%include "offsets.inc"

bits 64
default rel

extern interrupt_dispatch
extern syscall_dispatch
extern task_rip_not_allowed


; Vectors for which the CPU pushes an error code.
%define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

; The general registers in Exception_frame order (rax ends up at the highest address).
%macro push_general_registers 0
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
%endmacro

; The reverse of push_general_registers.
%macro pop_general_registers 0
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
%endmacro

; Jumps to %1 if the task frame at rsp must not be returned to (ExchangeRegisters and
; exception replies store any IP and SP). In ring 3: a non-canonical rip, at which iretq
; raises #GP in ring 0 on Intel CPUs and in Bochs (QEMU's TCG lets it through and faults at
; the fetch), with the user's GS base already swapped in; a kernel-half rip or rsp faults in
; ring 3 as it should. In a kernel-mode task (ring 0): a rip outside the user half, which
; would run kernel code and make its frames look like the kernel's (jump_if_task), or an
; rsp outside it, whose first push would write kernel memory without a fault. Clobbers rax,
; which the frame restores.
%macro jump_if_rip_not_allowed 1
    test byte [rsp + FRAME_CS], 3
    jz %%kernel_mode_task
    mov rax, 0x0000800000000000         ; canonical: rip + 2^47 below 2^48, modulo 2^64
    add rax, [rsp + FRAME_RIP]
    shr rax, 48
    jnz %1
    jmp %%allowed
%%kernel_mode_task:
    mov rax, [rsp + FRAME_RIP]
    or rax, [rsp + FRAME_RSP]
    shr rax, 47
    jnz %1
%%allowed:
%endmacro

; Who was interrupted, from the frame the CPU pushed at %1 (the offset of its rip): a task
; (ring 3, or a kernel-mode task in ring 0, whose code lies in the lower half) or the
; kernel (ring 0 with a kernel-half rip). Jumps to %2 for a task. Frames are canonical, so
; bit 63 of rip tells the halves apart.
%macro jump_if_task 2
    test byte [%1 + 8], 3               ; cs
    jnz %2
    test byte [%1 + 7], 0x80            ; rip bit 63
    jz %2
%endmacro

; The 256 stubs (4 KiB) apart from the common code, which the linker script puts among the
; hot paths' pages (linker.ld, .text.hot): a switch between spaces refills only the stub
; of the vector that came.
section .text.interrupt_stubs progbits alloc exec nowrite align=16

; The vectors with a stack of their own in the TSS (Tss::Ist: double fault, NMI, machine
; check) stay on it; every other vector enters on the entry stack (Tss::entry) and moves.
%define OWN_IST(v) ((v) == 2 || (v) == 8 || (v) == 18)

%assign vector 0
%rep 256
align 16
interrupt_stub_ %+ vector:
%if !HAS_ERROR_CODE(vector)
    push 0
%endif
    push vector
%if OWN_IST(vector)
    jmp interrupt_common_in_place
%else
    jmp interrupt_common
%endif
%assign vector vector + 1
%endrep

section .text

; On the entry stack (interrupts off): the CPU switches to it whatever ran, because a
; kernel-mode task runs in ring 0, where the CPU would otherwise push the frame onto the
; task's own stack (perhaps the one that just overflowed, or the red zone below it). The
; frame moves at once to where it belongs, so the entry stack is free again before
; anything can nest: a task's to the top of its thread's kernel stack (as rsp0 would have
; put it), an interrupt of the kernel's (the idle thread's hlt) to just below the stack it
; interrupted (as the CPU would have). An exception in the kernel is fatal
; (Exception_report) and the stack it hit may be its cause, an overflow into the guard
; page: it is reported on the double fault's stack.
align 16
interrupt_common:
    push rax
    push rcx
    jump_if_task rsp + 16 + FRAME_RIP - FRAME_VECTOR, .from_task
    cmp qword [rsp + 16], FIRST_INTERRUPT_VECTOR
    jb .kernel_exception
    mov rax, [rsp + 16 + FRAME_RSP - FRAME_VECTOR]
    and rax, -16
    jmp .move
.kernel_exception:
    mov rax, [gs:CPU_LOCAL_FATAL_STACK_TOP]
    jmp .move
.from_task:
    swapgs                              ; a task's GS base is the user's
    mov rax, [gs:CPU_LOCAL_KERNEL_STACK_TOP]
.move:
    mov rcx, rsp
    mov rsp, rax
%assign slot (FRAME_SIZE - FRAME_VECTOR) / 8
%rep (FRAME_SIZE - FRAME_VECTOR) / 8
%assign slot slot - 1
    push qword [rcx + 16 + slot * 8]    ; ss, rsp, rflags, cs, rip, error code, vector
%endrep
    mov rax, [rcx + 8]
    mov rcx, [rcx]
    push_general_registers
    cld
    mov rdi, rsp
    call interrupt_dispatch
; rsp points at an Exception_frame: restore it and return to where it came from. A task's
; frame is the one at the top of the running thread's kernel stack, and no other frame
; is there (the kernel's lie below a stack pointer it interrupted). So the position decides,
; not the frame's contents: ExchangeRegisters or an exception reply may have put any rip
; into a task's frame, a kernel-half one too (restore_user_frame refuses it).
global restore_frame
restore_frame:
    lea rax, [rsp + FRAME_SIZE]             ; (rax: the frame restores it)
    cmp rax, [gs:CPU_LOCAL_KERNEL_STACK_TOP]
    jne restore_kernel_frame
; The same for a frame known to belong to a task (the IPC hand-off): in ring 3, or in
; ring 0 as a kernel-mode task; both have the user's GS base.
global restore_user_frame
restore_user_frame:
    jump_if_rip_not_allowed rip_not_allowed
    pop_general_registers
    add rsp, FRAME_RIP - FRAME_VECTOR
    swapgs
    iretq

restore_kernel_frame:
    pop_general_registers
    add rsp, FRAME_RIP - FRAME_VECTOR
    iretq

; The vectors with their own stack: the frame stays there (a double fault's stack may be
; what failed), so its position says nothing; the interrupted context decides, as at
; entry. Their handlers do not return to a task that blocks.
align 16
interrupt_common_in_place:
    jump_if_task rsp + FRAME_RIP - FRAME_VECTOR, .from_task
    push_general_registers
    cld
    mov rdi, rsp
    call interrupt_dispatch
    jmp restore_kernel_frame
.from_task:
    swapgs
    push_general_registers
    cld
    mov rdi, rsp
    call interrupt_dispatch
    jmp restore_user_frame

; The thread takes #GP(0) at that rip as exception IPC instead (task_rip_not_allowed);
; then its frame, perhaps with a rip from the handler's reply, is checked again. rsp is the
; frame, 16-byte aligned, as for interrupt_dispatch.
rip_not_allowed:
    mov rdi, rsp
    call task_rip_not_allowed
    jmp restore_frame

; SYSCALL: rcx = user rip, r11 = user rflags, interrupts off (FMASK), rsp still the user's.
; Builds the same Exception_frame as an interrupt from user mode would, so that every
; path into the kernel leaves one kind of saved user state. syscall_entry_fast (LSTAR)
; sends every call but Ipc and Lipc here, and those too while the running space does not
; take the IPC fast path (its system calls are reflected, or the boot option ipc=general).
; The frame's ss and cs are the thread's own, set when it was started (prepare_frame) and
; never written by an entry: they say whether it returns to ring 3 or is a kernel-mode
; task in ring 0.
align 16
global syscall_entry_general
syscall_entry_general:
    swapgs
global syscall_entry_general_swapped
syscall_entry_general_swapped:
    mov [gs:CPU_LOCAL_USER_STACK], rsp
    mov rsp, [gs:CPU_LOCAL_KERNEL_STACK_TOP]
    sub rsp, 8                              ; ss
    push qword [gs:CPU_LOCAL_USER_STACK]
    push r11
    sub rsp, 8                              ; cs
    push rcx
    push 0
    push SYSCALL_VECTOR
    push_general_registers
    ; No cld: SYSCALL cleared DF already (FMASK).
    mov rdi, rsp
    call syscall_dispatch
    jmp restore_frame


; [[noreturn]] void return_to_user(Exception_frame *frame), frame at the top of this stack
global return_to_user
return_to_user:
    mov rsp, rdi
    jmp restore_frame

; The kernel-context half of a switch: saves the callee-saved registers on the current
; stack, stores its pointer through rdi and moves to the stack in rsi.
%macro switch_kernel_stack 0
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov [rdi], rsp
    mov rsp, rsi
%endmacro

; void context_switch(uint64_t *save, uint64_t next)
align 16
global context_switch
context_switch:
    switch_kernel_stack
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

; void switch_to_frame(uint64_t *save, Exception_frame *frame): saves the current context
; like context_switch, then leaves the kernel through frame, which tops its thread's stack.
align 16
global switch_to_frame
switch_to_frame:
    switch_kernel_stack
    jmp restore_frame

; A new thread's first context_switch returns here with rsp at its user frame. The C++
; side may wait for the start message; it returns the frame to leave through.
extern thread_bootstrap
global thread_first_entry
thread_first_entry:
    call thread_bootstrap
    mov rsp, rax
    jmp restore_frame

section .rodata
global interrupt_stubs
align 8
interrupt_stubs:
%assign vector 0
%rep 256
    dq interrupt_stub_ %+ vector
%assign vector vector + 1
%endrep
