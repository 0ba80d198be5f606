// SPDX-License-Identifier: MIT
// libl4 runtime: resolves the cached KIP links of Ipc and Lipc (ipc_link.S calls these).
#include <l4/kip.h>

L4_Word_t __tern_resolve_link_ipc(void);
L4_Word_t __tern_resolve_link_lipc(void);

L4_Word_t __tern_resolve_link_ipc(void)
{
    __tern_link_ipc = __tern_entry(TERN_KIP_LINK_IPC);
    return __tern_link_ipc;
}

L4_Word_t __tern_resolve_link_lipc(void)
{
    __tern_link_lipc = __tern_entry(TERN_KIP_LINK_LIPC);
    return __tern_link_lipc;
}
