//! Deflate on every core, pigz-style, with the rendering on every core too. A part
//! is made of pieces ([`Pieces`]) that any thread can render on its own; each is
//! rendered and deflated by a worker, primed with the bytes before it as its dictionary
//! (the worker renders them again: a few rows) and ended with a sync flush, so the
//! pieces, in order, form one valid deflate stream (the last one ends it). Their
//! CRC-32s are combined. Memory stays at a few pieces in flight, however large the part.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;

use flate2::{Compress, Compression, FlushCompress, Status};

/// Deflate's window: the most of the bytes before a piece a back-reference can reach.
pub const WINDOW: usize = 32 * 1024;

/// A part's bytes as pieces that can be rendered on any thread, in any order.
pub trait Pieces: Sync {
    /// At least one.
    fn count(&self) -> usize;
    /// Appends piece `piece` to `buf`.
    fn render(&self, piece: usize, buf: &mut Vec<u8>);
    /// Appends bytes that end exactly where `piece` begins: about [`WINDOW`] of them
    /// (fewer only costs compression), none before the first piece.
    fn tail_before(&self, piece: usize, buf: &mut Vec<u8>);
}

/// One deflated piece: the deflated bytes, and the CRC-32 and size of the rendered ones.
type Done = io::Result<(Vec<u8>, crc32fast::Hasher, u64)>;

struct Job {
    piece: usize,
    reply: SyncSender<Done>,
}

/// What was written: CRC-32 and size of the data, size of the deflated stream.
pub struct Deflated {
    pub crc: u32,
    pub size: u64,
    pub compressed: u64,
}

/// Renders and deflates every piece into `out`, in order, at `level` (1-9).
pub fn deflate_pieces<W: Write>(
    out: &mut W,
    level: u32,
    pieces: &dyn Pieces,
) -> io::Result<Deflated> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (jobs_tx, jobs_rx) = sync_channel::<Job>(threads);
    let jobs_rx = Mutex::new(jobs_rx);
    let count = pieces.count();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let rx = &jobs_rx;
            scope.spawn(move || work(rx, pieces, level, count));
        }
        let mut pending: VecDeque<Receiver<Done>> = VecDeque::new();
        let mut crc = crc32fast::Hasher::new();
        let (mut size, mut compressed) = (0u64, 0u64);
        let mut write_oldest = |pending: &mut VecDeque<Receiver<Done>>| -> io::Result<()> {
            if let Some(result) = pending.pop_front() {
                let (deflated, piece_crc, piece_size) = result
                    .recv()
                    .map_err(|_| io::Error::other("a deflate worker stopped"))??;
                crc.combine(&piece_crc);
                size += piece_size;
                compressed += deflated.len() as u64;
                out.write_all(&deflated)?;
            }
            Ok(())
        };
        for piece in 0..count {
            let (reply, result) = sync_channel(1);
            jobs_tx
                .send(Job { piece, reply })
                .map_err(|_| io::Error::other("the deflate workers stopped"))?;
            pending.push_back(result);
            while pending.len() > threads + 1 {
                write_oldest(&mut pending)?;
            }
        }
        drop(jobs_tx);
        while !pending.is_empty() {
            write_oldest(&mut pending)?;
        }
        Ok(Deflated {
            crc: crc.finalize(),
            size,
            compressed,
        })
    })
}

fn work(rx: &Mutex<Receiver<Job>>, pieces: &dyn Pieces, level: u32, count: usize) {
    let (mut data, mut dictionary) = (Vec::new(), Vec::new());
    loop {
        let next = rx.lock().map(|r| r.recv());
        let Ok(Ok(job)) = next else {
            return;
        };
        data.clear();
        dictionary.clear();
        pieces.render(job.piece, &mut data);
        pieces.tail_before(job.piece, &mut dictionary);
        let window = &dictionary[dictionary.len().saturating_sub(WINDOW)..];
        let mut crc = crc32fast::Hasher::new();
        crc.update(&data);
        let result = compress(level, window, &data, job.piece + 1 == count)
            .map(|deflated| (deflated, crc, data.len() as u64));
        // The producer waits on every reply it asked for; a failed send means it gave up.
        let _ = job.reply.send(result);
    }
}

fn compress(level: u32, dictionary: &[u8], data: &[u8], last: bool) -> io::Result<Vec<u8>> {
    let mut c = Compress::new(Compression::new(level), false);
    if !dictionary.is_empty() {
        c.set_dictionary(dictionary).map_err(io::Error::other)?;
    }
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    let mut out = Vec::with_capacity(data.len() / 2 + 4096);
    loop {
        if out.capacity() - out.len() < 4096 {
            out.reserve(out.capacity());
        }
        let consumed = c.total_in() as usize;
        let status = c
            .compress_vec(&data[consumed..], &mut out, flush)
            .map_err(io::Error::other)?;
        let all_in = c.total_in() as usize == data.len();
        // Done when the stream ended (last chunk), or when all input is in and the
        // flush left room to spare (zlib's sign that it is complete).
        let done = if last {
            status == Status::StreamEnd
        } else {
            all_in && out.len() < out.capacity()
        };
        if done {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// Data cut at given offsets; `tail` bytes of dictionary (fewer is allowed).
    struct Cut<'a> {
        data: &'a [u8],
        edges: Vec<usize>,
        tail: usize,
    }

    impl Pieces for Cut<'_> {
        fn count(&self) -> usize {
            self.edges.len() - 1
        }
        fn render(&self, piece: usize, buf: &mut Vec<u8>) {
            buf.extend_from_slice(&self.data[self.edges[piece]..self.edges[piece + 1]]);
        }
        fn tail_before(&self, piece: usize, buf: &mut Vec<u8>) {
            let end = self.edges[piece];
            buf.extend_from_slice(&self.data[end.saturating_sub(self.tail)..end]);
        }
    }

    fn round_trip(data: &[u8], level: u32, piece: usize, tail: usize) -> Vec<u8> {
        let mut edges: Vec<usize> = (0..data.len()).step_by(piece).collect();
        edges.push(data.len());
        if edges.len() == 1 {
            edges.push(0);
        }
        let cut = Cut { data, edges, tail };
        let mut out = Vec::new();
        let d = deflate_pieces(&mut out, level, &cut).unwrap();
        assert_eq!(d.size, data.len() as u64);
        assert_eq!(d.compressed, out.len() as u64);
        assert_eq!(d.crc, crc32fast::hash(data));
        let mut back = Vec::new();
        flate2::read::DeflateDecoder::new(&out[..])
            .read_to_end(&mut back)
            .unwrap();
        back
    }

    #[test]
    fn pieces_form_one_stream_at_every_level() {
        let mut data = Vec::new();
        let mut x = 1u64;
        while data.len() < 3_000_000 {
            // Repetitive text with some noise: references cross piece edges.
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            data.extend_from_slice(
                format!("<row r=\"{}\"><c>{}</c></row>", x % 1000, x >> 60).as_bytes(),
            );
        }
        for level in [1, 3, 6] {
            for (piece, tail) in [(262_147, WINDOW), (100_003, 5_000), (7919, 2 * WINDOW)] {
                assert_eq!(
                    round_trip(&data, level, piece, tail),
                    data,
                    "level {level}, pieces of {piece}, {tail} bytes before"
                );
            }
        }
        assert_eq!(round_trip(b"", 3, 10, WINDOW), b"");
        assert_eq!(round_trip(b"small", 3, 10, WINDOW), b"small");
    }
}
