/// Reads a pattern as an ECMAScript 2023 regular expression without the `u` flag
/// (what `new RegExp(pattern, flags)` accepts, including the web-compatibility
/// grammar of Annex B) and writes an equivalent PCRE2 pattern.
///
/// Every construct is rewritten into PCRE2 syntax whose meaning is JavaScript's:
/// literals become `\x{…}` escapes, `.` and `\s` become JavaScript's sets, `$`
/// becomes `\z`, named groups become numbered ones. A construct JavaScript
/// rejects (inline flags, possessive quantifiers, atomic groups, …) is an error.
///
/// In strict mode (rules documents) the legacy forms that JavaScript reads as
/// something other than what other regex dialects mean are errors too: identity
/// escapes of letters and digits (`\A`, `\z`, `\h`, `\p`, `\8`), legacy octal
/// escapes (`\1` without a first group), `\c`, `\x` and `\u` without their
/// digits, and POSIX-looking `[[:alpha:]]`.
struct JavaScriptPattern {
  /// The PCRE2 pattern.
  var translated = ""
  /// Pairs of (UTF-8 offset in `translated`, UTF-8 offset in the source), ascending.
  private(set) var offsets: [(translated: Int, source: Int)] = []

  private let scalars: [Unicode.Scalar]
  private let sourceOffsets: [Int]
  private let isStrict: Bool
  private var position = 0
  private var depth = 0
  private var groupCount = 0
  private var groupNames: [String: Int] = [:]
  private var hasNamedGroups = false
  private var openedGroups = 0
  private var namesSeen: Set<String> = []

  /// The deepest nesting of groups and classes a pattern may have.
  static let maximumDepth = 250
  /// The largest bound of a `{n,m}` quantifier PCRE2 supports.
  static let maximumRepeat = 65_535

  /// Translates `source`, or throws the first problem with its UTF-8 offset.
  static func translate(
    _ source: String,
    strict: Bool
  ) throws(Pattern.CompileError) -> JavaScriptPattern {
    var pattern = JavaScriptPattern(source, strict: strict)
    try pattern.run()
    return pattern
  }

  /// The source offset for an offset in the translated pattern.
  func sourceOffset(forTranslated offset: Int) -> Int {
    var result = 0
    for pair in offsets {
      if pair.translated > offset { break }
      result = pair.source
    }
    return result
  }

  private init(_ source: String, strict: Bool) {
    scalars = Array(source.unicodeScalars)
    var running = 0
    var table: [Int] = []
    table.reserveCapacity(scalars.count + 1)
    for scalar in scalars {
      table.append(running)
      running += UTF8.width(scalar)
    }
    table.append(running)
    sourceOffsets = table
    isStrict = strict
  }

  // MARK: - Driver

  private mutating func run() throws(Pattern.CompileError) {
    prescanGroups()
    try parseDisjunction()
    if position < scalars.count {
      // Only an unmatched `)` stops a top-level disjunction early.
      throw fail("unmatched closing parenthesis", at: position)
    }
    mark()
  }

  /// Counts capturing groups and records group names, as JavaScript does before
  /// it reads back-references (`\2` may refer to a later group).
  private mutating func prescanGroups() {
    var index = 0
    var inClass = false
    while index < scalars.count {
      let scalar = scalars[index]
      if scalar == "\\" {
        index += 2
        continue
      }
      if inClass {
        if scalar == "]" { inClass = false }
      } else if scalar == "[" {
        inClass = true
        // `[]` and `[^]` close at once: a `]` right after `[` or `[^` ends the class.
        if index + 1 < scalars.count, scalars[index + 1] == "^" { index += 1 }
        if index + 1 < scalars.count, scalars[index + 1] == "]" {
          inClass = false
          index += 1
        }
      } else if scalar == "(" {
        if peek(index + 1) != "?" {
          groupCount += 1
        } else if peek(index + 2) == "<", peek(index + 3) != "=", peek(index + 3) != "!" {
          groupCount += 1
          hasNamedGroups = true
          var end = index + 3
          var name = ""
          // Stop at syntax no name holds, so the scan stays linear in the pattern.
          while end < scalars.count, !">()[|\\".unicodeScalars.contains(scalars[end]) {
            name.unicodeScalars.append(scalars[end])
            end += 1
          }
          if groupNames[name] == nil { groupNames[name] = groupCount }
        }
      }
      index += 1
    }
  }

