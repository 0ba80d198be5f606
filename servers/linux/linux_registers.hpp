// SPDX-License-Identifier: MIT
// A Linux process thread's registers as its exception message carries them (abi.md,
// "Exception message"), read and written by name: the system call's number and arguments
// in Linux's registers (rax; rdi, rsi, rdx, r10, r8, r9) and its result in rax. The reply
// is the same 22 words, which set every register and the FS base (arch_prctl).
#ifndef LINUX_LINUX_REGISTERS_HPP
#define LINUX_LINUX_REGISTERS_HPP

#include <l4/tern/message.hpp>
#include <stdint.h>

#include "abi.h"

class Linux_registers {
public:
    static constexpr unsigned words = TERN_EXCEPTION_WORDS;

    // From a received exception message; false when it has not the 22 words.
    bool read(const tern::Message &message)
    {
        if (message.untyped() != words || message.typed() != 0)
            return false;
        for (unsigned i = 0; i < words; ++i)
            word_[i] = message.word(i);
        return true;
    }
    void write(tern::Message &reply) const
    {
        for (unsigned i = 0; i < words; ++i)
            reply.add(word_[i]);
    }

    uint64_t vector() const { return at(TERN_EXCEPTION_MR_VECTOR); }
    uint64_t ip() const { return at(TERN_EXCEPTION_MR_RIP); }
    uint64_t sp() const { return at(TERN_EXCEPTION_MR_RSP); }
    uint64_t number() const { return at(TERN_EXCEPTION_MR_RAX); }
    // Argument i (0-5) of a system call.
    uint64_t arg(unsigned i) const
    {
        constexpr unsigned mr[6] = {TERN_EXCEPTION_MR_RDI, TERN_EXCEPTION_MR_RSI, TERN_EXCEPTION_MR_RDX,
                                    TERN_EXCEPTION_MR_R10, TERN_EXCEPTION_MR_R8, TERN_EXCEPTION_MR_R9};
        return i < 6 ? at(mr[i]) : 0;
    }
    // The result, in rax; like `syscall`, the kernel's rcx and r11 are the return address
    // and flags.
    void set_result(int64_t value)
    {
        at(TERN_EXCEPTION_MR_RAX) = static_cast<uint64_t>(value);
        at(TERN_EXCEPTION_MR_RCX) = at(TERN_EXCEPTION_MR_RIP);
        at(TERN_EXCEPTION_MR_R11) = at(TERN_EXCEPTION_MR_RFLAGS);
    }
    void set_ip(uint64_t ip) { at(TERN_EXCEPTION_MR_RIP) = ip; }
    void set_sp(uint64_t sp) { at(TERN_EXCEPTION_MR_RSP) = sp; }
    uint64_t flags() const { return at(TERN_EXCEPTION_MR_RFLAGS); }
    // Word mr (TERN_EXCEPTION_MR_*) by number: signal frames copy them all.
    uint64_t get(unsigned mr) const { return at(mr); }
    void set(unsigned mr, uint64_t value) { at(mr) = value; }
    uint64_t fs_base() const { return at(TERN_EXCEPTION_MR_FS_BASE); }
    void set_fs_base(uint64_t base) { at(TERN_EXCEPTION_MR_FS_BASE) = base; }

private:
    uint64_t &at(unsigned mr) { return word_[mr - 1]; }
    uint64_t at(unsigned mr) const { return word_[mr - 1]; }

    uint64_t word_[words] = {};
};

#endif
