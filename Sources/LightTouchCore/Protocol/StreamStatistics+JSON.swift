extension StreamStatistics {
    /// The counters under the key names `lighttouch stream --json` documents.
    public var jsonMembers: [(String, JSONValue)] {
        [
            ("frames", .int(frames)),
            ("samples", .int(samples)),
            ("lost_frames", .int(lostFrames)),
            ("crc_errors", .int(crcErrors)),
            ("malformed_frames", .int(malformed)),
            ("version_errors", .int(versionErrors)),
            ("overflow_flags", .int(overflowFlags)),
            ("not_ready_frames", .int(notReadyFrames)),
            ("saturated_frames", .int(saturatedFrames)),
            ("stream_restarts", .int(streamRestarts)),
            ("timestamp_errors", .int(timestampErrors)),
        ]
    }
}
