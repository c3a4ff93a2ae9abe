extension Pattern {
  /// The literal endings every string the pattern matches has one of, when it says so plainly.
  ///
  /// The pattern ends with `L$` or `L(A|B|…)T$` (or `(?:A|B|…)`), where `L`, `A`, `B`,
  /// `T` are literal text (escaped punctuation such as `\.` included) and anything may
  /// come before `L`, with no `|` outside groups: a string it matches ends with
  /// `L + A + T`, `L + B + T`, … (`$` is the end of the input, as in JavaScript). A
  /// character under a quantifier is not literal text. `nil` when nothing literal comes
  /// right before the end, and for case-insensitive patterns, whose endings are not a
  /// necessary condition on the bytes.
  ///
  /// A sieve files such a `$regex` under the attribute's suffix filter (a typical
  /// `"@(example|corp)\\.com$"` or `".+@(example|corp)\\.com$"` on an e-mail), so the
  /// rule is checked only for profiles whose value ends right; the pattern itself is
  /// still matched for them.
  package var requiredEndings: [[UInt8]]? {
    guard !isCaseInsensitive else { return nil }
    return Pattern.requiredEndings(of: Array(source.utf8))
  }

  /// ``requiredEndings`` of a case-sensitive JavaScript pattern's UTF-8 text.
  package static func requiredEndings(of pattern: [UInt8]) -> [[UInt8]]? {
    guard let alternatives = PatternAtoms.read(pattern, 0..<pattern.count),
      alternatives.count == 1
    else { return nil }
    var atoms = alternatives[0]
    guard let last = atoms.popLast(), last.atom == .end, !last.quantified else { return nil }
    /// The literal characters right before `atoms.count`, taken off `atoms`, in order.
    func literal() -> [UInt8] {
      var characters: [[UInt8]] = []
      while let atom = atoms.last, !atom.quantified, case .character(let bytes) = atom.atom {
        characters.append(bytes)
        atoms.removeLast()
      }
      return characters.reversed().flatMap { $0 }
    }
    let tail = literal()
    if let group = atoms.last, !group.quantified, case .group(let content) = group.atom,
      let choices = PatternAtoms.literalAlternatives(pattern, content)
    {
      atoms.removeLast()
      let head = literal()
      return choices.map { head + $0 + tail }
    }
    // Nothing literal before the end: only a pattern that is just `$` says so.
    return tail.isEmpty && !atoms.isEmpty ? nil : [tail]
  }

  /// The literal beginnings every string the pattern matches has one of, when it says so
  /// plainly.
  ///
  /// The pattern starts with `^L`, `^L(A|B|…)T` or `^L(?:A|B|…)T`, where `L`, `A`, `B`, `T`
  /// are literal text, and has no `|` outside a group: a string it matches starts with
  /// `L + A + T`, `L + B + T`, … (`^` is the start of the input, as in JavaScript without
  /// the `m` flag). Whatever follows is not read; a character under a quantifier is not
  /// literal text (`^abc?` requires `ab`), and a group that is not plain literal
  /// alternatives leaves `L` alone. `nil` when no byte is required and for
  /// case-insensitive patterns.
  ///
  /// A sieve files such a `$regex` (`"^\\+34"` on a phone number) under the attribute's
  /// prefix filter; the pattern itself is still matched for the profiles it admits.
  package var requiredPrefixes: [[UInt8]]? {
    guard !isCaseInsensitive else { return nil }
    return Pattern.requiredPrefixes(of: Array(source.utf8))
  }

  /// ``requiredPrefixes`` of a case-sensitive JavaScript pattern's UTF-8 text.
  package static func requiredPrefixes(of pattern: [UInt8]) -> [[UInt8]]? {
    guard let alternatives = PatternAtoms.read(pattern, 0..<pattern.count),
      alternatives.count == 1, let first = alternatives[0].first, first.atom == .start,
      !first.quantified
    else { return nil }
    var atoms = alternatives[0].dropFirst()
    /// The literal characters at the front of `atoms`, taken off them.
    func literal() -> [UInt8] {
      var text: [UInt8] = []
      while let atom = atoms.first, !atom.quantified, case .character(let bytes) = atom.atom {
        text += bytes
        atoms.removeFirst()
      }
      return text
    }
    let head = literal()
    if let group = atoms.first, !group.quantified, case .group(let content) = group.atom,
      let choices = PatternAtoms.literalAlternatives(pattern, content)
    {
      atoms.removeFirst()
      let tail = literal()
      return choices.map { head + $0 + tail }
    }
    return head.isEmpty ? nil : [head]
  }

  /// ASCII punctuation: an identity escape in a pattern without the `u` flag.
  static func isPunctuation(_ byte: UInt8) -> Bool {
    byte >= 0x21 && byte < 0x7F && !(byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
      && !(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
      && !(byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
  }
}

/// The top level of a JavaScript pattern as the endings analysis reads it: one element
/// per character, group, class, escape or anchor, each with whether a quantifier follows.
///
/// Only what decides whether text is literal is told apart; everything else is
/// ``Atom/other``. Escapes that take more than one character after `\` (`\u0041`,
/// `\x41`, `\cJ`, `\k<name>`, `\p{L}`, `\12`) are read whole, so their tail is never
/// taken for literal text; reading too much of one only makes less text literal.
enum PatternAtoms {
  enum Atom: Equatable {
    /// The UTF-8 bytes of one character matched as itself.
    case character([UInt8])
    /// A capturing or `(?:` group: the range of its content.
    case group(Range<Int>)
    /// `^`, unescaped.
    case start
    /// `$`, unescaped.
    case end
    /// Anything else: a class, `.`, a lookaround or named group, another escape.
    case other
  }

  /// The alternatives of `pattern[range]` (split at `|` outside groups and classes), each
  /// as its atoms; `nil` when a group or class does not close.
  static func read(_ pattern: [UInt8], _ range: Range<Int>) -> [[(atom: Atom, quantified: Bool)]]? {
    var alternatives: [[(atom: Atom, quantified: Bool)]] = [[]]
    var index = range.lowerBound
    let end = range.upperBound
    func quantify() {
      let last = alternatives.count - 1
      if let previous = alternatives[last].indices.last {
        alternatives[last][previous].quantified = true
      } else {
        alternatives[last].append((.other, true))
      }
    }
    while index < end {
      let byte = pattern[index]
      switch byte {
      case UInt8(ascii: "\\"):
        guard index + 1 < end else { return nil }
        let next = pattern[index + 1]
        if Pattern.isPunctuation(next) {
          alternatives[alternatives.count - 1].append((.character([next]), false))
          index += 2
        } else {
          index = escapeEnd(pattern, index, end)
          alternatives[alternatives.count - 1].append((.other, false))
        }
      case UInt8(ascii: "["):
        guard let after = classEnd(pattern, index, end) else { return nil }
        alternatives[alternatives.count - 1].append((.other, false))
        index = after
      case UInt8(ascii: "("):
        guard let close = groupEnd(pattern, index, end) else { return nil }
        let atom: Atom
        if index + 1 < close && pattern[index + 1] == UInt8(ascii: "?") {
          atom =
            index + 2 < close && pattern[index + 2] == UInt8(ascii: ":")
            ? .group(index + 3..<close) : .other
        } else {
          atom = .group(index + 1..<close)
        }
        alternatives[alternatives.count - 1].append((atom, false))
        index = close + 1
      case UInt8(ascii: ")"):
        return nil
      case UInt8(ascii: "|"):
        alternatives.append([])
        index += 1
      case UInt8(ascii: "?"), UInt8(ascii: "*"), UInt8(ascii: "+"):
        quantify()
        index += 1
      case UInt8(ascii: "{"):
        // A bound `{2}`, `{2,}`, `{2,5}` (read whole), or a literal `{`: either way the
        // character before is taken as quantified, which only makes less text literal.
        quantify()
        index += 1
        while index < end, isDigit(pattern[index]) || pattern[index] == UInt8(ascii: ",") {
          index += 1
        }
        if index < end && pattern[index] == UInt8(ascii: "}") { index += 1 }
      case UInt8(ascii: "$"):
        alternatives[alternatives.count - 1].append((.end, false))
        index += 1
      case UInt8(ascii: "^"):
        alternatives[alternatives.count - 1].append((.start, false))
        index += 1
      case UInt8(ascii: "."), UInt8(ascii: "]"), UInt8(ascii: "}"):
        alternatives[alternatives.count - 1].append((.other, false))
        index += 1
      default:
        var next = index + 1
        while next < end && pattern[next] & 0xC0 == 0x80 { next += 1 }
        alternatives[alternatives.count - 1].append(
          (.character(Array(pattern[index..<next])), false)
        )
        index = next
      }
    }
    return alternatives
  }

  /// The texts of a group's alternatives, when each is literal characters only.
  static func literalAlternatives(_ pattern: [UInt8], _ content: Range<Int>) -> [[UInt8]]? {
    guard let alternatives = read(pattern, content) else { return nil }
    var texts: [[UInt8]] = []
    for atoms in alternatives {
      var text: [UInt8] = []
      for (atom, quantified) in atoms {
        guard !quantified, case .character(let bytes) = atom else { return nil }
        text += bytes
      }
      texts.append(text)
    }
    return texts
  }

  /// Where the escape at `index` (a `\` not before punctuation) ends.
  private static func escapeEnd(_ pattern: [UInt8], _ index: Int, _ end: Int) -> Int {
    var next = index + 2
    /// Takes up to `count` bytes that satisfy `accepts`.
    func take(_ count: Int, _ accepts: (UInt8) -> Bool) {
      var taken = 0
      while taken < count && next < end && accepts(pattern[next]) {
        next += 1
        taken += 1
      }
    }
    /// Takes `open`, bytes that satisfy `accepts`, then `close`, only when all are there.
    func takeEnclosed(_ open: UInt8, _ close: UInt8, _ accepts: (UInt8) -> Bool) {
      guard next < end && pattern[next] == open else { return }
      var probe = next + 1
      while probe < end && accepts(pattern[probe]) { probe += 1 }
      if probe < end && pattern[probe] == close { next = probe + 1 }
    }
    let letter = pattern[index + 1]
    switch letter {
    case UInt8(ascii: "u"):
      if next < end && pattern[next] == UInt8(ascii: "{") {
        takeEnclosed(UInt8(ascii: "{"), UInt8(ascii: "}"), isHex)
      } else {
        take(4, isHex)
      }
    case UInt8(ascii: "x"): take(2, isHex)
    case UInt8(ascii: "c"): take(1, isLetter)
    case UInt8(ascii: "k"):
      takeEnclosed(UInt8(ascii: "<"), UInt8(ascii: ">")) {
        isLetter($0) || isDigit($0) || $0 == 0x5F || $0 == 0x24
      }
    case UInt8(ascii: "p"), UInt8(ascii: "P"):
      takeEnclosed(UInt8(ascii: "{"), UInt8(ascii: "}")) {
        isLetter($0) || isDigit($0) || $0 == 0x5F || $0 == 0x3D
      }
    case _ where isDigit(letter): take(Int.max, isDigit)
    case _ where letter >= 0xC0:
      // An escaped non-ASCII character: all of its bytes.
      take(3) { $0 & 0xC0 == 0x80 }
    default: break
    }
    return next
  }

  /// The index after the `]` that closes the class opening at `index`.
  private static func classEnd(_ pattern: [UInt8], _ index: Int, _ end: Int) -> Int? {
    var probe = index + 1
    while probe < end {
      switch pattern[probe] {
      case UInt8(ascii: "\\"): probe += 2
      case UInt8(ascii: "]"): return probe + 1
      default: probe += 1
      }
    }
    return nil
  }

  /// The index of the `)` that closes the group opening at `index`.
  private static func groupEnd(_ pattern: [UInt8], _ index: Int, _ end: Int) -> Int? {
    var depth = 0
    var probe = index
    while probe < end {
      switch pattern[probe] {
      case UInt8(ascii: "\\"): probe += 2
      case UInt8(ascii: "["):
        guard let after = classEnd(pattern, probe, end) else { return nil }
        probe = after
      case UInt8(ascii: "("):
        depth += 1
        probe += 1
      case UInt8(ascii: ")"):
        depth -= 1
        if depth == 0 { return probe }
        probe += 1
      default: probe += 1
      }
    }
    return nil
  }

  private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

  private static func isLetter(_ byte: UInt8) -> Bool {
    (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
  }

  private static func isHex(_ byte: UInt8) -> Bool {
    isDigit(byte) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
  }
}
