import TailorTestSupport
import Testing

@testable import Tailor

/// JSON text written without recursion: compact, in written key order for
/// ``JSONValue/jsonText`` and in JavaScript's property order for `JSON.stringify`.
@Suite struct JSONWriterTests {
  /// The obvious recursive writer, to hold the iterative one to.
  static func reference(_ value: JSONValue, javaScriptOrder: Bool) -> String {
    switch value {
    case .null, .bool, .number, .string:
      var output = ""
      JSONWriter.write(value, into: &output, javaScriptOrder: javaScriptOrder)
      return output
    case .array(let elements):
      return "["
        + elements.map { reference($0, javaScriptOrder: javaScriptOrder) }.joined(separator: ",")
        + "]"
    case .object(let object):
      let order =
        javaScriptOrder ? JavaScript.propertyOrder(object.keys) : Array(object.keys.indices)
      let members = order.map { index in
        var key = ""
        JavaScript.quote(object.keys[index], into: &key)
        return key + ":" + reference(object.values[index], javaScriptOrder: javaScriptOrder)
      }
      return "{" + members.joined(separator: ",") + "}"
    }
  }

  @Test func writesLikeTheRecursiveWriter() throws {
    var random = SeededGenerator(seed: 11)
    var written = 0
    for _ in 0..<300 {
      let text = JSONReaderTests.randomJSON(&random).split(
        separator: "\"k1\"",
        omittingEmptySubsequences: false
      )
      .joined(separator: "\"10\"")  // integer keys go first in JavaScript
      guard let value = try? JSONReader.parse(text) else { continue }
      written += 1
      #expect(value.jsonText == JSONWriterTests.reference(value, javaScriptOrder: false))
      #expect(
        JavaScript.stringify(value) == JSONWriterTests.reference(value, javaScriptOrder: true)
      )
      #expect(try JSONReader.parse(value.jsonText) == value)
    }
    #expect(written > 100)
  }

  @Test func orders() throws {
    let value = try JSONReader.parse(
      #"{"b": [1, {"2": true, "a": null, "1": "x"}], "a": {}, "10": []}"#
    )
    #expect(value.jsonText == #"{"b":[1,{"2":true,"a":null,"1":"x"}],"a":{},"10":[]}"#)
    #expect(JavaScript.stringify(value) == #"{"10":[],"b":[1,{"1":"x","2":true,"a":null}],"a":{}}"#)
    #expect(JSONValue.array([]).jsonText == "[]")
    #expect(JSONValue.string("é\n").jsonText == #""é\n""#)
  }
}
