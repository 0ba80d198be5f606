// SPDX-License-Identifier: MIT
// libl4, Tern's C++ server runtime: the client side of the console protocol
// (<l4/tern/console.h>).
#ifndef L4_TERN_CONSOLE_HPP
#define L4_TERN_CONSOLE_HPP

#include <l4/tern/console.h>
#include <l4/tern/message.hpp>

namespace tern::console {

// Writes n bytes (1 to TERN_CONSOLE_MAX_BYTES); the reply's MR1 is the bytes written. A
// program's output (logged false) is not kept in the console's log.
inline Status write(L4_ThreadId_t console, const char *bytes, unsigned n, bool logged = true)
{
    if (n == 0 || n > TERN_CONSOLE_MAX_BYTES)
        return Status::malformed;
    Message request(logged ? TERN_CONSOLE_WRITE : TERN_CONSOLE_WRITE_OUTPUT);
    request.add(n);
    request.add_bytes(bytes, n);
    return request.call(console);
}

// Reads 1 to capacity bytes (waits for the first); returns how many, 0 on an error.
inline unsigned read(L4_ThreadId_t console, char *bytes, unsigned capacity)
{
    L4_Word_t max = capacity < TERN_CONSOLE_MAX_BYTES ? capacity : TERN_CONSOLE_MAX_BYTES;
    Message request(TERN_CONSOLE_READ);
    request.add(max);
    if (request.call(console) != Status::ok)
        return 0;
    L4_Word_t n = request.word(0);
    if (request.untyped() < 1 || n > max || !request.bytes(1, static_cast<unsigned>(n), bytes))
        return 0;
    return static_cast<unsigned>(n);
}

// Waits until Ctrl-C is typed.
inline Status wait_interrupt(L4_ThreadId_t console)
{
    Message request(TERN_CONSOLE_WAIT_INTERRUPT);
    return request.call(console);
}

// Whether Ctrl-C is read like any other byte (on) or wakes the interrupt waiters (off).
inline Status pass_interrupts(L4_ThreadId_t console, bool on)
{
    Message request(TERN_CONSOLE_PASS_INTERRUPTS);
    request.add(on ? 1 : 0);
    return request.call(console);
}

// Reads the console's log from position on into out (at most capacity bytes, from the
// oldest held if position is older); returns how many, with the bytes ever logged in total
// (where the next read starts) and the oldest position held in first. 0 on an error.
inline unsigned read_log(L4_ThreadId_t console, L4_Word_t position, char *out, unsigned capacity, L4_Word_t &total,
                         L4_Word_t &first)
{
    Message request(TERN_CONSOLE_LOG);
    request.add(position);
    if (request.call(console) != Status::ok || request.untyped() < 3)
        return 0;
    total = request.word(0);
    first = request.word(1);
    L4_Word_t n = request.word(2);
    if (n > TERN_CONSOLE_LOG_READ_MAX || request.untyped() < 3 + (n + 7) / 8)
        return 0;
    unsigned take = n < capacity ? static_cast<unsigned>(n) : capacity;
    if (take != 0 && !request.bytes(3, take, out))
        return 0;
    return take;
}

}  // namespace tern::console

#endif
