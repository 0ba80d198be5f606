// SPDX-License-Identifier: MIT
// libl4, Tern extension: how a receiver compares the labels of the messages the kernel
// itself sends (X.2: page faults, exceptions, interrupts, preemptions). Labels are 48 bits,
// so a negative X.2 label arrives as its low 48 bits: compare L4_Label(tag) & TERN_LABEL_MASK
// with abi.h's TERN_LABEL_PAGE_FAULT, TERN_LABEL_EXCEPTION, TERN_LABEL_INTERRUPT, ...
// (abi/x86_64.toml [labels] is their one definition), or use tern_protocol_label() where
// the protocol carries data in the low bits (a page fault's access).
#ifndef L4_TERN_KERNEL_LABELS_H
#define L4_TERN_KERNEL_LABELS_H

#include "abi.h"

#define TERN_LABEL_MASK ((1UL << TERN_LABEL_BITS) - 1)
// The access a page fault reports (r 4, w 2, x 1) in the label's low bits.
#define TERN_PAGE_FAULT_ACCESS_MASK ((1UL << TERN_LABEL_PROTOCOL_SHIFT) - 1)

#endif
