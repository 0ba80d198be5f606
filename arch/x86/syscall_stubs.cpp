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

// The longest stub: cli, mov eax, lea rcx, jmp [rip], jmp rbx.
static_assert(1 + 5 + 7 + 6 + 2 <= TERN_SYSCALL_STUB_BYTES, "the ABI's stub slots are too small");

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

void Syscall_stubs::write(uint8_t *page, size_t offset, uint32_t number, Mode mode)
{
    size_t at = offset;
    if (mode == Mode::ring3) {
        put(page, at, {0xb8});                     // mov eax, number
        put32(page, at, number);
        put(page, at, {0x0f, 0x05});               // syscall
    } else {
        // Interrupts off first: until kernel_task_entry's swapgs the GS base is the task's,
        // and an interrupt there (a kernel-half rip) would be taken for the kernel's.
        put(page, at, {0xfa});                     // cli
        put(page, at, {0xb8});                     // mov eax, number
        put32(page, at, number);
        put(page, at, {0x48, 0x8d, 0x0d});         // lea rcx, [rip + 6]: where syscall returns
        put32(page, at, 6);
        put(page, at, {0xff, 0x25});               // jmp [rip + to the entry word]
        put32(page, at, static_cast<uint32_t>(entry_word - (at + 4)));
    }
    if (jumped_to(number))
        put(page, at, {0xff, 0xe3});               // jmp rbx
    else
        put(page, at, {0xc3});                     // ret
}
