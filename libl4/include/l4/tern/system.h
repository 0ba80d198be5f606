// SPDX-License-Identifier: MIT
// libl4, Tern extension: the root task's system protocol (docs/system.md). The root task
// starts every task, is its pager and exception handler, and does the privileged things
// (X.2 lets only it use ThreadControl and SpaceControl) on the tasks' behalf, as far as
// the boot configuration grants them.
//
//   request (label)           words in                   reply words (status in the label)
//   TERN_SYSTEM_ARGS          -                          MR1.. the task's arguments (a string)
//   TERN_SYSTEM_EXIT          MR1 exit status            none: the task is gone
//   TERN_SYSTEM_RUN           MR1.. "module arguments"   when the task ends: MR1 exit status
//                                                        (status OK, INTERRUPTED or KILLED)
//   TERN_SYSTEM_INTERRUPT     -                          MR1 tasks ended (those the caller's task runs)
//   TERN_SYSTEM_THREAD        MR1 ip, MR2 sp             MR1 the new thread of the caller's task
//                             or MR1 pager (a thread of  MR1 the new thread, which waits for
//                             the caller's task)         its pager's start message (X.2)
//   TERN_SYSTEM_IO_PORTS      MR1 I/O fpage              a map item of the ports (accept them)
//   TERN_SYSTEM_IRQ           MR1 interrupt number       - (the caller now receives that interrupt)
//   TERN_SYSTEM_TASKS         MR1 index                  MR1 thread, MR2 priority, MR3 state,
//                                                        MR4 kind, MR5 bytes of memory, MR6 ring
//                                                        (3, or 0: a kernel-mode task), MR7-10 name
//   TERN_SYSTEM_MEMORY        -                          MR1 bytes root got from sigma0,
//                                                        MR2 bytes its tasks use, MR3 tasks
//   TERN_SYSTEM_SHUTDOWN      MR1 status                 none: the machine stops
//   TERN_SYSTEM_SPACE_NEW     MR1 control (bit 0:        MR1 the space's first thread, inactive
//                             reflect syscalls), MR2     until its pager's start message; MR2 its
//                             pager (a thread of the     KIP area, MR3 its UTCB area (fpages)
//                             caller's task), MR3-6 name
//   TERN_SYSTEM_SPACE_DELETE  MR1 a space's first thread none (the space and its threads are gone)
//   TERN_SYSTEM_SPACE_THREAD  MR1 a space's first thread, MR1 a further thread of that space, paged
//                             MR2 pager (a thread of     and scheduled by pager, inactive until its
//                             the caller's task)         pager's start message
//   TERN_SYSTEM_SPACE_THREAD_DELETE  MR1 a thread, not   none (the thread is gone)
//                             the first, of a space; MR2 0
//   TERN_SYSTEM_PCI           MR1 index                  the PCI function root found at boot (NOT_FOUND
//                                                        past the last): MR1 bus << 8 | device << 3 |
//                                                        function, MR2 vendor | device id << 16, MR3
//                                                        class << 16 | subclass << 8 | interface |
//                                                        revision << 24, MR4 interrupt line | pin << 8 |
//                                                        header type << 16, MR5-16 six BARs as base |
//                                                        TERN_PCI_BAR_* (low bits), then size
//   TERN_SYSTEM_PCI_CLAIM     MR1 index (a function     MR1 its interrupt line, now attached to the
//                             of the id the caller's     caller (~0: none), MR2 how it signals:
//                             pci= grants)               TERN_PCI_INTERRUPT_PIN (its INTx pin,
//                                                        level-triggered) or _MSIX (a message-
//                                                        signalled line: entry 0 of its MSI-X table
//                                                        raises it, MSI-X on); map items of its I/O
//                                                        BARs' ports; its decoding and bus mastering on
//   TERN_SYSTEM_DMA           MR1 log2 of the size       MR1 the physical address; a map item of the
//                             (12-22; with a pci= grant) memory (accept it where it should go)
//   TERN_SYSTEM_MODULE        MR1 first page, MR2-5 name MR1 size, MR2 offset of its first byte in its
//                                                        first page, MR3 pages mapped; map items of
//                                                        those pages, read-only, at send base
//                                                        (page - first page) * page size
#ifndef L4_TERN_SYSTEM_H
#define L4_TERN_SYSTEM_H

#include <l4/tern/protocol.h>

#define TERN_SYSTEM_ARGS 0x7e21UL
#define TERN_SYSTEM_EXIT 0x7e22UL
#define TERN_SYSTEM_RUN 0x7e23UL
#define TERN_SYSTEM_INTERRUPT 0x7e24UL
#define TERN_SYSTEM_THREAD 0x7e25UL
#define TERN_SYSTEM_IO_PORTS 0x7e26UL
#define TERN_SYSTEM_IRQ 0x7e27UL
#define TERN_SYSTEM_TASKS 0x7e28UL
#define TERN_SYSTEM_MEMORY 0x7e29UL
#define TERN_SYSTEM_SHUTDOWN 0x7e2aUL
#define TERN_SYSTEM_SPACE_NEW 0x7e2bUL
#define TERN_SYSTEM_SPACE_DELETE 0x7e2cUL
#define TERN_SYSTEM_MODULE 0x7e2dUL
#define TERN_SYSTEM_SPACE_THREAD 0x7e2eUL
#define TERN_SYSTEM_SPACE_THREAD_DELETE 0x7e2fUL
#define TERN_SYSTEM_PCI 0x7e30UL
#define TERN_SYSTEM_PCI_CLAIM 0x7e31UL
#define TERN_SYSTEM_DMA 0x7e32UL

// TERN_SYSTEM_PCI: a BAR's kind in the low bits of its base word (bases are aligned).
#define TERN_PCI_BAR_NONE 0UL
#define TERN_PCI_BAR_IO 1UL
#define TERN_PCI_BAR_MEMORY32 2UL
#define TERN_PCI_BAR_MEMORY64 3UL
#define TERN_PCI_BAR_KIND_MASK 3UL
#define TERN_PCI_BAR_PREFETCHABLE 8UL
#define TERN_PCI_WORDS 16
// TERN_SYSTEM_PCI_CLAIM: how the claimed function's interrupt line is raised (MR2).
#define TERN_PCI_INTERRUPT_PIN 0UL
#define TERN_PCI_INTERRUPT_MSIX 1UL
#define TERN_SYSTEM_SPACE_REFLECT 1UL // TERN_SYSTEM_SPACE_NEW control: syscalls become exception IPC

#define TERN_ARGS_WORDS 32 // arguments and run command lines: at most 255 bytes

// TERN_SYSTEM_TASKS kinds.
#define TERN_TASK_SIGMA0 0
#define TERN_TASK_ROOT 1
#define TERN_TASK_SERVER 2 // started from the boot configuration
#define TERN_TASK_RUN 3    // started by TERN_SYSTEM_RUN
#define TERN_TASK_THREAD 4 // a further thread of the task listed before it
#define TERN_TASK_INTERRUPT 5 // an interrupt thread attached for the named task; word 4: its handler
#define TERN_TASK_SPACE 6     // a space made for a task (TERN_SYSTEM_SPACE_NEW), which pages it

#endif
