// SPDX-License-Identifier: MIT
#include "platform.hpp"

#include "console.hpp"
#include "console_output.hpp"
#include "cpu.hpp"
#include "io_port.hpp"

void Platform::shutdown(Exit_status status)
{
    Cpu::disable_interrupts();
    // The last line says how the run ended, for emulators whose exit status cannot (Bochs).
    Console::print("exit: %s\n", status == Exit_status::success ? "success" : "failure");
    Console_output::drain();
    Io_port::out32(0xf4, static_cast<uint8_t>(status));
    for (const char *c = "Shutdown"; *c != '\0'; ++c)
        Io_port::out8(0x8900, static_cast<uint8_t>(*c));
    Cpu::halt_forever();
}
