// SPDX-License-Identifier: MIT
// A circular doubly linked list threaded through its elements: the ready queues and the
// IPC send queues. Insertion at the tail and removal are O(1) and need no memory; an
// element is in at most one ring per link member, and its link is empty when it is in none.
#pragma once

template <typename T>
struct Ring_link {
    T *next = nullptr;
    T *prev = nullptr;

    bool linked() const { return next != nullptr; }
};

template <typename T, Ring_link<T> T::*link>
class Ring {
public:
    bool empty() const { return head_ == nullptr; }
    T *front() const { return head_; }

    // item must not be linked (in this or any ring through the same member).
    void push_back(T *item)
    {
        Ring_link<T> &l = item->*link;
        if (head_ == nullptr) {
            head_ = l.next = l.prev = item;
            return;
        }
        T *tail = (head_->*link).prev;
        l.next = head_;
        l.prev = tail;
        (tail->*link).next = item;
        (head_->*link).prev = item;
    }

    // item must not be linked; it becomes the first element.
    void push_front(T *item)
    {
        push_back(item);
        head_ = item;
    }

    // item must be in this ring.
    void remove(T *item)
    {
        Ring_link<T> &l = item->*link;
        if (l.next == item) {
            head_ = nullptr;
        } else {
            (l.prev->*link).next = l.next;
            (l.next->*link).prev = l.prev;
            if (head_ == item)
                head_ = l.next;
        }
        l.next = l.prev = nullptr;
    }

    // The first element for which matches(element) holds, in ring order, or nullptr.
    template <typename Predicate>
    T *find(Predicate matches) const
    {
        if (head_ == nullptr)
            return nullptr;
        T *item = head_;
        do {
            if (matches(*item))
                return item;
            item = (item->*link).next;
        } while (item != head_);
        return nullptr;
    }

private:
    T *head_ = nullptr;
};
