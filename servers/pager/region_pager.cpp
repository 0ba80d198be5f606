// SPDX-License-Identifier: MIT
// The region pager of docs/pager.md: two memory policies on top of libl4's pager library.
// C++ behind a C interface (region_pager.h), since the in-system suite and the benchmark
// that run it are C programs.
#include <l4/tern/page.h>

#include "region_pager.h"

// Where the linker put the program image (libl4/user.ld).
extern "C" char _stext[], _sdata[], _end[];

void region_pager_init(region_pager *rp)
{
    L4_Pager_Init(&rp->pager, region_pager_resolve, rp);
    rp->count = 0;
}

region *region_pager_add(region_pager *rp, L4_Word_t client, L4_Word_t own, L4_Word_t size, L4_Word_t rights)
{
    if (rp->count == REGION_PAGER_REGIONS)
        return nullptr;
    region *r = &rp->regions[rp->count++];
    *r = {client, own, size, rights, TERN_PAGE_BITS, 0};
    return r;
}

int region_pager_add_image(region_pager *rp)
{
    auto text = reinterpret_cast<L4_Word_t>(_stext), data = reinterpret_cast<L4_Word_t>(_sdata);
    L4_Word_t end = (reinterpret_cast<L4_Word_t>(_end) + TERN_PAGE_SIZE - 1) & ~(TERN_PAGE_SIZE - 1);
    return region_pager_add(rp, text, text, data - text, L4_ReadeXecOnly) != nullptr &&
           region_pager_add(rp, data, data, end - data, L4_ReadWriteOnly) != nullptr;
}

L4_Fpage_t region_pager_resolve(L4_Pager_t *pager, L4_PagerFault_t *fault)
{
    const auto *rp = static_cast<const region_pager *>(pager->data);
    for (unsigned i = 0; i < rp->count; ++i) {
        const region &r = rp->regions[i];
        if (fault->address < r.client || fault->address - r.client >= r.size)
            continue;
        if ((fault->access & ~r.rights) != 0)
            return L4_Nilpage;  // not allowed: the client stays blocked
        L4_Word_t bytes = 1UL << r.page_log2;
        L4_Word_t offset = (fault->address - r.client) & ~(bytes - 1);
        L4_Fpage_t page = L4_Fpage(r.own + offset, bytes);
        fault->grant = r.grant;
        return L4_Set_Rights(&page, r.rights);
    }
    return L4_Nilpage;  // not in any region
}

int region_pager_start(region_pager *rp, L4_ThreadId_t client, L4_Word_t ip, L4_Word_t sp, int pinned,
                       L4_Time_t timeout)
{
    L4_MapItem_t items[L4_PAGER_START_ITEMS];
    unsigned count = 0;
    for (unsigned i = 0; pinned && i < rp->count; ++i) {
        const region &r = rp->regions[i];
        // The client must never fault for a write either: have write access to give it.
        L4_Pager_Touch(r.own, r.size, r.rights & L4_Writable);
        unsigned n = L4_Pager_MapItems(r.own, r.client, r.size, r.rights, items + count,
                                       L4_PAGER_START_ITEMS - count);
        if (n == 0)
            return 0;  // too many pieces for one start message
        count += n;
    }
    return L4_Pager_Start(client, ip, sp, items, count, timeout);
}
