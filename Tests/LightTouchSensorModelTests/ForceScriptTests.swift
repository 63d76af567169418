import Testing

@testable import LightTouchSensorModel

@Suite struct ForceScriptTests {
    @Test func interpolatesLinearlyAndHoldsTheEnds() throws {
        let script = try ForceScript.parse("time_s,force_g\n1,0\n3,5\n4,5\n", source: "s.csv")
        #expect(script.force(channel: 0, at: 0) == 0)
        #expect(script.force(channel: 0, at: 2) == 2.5)
        #expect(script.force(channel: 0, at: 2.5) == 3.75)
        #expect(script.force(channel: 3, at: 3.5) == 5)
        #expect(script.force(channel: 0, at: 100) == 5)
        #expect(script.duration == 4)
    }

    @Test func oneColumnPerChannel() throws {
        let script = try ForceScript.parse("# comment\ntime_s,force_g_a,force_g_b\n0,1,2\n2,3,6\n", source: "s.csv")
        #expect(script.force(channel: 0, at: 1) == 2)
        #expect(script.force(channel: 1, at: 1) == 4)
    }

    @Test(arguments: [
        ("", "s.csv: the force script is empty; expected a header `time_s,force_g`"),
        ("time,force\n0,1\n", "s.csv:1: expected the header `time_s,force_g` (or more `force_g…` columns, one per channel), found `time,force`"),
        ("time_s,force_g\n0,1\n1,abc\n", "s.csv:3: `abc` in column force_g is not a number"),
        ("time_s,force_g\n0,1\n\n2\n", "s.csv:4: expected 2 values, found 1"),
        ("time_s,force_g\n1,1\n0.5,2\n", "s.csv:3: time_s must increase from row to row (0.5 follows 1.0)"),
        ("time_s,force_g\n0,-1\n", "s.csv:2: force -1 g is outside 0…2000 g"),
        ("time_s,force_g\n", "s.csv:1: the force script has a header but no rows"),
    ])
    func badScriptsNameTheFileLineAndProblem(text: String, message: String) {
        #expect(throws: ForceScript.ParseError.self) { try ForceScript.parse(text, source: "s.csv") }
        do {
            _ = try ForceScript.parse(text, source: "s.csv")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func aMissingFileSaysSo() {
        do {
            _ = try ForceScript.load(path: "/nonexistent/force.csv")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/force.csv: cannot read the force script"))
        }
    }
}
