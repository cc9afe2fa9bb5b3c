//! SPDY/3.1 framing, as kubectl and client-go speak it for port-forward: control frames
//! (SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE) and
//! data frames, read from a byte stream that may split or join frames anywhere.
//!
//! Header blocks are zlib streams with the SPDY/3 preset dictionary; each direction keeps
//! one compression context for the whole session and ends every block with a sync flush.
//! flate2 (zlib-rs backend) does the compression: it is the maintained zlib binding of the
//! Rust ecosystem and, unlike its miniz backend, supports preset dictionaries.
//!
//! Flow control is not implemented, as in `moby/spdystream` (the SPDY library of
//! client-go and the kubelet): WINDOW_UPDATE and SETTINGS are read and ignored.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use crate::Error;

const VERSION: u16 = 3;
const SYN_STREAM: u16 = 1;
const SYN_REPLY: u16 = 2;
const RST_STREAM: u16 = 3;
const PING: u16 = 6;
const GOAWAY: u16 = 7;
/// The FIN flag of data frames and SYN_STREAM/SYN_REPLY/HEADERS.
const FLAG_FIN: u8 = 0x01;
/// The largest frame payload (24-bit length).
pub(crate) const MAX_PAYLOAD: usize = 0xff_ffff;
/// The largest decompressed header block accepted.
const MAX_HEADER_BLOCK: usize = 256 * 1024;

/// RST_STREAM status: the stream was malformed.
pub(crate) const PROTOCOL_ERROR: u32 = 1;

/// The names the SPDY/3 dictionary lists with a 4-byte big-endian length before each.
const DICTIONARY_WORDS: &[&str] = &[
    "options",
    "head",
    "post",
    "put",
    "delete",
    "trace",
    "accept",
    "accept-charset",
    "accept-encoding",
    "accept-language",
    "accept-ranges",
    "age",
    "allow",
    "authorization",
    "cache-control",
    "connection",
    "content-base",
    "content-encoding",
    "content-language",
    "content-length",
    "content-location",
    "content-md5",
    "content-range",
    "content-type",
    "date",
    "etag",
    "expect",
    "expires",
    "from",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "last-modified",
    "location",
    "max-forwards",
    "pragma",
    "proxy-authenticate",
    "proxy-authorization",
    "range",
    "referer",
    "retry-after",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "vary",
    "via",
    "warning",
    "www-authenticate",
    "method",
    "get",
    "status",
    "200 OK",
    "version",
    "HTTP/1.1",
    "url",
    "public",
    "set-cookie",
    "keep-alive",
    "origin",
];

/// The text that ends the SPDY/3 dictionary (status codes and phrases, dates, types).
const DICTIONARY_TAIL: &str = concat!(
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505",
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request",
    "401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented",
    "503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 ",
    "Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,",
    "application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=",
    "gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.",
);

/// The SPDY/3 header compression dictionary (1423 bytes).
fn dictionary() -> Vec<u8> {
    let mut d = Vec::with_capacity(1423);
    for w in DICTIONARY_WORDS {
        d.put_u32(w.len() as u32);
        d.extend_from_slice(w.as_bytes());
    }
    d.extend_from_slice(DICTIONARY_TAIL.as_bytes());
    d
}

fn protocol(msg: impl Into<String>) -> Error {
    Error::Spdy(msg.into())
}

/// A frame received from the peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Frame {
    /// The peer opens a stream.
    SynStream {
        /// Stream id (odd for client-initiated streams).
        stream_id: u32,
        /// The peer sends nothing more on it.
        fin: bool,
        /// Header names (lower case) and values.
        headers: Vec<(String, String)>,
    },
    /// Bytes on a stream.
    Data {
        /// Stream id.
        stream_id: u32,
        /// The peer sends nothing more on it.
        fin: bool,
        /// The payload.
        data: Bytes,
    },
    /// The peer aborts a stream.
    RstStream {
        /// Stream id.
        stream_id: u32,
    },
    /// A PING to echo (or the answer to ours).
    Ping(u32),
    /// The peer ends the session.
    GoAway,
    /// Frames without effect here: SYN_REPLY, SETTINGS, HEADERS, WINDOW_UPDATE, NOOP and
    /// unknown types.
    Ignored,
}

