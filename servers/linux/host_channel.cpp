// SPDX-License-Identifier: MIT
#include "host_channel.hpp"

#include <l4/arch.h>
#include <l4/ipc.h>
#include <l4/tern/system.hpp>

namespace {

constexpr unsigned line_status = 5, transmitter_empty = 0x20;

uint8_t in8(unsigned port)
{
    uint8_t value;
    __asm__ __volatile__("inb %w1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

void out8(unsigned port, uint8_t value) { __asm__ __volatile__("outb %0, %w1" : : "a"(value), "Nd"(port)); }

}  // namespace

bool Host_channel::open()
{
    L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
    tern::Message reply;
    tern::Status status = tern::system::call(TERN_SYSTEM_IO_PORTS, L4_IoFpage(base, ports).raw, &reply);
    L4_Accept(L4_UntypedWordsAcceptor);
    open_ = status == tern::Status::ok && reply.typed() == 2;
    return open_;
}

void Host_channel::put(uint8_t byte)
{
    while ((in8(base + line_status) & transmitter_empty) == 0) {
    }
    out8(base, byte);
}

void Host_channel::write(char kind, const void *bytes, size_t n)
{
    put(static_cast<uint8_t>(kind));
    for (unsigned i = 0; i < 4; ++i)
        put(static_cast<uint8_t>(n >> (8 * i)));
    const auto *at = static_cast<const uint8_t *>(bytes);
    for (size_t i = 0; i < n; ++i)
        put(at[i]);
}

void Host_channel::exit(int status)
{
    uint32_t word = static_cast<uint32_t>(status);
    write('X', &word, sizeof word);
}
