/// A JSON value as Tailor reads it: numbers are `Double`, as in JavaScript, and
/// objects keep their keys in the order they were written.
///
/// Strings compare and hash by their UTF-8 bytes, not by Unicode canonical
/// equivalence, because GrowthBook's semantics compare UTF-16 code units.
public enum JSONValue: Sendable {
  /// `null`, and also what a missing attribute reads as.
  case null
  /// `true` or `false`.
  case bool(Bool)
  /// A number; JSON numbers are read as IEEE 754 doubles.
  case number(Double)
  /// A string.
  case string(String)
  /// An array.
  case array([JSONValue])
  /// An object with its keys in written order.
  case object(JSONObject)
}

/// A JSON object that keeps its keys in the order they were written.
///
/// A key appears once; when a source repeats a key, the last value wins at the
/// position of the first, as JavaScript's `JSON.parse` does.
public struct JSONObject: Sendable, Hashable {
  /// The keys, in written order.
  public private(set) var keys: [String]
  /// The values, parallel to ``keys``.
  public private(set) var values: [JSONValue]

  /// Creates an empty object.
  public init() {
    keys = []
    values = []
  }

  /// Creates an object from key-value pairs; a repeated key keeps its last value.
  public init(_ pairs: [(String, JSONValue)]) {
    self.init()
    for (key, value) in pairs { self[key] = value }
  }

  /// The number of keys.
  public var count: Int { keys.count }

  /// Whether the object has no keys.
  public var isEmpty: Bool { keys.isEmpty }

  /// The index of `key` in ``keys``, comparing UTF-8 bytes.
  public func index(of key: String) -> Int? {
    let count = key.utf8.count
    for index in keys.indices where keys[index].utf8.count == count {
      if JSONValue.sameBytes(keys[index], key) { return index }
    }
    return nil
  }

  /// The value for `key`, or `nil` when the object has no such key.
  public subscript(key: String) -> JSONValue? {
    get { index(of: key).map { values[$0] } }
    set {
      if let index = index(of: key) {
        if let newValue {
          values[index] = newValue
        } else {
          keys.remove(at: index)
          values.remove(at: index)
        }
      } else if let newValue {
        keys.append(key)
        values.append(newValue)
      }
    }
  }

  /// Makes room for `count` members, so a small object grows its storage once.
  mutating func _reserveCapacity(_ count: Int) {
    keys.reserveCapacity(count)
    values.reserveCapacity(count)
  }

  /// Appends a key known not to be present yet.
  mutating func _appendUnique(_ key: String, _ value: JSONValue) {
    keys.append(key)
    values.append(value)
  }

  /// Replaces the value at `index`.
  mutating func _replaceValue(at index: Int, with value: JSONValue) {
    values[index] = value
  }

  /// The key-value pairs in written order.
  public var pairs: Zip2Sequence<[String], [JSONValue]> { zip(keys, values) }

  /// Compares keys and values in order.
  public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
    guard lhs.keys.count == rhs.keys.count else { return false }
    for index in lhs.keys.indices {
      guard JSONValue.sameBytes(lhs.keys[index], rhs.keys[index]),
        lhs.values[index] == rhs.values[index]
      else { return false }
    }
    return true
  }

  /// Hashes keys and values in order.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(keys.count)
    for index in keys.indices {
      JSONValue.hashBytes(keys[index], into: &hasher)
      hasher.combine(values[index])
    }
  }
}

extension JSONValue: Hashable {
  /// Structural equality; strings compare by bytes and `0 == -0`.
  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): true
    case (.bool(let a), .bool(let b)): a == b
    case (.number(let a), .number(let b)): a == b
    case (.string(let a), .string(let b)): sameBytes(a, b)
    case (.array(let a), .array(let b)): a == b
    case (.object(let a), .object(let b)): a == b
    default: false
    }
  }

  /// Hashes consistently with ``==(_:_:)``.
  public func hash(into hasher: inout Hasher) {
    switch self {
    case .null: hasher.combine(0)
    case .bool(let value): hasher.combine(value)
    case .number(let value): hasher.combine(value)
    case .string(let value): JSONValue.hashBytes(value, into: &hasher)
    case .array(let value): hasher.combine(value)
    case .object(let value): hasher.combine(value)
    }
  }

  @inline(__always)
  static func sameBytes(_ a: String, _ b: String) -> Bool {
    let count = a.utf8.count
    guard count == b.utf8.count else { return false }
    if count == 0 { return true }
    // Native strings are contiguous: compare their buffers with one `memcmp`, not two
    // views (or two buffers) byte by byte.
    let contiguous = a.utf8.withContiguousStorageIfAvailable { x in
      b.utf8.withContiguousStorageIfAvailable { y in
        guard let first = x.baseAddress, let second = y.baseAddress else {
          return x.count == y.count
        }
        return System.bytesEqual(first, second, count: count)
      }
    }
    if let contiguous, let same = contiguous { return same }
    return a.utf8.elementsEqual(b.utf8)
  }

  static func hashBytes(_ value: String, into hasher: inout Hasher) {
    // The bytes at once (one call into the hasher, not one per byte); the length first,
    // so that concatenations of different splits hash apart.
    var copy = value
    copy.withUTF8 { bytes in
      hasher.combine(bytes.count)
      hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
    }
  }
}

extension JSONValue {
  /// The string, when this is a string.
  public var stringValue: String? {
    if case .string(let value) = self { value } else { nil }
  }

  /// The number, when this is a number.
  public var numberValue: Double? {
    if case .number(let value) = self { value } else { nil }
  }

  /// The Boolean, when this is a Boolean.
  public var boolValue: Bool? {
    if case .bool(let value) = self { value } else { nil }
  }

  /// The elements, when this is an array.
  public var arrayValue: [JSONValue]? {
    if case .array(let value) = self { value } else { nil }
  }

  /// The object, when this is an object.
  public var objectValue: JSONObject? {
    if case .object(let value) = self { value } else { nil }
  }

  /// Whether this is `null`.
  public var isNull: Bool {
    if case .null = self { true } else { false }
  }

  /// The kind of value, as users name it in messages: `a string`, `an object`.
  @_spi(Server) public var kindDescription: String {
    switch self {
    case .null: "null"
    case .bool: "a boolean"
    case .number: "a number"
    case .string: "a string"
    case .array: "an array"
    case .object: "an object"
    }
  }
}

/// A key in a string-keyed set or dictionary that compares by UTF-8 bytes.
///
/// Swift's `String` compares by canonical equivalence; JavaScript compares code
/// units. Sets of group members and switch tables use this key so that `"é"`
/// written precomposed and decomposed stay distinct, as in GrowthBook.
package struct ByteString: Hashable, Sendable {
  /// The string.
  package let value: String

  /// Wraps `value`.
  package init(_ value: String) { self.value = value }

  /// Compares bytes.
  package static func == (lhs: ByteString, rhs: ByteString) -> Bool {
    JSONValue.sameBytes(lhs.value, rhs.value)
  }

  /// Hashes bytes.
  package func hash(into hasher: inout Hasher) { JSONValue.hashBytes(value, into: &hasher) }
}
