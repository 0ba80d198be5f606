// SPDX-License-Identifier: MIT
// libl4, Tern's C++ server runtime: the status of a reply (<l4/tern/protocol.h>'s
// TERN_OK and TERN_ERROR_* values) as a type, so that a status cannot be mixed up with
// the words it travels with.
#ifndef L4_TERN_STATUS_HPP
#define L4_TERN_STATUS_HPP

#include <l4/tern/protocol.h>

namespace tern {

enum class Status : L4_Word_t {
    ok = TERN_OK,
    malformed = TERN_ERROR_MALFORMED,
    unknown = TERN_ERROR_UNKNOWN,
    not_found = TERN_ERROR_NOT_FOUND,
    exists = TERN_ERROR_EXISTS,
    full = TERN_ERROR_FULL,
    denied = TERN_ERROR_DENIED,
    failed = TERN_ERROR_FAILED,
    busy = TERN_ERROR_BUSY,
    interrupted = TERN_ERROR_INTERRUPTED,
    killed = TERN_ERROR_KILLED,
};

// The status as it travels (a reply's label) and as it is printed.
constexpr L4_Word_t raw(Status status)
{
    return static_cast<L4_Word_t>(status);
}

}  // namespace tern

#endif
