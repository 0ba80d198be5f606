/* SPDX-License-Identifier: MIT */
/* The example pager of docs/pager.md ("Write your own pager"), built on libl4's pager
 * library (l4/pager.h). A region pager backs ranges of its clients' address spaces with
 * ranges of its own, under one of two policies:
 *
 *   on demand  a page is mapped when the client first touches it (one page fault each);
 *   pinned     everything is mapped before the client runs its first instruction, so it
 *              never faults: what a real-time task needs.
 *
 * The in-system tests (tests/system/t_pager.c) and the page-touch benchmark
 * (tests/bench/pager_bench.c) run their pagers with it. */
#ifndef REGION_PAGER_H
#define REGION_PAGER_H

#include <l4/pager.h>

#ifdef __cplusplus
extern "C" {
#endif

#define REGION_PAGER_REGIONS 8

/* The client's [client, client + size) is the pager's [own, own + size). */
struct region {
    L4_Word_t client, own, size;
    L4_Word_t rights;  /* what the client may do there (L4_Readable, ...) */
    int page_log2;     /* size of the fpage one fault maps: 12 (4 KiB) up to 21 (2 MiB) */
    int grant;         /* grant the pages (the pager keeps none) instead of mapping them */
};

struct region_pager {
    L4_Pager_t pager;  /* the library's part; pager.data points back here */
    struct region regions[REGION_PAGER_REGIONS];
    unsigned count;
};

/* An empty region pager whose library part resolves faults with region_pager_resolve. */
void region_pager_init(struct region_pager *rp);

/* Adds a region of 4 KiB pages, mapped on demand (client, own and size page aligned;
 * aligned to 2^page_log2 if the caller raises that). Returns it, or 0 when full. */
struct region *region_pager_add(struct region_pager *rp, L4_Word_t client, L4_Word_t own, L4_Word_t size,
                                L4_Word_t rights);

/* Adds the pager's own program image at the same addresses, for clients that run the
 * pager's program: text and read-only data readable and executable, data and bss
 * readable and writable. Returns 0 when there is no room for both regions. */
int region_pager_add_image(struct region_pager *rp);

/* The policy on demand (an L4_PagerResolve_t): the page of the region that holds the
 * fault address, with the region's rights; faults outside every region, and accesses the
 * region does not allow (a write to read-only memory), are refused. */
L4_Fpage_t region_pager_resolve(L4_Pager_t *pager, L4_PagerFault_t *fault);

/* Starts client (created with the calling thread as its pager) at ip and sp; pinned, every
 * region is mapped to it first, in the start message itself. Returns 1 when started. */
int region_pager_start(struct region_pager *rp, L4_ThreadId_t client, L4_Word_t ip, L4_Word_t sp, int pinned,
                       L4_Time_t timeout);

#ifdef __cplusplus
}
#endif

#endif
