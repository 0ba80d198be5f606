// SPDX-License-Identifier: MIT
// libl4, Tern's C++ server runtime: the client side of the root task's system protocol
// (<l4/tern/system.h>).
#ifndef L4_TERN_SYSTEM_HPP
#define L4_TERN_SYSTEM_HPP

#include <l4/tern/message.hpp>
#include <l4/tern/system.h>

namespace tern::system {

// A request without words, or with one, to the root task; *reply (if given) is the reply.
inline Status call(L4_Word_t label, Message *reply = nullptr)
{
    Message request(label);
    Status status = request.call(tern_root_thread());
    if (reply != nullptr)
        *reply = request;
    return status;
}

inline Status call(L4_Word_t label, L4_Word_t word, Message *reply = nullptr)
{
    Message request(label);
    request.add(word);
    Status status = request.call(tern_root_thread());
    if (reply != nullptr)
        *reply = request;
    return status;
}

// Starts a thread of the caller's task at ip with stack pointer sp.
inline Status start_thread(void (*ip)(), L4_Word_t *sp)
{
    Message request(TERN_SYSTEM_THREAD);
    request.add(reinterpret_cast<L4_Word_t>(ip));
    request.add(reinterpret_cast<L4_Word_t>(sp));
    return request.call(tern_root_thread());
}

// Runs "module arguments" and waits for it to end; *exit_status is its exit status.
inline Status run(const char *command, L4_Word_t *exit_status)
{
    Message request(TERN_SYSTEM_RUN);
    if (!request.add_string(command, TERN_ARGS_WORDS))
        return Status::malformed;
    Status status = request.call(tern_root_thread());
    *exit_status = request.word(0);
    return status;
}

}  // namespace tern::system

#endif
