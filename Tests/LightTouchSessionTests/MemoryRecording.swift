import LightTouchCore
import Synchronization

/// A recording kept in memory, in the order the session made it: what the
/// SQLite store writes, without a database file.
final class MemoryRecording: SessionRecording {
    let sessionID: Int64 = 1
    private struct State {
        var blocks: [SampleBlock] = []
        var events: [RecordedEvent] = []
        var results: String?
    }

    private let state = Mutex(State())

    func record(blocks: [SampleBlock], events: [PipelineEvent]) {
        state.withLock { state in
            state.blocks += blocks
            for event in events {
                let index = Int64(state.blocks.count)
                switch event {
                case .tare(let time, let offset): state.events.append(RecordedEvent(kind: .tare, blockIndex: index, time: time, value: offset))
                case .handsTare(let time, let offsets):
                    state.events.append(
                        RecordedEvent(
                            kind: .tare, blockIndex: index, time: time, value: offsets.left + offsets.right,
                            detail: SampleScorer.RecordedTare.detail(hands: offsets)))
                case .tareRefused(let time, let reason):
                    state.events.append(RecordedEvent(kind: .tareRefused, blockIndex: index, time: time, detail: reason))
                case .trialStarted(let time, let trial):
                    state.events.append(RecordedEvent(kind: .trialStarted, blockIndex: index, time: time, trial: trial))
                case .trialEnded(let time, let trial):
                    state.events.append(RecordedEvent(kind: .trialEnded, blockIndex: index, time: time, trial: trial))
                case .disconnected(let reason): state.events.append(RecordedEvent(kind: .disconnected, blockIndex: index, detail: reason))
                case .reconnected: state.events.append(RecordedEvent(kind: .reconnected, blockIndex: index))
                case .stalled: state.events.append(RecordedEvent(kind: .stalled, blockIndex: index))
                }
            }
        }
    }

    func note(_ kind: RecordedEvent.Kind, time: Double?, trial: Int?, value: Double?, detail: String?) {
        state.withLock { state in
            state.events.append(
                RecordedEvent(kind: kind, blockIndex: Int64(state.blocks.count), time: time, trial: trial, value: value, detail: detail))
        }
    }

    func noteKey(_ name: String, time: Double) {
        note(.key, time: time, trial: nil, value: nil, detail: name)
    }

    func complete(results: String, lostFrames: Int, rejectedSamples: Int) throws {
        state.withLock { $0.results = results }
    }

    func close(reason: String?) {}

    var events: [RecordedEvent] { state.withLock { $0.events } }

    /// The recording as a store would read it back.
    func session(
        info: SensorInfo, conversion: ForceConversion, configuration: PipelineConfiguration, drill: Drill?, protocolText: String? = nil,
        student: String? = nil
    ) -> RecordedSession {
        state.withLock { state in
            RecordedSession(
                summary: SessionSummaryRow(
                    id: sessionID, kind: protocolText == nil ? "practice" : "assessment", student: student, startedAt: "", status: .complete,
                    recordedSeconds: 0, samples: 0, sensorSerial: info.serial),
                sensorInfoJSON: "{}", conversion: conversion, configuration: configuration, drill: drill.map(DrillCoding.json),
                protocolText: protocolText, lostFrames: 0, rejectedSamples: 0, results: state.results, blocks: state.blocks,
                events: state.events)
        }
    }
}
