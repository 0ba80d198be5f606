// SPDX-License-Identifier: MIT
// X.2 thread identifiers on a 64-bit machine:
//
//   global   [ thread number : 32 | version : 32 ]   version's low 6 bits never all zero
//   local    [ UTCB address >> 6 : 58 | 000000  ]   only meaningful inside one space
//   nilthread = 0, anythread = ~0, anylocalthread = ~0 << 6
#pragma once

#include <stdint.h>

class Thread_id {
public:
    constexpr Thread_id() : raw_(0) {}
    constexpr explicit Thread_id(uint64_t raw) : raw_(raw) {}

    static constexpr Thread_id nil() { return Thread_id(0); }
    static constexpr Thread_id any() { return Thread_id(~uint64_t{0}); }
    static constexpr Thread_id any_local() { return Thread_id(~uint64_t{0} << 6); }
    static constexpr Thread_id global(uint32_t number, uint32_t version)
    {
        return Thread_id(uint64_t{number} << 32 | version);
    }

    constexpr uint64_t raw() const { return raw_; }
    constexpr bool is_nil() const { return raw_ == 0; }
    constexpr bool is_any() const { return raw_ == any().raw_; }
    constexpr bool is_any_local() const { return raw_ == any_local().raw_; }
    // A concrete local id: low six bits zero, and neither nil nor anylocalthread.
    constexpr bool is_local() const { return (raw_ & 63) == 0 && !is_nil() && !is_any_local(); }
    // A concrete global id (not nil, not a wildcard, not local).
    constexpr bool is_global() const { return (raw_ & 63) != 0 && !is_any(); }

    constexpr uint32_t number() const { return static_cast<uint32_t>(raw_ >> 32); }
    constexpr uint32_t version() const { return static_cast<uint32_t>(raw_); }
    constexpr uint64_t utcb_address() const { return raw_; }

    constexpr bool operator==(const Thread_id &other) const = default;

private:
    uint64_t raw_;
};
