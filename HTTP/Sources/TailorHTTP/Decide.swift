@_spi(Server) import Tailor
import TailorServer

/// `POST /v1/decide`: the JSON-lines protocol of `tailor serve` (DESIGN §5) over HTTP.
///
/// Each request is answered by the same ``RequestHandler`` as on the pipe, so the
/// answers are byte for byte those of `tailor serve`. `op: "load"` and `op: "stats"`
/// change or read a server's state: over HTTP they are `POST /admin/reload` and
/// `GET /metrics`, and here they answer `bad_request`.
enum Decide {
  /// Answers one request object (the whole body); the answer without its newline, and whether it failed.
  static func answerOne(_ body: [UInt8], handler: RequestHandler) -> (answer: [UInt8], failed: Bool)
  {
    var start = 0
    var end = body.count
    while start < end, isWhitespace(body[start]) { start += 1 }
    while end > start, isWhitespace(body[end - 1]) { end -= 1 }
    var output: [UInt8] = []
    guard start < end else {
      output.append(
        contentsOf:
          #"{"id":null,"error":{"code":"bad_request","message":"the body is empty","line":1}}"#.utf8
      )
      return (output, true)
    }
    let failed = body.withUnsafeBufferPointer { buffer in
      answer(UnsafeBufferPointer(rebasing: buffer[start..<end]), lineNumber: 1, handler, &output)
    }
    if output.last == UInt8(ascii: "\n") { output.removeLast() }
    return (output, failed)
  }

  /// Answers one request per non-blank line, in order: one answer line each.
  static func answerLines(_ body: [UInt8], handler: RequestHandler) -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(body.count)
    let scratch = RequestScratch()
    body.withUnsafeBufferPointer { buffer in
      var lineNumber = 0
      var start = 0
      while start < buffer.count {
        var end = start
        while end < buffer.count, buffer[end] != UInt8(ascii: "\n") { end += 1 }
        lineNumber += 1
        var last = end
        if last > start, buffer[last - 1] == UInt8(ascii: "\r") { last -= 1 }
        let line = UnsafeBufferPointer(rebasing: buffer[start..<last])
        if line.contains(where: { !isWhitespace($0) }) {
          _ = answer(line, lineNumber: lineNumber, handler, &output, scratch: scratch)
        }
        start = end + 1
      }
    }
    return output
  }

  /// Whether the answer is an error.
  private static func answer(
    _ line: UnsafeBufferPointer<UInt8>,
    lineNumber: Int,
    _ handler: RequestHandler,
    _ output: inout [UInt8],
    scratch: RequestScratch = RequestScratch()
  ) -> Bool {
    switch handler.respond(to: line, lineNumber: lineNumber, into: &output, scratch: scratch) {
    case .answered:
      return false
    case .failed:
      return true
    case .control(let control, let id):
      let message =
        switch control {
        case .load:
          "`\"op\": \"load\"` is not served over HTTP: the operator reloads with SIGHUP or POST /admin/reload"
        case .stats: "`\"op\": \"stats\"` is not served over HTTP: read GET /metrics"
        }
      output.append(contentsOf: #"{"id":"#.utf8)
      if let id {
        output.append(contentsOf: UnsafeBufferPointer(rebasing: line[id]))
      } else {
        output.append(contentsOf: "null".utf8)
      }
      output.append(contentsOf: #","error":{"code":"bad_request","message":"#.utf8)
      JSONValue.writeString(message, into: &output)
      output.append(contentsOf: #","line":"#.utf8)
      JSONValue.writeNumber(Double(lineNumber), into: &output)
      output.append(contentsOf: "}}\n".utf8)
      return true
    }
  }

  private static func isWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
  }
}
