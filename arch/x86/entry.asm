; SPDX-License-Identifier: MIT
; Interrupt and exception entry. Each vector's stub makes the stack look the same (an
; error code, real or zero, then the vector number), and the common path saves the
; general registers to complete an Exception_frame for interrupt_dispatch().

%include "offsets.inc"

bits 64
default rel

extern interrupt_dispatch
extern syscall_dispatch
extern user_rip_not_canonical


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

; Jumps to %1 if the user rip of the frame at rsp is not canonical (bits 63..47 not all
; equal). iretq to such a rip raises #GP in ring 0 on Intel CPUs and in Bochs (QEMU's TCG
; lets it through and faults at the fetch), with the user's GS base already swapped in;
; ExchangeRegisters may have stored one. Clobbers rax, which the frame restores.
; (Canonical exactly when rip + 2^47 is below 2^48, modulo 2^64.)
%macro jump_if_rip_not_canonical 1
    mov rax, 0x0000800000000000
    add rax, [rsp + FRAME_RIP]
    shr rax, 48
    jnz %1
%endmacro

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

; Entered from user mode the GS base is the user's; swap in the kernel's (Cpu_local).
align 16
interrupt_common:
    test byte [rsp + FRAME_CS - FRAME_VECTOR], 3
    jz .from_kernel
    swapgs
.from_kernel:
    push_general_registers
    cld
    mov rdi, rsp
    call interrupt_dispatch
; rsp points at an Exception_frame: restore it and return to where it came from.
global restore_frame
restore_frame:
    test byte [rsp + FRAME_CS], 3
    jz restore_kernel_frame
; The same for a frame known to return to user mode (the IPC hand-off).
global restore_user_frame
restore_user_frame:
    jump_if_rip_not_canonical rip_not_canonical
    pop_general_registers
    add rsp, FRAME_RIP - FRAME_VECTOR
    swapgs
    iretq

restore_kernel_frame:
    pop_general_registers
    add rsp, FRAME_RIP - FRAME_VECTOR
    iretq

; The thread takes #GP(0) at that rip as exception IPC instead (user_rip_not_canonical);
; then its frame, perhaps with a rip from the handler's reply, is checked again. rsp is the
; frame, 16-byte aligned, as for interrupt_dispatch.
rip_not_canonical:
    mov rdi, rsp
    call user_rip_not_canonical
    jmp restore_frame

; SYSCALL: rcx = user rip, r11 = user rflags, interrupts off (FMASK), rsp still the user's.
; Builds the same Exception_frame as an interrupt from user mode would, so that every
; path into the kernel leaves one kind of saved user state. LSTAR points here while the
; running space does not take the IPC fast path (its system calls are reflected, or the
; boot option ipc=general is given), and syscall_entry_fast sends every call but Ipc here.
align 16
global syscall_entry_general
syscall_entry_general:
    swapgs
    mov [gs:CPU_LOCAL_USER_STACK], rsp
    mov rsp, [gs:CPU_LOCAL_KERNEL_STACK_TOP]
    push GDT_USER_DATA
    push qword [gs:CPU_LOCAL_USER_STACK]
    push r11
    push GDT_USER_CODE
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
