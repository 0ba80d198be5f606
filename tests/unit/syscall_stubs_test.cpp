// SPDX-License-Identifier: MIT
// The two stub pages of the KIP area (Syscall_stubs), on the host: the same links in both,
// each stub's code as documented, and where a thread moved between the pages goes on.
#include "syscall_stubs.hpp"

#include "abi.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace {

constexpr size_t page = 4096;
constexpr uint64_t kernel_entry = 0xffffffff80104560;
using Mode = Syscall_stubs::Mode;

const uint32_t calls[] = {TERN_SYSCALL_SPACE_CONTROL, TERN_SYSCALL_IPC, TERN_SYSCALL_LIPC,
                          TERN_SYSCALL_SYSTEM_CLOCK, TERN_SYSCALL_THREAD_SWITCH, TERN_SYSCALL_KDB_OUTPUT};
constexpr size_t count = sizeof calls / sizeof calls[0];

Syscall_stubs::Yield_view yield_view()
{
    return {.current = 0xffffffff80200010, .highest_ready = 0xffffffff80201000, .gate = 0x40, .priority = 0x48,
            .delay_available = 0x91, .running_gate = 3};
}

bool jumped_to(uint32_t number) { return number == TERN_SYSCALL_IPC || number == TERN_SYSCALL_LIPC; }

int32_t rel32(const uint8_t *at)
{
    int32_t value;
    std::memcpy(&value, at, sizeof value);
    return value;
}

class Stub_pages : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(Syscall_stubs::write_pages(ring3.data(), kernel_task.data(), calls, count, kernel_entry, yield_view()));
    }
    // Where the stub of number ends: the next link, or the last byte before int3 padding.
    size_t end_of(uint32_t number) const
    {
        size_t begin = Syscall_stubs::link(number), end = page;
        for (uint32_t other : calls)
            if (Syscall_stubs::link(other) > begin && Syscall_stubs::link(other) < end)
                end = Syscall_stubs::link(other);
        return end;
    }
    std::vector<uint8_t> ring3 = std::vector<uint8_t>(page);
    std::vector<uint8_t> kernel_task = std::vector<uint8_t>(page);
};

TEST_F(Stub_pages, links_are_distinct_aligned_and_in_order)
{
    for (size_t i = 1; i < count; ++i) {
        EXPECT_GT(Syscall_stubs::link(calls[i]), Syscall_stubs::link(calls[i - 1]));
        EXPECT_EQ(Syscall_stubs::link(calls[i]) % 16, 0u);
    }
    EXPECT_EQ(Syscall_stubs::link(calls[0]), 0u);
    EXPECT_EQ(Syscall_stubs::link(TERN_SYSCALL_KDB_INPUT), 0u) << "a call not written has no stub";
}

TEST_F(Stub_pages, ring3_stubs_load_the_number_and_execute_syscall)
{
    for (uint32_t number : calls) {
        const uint8_t *stub = ring3.data() + Syscall_stubs::link(number);
        EXPECT_EQ(stub[0], 0xb8);
        EXPECT_EQ(static_cast<uint32_t>(rel32(stub + 1)), number);
        EXPECT_EQ(stub[5], 0x0f);
        EXPECT_EQ(stub[6], 0x05);
        if (jumped_to(number)) {
            EXPECT_EQ(stub[7], 0xff);
            EXPECT_EQ(stub[8], 0xe3);
        } else {
            EXPECT_EQ(stub[7], 0xc3);
        }
    }
}

// mov eax, number; cli; lea rcx, [continuation]; jmp [entry word]; continuation: ret.
TEST_F(Stub_pages, kernel_task_stubs_enter_through_the_entry_word_with_their_continuation_in_rcx)
{
    uint64_t entry;
    std::memcpy(&entry, kernel_task.data() + page - 8, sizeof entry);
    EXPECT_EQ(entry, kernel_entry);
    for (uint32_t number : calls) {
        if (jumped_to(number))
            continue;
        size_t at = Syscall_stubs::link(number);
        size_t end = end_of(number);
        // ThreadSwitch's body comes first: find its way into the kernel.
        while (at + 5 <= end && !(kernel_task[at] == 0xb8 && static_cast<uint32_t>(rel32(&kernel_task[at + 1])) == number))
            ++at;
        ASSERT_LT(at + 20, end) << "no kernel entry in the stub of " << number;
        EXPECT_EQ(kernel_task[at + 5], 0xfa);
        ASSERT_EQ(kernel_task[at + 6], 0x48);
        EXPECT_EQ(kernel_task[at + 7], 0x8d);
        EXPECT_EQ(kernel_task[at + 8], 0x0d);
        size_t continuation = at + 13 + static_cast<size_t>(rel32(&kernel_task[at + 9]));
        EXPECT_EQ(kernel_task[at + 13], 0xff);
        EXPECT_EQ(kernel_task[at + 14], 0x25);
        EXPECT_EQ(at + 19 + static_cast<size_t>(rel32(&kernel_task[at + 15])), page - 8);
        EXPECT_EQ(kernel_task[continuation], 0xc3);
        EXPECT_EQ(continuation, at + 19);
    }
}

