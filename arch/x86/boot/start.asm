; SPDX-License-Identifier: MIT
; From the multiboot loader to C++: the loader leaves us in 32-bit protected mode with
; paging off, eax = multiboot magic, ebx = physical address of the information structure.
; We build one page directory of 2 MiB pages covering the boot window, show it at three
; places (identity, for the instruction that turns paging on; the direct map; the kernel
; image at KERNEL_OFFSET), enter long mode and jump to the kernel's higher half. The C++
; code replaces these tables with its own and the identity map goes with them.

%include "offsets.inc"

MULTIBOOT_MAGIC     equ 0x1badb002
MULTIBOOT_FLAGS     equ (1 << 0) | (1 << 1)     ; page-aligned modules, memory information
PAGE_PRESENT_WRITE  equ 0x3
PAGE_LARGE          equ 0x80
CR0_PG              equ 1 << 31
CR0_WP              equ 1 << 16
CR4_PAE             equ 1 << 5
CR4_PGE             equ 1 << 7
EFER_MSR            equ 0xc0000080
EFER_LME            equ 1 << 8
EFER_NXE            equ 1 << 11
DEBUG_EXIT_PORT     equ 0xf4
DEBUG_EXIT_FAILURE  equ 0x11

section .multiboot
align 4
    dd MULTIBOOT_MAGIC
    dd MULTIBOOT_FLAGS
    dd -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)

section .boot.text progbits alloc exec
bits 32
global boot_entry32
boot_entry32:
    cli
    cld
    mov esp, boot_stack32_top
    mov esi, ebx                        ; keep the information pointer
    mov edi, eax                        ; and the magic, checked by the C++ side

    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29
    jz .no_long_mode
    test edx, 1 << 20
    jz .no_nx

    ; Zero the three table pages, then fill them in.
    push edi
    mov edi, boot_pml4
    mov ecx, 3 * 4096 / 4
    xor eax, eax
    rep stosd
    pop edi

    mov eax, boot_pdpt
    or eax, PAGE_PRESENT_WRITE
    mov [boot_pml4], eax
    mov [boot_pml4 + ((DIRECT_MAP_BASE >> 39) & 511) * 8], eax
    mov [boot_pml4 + ((KERNEL_OFFSET >> 39) & 511) * 8], eax
    mov eax, boot_pd
    or eax, PAGE_PRESENT_WRITE
    mov [boot_pdpt], eax                 ; direct map and identity share slot 0
    mov [boot_pdpt + ((KERNEL_OFFSET >> 30) & 511) * 8], eax

    xor ecx, ecx
.fill_pd:
    mov eax, ecx
    shl eax, 21
    or eax, PAGE_PRESENT_WRITE | PAGE_LARGE
    mov [boot_pd + ecx * 8], eax
    inc ecx
    cmp ecx, BOOT_WINDOW_SIZE >> 21
    jb .fill_pd

    mov eax, cr4
    or eax, CR4_PAE | CR4_PGE
    mov cr4, eax
    mov eax, boot_pml4
    mov cr3, eax
    mov ecx, EFER_MSR
    rdmsr
    or eax, EFER_LME | EFER_NXE
    wrmsr
    mov eax, cr0
    or eax, CR0_PG | CR0_WP
    mov cr0, eax

    lgdt [boot_gdt_pointer]
    jmp 0x08:boot_entry64

.no_long_mode:
    mov ebx, message_no_long_mode
    jmp boot_fail32
.no_nx:
    mov ebx, message_no_nx
    jmp boot_fail32

; Prints the NUL-terminated string at ebx to the debug port and COM1 (as the firmware
; left it), then leaves QEMU with a failure status or halts.
boot_fail32:
    mov al, [ebx]
    test al, al
    jz .done
    out 0xe9, al
    mov dx, 0x3f8
    out dx, al
    inc ebx
    jmp boot_fail32
.done:
    mov al, DEBUG_EXIT_FAILURE
    out DEBUG_EXIT_PORT, al
.halt:
    hlt
    jmp .halt

bits 64
boot_entry64:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov rax, kernel_entry64
    jmp rax

section .boot.data progbits alloc noexec write
align 8
boot_gdt:
    dq 0
    dq 0x00af9a000000ffff                ; 64-bit code, selector 0x08
    dq 0x00cf92000000ffff                ; data, selector 0x10
boot_gdt_pointer:
    dw boot_gdt_pointer - boot_gdt - 1
    dd boot_gdt
message_no_long_mode:
    db "Tern: this CPU has no 64-bit long mode", 10, 0
message_no_nx:
    db "Tern: this CPU has no NX (no-execute) support", 10, 0

section .boot.bss nobits alloc noexec write
align 4096
boot_pml4:  resb 4096
boot_pdpt:  resb 4096
boot_pd:    resb 4096
boot_stack32: resb 256
boot_stack32_top:

; The higher half: the boot stack (with an unmapped guard page below it once the kernel's
; own tables are in place) and the jump into C++.
section .bss nobits alloc noexec write
align 4096
global boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard: resb 4096
boot_stack_bottom: resb 16384
boot_stack_top:

section .text
extern arch_start
kernel_entry64:
    mov rsp, boot_stack_top
    xor ebp, ebp
    ; rdi = magic, rsi = information pointer (both zero-extended from the 32-bit side)
    mov edi, edi
    mov esi, esi
    call arch_start
    ud2
