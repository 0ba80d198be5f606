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
        changed_ = false;
        return true;
    }
    // From the MRs of a received exception message (its tag checked by the caller).
    void store_from_mrs()
    {
        // A copy of known size, which the compiler unrolls (L4_StoreMRs loops a word a step):
        // the common case of every reflected call.
        const L4_Word_t *mrs = &__L4_Tern_MRs()[1];
        __builtin_memcpy(word_, mrs, sizeof word_);
        changed_ = false;
    }
    // The reply that sets them: only rax (TERN_EXCEPTION_RESULT_WORDS, set_result) while
    // nothing else changed, else every register and the FS and GS bases.
    void write(tern::Message &reply) const
    {
        if (!changed_) {
            reply.add(at(TERN_EXCEPTION_MR_RAX));
            return;
        }
        for (unsigned i = 0; i < words; ++i)
            reply.add(word_[i]);
    }
    // The same reply loaded into the MRs, MR0 included.
    void load_reply() const
    {
        if (!changed_) {
            L4_LoadMR(0, L4_Word_t{TERN_EXCEPTION_RESULT_WORDS});
            L4_LoadMR(1, at(TERN_EXCEPTION_MR_RAX));
            return;
        }
        L4_LoadMR(0, L4_Word_t{words});
        __builtin_memcpy(&__L4_Tern_MRs()[1], word_, sizeof word_);
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
    // and flags. (A reflected syscall's message has them so already: the CPU wrote them on
    // entry; set here for registers that went through a signal frame.)
    void set_result(int64_t value)
    {
        at(TERN_EXCEPTION_MR_RAX) = static_cast<uint64_t>(value);
        if (at(TERN_EXCEPTION_MR_RCX) != at(TERN_EXCEPTION_MR_RIP) ||
            at(TERN_EXCEPTION_MR_R11) != at(TERN_EXCEPTION_MR_RFLAGS))
            changed_ = true;
        at(TERN_EXCEPTION_MR_RCX) = at(TERN_EXCEPTION_MR_RIP);
        at(TERN_EXCEPTION_MR_R11) = at(TERN_EXCEPTION_MR_RFLAGS);
    }
    // The reply sets every register: for a thread whose registers are not these (a fork
    // child, which starts with none of them).
    void set_all_on_reply() { changed_ = true; }
    void set_ip(uint64_t ip) { change(TERN_EXCEPTION_MR_RIP, ip); }
    void set_sp(uint64_t sp) { change(TERN_EXCEPTION_MR_RSP, sp); }
    uint64_t flags() const { return at(TERN_EXCEPTION_MR_RFLAGS); }
    // Word mr (TERN_EXCEPTION_MR_*) by number: signal frames copy them all.
    uint64_t get(unsigned mr) const { return at(mr); }
    void set(unsigned mr, uint64_t value) { change(mr, value); }
    uint64_t fs_base() const { return at(TERN_EXCEPTION_MR_FS_BASE); }
    void set_fs_base(uint64_t base) { change(TERN_EXCEPTION_MR_FS_BASE, base); }

private:
    void change(unsigned mr, uint64_t value)
    {
        at(mr) = value;
        changed_ = true;
    }
    uint64_t &at(unsigned mr) { return word_[mr - 1]; }
    uint64_t at(unsigned mr) const { return word_[mr - 1]; }

    uint64_t word_[words] = {};
    // A register other than rax differs from the message it was read from (or it was read
    // from none): the reply must set them all.
    bool changed_ = true;
};

#endif
