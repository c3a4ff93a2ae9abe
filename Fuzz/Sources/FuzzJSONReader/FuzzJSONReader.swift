import FuzzSupport
import Tailor

// The JSON reader on arbitrary bytes, in both duplicate-key modes and at small
// depth limits, and the profile fast path (`Rules.prepare(json:)`) against
// `Profile(json:)` on a fixed rules document.
//
// Invariants (any violation traps):
// - both duplicate-key modes accept the same texts, with the same value or the
//   same error (code, offset, pointer); only `.report` lists duplicates, each
//   a `duplicate_key` at a key inside the input;
// - with a depth limit, a text is accepted exactly when its nesting (as
//   written, duplicates included) fits, and a
//   non-depth error is the same error as without the limit;
// - an accepted value writes as JSON text that reads back as the same value;
// - the fast path accepts exactly what the reader accepts (same error code),
//   and its decisions equal those of the reference interpreter and the
//   compiled evaluator on the parsed profile.

let rules: Rules = {
  do {
    return try Rules(
      json: """
        {"tailor": 1,
         "groups": {"beta": ["u-1", "u-2", 7]},
         "segments": {"eu": {"country": {"$in": ["ES", "PT", "FR"]}}, "adult": {"age": {"$gte": 18}}},
         "decisions": {
           "hero": {"variants": {"a": 1, "b": 2, "c": 3, "d": 4}, "default": "a", "rules": [
             {"id": "eu-adult", "when": {"$segment": ["eu", "adult"]}, "serve": "b"},
             {"id": "geo", "when": {"geo.country": "ES", "tags": {"$elemMatch": {"$eq": "vip"}}}, "serve": "c"},
             {"id": "ver", "when": {"app.version": {"$vgte": "2.1.0"}, "name": {"$regex": "^a.*z$"}}, "serve": "d"},
             {"id": "roll", "rollout": {"by": "userId", "percent": 50}, "serve": "b"}]},
           "all": {"mode": "all", "limit": 3, "variants": {"x": 1, "y": 2, "z": 3}, "rules": [
             {"id": "g", "when": {"userId": {"$inGroup": "beta"}}, "serve": "x"},
             {"id": "n", "when": {"score": {"$gt": 1.5, "$lt": 100}, "flag": true}, "serve": "y"},
             {"id": "s", "when": {"$or": [{"tags": "a"}, {"tags.0": {"$exists": true}}, {"tags.length": 2}]},
              "split": {"by": "userId", "weights": {"x": 0.5, "z": 0.5}}},
             {"id": "t", "when": {"$not": {"country": {"$nin": ["US"]}}}, "serve": "z"}]},
           "gated": {"variants": {"on": true, "off": false}, "default": "off",
             "requires": {"$decision": {"hero": "b"}},
             "rules": [{"id": "r", "when": {"age": {"$type": "number"}, "signup": {"$after": "2020-01-01T00:00:00Z"}}, "serve": "on"}]}}}
        """
    )
  } catch {
    fatalError("the fixed rules document does not load: \(error)")
  }
}()

/// How deeply a valid JSON text nests. The text, not the value read: a
/// repeated key can replace a deeply nested value with a shallow one, and the
/// reader's limit applies to what it reads.
func depth(_ text: [UInt8]) -> Int {
  var depth = 0
  var deepest = 0
  var inString = false
  var escaped = false
  for byte in text {
    if inString {
      if escaped {
        escaped = false
      } else if byte == UInt8(ascii: "\\") {
        escaped = true
      } else if byte == UInt8(ascii: "\"") {
        inString = false
      }
      continue
    }
    switch byte {
    case UInt8(ascii: "\""): inString = true
    case UInt8(ascii: "["), UInt8(ascii: "{"):
      depth += 1
      deepest = max(deepest, depth)
    case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
    default: break
    }
  }
  return deepest
}

func read(_ bytes: [UInt8], _ reader: JSONReader) -> Result<(value: JSONValue, duplicates: [Diagnostic]), JSONReader.SyntaxError> {
  do { return .success(try reader.read(bytes)) } catch { return .failure(error) }
}

func same(_ a: JSONReader.SyntaxError, _ b: JSONReader.SyntaxError) -> Bool {
  a.code == b.code && a.offset == b.offset && a.pointer == b.pointer
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let input = bytes(data, size)
  let lastWins = read(input, JSONReader(maxDepth: 512, duplicateKeys: .lastWins))
  let report = read(input, JSONReader(maxDepth: 512, duplicateKeys: .report))
  switch (lastWins, report) {
  case (.success(let a), .success(let b)):
    require(a.value == b.value, "duplicate-key modes read different values")
    require(a.duplicates.isEmpty, "lastWins reported duplicates")
    for duplicate in b.duplicates {
      require(duplicate.code == .duplicateKey, "unexpected code \(duplicate.code)")
      require(!duplicate.location.pointer.tokens.isEmpty, "a duplicate key at the root pointer")
      require(
        duplicate.location.offset.map { $0 >= 0 && $0 < input.count && input[$0] == UInt8(ascii: "\"") } == true,
        "a duplicate key without the offset of its opening quote: \(duplicate)"
      )
    }
    let value = a.value
    let text = Array(value.jsonText.utf8)
    let reread = read(text, JSONReader(maxDepth: 512))
    guard case .success(let again) = reread else {
      fatalError("written JSON does not read back: \(value.jsonText)")
    }
    require(again.value == value, "written JSON reads back differently: \(value.jsonText)")
    // Small depth limits: accepted exactly when the nesting fits.
    let nesting = depth(input)
    for limit in 0...4 {
      switch read(input, JSONReader(maxDepth: limit)) {
      case .success(let limited):
        require(nesting <= limit, "depth \(nesting) accepted with limit \(limit)")
        require(limited.value == value, "a depth limit changed the value")
      case .failure(let error):
        require(nesting > limit && error.code == .tooDeep, "limit \(limit) rejected depth \(nesting): \(error)")
      }
    }
  case (.failure(let a), .failure(let b)):
    require(same(a, b), "duplicate-key modes fail differently: \(a) vs \(b)")
    require(a.offset >= 0 && a.offset <= input.count, "error offset outside the input: \(a)")
    for limit in 0...4 {
      if case .failure(let error) = read(input, JSONReader(maxDepth: limit)), error.code != .tooDeep {
        require(same(error, a), "limit \(limit) changed the error: \(error) vs \(a)")
      }
    }
  default:
    fatalError("duplicate-key modes disagree on acceptance")
  }

  // The profile fast path against the reader.
  let fast: Result<PreparedProfile, JSONReader.SyntaxError>
  do { fast = .success(try rules.prepare(json: input)) } catch { fast = .failure(error) }
  switch (lastWins, fast) {
  case (.success(let read), .success):
    requireAgreement(rules, Profile(read.value), profileBytes: input)
  case (.failure(let expected), .failure(let error)):
    require(error.code == expected.code, "fast path error \(error) but reader error \(expected)")
  case (.success, .failure(let error)):
    fatalError("the fast path rejects what the reader accepts: \(error)")
  case (.failure(let error), .success):
    fatalError("the fast path accepts what the reader rejects: \(error)")
  }
  return 0
}

@main enum Main {
  static func main() { runFuzzer { data, size in fuzz(data ?? UnsafePointer(bitPattern: 1)!, size) } }
}
