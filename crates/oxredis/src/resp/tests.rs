//! Tests for the RESP decoder and encoder.

use bytes::{Bytes, BytesMut};

use super::{encode_value, Decoder, DecoderLimits};
use crate::{ErrorKind, ServerError, Value};

fn enc(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    encode_value(v, &mut out);
    out
}

/// Equality that treats NaN as equal to NaN (Debug prints every NaN as `NaN`).
fn assert_same(got: &Value, want: &Value, ctx: &str) {
    assert_eq!(format!("{got:?}"), format!("{want:?}"), "{ctx}");
}

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Decodes `input` whole, split at every byte boundary, byte by byte, back to back, and after
/// an encode round trip; every way must give `want` and consume exactly the frame.
fn check(input: &[u8], want: &Value) {
    let ctx = show(input);
    // Whole, with a trailing frame that must be left alone.
    let mut dec = Decoder::default();
    let mut buf = BytesMut::from(input);
    buf.extend_from_slice(b"+NEXT\r\n");
    let got = dec.decode(&mut buf).unwrap().expect("complete frame");
    assert_same(&got, want, &ctx);
    assert_eq!(
        &buf[..],
        b"+NEXT\r\n",
        "{ctx}: consumed the wrong number of bytes"
    );
    assert_eq!(
        dec.decode(&mut buf).unwrap(),
        Some(Value::Simple("NEXT".into()))
    );
    assert!(buf.is_empty());

    // Split at every boundary, with a fresh decoder each time.
    for i in 0..input.len() {
        let mut dec = Decoder::default();
        let mut buf = BytesMut::from(&input[..i]);
        assert_eq!(dec.decode(&mut buf).unwrap(), None, "{ctx}: split at {i}");
        assert_eq!(buf.len(), i, "{ctx}: consumed on None");
        buf.extend_from_slice(&input[i..]);
        let got = dec.decode(&mut buf).unwrap().expect("complete after split");
        assert_same(&got, want, &format!("{ctx}: split at {i}"));
        assert!(buf.is_empty(), "{ctx}: split at {i} left bytes");
    }

    // Byte by byte, with one decoder.
    let mut dec = Decoder::default();
    let mut buf = BytesMut::new();
    for (i, &b) in input.iter().enumerate() {
        buf.extend_from_slice(&[b]);
        let r = dec.decode(&mut buf).unwrap();
        if i + 1 < input.len() {
            assert_eq!(r, None, "{ctx}: byte {i}");
        } else {
            assert_same(&r.expect("complete at last byte"), want, &ctx);
            assert!(buf.is_empty());
        }
    }

    // Two frames back to back.
    let mut dec = Decoder::default();
    let mut buf = BytesMut::from(input);
    buf.extend_from_slice(input);
    assert_same(&dec.decode(&mut buf).unwrap().unwrap(), want, &ctx);
    assert_same(&dec.decode(&mut buf).unwrap().unwrap(), want, &ctx);
    assert!(buf.is_empty());
    assert_eq!(dec.decode(&mut buf).unwrap(), None);

    // Encode -> decode round trip.
    let encoded = enc(want);
    let mut buf = BytesMut::from(&encoded[..]);
    let got = Decoder::default().decode(&mut buf).unwrap().unwrap();
    assert_same(&got, want, &format!("round trip of {ctx}"));
    assert!(buf.is_empty());
}

fn bulk(s: &str) -> Value {
    Value::Bulk(Bytes::copy_from_slice(s.as_bytes()))
}

fn simple(s: &str) -> Value {
    Value::Simple(Bytes::copy_from_slice(s.as_bytes()))
}