  // MARK: - Grammar

  private mutating func parseDisjunction() throws(Pattern.CompileError) {
    try parseAlternative()
    while peek(position) == "|" {
      mark()
      translated += "|"
      position += 1
      try parseAlternative()
    }
  }

  private mutating func parseAlternative() throws(Pattern.CompileError) {
    while let scalar = peek(position), scalar != "|", scalar != ")" {
      try parseTerm()
    }
  }

  private mutating func parseTerm() throws(Pattern.CompileError) {
    let start = position
    mark()
    var isQuantifiable = true
    switch scalars[position] {
    case "^":
      translated += "^"
      position += 1
      isQuantifiable = false
    case "$":
      // JavaScript's `$` without the `m` flag is the very end of the input.
      translated += "\\z"
      position += 1
      isQuantifiable = false
    case "\\":
      if peek(position + 1) == "b" || peek(position + 1) == "B" {
        translated += peek(position + 1) == "b" ? "\\b" : "\\B"
        position += 2
        isQuantifiable = false
      } else {
        try parseAtomEscape()
      }
    case "(":
      isQuantifiable = try parseGroup()
    case "[":
      try parseClass()
    case ".":
      // JavaScript's `.` excludes every line terminator.
      translated += "[^\\n\\r\\x{2028}\\x{2029}]"
      position += 1
    case "*", "+", "?":
      throw nothingToRepeat(at: start)
    case "{":
      if quantifierLength(at: position) != nil { throw nothingToRepeat(at: start) }
      emitLiteral("{")
      position += 1
    default:
      try emitPatternCharacter(scalars[position], at: start, next: position + 1)
      position += 1
    }
    if let length = quantifierLength(at: position) {
      guard isQuantifiable else { throw nothingToRepeat(at: position) }
      try parseQuantifier(length: length)
    }
  }

  private mutating func parseQuantifier(length: Int) throws(Pattern.CompileError) {
    let start = position
    mark()
    switch scalars[position] {
    case "*", "+", "?":
      translated.unicodeScalars.append(scalars[position])
    default:
      var index = position + 1
      let minimum = readDecimal(&index)
      var maximum: Int? = minimum
      if peek(index) == "," {
        index += 1
        maximum = peek(index) == "}" ? nil : readDecimal(&index)
      }
      if let maximum, maximum < minimum {
        throw fail("numbers out of order in `{}` quantifier", at: start)
      }
      if minimum > Self.maximumRepeat || (maximum ?? 0) > Self.maximumRepeat {
        throw fail(
          "quantifier bounds above \(Self.maximumRepeat) are not supported",
          at: start
        )
      }
      if let maximum {
        translated += maximum == minimum ? "{\(minimum)}" : "{\(minimum),\(maximum)}"
      } else {
        translated += "{\(minimum),}"
      }
    }
    position += length
    if peek(position) == "?" {
      translated += "?"
      position += 1
    }
    if let next = peek(position), next == "+" || next == "*" || next == "?" || next == "{",
      quantifierLength(at: position) != nil
    {
      let text = String(String.UnicodeScalarView(scalars[start...position]))
      throw fail(
        next == "+"
          ? "possessive quantifier `\(text)` is not JavaScript"
          : "`\(next)` has nothing to repeat",
        at: position
      )
    }
  }

