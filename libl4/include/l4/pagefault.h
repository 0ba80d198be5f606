// SPDX-License-Identifier: MIT
// libl4: views of the page-fault protocol messages. The kernel sends a page fault as
//   MR0  label (-2 << 4) | access (r 2, w 1, x 0 of the faulting access), u = 2, t = 0
//   MR1  the fault address, MR2 the faulting instruction pointer
// and expects a reply with one map or grant item (u = 0, t = 2), or an empty reply.
#ifndef L4_PAGEFAULT_H
#define L4_PAGEFAULT_H

#include <l4/types.h>
#include <l4/message.h>

typedef union L4_PfRequest {
    L4_Word_t raw[3];
    struct {
        L4_Word_t u : 6;
        L4_Word_t t : 6;
        L4_Word_t __zero : 4;
        L4_Word_t wrx : 4;
        L4_Word_t __padding : 44;
        L4_Word_t fault_address;
        L4_Word_t fault_ip;
    } X;
} L4_PfRequest_t;

typedef union L4_PfReply {
    L4_Word_t raw[3];
    struct {
        L4_Word_t u : 6;
        L4_Word_t t : 6;
        L4_Word_t __zero : 4;
        L4_Word_t __padding : 48;
        L4_MapItem_t MapItem;
    } X;
} L4_PfReply_t;

#endif
