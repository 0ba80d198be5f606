// SPDX-License-Identifier: MIT
#include "syscall_stubs.hpp"

#include "abi.h"
#include "types.hpp"

// entry.asm: where a kernel-mode task's stubs enter.
extern "C" void kernel_task_entry();

namespace {

// Ipc and Lipc are entered with a jump, the return address in rbx (abi.md): their stubs go
// back with jmp *%rbx; the other calls' with ret.
bool jumped_to(uint32_t number) { return number == TERN_SYSCALL_IPC || number == TERN_SYSCALL_LIPC; }

constexpr size_t entry_word = page_size - 8;

// The longest stub: mov eax, jmp, the continuation, cli, lea rcx, jmp [rip].
static_assert(5 + 2 + 2 + 1 + 7 + 6 <= TERN_SYSCALL_STUB_BYTES, "the ABI's stub slots are too small");

template <size_t n>
void put(uint8_t *code, size_t &at, const uint8_t (&bytes)[n])
{
    for (uint8_t byte : bytes)
        code[at++] = byte;
}

void put32(uint8_t *code, size_t &at, uint32_t value)
{
    for (unsigned i = 0; i < 4; ++i)
        code[at++] = static_cast<uint8_t>(value >> (8 * i));
}

}  // namespace

void Syscall_stubs::prepare_page(uint8_t *page, Mode mode)
{
    for (size_t i = 0; i < page_size; ++i)
        page[i] = 0xcc;  // int3: nothing should run outside a stub
    if (mode == Mode::kernel_task) {
        auto entry = reinterpret_cast<uint64_t>(kernel_task_entry);
        __builtin_memcpy(page + entry_word, &entry, sizeof entry);
    }
}

// Both stubs of a call return to the same offset, continuation_offset: a thread moved to a
// space of the other mode (ThreadControl) while blocked in a system call resumes there, in
// the other page, at the right instruction.
void Syscall_stubs::write(uint8_t *page, size_t offset, uint32_t number, Mode mode)
{
    constexpr size_t continuation_offset = 7;
    size_t at = offset;
    put(page, at, {0xb8});                         // mov eax, number
    put32(page, at, number);
    if (mode == Mode::ring3) {
        put(page, at, {0x0f, 0x05});               // syscall
    } else {
        put(page, at, {0xeb, 0x02});               // jmp over the continuation
        at += 2;
        // Interrupts off before the jump: until kernel_task_entry's swapgs the GS base is the
        // task's, and an interrupt there (a kernel-half rip) would be taken for the kernel's.
        put(page, at, {0xfa});                     // cli
        put(page, at, {0x48, 0x8d, 0x0d});         // lea rcx, [rip + ...]: the continuation
        put32(page, at, static_cast<uint32_t>(static_cast<int32_t>(offset + continuation_offset) -
                                              static_cast<int32_t>(at + 4)));
        put(page, at, {0xff, 0x25});               // jmp [rip + to the entry word]
        put32(page, at, static_cast<uint32_t>(entry_word - (at + 4)));
        at = offset + continuation_offset;
    }
    if (jumped_to(number))
        put(page, at, {0xff, 0xe3});               // jmp rbx
    else
        put(page, at, {0xc3});                     // ret
}
