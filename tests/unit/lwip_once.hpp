// SPDX-License-Identifier: MIT
// lwIP keeps global state (its pools, its interface list with the loopback interface): the
// unit tests that use it start it once for the whole binary.
#ifndef TESTS_UNIT_LWIP_ONCE_HPP
#define TESTS_UNIT_LWIP_ONCE_HPP

extern "C" {
#include "lwip/init.h"
}

inline void lwip_init_once()
{
    static bool started = false;
    if (!started)
        lwip_init();
    started = true;
}

#endif
