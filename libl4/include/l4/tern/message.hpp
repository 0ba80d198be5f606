// SPDX-License-Identifier: MIT
// libl4, Tern's C++ server runtime: a message of the Tern protocols (<l4/tern/protocol.h>)
// held in memory, built word by word and read back with bounds checks, then loaded into
// the message registers or stored from them.
//
//   tern::Message request(TERN_SYSTEM_TASKS);
//   request.add(index);
//   if (request.call(tern_root_thread()) == tern::Status::ok && request.untyped() == 9) ...
//
// A received message is copied out of the MRs first (Message::received), so that what
// the handler does next (answering someone else loads the MRs) cannot overwrite it.
#ifndef L4_TERN_MESSAGE_HPP
#define L4_TERN_MESSAGE_HPP

#include <l4/tern/status.hpp>

namespace tern {

class Message
{
public:
    static constexpr unsigned max_words = 63;  // MR1..MR63

    Message() = default;
    explicit Message(L4_Word_t label) : label_(label) {}
    // A reply: the status is its label.
    explicit Message(Status status) : label_(raw(status)) {}

    // The message the last receive left in the MRs (tag as it returned), words beyond
    // max_words dropped.
    static Message received(L4_MsgTag_t tag);

    L4_Word_t label() const { return label_; }
    L4_MsgTag_t tag() const { return tag_; }
    unsigned untyped() const { return untyped_; }
    unsigned typed() const { return typed_; }
    // Untyped word i (MR i + 1); 0 beyond the untyped words.
    L4_Word_t word(unsigned i) const { return i < untyped_ ? words_[i] : 0; }
    // A reply's status: its label.
    Status status() const { return static_cast<Status>(label_); }

    // Appends an untyped word; false (nothing added) when full or after typed items.
    // (Inline: servers add words on every request and reply.)
    bool add(L4_Word_t word)
    {
        if (typed_ != 0 || untyped_ == max_words)
            return false;
        words_[untyped_++] = word;
        return true;
    }
    // Appends text packed eight bytes a word, little-endian, NUL-padded: length / 8 + 1
    // words, or exactly max_words when padded. False (nothing added) when text does not
    // fit in max_words with its NUL, or the message is full.
    bool add_string(const char *text, unsigned max_words, bool padded = false);
    // Appends n bytes packed the same way, (n + 7) / 8 words, no NUL added.
    bool add_bytes(const char *bytes, unsigned n);
    // Appends a map item; untyped words can no longer be added.
    bool add_map_item(L4_MapItem_t item);

    // Unpacks the string in untyped words [first, first + count) into text (capacity
    // bytes); false when no NUL ends it within those words and capacity (text is then
    // cut and terminated) or the words are not there.
    bool string(unsigned first, unsigned count, char *text, unsigned capacity) const;
    // Unpacks n bytes from untyped words first on; false when the words are not there.
    bool bytes(unsigned first, unsigned n, char *out) const;

    // Loads the message into the MRs.
    void load() const;
    // Sends the message to `to` and waits for the reply (receive timeout as given), which
    // replaces it; returns its status, Status::failed when the IPC failed.
    Status call(L4_ThreadId_t to, L4_Time_t receive_timeout = L4_Never);
    // Sends with a zero timeout, to a thread blocked in its call; true when it got it.
    bool send_now(L4_ThreadId_t to) const;

private:
    // Appends n bytes packed into count words (count * 8 >= n), the rest NUL.
    bool add_packed(const char *bytes, unsigned n, unsigned count);

    L4_Word_t label_ = 0;
    L4_MsgTag_t tag_ = L4_Niltag;
    unsigned untyped_ = 0, typed_ = 0;
    L4_Word_t words_[max_words];  // untyped words, then the typed items; valid up to the counts
};

}  // namespace tern

#endif