  /// The length of a quantifier at `index` (`*`, `+`, `?`, `{n}`, `{n,}`,
  /// `{n,m}`), or nil when none starts there (a lone `{` is a literal).
  private func quantifierLength(at index: Int) -> Int? {
    guard let scalar = peek(index) else { return nil }
    if scalar == "*" || scalar == "+" || scalar == "?" { return 1 }
    guard scalar == "{" else { return nil }
    var end = index + 1
    guard digit(peek(end)) != nil else { return nil }
    while digit(peek(end)) != nil { end += 1 }
    if peek(end) == "," {
      end += 1
      while digit(peek(end)) != nil { end += 1 }
    }
    return peek(end) == "}" ? end + 1 - index : nil
  }

  /// Reads decimal digits at `index`, saturating at `Int.max`.
  private func readDecimal(_ index: inout Int) -> Int {
    var value = 0
    while let digit = digit(peek(index)) {
      let (product, overflow) = value.multipliedReportingOverflow(by: 10)
      value = overflow ? Int.max : min(Int.max - digit, product) + digit
      index += 1
    }
    return value
  }

  /// Reads a group after `(`; returns whether a quantifier may follow it.
  private mutating func parseGroup() throws(Pattern.CompileError) -> Bool {
    let start = position
    guard depth < Self.maximumDepth else {
      throw fail("parentheses are nested too deeply", at: start)
    }
    var isQuantifiable = true
    if peek(position + 1) != "?" {
      openedGroups += 1
      translated += "("
      position += 1
    } else {
      switch (peek(position + 2), peek(position + 3)) {
      case (":", _):
        translated += "(?:"
        position += 3
      case ("=", _), ("!", _):
        translated += peek(position + 2) == "=" ? "(?=" : "(?!"
        position += 3
      case ("<", "="), ("<", "!"):
        translated += peek(position + 3) == "=" ? "(?<=" : "(?<!"
        position += 4
        isQuantifiable = false
      case ("<", _):
        try parseGroupName()
        translated += "("
      default:
        let shown = String(String.UnicodeScalarView(scalars[start..<min(start + 3, scalars.count)]))
        throw fail("`\(shown)` is not a JavaScript group", at: start)
      }
    }
    depth += 1
    try parseDisjunction()
    depth -= 1
    guard peek(position) == ")" else {
      throw fail("missing closing parenthesis", at: position)
    }
    mark()
    translated += ")"
    position += 1
    return isQuantifiable
  }

  /// Reads `(?<name>`, leaving `position` after `>`.
  private mutating func parseGroupName() throws(Pattern.CompileError) {
    let start = position
    position += 3
    let name = try readGroupName(at: start)
    guard !namesSeen.contains(name) else {
      throw fail("duplicate group name `\(name)`", at: start)
    }
    namesSeen.insert(name)
    openedGroups += 1
  }

  /// Reads `name>` at `position`, leaving `position` after `>`.
  private mutating func readGroupName(at start: Int) throws(Pattern.CompileError) -> String {
    var name = ""
    while let scalar = peek(position), scalar != ">" {
      if scalar == "\\" {
        throw fail("escapes in group names are not supported", at: position)
      }
      let isStart = scalar == "$" || scalar == "_" || scalar.properties.isIDStart
      let isPart =
        isStart || scalar.properties.isIDContinue || scalar == "\u{200C}" || scalar == "\u{200D}"
      guard name.isEmpty ? isStart : isPart else {
        throw fail("invalid group name", at: start)
      }
      name.unicodeScalars.append(scalar)
      position += 1
    }
    guard peek(position) == ">", !name.isEmpty else {
      throw fail("invalid group name", at: start)
    }
    position += 1
    return name
  }

  // MARK: - Escapes

