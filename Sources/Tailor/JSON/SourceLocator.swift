/// Finds the byte offsets of many JSON pointers in one pass over a valid JSON text.
///
/// Positions are needed only for diagnostics, so the reader does not record
/// them; the loader asks this locator once for every pointer its diagnostics name.
struct SourceLocator {
  /// The offsets found, keyed by rendered pointer; `keys` holds offsets of object keys.
  private(set) var values: [String: Int] = [:]
  private(set) var keys: [String: Int] = [:]

  private let wantedValues: Set<String>
  private let wantedKeys: Set<String>
  private let prefixes: Set<String>
  /// By rendered pointer, the indices `i` for which the pointer extended by `/i` is in
  /// ``prefixes``: the elements of an array that the walk enters (it skips the others
  /// without rendering their pointers).
  private let prefixIndices: [String: Set<Int>]

  init(values: [JSONPointer], keys: [JSONPointer]) {
    wantedValues = Set(values.map(\.description))
    wantedKeys = Set(keys.map(\.description))
    var prefixes: Set<String> = []
    var prefixIndices: [String: Set<Int>] = [:]
    for pointer in values + keys {
      var text = ""
      prefixes.insert(text)
      for token in pointer.tokens {
        let step = JSONPointer.escape(token.text)
        // An array element's pointer is rendered with `String(index)`.
        if let index = Int(step), index >= 0, String(index) == step {
          prefixIndices[text, default: []].insert(index)
        }
        text += "/" + step
        prefixes.insert(text)
      }
    }
    self.prefixes = prefixes
    self.prefixIndices = prefixIndices
  }

  /// Walks `bytes` and records every wanted offset it finds.
  mutating func locate(in bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { buffer in
      var scanner = Scanner(bytes: buffer, maxDepth: Int.max, reportDuplicates: false)
      scanner.skipWhitespace()
      walk(&scanner, pointer: "")
    }
  }

  private mutating func walk(_ scanner: inout Scanner, pointer: String) {
    guard scanner.position < scanner.bytes.count else { return }
    // A repeated key's last value is the one loaded, so later occurrences win.
    if wantedValues.contains(pointer) { values[pointer] = scanner.position }
    guard prefixes.contains(pointer) else {
      skipValue(&scanner)
      return
    }
    switch scanner.bytes[scanner.position] {
    case UInt8(ascii: "{"):
      scanner.position += 1
      scanner.skipWhitespace()
      while scanner.position < scanner.bytes.count
        && scanner.bytes[scanner.position] == UInt8(ascii: "\"")
      {
        let keyOffset = scanner.position
        guard let key = try? scanner.parseString() else { return }
        let child = pointer + "/" + JSONPointer.escape(key)
        if wantedKeys.contains(child) { keys[child] = keyOffset }
        scanner.skipWhitespace()
        scanner.position += 1  // ':'
        scanner.skipWhitespace()
        walk(&scanner, pointer: child)
        scanner.skipWhitespace()
        if scanner.position < scanner.bytes.count
          && scanner.bytes[scanner.position] == UInt8(ascii: ",")
        {
          scanner.position += 1
          scanner.skipWhitespace()
        }
      }
      scanner.position += 1  // '}'
    case UInt8(ascii: "["):
      scanner.position += 1
      scanner.skipWhitespace()
      var index = 0
      let entered = prefixIndices[pointer] ?? []
      while scanner.position < scanner.bytes.count
        && scanner.bytes[scanner.position] != UInt8(ascii: "]")
      {
        // An element whose pointer is no prefix is skipped, as `walk` would skip it.
        if entered.contains(index) {
          walk(&scanner, pointer: pointer + "/" + String(index))
        } else {
          skipValue(&scanner)
        }
        index += 1
        scanner.skipWhitespace()
        if scanner.position < scanner.bytes.count
          && scanner.bytes[scanner.position] == UInt8(ascii: ",")
        {
          scanner.position += 1
          scanner.skipWhitespace()
        }
      }
      scanner.position += 1  // ']'
    default:
      skipValue(&scanner)
    }
  }

  /// Skips one value without decoding it.
  private func skipValue(_ scanner: inout Scanner) {
    var depth = 0
    let bytes = scanner.bytes
    while scanner.position < bytes.count {
      let byte = bytes[scanner.position]
      switch byte {
      case UInt8(ascii: "\""):
        scanner.position += 1
        while scanner.position < bytes.count && bytes[scanner.position] != UInt8(ascii: "\"") {
          if bytes[scanner.position] == UInt8(ascii: "\\") { scanner.position += 1 }
          scanner.position += 1
        }
        scanner.position += 1
        if depth == 0 { return }
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        depth += 1
        scanner.position += 1
      case UInt8(ascii: "}"), UInt8(ascii: "]"):
        if depth == 0 { return }
        depth -= 1
        scanner.position += 1
        if depth == 0 { return }
      case UInt8(ascii: ","):
        if depth == 0 { return }
        scanner.position += 1
      default:
        scanner.position += 1
      }
    }
  }
}
