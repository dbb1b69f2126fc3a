// SPDX-License-Identifier: MIT
#include "fastdecode.h"

#include "jsonreader.h"

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

QString toQString(std::string_view utf8) {
    return QString::fromUtf8(utf8.data(), qsizetype(utf8.size()));
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
    out.text = toQString(text);
    out.id = hasId ? std::optional<QString>(toQString(id)) : std::nullopt;
    return FastDecode::Decoded;
}

} // namespace whisper::protocol
