// SPDX-License-Identifier: MIT
// libl4 runtime: the cached KIP links of Ipc and Lipc (tern-syscalls.h), which __L4_Init
// sets before main. They live in .bss, above every program's data: an X.2 program whose
// own start-up stack is too small for printf overflows downwards into its data (Pistachio's
// pingpong does, by a few dozen bytes), and must not take these with it.
#include <l4/kip.h>

L4_Word_t __tern_link_ipc;
L4_Word_t __tern_link_lipc;

void __tern_resolve_links(void);

void __tern_resolve_links(void)
{
    __tern_link_ipc = __tern_entry(TERN_KIP_LINK_IPC);
    __tern_link_lipc = __tern_entry(TERN_KIP_LINK_LIPC);
}
