// SPDX-License-Identifier: MIT
// libl4, Tern's C++ server runtime: the client side of the name service
// (<l4/tern/names.h>).
#ifndef L4_TERN_NAMES_HPP
#define L4_TERN_NAMES_HPP

#include <l4/tern/message.hpp>
#include <l4/tern/names.h>

namespace tern::names {

// The request: the name in TERN_NAME_WORDS words, then last (a thread id or flags);
// false when the name is too long.
inline bool build(Message &request, const char *name, L4_Word_t last)
{
    return request.add_string(name, TERN_NAME_WORDS, true) && request.add(last);
}

// Registers name for thread, one of the caller's task's own.
inline Status register_name(const char *name, L4_ThreadId_t thread)
{
    Message request(TERN_NAMES_REGISTER);
    if (!build(request, name, thread.raw))
        return Status::malformed;
    return request.call(tern_root_thread());
}

// flags 0 or TERN_NAMES_WAIT; *thread is set when the status is ok.
inline Status lookup(const char *name, L4_Word_t flags, L4_ThreadId_t *thread)
{
    Message request(TERN_NAMES_LOOKUP);
    if (!build(request, name, flags))
        return Status::malformed;
    Status status = request.call(tern_root_thread());
    if (status == Status::ok)
        thread->raw = request.word(0);
    return status;
}

}  // namespace tern::names

#endif