  /// Reads an escape outside a class (not `\b` or `\B`).
  private mutating func parseAtomEscape() throws(Pattern.CompileError) {
    let start = position
    guard let letter = peek(position + 1) else {
      throw fail("`\\` at end of pattern", at: start)
    }
    switch letter {
    case "1"..."9":
      var index = position + 1
      let number = readDecimal(&index)
      if number <= groupCount {
        translated += "\\g{\(number)}"
        position = index
        return
      }
      if letter == "8" || letter == "9" {
        emitLiteral(try identityEscape(at: start))
        return
      }
      emitLiteral(try legacyOctal(at: start))
    case "k":
      guard hasNamedGroups else {
        emitLiteral(try identityEscape(at: start))
        return
      }
      guard peek(position + 2) == "<" else {
        throw fail("`\\k` must name a group as `\\k<name>`", at: start)
      }
      position += 3
      let name = try readGroupName(at: start)
      guard let number = groupNames[name] else {
        throw fail("no group is named `\(name)`", at: start)
      }
      translated += "\\g{\(number)}"
    case "d", "D", "w", "W":
      // ASCII-only in PCRE2 without UCP, as in JavaScript.
      translated += "\\"
      translated.unicodeScalars.append(letter)
      position += 2
    case "s":
      translated += "[" + Self.spaces + "]"
      position += 2
    case "S":
      translated += "[^" + Self.spaces + "]"
      position += 2
    case "c":
      guard let control = peek(position + 2), control.isASCII, control.properties.isAlphabetic
      else {
        // JavaScript reads `\c` without a letter as a backslash followed by `c`.
        if isStrict { throw fail("`\\c` must be followed by a letter", at: start) }
        emitLiteral("\\")
        position += 1
        return
      }
      emitLiteral(Unicode.Scalar(UInt8(control.value % 32)))
      position += 3
    default:
      let scalar = try characterEscape(at: start)
      try emitPatternCharacter(scalar, at: start, next: position)
    }
  }

  /// Reads `\0`…`\7` (up to three octal digits, at most 0o377) at `start`.
  private mutating func legacyOctal(at start: Int) throws(Pattern.CompileError) -> Unicode.Scalar {
    var index = start + 1
    var value = 0
    var count = 0
    while let digit = digit(peek(index)), digit < 8, count < 3, value * 8 + digit <= 0o377 {
      value = value * 8 + digit
      index += 1
      count += 1
    }
    if isStrict, !(value == 0 && count == 1) {
      let text = String(String.UnicodeScalarView(scalars[start..<index]))
      throw fail(
        "`\(text)` is a legacy octal escape; write `\\x`, `\\u` or refer to an existing group",
        at: start
      )
    }
    position = index
    return Unicode.Scalar(UInt8(value))
  }

  /// Reads an escape shared by atoms and classes and returns its character.
  ///
  /// These are control escapes, `\0`, legacy octal, `\x`, `\u`, and identity escapes.
  private mutating func characterEscape(
    at start: Int
  ) throws(Pattern.CompileError) -> Unicode.Scalar {
    guard let letter = peek(position + 1) else {
      throw fail("`\\` at end of pattern", at: start)
    }
    let controls: [Unicode.Scalar: Unicode.Scalar] = [
      "f": "\u{0C}", "n": "\n", "r": "\r", "t": "\t", "v": "\u{0B}",
    ]
    if let control = controls[letter] {
      position += 2
      return control
    }
    switch letter {
    case "0"..."7":
      return try legacyOctal(at: start)
    case "x":
      if let value = hexValue(from: position + 2, count: 2) {
        position += 4
        return Unicode.Scalar(UInt8(value))
      }
    case "u":
      if let value = hexValue(from: position + 2, count: 4) {
        position += 6
        if (0xD800...0xDBFF).contains(value), peek(position) == "\\", peek(position + 1) == "u",
          let low = hexValue(from: position + 2, count: 4), (0xDC00...0xDFFF).contains(low)
        {
          let high: UInt32 = (value - 0xD800) << 10
          let combined: UInt32 = 0x10000 + high + (low - 0xDC00)
          if let scalar = Unicode.Scalar(combined) {
            position += 6
            return scalar
          }
        }
        guard let scalar = Unicode.Scalar(value) else {
          throw fail("lone surrogate escapes are not supported", at: start)
        }
        return scalar
      }
    default:
      break
    }
    return try identityEscape(at: start)
  }

