import LightTouchCore
import LightTouchTrainer
import Testing

@testable import LightTouchSession

/// The feedback sound as the session records it: the `s` switch, the device
/// and underruns are events in order with the samples, so a replay knows what
/// was audible at each sample and its results carry the same sound figures.
@Suite struct SoundStatusTests {
    @Test func soundEventsAreRecordedAndAReplayHearsWhatWasAudible() throws {
        let sensor = ScriptedSensor()
        let recording = MemoryRecording()
        let (session, configuration, conversion) = try LiveSessionTests.make(sensor, drill: nil, recording: recording)
        session.noteSound(.opened(device: "test"))
        try session.start()
        sensor.send(LiveSessionTests.hold(0, for: 1))  // at rest: the first tare
        session.settle()
        session.handle(.sound)  // off
        sensor.send(LiveSessionTests.hold(5, for: 3))
        session.settle()
        session.noteSound(.underrun)
        session.handle(.sound)  // on again
        sensor.send(LiveSessionTests.hold(5, for: 2) + LiveSessionTests.hold(0, for: 1))
        session.settle()
        #expect(session.frame.sound == SoundStatus(device: .playing("test"), on: true, underruns: 1))
        let ending = session.finish()
        #expect(ending.sound == SoundStatus(device: .playing("test"), on: true, underruns: 1))
        let live = SessionResults(pipeline: ending.pipeline, summary: ending.summary, drill: nil)
        let line = live.json(sound: ending.sound).serialized()
        #expect(line.hasSuffix(#","sound":{"device":"test","failed":null,"underruns":1}}"#))
        #expect(live.json(sound: nil).serialized() == live.json.serialized())

        let sounds = recording.events.filter { $0.kind == .sound }
        #expect(sounds.compactMap(\.detail) == ["opened test", "off", "underrun", "on"])
        #expect(sounds[0].time == -1)
        let off = try #require(sounds[1].time), on = try #require(sounds[3].time)
        #expect(abs((sounds[2].time ?? 0) - (off + 3)) < 1e-9)  // noted after the 3 s at 5 g, with the switch back on

        let recorded = recording.session(info: sensor.info, conversion: conversion, configuration: configuration, drill: nil)
        var heard: [(time: Double, audible: Bool)] = []
        let replayed = try RescoredSession(recorded, visit: { sample, _, _, sound, _ in
            heard.append((sample.time, sound?.isAudible ?? true))
        })
        #expect(replayed.resultsJSON.serialized() == line)
        #expect(replayed.sound == ending.sound)
        // Silent exactly from the first sample after `off` to the sample that `on` followed.
        #expect(!heard.isEmpty)
        for sample in heard { #expect(sample.audible == !(sample.time > off && sample.time <= on)) }
        #expect(heard.filter { !$0.audible }.count == 300)  // the 3 s at 100 Hz
    }

    @Test func withoutSoundTheKeyDoesNothingAndTheResultsAreAsBefore() throws {
        let sensor = ScriptedSensor()
        let recording = MemoryRecording()
        let (session, _, _) = try LiveSessionTests.make(sensor, drill: nil, recording: recording)
        try session.start()
        sensor.send(LiveSessionTests.hold(0, for: 1))
        session.settle()
        session.handle(.sound)
        session.settle()
        #expect(session.frame.sound == nil)
        let ending = session.finish()
        #expect(ending.sound == nil)
        #expect(!recording.events.contains { $0.kind == .sound })
    }

    @Test func aFailedDeviceIsSilentAndSaysSo() {
        let failed = SoundStatus.applying(.failed(reason: "snd_pcm_open(hw:5): No such file or directory"), to: nil)
        #expect(failed?.isAudible == false)
        #expect(failed?.label == "no sound")
        #expect(failed?.json.serialized() == #"{"device":null,"failed":"snd_pcm_open(hw:5): No such file or directory","underruns":0}"#)
        // A device that fails mid-session keeps its underruns and is silent from then on.
        var status = SoundStatus.applying(.opened(device: "default"), to: nil)
        status = SoundStatus.applying(.underrun, to: status)
        status = SoundStatus.applying(.failed(reason: "snd_pcm_writei: Input/output error"), to: status)
        #expect(status == SoundStatus(device: .failed("snd_pcm_writei: Input/output error"), on: true, underruns: 1))
        #expect(status?.isAudible == false)
        // Switching and underruns mean nothing without a device.
        #expect(SoundStatus.applying(.switched(on: false), to: nil) == nil)
        #expect(SoundStatus.applying(.underrun, to: nil) == nil)
    }

    @Test func recordedDetailsReadBackAndUnknownOnesAreSkipped() {
        let events: [SoundStatus.Event] = [
            .opened(device: "plughw:1,0"), .failed(reason: "snd_pcm_open(x): No such device"), .switched(on: true),
            .switched(on: false), .underrun,
        ]
        for event in events { #expect(SoundStatus.Event(recordedDetail: event.recordedDetail) == event) }
        #expect(SoundStatus.Event(recordedDetail: "louder") == nil)
        #expect(SoundStatus.Event(recordedDetail: "on 2") == nil)
        #expect(SoundStatus.Event(recordedDetail: "") == nil)
    }
}
