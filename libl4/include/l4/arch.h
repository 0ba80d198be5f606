// SPDX-License-Identifier: MIT
// libl4: architecture-specific parts of the interface (x86 I/O-port fpages).
#ifndef L4_ARCH_H
#define L4_ARCH_H

#include <l4/types.h>
#include <l4/amd64/syscalls.h>
#include <l4/amd64/arch.h>

#endif
