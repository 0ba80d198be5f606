// SPDX-License-Identifier: MIT
// The stack a Linux x86-64 program finds at its entry, laid out as Linux's create_elf_tables
// (fs/binfmt_elf.c) and the exec code before it (fs/exec.c) leave it. Upwards from rsp:
//
//   rsp ->  argc
//           argv[0] ... argv[argc - 1], NULL
//           envp[0] ... envp[envc - 1], NULL
//           auxv: (type, value) pairs, the last AT_NULL (0, 0)
//           padding that makes rsp 16-byte aligned
//           16 random bytes (AT_RANDOM)
//           platform string (AT_PLATFORM), if any
//           padding down to a 16-byte boundary (after the gap, if any)
//           argv strings, then envp strings, each NUL-terminated
//           execfn (AT_EXECFN), NUL-terminated
//           8 zero bytes (Linux starts below a null pointer at the stack's end)
//   top
//
// The buffer is the top `size` bytes of the stack, so virtual address a is buffer byte
// a - (top - size). build() checks that everything fits before it writes anything; the
// strings handed in are read with a bounded length, at most max_string_length bytes each, and
// must not change during build().
// Freestanding: no allocation, no exceptions, only <stddef.h>/<stdint.h>.
#pragma once

#include <stddef.h>
#include <stdint.h>

class Initial_stack {
public:
    // Auxiliary vector types (include/uapi/linux/auxvec.h) build() adds itself or refuses.
    static constexpr uint64_t at_null = 0;
    static constexpr uint64_t at_random = 25;
    static constexpr uint64_t at_execfn = 31;
    static constexpr uint64_t at_platform = 15;

    struct Aux {
        uint64_t type;
        uint64_t value;
    };

    struct Strings {
        const char *const *items;  // count C strings; may be null when count is 0
        size_t count;
    };

    struct Program {
        Strings arguments;
        Strings environment;
        const char *execfn;    // the path given to execve
        const char *platform;  // "x86_64"; null for no string and no AT_PLATFORM
        uint8_t random[16];
        // The caller's entries (AT_PHDR, AT_PAGESZ, AT_ENTRY, ...), in the order they are to
        // appear, before the AT_RANDOM, AT_EXECFN, AT_PLATFORM and AT_NULL build() adds.
        const Aux *aux;
        size_t aux_count;
        // Bytes to leave below the strings before aligning (Linux subtracts a random amount
        // under 8192 there); 0 for none.
        uint64_t gap;
    };

    // Linux's limits: MAX_ARG_STRLEN (including the NUL) and MAX_ARG_STRINGS.
    static constexpr size_t max_string_length = 32 * 4096;
    static constexpr size_t max_strings = 0x7fffffff;
    static constexpr size_t max_aux = 32;
    static constexpr uint64_t max_gap = 8192;

    enum class Error { none, bad_region, null_pointer, string_too_long, too_many_strings, too_many_aux,
                       reserved_aux_type, gap_too_large, does_not_fit };

    // The stack's top `size` bytes: [buffer, buffer + size) is [top - size, top).
    Initial_stack(uint8_t *buffer, size_t size, uint64_t top) : buffer_(buffer), size_(size), top_(top) {}

    // Lays out program and returns none, with the results below; on failure nothing in the
    // buffer has changed and the results are those of an earlier success, if any.
    [[nodiscard]] Error build(const Program &program);

    uint64_t stack_pointer() const { return stack_pointer_; }  // the initial rsp, at argc
    uint64_t random_address() const { return random_; }        // AT_RANDOM
    uint64_t execfn_address() const { return execfn_; }        // AT_EXECFN
    uint64_t platform_address() const { return platform_; }    // AT_PLATFORM, 0 if none
    uint64_t argv_address() const { return stack_pointer_ == 0 ? 0 : stack_pointer_ + 8; }

    // The buffer bytes at [address, +length), or null unless all of them are in the buffer.
    const uint8_t *at(uint64_t address, size_t length) const;

    static const char *describe(Error error);

private:
    uint8_t *buffer_;
    size_t size_;
    uint64_t top_;
    uint64_t stack_pointer_ = 0;
    uint64_t random_ = 0;
    uint64_t execfn_ = 0;
    uint64_t platform_ = 0;
};
