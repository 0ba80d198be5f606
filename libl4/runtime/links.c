// SPDX-License-Identifier: MIT
// libl4 runtime: the cached KIP links (tern-syscalls.h). Ipc's and Lipc's are set by
// __L4_Init before main. Those of the calls that keep the C calling convention start at a
// resolver, which stores the link on the first call, so they work before __L4_Init too
// (racing first calls store the same value). All live in .bss or .data, above every
// program's stack: an X.2 program whose own start-up stack is too small for printf
// overflows downwards into its data (Pistachio's pingpong does, by a few dozen bytes), and
// must not take these with it.
#include <l4/kip.h>

L4_Word_t __tern_link_ipc;
L4_Word_t __tern_link_lipc;

static L4_Word_t __tern_resolve_system_clock(void)
{
    __tern_link_system_clock = (__tern_c_system_clock_t)__tern_entry(TERN_KIP_LINK_SYSTEM_CLOCK);
    return __tern_link_system_clock();
}

static void __tern_resolve_thread_switch(L4_Word_t dest)
{
    __tern_link_thread_switch = (__tern_c_thread_switch_t)__tern_entry(TERN_KIP_LINK_THREAD_SWITCH);
    __tern_link_thread_switch(dest);
}

__tern_c_system_clock_t __tern_link_system_clock = __tern_resolve_system_clock;
__tern_c_thread_switch_t __tern_link_thread_switch = __tern_resolve_thread_switch;

void __tern_resolve_links(void);

void __tern_resolve_links(void)
{
    __tern_link_ipc = __tern_entry(TERN_KIP_LINK_IPC);
    __tern_link_lipc = __tern_entry(TERN_KIP_LINK_LIPC);
    __tern_link_system_clock = (__tern_c_system_clock_t)__tern_entry(TERN_KIP_LINK_SYSTEM_CLOCK);
    __tern_link_thread_switch = (__tern_c_thread_switch_t)__tern_entry(TERN_KIP_LINK_THREAD_SWITCH);
}
