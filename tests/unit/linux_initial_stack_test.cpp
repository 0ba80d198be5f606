// SPDX-License-Identifier: MIT
// Initial_stack (servers/linux): builds stacks into exactly sized heap buffers (ASan sees a
// write past either end), then decodes them as a Linux program's start code would, through
// the virtual addresses the stack holds.
#include "initial_stack.hpp"

#include <elf.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

constexpr uint64_t top = 0x0000'7eff'ffff'f000;
constexpr uint8_t untouched = 0xa5;

using Error = Initial_stack::Error;
using Aux = Initial_stack::Aux;

// What a caller of build() keeps alive: the strings, their pointer arrays, the auxv.
struct Arguments {
    std::vector<std::string> argv = {"/bin/busybox", "sh", "-c", "echo hello"};
    std::vector<std::string> envp = {"HOME=/", "PATH=/bin:/sbin", "TERM=linux"};
    std::string execfn = "/bin/busybox";
    const char *platform = "x86_64";
    std::vector<Aux> aux = {{AT_HWCAP, 0x178bfbff}, {AT_PAGESZ, 4096},     {AT_CLKTCK, 100},  {AT_PHDR, 0x400040},
                            {AT_PHENT, 56},          {AT_PHNUM, 10},        {AT_BASE, 0},      {AT_FLAGS, 0},
                            {AT_ENTRY, 0x40ebf0},    {AT_UID, 0},           {AT_EUID, 0},      {AT_GID, 0},
                            {AT_EGID, 0},            {AT_SECURE, 0}};
    uint64_t gap = 0;

    std::vector<const char *> argv_pointers, envp_pointers;

    Initial_stack::Program program()
    {
        argv_pointers.clear();
        envp_pointers.clear();
        for (const std::string &s : argv)
            argv_pointers.push_back(s.c_str());
        for (const std::string &s : envp)
            envp_pointers.push_back(s.c_str());
        Initial_stack::Program p = {};
        p.arguments = {argv_pointers.data(), argv_pointers.size()};
        p.environment = {envp_pointers.data(), envp_pointers.size()};
        p.execfn = execfn.c_str();
        p.platform = platform;
        for (uint8_t i = 0; i < 16; ++i)
            p.random[i] = static_cast<uint8_t>(0xf0 + i);
        p.aux = aux.data();
        p.aux_count = aux.size();
        p.gap = gap;
        return p;
    }
};

// An exactly sized buffer for the top `size` bytes below top, filled with a pattern.
class Stack {
public:
    explicit Stack(size_t size, uint64_t stack_top = top, uint8_t fill = untouched)
        : memory_(new uint8_t[size == 0 ? 1 : size]), size_(size), stack_(memory_.get(), size, stack_top)
    {
        std::memset(memory_.get(), fill, size_);
    }
    Initial_stack &operator*() { return stack_; }
    Initial_stack *operator->() { return &stack_; }
    std::vector<uint8_t> contents() const { return std::vector<uint8_t>(memory_.get(), memory_.get() + size_); }

private:
    std::unique_ptr<uint8_t[]> memory_;
    size_t size_;
    Initial_stack stack_;
};

uint64_t word_at(const Initial_stack &stack, uint64_t address)
{
    const uint8_t *p = stack.at(address, 8);
    EXPECT_NE(p, nullptr) << std::hex << address;
    uint64_t value = 0;
    if (p != nullptr)
        std::memcpy(&value, p, 8);
    return value;
}

std::string string_at(const Initial_stack &stack, uint64_t address)
{
    std::string s;
    for (;; ++address) {
        const uint8_t *p = stack.at(address, 1);
        EXPECT_NE(p, nullptr) << "string runs out of the stack";
        if (p == nullptr || *p == 0)
            return s;
        s += static_cast<char>(*p);
    }
}

// The stack as a program sees it at its entry.
struct Decoded {
    uint64_t argc = 0;
    std::vector<uint64_t> argv_addresses, envp_addresses;
    std::vector<std::string> argv, envp;
    std::vector<std::pair<uint64_t, uint64_t>> auxv;  // without AT_NULL
    uint64_t end = 0;                                   // after AT_NULL's pair
};