#[test]
fn resp2_types() {
    check(b"+OK\r\n", &simple("OK"));
    check(b"+\r\n", &simple(""));
    check(
        b"-ERR unknown command 'foo'\r\n",
        &Value::Error(ServerError::from_line(b"ERR unknown command 'foo'")),
    );
    check(
        b"-WRONGTYPE Operation against a key\r\n",
        &Value::Error(ServerError::from_line(b"WRONGTYPE Operation against a key")),
    );
    check(b":1000\r\n", &Value::Int(1000));
    check(b":0\r\n", &Value::Int(0));
    check(b":-42\r\n", &Value::Int(-42));
    check(b":+7\r\n", &Value::Int(7));
    check(b":9223372036854775807\r\n", &Value::Int(i64::MAX));
    check(b":-9223372036854775808\r\n", &Value::Int(i64::MIN));
    check(b"$5\r\nhello\r\n", &bulk("hello"));
    check(b"$0\r\n\r\n", &bulk(""));
    check(b"$6\r\na\r\nb\r\n\r\n", &bulk("a\r\nb\r\n"));
    check(b"$-1\r\n", &Value::Nil);
    check(b"*-1\r\n", &Value::Nil);
    check(b"*0\r\n", &Value::Array(vec![]));
    check(
        b"*3\r\n$3\r\nfoo\r\n$-1\r\n:7\r\n",
        &Value::Array(vec![bulk("foo"), Value::Nil, Value::Int(7)]),
    );
    check(
        b"*2\r\n*2\r\n:1\r\n:2\r\n*0\r\n",
        &Value::Array(vec![
            Value::Array(vec![Value::Int(1), Value::Int(2)]),
            Value::Array(vec![]),
        ]),
    );
    check(
        b"*2\r\n+OK\r\n-ERR nested\r\n",
        &Value::Array(vec![
            simple("OK"),
            Value::Error(ServerError::from_line(b"ERR nested")),
        ]),
    );
}

#[test]
fn resp3_types() {
    check(b"_\r\n", &Value::Nil);
    check(b",1.23\r\n", &Value::Double(1.23));
    check(b",10\r\n", &Value::Double(10.0));
    check(b",-0.5\r\n", &Value::Double(-0.5));
    check(b",inf\r\n", &Value::Double(f64::INFINITY));
    check(b",-inf\r\n", &Value::Double(f64::NEG_INFINITY));
    check(b",nan\r\n", &Value::Double(f64::NAN));
    check(b",-nan\r\n", &Value::Double(f64::NAN));
    check(b",NAN\r\n", &Value::Double(f64::NAN));
    check(b",1.5e10\r\n", &Value::Double(1.5e10));
    check(b",1E-5\r\n", &Value::Double(1e-5));
    check(b",2.5e+3\r\n", &Value::Double(2500.0));
    check(b"#t\r\n", &Value::Boolean(true));
    check(b"#f\r\n", &Value::Boolean(false));
    check(
        b"(3492890328409238509324850943850943825024385\r\n",
        &Value::BigNumber("3492890328409238509324850943850943825024385".into()),
    );
    check(b"(-12\r\n", &Value::BigNumber("-12".into()));
    check(
        b"=15\r\ntxt:Some string\r\n",
        &Value::Verbatim {
            format: *b"txt",
            text: "Some string".into(),
        },
    );
    check(
        b"=4\r\nmkd:\r\n",
        &Value::Verbatim {
            format: *b"mkd",
            text: "".into(),
        },
    );
    check(
        b"!21\r\nSYNTAX invalid syntax\r\n",
        &Value::Error(ServerError::from_line(b"SYNTAX invalid syntax")),
    );
    check(
        b"%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n",
        &Value::Map(vec![
            (simple("first"), Value::Int(1)),
            (simple("second"), Value::Int(2)),
        ]),
    );
    check(b"%0\r\n", &Value::Map(vec![]));
    check(
        b"~3\r\n+a\r\n:1\r\n#t\r\n",
        &Value::Set(vec![simple("a"), Value::Int(1), Value::Boolean(true)]),
    );
    check(b"~0\r\n", &Value::Set(vec![]));
    check(
        b">3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$2\r\nhi\r\n",
        &Value::Push(vec![bulk("message"), bulk("chan"), bulk("hi")]),
    );
    check(
        b"%1\r\n*2\r\n:1\r\n:2\r\n%1\r\n_\r\n~1\r\n,1.5\r\n",
        &Value::Map(vec![(
            Value::Array(vec![Value::Int(1), Value::Int(2)]),
            Value::Map(vec![(Value::Nil, Value::Set(vec![Value::Double(1.5)]))]),
        )]),
    );
}