/// One side of a SPDY/3.1 session: parses what the peer sends and encodes what we send,
/// with the two header compression contexts of the session.
pub(crate) struct Codec {
    input: BytesMut,
    inflate: Decompress,
    deflate: Compress,
    dictionary: Vec<u8>,
}

impl std::fmt::Debug for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Codec")
            .field("buffered", &self.input.len())
            .finish_non_exhaustive()
    }
}

impl Codec {
    /// A codec at the start of a session.
    pub(crate) fn new() -> Result<Self, Error> {
        let dictionary = dictionary();
        let mut deflate = Compress::new(Compression::default(), true);
        deflate
            .set_dictionary(&dictionary)
            .map_err(|e| protocol(format!("header compressor: {e}")))?;
        Ok(Self {
            input: BytesMut::new(),
            inflate: Decompress::new(true),
            deflate,
            dictionary,
        })
    }

    /// Appends bytes received from the peer.
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        self.input.extend_from_slice(bytes);
    }

    /// The next complete frame of the input, if one is buffered.
    pub(crate) fn next_frame(&mut self) -> Result<Option<Frame>, Error> {
        if self.input.len() < 8 {
            return Ok(None);
        }
        let len = u32::from_be_bytes([0, self.input[5], self.input[6], self.input[7]]) as usize;
        if self.input.len() < 8 + len {
            return Ok(None);
        }
        let mut head = self.input.split_to(8);
        let mut payload = self.input.split_to(len).freeze();
        let first = head.get_u32();
        let flags = head.get_u8();
        let fin = flags & FLAG_FIN != 0;
        if first & 0x8000_0000 == 0 {
            return Ok(Some(Frame::Data {
                stream_id: first & 0x7fff_ffff,
                fin,
                data: payload,
            }));
        }
        let version = ((first >> 16) & 0x7fff) as u16;
        if version != VERSION {
            return Err(protocol(format!("unsupported SPDY version {version}")));
        }
        let kind = (first & 0xffff) as u16;
        let short = |need: usize| {
            if len < need {
                Err(protocol(format!(
                    "control frame of type {kind} is {len} bytes, needs {need}"
                )))
            } else {
                Ok(())
            }
        };
        let frame = match kind {
            SYN_STREAM => {
                short(10)?;
                let stream_id = payload.get_u32() & 0x7fff_ffff;
                payload.advance(6); // associated stream, priority, slot
                let block = self.inflate_block(&payload)?;
                Frame::SynStream {
                    stream_id,
                    fin,
                    headers: parse_headers(&block)?,
                }
            }
            SYN_REPLY => {
                // Keep the shared decompression context in step.
                short(4)?;
                payload.advance(4);
                self.inflate_block(&payload)?;
                Frame::Ignored
            }
            8 => {
                // HEADERS: same as SYN_REPLY.
                short(4)?;
                payload.advance(4);
                self.inflate_block(&payload)?;
                Frame::Ignored
            }
            RST_STREAM => {
                short(8)?;
                Frame::RstStream {
                    stream_id: payload.get_u32() & 0x7fff_ffff,
                }
            }
            PING => {
                short(4)?;
                Frame::Ping(payload.get_u32())
            }
            GOAWAY => Frame::GoAway,
            _ => Frame::Ignored,
        };
        Ok(Some(frame))
    }

    /// Decompresses one header block with the session's inflate context.
    fn inflate_block(&mut self, block: &[u8]) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(block.len() * 4 + 64);
        let mut pos = 0;
        loop {
            if out.len() == out.capacity() {
                out.reserve(out.capacity());
            }
            let (in0, out0) = (self.inflate.total_in(), self.inflate.total_out());
            let r = self
                .inflate
                .decompress_vec(&block[pos..], &mut out, FlushDecompress::Sync);
            pos += (self.inflate.total_in() - in0) as usize;
            match r {
                Err(e) if e.needs_dictionary().is_some() => {
                    self.inflate
                        .set_dictionary(&self.dictionary)
                        .map_err(|e| protocol(format!("header dictionary: {e}")))?;
                }
                Err(e) => return Err(protocol(format!("header block: {e}"))),
                Ok(Status::StreamEnd) => return Err(protocol("header stream ended")),
                Ok(_) => {
                    let progressed =
                        self.inflate.total_in() != in0 || self.inflate.total_out() != out0;
                    if pos == block.len() && out.len() < out.capacity() || !progressed {
                        break;
                    }
                }
            }
            if out.len() > MAX_HEADER_BLOCK {
                return Err(protocol("header block too large"));
            }
        }
        if pos != block.len() {
            return Err(protocol("header block has trailing bytes"));
        }
        Ok(out)
    }

    /// Compresses one header block with the session's deflate context (sync flush).
    fn deflate_block(&mut self, headers: &[(&str, &str)]) -> Result<Vec<u8>, Error> {
        let mut raw = Vec::new();
        raw.put_u32(headers.len() as u32);
        for (k, v) in headers {
            raw.put_u32(k.len() as u32);
            raw.extend_from_slice(k.as_bytes());
            raw.put_u32(v.len() as u32);
            raw.extend_from_slice(v.as_bytes());
        }
        let mut out = Vec::with_capacity(raw.len() + 64);
        let mut pos = 0;
        loop {
            if out.len() == out.capacity() {
                out.reserve(out.capacity());
            }
            let in0 = self.deflate.total_in();
            self.deflate
                .compress_vec(&raw[pos..], &mut out, FlushCompress::Sync)
                .map_err(|e| protocol(format!("compressing headers: {e}")))?;
            pos += (self.deflate.total_in() - in0) as usize;
            // A sync flush is complete once all input is taken and output space is left.
            if pos == raw.len() && out.len() < out.capacity() {
                return Ok(out);
            }
        }
    }

    /// A SYN_REPLY accepting `stream_id`, with no headers.
    pub(crate) fn syn_reply(&mut self, stream_id: u32) -> Result<Bytes, Error> {
        let block = self.deflate_block(&[])?;
        let mut f = BytesMut::with_capacity(12 + block.len());
        control_header(&mut f, SYN_REPLY, 0, 4 + block.len());
        f.put_u32(stream_id);
        f.extend_from_slice(&block);
        Ok(f.freeze())
    }
}

