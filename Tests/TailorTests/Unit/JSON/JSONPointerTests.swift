import Testing

@testable import Tailor

@Suite("JSON pointers")
struct JSONPointerTests {
  /// The same steps, built three ways: by extending, from a token list, and by parsing.
  static let built = JSONPointer.root.appending(key: "decisions").appending(key: "a/b~c")
    .appending(key: "rules").appending(index: 3)
  static let listed = JSONPointer(tokens: [
    .key("decisions"), .key("a/b~c"), .key("rules"), .index(3),
  ])
  static let parsed = JSONPointer(parsing: "/decisions/a~1b~0c/rules/3")

  @Test("pointers with the same steps are equal and hash alike, however they were built")
  func sameSteps() {
    #expect(Self.built == Self.listed)
    #expect(Self.built == Self.parsed)
    #expect(Self.built.hashValue == Self.listed.hashValue)
    #expect(Set([Self.built, Self.listed, Self.parsed ?? .root]).count == 1)
    #expect(Self.built.tokens == [.key("decisions"), .key("a/b~c"), .key("rules"), .index(3)])
    #expect(Self.built.count == 4)
    #expect(Self.built.description == "/decisions/a~1b~0c/rules/3")
  }

  @Test("pointers that differ in one step, or in length, are not equal")
  func differentSteps() {
    let other = JSONPointer.root.appending(key: "decisions").appending(key: "a/b~c")
      .appending(key: "rules").appending(index: 4)
    #expect(Self.built != other)
    #expect(Self.built != Self.built.parent)
    #expect(Self.built.appending(key: "x") != Self.built.appending(index: 0))
    // An index and a key with the same text are different steps.
    #expect(JSONPointer.root.appending(index: 3) != JSONPointer.root.appending(key: "3"))
    #expect(JSONPointer.root != JSONPointer.root.appending(key: ""))
  }

  @Test("extending a pointer leaves it and its other extensions unchanged")
  func sharedSteps() {
    let rules = JSONPointer.root.appending(key: "rules")
    let first = rules.appending(index: 0)
    let second = rules.appending(index: 1)
    #expect(rules.description == "/rules")
    #expect(first.description == "/rules/0")
    #expect(second.description == "/rules/1")
    #expect(first.parent == rules)
    #expect(second.parent == rules)
    #expect(rules.parent == .root)
    #expect(JSONPointer.root.parent == nil)
    #expect(JSONPointer.root.tokens.isEmpty)
    #expect(JSONPointer.root.description == "")
  }

  @Test("pointers order by their rendered text")
  func order() {
    let a = JSONPointer(parsing: "/decisions/a/rules/10")!
    let b = JSONPointer(parsing: "/decisions/a/rules/2")!
    #expect(a < b)
    #expect(!(b < a))
    #expect([b, a].sorted() == [a, b])
  }
}