#[test]
fn attributes() {
    // The example from the RESP3 spec.
    check(
        b"|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
        &Value::Attribute {
            data: Box::new(Value::Array(vec![Value::Int(2039123), Value::Int(9543892)])),
            attributes: vec![(
                simple("key-popularity"),
                Value::Map(vec![
                    (bulk("a"), Value::Double(0.1923)),
                    (bulk("b"), Value::Double(0.0012)),
                ]),
            )],
        },
    );
    // Attribute before a nested element.
    check(
        b"*3\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n:2\r\n:3\r\n",
        &Value::Array(vec![
            Value::Int(1),
            Value::Attribute {
                data: Box::new(Value::Int(2)),
                attributes: vec![(simple("ttl"), Value::Int(3600))],
            },
            Value::Int(3),
        ]),
    );
    // Empty attribute, attribute on an aggregate, and an attribute on an attribute.
    check(
        b"|0\r\n:1\r\n",
        &Value::Attribute {
            data: Box::new(Value::Int(1)),
            attributes: vec![],
        },
    );
    check(
        b"|1\r\n+a\r\n+b\r\n|1\r\n+c\r\n+d\r\n*1\r\n+x\r\n",
        &Value::Attribute {
            data: Box::new(Value::Attribute {
                data: Box::new(Value::Array(vec![simple("x")])),
                attributes: vec![(simple("c"), simple("d"))],
            }),
            attributes: vec![(simple("a"), simple("b"))],
        },
    );
    assert_eq!(
        Value::Attribute {
            data: Box::new(Value::Int(1)),
            attributes: vec![],
        }
        .without_attributes(),
        Value::Int(1)
    );
}

#[test]
fn streamed() {
    check(
        b"$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n",
        &bulk("Hello word"),
    );
    check(b"$?\r\n;0\r\n", &bulk(""));
    check(b"$?\r\n;3\r\na\r\n\r\n;0\r\n", &bulk("a\r\n"));
    check(
        b"*?\r\n:1\r\n$?\r\n;2\r\nab\r\n;0\r\n*1\r\n:3\r\n.\r\n",
        &Value::Array(vec![
            Value::Int(1),
            bulk("ab"),
            Value::Array(vec![Value::Int(3)]),
        ]),
    );
    check(b"*?\r\n.\r\n", &Value::Array(vec![]));
    check(
        b"~?\r\n+a\r\n+b\r\n.\r\n",
        &Value::Set(vec![simple("a"), simple("b")]),
    );
    check(
        b"%?\r\n+a\r\n:1\r\n+b\r\n*?\r\n.\r\n.\r\n",
        &Value::Map(vec![
            (simple("a"), Value::Int(1)),
            (simple("b"), Value::Array(vec![])),
        ]),
    );
    check(b">?\r\n+m\r\n.\r\n", &Value::Push(vec![simple("m")]));
}

#[test]
fn bulk_payloads_are_zero_copy() {
    let mut buf = BytesMut::from(&b"*2\r\n$5\r\nhello\r\n=8\r\ntxt:abcd\r\n"[..]);
    let range = buf.as_ptr() as usize..buf.as_ptr() as usize + buf.len();
    let v = Decoder::default().decode(&mut buf).unwrap().unwrap();
    let Value::Array(items) = v else {
        panic!("not an array")
    };
    for item in &items {
        let p = item.as_bytes().unwrap().as_ptr() as usize;
        assert!(range.contains(&p), "payload was copied: {item:?}");
    }
}

fn protocol_error(input: &[u8], limits: DecoderLimits) {
    let mut dec = Decoder::new(limits);
    let mut buf = BytesMut::from(input);
    let err = loop {
        match dec.decode(&mut buf) {
            Err(e) => break e,
            Ok(None) => panic!(
                "{}: wanted an error, got None",
                show(&input[..input.len().min(60)])
            ),
            Ok(Some(_)) => {}
        }
    };
    assert_eq!(err.kind(), ErrorKind::Protocol, "{}", show(input));
    // The decoder is usable again after an error (on a fresh buffer).
    let mut fresh = BytesMut::from(&b":1\r\n"[..]);
    assert_eq!(dec.decode(&mut fresh).unwrap(), Some(Value::Int(1)));
}