fn control_header(f: &mut BytesMut, kind: u16, flags: u8, len: usize) {
    f.put_u16(0x8000 | VERSION);
    f.put_u16(kind);
    f.put_u32((u32::from(flags) << 24) | len as u32);
}

/// A data frame (`data` at most [`MAX_PAYLOAD`] bytes); `fin` half-closes the stream.
pub(crate) fn data(stream_id: u32, data: &[u8], fin: bool) -> Bytes {
    let mut f = BytesMut::with_capacity(8 + data.len());
    f.put_u32(stream_id & 0x7fff_ffff);
    f.put_u32((u32::from(if fin { FLAG_FIN } else { 0 }) << 24) | data.len() as u32);
    f.extend_from_slice(data);
    f.freeze()
}

/// A RST_STREAM frame.
pub(crate) fn rst_stream(stream_id: u32, status: u32) -> Bytes {
    let mut f = BytesMut::with_capacity(16);
    control_header(&mut f, RST_STREAM, 0, 8);
    f.put_u32(stream_id);
    f.put_u32(status);
    f.freeze()
}

/// A PING frame (the answer to a peer's PING carries its id).
pub(crate) fn ping(id: u32) -> Bytes {
    let mut f = BytesMut::with_capacity(12);
    control_header(&mut f, PING, 0, 4);
    f.put_u32(id);
    f.freeze()
}

