import FuzzSupport
import Tailor

// Arbitrary bytes as a rules document (`Rules(json:file:)`).
//
// Invariants (any violation traps):
// - loading either succeeds or throws a `TailorError` holding at least one
//   error, never crashes;
// - every diagnostic (errors and warnings) names the file, has a pointer that
//   round-trips through its text form, and has a line and column whenever it
//   has an offset; the offset lies inside the input;
// - when the bytes are valid JSON, every diagnostic has an offset, and its
//   pointer names a value that exists in the document (except a duplicate
//   key inside a value that a later duplicate replaced: the reader locates it);
// - diagnostics are sorted by offset;
// - a loaded document answers every decision for a few profiles with the same
//   result from the compiled evaluator and from the reference interpreter.

let profiles: [(Profile, [UInt8])] = [
  #"{}"#,
  #"{"id": "u-1", "userId": "u-1", "country": "ES", "age": 30, "tier": "gold", "tags": ["a", "vip"], "geo": {"country": "ES", "city": "Madrid"}, "app": {"version": "2.3.1"}, "device": "web", "signupDate": "2025-06-01T10:00:00Z"}"#,
  #"{"id": 7, "userId": "u-2", "country": "US", "age": "17", "tier": null, "tags": [], "app": {"version": 3}, "device": ["web", "ios"], "score": 1.5, "on": true}"#,
  #"{"id": "", "userId": true, "country": ["ES"], "age": -0, "tags": [{"a": 1}, null, 2], "name": "anz", "flag": false}"#,
].map { text in
  do {
    let bytes = Array(text.utf8)
    return (try Profile(json: bytes), bytes)
  } catch {
    fatalError("a fixed profile does not parse: \(error)")
  }
}

/// The value at `pointer` in `root`, if there is one.
func resolve(_ pointer: JSONPointer, in root: JSONValue) -> JSONValue? {
  var current = root
  for token in pointer.tokens {
    switch (current, token) {
    case (.object(let object), .key(let key)):
      guard let next = object[key] else { return nil }
      current = next
    case (.object(let object), .index(let index)):
      guard let next = object[String(index)] else { return nil }
      current = next
    case (.array(let elements), .index(let index)):
      guard index >= 0 && index < elements.count else { return nil }
      current = elements[index]
    case (.array(let elements), .key(let key)):
      guard let index = Int(key), index >= 0 && index < elements.count else { return nil }
      current = elements[index]
    default:
      return nil
    }
  }
  return current
}

func check(_ diagnostics: [Diagnostic], _ input: [UInt8], json: JSONValue?) {
  var previous = -1
  for diagnostic in diagnostics {
    let location = diagnostic.location
    require(location.file == "fuzz.json", "a diagnostic without its file: \(diagnostic)")
    require(
      JSONPointer(parsing: location.pointer.description)?.description == location.pointer.description,
      "a pointer that does not round-trip: \(location.pointer)"
    )
    if let offset = location.offset {
      require(offset >= 0 && offset <= input.count, "offset outside the input: \(diagnostic)")
      require(location.line.map { $0 >= 1 } == true, "an offset without a line: \(diagnostic)")
      require(location.column.map { $0 >= 1 } == true, "an offset without a column: \(diagnostic)")
      require(offset >= previous, "diagnostics out of order: \(diagnostics)")
      previous = offset
    } else {
      previous = Int.max
    }
    if let json {
      require(location.offset != nil, "a diagnostic on valid JSON without an offset: \(diagnostic)")
      require(
        diagnostic.code == .duplicateKey || resolve(location.pointer, in: json) != nil,
        "a pointer that names nothing: \(diagnostic)"
      )
    }
  }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let input = bytes(data, size)
  let json = try? JSONReader(maxDepth: 256).read(input).value
  do {
    let rules = try Rules(json: input, file: "fuzz.json")
    require(json != nil, "a document loaded from invalid JSON")
    require(rules.warnings.allSatisfy { $0.severity != .error }, "a loaded document with errors")
    check(rules.warnings, input, json: json)
    for (profile, bytes) in profiles { requireAgreement(rules, profile, profileBytes: bytes) }
  } catch {
    require(!error.errors.isEmpty, "loading failed without an error: \(error.diagnostics)")
    check(error.diagnostics, input, json: json)
  }
  return 0
}

@main enum Main {
  static func main() { runFuzzer { data, size in fuzz(data ?? UnsafePointer(bitPattern: 1)!, size) } }
}
