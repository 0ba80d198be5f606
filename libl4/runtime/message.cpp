// SPDX-License-Identifier: MIT
// libl4, Tern's C++ server runtime: tern::Message (<l4/tern/message.hpp>).
#include <l4/ipc.h>
#include <l4/message.h>
#include <l4/tern/message.hpp>

namespace tern {

namespace {

constexpr unsigned bytes_per_word = sizeof(L4_Word_t);

L4_Word_t byte_in_place(char byte, unsigned i)
{
    return static_cast<L4_Word_t>(static_cast<unsigned char>(byte)) << (8 * (i % bytes_per_word));
}

char byte_of(L4_Word_t word, unsigned i)
{
    return static_cast<char>(word >> (8 * (i % bytes_per_word)));
}

}  // namespace

Message Message::received(L4_MsgTag_t tag)
{
    Message message(L4_Label(tag));
    message.tag_ = tag;
    unsigned untyped = static_cast<unsigned>(L4_UntypedWords(tag));
    unsigned typed = static_cast<unsigned>(L4_TypedWords(tag));
    message.untyped_ = untyped < max_words ? untyped : max_words;
    message.typed_ = typed < max_words - message.untyped_ ? typed : max_words - message.untyped_;
    for (unsigned i = 0; i < message.untyped_ + message.typed_; ++i)
        L4_StoreMR(static_cast<int>(i) + 1, &message.words_[i]);
    return message;
}

bool Message::add_string(const char *text, unsigned max_string_words, bool padded)
{
    unsigned length = 0;
    while (text[length] != '\0')
        ++length;
    if (length >= max_string_words * bytes_per_word)
        return false;
    return add_packed(text, length, padded ? max_string_words : length / bytes_per_word + 1);
}

bool Message::add_bytes(const char *bytes, unsigned n)
{
    return add_packed(bytes, n, (n + bytes_per_word - 1) / bytes_per_word);
}

bool Message::add_packed(const char *bytes, unsigned n, unsigned count)
{
    if (typed_ != 0 || count > max_words - untyped_)
        return false;
    for (unsigned w = 0; w < count; ++w)
        words_[untyped_ + w] = 0;
    for (unsigned i = 0; i < n; ++i)
        words_[untyped_ + i / bytes_per_word] |= byte_in_place(bytes[i], i);
    untyped_ += count;
    return true;
}

bool Message::add_map_item(L4_MapItem_t item)
{
    if (max_words - untyped_ - typed_ < 2)
        return false;
    words_[untyped_ + typed_++] = item.raw[0];
    words_[untyped_ + typed_++] = item.raw[1];
    return true;
}

bool Message::string(unsigned first, unsigned count, char *text, unsigned capacity) const
{
    if (first > untyped_ || count > untyped_ - first) {
        if (capacity > 0)
            text[0] = '\0';
        return false;
    }
    for (unsigned i = 0; i < count * bytes_per_word && i < capacity; ++i) {
        text[i] = byte_of(words_[first + i / bytes_per_word], i);
        if (text[i] == '\0')
            return true;
    }
    if (capacity > 0)
        text[capacity - 1] = '\0';
    return false;
}

bool Message::bytes(unsigned first, unsigned n, char *out) const
{
    unsigned count = (n + bytes_per_word - 1) / bytes_per_word;
    if (first > untyped_ || count > untyped_ - first)
        return false;
    for (unsigned i = 0; i < n; ++i)
        out[i] = byte_of(words_[first + i / bytes_per_word], i);
    return true;
}

void Message::load() const
{
    L4_MsgTag_t tag = L4_Niltag;
    L4_Set_Label(&tag, label_);
    tag.raw |= untyped_ | static_cast<L4_Word_t>(typed_) << 6;
    L4_Set_MsgTag(tag);
    for (unsigned i = 0; i < untyped_ + typed_; ++i)
        L4_LoadMR(static_cast<int>(i) + 1, words_[i]);
}

Status Message::call(L4_ThreadId_t to, L4_Time_t receive_timeout)
{
    load();
    L4_MsgTag_t tag = L4_Call_Timeouts(to, L4_Never, receive_timeout);
    if (L4_IpcFailed(tag)) {
        *this = Message(Status::failed);
        return Status::failed;
    }
    *this = received(tag);
    return status();
}

bool Message::send_now(L4_ThreadId_t to) const
{
    load();
    return L4_IpcSucceeded(L4_Send_Timeout(to, L4_ZeroTime)) != 0;
}

}  // namespace tern
