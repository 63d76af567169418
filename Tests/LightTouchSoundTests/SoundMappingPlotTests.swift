import Foundation
import LightTouchCore
import Testing

@testable import LightTouchSound

/// docs/sound-mapping.svg is `SoundMappingPlot`'s drawing of the default
/// band. Regenerate it with `LIGHTTOUCH_WRITE_DOCS=1 swift test --filter SoundMappingPlotTests`.
@Suite struct SoundMappingPlotTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/sound-mapping.svg")

    @Test func theDocsDrawingIsTheCodesDrawing() throws {
        let drawn = SoundMappingPlot.svg()
        if ProcessInfo.processInfo.environment["LIGHTTOUCH_WRITE_DOCS"] != nil {
            try drawn.write(to: Self.file, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: Self.file, encoding: .utf8)
        #expect(committed == drawn, "docs/sound-mapping.svg is stale: LIGHTTOUCH_WRITE_DOCS=1 swift test --filter SoundMappingPlotTests")
    }

    /// The drawing's axis labels are the formula's pitches: 440 · 2^(3k/12), k = −4…4 (computed apart).
    @Test func itsPitchLabelsAreTheFormulas() {
        let drawn = SoundMappingPlot.svg()
        for label in ["220.0", "261.6", "311.1", "370.0", "440.0", "523.3", "622.3", "740.0", "880.0"] {
            #expect(drawn.contains(">\(label)</text>"), "\(label)")
        }
        #expect(drawn.hasPrefix("<svg ") && drawn.hasSuffix("</svg>\n"))
    }
}
