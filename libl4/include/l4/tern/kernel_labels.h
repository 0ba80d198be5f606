// SPDX-License-Identifier: MIT
// libl4, Tern extension: the labels of the messages the kernel itself sends (X.2: page
// faults, exceptions, interrupts), as a receiver compares them: labels are 48 bits, so a
// negative X.2 label arrives as its low 48 bits (L4_Label(tag) & TERN_LABEL_MASK). The
// one definition for libl4's pager library, sigma0 and the servers. sigma0's own request
// label is <l4/sigma0.h>'s.
#ifndef L4_TERN_KERNEL_LABELS_H
#define L4_TERN_KERNEL_LABELS_H

#define TERN_LABEL_MASK 0xffffffffffffUL
// -2 << 4, with the access (r 4, w 2, x 1) in the low four bits.
#define TERN_PAGE_FAULT_LABEL ((~0UL - 1) << 4 & TERN_LABEL_MASK)
#define TERN_PAGE_FAULT_ACCESS_MASK 0xfUL
// -1 << 4, from an interrupt thread, no words.
#define TERN_INTERRUPT_LABEL ((~0UL) << 4 & TERN_LABEL_MASK)
// -5 << 4: an exception (MR1 the instruction pointer, MR3 the vector).
#define TERN_EXCEPTION_LABEL ((~0UL - 4) << 4 & TERN_LABEL_MASK)

#endif
