/// GrowthBook's version ordering: both sides are normalised with `paddedVersionString`
/// and compared as strings (SEMANTICS.md §3).
enum Version {
  /// Normalises a version: numbers become strings, non-strings and `""` become `"0"`,
  /// a leading `v` and `+build` metadata are dropped, parts split on `-` and `.`,
  /// three-part versions gain a `~` part, and all-digit parts are left-padded to width 5.
  ///
  /// Parts longer than five digits are left as they are (never a negative pad).
  static func padded(_ value: JSONValue) -> String {
    var text: String
    switch value {
    case .number(let number): text = JavaScript.numberToString(number)
    case .string(let string): text = string
    default: text = ""
    }
    if text.isEmpty { text = "0" }
    var scalars = Array(text.unicodeScalars)
    if scalars.first == "v" { scalars.removeFirst() }
    // `\+.*$` without the `m` flag: from the first `+` that no line break follows to the end.
    let lastBreak = scalars.lastIndex { $0 == "\n" || $0 == "\r" || $0 == "\u{2028}" || $0 == "\u{2029}" }
    if let plus = scalars[(lastBreak.map { $0 + 1 } ?? 0)...].firstIndex(of: "+") {
      scalars.removeSubrange(plus...)
    }
    var parts: [String] = []
    var current = String.UnicodeScalarView()
    for scalar in scalars {
      if scalar == "-" || scalar == "." {
        parts.append(String(current))
        current = String.UnicodeScalarView()
      } else {
        current.append(scalar)
      }
    }
    parts.append(String(current))
    if parts.count == 3 { parts.append("~") }
    return parts.map { part in
      let isNumeric = !part.isEmpty && part.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
      guard isNumeric, part.utf8.count < 5 else { return part }
      return String(repeating: " ", count: 5 - part.utf8.count) + part
    }.joined(separator: "-")
  }
}