Decoded decode(const Initial_stack &stack)
{
    Decoded d;
    uint64_t at = stack.stack_pointer();
    d.argc = word_at(stack, at);
    at += 8;
    for (uint64_t i = 0; i < d.argc; ++i, at += 8) {
        d.argv_addresses.push_back(word_at(stack, at));
        d.argv.push_back(string_at(stack, d.argv_addresses.back()));
    }
    EXPECT_EQ(word_at(stack, at), 0u) << "argv not NULL-terminated";
    for (at += 8; word_at(stack, at) != 0; at += 8) {
        d.envp_addresses.push_back(word_at(stack, at));
        d.envp.push_back(string_at(stack, d.envp_addresses.back()));
        if (d.envp.size() > 100000)
            break;
    }
    for (at += 8; word_at(stack, at) != AT_NULL; at += 16) {
        d.auxv.emplace_back(word_at(stack, at), word_at(stack, at + 8));
        if (d.auxv.size() > 1000)
            break;
    }
    EXPECT_EQ(word_at(stack, at + 8), 0u) << "AT_NULL's value";
    d.end = at + 16;
    return d;
}

uint64_t aux_value(const Decoded &d, uint64_t type)
{
    uint64_t found = 0;
    int count = 0;
    for (auto [t, v] : d.auxv)
        if (t == type) {
            found = v;
            ++count;
        }
    EXPECT_EQ(count, 1) << "auxv type " << type;
    return found;
}

// Linux's arithmetic (fs/exec.c, create_elf_tables), written out independently.
uint64_t expected_stack_pointer(const Arguments &a, uint64_t stack_top)
{
    uint64_t p = stack_top - 8 - (a.execfn.size() + 1);
    for (const std::string &s : a.argv)
        p -= s.size() + 1;
    for (const std::string &s : a.envp)
        p -= s.size() + 1;
    p = (p - a.gap) & ~uint64_t{15};
    if (a.platform != nullptr)
        p -= std::strlen(a.platform) + 1;
    p -= 16;
    uint64_t aux_words = 2 * (a.aux.size() + 3 + (a.platform != nullptr ? 1 : 0));
    uint64_t items = (a.argv.size() + 1) + (a.envp.size() + 1) + 1;
    return (p - (aux_words + items) * 8) & ~uint64_t{15};
}

// Checks everything about a built stack against the arguments.
void check(Stack &stack, Arguments &a, uint64_t stack_top, size_t size)
{
    const Initial_stack &s = *stack;
    const uint64_t rsp = s.stack_pointer();
    EXPECT_EQ(rsp % 16, 0u);
    EXPECT_EQ(rsp, expected_stack_pointer(a, stack_top));
    EXPECT_EQ(s.argv_address(), rsp + 8);
    Decoded d = decode(s);
    EXPECT_EQ(d.argc, a.argv.size());
    EXPECT_EQ(d.argv, a.argv);
    EXPECT_EQ(d.envp, a.envp);

    // The caller's entries in order, then AT_RANDOM, AT_EXECFN, AT_PLATFORM.
    size_t ours = a.platform != nullptr ? 3 : 2;
    ASSERT_EQ(d.auxv.size(), a.aux.size() + ours);
    for (size_t i = 0; i < a.aux.size(); ++i) {
        EXPECT_EQ(d.auxv[i].first, a.aux[i].type) << i;
        EXPECT_EQ(d.auxv[i].second, a.aux[i].value) << i;
    }
    EXPECT_EQ(d.auxv[a.aux.size()].first, uint64_t{AT_RANDOM});
    EXPECT_EQ(d.auxv[a.aux.size() + 1].first, uint64_t{AT_EXECFN});

    const uint64_t random = aux_value(d, AT_RANDOM);
    EXPECT_EQ(random, s.random_address());
    const uint8_t *bytes = s.at(random, 16);
    ASSERT_NE(bytes, nullptr);
    for (uint8_t i = 0; i < 16; ++i)
        EXPECT_EQ(bytes[i], 0xf0 + i);

    // execfn right below the top word, which is zero, at the top of the stack.
    const uint64_t execfn = aux_value(d, AT_EXECFN);
    EXPECT_EQ(execfn, s.execfn_address());
    EXPECT_EQ(string_at(s, execfn), a.execfn);
    EXPECT_EQ(execfn + a.execfn.size() + 1, stack_top - 8);
    EXPECT_EQ(word_at(s, stack_top - 8), 0u);
    EXPECT_EQ(s.at(stack_top - 8, 9), nullptr);  // nothing at or above top

    // Strings: argv then envp, contiguous and ascending, ending where execfn starts.
    uint64_t next = 0;
    std::vector<uint64_t> addresses = d.argv_addresses;
    addresses.insert(addresses.end(), d.envp_addresses.begin(), d.envp_addresses.end());
    std::vector<std::string> strings = a.argv;
    strings.insert(strings.end(), a.envp.begin(), a.envp.end());
    for (size_t i = 0; i < addresses.size(); ++i) {
        if (i != 0) {
            EXPECT_EQ(addresses[i], next) << i;
        }
        next = addresses[i] + strings[i].size() + 1;
    }
    if (!addresses.empty()) {
        EXPECT_EQ(next, execfn);
    }
    const uint64_t strings_start = addresses.empty() ? execfn : addresses[0];

    // Platform string below the strings (16-aligned, after the gap), random bytes below it.
    if (a.platform != nullptr) {
        const uint64_t platform = aux_value(d, AT_PLATFORM);
        EXPECT_EQ(platform, s.platform_address());
        EXPECT_EQ(string_at(s, platform), a.platform);
        EXPECT_EQ(platform + std::strlen(a.platform) + 1, (strings_start - a.gap) & ~uint64_t{15});
        EXPECT_EQ(random + 16, platform);
    } else {
        EXPECT_EQ(s.platform_address(), 0u);
        EXPECT_EQ(random + 16, (strings_start - a.gap) & ~uint64_t{15});
    }
    // The vectors end below the random bytes, with less than 16 bytes of padding.
    EXPECT_LE(d.end, random);
    EXPECT_LT(random - d.end, 16u);

    // Below rsp nothing was written; from rsp to top every byte was (padding is zero): the
    // same build over other contents gives the same bytes there.
    std::vector<uint8_t> memory = stack.contents();
    Stack other(size, stack_top, static_cast<uint8_t>(~untouched));
    ASSERT_EQ(other->build(a.program()), Error::none);
    std::vector<uint8_t> other_memory = other.contents();
    const uint64_t bottom = stack_top - size;
    for (uint64_t address = bottom; address < rsp; ++address)
        ASSERT_EQ(memory[address - bottom], untouched) << std::hex << address;
    for (uint64_t address = d.end; address < random; ++address)
        ASSERT_EQ(memory[address - bottom], 0) << std::hex << address;
    for (uint64_t address = rsp; address < stack_top; ++address)
        ASSERT_EQ(memory[address - bottom], other_memory[address - bottom]) << std::hex << address;
}

}  // namespace

