"""QUIC Initial decryption against RFC 9001 / RFC 9369 test vectors and our own encryptor, and QUIC
flows read from captures."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from privprobe.ingest import quic
from privprobe.ingest.pcap import PcapReader
from privprobe.ingest.tls import ClientHello, NotClientHello
from privprobe.model import CaptureId, Flow, Transport
from privprobe.plugins import ReadContext
from tests.ingest.pcapgen import (
    CLIENT,
    QUIC_DRAFT29,
    QUIC_V1,
    QUIC_V2,
    SERVER,
    QuicVersionSpec,
    client_hello,
    crypto_frame,
    quic_initial,
    timed,
    udp,
    write_pcap,
)


def read_flows(path: Path) -> list[Flow]:
    return list(PcapReader().read(path, ReadContext(capture=CaptureId(1))))


RFC_DCID = bytes.fromhex("8394c8f03e515708")
# RFC 9001 Appendix A.2: the client's CRYPTO frame (a ClientHello for example.com), unprotected.
RFC_CRYPTO_FRAME = bytes.fromhex(
    "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e86804fe3a47f06a2b69484c0000041301"
    "1302010000c000000010000e00000b6578616d706c652e636f6dff01000100000a00080006001d0017001800100007"
    "000504616c706e000500050100000000003300260024001d00209370b2c9caa47fbabaf4559fedba753de171fa71f5"
    "0f1ce15d43e994ec74d748002b0003020304000d0010000e0403050306030203080408050806002d00020101001c00"
    "024001003900320408ffffffffffffffff05048000ffff07048000ffff0801100104800075300901100f088394c8f0"
    "3e51570806048000ffff"
)


@pytest.mark.parametrize(
    ("version", "key", "iv", "hp"),
    [  # RFC 9001 Appendix A.1 and RFC 9369 Appendix A.1
        (
            quic.V1,
            "1f369613dd76d5467730efcbe3b1a22d",
            "fa044b2f42a3fd3b46fb255c",
            "9f50449e04a0e810283a1e9933adedd2",
        ),
        (
            quic.V2,
            "8b1a0bc121284290a29e0971b5cd045d",
            "91f73e2351d8fa91660e909f",
            "45b95e15235d6f45a6b19cbcb0294ba9",
        ),
    ],
)
def test_initial_keys_match_the_rfc_vectors(version: quic.QuicVersion, key: str, iv: str, hp: str) -> None:
    keys = quic.initial_keys(version, RFC_DCID)
    assert (keys.key.hex(), keys.iv.hex(), keys.hp.hex()) == (key, iv, hp)


@pytest.mark.parametrize(
    ("spec", "protected_start"),
    [  # the first 32 bytes of the protected packets of RFC 9001 A.2 and RFC 9369 A.2
        (QUIC_V1, "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11"),
        (QUIC_V2, "d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485"),
    ],
)
def test_encryptor_reproduces_the_rfc_packets(spec: QuicVersionSpec, protected_start: str) -> None:
    packet = quic_initial(RFC_CRYPTO_FRAME, dcid=RFC_DCID, scid=b"", spec=spec, pn=2)
    assert len(packet) == 1200 and packet[:32].hex() == protected_start
    reader = quic.InitialReader()
    assert reader.feed(packet) == ClientHello("example.com", ("alpn",))


@pytest.mark.parametrize("spec", [QUIC_V1, QUIC_V2, QUIC_DRAFT29], ids=["v1", "v2", "draft-29"])
def test_crypto_frames_out_of_order_across_two_initials(spec: QuicVersionSpec) -> None:
    hello = client_hello("video.example", alpn=["h3"], padding=1500)  # too big for one packet
    cut1, cut2 = 700, 1300
    second = crypto_frame(cut2, hello[cut2:]) + b"\x01" + crypto_frame(cut1, hello[cut1:cut2])
    first = crypto_frame(0, hello[:cut1])
    dcid = b"\xaa" * 8
    reader = quic.InitialReader()
    assert reader.feed(quic_initial(second, dcid=dcid, spec=spec, pn=1, size=1400)) is None
    assert reader.feed(quic_initial(first, dcid=dcid, spec=spec, pn=0)) == ClientHello(
        "video.example", ("h3",)
    )
    assert reader.version is not None and reader.version.salt == spec.salt


def test_keys_stay_those_of_the_first_dcid() -> None:
    """After the server picks a connection id, the client's Initials keep the original keys."""
    hello = client_hello("keys.example", padding=1500)
    original, server_chosen = b"\x01" * 8, b"\x02" * 8
    reader = quic.InitialReader()
    assert reader.feed(quic_initial(crypto_frame(0, hello[:900]), dcid=original)) is None
    later = quic_initial(crypto_frame(900, hello[900:]), dcid=server_chosen, keys_from=original, pn=1)
    assert reader.feed(later) == ClientHello("keys.example")


