#!/usr/bin/env python3
"""Writes the LightTouch protocol 1.0 test vectors.

Written from PROTOCOL.md alone, with nothing but the Python standard library
(struct, zlib, hashlib, json), so that the vectors are an independent oracle
for both the C reference device and the Swift host. It never imports or runs
either implementation.

    python3 firmware-protocol/vectors/generate.py

rewrites, next to this script:

    frames.json        single packets and what a host decodes from them (§3, §3.1)
    streams.json       packet sequences and the host's accounting of them (§3.1)
    control.json       GET_INFO / GET_STATUS responses and their decoding (§4)
    calibration.json   calibration blobs and their checks (§5)
    c-frames.txt       the valid 1.0 frames as encoder inputs, for the C tests
    c-control.txt      the device-produced control responses, for the C tests
    c-calibration.txt  every calibration blob and its expected check result

The output is deterministic: running the script again reproduces the files
byte for byte.
"""

import hashlib
import json
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- §3 frames

FRAME_MAGIC = 0x544C
MIN_FRAME = 20
MAX_FRAME = 64
ADC_MIN = -8388608
ADC_MAX = 8388607

FLAG_ADC_SATURATED = 0x01
FLAG_ADC_NOT_READY = 0x02
FLAG_FIFO_OVERFLOW = 0x04

RATES = [10, 80, 320, 1000]  # supported-rates bits 0..3 (§4.1)
PERIOD_US = {10: 100000, 80: 12500, 320: 3125, 1000: 1000}  # §2.1

U32 = 1 << 32
HALF = 1 << 31


def crc32(data):
    """IEEE 802.3 / zlib CRC-32 (§3)."""
    return zlib.crc32(bytes(data)) & 0xFFFFFFFF


assert crc32(b"123456789") == 0xCBF43926


def nmax(channels):
    """Nmax(C) = floor(14 / C) (§3)."""
    return 14 // channels


