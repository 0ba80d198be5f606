// SPDX-License-Identifier: MIT
// The X.2 message tag (MR0):
//
//   63                         16 15  12 11     6 5      0
//   [          label           | flags | t      | u      ]
//
// u untyped words follow MR0, then t words of typed items. Flags on return: E (bit 15,
// error), X (14, cross-processor), R (13, redirected), P (12, propagated).
#pragma once

#include <stdint.h>

class Message_tag {
public:
    constexpr explicit Message_tag(uint64_t raw = 0) : raw_(raw) {}

    static constexpr uint64_t error_flag = 1u << 15;
    static constexpr unsigned max_words = 63;  // MR1..MR63

    constexpr uint64_t raw() const { return raw_; }
    constexpr unsigned untyped() const { return static_cast<unsigned>(raw_ & 63); }
    constexpr unsigned typed() const { return static_cast<unsigned>(raw_ >> 6 & 63); }
    constexpr unsigned flags() const { return static_cast<unsigned>(raw_ >> 12 & 15); }
    constexpr uint64_t label() const { return raw_ >> 16; }
    constexpr unsigned words() const { return untyped() + typed(); }

    // The tag as delivered: the sender's flags are not the receiver's.
    constexpr Message_tag without_flags() const { return Message_tag(raw_ & ~(uint64_t{15} << 12)); }

    static constexpr Message_tag make(uint64_t label, unsigned untyped, unsigned typed, unsigned flags = 0)
    {
        return Message_tag(label << 16 | uint64_t{flags & 15} << 12 | uint64_t{typed & 63} << 6 | (untyped & 63));
    }

private:
    uint64_t raw_;
};
