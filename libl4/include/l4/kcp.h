// SPDX-License-Identifier: MIT
// libl4: the kernel configuration page, X.2's view of the KIP as the boot loader fills it
// in (kernel debugger, sigma0, sigma1 and root server, memory, boot information).
#ifndef L4_KCP_H
#define L4_KCP_H

#include <stddef.h>
#include <l4/types.h>
#include "abi.h"

#ifndef L4_MAGIC
# define L4_MAGIC (('K' << 24) + (230 << 16) + ('4' << 8) + 'L')
#endif

typedef struct L4_KernelRootServer {
    L4_Word_t sp;
    L4_Word_t ip;
    L4_Word_t low;
    L4_Word_t high;
} L4_KernelRootServer_t;

typedef struct L4_KernelConfigurationPage {
    L4_Word_t magic;
    L4_Word_t __padding04[3];
    L4_KernelRootServer_t Kdebug;
    L4_KernelRootServer_t sigma0;
    L4_KernelRootServer_t sigma1;
    L4_KernelRootServer_t root_server;
    L4_Word_t __padding50[1];
    struct {
        L4_Word_t n : 32;
        L4_Word_t MemDescPtr : 32;
    } MemoryInfo;
    L4_Word_t Kdebug_config[2];
    struct {
        L4_Word_t low;
        L4_Word_t high;
    } MainMem;
    L4_Word_t __padding68[4];
    struct {
        L4_Word_t low;
        L4_Word_t high;
    } DedicatedMem[5];
    L4_Word_t __paddingA0[6];
    L4_Word_t BootInfo;
    L4_Word_t __paddingBC[1];
} L4_KernelConfigurationPage_t;

#define __L4_KCP_CHECK(field, offset) \
    typedef char __l4_kcp_check_##field[offsetof(L4_KernelConfigurationPage_t, field) == (offset) ? 1 : -1]
__L4_KCP_CHECK(Kdebug, TERN_KIP_KDEBUG_INIT);
__L4_KCP_CHECK(sigma0, TERN_KIP_SIGMA0_SP);
__L4_KCP_CHECK(sigma1, TERN_KIP_SIGMA1_SP);
__L4_KCP_CHECK(root_server, TERN_KIP_ROOT_SERVER_SP);
__L4_KCP_CHECK(MemoryInfo, TERN_KIP_MEMORY_INFO);
__L4_KCP_CHECK(MainMem, TERN_KIP_MAIN_MEMORY_LOW);
__L4_KCP_CHECK(BootInfo, TERN_KIP_BOOT_INFO);
#undef __L4_KCP_CHECK

#endif