def samples_per_frame(rate_hz, channels):
    """N the reference firmware uses (§2.1)."""
    return min(nmax(channels), max(1, rate_hz // 100))


def with_crc(body):
    return bytes(body) + struct.pack("<I", crc32(body))


def i24(value):
    return struct.pack("<i", value)[:3]


def clamp(value):
    return max(ADC_MIN, min(ADC_MAX, value))


def device_frame(sequence, timestamp_us, counts, flags=0, minor=0):
    """A frame as a device builds it (§3): `counts` is a list of channels,
    each a list of N samples; values are clamped to the rails, and
    ADC_SATURATED and saturated_mask are set from the rail values."""
    channels = len(counts)
    samples = len(counts[0])
    assert all(len(ch) == samples for ch in counts)
    clamped = [[clamp(v) for v in ch] for ch in counts]
    mask = 0
    for c, ch in enumerate(clamped):
        if any(v in (ADC_MIN, ADC_MAX) for v in ch):
            mask |= 1 << c
    if mask:
        flags |= FLAG_ADC_SATURATED
    body = struct.pack("<HBBIIBBBB", FRAME_MAGIC, 1, minor, sequence, timestamp_us,
                       channels, samples, flags, mask)
    body += b"".join(i24(v) for ch in clamped for v in ch)  # channel-major
    return with_crc(body)


def raw_frame(channels, samples, payload_counts, magic=FRAME_MAGIC, major=1, minor=0,
              sequence=7, timestamp_us=700000, flags=0, mask=0):
    """A frame built wrong on purpose, with a correct CRC over what it holds."""
    body = struct.pack("<HBBIIBBBB", magic, major, minor, sequence, timestamp_us,
                       channels, samples, flags, mask)
    body += b"".join(i24(v) for v in payload_counts)
    return with_crc(body)


def flip_bit(packet, index, bit):
    data = bytearray(packet)
    data[index] ^= 1 << bit
    return bytes(data)


def check_frame(packet):
    """The host's checks of §3.1, in order. Returns (None, fields) or (error, None)."""
    length = len(packet)
    if length < MIN_FRAME:
        return "too_short", None
    if length > MAX_FRAME:
        return "too_long", None
    if crc32(packet[:length - 4]) != struct.unpack_from("<I", packet, length - 4)[0]:
        return "crc_mismatch", None
    magic, major, minor, sequence, timestamp_us, channels, samples, flags, mask = \
        struct.unpack_from("<HBBIIBBBB", packet, 0)
    if magic != FRAME_MAGIC:
        return "bad_magic", None
    if major != 1:
        return "unsupported_version", None
    if not 1 <= channels <= 4:
        return "bad_channel_count", None
    if not 1 <= samples <= nmax(channels):
        return "bad_sample_count", None
    if length != 20 + 3 * channels * samples:
        return "length_mismatch", None
    flat = []
    for i in range(channels * samples):
        raw = packet[16 + 3 * i:19 + 3 * i]
        flat.append(struct.unpack("<i", raw + (b"\xff" if raw[2] & 0x80 else b"\x00"))[0])
    counts = [flat[c * samples:(c + 1) * samples] for c in range(channels)]
    return None, {
        "version_major": major,
        "version_minor": minor,
        "sequence": sequence,
        "timestamp_us": timestamp_us,
        "channels": channels,
        "samples_per_channel": samples,
        "flags": flags,
        "adc_saturated": bool(flags & FLAG_ADC_SATURATED),
        "adc_not_ready": bool(flags & FLAG_ADC_NOT_READY),
        "fifo_overflow": bool(flags & FLAG_FIFO_OVERFLOW),
        "saturated_mask": mask,
        "counts": counts,
    }


def frame_expect(packet):
    error, fields = check_frame(packet)
    if error:
        return {"result": "error", "error": error}
    expect = {"result": "ok"}
    expect.update(fields)
    return expect


def ramp(start, step, n):
    return [start + step * k for k in range(n)]


def frame_vectors():
    """Returns (frames.json entries, c-frames.txt lines)."""
    entries = []
    c_lines = []

    def valid(name, description, sequence, timestamp_us, counts, flags=0, minor=0,
              encoder_inputs=True):
        packet = device_frame(sequence, timestamp_us, counts, flags, minor)
        expect = frame_expect(packet)
        assert expect["result"] == "ok", name
        assert expect["counts"] == [[clamp(v) for v in ch] for ch in counts], name
        entries.append({"name": name, "description": description, "hex": packet.hex(),
                        "expect": expect})
        if encoder_inputs:
            c_lines.append(c_frame_line(name, sequence, timestamp_us, counts,
                                        flags & ~FLAG_ADC_SATURATED, packet))
        return packet

    def invalid(name, description, packet, error):
        expect = frame_expect(packet)
        assert expect == {"result": "error", "error": error}, (name, expect)
        entries.append({"name": name, "description": description, "hex": packet.hex(),
                        "expect": expect})

    valid("one_channel_one_sample",
          "1 channel, 1 sample (10 or 80 Hz): the smallest frame, 23 bytes.",
          0, 1000000, [[123456]])
    one_by_14 = valid(
        "one_channel_14_samples",
        "1 channel, 14 samples (Nmax(1)): 62 bytes, the largest frame.",
        12, 2000000, [ramp(-700000, 100001, 14)])
    two_by_7 = valid(
        "two_channels_7_samples",
        "2 channels, 7 samples (Nmax(2), 1000 Hz): channel-major counts.",
        3, 3000000, [ramp(120000, 1000, 7), ramp(-50000, -250, 7)])
    valid("three_channels_4_samples",
          "3 channels, 4 samples (Nmax(3), 1000 Hz).",
          100, 4000000, [[1, 2, 3, 4], [-1, -2, -3, -4], [4194304, -4194304, 65535, -65536]])
    valid("four_channels_3_samples_1khz",
          "4 channels, 3 samples: what the reference sends at 1000 Hz on four channels.",
          41, 123000, [[10, 11, 12], [20, 21, 22], [-30, -31, -32], [8388606, -8388607, 0]])
    rails_counts = [[-1, -256, -65536, -4000000], [ADC_MIN, -8388000, 0, 1],
                    [5, ADC_MAX, ADC_MAX, 7]]
    rails = valid(
        "negative_counts_and_rails",
        "3 channels x 4: negative counts on channel 0, the negative rail on channel 1 and "
        "the positive rail on channel 2, so ADC_SATURATED is set and saturated_mask is 0b110.",
        9, 9000000, rails_counts)
    # The C encoder clamps out-of-range inputs to the rails: same bytes.
    clamped_inputs = [[-1, -256, -65536, -4000000], [-2147483647 - 1, -8388000, 0, 1],
                      [5, 8388608, 2147483647, 7]]
    c_lines.append(c_frame_line("negative_counts_and_rails_clamped_inputs", 9, 9000000,
                                clamped_inputs, 0, rails))
    valid("adc_not_ready",
          "ADC_NOT_READY: the counts repeat the previous value and must not be used.",
          5, 5000000, [[-12345]], flags=FLAG_ADC_NOT_READY)
    valid("fifo_overflow",
          "FIFO_OVERFLOW: the device dropped frames before this one; its own samples are valid.",
          20, 20000000, [[400000, 400100, 400200]], flags=FLAG_FIFO_OVERFLOW)
    valid("all_flags",
          "ADC_NOT_READY and FIFO_OVERFLOW on a frame repeating a rail value, so "
          "ADC_SATURATED is set too: flags 0x07.",
          21, 20003125, [[ADC_MAX, ADC_MAX, ADC_MAX]],
          flags=FLAG_ADC_NOT_READY | FLAG_FIFO_OVERFLOW)
    valid("minor_version_1_3_reserved_flag",
          "Protocol 1.3 with reserved flag bit 3 set: accepted (a newer minor version); the "
          "flags value keeps the bit, the host ignores it. Not something the 1.0 reference "
          "encoder builds.",
          6, 6000000, [[1000, 2000], [-1000, -2000]], flags=0x08, minor=3,
          encoder_inputs=False)
    valid("sequence_max",
          "sequence 0xFFFFFFFF: the last before the counter wraps to 0.",
          0xFFFFFFFF, 77, [[0]])
    valid("timestamp_max",
          "timestamp_us 0xFFFFFFFF: the last microsecond before the device clock wraps.",
          8, 0xFFFFFFFF, [[-8388607], [8388606]])

    invalid("bad_crc_payload_bit",
            "two_channels_7_samples with one bit flipped in the counts: a CRC error, "
            "and only that.",
            flip_bit(two_by_7, 20, 4), "crc_mismatch")
    invalid("bad_crc_in_crc",
            "two_channels_7_samples with one bit flipped in the CRC itself.",
            flip_bit(two_by_7, len(two_by_7) - 1, 7), "crc_mismatch")
    invalid("short_19_bytes",
            "The first 19 bytes of a frame: shorter than the 20-byte minimum.",
            two_by_7[:19], "too_short")
    invalid("empty_packet", "A zero-length packet.", b"", "too_short")
    invalid("truncated_30_of_62",
            "The first 30 bytes of the 62-byte two_channels_7_samples: the last four "
            "bytes are not the CRC of the rest.",
            two_by_7[:30], "crc_mismatch")
    invalid("too_long_65_bytes",
            "one_channel_14_samples followed by 3 more bytes: 65 bytes.",
            one_by_14 + b"\x00\x00\x00", "too_long")
    invalid("bad_magic_valid_crc",
            "Magic 0x554C (bytes 4C 55) with a correct CRC.",
            raw_frame(1, 1, [42], magic=0x554C), "bad_magic")
    invalid("major_version_2_valid_crc",
            "Protocol 2.0 with a correct CRC: a different major version is not compatible.",
            raw_frame(1, 1, [42], major=2), "unsupported_version")
    invalid("channels_0_valid_crc",
            "C = 0 with one sample's worth of counts and a correct CRC.",
            raw_frame(0, 1, [42]), "bad_channel_count")
    invalid("channels_5_valid_crc",
            "C = 5, N = 1 (35 bytes) with a correct CRC.",
            raw_frame(5, 1, [1, 2, 3, 4, 5]), "bad_channel_count")
    invalid("samples_0_valid_crc",
            "C = 1, N = 0 (20 bytes, no counts) with a correct CRC.",
            raw_frame(1, 0, []), "bad_sample_count")
    invalid("samples_8_of_2_channels_valid_crc",
            "C = 2, N = 8 > Nmax(2) = 7, holding 14 counts (62 bytes) with a correct CRC.",
            raw_frame(2, 8, ramp(0, 1, 14)), "bad_sample_count")
    invalid("length_mismatch_extra_byte",
            "C = 1, N = 1 but 24 bytes: one byte too many before the CRC, which is correct.",
            with_crc(raw_frame(1, 1, [42])[:-4] + b"\x00"), "length_mismatch")
    invalid("length_mismatch_missing_sample",
            "C = 2, N = 2 but only 3 counts (29 bytes) with a correct CRC.",
            raw_frame(2, 2, [1, 2, 3]), "length_mismatch")
    return entries, c_lines


def c_frame_line(name, sequence, timestamp_us, counts, flags, packet):
    flat = [v for ch in counts for v in ch]
    fields = [name, sequence, timestamp_us, len(counts), len(counts[0]), flags, len(flat)]
    fields += flat
    fields.append(packet.hex())
    return " ".join(str(f) for f in fields)


# ---------------------------------------------------------------- §3.1 streams

class Stream:
    """Builds the packets a device sends at one rate (§2.1)."""

    def __init__(self, rate_hz, channels, timestamp_us, value=100000):
        self.rate_hz = rate_hz
        self.channels = channels
        self.n = samples_per_frame(rate_hz, channels)
        self.timestamp_us = timestamp_us
        self.sequence = 0
        self.value = value
        self.packets = []

    def build(self, flags=0, rail=False, sequence=None, timestamp_us=None):
        """Builds the next frame and returns it without sending it."""
        if sequence is not None:
            self.sequence = sequence
        if timestamp_us is not None:
            self.timestamp_us = timestamp_us % U32
        counts = []
        for c in range(self.channels):
            counts.append([self.value + 1000 * c + k for k in range(self.n)])
        if rail:
            counts[0][0] = ADC_MAX
        packet = device_frame(self.sequence, self.timestamp_us, counts, flags)
        self.sequence = (self.sequence + 1) % U32
        self.timestamp_us = (self.timestamp_us + self.n * PERIOD_US[self.rate_hz]) % U32
        self.value += 7
        return packet

    def send(self, **kwargs):
        self.packets.append(self.build(**kwargs))
        return self

    def drop(self, frames=1):
        """Frames built but never received."""
        for _ in range(frames):
            self.build()
        return self

    def corrupt(self, **kwargs):
        """A frame damaged in transit: one bit flipped in its counts."""
        self.packets.append(flip_bit(self.build(**kwargs), 17, 2))
        return self

    def raw(self, packet):
        self.packets.append(packet)
        return self


def account(packets, next_sequence, rate_hz):
    """The host's accounting of §3.1, step by step as PROTOCOL.md says."""
    stats = {
        "frames": 0, "samples": 0, "lost_frames": 0, "crc_errors": 0, "malformed": 0,
        "version_errors": 0, "overflow_flags": 0, "not_ready_frames": 0,
        "saturated_frames": 0, "stream_restarts": 0, "timestamp_errors": 0,
        "timestamps_us": [],
    }
    expected = None          # set by the first valid frame
    rejected = 0             # packets rejected since the last valid frame
    previous_raw = None      # timestamp_us of the last frame whose time was accepted
    previous_span = 0        # that frame's samples × the sample period, µs
    unwrapped = None
    for packet in packets:
        error, f = check_frame(packet)
        if error:
            rejected += 1
            if error == "crc_mismatch":
                stats["crc_errors"] += 1
            elif error == "unsupported_version":
                stats["version_errors"] += 1
            else:
                stats["malformed"] += 1
            continue
        stats["frames"] += 1
        # Sequence.
        restarted = False
        if expected is not None:
            d = (f["sequence"] - expected) % U32
            if 0 < d < HALF:
                stats["lost_frames"] += max(0, d - rejected)
            elif d >= HALF:
                stats["stream_restarts"] += 1
                restarted = True
        expected = (f["sequence"] + 1) % U32
        rejected = 0
        if f["fifo_overflow"]:
            stats["overflow_flags"] += 1
        # Timestamp.
        if previous_raw is None:
            unwrapped = f["timestamp_us"]
        else:
            delta = (f["timestamp_us"] - previous_raw) % U32
            if delta >= HALF and restarted:
                # A power-cycled device: a new segment continues the timeline
                # right after the previous frame's samples.
                unwrapped += previous_span
            elif delta >= HALF:
                stats["timestamp_errors"] += 1
                continue
            else:
                unwrapped += delta
        previous_raw = f["timestamp_us"]
        previous_span = f["samples_per_channel"] * 1_000_000 // rate_hz
        stats["timestamps_us"].append(unwrapped)
        # Flags.
        if f["adc_not_ready"]:
            stats["not_ready_frames"] += 1
            continue
        if f["adc_saturated"]:
            stats["saturated_frames"] += 1
        stats["samples"] += f["samples_per_channel"]
    if next_sequence is not None and expected is not None:
        d = (next_sequence - expected) % U32
        if d < HALF:
            stats["lost_frames"] += max(0, d - rejected)
    return stats


def stream_vectors():
    streams = []

    def add(name, description, stream, next_sequence, checks):
        expect = account(stream.packets, next_sequence, stream.rate_hz)
        for key, value in checks.items():
            assert expect[key] == value, (name, key, expect[key], value)
        streams.append({
            "name": name, "description": description, "rate_hz": stream.rate_hz,
            "packets": [p.hex() for p in stream.packets],
            "next_sequence": next_sequence, "expect": expect,
        })

    s = Stream(80, 1, 5000000)
    for _ in range(6):
        s.send()
    add("clean_in_order", "Six frames at 80 Hz on one channel, in order; GET_STATUS after "
        "STOP_STREAM says next_sequence 6.", s, 6,
        {"frames": 6, "samples": 6, "lost_frames": 0})

    s = Stream(80, 1, 1000000)
    s.send().send().send().drop(2).send().send()
    add("sequence_gap", "Sequences 0, 1, 2, 5, 6: frames 3 and 4 never arrived.", s, None,
        {"lost_frames": 2, "frames": 5})

    s = Stream(80, 1, 1000000)
    s.send().send().corrupt().drop().send().send()
    add("corrupt_frame_in_gap", "Sequences 0, 1, then frame 2 damaged, frame 3 missing, then "
        "4 and 5: the gap of 2 less the 1 rejected packet is 1 lost frame.", s, None,
        {"lost_frames": 1, "crc_errors": 1, "frames": 4})

    s = Stream(1000, 1, U32 - 25000)
    for _ in range(5):
        s.send()
    add("timestamp_wrap", "1000 Hz, 10 samples a frame, starting 25 ms before the 32-bit "
        "device clock wraps: the unwrapped time keeps increasing past 2^32.", s, 5,
        {"timestamp_errors": 0, "samples": 50})

    s = Stream(320, 2, 777000)
    s.send(sequence=U32 - 2).send().send().send()
    add("sequence_wrap", "Sequences 0xFFFFFFFE, 0xFFFFFFFF, 0, 1 (two channels at 320 Hz, "
        "3 samples a frame): in order, no loss, no restart.", s, 2,
        {"lost_frames": 0, "stream_restarts": 0, "frames": 4})

    s = Stream(80, 1, 3000000)
    s.send().send().send().send()
    s.send(sequence=0, timestamp_us=4000000).send().send()
    add("stream_restart", "Sequences 0-3, then 0-2 again from 4.0 s on the same device "
        "clock (START_STREAM does not reset it): the device restarted its stream.", s, 3,
        {"stream_restarts": 1, "lost_frames": 0, "frames": 7})

    s = Stream(80, 1, 9000000)
    s.send().send().send().send()
    s.send(sequence=0, timestamp_us=1500).send().send()
    add("power_cycle", "Sequences 0-3, then the device is unplugged and plugged back in: "
        "sequence 0 again and its clock starting again near 0. A new segment: its "
        "times continue right after the last frame's sample (9.0375 s + 12.5 ms), "
        "no timestamp error.", s, 3,
        {"stream_restarts": 1, "timestamp_errors": 0, "frames": 7, "samples": 7})

    s = Stream(80, 1, 8000000)
    s.send().send()
    s.send(timestamp_us=8000000 + 12500 - 75000)
    s.send(timestamp_us=8000000 + 3 * 12500).send()
    add("timestamp_backwards", "The third frame's clock is 75 ms behind the second's: a "
        "timestamp error, its samples unused and the clock not moved; the next frames "
        "unwrap from the second frame's time.", s, 5,
        {"timestamp_errors": 1, "samples": 4, "frames": 5})

    s = Stream(80, 1, 9000000)
    s.send().send().send().send().drop(2)
    add("trailing_loss", "Sequences 0-3 arrived; GET_STATUS after STOP_STREAM says "
        "next_sequence 6: frames 4 and 5 were lost at the end.", s, 6,
        {"lost_frames": 2})

    s = Stream(320, 1, 10000000)
    s.send().send().send(flags=FLAG_ADC_NOT_READY).send()
    add("not_ready_frame", "320 Hz, 3 samples a frame; the third frame has ADC_NOT_READY: "
        "counted, its samples discarded.", s, 4,
        {"not_ready_frames": 1, "samples": 9})

    s = Stream(1000, 4, 20000000)
    s.send()                                   # 0
    s.send(rail=True)                          # 1 saturated
    s.raw(b"")                                 # too_short
    s.send()                                   # 2
    s.drop(3)                                  # 3, 4, 5 dropped by the device FIFO
    s.send(flags=FLAG_FIFO_OVERFLOW)           # 6
    s.corrupt()                                # 7 damaged
    s.drop()                                   # 8 missing
    s.send()                                   # 9
    s.raw(device_frame(9, 0, [[1] * 14]) + b"\x00" * 3)   # 65 bytes: too_long
    s.raw(raw_frame(4, 3, [0] * 12, major=2, sequence=10,
                    timestamp_us=s.timestamp_us))     # unsupported_version
    s.build()                                  # 10 (the one the version-2 packet replaced)
    s.send(flags=FLAG_ADC_NOT_READY)           # 11
    s.send()                                   # 12
    s.corrupt()                                # 13 damaged
    s.drop()                                   # 14 never arrived
    add("mix", "Four channels at 1000 Hz: a saturated frame, an empty packet, a FIFO "
        "overflow gap of 3, a damaged frame inside a gap of 2, a 65-byte packet and a "
        "version-2 frame just before a not-ready frame (2 rejected for a gap of 1), then a "
        "damaged frame and a missing one at the end (next_sequence 15).", s, 15,
        {"frames": 7, "samples": 18, "lost_frames": 3 + 1 + 0 + 1, "crc_errors": 2,
         "malformed": 2, "version_errors": 1, "overflow_flags": 1, "not_ready_frames": 1,
         "saturated_frames": 1})
    return streams


# ---------------------------------------------------------------- §4 control

DEVICE = {
    "serial": "LT-VECTOR-01",
    "fw_major": 1, "fw_minor": 2, "fw_patch": 3,
    "adc_model": "ADS1220",
    "channels": 2,
    "initial_rate_hz": 80,
    "supported_rates": 0x0F,
    "nominal_offset": 120000,
    "nominal_counts_per_gram": 4000.0,
    "capabilities": 0x03,
}

REQ_IN = 0xC0
REQ_GET_INFO = 0x01
REQ_GET_STATUS = 0x05
INFO_SIZE = 64
STATUS_SIZE = 16


def ascii_field(text, size):
    data = text.encode("ascii")
    assert len(data) < size
    return data + b"\x00" * (size - len(data))


def info_bytes(rate_hz):
    """The 64-byte GET_INFO response of §4.1 for DEVICE at `rate_hz`."""
    d = DEVICE
    return (struct.pack("<BBBBHBBHHif", 1, 0, d["fw_major"], d["fw_minor"], d["fw_patch"],
                        d["channels"], d["capabilities"], rate_hz, d["supported_rates"],
                        d["nominal_offset"], d["nominal_counts_per_gram"])
            + struct.pack("<BBH", 24, samples_per_frame(rate_hz, d["channels"]), 0)
            + ascii_field(d["adc_model"], 16) + ascii_field(d["serial"], 24))


def decode_info(data):
    """The host's reading of a GET_INFO response (§4.1), checks in the order listed."""
    if len(data) < INFO_SIZE:
        return {"result": "error", "error": "too_short"}
    (major, minor, fw_major, fw_minor, fw_patch, channels, caps, rate, mask, offset,
     sensitivity, adc_bits, spf) = struct.unpack_from("<BBBBHBBHHifBB", data, 0)
    if major != 1:
        return {"result": "error", "error": "unsupported_version"}
    if not 1 <= channels <= 4:
        return {"result": "error", "error": "bad_channel_count"}
    supported = [r for i, r in enumerate(RATES) if mask & (1 << i)]
    if rate not in supported:
        return {"result": "error", "error": "bad_rate"}
    if not (sensitivity == sensitivity and 0 < sensitivity < float("inf")):
        return {"result": "error", "error": "bad_sensitivity"}
    return {
        "result": "ok",
        "protocol_major": major,
        "protocol_minor": minor,
        "firmware": "%d.%d.%d" % (fw_major, fw_minor, fw_patch),
        "channels": channels,
        "capabilities": caps,
        "sample_rate_hz": rate,
        "supported_rates": supported,
        "nominal_offset": offset,
        "nominal_counts_per_gram": sensitivity,
        "adc_bits": adc_bits,
        "samples_per_frame": spf,
        "adc_model": data[24:40].split(b"\x00")[0].decode("ascii"),
        "serial": data[40:64].split(b"\x00")[0].decode("ascii"),
    }


def decode_status(data):
    if len(data) < STATUS_SIZE:
        return {"result": "error", "error": "too_short"}
    streaming, cal, rate, next_sequence, dropped, clock = struct.unpack_from("<BBHIII", data, 0)
    return {
        "result": "ok",
        "streaming": streaming != 0,
        "calibration_stored": bool(cal & 0x01),
        "sample_rate_hz": rate,
        "next_sequence": next_sequence,
        "fifo_dropped": dropped,
        "clock_us": clock,
    }


def simulate_status(steps, clock_us):
    """GET_STATUS of DEVICE after `steps` (§2.1, §4): what the device must answer.
    Frames are built and never polled, so the 8-frame FIFO drops the oldest."""
    rate = DEVICE["initial_rate_hz"]
    streaming = False
    cal_stored = False
    next_sequence = 0
    dropped = 0
    partial = 0
    queued = 0
    for step in steps:
        words = step.split()
        if words[0] == "set_rate":
            assert not streaming
            rate = int(words[1])
        elif words[0] == "write_calibration":
            assert not streaming
            cal_stored = True
        elif words[0] == "start_stream":
            streaming, next_sequence, dropped, partial, queued = True, 0, 0, 0, 0
        elif words[0] == "stop_stream":
            streaming, partial = False, 0  # queued frames are still sent (§4.3)
        elif words[0] == "push_samples":
            assert streaming
            for _ in range(int(words[1])):
                partial += 1
                if partial == samples_per_frame(rate, DEVICE["channels"]):
                    partial = 0
                    next_sequence += 1
                    if queued == 8:
                        dropped += 1
                    else:
                        queued += 1
        else:
            raise ValueError(step)
    return struct.pack("<BBHIII", int(streaming), int(cal_stored), rate, next_sequence,
                       dropped, clock_us)


def control_vectors():
    """Returns (control.json responses, c-control.txt lines)."""
    responses = []
    c_lines = []

    def request(b_request, w_length):
        return {"bmRequestType": REQ_IN, "bRequest": b_request, "wValue": 0, "wIndex": 0,
                "wLength": w_length}

    def add(name, description, b_request, w_length, data, expect_error=None, setup=None):
        decode = decode_info if b_request == REQ_GET_INFO else decode_status
        expect = decode(data)
        if expect_error:
            assert expect == {"result": "error", "error": expect_error}, (name, expect)
        else:
            assert expect["result"] == "ok", (name, expect)
        assert len(data) <= w_length
        entry = {"name": name, "description": description, "request": request(b_request, w_length),
                 "hex": data.hex(), "expect": expect, "device_setup": None}
        if setup is not None:
            steps, clock_us = setup
            entry["device_setup"] = {"steps": steps, "clock_us": clock_us}
            c_lines.append(" ".join(
                [name, str(clock_us), str(REQ_IN), str(b_request), "0", "0", str(w_length),
                 data.hex() or "-"] + [s.replace(" ", "=") for s in steps]))
        responses.append(entry)

    power_up = info_bytes(80)
    add("get_info_power_up", "GET_INFO right after power-up: 80 Hz, 1 sample per frame.",
        REQ_GET_INFO, 64, power_up, setup=([], 0))
    add("get_info_1000hz", "GET_INFO after SET_RATE 1000: 7 samples per frame on 2 channels.",
        REQ_GET_INFO, 64, info_bytes(1000), setup=(["set_rate 1000"], 0))
    add("get_info_short_40", "GET_INFO with wLength 40: the device sends 40 bytes, which a "
        "host must refuse as too short.", REQ_GET_INFO, 40, power_up[:40], "too_short",
        setup=([], 0))

    def patched(offset, fmt, value, base=power_up):
        data = bytearray(base)
        struct.pack_into(fmt, data, offset, value)
        return bytes(data)

    add("get_info_major_2", "Host side: a device speaking protocol 2.0.", REQ_GET_INFO, 64,
        patched(0, "<B", 2), "unsupported_version")
    add("get_info_channels_0", "Host side: a channel count of 0.", REQ_GET_INFO, 64,
        patched(6, "<B", 0), "bad_channel_count")
    add("get_info_rate_50", "Host side: a current rate of 50 Hz, which is not a protocol rate.",
        REQ_GET_INFO, 64, patched(8, "<H", 50), "bad_rate")
    add("get_info_rate_not_listed", "Host side: current rate 1000 Hz while the supported "
        "rates list only 10 and 80 Hz.", REQ_GET_INFO, 64,
        patched(10, "<H", 0x03, patched(8, "<H", 1000)), "bad_rate")
    add("get_info_sensitivity_zero", "Host side: a sensitivity of 0 counts per gram.",
        REQ_GET_INFO, 64, patched(16, "<I", 0x00000000), "bad_sensitivity")
    add("get_info_sensitivity_nan", "Host side: a sensitivity that is a NaN.",
        REQ_GET_INFO, 64, patched(16, "<I", 0x7FC00000), "bad_sensitivity")
    add("get_info_sensitivity_negative", "Host side: a sensitivity of -4000 counts per gram.",
        REQ_GET_INFO, 64, patched(16, "<f", -4000.0), "bad_sensitivity")
    add("get_info_sensitivity_infinite", "Host side: a sensitivity of +infinity.",
        REQ_GET_INFO, 64, patched(16, "<I", 0x7F800000), "bad_sensitivity")
    newer = patched(1, "<B", 4, patched(22, "<H", 0xBEEF)) + bytes(range(0xA0, 0xA8))
    add("get_info_minor_1_4_longer", "Host side: protocol 1.4 answering with 72 bytes (8 "
        "appended) and the reserved u16 at 22 in use: accepted, the unknown parts ignored.",
        REQ_GET_INFO, 128, newer)

    add("get_status_power_up", "GET_STATUS after power-up with the device clock at 1 s.",
        REQ_GET_STATUS, 16, simulate_status([], 1000000), setup=([], 1000000))
    steps = ["write_calibration valid_degree3_two_channels", "start_stream", "push_samples 10"]
    add("get_status_streaming_overflow", "GET_STATUS after WRITE_CALIBRATION, START_STREAM "
        "and 10 samples at 80 Hz that nobody polled: 10 frames built, the 8-frame FIFO "
        "dropped 2.", REQ_GET_STATUS, 16, simulate_status(steps, 0x89ABCDEF),
        setup=(steps, 0x89ABCDEF))
    steps = ["set_rate 1000", "start_stream", "push_samples 75", "stop_stream"]
    add("get_status_after_stop_1000hz", "GET_STATUS after SET_RATE 1000, START_STREAM, 75 "
        "samples on 2 channels (10 frames of 7, 5 samples left over) and STOP_STREAM: "
        "next_sequence and fifo_dropped survive the stop.", REQ_GET_STATUS, 16,
        simulate_status(steps, 0xFFFFFFFF), setup=(steps, 0xFFFFFFFF))
    add("get_status_short_8", "GET_STATUS with wLength 8: the device sends 8 bytes, which a "
        "host must refuse as too short.", REQ_GET_STATUS, 8,
        simulate_status([], 1000000)[:8], "too_short", setup=([], 1000000))
    return responses, c_lines


# ---------------------------------------------------------------- §5 calibration

CAL_SIZE = 200


def cal_blob(degree, channels, serial, calibrated_at, expires_at, certificate_id, coefficients,
             magic=b"LTCL", version=1, length=CAL_SIZE):
    coefficient_bytes = b""
    for c in range(4):
        row = coefficients[c] if c < len(coefficients) else [0.0] * 4
        coefficient_bytes += struct.pack("<4d", *row)
    body = (magic + struct.pack("<BBBBHH", version, degree, channels, 0, length, 0)
            + ascii_field(serial, 24) + struct.pack("<qq", calibrated_at, expires_at)
            + certificate_id + coefficient_bytes)
    assert len(body) == CAL_SIZE - 4
    return with_crc(body)


def check_cal(blob, expected_serial):
    """Checks a blob in the order §5 lists."""
    def error(name):
        return {"result": "error", "error": name}
    if len(blob) == 0 or (len(blob) >= 12 and blob[:12] == b"\xff" * 12):
        return error("empty")
    if len(blob) < 12:
        return error("too_short")
    if blob[:4] != b"LTCL":
        return error("bad_magic")
    version, degree, channels, _, length = struct.unpack_from("<BBBBH", blob, 4)
    if version != 1:
        return error("unsupported_version")
    if length != CAL_SIZE or len(blob) != CAL_SIZE:
        return error("length_mismatch")
    if not 1 <= degree <= 3:
        return error("bad_degree")
    if not 1 <= channels <= 4:
        return error("bad_channel_count")
    if crc32(blob[:196]) != struct.unpack_from("<I", blob, 196)[0]:
        return error("crc_mismatch")
    if blob[12:36] != ascii_field(expected_serial, 24):
        return error("serial_mismatch")
    calibrated_at, expires_at = struct.unpack_from("<qq", blob, 36)
    return {
        "result": "ok",
        "version": version,
        "degree": degree,
        "channels": channels,
        "serial": blob[12:36].split(b"\x00")[0].decode("ascii"),
        "calibrated_at": calibrated_at,
        "expires_at": expires_at,
        "certificate_id": blob[52:68].hex(),
        "coefficients": [list(struct.unpack_from("<4d", blob, 68 + 32 * c))
                         for c in range(channels)],
    }


def calibration_vectors():
    """Returns (calibration.json blobs, c-calibration.txt lines)."""
    serial = DEVICE["serial"]
    certificate = hashlib.sha256(b"LightTouch vector certificate LT-VECTOR-01\n").digest()[:16]
    calibrated_at = 1735689600   # 2025-01-01T00:00:00Z
    expires_at = 1767225600      # 2026-01-01T00:00:00Z
    deg1 = [[120000.5, 4000.25, 0.0, 0.0]]
    deg3 = [[119876.5, 4012.125, -0.03125, 1.52587890625e-05],
            [-2048.0, 3998.75, 0.0625, -7.62939453125e-06]]

    def blob(**changes):
        args = dict(degree=3, channels=2, serial=serial, calibrated_at=calibrated_at,
                    expires_at=expires_at, certificate_id=certificate, coefficients=deg3)
        args.update(changes)
        return cal_blob(**args)

    valid1 = blob(degree=1, channels=1, coefficients=deg1)
    valid3 = blob()
    cases = [
        ("valid_degree1_one_channel", "Degree 1, one channel: c0 and c1 only.", valid1, "ok"),
        ("valid_degree3_two_channels", "Degree 3, two channels.", valid3, "ok"),
        ("erased_flash_256", "256 bytes of erased flash (all 0xFF).", b"\xff" * 256, "empty"),
        ("empty", "No bytes: READ_CALIBRATION's answer when nothing is stored.", b"", "empty"),
        ("too_short_11", "The first 11 bytes of a valid blob.", valid3[:11], "too_short"),
        ("bad_magic", "Magic \"LTCX\", CRC correct.", blob(magic=b"LTCX"), "bad_magic"),
        ("bad_crc", "valid_degree3_two_channels with one bit flipped in a coefficient.",
         flip_bit(valid3, 100, 3), "crc_mismatch"),
        ("version_2", "Blob version 2, CRC correct.", blob(version=2), "unsupported_version"),
        ("length_field_256", "Length field 256 in a 200-byte blob, CRC correct.",
         blob(length=256), "length_mismatch"),
        ("truncated_100", "The first 100 bytes of a valid blob.", valid3[:100],
         "length_mismatch"),
        ("degree_0", "Degree 0, CRC correct.", blob(degree=0), "bad_degree"),
        ("degree_4", "Degree 4, CRC correct.", blob(degree=4), "bad_degree"),
        ("channels_0", "Channel count 0, CRC correct.", blob(channels=0), "bad_channel_count"),
        ("channels_5", "Channel count 5, CRC correct.", blob(channels=5), "bad_channel_count"),
        ("serial_mismatch", "A valid blob for sensor LT-OTHER-99.", blob(serial="LT-OTHER-99"),
         "serial_mismatch"),
    ]
    entries = []
    c_lines = []
    for name, description, data, result in cases:
        expect = check_cal(data, serial)
        assert expect.get("error", "ok") == result, (name, expect)
        entries.append({"name": name, "description": description, "hex": data.hex(),
                        "expected_serial": serial, "expect": expect})
        c_lines.append("%s %s %s %s" % (name, serial, result, data.hex() or "-"))
    assert entries[1]["expect"]["coefficients"] == deg3
    return entries, c_lines


# ---------------------------------------------------------------- output

def write_json(name, obj):
    text = json.dumps(obj, sort_keys=True, indent=2, allow_nan=False) + "\n"
    with open(os.path.join(HERE, name), "w", encoding="ascii", newline="\n") as f:
        f.write(text)


def write_text(name, header, lines):
    text = "".join("# " + h + "\n" if h else "#\n" for h in header)
    text += "".join(line + "\n" for line in lines)
    with open(os.path.join(HERE, name), "w", encoding="ascii", newline="\n") as f:
        f.write(text)


GENERATED = "Generated by generate.py from PROTOCOL.md; do not edit."


def main():
    frames, c_frames = frame_vectors()
    responses, c_control = control_vectors()
    blobs, c_cal = calibration_vectors()
    write_json("frames.json", {"protocol": "1.0", "frames": frames})
    write_json("streams.json", {"streams": stream_vectors()})
    write_json("control.json", {"device": DEVICE, "responses": responses})
    write_json("calibration.json", {"blobs": blobs})
    write_text("c-frames.txt", [
        GENERATED,
        "Valid protocol 1.0 frames as lt_frame_encode inputs, one per line:",
        "  name sequence timestamp_us channels samples flags n counts[n] hex",
        "flags is the caller's (ADC_SATURATED left for the encoder to derive); counts are",
        "channel-major and may lie beyond the rails, which the encoder clamps.",
    ], c_frames)
    d = DEVICE
    write_text("c-control.txt", [
        GENERATED,
        "Control responses a device configured as below must produce, one per line:",
        "  name clock_us bmRequestType bRequest wValue wIndex wLength hex steps...",
        "hex is '-' for no bytes. Steps, run in order on a freshly initialised device with",
        "erased calibration flash before the request: set_rate=HZ, write_calibration=BLOB",
        "(a name from c-calibration.txt), start_stream, push_samples=K (never polled),",
        "stop_stream. clock_us is what the device clock reads during the request.",
        "",
        "device serial fw_major fw_minor fw_patch adc_model channels initial_rate_hz",
        "       supported_rates nominal_offset nominal_counts_per_gram capabilities",
    ], ["device %s %d %d %d %s %d %d %d %d %r %d" % (
        d["serial"], d["fw_major"], d["fw_minor"], d["fw_patch"], d["adc_model"], d["channels"],
        d["initial_rate_hz"], d["supported_rates"], d["nominal_offset"],
        d["nominal_counts_per_gram"], d["capabilities"])] + c_control)
    write_text("c-calibration.txt", [
        GENERATED,
        "Calibration blobs and the lt_cal_status expected from lt_cal_blob_validate:",
        "  name expected_serial status hex",
        "status is ok, empty, too_short, bad_magic, unsupported_version, length_mismatch,",
        "bad_degree, bad_channel_count, crc_mismatch or serial_mismatch; hex is '-' for no bytes.",
    ], c_cal)


if __name__ == "__main__":
    main()