void PrintTo(Initial_stack::Error error, std::ostream *out) { *out << '"' << Initial_stack::describe(error) << '"'; }

TEST(Linux_initial_stack, busybox_start_decodes_as_linux_lays_it_out)
{
    Arguments a;
    Stack stack(16384);
    ASSERT_EQ(stack->build(a.program()), Error::none);
    check(stack, a, top, 16384);
}

TEST(Linux_initial_stack, every_combination_keeps_rsp_aligned)
{
    const std::vector<std::string> words = {"", "a", "bb", "ccc", "dddd", "eeeee", "ffffff", "0123456789abcdef", "x"};
    for (size_t argc = 0; argc <= 4; ++argc)
        for (size_t envc = 0; envc <= 3; ++envc)
            for (size_t length = 0; length < words.size(); ++length)
                for (bool platform : {false, true})
                    for (size_t aux : {size_t{0}, size_t{1}, size_t{2}})
                        for (uint64_t stack_top : {top, top - 3, top - 8, top - 13})
                            for (uint64_t gap : {uint64_t{0}, uint64_t{8191}}) {
                                Arguments a;
                                a.argv.assign(argc, words[length]);
                                for (size_t i = 0; i < argc; ++i)
                                    a.argv[i] += words[(length + i) % words.size()];
                                a.envp.assign(envc, "K=" + words[length]);
                                a.execfn = words[(length + 3) % words.size()];
                                a.platform = platform ? "x86_64" : nullptr;
                                a.aux.resize(aux);
                                a.gap = gap;
                                Stack stack(12288, stack_top);
                                ASSERT_EQ(stack->build(a.program()), Error::none);
                                SCOPED_TRACE(testing::Message() << argc << " " << envc << " " << length << " "
                                                                << platform << " " << aux << " " << stack_top << " "
                                                                << gap);
                                check(stack, a, stack_top, 12288);
                                if (testing::Test::HasFatalFailure())
                                    return;
                            }
}

TEST(Linux_initial_stack, no_arguments_and_no_environment)
{
    Arguments a;
    a.argv.clear();
    a.envp.clear();
    a.aux.clear();
    Stack stack(512);
    Initial_stack::Program p = a.program();
    p.arguments.items = nullptr;  // allowed with a count of 0
    p.environment.items = nullptr;
    p.aux = nullptr;
    ASSERT_EQ(stack->build(p), Error::none);
    check(stack, a, top, 512);
    EXPECT_EQ(word_at(*stack, stack->stack_pointer()), 0u);
}

