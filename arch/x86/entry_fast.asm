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

; Saves what a thread needs to resume later (rsp, rbp, rflags, rip and rbx) in its frame
; and calls %1 (the fast path for the sender's ring) with to, from specifier and timeouts
; still in rdi, rsi and rdx; GS is the kernel's. Leaves rsp at the frame.
%macro fast_path_call 1
    mov rax, rsp
    mov rsp, [gs:CPU_LOCAL_KERNEL_STACK_TOP]
    mov [rsp - FRAME_SIZE + FRAME_RSP], rax
    ; The thread resumes in its KIP stub, whose jmp *%rbx takes it back: the rip sysretq is
    ; given is then always the stub's (a user address), whatever rbx the caller passed.
    mov [rsp - FRAME_SIZE + FRAME_RIP], rcx
    mov [rsp - FRAME_SIZE + FRAME_RBX], rbx
    mov [rsp - FRAME_SIZE + FRAME_RFLAGS], r11
    mov [rsp - FRAME_SIZE + FRAME_RBP], rbp
    sub rsp, FRAME_SIZE
    call %1
%endmacro

; LSTAR while the running space takes the IPC fast path. Ipc and Lipc (numbers 0 and 1)
; preserve only rsp and rbp, and return to rbx (docs/abi.md), so this saves just what the
; thread needs to resume later, its rsp, rbp, rflags, rip and rbx, in its frame, and
; calls ipc_fast_path with to, from specifier and timeouts still in rdi, rsi and rdx.
; MR0-MR2 stay in r8-r10 throughout: the fast path is compiled never to change them (it
; reads the tag where it is). It leaves through ipc_fast_exit as the partner, or returns
; having changed nothing.
align 16
global syscall_entry_fast
syscall_entry_fast:
    cmp rax, SYSCALL_LIPC
    ja syscall_entry_general
    swapgs
    fast_path_call ipc_fast_path
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
; the task's rflags on: Ipc may touch none). From here on it is the system call of a ring-3
; thread, except that the thread's frame says ring 0, so it leaves by iretq: restore_frame,
; or ipc_fast_exit_kernel_task. (Its space's fast_syscall_entry is what LSTAR would be.)
align 16
global kernel_task_entry
kernel_task_entry:
    swapgs
    mov r11d, RFLAGS_INTERRUPTS | RFLAGS_FIXED
    cmp byte [gs:CPU_LOCAL_FAST_SYSCALL_ENTRY], 0
    je syscall_entry_general_swapped
    cmp rax, SYSCALL_LIPC
    ja syscall_entry_general_swapped
    fast_path_call ipc_fast_path_kernel_task
    jmp fast_path_declined

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
    mov rbx, [rsp + FRAME_RBX]      ; its return address, for its stub's jmp *%rbx
    mov rbp, [rsp + FRAME_RBP]
    xor edx, edx
    xor esi, esi
    xor edi, edi
    xor r12d, r12d
    xor r13d, r13d
    xor r14d, r14d
    xor r15d, r15d
    mov rsp, [rsp + FRAME_RSP]
    swapgs
    o64 sysret

; The same to a kernel-mode task (ring 0, where sysretq does not go): by iretq, through the
; frame's rip, rflags and rsp, which its entry saved, and its code and stack selectors,
; which it keeps for life. rcx and r11 are cleared like the rest.
align 16
global ipc_fast_exit_kernel_task
ipc_fast_exit_kernel_task:
    mov rbx, [rsp + FRAME_RBX]
    mov rbp, [rsp + FRAME_RBP]
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor edi, edi
    xor r11d, r11d
    xor r12d, r12d
    xor r13d, r13d
    xor r14d, r14d
    xor r15d, r15d
    add rsp, FRAME_RIP
    swapgs
    iretq