TEST_F(Stub_pages, kernel_task_ipc_jumps_through_the_kips_word)
{
    for (uint32_t number : {TERN_SYSCALL_IPC, TERN_SYSCALL_LIPC}) {
        size_t at = Syscall_stubs::link(number);
        EXPECT_EQ(kernel_task[at], 0xfa);
        EXPECT_EQ(kernel_task[at + 1], 0xff);
        EXPECT_EQ(kernel_task[at + 2], 0x25);
        // The word lies in the KIP, the page below the stub page.
        int64_t target = static_cast<int64_t>(at + 7) + rel32(&kernel_task[at + 3]);
        EXPECT_EQ(target, int64_t{TERN_KIP_KERNEL_TASK_IPC_ENTRY} - int64_t{TERN_KIP_STUBS});
    }
}

TEST_F(Stub_pages, thread_switch_body_tests_the_destination_first)
{
    const uint8_t *body = kernel_task.data() + Syscall_stubs::link(TERN_SYSCALL_THREAD_SWITCH);
    EXPECT_EQ(body[0], 0x48);
    EXPECT_EQ(body[1], 0x85);
    EXPECT_EQ(body[2], 0xff);
    EXPECT_EQ(body[3], 0x75) << "jnz into the kernel";
    // Its absolute operands are the view's addresses, sign-extended from 32 bits.
    EXPECT_EQ(static_cast<uint64_t>(static_cast<int64_t>(rel32(body + 9))), yield_view().current);
}

// The last stub (an ordinary call) ends with its continuation's ret in both pages.
TEST_F(Stub_pages, nothing_after_the_last_stub_but_int3)
{
    size_t ring3_end = Syscall_stubs::link(calls[count - 1]) + 8;
    size_t kernel_end = Syscall_stubs::resume_offset(ring3_end - 1, Mode::ring3, Mode::kernel_task) + 1;
    for (size_t at = ring3_end; at < page; ++at)
        ASSERT_EQ(ring3[at], 0xcc) << "ring 3, at " << at;
    for (size_t at = kernel_end; at < page - 8; ++at)
        ASSERT_EQ(kernel_task[at], 0xcc) << "kernel mode, at " << at;
}

TEST_F(Stub_pages, a_moved_thread_goes_on_at_the_continuation_or_restarts_its_stub)
{
    for (uint32_t number : calls) {
        size_t link = Syscall_stubs::link(number);
        size_t ring3_continuation = link + 7;
        size_t kernel_continuation = Syscall_stubs::resume_offset(ring3_continuation, Mode::ring3, Mode::kernel_task);
        EXPECT_NE(kernel_continuation, link) << number;
        uint8_t expected = jumped_to(number) ? 0xff : 0xc3;
        EXPECT_EQ(kernel_task[kernel_continuation], expected) << number;
        EXPECT_EQ(Syscall_stubs::resume_offset(kernel_continuation, Mode::kernel_task, Mode::ring3), ring3_continuation);
        EXPECT_EQ(Syscall_stubs::resume_offset(ring3_continuation, Mode::ring3, Mode::ring3), ring3_continuation);
        // Stopped before its continuation (preempted before the kernel entry): from the start.
        EXPECT_EQ(Syscall_stubs::resume_offset(link + 5, Mode::ring3, Mode::kernel_task), link);
        EXPECT_EQ(Syscall_stubs::resume_offset(link + 1, Mode::kernel_task, Mode::ring3), link);
    }
    EXPECT_EQ(Syscall_stubs::resume_offset(page - 16, Mode::ring3, Mode::kernel_task), page - 16);
}

TEST(Syscall_stubs, refuses_what_it_cannot_encode)
{
    std::vector<uint8_t> ring3(page), kernel_task(page);
    Syscall_stubs::Yield_view view = yield_view();
    view.current = 0xffff800000001000;  // the direct map: no 32-bit absolute operand reaches it
    EXPECT_FALSE(Syscall_stubs::write_pages(ring3.data(), kernel_task.data(), calls, count, kernel_entry, view));
    view = yield_view();
    view.running_gate = 0x80;  // compared as a sign-extended byte
    EXPECT_FALSE(Syscall_stubs::write_pages(ring3.data(), kernel_task.data(), calls, count, kernel_entry, view));
    std::vector<uint32_t> too_many(Syscall_stubs::max_calls + 1, TERN_SYSCALL_UNMAP);
    EXPECT_FALSE(Syscall_stubs::write_pages(ring3.data(), kernel_task.data(), too_many.data(), too_many.size(),
                                            kernel_entry, yield_view()));
}

}  // namespace
