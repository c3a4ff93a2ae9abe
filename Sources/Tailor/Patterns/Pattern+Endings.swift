extension Pattern {
  /// The literal endings every string the pattern matches has one of, when it says so plainly.
  ///
  /// The pattern is `L$`, `L(A|B|…)T$` or `L(?:A|B|…)T$`, optionally after `^`, where `L`,
  /// `A`, `B`, `T` are literal text (escaped punctuation such as `\.` included): a string
  /// it matches ends with `L + A + T`, `L + B + T`, … (`$` is the end of the input, as in
  /// JavaScript). `nil` for any other pattern and for case-insensitive ones, whose
  /// endings are not a necessary condition on the bytes.
  ///
  /// A sieve files such a `$regex` under the attribute's suffix filter (a typical
  /// `"@(example|corp)\\.com$"` on an e-mail), so the rule is checked only for profiles
  /// whose value ends right; the pattern itself is still matched for them.
  package var requiredEndings: [[UInt8]]? {
    guard !isCaseInsensitive else { return nil }
    return Pattern.requiredEndings(of: Array(source.utf8))
  }

  /// ``requiredEndings`` of a case-sensitive JavaScript pattern's UTF-8 text.
  package static func requiredEndings(of pattern: [UInt8]) -> [[UInt8]]? {
    var index = pattern.first == UInt8(ascii: "^") ? 1 : 0
    /// Reads literal text up to a byte it does not take; `nil` on anything but literals.
    func literal() -> [UInt8]? {
      var text: [UInt8] = []
      while index < pattern.count {
        let byte = pattern[index]
        if byte == UInt8(ascii: "\\") {
          // An escaped ASCII punctuation character is itself; letters and digits are
          // classes, anchors or references, and anything else is left alone.
          guard index + 1 < pattern.count, isPunctuation(pattern[index + 1]) else { return nil }
          text.append(pattern[index + 1])
          index += 2
        } else if isSpecial(byte) {
          return text
        } else {
          text.append(byte)
          index += 1
        }
      }
      return text
    }
    guard let head = literal(), index < pattern.count else { return nil }
    var endings: [[UInt8]]
    if pattern[index] == UInt8(ascii: "(") {
      index += 1
      if index + 1 < pattern.count && pattern[index] == UInt8(ascii: "?") {
        // Only a non-capturing group; lookarounds and named groups are not literal.
        guard pattern[index + 1] == UInt8(ascii: ":") else { return nil }
        index += 2
      }
      endings = []
      while true {
        guard let alternative = literal(), index < pattern.count else { return nil }
        endings.append(head + alternative)
        if pattern[index] == UInt8(ascii: "|") {
          index += 1
          continue
        }
        guard pattern[index] == UInt8(ascii: ")") else { return nil }
        index += 1
        break
      }
      // Literal text may follow the group: `@(corp|example)\.com$`.
      guard let tail = literal() else { return nil }
      endings = endings.map { $0 + tail }
    } else {
      endings = [head]
    }
    // The pattern must end here with an unescaped `$`.
    guard index == pattern.count - 1, pattern[index] == UInt8(ascii: "$") else { return nil }
    return endings
  }

  /// The literal beginnings every string the pattern matches has one of, when it says so
  /// plainly.
  ///
  /// The pattern starts with `^L`, `^L(A|B|…)T` or `^L(?:A|B|…)T`, where `L`, `A`, `B`, `T`
  /// are literal text, and has no `|` outside a group: a string it matches starts with
  /// `L + A + T`, `L + B + T`, … (`^` is the start of the input, as in JavaScript without
  /// the `m` flag). Whatever follows is not read; a quantifier after the text leaves out
  /// its last character, and a group that is not plain literal alternatives leaves `L`
  /// alone. `nil` when no byte is required and for case-insensitive patterns.
  ///
  /// A sieve files such a `$regex` (`"^\\+34"` on a phone number) under the attribute's
  /// prefix filter; the pattern itself is still matched for the profiles it admits.
  package var requiredPrefixes: [[UInt8]]? {
    guard !isCaseInsensitive else { return nil }
    return Pattern.requiredPrefixes(of: Array(source.utf8))
  }

  /// ``requiredPrefixes`` of a case-sensitive JavaScript pattern's UTF-8 text.
  package static func requiredPrefixes(of pattern: [UInt8]) -> [[UInt8]]? {
    guard pattern.first == UInt8(ascii: "^"), !hasAlternationOutsideGroups(pattern) else {
      return nil
    }
    var index = 1
    /// Reads literal text up to a byte or escape it does not take, leaving out the last
    /// character when a quantifier follows; `stopped` is the byte it stopped at.
    func literal() -> (text: [UInt8], stopped: UInt8?) {
      var text: [UInt8] = []
      while index < pattern.count {
        let byte = pattern[index]
        if byte == UInt8(ascii: "\\") {
          guard index + 1 < pattern.count, isPunctuation(pattern[index + 1]) else { break }
          text.append(pattern[index + 1])
          index += 2
        } else if isSpecial(byte) {
          if isQuantifier(byte) { dropLastCharacter(&text) }
          return (text, byte)
        } else {
          text.append(byte)
          index += 1
        }
      }
      // The end, or an escape that is not one character: a quantifier may follow it, not
      // the text before.
      return (text, nil)
    }
    let head = literal()
    let alone: [[UInt8]]? = head.text.isEmpty ? nil : [head.text]
    guard head.stopped == UInt8(ascii: "(") else { return alone }
    index += 1
    if index + 1 < pattern.count && pattern[index] == UInt8(ascii: "?") {
      guard pattern[index + 1] == UInt8(ascii: ":") else { return alone }
      index += 2
    }
    var alternatives: [[UInt8]] = []
    while true {
      let alternative = literal()
      if alternative.stopped == UInt8(ascii: "|") {
        alternatives.append(alternative.text)
        index += 1
      } else if alternative.stopped == UInt8(ascii: ")") {
        alternatives.append(alternative.text)
        index += 1
        break
      } else {
        return alone
      }
    }
    if index < pattern.count && isQuantifier(pattern[index]) { return alone }
    let tail = literal().text
    return alternatives.map { head.text + $0 + tail }
  }

  /// Whether `|` appears outside every group and class: then no text is required by all.
  private static func hasAlternationOutsideGroups(_ pattern: [UInt8]) -> Bool {
    var index = 0
    var depth = 0
    var inClass = false
    while index < pattern.count {
      let byte = pattern[index]
      if byte == UInt8(ascii: "\\") {
        index += 2
        continue
      }
      if inClass {
        if byte == UInt8(ascii: "]") { inClass = false }
      } else if byte == UInt8(ascii: "[") {
        inClass = true
      } else if byte == UInt8(ascii: "(") {
        depth += 1
      } else if byte == UInt8(ascii: ")") {
        depth -= 1
      } else if byte == UInt8(ascii: "|") && depth <= 0 {
        return true
      }
      index += 1
    }
    return false
  }

  /// `?`, `*`, `+` and `{`: what makes the character before it optional or repeated
  /// (`{` is a literal in some patterns; taking it for a quantifier only requires less).
  private static func isQuantifier(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: "?") || byte == UInt8(ascii: "*") || byte == UInt8(ascii: "+")
      || byte == UInt8(ascii: "{")
  }

  /// Removes the last UTF-8 character of `text` (all of it, whatever a quantifier after a
  /// character outside the BMP applies to).
  private static func dropLastCharacter(_ text: inout [UInt8]) {
    while let last = text.last, last & 0xC0 == 0x80 { text.removeLast() }
    if !text.isEmpty { text.removeLast() }
  }

  /// Bytes with a meaning of their own outside a class (`\` is handled apart).
  private static func isSpecial(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: "."), UInt8(ascii: "|"),
      UInt8(ascii: "?"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "("),
      UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"),
      UInt8(ascii: "}"):
      true
    default:
      false
    }
  }

  /// ASCII punctuation: an identity escape in a pattern without the `u` flag.
  private static func isPunctuation(_ byte: UInt8) -> Bool {
    byte >= 0x21 && byte < 0x7F && !(byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
      && !(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
      && !(byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
  }
}
