import Dispatch
import LightTouchCore

/// Writes a live session's samples on its own queue, through a bounded
/// buffer: a slow disk costs export completeness (counted, reported), never
/// acquisition.
final class ExportQueue: Sendable {
    private let exporter: SampleExporter
    private let buffer = BoundedBuffer<[ProcessedSample]>(capacity: 4096)
    private let queue = DispatchQueue(label: "lighttouch.export")
    private let path: String

    init(path: String, hands: Bool = false) throws {
        exporter = try SampleExporter(path: path, hands: hands)
        self.path = path
    }

    func write(_ batch: [ProcessedSample]) {
        if buffer.push(batch).wasEmpty {
            queue.async { [self] in
                for batch in buffer.drain() { for sample in batch { exporter.write(sample) } }
            }
        }
    }

    func close(metadata: [(String, JSONValue)]) throws {
        try queue.sync {
            for batch in buffer.drain() { for sample in batch { exporter.write(sample) } }
            try exporter.close(metadata: metadata)
        }
        if buffer.dropped > 0 {
            throw UserError("\(path): the disk could not keep up; \(buffer.dropped) batches of samples are missing from the export")
        }
    }
}

