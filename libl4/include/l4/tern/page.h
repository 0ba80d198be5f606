// SPDX-License-Identifier: MIT
// libl4, Tern extension: the size of a page, the unit of every mapping on x86-64 (larger
// fpages are made of them). The one definition for libl4, sigma0 and the servers.
#ifndef L4_TERN_PAGE_H
#define L4_TERN_PAGE_H

#define TERN_PAGE_BITS 12
#define TERN_PAGE_SIZE (1UL << TERN_PAGE_BITS)

#endif
