/// An RFC 6901 JSON pointer: the path from a document's root to one value.
///
/// The empty pointer is the root. Tokens are escaped when the pointer is
/// rendered: `~` as `~0` and `/` as `~1`.
///
/// ```swift
/// let pointer = JSONPointer.root.appending(key: "decisions").appending(key: "a/b")
/// print(pointer)  // /decisions/a~1b
/// ```
public struct JSONPointer: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
  /// One step of a pointer: an object key or an array index.
  public enum Token: Hashable, Sendable {
    /// An object key.
    case key(String)
    /// An array index.
    case index(Int)

    /// The unescaped reference token.
    public var text: String {
      switch self {
      case .key(let key): key
      case .index(let index): String(index)
      }
    }
  }

  /// One step and the pointer it extends: extending a pointer allocates one node and
  /// shares the steps before it, so a parser can name every value it reads cheaply.
  private final class Node: Sendable {
    let parent: Node?
    let token: Token
    let depth: Int

    init(parent: Node?, token: Token) {
      self.parent = parent
      self.token = token
      depth = (parent?.depth ?? 0) + 1
    }
  }

  /// The last step, or `nil` for the root.
  private var last: Node?

  private init(last: Node?) { self.last = last }

  /// The steps from the root.
  public var tokens: [Token] {
    var tokens: [Token] = []
    tokens.reserveCapacity(last?.depth ?? 0)
    var node = last
    while let current = node {
      tokens.append(current.token)
      node = current.parent
    }
    tokens.reverse()
    return tokens
  }

  /// The number of steps from the root.
  public var count: Int { last?.depth ?? 0 }

  /// The document root.
  public static let root = JSONPointer(last: nil)

  /// Creates a pointer from its steps.
  public init(tokens: [Token]) {
    var last: Node?
    for token in tokens { last = Node(parent: last, token: token) }
    self.last = last
  }

  /// Parses an RFC 6901 pointer such as `/decisions/a~1b/rules/0`.
  ///
  /// Numeric tokens become indices; the reader resolves them against objects too.
  public init?(parsing text: String) {
    if text.isEmpty {
      self = .root
      return
    }
    // Scalars, not characters: a key may begin with a combining mark, which
    // would otherwise join the `/` before it into one character.
    let scalars = text.unicodeScalars
    guard scalars.first == "/" else { return nil }
    var tokens: [Token] = []
    for raw in scalars.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
      let unescaped = String(raw).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(
        of: "~0",
        with: "~"
      )
      if let index = Int(unescaped), index >= 0, String(index) == unescaped {
        tokens.append(.index(index))
      } else {
        tokens.append(.key(unescaped))
      }
    }
    self.init(tokens: tokens)
  }

  /// This pointer extended by an object key.
  public func appending(key: String) -> JSONPointer {
    JSONPointer(last: Node(parent: last, token: .key(key)))
  }

  /// This pointer extended by an array index.
  public func appending(index: Int) -> JSONPointer {
    JSONPointer(last: Node(parent: last, token: .index(index)))
  }

  /// The pointer to the enclosing value, or `nil` at the root.
  public var parent: JSONPointer? {
    guard let last else { return nil }
    return JSONPointer(last: last.parent)
  }

  /// Whether two pointers have the same steps.
  public static func == (lhs: JSONPointer, rhs: JSONPointer) -> Bool {
    var left = lhs.last
    var right = rhs.last
    guard left?.depth == right?.depth else { return false }
    while let l = left, let r = right {
      if l === r { return true }
      if l.token != r.token { return false }
      left = l.parent
      right = r.parent
    }
    return true
  }

  /// Hashes the steps, from the last to the first.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(count)
    var node = last
    while let current = node {
      hasher.combine(current.token)
      node = current.parent
    }
  }

  /// The rendered pointer, for example `/decisions/homepage-hero/rules/1`.
  public var description: String {
    var result = ""
    for token in tokens {
      result += "/"
      result += JSONPointer.escape(token.text)
    }
    return result
  }

  /// Escapes one reference token.
  static func escape(_ token: String) -> String {
    guard token.unicodeScalars.contains(where: { $0 == "~" || $0 == "/" }) else { return token }
    return token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
  }

  /// Orders pointers by their rendered text.
  public static func < (lhs: JSONPointer, rhs: JSONPointer) -> Bool {
    lhs.description < rhs.description
  }

  /// Decodes a rendered pointer.
  public init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let pointer = JSONPointer(parsing: text) else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: decoder.codingPath, debugDescription: "not a JSON pointer: \(text)")
      )
    }
    self = pointer
  }

  /// Encodes the rendered pointer.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}

extension StringProtocol {
  /// Replaces every occurrence of a two-character escape or a single character.
  fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
    let pattern = Array(target.unicodeScalars)
    let scalars = Array(unicodeScalars)
    var result = String.UnicodeScalarView()
    var index = 0
    while index < scalars.count {
      if index + pattern.count <= scalars.count,
        Array(scalars[index..<index + pattern.count]) == pattern
      {
        result.append(contentsOf: replacement.unicodeScalars)
        index += pattern.count
      } else {
        result.append(scalars[index])
        index += 1
      }
    }
    return String(result)
  }
}