/// Parses a decompressed header block: a count, then length-prefixed names and values.
fn parse_headers(mut b: &[u8]) -> Result<Vec<(String, String)>, Error> {
    let take = |b: &mut &[u8]| -> Result<String, Error> {
        if b.len() < 4 {
            return Err(protocol("truncated header block"));
        }
        let n = b.get_u32() as usize;
        if b.len() < n {
            return Err(protocol("truncated header block"));
        }
        let s = String::from_utf8_lossy(&b[..n]).into_owned();
        b.advance(n);
        Ok(s)
    };
    if b.len() < 4 {
        return Err(protocol("truncated header block"));
    }
    let count = b.get_u32();
    let mut headers = Vec::new();
    for _ in 0..count {
        let name = take(&mut b)?.to_ascii_lowercase();
        let value = take(&mut b)?;
        headers.push((name, value));
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_is_the_spdy3_one() {
        let d = dictionary();
        assert_eq!(d.len(), 1423);
        // The Adler-32 that zlib streams compressed with this dictionary name (DICTID).
        let mut c = Compress::new(Compression::default(), true);
        assert_eq!(c.set_dictionary(&d).unwrap(), 0xe3c6_a7c2);
    }

    /// Encodes a SYN_STREAM the way a client does, with `client` as its compressor.
    fn syn_stream(client: &mut Codec, id: u32, headers: &[(&str, &str)]) -> Bytes {
        let block = client.deflate_block(headers).unwrap();
        let mut f = BytesMut::new();
        control_header(&mut f, SYN_STREAM, 0, 10 + block.len());
        f.put_u32(id);
        f.put_u32(0);
        f.put_u16(0);
        f.extend_from_slice(&block);
        f.freeze()
    }

    #[test]
    fn frames_split_anywhere_parse_with_one_header_context() {
        let mut client = Codec::new().unwrap();
        let mut wire = Vec::new();
        wire.extend_from_slice(&syn_stream(
            &mut client,
            1,
            &[("streamtype", "error"), ("port", "80"), ("requestid", "0")],
        ));
        wire.extend_from_slice(&syn_stream(
            &mut client,
            3,
            &[("streamtype", "data"), ("port", "80"), ("requestid", "0")],
        ));
        wire.extend_from_slice(&data(3, b"hello", true));
        wire.extend_from_slice(&ping(1));
        wire.extend_from_slice(&rst_stream(3, 5));
        let mut server = Codec::new().unwrap();
        let mut frames = Vec::new();
        for chunk in wire.chunks(3) {
            server.push(chunk);
            while let Some(f) = server.next_frame().unwrap() {
                frames.push(f);
            }
        }
        let header = |t: &str| {
            vec![
                ("streamtype".to_string(), t.to_string()),
                ("port".to_string(), "80".to_string()),
                ("requestid".to_string(), "0".to_string()),
            ]
        };
        assert_eq!(
            frames,
            vec![
                Frame::SynStream {
                    stream_id: 1,
                    fin: false,
                    headers: header("error")
                },
                Frame::SynStream {
                    stream_id: 3,
                    fin: false,
                    headers: header("data")
                },
                Frame::Data {
                    stream_id: 3,
                    fin: true,
                    data: Bytes::from_static(b"hello")
                },
                Frame::Ping(1),
                Frame::RstStream { stream_id: 3 },
            ]
        );
    }

    #[test]
    fn replies_decompress_in_sequence() {
        let mut server = Codec::new().unwrap();
        let mut client = Codec::new().unwrap();
        for id in [1, 3, 5] {
            client.push(&server.syn_reply(id).unwrap());
            assert_eq!(client.next_frame().unwrap(), Some(Frame::Ignored));
        }
        assert!(client.input.is_empty());
    }

    #[test]
    fn a_foreign_version_is_refused() {
        let mut c = Codec::new().unwrap();
        c.push(&[0x80, 2, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1]);
        assert!(c.next_frame().is_err());
    }
}
