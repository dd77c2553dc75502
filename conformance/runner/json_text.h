// Writing JSON and XML text: quoting strings safely, whatever bytes they hold.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace conform {

// s as a JSON string literal with quotes; invalid UTF-8 becomes U+FFFD, and
// "</" is written "<\/" so the literal is safe inside an HTML <script>.
std::string JsonQuote(std::string_view s);

// A JSON array of quoted strings.
std::string JsonStrings(const std::vector<std::string>& v);

// s escaped for XML text and attribute values; control characters other
// than tab and newline (not allowed in XML 1.0) become '?'.
std::string XmlEscape(std::string_view s);

}  // namespace conform
