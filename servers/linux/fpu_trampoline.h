/* SPDX-License-Identifier: MIT
 * The FPU trampoline's layout and call numbers (fpu_trampoline.S), shared with the server. */
#ifndef LINUX_FPU_TRAMPOLINE_H
#define LINUX_FPU_TRAMPOLINE_H

/* The restoring entry's offset in the page; the saving one is at 0. */
#define FPU_TRAMPOLINE_RESTORE_OFFSET 64
/* The calls that end each half: above every Linux system call number. */
#define FPU_TRAMPOLINE_SAVED 0x7e510
#define FPU_TRAMPOLINE_RESTORED 0x7e511

#endif