fn hostile(input: &[u8]) {
    protocol_error(input, DecoderLimits::default());
}

#[test]
fn hostile_inputs_are_protocol_errors() {
    hostile(b"$9999999999999\r\n");
    hostile(b"*-5\r\n");
    hostile(b"$-2\r\n");
    hostile(b"%-1\r\n");
    hostile(b"!-1\r\n");
    hostile(b"?\r\n");
    hostile(b"x");
    hostile(b"\r\n");
    hostile(b"$3\r\nabcXY");
    hostile(b"$3\r\nabc\rX");
    hostile(b":12a\r\n");
    hostile(b":\r\n");
    hostile(b":-\r\n");
    hostile(b":1\rX");
    hostile(b":9223372036854775808\r\n");
    hostile(b":-9223372036854775809\r\n");
    hostile(b"*99999999999999999999\r\n");
    hostile(b"*9999999999999999999\r\n");
    hostile(b"$abc\r\n");
    hostile(b"$\r\n");
    hostile(b"+OK\rX");
    hostile(b"#x\r\n");
    hostile(b"#tt\r\n");
    hostile(b"_x\r\n");
    hostile(b",abc\r\n");
    hostile(b",\r\n");
    hostile(b"(12a\r\n");
    hostile(b"(\r\n");
    hostile(b"=3\r\ntxt\r\n");
    hostile(b"=1\r\na\r\n:1\r\n");
    hostile(b"=5\r\ntxt_a\r\n");
    hostile(b";4\r\nabcd\r\n");
    hostile(b".\r\n");
    hostile(b"*1\r\n.\r\n");
    hostile(b"$?\r\n:1\r\n");
    hostile(b"$?x\r\n");
    hostile(b"|?\r\n");
    hostile(b"%?\r\n+a\r\n.\r\n");
    hostile(b"*2\r\n:1\r\nz");
}

#[test]
fn limits_are_enforced() {
    let small = DecoderLimits {
        max_depth: 4,
        max_bulk_len: 10,
        max_elements: 5,
    };
    protocol_error(b"$11\r\n", small);
    protocol_error(b"!11\r\n", small);
    protocol_error(b"+0123456789ab", small);
    protocol_error(b"$?\r\n;6\r\nabcdef\r\n;6\r\n", small);
    protocol_error(b"*6\r\n", small);
    protocol_error(b"%6\r\n", small);
    protocol_error(b"|6\r\n", small);
    protocol_error(b"*?\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n", small);
    protocol_error(b"*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n", small);
    // At the limits is fine.
    let mut dec = Decoder::new(small);
    let mut buf = BytesMut::from(
        &b"$10\r\n0123456789\r\n*5\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n*1\r\n*1\r\n*1\r\n*1\r\n_\r\n"
            [..],
    );
    assert_eq!(dec.decode(&mut buf).unwrap(), Some(bulk("0123456789")));
    assert!(matches!(dec.decode(&mut buf).unwrap(), Some(Value::Array(v)) if v.len() == 5));
    assert!(dec.decode(&mut buf).unwrap().is_some());
    assert!(buf.is_empty());
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let mut input = b"*1\r\n".repeat(100_000);
    input.extend_from_slice(b":1\r\n");
    hostile(&input);
    // Also when it arrives in pieces.
    let mut dec = Decoder::default();
    let mut buf = BytesMut::new();
    let mut failed = false;
    for chunk in input.chunks(997) {
        buf.extend_from_slice(chunk);
        match dec.decode(&mut buf) {
            Ok(None) => {}
            Ok(Some(v)) => panic!("decoded {}", v.type_name()),
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Protocol);
                failed = true;
                break;
            }
        }
    }
    assert!(failed);
}