  /// Reads an identity escape `\X`, which is the character X itself.
  ///
  /// Strict mode refuses letters and digits, which other dialects read as
  /// classes or anchors.
  private mutating func identityEscape(
    at start: Int
  ) throws(Pattern.CompileError) -> Unicode.Scalar {
    guard let scalar = peek(start + 1) else {
      throw fail("`\\` at end of pattern", at: start)
    }
    if isStrict, scalar.isASCII, scalar.properties.isAlphabetic || digit(scalar) != nil {
      throw fail(
        "`\\\(scalar)` is not a JavaScript escape; JavaScript reads it as `\(scalar)`",
        at: start
      )
    }
    position = start + 2
    return scalar
  }

  private func hexValue(from index: Int, count: Int) -> UInt32? {
    var value: UInt32 = 0
    for offset in 0..<count {
      guard let scalar = peek(index + offset) else { return nil }
      let digit: UInt32
      switch scalar {
      case "0"..."9": digit = scalar.value - 48
      case "a"..."f": digit = scalar.value - 87
      case "A"..."F": digit = scalar.value - 55
      default: return nil
      }
      value = value * 16 + digit
    }
    return value
  }

  // MARK: - Classes

  private enum ClassItem {
    case character(UInt32)
    case range(UInt32, UInt32)
    /// A PCRE2 escape with JavaScript's meaning: `\d`, `\D`, `\w`, `\W`.
    case native(Unicode.Scalar)
    case spaces
    case nonSpaces
  }

  private mutating func parseClass() throws(Pattern.CompileError) {
    let start = position
    position += 1
    var isNegated = false
    if peek(position) == "^" {
      isNegated = true
      position += 1
    }
    var items: [ClassItem] = []
    while true {
      guard let scalar = peek(position) else {
        throw fail("missing terminating `]` for character class", at: scalars.count)
      }
      if scalar == "]" { break }
      let first = try parseClassAtom()
      if peek(position) == "-", let next = peek(position + 1), next != "]" {
        position += 1
        let second = try parseClassAtom()
        switch (first, second) {
        case (.character(let low), .character(let high)):
          guard low <= high else {
            throw fail("range out of order in character class", at: start)
          }
          items.append(.range(low, high))
        default:
          // A class escape at either end makes `-` a literal (Annex B).
          items += [first, .character(0x2D), second]
        }
      } else {
        items.append(first)
      }
    }
    position += 1
    emitClass(items, negated: isNegated)
  }

  private mutating func parseClassAtom() throws(Pattern.CompileError) -> ClassItem {
    let start = position
    let item = try parseClassAtomItem()
    if case .character(let value) = item, value > 0xFFFF {
      throw fail(
        "a character beyond U+FFFF in a class is two UTF-16 code units in JavaScript; use an alternation",
        at: start
      )
    }
    return item
  }

  private mutating func parseClassAtomItem() throws(Pattern.CompileError) -> ClassItem {
    let start = position
    let scalar = scalars[position]
    if scalar != "\\" {
      if isStrict, scalar == "[", let next = peek(position + 1),
        next == ":" || next == "." || next == "="
      {
        throw fail(
          "`[\(next)` in a class is POSIX syntax; JavaScript reads the characters `[` and `\(next)`",
          at: start
        )
      }
      position += 1
      return .character(scalar.value)
    }
    guard let letter = peek(position + 1) else {
      throw fail("`\\` at end of pattern", at: start)
    }
    switch letter {
    case "b":
      position += 2
      return .character(0x08)
    case "-":
      position += 2
      return .character(0x2D)
    case "d", "D", "w", "W":
      position += 2
      return .native(letter)
    case "s", "S":
      position += 2
      return letter == "s" ? .spaces : .nonSpaces
    case "c":
      if let control = peek(position + 2), control.isASCII,
        control.properties.isAlphabetic || digit(control) != nil || control == "_"
      {
        position += 3
        return .character(control.value % 32)
      }
      if isStrict { throw fail("`\\c` must be followed by a letter", at: start) }
      position += 1
      return .character(0x5C)
    case "8", "9":
      return .character(try identityEscape(at: start).value)
    case "k" where hasNamedGroups:
      throw fail("`\\k` in a class is not allowed when the pattern names groups", at: start)
    default:
      return .character(try characterEscape(at: start).value)
    }
  }

