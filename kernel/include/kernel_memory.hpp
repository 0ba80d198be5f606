// SPDX-License-Identifier: MIT
// The page allocator that backs kernel objects (slab caches, page tables, UTCBs, the KIP).
#pragma once

#include "page_allocator.hpp"

class Kernel_memory {
public:
    static void set(Page_allocator &pages) { pages_ = &pages; }
    static Page_allocator &pages() { return *pages_; }

private:
    static Page_allocator *pages_;
};
