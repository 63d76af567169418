import Testing

@testable import LightTouchTerminal

/// Which screen a terminal gets: the real terminfo database and locales of
/// this machine, and the decision from them. Serialized: ncurses' terminfo
/// lookup is not thread-safe.
@Suite(.serialized) struct TerminalCapabilitiesTests {
    static func terminal(
        term: String? = "xterm-256color", terminfo: TerminfoEntry? = .found(cursorAddressing: true, clearScreen: true),
        codeset: String = "UTF-8", noColour: Bool = false, isTerminal: Bool = true
    ) -> TerminalCapabilities {
        TerminalCapabilities(isTerminal: isTerminal, term: term, terminfo: terminfo, codeset: codeset, noColour: noColour)
    }

    // MARK: The decision

    @Test func aUTF8TerminalGetsTheUnicodeScreenInColour() {
        #expect(Self.terminal().choice(plain: false, ascii: false) == .fullScreen(ScreenStyle(glyphs: .unicode, colour: true)))
    }

    @Test func anotherCodesetOrTheFlagGetsASCII() {
        #expect(Self.terminal(codeset: "ANSI_X3.4-1968").choice(plain: false, ascii: false).style?.glyphs == .ascii)
        #expect(Self.terminal(codeset: "ISO-8859-1").choice(plain: false, ascii: false).style?.glyphs == .ascii)
        #expect(Self.terminal().choice(plain: false, ascii: true).style?.glyphs == .ascii)
        #expect(Self.terminal(codeset: "utf8").choice(plain: false, ascii: false).style?.glyphs == .unicode)
    }

    @Test func noColorTurnsColourOff() {
        #expect(Self.terminal(noColour: true).choice(plain: false, ascii: false) == .fullScreen(ScreenStyle(glyphs: .unicode, colour: false)))
    }

    @Test func linesAskedForOrAPipeNeedNoReason() {
        #expect(Self.terminal().choice(plain: true, ascii: false) == .lines(reason: nil))
        #expect(Self.terminal(isTerminal: false).choice(plain: false, ascii: false) == .lines(reason: nil))
        // Not a terminal: TERM does not matter, and nothing is said.
        #expect(Self.terminal(term: "dumb", terminfo: .found(cursorAddressing: false, clearScreen: false), isTerminal: false)
            .choice(plain: false, ascii: false) == .lines(reason: nil))
    }

    @Test(arguments: [
        (String?.none, TerminfoEntry?.none, "TERM is not set"),
        ("", nil, "TERM is not set"),
        ("dumb", .found(cursorAddressing: false, clearScreen: false), "TERM=dumb cannot move the cursor"),
        ("lt-nothing", .notFound, "TERM=lt-nothing is not in the terminfo database"),
        ("tty33", .hardcopy, "TERM=tty33 is a hardcopy terminal"),
        ("odd", .found(cursorAddressing: true, clearScreen: false), "TERM=odd cannot clear the screen"),
        ("xterm", .noDatabase, "no terminfo database was found (TERM=xterm)"),
    ])
    func aTerminalThatCannotDrawGetsLinesAndOneLineSayingWhy(term: String?, terminfo: TerminfoEntry?, why: String) throws {
        let choice = Self.terminal(term: term, terminfo: terminfo).choice(plain: false, ascii: false)
        let reason = try #require(choice.reason, "\(choice)")
        #expect(choice.style == nil)
        #expect(reason.hasPrefix(why), "\(reason)")
        #expect(reason.contains("status lines instead of the full screen"))
        #expect(reason.contains("For the full screen, "), "how to get it")
        #expect(reason.hasSuffix("; --plain skips this note"))
        #expect(!reason.contains("\n"))
    }

    // MARK: This machine's terminfo and locales

    @Test func terminfoKnowsWhatCanAddressTheCursor() {
        #expect(TerminfoEntry.lookUp("dumb") == .found(cursorAddressing: false, clearScreen: false))
        #expect(TerminfoEntry.lookUp("screen") == .found(cursorAddressing: true, clearScreen: true))
        #expect(TerminfoEntry.lookUp("xterm-256color") == .found(cursorAddressing: true, clearScreen: true))
        #expect(TerminfoEntry.lookUp("lt-no-such-terminal") == .notFound)
        // The probe leaves ncurses as it was: the same answers again.
        #expect(TerminfoEntry.lookUp("dumb") == .found(cursorAddressing: false, clearScreen: false))
    }

    @Test func theLocaleForCharactersFollowsSetlocalesPrecedence() {
        #expect(TerminalCapabilities.characterTypeLocale([:]) == "C")
        #expect(TerminalCapabilities.characterTypeLocale(["LANG": "C.UTF-8"]) == "C.UTF-8")
        #expect(TerminalCapabilities.characterTypeLocale(["LANG": "C.UTF-8", "LC_CTYPE": "POSIX"]) == "POSIX")
        #expect(TerminalCapabilities.characterTypeLocale(["LANG": "C", "LC_CTYPE": "POSIX", "LC_ALL": "C.UTF-8"]) == "C.UTF-8")
        #expect(TerminalCapabilities.characterTypeLocale(["LANG": "C.UTF-8", "LC_ALL": ""]) == "C.UTF-8", "empty is unset")
    }

    @Test func codesetsAsNcursesSeesThem() {
        #expect(TerminalCapabilities.codeset(ofLocale: "C.UTF-8") == "UTF-8")
        #expect(TerminalCapabilities.codeset(ofLocale: "C") == "ANSI_X3.4-1968")
        #expect(TerminalCapabilities.codeset(ofLocale: "POSIX") == "ANSI_X3.4-1968")
        // A locale that is not installed: setlocale would fail and leave C.
        #expect(TerminalCapabilities.codeset(ofLocale: "xx_LT.UTF-8") == "ANSI_X3.4-1968")
    }

    @Test func detectReadsTheEnvironmentGiven() {
        let dumb = TerminalCapabilities.detect(environment: ["TERM": "dumb", "LANG": "C.UTF-8", "NO_COLOR": "1"])
        #expect(dumb.term == "dumb")
        #expect(dumb.terminfo == .found(cursorAddressing: false, clearScreen: false))
        #expect(dumb.isUTF8 && dumb.noColour)
        let plainC = TerminalCapabilities.detect(environment: ["TERM": "screen", "LC_ALL": "C", "LANG": "C.UTF-8", "NO_COLOR": ""])
        #expect(plainC.terminfo == .found(cursorAddressing: true, clearScreen: true))
        #expect(!plainC.isUTF8, "LC_ALL=C wins over LANG")
        #expect(!plainC.noColour, "an empty NO_COLOR is unset (no-color.org)")
        let unset = TerminalCapabilities.detect(environment: [:])
        #expect(unset.term == nil && unset.terminfo == nil && !unset.isUTF8)
    }
}