def test_coalesced_packets_in_one_datagram() -> None:
    hello = client_hello("coalesced.example")
    dcid = b"\x05" * 8
    first = quic_initial(crypto_frame(0, hello[:100]), dcid=dcid, size=0)
    second = quic_initial(crypto_frame(100, hello[100:]), dcid=dcid, pn=1, size=0)
    assert quic.InitialReader().feed(first + second + b"\x40short-header-junk") == ClientHello(
        "coalesced.example"
    )


def test_frames_of_an_initial_payload() -> None:
    payload = b"\x00\x00\x01" + b"\x02\x05\x00\x01\x00\x00\x02" + crypto_frame(3, b"abc") + bytes(20)
    assert quic.crypto_frames(payload) == [(3, b"abc")]
    assert quic.varint(bytes.fromhex("c2197c5eff14e88c"), 0) == (151288809941952652, 8)  # RFC 9000 §A.1
    assert quic.varint(bytes.fromhex("7bbd"), 0) == (15293, 2)


def test_what_is_not_a_client_hello() -> None:
    server_hello = b"\x02\x00\x00\x04abcd"
    with pytest.raises(NotClientHello):
        quic.InitialReader().feed(quic_initial(crypto_frame(0, server_hello), dcid=b"\x07" * 8))
    wrong_keys = quic_initial(crypto_frame(0, client_hello("x.example")), dcid=b"\x07" * 8)
    tampered = wrong_keys[:-1] + bytes([wrong_keys[-1] ^ 1])
    assert quic.InitialReader().feed(tampered) is None
    unknown_version = b"\xc0\x0a\x0a\x0a\x0a" + wrong_keys[5:]
    assert quic.long_packets(unknown_version) == []


def test_gquic_client_hello_in_clear() -> None:
    values = b"www.example.org" + b"Chrome/50"
    chlo = b"CHLO" + (2).to_bytes(2, "little") + b"\x00\x00" + b"SNI\x00" + (15).to_bytes(4, "little")
    chlo += b"UAID" + (24).to_bytes(4, "little") + values
    packet = b"\x0d" + bytes(8) + b"Q025" + b"\x01" + bytes(12) + b"\x80\x01\x00\x00" + chlo
    assert quic.gquic_hello(packet) == ("Q025", ClientHello("www.example.org"))
    assert quic.gquic_hello(b"\x0d" + bytes(8) + b"Q025" + b"no hello here") is None
    assert quic.gquic_hello(b"\xc3" + b"\x00\x00\x00\x01" + b"CHLO" + bytes(40)) is None


@given(st.binary(max_size=1500))
def test_hostile_datagrams_never_crash(datagram: bytes) -> None:
    with contextlib.suppress(NotClientHello):
        quic.InitialReader().feed(datagram)
    quic.gquic_hello(datagram)
    quic.gquic_hello(b"\x0d" + bytes(8) + b"Q043" + datagram)


@given(st.binary(max_size=200), st.sampled_from([QUIC_V1, QUIC_V2]))
def test_hostile_decrypted_payloads_never_crash(frames: bytes, spec: QuicVersionSpec) -> None:
    with contextlib.suppress(NotClientHello):
        quic.InitialReader().feed(quic_initial(frames, dcid=b"\x09" * 8, spec=spec))


# --- QUIC flows in captures --------------------------------------------------------------------


@pytest.mark.parametrize("spec", [QUIC_V1, QUIC_V2], ids=["v1", "v2"])
def test_quic_initials_split_and_out_of_order(tmp_path: Path, spec: QuicVersionSpec) -> None:
    hello = client_hello("video.example", alpn=["h3"], padding=1400)
    dcid = b"\x42" * 8
    late = quic_initial(
        crypto_frame(900, hello[900:]) + crypto_frame(400, hello[400:900]), dcid=dcid, spec=spec, pn=1
    )
    early = quic_initial(b"\x01" + crypto_frame(0, hello[:400]), dcid=dcid, spec=spec)
    packets = [udp(CLIENT, SERVER, 51000, 443, late), udp(CLIENT, SERVER, 51000, 443, early),
               udp(SERVER, CLIENT, 443, 51000, b"\xc0" + bytes(60))]  # fmt: skip
    [flow] = read_flows(write_pcap(tmp_path / "q.pcap", timed(packets)))
    assert (flow.transport, flow.host, flow.name_source) == (Transport.QUIC, "video.example", "quic-sni")
    assert flow.notes == (f"quic {'v1' if spec is QUIC_V1 else 'v2'}", "alpn h3")
    assert (flow.client_ip, flow.server_port, flow.bytes_received) == (CLIENT, 443, 61)


def test_quic_on_another_port_is_recognised_by_its_header(tmp_path: Path) -> None:
    initial = quic_initial(crypto_frame(0, client_hello("alt.example")), dcid=b"\x01" * 8)
    [flow] = read_flows(write_pcap(tmp_path / "q.pcap", timed([udp(CLIENT, SERVER, 51000, 8443, initial)])))
    assert (flow.transport, flow.host) == (Transport.QUIC, "alt.example")