TEST(Linux_initial_stack, many_arguments)
{
    Arguments a;
    a.argv.clear();
    for (int i = 0; i < 3000; ++i)
        a.argv.push_back("argument-" + std::to_string(i));
    a.envp.assign(500, "VARIABLE=value");
    Stack stack(256 * 1024);
    ASSERT_EQ(stack->build(a.program()), Error::none);
    check(stack, a, top, 256 * 1024);
}

TEST(Linux_initial_stack, longest_string_allowed)
{
    Arguments a;
    a.argv.push_back(std::string(Initial_stack::max_string_length - 1, 'x'));  // with its NUL, the limit
    a.envp.push_back("E=" + std::string(Initial_stack::max_string_length - 3, 'y'));
    a.execfn = std::string(Initial_stack::max_string_length - 1, 'z');
    Stack stack(512 * 1024);
    ASSERT_EQ(stack->build(a.program()), Error::none);
    check(stack, a, top, 512 * 1024);
}

// Every size up to the one needed fails without writing a byte; that one succeeds.
TEST(Linux_initial_stack, does_not_fit_until_it_fits_exactly)
{
    Arguments a;
    const size_t needed = top - expected_stack_pointer(a, top);
    for (size_t size = 0; size < needed; ++size) {
        Stack stack(size);
        ASSERT_EQ(stack->build(a.program()), Error::does_not_fit) << size;
        EXPECT_EQ(stack->stack_pointer(), 0u);
        EXPECT_EQ(stack.contents(), std::vector<uint8_t>(size, untouched)) << size;
    }
    Stack stack(needed);
    ASSERT_EQ(stack->build(a.program()), Error::none);
    check(stack, a, top, needed);
    EXPECT_EQ(stack->stack_pointer(), top - needed);
}

TEST(Linux_initial_stack, bad_region)
{
    Arguments a;
    Initial_stack no_buffer(nullptr, 4096, top);
    EXPECT_EQ(no_buffer.build(a.program()), Error::bad_region);
    EXPECT_EQ(no_buffer.at(top - 8, 8), nullptr);
    // The buffer would reach below address 0.
    Stack low(4096, 4095);
    EXPECT_EQ(low->build(a.program()), Error::bad_region);
    EXPECT_EQ(low->at(0, 1), nullptr);
    // Ending at exactly 0 is fine for the region, though the stack is then low indeed.
    Stack lowest(4096, 4096);
    EXPECT_EQ(lowest->build(a.program()), Error::none);
    check(lowest, a, 4096, 4096);
}

TEST(Linux_initial_stack, null_pointer)
{
    Arguments a;
    Stack stack(16384);
    Initial_stack::Program p = a.program();
    p.arguments.items = nullptr;
    EXPECT_EQ(stack->build(p), Error::null_pointer);
    p = a.program();
    p.environment.items = nullptr;
    EXPECT_EQ(stack->build(p), Error::null_pointer);
    p = a.program();
    p.execfn = nullptr;
    EXPECT_EQ(stack->build(p), Error::null_pointer);
    p = a.program();
    p.aux = nullptr;
    EXPECT_EQ(stack->build(p), Error::null_pointer);
    for (size_t i = 0; i < a.argv.size(); ++i) {
        p = a.program();
        a.argv_pointers[i] = nullptr;
        EXPECT_EQ(stack->build(p), Error::null_pointer) << i;
    }
    for (size_t i = 0; i < a.envp.size(); ++i) {
        p = a.program();
        a.envp_pointers[i] = nullptr;
        EXPECT_EQ(stack->build(p), Error::null_pointer) << i;
    }
    EXPECT_EQ(stack.contents(), std::vector<uint8_t>(16384, untouched));
}

TEST(Linux_initial_stack, string_too_long)
{
    // One byte past the limit, unterminated within it: never read further than the limit.
    const size_t limit = Initial_stack::max_string_length;
    std::unique_ptr<char[]> unterminated(new char[limit]);
    std::memset(unterminated.get(), 'x', limit);
    std::string too_long(limit, 'y');  // terminated, but its NUL is byte limit + 1

    Stack stack(1024 * 1024);
    for (const char *bad : {static_cast<const char *>(unterminated.get()), too_long.c_str()}) {
        Arguments a;
        Initial_stack::Program p = a.program();
        a.argv_pointers[1] = bad;
        EXPECT_EQ(stack->build(p), Error::string_too_long);
        p = a.program();
        a.envp_pointers[2] = bad;
        EXPECT_EQ(stack->build(p), Error::string_too_long);
        p = a.program();
        p.execfn = bad;
        EXPECT_EQ(stack->build(p), Error::string_too_long);
        p = a.program();
        p.platform = bad;
        EXPECT_EQ(stack->build(p), Error::string_too_long);
    }
    EXPECT_EQ(stack.contents(), std::vector<uint8_t>(1024 * 1024, untouched));
}

