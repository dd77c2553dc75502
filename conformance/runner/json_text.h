// Writing JSON and XML text: quoting strings safely, whatever bytes they hold.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace conform {

// s as a JSON string literal with quotes, valid UTF-8 whatever bytes s
// holds: each ill-formed UTF-8 sequence (RFC 3629: overlong forms,
// surrogates, code points above U+10FFFF, truncated or stray bytes)
// becomes one U+FFFD per maximal subpart, exactly as Python's
// bytes.decode("utf-8", "replace") and browsers decode it. "</" is written "<\/" and "<!" "\u003c!", so the literal
// is safe inside an HTML <script>.
std::string JsonQuote(std::string_view s);

// A JSON array of quoted strings.
std::string JsonStrings(const std::vector<std::string>& v);

// s escaped for XML text and attribute values; control characters other
// than tab and newline (not allowed in XML 1.0) and ill-formed UTF-8 (as
// in JsonQuote) become '?'.
std::string XmlEscape(std::string_view s);

}  // namespace conform