#[test]
fn max_default_depth_decodes_on_a_small_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            let mut ok = b"*1\r\n".repeat(512);
            ok.extend_from_slice(b":1\r\n");
            let mut buf = BytesMut::from(&ok[..]);
            let v = Decoder::default().decode(&mut buf).unwrap().unwrap();
            assert!(buf.is_empty());
            let mut depth = 0;
            let mut cur = &v;
            while let Value::Array(items) = cur {
                depth += 1;
                cur = &items[0];
            }
            assert_eq!(depth, 512);
            assert_eq!(enc(&v), ok);

            let mut too_deep = b"*1\r\n".repeat(513);
            too_deep.extend_from_slice(b":1\r\n");
            hostile(&too_deep);
        })
        .unwrap();
    handle.join().unwrap();
}

#[test]
fn large_reply_in_many_chunks() {
    let items: Vec<Value> = (0..10_000)
        .map(|i| Value::Bulk(Bytes::from(format!("value-{i}"))))
        .collect();
    let want = Value::Array(items);
    let mut bytes = enc(&want);
    let big = vec![b'x'; 1 << 20];
    let want_big = Value::Bulk(Bytes::from(big));
    bytes.extend_from_slice(&enc(&want_big));
    let mut dec = Decoder::default();
    let mut buf = BytesMut::new();
    let mut got = Vec::new();
    for chunk in bytes.chunks(1000) {
        buf.extend_from_slice(chunk);
        while let Some(v) = dec.decode(&mut buf).unwrap() {
            got.push(v);
        }
    }
    assert_eq!(got, vec![want, want_big]);
    assert!(buf.is_empty());
}

/// Small xorshift PRNG so the randomized tests need no dependencies.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn bytes(&mut self, max: u64) -> Vec<u8> {
        let n = self.below(max + 1);
        (0..n).map(|_| self.next() as u8).collect()
    }
    fn text(&mut self, max: u64) -> Vec<u8> {
        const ALPHABET: &[u8] = b"abcXYZ019 _-:";
        let n = self.below(max + 1);
        (0..n)
            .map(|_| ALPHABET[self.below(ALPHABET.len() as u64) as usize])
            .collect()
    }
}

fn random_value(rng: &mut Rng, depth: u32) -> Value {
    let leaf_only = depth == 0;
    let pick = rng.below(if leaf_only { 10 } else { 16 });
    match pick {
        0 => Value::Nil,
        1 => Value::Int(rng.next() as i64),
        2 => Value::Bulk(Bytes::from(rng.bytes(20))),
        3 => Value::Simple(Bytes::from(rng.text(12))),
        4 => Value::Error(ServerError::from_line(&rng.text(16))),
        5 => Value::Double(match rng.below(4) {
            0 => f64::INFINITY,
            1 => f64::NEG_INFINITY,
            2 => f64::NAN,
            _ => f64::from_bits(rng.next()),
        }),
        6 => Value::Boolean(rng.below(2) == 0),
        7 => {
            let mut digits = rng.below(10_u64.pow(12)).to_string().into_bytes();
            if rng.below(2) == 0 {
                digits.insert(0, b'-');
            }
            Value::BigNumber(Bytes::from(digits))
        }
        8 => {
            let f = rng.text(3);
            let mut format = *b"txt";
            for (d, s) in format.iter_mut().zip(f) {
                *d = s;
            }
            Value::Verbatim {
                format,
                text: Bytes::from(rng.bytes(20)),
            }
        }
        9 => Value::Int(rng.below(100) as i64 - 50),
        10 | 11 => {
            let n = rng.below(5);
            let items = (0..n).map(|_| random_value(rng, depth - 1)).collect();
            if pick == 10 {
                Value::Array(items)
            } else {
                Value::Set(items)
            }
        }
        12 => Value::Push(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth - 1))
                .collect(),
        ),
        13 | 14 => {
            let pairs: Vec<_> = (0..rng.below(4))
                .map(|_| (random_value(rng, depth - 1), random_value(rng, depth - 1)))
                .collect();
            if pick == 13 {
                Value::Map(pairs)
            } else {
                Value::Attribute {
                    data: Box::new(random_value(rng, depth - 1)),
                    attributes: pairs,
                }
            }
        }
        _ => Value::Array(vec![random_value(rng, depth - 1)]),
    }
}

