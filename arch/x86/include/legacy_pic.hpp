// SPDX-License-Identifier: MIT
// The two 8259 PICs. The kernel uses the APIC; the PICs are remapped away from the
// exception vectors and fully masked, so at most their spurious IRQ 7/15 can arrive.
#pragma once

#include <stdint.h>

class Legacy_pic {
public:
    static void remap_and_mask(uint8_t vector_base);
};
