// SPDX-License-Identifier: MIT
// The IPC timeouts waiting to fire: entries sorted by deadline, earliest first, threaded
// through the waiting objects themselves (a Thread is an Entry). Adding walks the list
// (timeouts are few, and most IPC waits forever); testing, removing and taking the
// earliest are O(1). An entry is in the list at most once, and only the list links it.
#pragma once

#include <stdint.h>

class Timeout_list {
public:
    class Entry {
    public:
        // When the entry's timeout fires (kept after it left the list).
        uint64_t deadline() const { return deadline_; }

    private:
        friend class Timeout_list;  // the links are the list's alone
        uint64_t deadline_ = 0;
        Entry *next_ = nullptr;
        Entry *prev_ = nullptr;
    };

    constexpr Timeout_list() = default;
    Timeout_list(const Timeout_list &) = delete;
    Timeout_list &operator=(const Timeout_list &) = delete;

    bool empty() const { return head_.next_ == nullptr; }
    // The earliest deadline; the list must not be empty.
    uint64_t earliest() const { return head_.next_->deadline_; }
    // One load and compare: the IPC direct path asks it of every receiver. (An entry in the
    // list always has a predecessor: the first one has head_.)
    static bool contains(const Entry &entry) { return entry.prev_ != nullptr; }
    // Puts entry, which must not be in the list, behind every entry with the same or an
    // earlier deadline (equal deadlines fire in the order they were added).
    void add(Entry &entry, uint64_t deadline);
    void remove(Entry &entry)
    {
        if (contains(entry))
            unlink(entry);
    }
    // The earliest entry if its deadline is at or before now, taken off the list; else nullptr.
    Entry *take_expired(uint64_t now);

private:
    void unlink(Entry &entry);

    Entry head_;  // head_.next_ is the earliest entry; its deadline is unused
};