#[test]
fn randomized_round_trips() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..2000 {
        let v = random_value(&mut rng, 4);
        let bytes = enc(&v);
        // Whole.
        let mut buf = BytesMut::from(&bytes[..]);
        let got = Decoder::default().decode(&mut buf).unwrap().unwrap();
        assert_same(&got, &v, &format!("round {round}"));
        assert!(buf.is_empty());
        // In random-sized chunks.
        let mut dec = Decoder::default();
        let mut buf = BytesMut::new();
        let mut rest = &bytes[..];
        let mut got = None;
        while !rest.is_empty() {
            let n = (rng.below(8) as usize + 1).min(rest.len());
            buf.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            if let Some(v) = dec.decode(&mut buf).unwrap() {
                assert!(rest.is_empty(), "round {round}: decoded early");
                got = Some(v);
            }
        }
        assert_same(&got.unwrap(), &v, &format!("round {round} chunked"));
        assert!(buf.is_empty());
    }
}

fn drain(dec: &mut Decoder, buf: &mut BytesMut) {
    // Each Some consumes at least one byte, so this terminates.
    while let Ok(Some(_)) = dec.decode(buf) {}
}

#[test]
fn random_garbage_never_panics() {
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    let limits = DecoderLimits {
        max_depth: 8,
        max_bulk_len: 64,
        max_elements: 16,
    };
    const TYPE_BYTES: &[u8] = b"+-:$*_,#(=!%~|>;.?\r\n0123456789-";
    for _ in 0..20_000 {
        // Pure garbage biased towards RESP-looking bytes.
        let n = rng.below(40) as usize;
        let garbage: Vec<u8> = (0..n)
            .map(|_| {
                if rng.below(3) == 0 {
                    rng.next() as u8
                } else {
                    TYPE_BYTES[rng.below(TYPE_BYTES.len() as u64) as usize]
                }
            })
            .collect();
        let mut buf = BytesMut::from(&garbage[..]);
        drain(&mut Decoder::new(limits), &mut buf);
        let mut buf = BytesMut::from(&garbage[..]);
        drain(&mut Decoder::default(), &mut buf);

        // A valid encoding with a few bytes mutated, fed in chunks.
        let mut bytes = enc(&random_value(&mut rng, 3));
        for _ in 0..=rng.below(3) {
            let i = rng.below(bytes.len() as u64) as usize;
            bytes[i] = if rng.below(2) == 0 {
                rng.next() as u8
            } else {
                TYPE_BYTES[rng.below(TYPE_BYTES.len() as u64) as usize]
            };
        }
        let mut dec = Decoder::new(limits);
        let mut buf = BytesMut::new();
        for chunk in bytes.chunks(rng.below(7) as usize + 1) {
            buf.extend_from_slice(chunk);
            drain(&mut dec, &mut buf);
        }
    }
}

/// Rough timing; run with `cargo test --release -p oxredis decode_speed -- --ignored --nocapture`.
#[test]
#[ignore]
#[expect(clippy::disallowed_types, reason = "a timing test measures wall time")]
fn decode_speed() {
    let cases = [
        (
            "10k bulk array",
            Value::Array(
                (0..10_000)
                    .map(|i| Value::Bulk(Bytes::from(format!("value-{i:05}"))))
                    .collect(),
            ),
        ),
        (
            "10k int array",
            Value::Array((0..10_000).map(Value::Int).collect()),
        ),
    ];
    for (name, v) in cases {
        let bytes = enc(&v);
        let iters = 500;
        let start = std::time::Instant::now();
        let mut dec = Decoder::default();
        for _ in 0..iters {
            let mut buf = BytesMut::from(&bytes[..]);
            let got = dec.decode(&mut buf).unwrap().unwrap();
            std::hint::black_box(got);
        }
        let per = start.elapsed() / iters;
        println!("{name}: {per:?} per reply ({} bytes)", bytes.len());
    }
}

