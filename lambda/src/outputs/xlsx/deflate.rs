//! Deflate on every core, pigz-style: the data is cut into 256 KiB chunks, each deflated
//! on its own thread primed with the 32 KiB before it as its dictionary and ended with
//! a sync flush, so the chunks, in order, form one valid deflate stream (the last one
//! ends it). The CRC-32 is taken as the data goes by. Memory stays at a few chunks in
//! flight, however large the sheet.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use flate2::{Compress, Compression, FlushCompress, Status};

const CHUNK: usize = 256 * 1024;
const WINDOW: usize = 32 * 1024;

struct Job {
    dictionary: Vec<u8>,
    data: Vec<u8>,
    last: bool,
    reply: SyncSender<io::Result<Vec<u8>>>,
}

/// What was written: CRC-32 and size of the data, size of the deflated stream.
pub struct Deflated {
    pub crc: u32,
    pub size: u64,
    pub compressed: u64,
}

/// Deflates everything `produce` writes into `out` at `level` (1-9).
pub fn deflate_parallel<W: Write>(
    out: &mut W,
    level: u32,
    produce: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<Deflated> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (jobs_tx, jobs_rx) = sync_channel::<Job>(threads);
    let jobs_rx = Arc::new(Mutex::new(jobs_rx));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let rx = Arc::clone(&jobs_rx);
            scope.spawn(move || work(&rx, level));
        }
        let mut chunks = Chunks {
            out,
            jobs: jobs_tx,
            pending: VecDeque::new(),
            in_flight: threads + 1,
            buffer: Vec::with_capacity(CHUNK + 64 * 1024),
            previous_tail: Vec::new(),
            crc: crc32fast::Hasher::new(),
            size: 0,
            compressed: 0,
        };
        produce(&mut chunks)?;
        chunks.finish()
        // Dropping `chunks` closes the job queue, so the workers end.
    })
}

fn work(rx: &Mutex<Receiver<Job>>, level: u32) {
    loop {
        let next = rx.lock().map(|r| r.recv());
        let Ok(Ok(job)) = next else {
            return;
        };
        let result = compress(level, &job.dictionary, &job.data, job.last);
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

/// The producer's side: a `Write` that hands out full chunks and writes the deflated
/// ones back in order.
struct Chunks<'a, W: Write> {
    out: &'a mut W,
    jobs: SyncSender<Job>,
    pending: VecDeque<Receiver<io::Result<Vec<u8>>>>,
    in_flight: usize,
    buffer: Vec<u8>,
    previous_tail: Vec<u8>,
    crc: crc32fast::Hasher,
    size: u64,
    compressed: u64,
}

impl<W: Write> Chunks<'_, W> {
    fn submit(&mut self, last: bool) -> io::Result<()> {
        let data = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK + 64 * 1024));
        self.crc.update(&data);
        self.size += data.len() as u64;
        let tail = data[data.len().saturating_sub(WINDOW)..].to_vec();
        let dictionary = std::mem::replace(&mut self.previous_tail, tail);
        let (reply, result) = sync_channel(1);
        self.jobs
            .send(Job {
                dictionary,
                data,
                last,
                reply,
            })
            .map_err(|_| io::Error::other("the deflate workers stopped"))?;
        self.pending.push_back(result);
        while self.pending.len() > self.in_flight {
            self.write_oldest()?;
        }
        Ok(())
    }

    fn write_oldest(&mut self) -> io::Result<()> {
        if let Some(result) = self.pending.pop_front() {
            let deflated = result
                .recv()
                .map_err(|_| io::Error::other("a deflate worker stopped"))??;
            self.compressed += deflated.len() as u64;
            self.out.write_all(&deflated)?;
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<Deflated> {
        self.submit(true)?;
        while !self.pending.is_empty() {
            self.write_oldest()?;
        }
        Ok(Deflated {
            crc: self.crc.clone().finalize(),
            size: self.size,
            compressed: self.compressed,
        })
    }
}

impl<W: Write> Write for Chunks<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= CHUNK {
            self.submit(false)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn round_trip(data: &[u8], level: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let d = deflate_parallel(&mut out, level, |w| {
            // Odd write sizes, so chunk edges fall anywhere.
            for piece in data.chunks(7919) {
                w.write_all(piece)?;
            }
            Ok(())
        })
        .unwrap();
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
    fn chunks_form_one_stream_at_every_level() {
        let mut data = Vec::new();
        let mut x = 1u64;
        while data.len() < 3 * CHUNK + 12345 {
            // Repetitive text with some noise: references cross chunk edges.
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            data.extend_from_slice(
                format!("<row r=\"{}\"><c>{}</c></row>", x % 1000, x >> 60).as_bytes(),
            );
        }
        for level in [1, 3, 6] {
            assert_eq!(round_trip(&data, level), data, "level {level}");
        }
        assert_eq!(round_trip(b"", 3), b"");
        assert_eq!(round_trip(b"small", 3), b"small");
    }
}
