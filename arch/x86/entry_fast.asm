; SPDX-License-Identifier: MIT
; The IPC fast path's entry and exit (its logic is kernel/thread-ipc-fast.cpp). This file's
; code and ipc_fast_path share one page, first in the kernel's text (linker.ld): after
; every address-space switch each page of code touched costs a TLB refill, and jumps
; within a page are what an emulator chains cheaply.

%include "offsets.inc"

bits 64
default rel

extern ipc_fast_path
extern ipc_fast_path_kernel_task
extern syscall_entry_general
extern syscall_entry_general_swapped
extern syscall_dispatch
extern restore_frame

; Saves what a thread needs to resume later (rsp, rbp, rflags %3, rip %2 and rbx) in its
; frame and calls %1 (the fast path for the sender's ring) with to, from specifier and
; timeouts still in rdi, rsi and rdx; GS is the kernel's. Leaves rsp at the frame.
%macro fast_path_call 3
    mov rax, rsp
    mov rsp, [gs:CPU_LOCAL_KERNEL_STACK_TOP]
    mov [rsp - FRAME_SIZE + FRAME_RSP], rax
    mov [rsp - FRAME_SIZE + FRAME_RIP], %2
    mov [rsp - FRAME_SIZE + FRAME_RBX], rbx
    mov qword [rsp - FRAME_SIZE + FRAME_RFLAGS], %3
    mov [rsp - FRAME_SIZE + FRAME_RBP], rbp
    sub rsp, FRAME_SIZE
    call %1
%endmacro

; The receiver's rbx (its return address, for its stub's jmp *%rbx) and rbp from its frame,
; zeros in what it must not see of the sender or the kernel, then its stack. (rax, r8-r10
; carry the message; rcx and r11 are each exit's.)
%macro restore_and_clear_for_receiver 0
    mov rbx, [rsp + FRAME_RBX]
    mov rbp, [rsp + FRAME_RBP]
    xor edx, edx
    xor esi, esi
    xor edi, edi
    xor r12d, r12d
    xor r13d, r13d
    xor r14d, r14d
    xor r15d, r15d
    mov rsp, [rsp + FRAME_RSP]
%endmacro

; LSTAR. Every call but Ipc and Lipc (numbers 0 and 1) goes to the general entry, and
; those too while the running space does not take the fast path (User_mode::
; select_syscall_entry's byte). Ipc and Lipc preserve only rsp and rbp, and return to rbx
; (docs/abi.md), so this saves just what the thread needs to resume later, its rsp, rbp,
; rflags, rip and rbx, in its frame, and calls ipc_fast_path with to, from specifier and
; timeouts still in rdi, rsi and rdx.
; MR0-MR2 stay in r8-r10 throughout: the fast path is compiled never to change them (it
; reads the tag where it is). It leaves through ipc_fast_exit as the partner, or returns
; having changed nothing.
align 16
global syscall_entry_fast
syscall_entry_fast:
    cmp rax, SYSCALL_LIPC
    ja syscall_entry_general
    swapgs
    cmp byte [gs:CPU_LOCAL_FAST_SYSCALL_ENTRY], 0
    je syscall_entry_general_swapped
    ; The thread resumes in its KIP stub, whose jmp *%rbx takes it back: the rip sysretq is
    ; given is then always the stub's (a user address), whatever rbx the caller passed.
    fast_path_call ipc_fast_path, rcx, r11
fast_path_declined:
    ; The general path takes the call. ipc_fast_path saved rdi, rsi and rdx in the frame;
    ; the rest goes there now. r12-r15 may hold the kernel's values by now (the fast path
    ; does not keep them): the thread gets zeros there.
    mov qword [rsp + FRAME_RAX], SYSCALL_IPC
    mov [rsp + FRAME_R8], r8
    mov [rsp + FRAME_R9], r9
    mov [rsp + FRAME_R10], r10
    xor ecx, ecx
    mov [rsp + FRAME_R12], rcx
    mov [rsp + FRAME_R13], rcx
    mov [rsp + FRAME_R14], rcx
    mov [rsp + FRAME_R15], rcx
    mov rcx, [rsp + FRAME_RFLAGS]
    mov [rsp + FRAME_R11], rcx
    mov rcx, [rsp + FRAME_RIP]
    mov [rsp + FRAME_RCX], rcx
    mov qword [rsp + FRAME_VECTOR], SYSCALL_VECTOR
    mov qword [rsp + FRAME_ERROR_CODE], 0
    mov rdi, rsp
    call syscall_dispatch
    jmp restore_frame

; A kernel-mode task's system call: its stub (Syscall_stubs) jumps here in ring 0 with
; interrupts off and the registers `syscall` would have left (rcx the return address), but
; r11: the rflags to return with are set here, interrupts on (the stub has no stack to save
; the task's rflags on). From here on it is the system call of a ring-3 thread, except that
; the thread's frame says ring 0, so it leaves by iretq (restore_frame). Ipc and Lipc come
; to kernel_task_ipc_entry_* instead, and ThreadSwitch only when its stub, which does it as
; a plain call when it changes nothing, finds that it must (Syscall_stubs).
align 16
global kernel_task_entry
kernel_task_entry:
    swapgs
    mov r11d, RFLAGS_INTERRUPTS | RFLAGS_FIXED
    jmp syscall_entry_general_swapped

; A kernel-mode task's Ipc or Lipc: its stub jumps through the KIP's kernel_task_ipc_entry
; word, which names one of these two as Cpu_local's fast_syscall_entry says, in ring 0 with
; interrupts off, the return address in rbx (abi.md), and neither a number nor rcx: the
; thread resumes at rbx itself, its caller's code, which is the same in either ring (a
; thread moved to a space of the other mode while it waits resumes right).
align 16
global kernel_task_ipc_entry_fast
kernel_task_ipc_entry_fast:
    swapgs
    fast_path_call ipc_fast_path_kernel_task, rbx, RFLAGS_INTERRUPTS | RFLAGS_FIXED
    jmp fast_path_declined

align 16
global kernel_task_ipc_entry_general
kernel_task_ipc_entry_general:
    swapgs
    mov rcx, rbx
    mov r11d, RFLAGS_INTERRUPTS | RFLAGS_FIXED
    mov eax, SYSCALL_IPC
    jmp syscall_entry_general_swapped

; The fast path's way out, as the receiver: rsp = the receiver's frame, rax = the sender
; as the receiver names it, r8-r10 = MR0-MR2. Every other register is set from the frame
; or cleared, so that nothing of the sender or the kernel reaches the receiver. sysretq
; needs a user rip below 2^47 (Intel raises #GP in ring 0 at a non-canonical one): the
; receiver's gate promises one (Thread::general_switch_).
align 16
global ipc_fast_exit
ipc_fast_exit:
    mov rcx, [rsp + FRAME_RIP]
    mov r11, [rsp + FRAME_RFLAGS]
    restore_and_clear_for_receiver
    swapgs
    o64 sysret

; The same to a kernel-mode task, which runs in ring 0 with the kernel's selectors already:
; no sysretq (it goes to ring 3) and no iretq (which reloads both selectors from the GDT)
; is needed, only its stack, its GS base and interrupts back on. sti's one-instruction
; shadow covers the jump: no interrupt arrives at a kernel-half rip with the task's GS base.
; The task's rflags other than IF are not restored (its entry saved the ones it returns
; with: interrupts on, nothing else). rcx holds its rip, which it knows; r11 is cleared.
align 16
global ipc_fast_exit_kernel_task
ipc_fast_exit_kernel_task:
    mov rcx, [rsp + FRAME_RIP]
    xor r11d, r11d
    restore_and_clear_for_receiver
    swapgs
    sti
    jmp rcx
