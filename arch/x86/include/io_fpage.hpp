// SPDX-License-Identifier: MIT
// x86 I/O-port flexpages (X.2's IA-32/AMD64 extension): 2^s ports from base port p, the
// base aligned to the size, s at most 16 (the whole I/O space).
//
//   63            32 31          16 15      10 9        4 3       0
//   [       0       |  base port p  |    s     | 0 0 0 0 1 0 | rights ]
//
// The "2" in bits 9..4 is where a memory fpage keeps its size, which is never 2 for
// memory: that is how the two kinds are told apart. Rights mean nothing for ports (a task
// may use a port or not) and are ignored. A word marked as an I/O fpage whose other fields
// break these rules (s > 16, p not aligned, bits above 31 set) is invalid and names no port.
#pragma once

#include <stdint.h>

#include "fpage.hpp"

class Io_fpage {
public:
    static constexpr unsigned ports = 1u << 16;
    static constexpr unsigned max_size_log2 = 16;

    // The ports [first, end) of an fpage; empty when end <= first.
    struct Range {
        unsigned first = 0;
        unsigned end = 0;
        constexpr bool empty() const { return end <= first; }
    };

    constexpr explicit Io_fpage(uint64_t raw) : raw_(raw) {}

    static constexpr Io_fpage make(unsigned port, unsigned size_log2)
    {
        return Io_fpage(uint64_t{port & 0xffff} << 16 | uint64_t{size_log2 & 63} << 10 | uint64_t{2} << 4);
    }

    // Whether raw is marked as an I/O fpage (valid or not).
    static constexpr bool is_io(uint64_t raw) { return (raw >> 4 & 63) == 2; }
    constexpr bool is_valid() const
    {
        unsigned s = size_log2();
        return is_io(raw_) && (raw_ >> 32) == 0 && s <= max_size_log2 && (port() & ((1u << s) - 1)) == 0;
    }
    constexpr unsigned port() const { return static_cast<unsigned>(raw_ >> 16 & 0xffff); }
    constexpr unsigned size_log2() const { return static_cast<unsigned>(raw_ >> 10 & 63); }
    constexpr uint64_t raw() const { return raw_; }
    // The ports it names: none when invalid.
    constexpr Range ports_named() const
    {
        return is_valid() ? Range{port(), port() + (1u << size_log2())} : Range{};
    }

    // The ports of sent that a receiver whose receive window (BR0, rights bits ignored) is
    // window takes: all of them for the complete address space, those inside the window for
    // a valid I/O fpage, none otherwise (nil, or a memory fpage).
    static constexpr Range accepted(Io_fpage sent, uint64_t window)
    {
        Range ports = sent.ports_named();
        Fpage memory(window & ~uint64_t{0xf});
        if (memory.is_complete())
            return ports;
        Range window_ports = Io_fpage(window).ports_named();
        if (ports.empty() || window_ports.empty())
            return {};
        unsigned first = ports.first > window_ports.first ? ports.first : window_ports.first;
        unsigned end = ports.end < window_ports.end ? ports.end : window_ports.end;
        return first < end ? Range{first, end} : Range{};
    }

private:
    uint64_t raw_;
};
