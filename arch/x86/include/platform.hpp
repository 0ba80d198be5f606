// SPDX-License-Identifier: MIT
// Leaving the machine. Under QEMU the isa-debug-exit device turns a value v written to
// port 0xf4 into the exit status (v << 1) | 1; under Bochs writing "Shutdown" to port
// 0x8900 ends the emulator. On hardware neither exists and the CPU halts.
#pragma once

#include <stdint.h>

enum class Exit_status : uint8_t {
    success = 0x10,  // QEMU exits with 33
    failure = 0x11,  // QEMU exits with 35
};

class Platform {
public:
    [[noreturn]] static void shutdown(Exit_status status);
};