/// What `Frame::for_each_flat` hands on for `input`: `Some(elements)` as values (a bulk
/// string's payload as `Value::Bulk`), `None` when it declines the frame.
fn flat_elements(input: &[u8]) -> Option<Vec<Value>> {
    let mut buf = BytesMut::from(input);
    let frame = Decoder::default().decode_frame(&mut buf).unwrap().unwrap();
    let mut seen = Vec::new();
    let done = frame.for_each_flat(|element| {
        seen.push(match element {
            super::FlatElement::Bulk { payload, .. } => {
                Value::Bulk(Bytes::copy_from_slice(payload))
            }
            super::FlatElement::Other(v) => v,
        });
        Ok(())
    })?;
    done.unwrap();
    Some(seen)
}

#[test]
fn for_each_flat_hands_on_each_element_of_a_flat_aggregate() {
    // Bulk strings (binary, empty, CRLF inside), nils of both protocols, and every other leaf,
    // in arrays and sets, counted; the fast loop and the single-element parse both run here.
    let nul = Value::Bulk(Bytes::from_static(b"a\0\r\n"));
    assert_eq!(
        flat_elements(b"*4\r\n$4\r\na\0\r\n\r\n$0\r\n\r\n$-1\r\n_\r\n"),
        Some(vec![nul, bulk(""), Value::Nil, Value::Nil])
    );
    assert_eq!(
        flat_elements(b"~3\r\n$1\r\nx\r\n:-7\r\n+OK\r\n"),
        Some(vec![bulk("x"), Value::Int(-7), simple("OK")])
    );
    assert_eq!(
        flat_elements(
            b"*5\r\n,1.5\r\n#t\r\n(12345678901234567890\r\n=8\r\ntxt:abcd\r\n$2\r\nzz\r\n"
        ),
        Some(vec![
            Value::Double(1.5),
            Value::Boolean(true),
            Value::BigNumber(Bytes::from_static(b"12345678901234567890")),
            Value::Verbatim {
                format: *b"txt",
                text: Bytes::from_static(b"abcd")
            },
            bulk("zz"),
        ])
    );
    assert_eq!(
        flat_elements(b"*2\r\n-ERR no\r\n!5\r\nE bad\r\n"),
        Some(vec![
            Value::Error(ServerError::from_line(b"ERR no")),
            Value::Error(ServerError::from_line(b"E bad")),
        ])
    );
    assert_eq!(flat_elements(b"*0\r\n"), Some(vec![]));
    // Streamed aggregates go the general way, and give the same.
    assert_eq!(
        flat_elements(b"*?\r\n$1\r\na\r\n:2\r\n.\r\n"),
        Some(vec![bulk("a"), Value::Int(2)])
    );
    // Declined: a nested aggregate (after the elements before it), a streamed string element,
    // a nil array, a map.
    assert_eq!(
        flat_elements(b"*3\r\n$1\r\na\r\n*1\r\n:1\r\n$1\r\nb\r\n"),
        None
    );
    assert_eq!(
        flat_elements(b"*2\r\n$1\r\na\r\n$?\r\n;1\r\nb\r\n;0\r\n"),
        None
    );
    assert_eq!(flat_elements(b"*-1\r\n"), None);
    assert_eq!(flat_elements(b"%1\r\n$1\r\nk\r\n$1\r\nv\r\n"), None);
}

