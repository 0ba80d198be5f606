// SPDX-License-Identifier: MIT
// The few hooks the C++ compiler expects from a runtime. The kernel never returns from
// its entry and never runs static destructors, so registering one is accepted and
// ignored; a pure virtual call is a kernel bug.
#include "panic.hpp"

extern "C" {

int atexit(void (*)()) { return 0; }

void __cxa_pure_virtual() { panic("pure virtual function called"); }

}
