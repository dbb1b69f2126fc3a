// SPDX-License-Identifier: MIT
#include "fastdecode.h"

#include "jsonreader.h"

#include <QStringDecoder>

#include <simdjson.h>

#include <string_view>
#include <vector>

namespace whisper::protocol {

namespace {

// One parser and one padded input buffer per thread: simdjson reads up to
// SIMDJSON_PADDING bytes past the end of its input, which a frame's
// QByteArray does not promise, and both keep their capacity between frames
// so the hot path does not allocate.
struct ThreadParser {
    simdjson::dom::parser parser;
    std::vector<char> buffer;
};

ThreadParser &threadParser() {
    thread_local ThreadParser state;
    return state;
}

// Decodes over `out`, keeping its capacity: the frame before left strings
// large enough for most frames after it, so a message is decoded without an
// allocation. simdjson checked the UTF-8 already.
void assignUtf8(QString &out, std::string_view utf8) {
    const qsizetype n = qsizetype(utf8.size());
    unsigned high = 0;
    for (const char c : utf8)
        high |= static_cast<unsigned char>(c);
    if (high < 0x80) { // ASCII: a widening copy the compiler vectorises
        out.resize(n);
        char16_t *to = reinterpret_cast<char16_t *>(out.data());
        for (qsizetype i = 0; i < n; ++i)
            to[i] = static_cast<unsigned char>(utf8[std::size_t(i)]);
        return;
    }
    // As QString::fromUtf8 decodes (a leading BOM is dropped), which the
    // reference path's answer follows too.
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    // Room for the worst case, then down to what the text took.
    out.resize(decoder.requiredSpace(n));
    QChar *to = out.data();
    const QChar *end = decoder.appendToBuffer(to, QByteArrayView(utf8.data(), n));
    out.resize(qsizetype(end - to));
}

} // namespace

FastDecode decodeChatMessageFast(QByteArrayView frame, SendMessage &out) {
    ThreadParser &state = threadParser();
    const std::size_t length = std::size_t(frame.size());
    if (state.buffer.size() < length + simdjson::SIMDJSON_PADDING)
        state.buffer.resize(length + simdjson::SIMDJSON_PADDING);
    std::copy(frame.begin(), frame.end(), state.buffer.begin());

    simdjson::dom::element root;
    if (state.parser.parse(state.buffer.data(), length, false).get(root) != simdjson::SUCCESS)
        return FastDecode::NotHandled;
    simdjson::dom::object object;
    if (root.get_object().get(object) != simdjson::SUCCESS)
        return FastDecode::NotHandled;

    std::string_view type, text, id;
    bool hasType = false, hasText = false, hasId = false;
    for (const auto field : object) {
        std::string_view value;
        if (field.value.get_string().get(value) != simdjson::SUCCESS)
            return FastDecode::NotHandled;
        bool *seen = nullptr;
        std::string_view *slot = nullptr;
        if (field.key == "type") {
            seen = &hasType;
            slot = &type;
        } else if (field.key == "text") {
            seen = &hasText;
            slot = &text;
        } else if (field.key == "id") {
            seen = &hasId;
            slot = &id;
        } else {
            return FastDecode::NotHandled;
        }
        if (*seen)
            return FastDecode::NotHandled;
        *seen = true;
        *slot = value;
    }
    if (!hasType || !hasText || type != "message")
        return FastDecode::NotHandled;

    // Whether simdjson takes a lone surrogate escape depends on its version;
    // the reference path's answer (an error) is the one that counts.
    if (json::hasLoneSurrogateEscape(frame))
        return FastDecode::NotHandled;
    assignUtf8(out.text, text);
    if (hasId)
        assignUtf8(out.id ? *out.id : out.id.emplace(), id);
    else
        out.id.reset();
    return FastDecode::Decoded;
}

} // namespace whisper::protocol