#[test]
fn for_each_flat_stops_at_the_first_failed_element() {
    let mut buf = BytesMut::from(&b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"[..]);
    let frame = Decoder::default().decode_frame(&mut buf).unwrap().unwrap();
    let mut calls = 0;
    let done = frame.for_each_flat(|_| {
        calls += 1;
        if calls == 2 {
            Err(crate::Error::new(ErrorKind::Data, "second"))
        } else {
            Ok(())
        }
    });
    assert_eq!(calls, 2);
    assert_eq!(done.unwrap().unwrap_err().kind(), ErrorKind::Data);
}

/// Arrays of bulk strings take the scan's fast loop for all but their last element; what that
/// loop does not take (a nil, a sign, leading zeros, a split, a bad byte) the general step does,
/// with the same result and the same errors.
#[test]
fn arrays_of_bulk_strings_scan_like_any_other_frame() {
    check(
        b"*5\r\n$3\r\nabc\r\n$0\r\n\r\n$-1\r\n$+2\r\nhi\r\n$03\r\nxyz\r\n",
        &Value::Array(vec![
            bulk("abc"),
            bulk(""),
            Value::Nil,
            bulk("hi"),
            bulk("xyz"),
        ]),
    );
    // Payloads holding CR, LF and `$`, and a nested array after a run of bulk strings.
    check(
        b"*4\r\n$4\r\n\r\n\r\n\r\n$1\r\n$\r\n$2\r\n$1\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n",
        &Value::Array(vec![
            bulk("\r\n\r\n"),
            bulk("$"),
            bulk("$1"),
            Value::Array(vec![bulk("a"), bulk("b")]),
        ]),
    );
    // Read from the frame element by element, the same elements.
    assert_eq!(
        flat_elements(b"*4\r\n$+2\r\nhi\r\n$03\r\nxyz\r\n$-1\r\n$2\r\n$1\r\n"),
        Some(vec![bulk("hi"), bulk("xyz"), Value::Nil, bulk("$1")])
    );
    hostile(b"*3\r\n$1\r\na\r\n$2\r\nabX\r\n$1\r\nc\r\n");
    hostile(b"*3\r\n$1\r\na\r\n$2\r\nab\rX$1\r\nc\r\n");
    hostile(b"*3\r\n$1\r\na\r\n$1x\r\nb\r\n$1\r\nc\r\n");
    hostile(b"*3\r\n$1\r\na\r\n$\r\n$1\r\nc\r\n");
    hostile(b"*3\r\n$1\r\na\r\n$99999999999999999999\r\n$1\r\nc\r\n");
    let small = DecoderLimits {
        max_depth: 4,
        max_bulk_len: 10,
        max_elements: 5,
    };
    protocol_error(b"*3\r\n$1\r\na\r\n$11\r\n0123456789a\r\n$1\r\nc\r\n", small);
    // At the limit is fine.
    let mut dec = Decoder::new(small);
    let mut buf = BytesMut::from(&b"*3\r\n$1\r\na\r\n$10\r\n0123456789\r\n$1\r\nc\r\n"[..]);
    assert_eq!(
        dec.decode(&mut buf).unwrap(),
        Some(Value::Array(vec![bulk("a"), bulk("0123456789"), bulk("c")]))
    );
}

/// A whole bulk string at the top (the reply of a GET) skips the general scan; what that path
/// does not take (a nil, a sign, leading zeros, a split, a bad byte, a payload over the limit)
/// the scan does, with the same result and the same errors.
#[test]
fn top_level_bulk_strings_decode_like_any_other_frame() {
    check(b"$3\r\nabc\r\n", &bulk("abc"));
    check(b"$0\r\n\r\n", &bulk(""));
    check(b"$4\r\n\r\n\r\n\r\n", &bulk("\r\n\r\n"));
    check(b"$+2\r\nhi\r\n", &bulk("hi"));
    check(b"$03\r\nxyz\r\n", &bulk("xyz"));
    check(b"$-1\r\n", &Value::Nil);
    hostile(b"$2\r\nabX\r\n");
    hostile(b"$2\r\nab\rX");
    hostile(b"$1x\r\nb\r\n");
    hostile(b"$99999999999999999999\r\n");
    let small = DecoderLimits {
        max_depth: 4,
        max_bulk_len: 10,
        max_elements: 5,
    };
    protocol_error(b"$11\r\n0123456789a\r\n", small);
    // At the limit, and two replies in one read: each comes out whole, in order.
    let mut dec = Decoder::new(small);
    let mut buf = BytesMut::from(&b"$10\r\n0123456789\r\n$1\r\na\r\n$2\r\nb"[..]);
    assert_eq!(dec.decode(&mut buf).unwrap(), Some(bulk("0123456789")));
    assert_eq!(dec.decode(&mut buf).unwrap(), Some(bulk("a")));
    assert_eq!(dec.decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(b"c\r\n");
    assert_eq!(dec.decode(&mut buf).unwrap(), Some(bulk("bc")));
    assert!(buf.is_empty());
}