TEST(Linux_initial_stack, too_many_strings)
{
    // The count is refused before any item is read.
    Arguments a;
    Stack stack(16384);
    Initial_stack::Program p = a.program();
    p.arguments.count = Initial_stack::max_strings + 1;
    EXPECT_EQ(stack->build(p), Error::too_many_strings);
    p = a.program();
    p.environment.count = ~size_t{0};
    EXPECT_EQ(stack->build(p), Error::too_many_strings);
}

TEST(Linux_initial_stack, auxv_limits)
{
    Arguments a;
    a.aux.assign(Initial_stack::max_aux, Aux{AT_IGNORE, 7});
    Stack stack(16384);
    ASSERT_EQ(stack->build(a.program()), Error::none);
    check(stack, a, top, 16384);
    a.aux.push_back(Aux{AT_IGNORE, 7});
    Stack more(16384);
    EXPECT_EQ(more->build(a.program()), Error::too_many_aux);
    Initial_stack::Program p = a.program();
    p.aux_count = ~size_t{0};
    EXPECT_EQ(more->build(p), Error::too_many_aux);

    // The entries build() adds itself, and AT_NULL, which would end the vector early.
    for (uint64_t type : {uint64_t{AT_NULL}, uint64_t{AT_RANDOM}, uint64_t{AT_EXECFN}, uint64_t{AT_PLATFORM}}) {
        Arguments b;
        b.aux.insert(b.aux.begin() + 3, Aux{type, 0x1234});
        EXPECT_EQ(more->build(b.program()), Error::reserved_aux_type) << type;
    }
    EXPECT_EQ(more.contents(), std::vector<uint8_t>(16384, untouched));
}

TEST(Linux_initial_stack, gap)
{
    Arguments a;
    a.gap = Initial_stack::max_gap - 1;
    Stack stack(32768);
    ASSERT_EQ(stack->build(a.program()), Error::none);
    check(stack, a, top, 32768);
    a.gap = Initial_stack::max_gap;
    EXPECT_EQ(stack->build(a.program()), Error::gap_too_large);
    a.gap = ~uint64_t{0};
    EXPECT_EQ(stack->build(a.program()), Error::gap_too_large);
}

TEST(Linux_initial_stack, failure_keeps_the_previous_stack)
{
    Arguments a;
    Stack stack(16384);
    ASSERT_EQ(stack->build(a.program()), Error::none);
    const uint64_t rsp = stack->stack_pointer(), random = stack->random_address();
    const uint64_t execfn = stack->execfn_address(), platform = stack->platform_address();
    const std::vector<uint8_t> before = stack.contents();
    Arguments bigger;
    bigger.argv.assign(2000, std::string(10, 'q'));
    EXPECT_EQ(stack->build(bigger.program()), Error::does_not_fit);
    EXPECT_EQ(stack.contents(), before);
    EXPECT_EQ(stack->stack_pointer(), rsp);
    EXPECT_EQ(stack->random_address(), random);
    EXPECT_EQ(stack->execfn_address(), execfn);
    EXPECT_EQ(stack->platform_address(), platform);
    check(stack, a, top, 16384);
}

TEST(Linux_initial_stack, at_only_inside_the_buffer)
{
    Stack stack(4096);
    const Initial_stack &s = *stack;
    EXPECT_NE(s.at(top - 4096, 4096), nullptr);
    EXPECT_NE(s.at(top - 1, 1), nullptr);
    EXPECT_NE(s.at(top, 0), nullptr);
    EXPECT_EQ(s.at(top - 4097, 1), nullptr);
    EXPECT_EQ(s.at(top - 4096, 4097), nullptr);
    EXPECT_EQ(s.at(top, 1), nullptr);
    EXPECT_EQ(s.at(top - 8, ~size_t{0}), nullptr);
    EXPECT_EQ(s.at(~uint64_t{0}, 2), nullptr);
    EXPECT_EQ(s.at(0, 8), nullptr);
}

TEST(Linux_initial_stack, every_error_has_its_own_description)
{
    std::set<std::string> seen;
    for (int value = 0; value <= static_cast<int>(Error::does_not_fit); ++value) {
        std::string text = Initial_stack::describe(static_cast<Error>(value));
        EXPECT_FALSE(text.empty());
        EXPECT_TRUE(seen.insert(text).second) << text;
    }
    EXPECT_STREQ(Initial_stack::describe(static_cast<Error>(99)), "unknown error");
}