  private mutating func emitClass(_ items: [ClassItem], negated: Bool) {
    func body(_ items: [ClassItem]) -> String {
      var text = ""
      for item in items {
        switch item {
        case .character(let value): text += Self.hex(value)
        case .range(let low, let high): text += Self.hex(low) + "-" + Self.hex(high)
        case .native(let letter): text += "\\" + String(letter)
        case .spaces: text += Self.spaces
        case .nonSpaces: break
        }
      }
      return text
    }
    let hasNonSpaces = items.contains {
      if case .nonSpaces = $0 { return true }
      return false
    }
    let rest = body(items)
    if hasNonSpaces {
      // PCRE2 classes cannot hold a complement, so `\S` joins by alternation.
      if negated {
        translated += rest.isEmpty ? "[" + Self.spaces + "]" : "(?:(?![\(rest)])[\(Self.spaces)])"
      } else {
        translated += rest.isEmpty ? "[^" + Self.spaces + "]" : "(?:[^\(Self.spaces)]|[\(rest)])"
      }
    } else if rest.isEmpty {
      // `[]` matches nothing; `[^]` matches any character.
      translated += negated ? "[\\s\\S]" : "(?!)"
    } else {
      translated += (negated ? "[^" : "[") + rest + "]"
    }
  }

  // MARK: - Output

  /// JavaScript's white space and line terminators, as PCRE2 class contents.
  static let spaces =
    "\\t\\n\\x{0B}\\f\\r\\x{20}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}"
    + "\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}"

  private static func hex(_ value: UInt32) -> String { "\\x{" + String(value, radix: 16) + "}" }

  private mutating func emitLiteral(_ scalar: Unicode.Scalar) {
    if scalar.isASCII, scalar.properties.isAlphabetic || digit(scalar) != nil || scalar == "_" {
      translated.unicodeScalars.append(scalar)
    } else {
      translated += Self.hex(scalar.value)
    }
  }

  /// A literal in a term; one outside the Basic Multilingual Plane followed by a
  /// quantifier is refused, since JavaScript would repeat only its low surrogate.
  private mutating func emitPatternCharacter(
    _ scalar: Unicode.Scalar,
    at start: Int,
    next: Int
  ) throws(Pattern.CompileError) {
    if scalar.value > 0xFFFF, quantifierLength(at: next) != nil {
      throw fail(
        "a quantifier after a character beyond U+FFFF repeats half of it in JavaScript; wrap the character in `(?:…)`",
        at: start
      )
    }
    emitLiteral(scalar)
  }

  private mutating func mark() {
    let source = sourceOffsets[min(position, sourceOffsets.count - 1)]
    offsets.append((translated.utf8.count, source))
  }

  private func peek(_ index: Int) -> Unicode.Scalar? {
    index >= 0 && index < scalars.count ? scalars[index] : nil
  }

  private func digit(_ scalar: Unicode.Scalar?) -> Int? {
    guard let scalar, ("0"..."9").contains(scalar) else { return nil }
    return Int(scalar.value - 48)
  }

  private func nothingToRepeat(at index: Int) -> Pattern.CompileError {
    fail("`\(scalars[index])` has nothing to repeat", at: index)
  }

  private func fail(_ message: String, at index: Int) -> Pattern.CompileError {
    Pattern.CompileError(
      message: message,
      offset: sourceOffsets[min(max(index, 0), sourceOffsets.count - 1)]
    )
  }
}
