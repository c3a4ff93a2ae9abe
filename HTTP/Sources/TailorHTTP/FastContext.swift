import Tailor

/// Reads the usual OFREP body, `{"context":{…}}`, straight into a rules document's profile slots.
///
/// No `JSONValue` tree is built: the context's members are copied, minus
/// `targetingKey`, and its value is appended as the targeting-key attribute (the last of a
/// repeated key wins, so it overrides a member of that name, as ``OFREP/context(from:targetingKey:maxDepth:)``
/// does). Every byte the profile is read from is validated by the rules' profile reader.
///
/// Anything else (other top-level members, escapes in keys, a targeting key that is not a
/// string, a dotted targeting-key path, invalid JSON) returns `nil`, and the caller reads
/// the body in full, which also writes the error: the two readers answer the same.
enum FastContext {
  static func read(
    _ body: [UInt8],
    targetingKey: String,
    rules: Rules,
    maxDepth: Int
  ) -> (profile: PreparedProfile, hasTargetingKey: Bool)? {
    guard !targetingKey.utf8.contains(UInt8(ascii: ".")), maxDepth > 1 else { return nil }
    return body.withUnsafeBufferPointer { bytes -> (PreparedProfile, Bool)? in
      var scanner = Scanner(bytes: bytes)
      // {"context": {...}} and nothing else.
      guard scanner.consume(UInt8(ascii: "{")), let key = scanner.key(),
        key.elementsEqual("context".utf8), scanner.consume(UInt8(ascii: ":"))
      else { return nil }
      scanner.skipWhitespace()
      guard scanner.peek == UInt8(ascii: "{") else { return nil }
      // The context's members, as ranges of the body.
      var members: [Range<Int>] = []
      var targetingValue: Range<Int>?
      var attributePresent = false
      scanner.position += 1
      if !scanner.consume(UInt8(ascii: "}")) {
        while true {
          scanner.skipWhitespace()
          let memberStart = scanner.position
          guard let name = scanner.key(), scanner.consume(UInt8(ascii: ":")) else { return nil }
          scanner.skipWhitespace()
          let valueStart = scanner.position
          guard scanner.skipValue() else { return nil }
          let value = valueStart..<scanner.position
          if name.elementsEqual("targetingKey".utf8) {
            targetingValue = value
          } else {
            if name.elementsEqual(targetingKey.utf8) {
              attributePresent = !bytes[value].elementsEqual("null".utf8)
            }
            members.append(memberStart..<scanner.position)
          }
          if scanner.consume(UInt8(ascii: ",")) { continue }
          guard scanner.consume(UInt8(ascii: "}")) else { return nil }
          break
        }
      }
      guard scanner.consume(UInt8(ascii: "}")) else { return nil }
      scanner.skipWhitespace()
      guard scanner.position == bytes.count else { return nil }

      var text: [UInt8] = []
      text.reserveCapacity(bytes.count)
      text.append(UInt8(ascii: "{"))
      for member in members {
        if text.count > 1 { text.append(UInt8(ascii: ",")) }
        text.append(contentsOf: bytes[member])
      }
      var hasTargetingKey = attributePresent
      if let targetingValue {
        switch bytes[targetingValue.lowerBound] {
        case UInt8(ascii: "\""):
          if text.count > 1 { text.append(UInt8(ascii: ",")) }
          text.append(UInt8(ascii: "\""))
          text.append(contentsOf: targetingKey.utf8)
          text.append(contentsOf: "\":".utf8)
          text.append(contentsOf: bytes[targetingValue])
          hasTargetingKey = true
        case UInt8(ascii: "n") where bytes[targetingValue].elementsEqual("null".utf8):
          break
        default:
          return nil
        }
      }
      text.append(UInt8(ascii: "}"))
      guard let profile = try? rules.prepare(json: text, maxDepth: maxDepth - 1) else {
        return nil
      }
      return (profile, hasTargetingKey)
    }
  }

  /// Finds the extent of JSON values; the bytes are validated later by the profile reader.
  private struct Scanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
      while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
        position += 1
      }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
      skipWhitespace()
      guard peek == byte else { return false }
      position += 1
      return true
    }

    /// A key without escapes: its bytes, between the quotes.
    mutating func key() -> UnsafeBufferPointer<UInt8>.SubSequence? {
      guard consume(UInt8(ascii: "\"")) else { return nil }
      let start = position
      while let byte = peek, byte != UInt8(ascii: "\"") {
        if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
        position += 1
      }
      guard peek != nil else { return nil }
      position += 1
      return bytes[start..<(position - 1)]
    }

    /// Skips a string, or a container with its nested strings, or a scalar.
    mutating func skipValue() -> Bool {
      guard let first = peek else { return false }
      switch first {
      case UInt8(ascii: "\""):
        return skipString()
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        var depth = 0
        while let byte = peek {
          switch byte {
          case UInt8(ascii: "\""):
            guard skipString() else { return false }
            continue
          case UInt8(ascii: "{"), UInt8(ascii: "["):
            depth += 1
          case UInt8(ascii: "}"), UInt8(ascii: "]"):
            depth -= 1
            if depth == 0 {
              position += 1
              return true
            }
          default: break
          }
          position += 1
        }
        return false
      default:
        let start = position
        while let byte = peek, byte != UInt8(ascii: ","), byte != UInt8(ascii: "}"),
          byte != UInt8(ascii: "]"), byte != 0x20, byte != 0x0A, byte != 0x0D, byte != 0x09
        {
          position += 1
        }
        return position > start
      }
    }

    private mutating func skipString() -> Bool {
      position += 1
      while let byte = peek {
        position += 1
        if byte == UInt8(ascii: "\\") {
          position += 1
        } else if byte == UInt8(ascii: "\"") {
          return true
        }
      }
      return false
    }
  }
}
