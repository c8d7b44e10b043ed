//! A minimal zip writer: just what an xlsx needs, so that a part can be written from
//! data we deflated ourselves (in parallel) or copied still compressed from another zip.
//!
//! Entries stay under zip's 4 GiB limits (an inventory sheet holds at most 1,048,576
//! rows; its XML is far below that with real values); a part or file that would pass
//! them is an error, never a damaged file.

use std::io::{self, Seek, SeekFrom, Write};

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_CENTRAL: u32 = 0x0605_4b50;
/// Deflate.
pub const DEFLATED: u16 = 8;
/// 1980-01-01 00:00, as Excel and rust_xlsxwriter write it.
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = (1 << 5) | 1;

/// One part as it is stored.
struct Entry {
    name: String,
    method: u16,
    crc: u32,
    compressed: u32,
    size: u32,
    offset: u32,
}

pub struct ZipFile<W: Write + Seek> {
    out: W,
    entries: Vec<Entry>,
}

fn too_large(what: &str) -> io::Error {
    io::Error::other(format!(
        "{what} passes the 4 GiB a workbook part may hold; nothing was written"
    ))
}

fn u32_of(n: u64, what: &str) -> io::Result<u32> {
    u32::try_from(n).map_err(|_| too_large(what))
}

impl<W: Write + Seek> ZipFile<W> {
    pub fn new(out: W) -> Self {
        ZipFile {
            out,
            entries: Vec::new(),
        }
    }

    /// Writes a part whose data `write` produces (already compressed with `method`),
    /// returning (crc, compressed, uncompressed) as `write` reports them.
    pub fn add<F>(&mut self, name: &str, method: u16, write: F) -> io::Result<()>
    where
        F: FnOnce(&mut W) -> io::Result<(u32, u64, u64)>,
    {
        let offset = u32_of(self.out.stream_position()?, "the workbook")?;
        self.local_header(name, method, 0, 0, 0)?;
        let (crc, compressed, size) = write(&mut self.out)?;
        let compressed = u32_of(compressed, name)?;
        let size = u32_of(size, name)?;
        let end = self.out.stream_position()?;
        // Sizes and CRC are known now: put them in the header written before the data.
        self.out.seek(SeekFrom::Start(u64::from(offset)))?;
        self.local_header(name, method, crc, compressed, size)?;
        self.out.seek(SeekFrom::Start(end))?;
        self.entries.push(Entry {
            name: name.to_string(),
            method,
            crc,
            compressed,
            size,
            offset,
        });
        Ok(())
    }

    fn local_header(
        &mut self,
        name: &str,
        method: u16,
        crc: u32,
        compressed: u32,
        size: u32,
    ) -> io::Result<()> {
        let o = &mut self.out;
        o.write_all(&LOCAL_HEADER.to_le_bytes())?;
        o.write_all(&20u16.to_le_bytes())?; // version needed
        o.write_all(&0u16.to_le_bytes())?; // flags
        o.write_all(&method.to_le_bytes())?;
        o.write_all(&DOS_TIME.to_le_bytes())?;
        o.write_all(&DOS_DATE.to_le_bytes())?;
        o.write_all(&crc.to_le_bytes())?;
        o.write_all(&compressed.to_le_bytes())?;
        o.write_all(&size.to_le_bytes())?;
        o.write_all(&(name.len() as u16).to_le_bytes())?;
        o.write_all(&0u16.to_le_bytes())?; // extra field length
        o.write_all(name.as_bytes())
    }

    /// Writes the central directory; the writer is returned for a final flush.
    pub fn finish(mut self) -> io::Result<W> {
        let start = u32_of(self.out.stream_position()?, "the workbook")?;
        for e in &self.entries {
            let o = &mut self.out;
            o.write_all(&CENTRAL_HEADER.to_le_bytes())?;
            o.write_all(&20u16.to_le_bytes())?; // version made by
            o.write_all(&20u16.to_le_bytes())?; // version needed
            o.write_all(&0u16.to_le_bytes())?; // flags
            o.write_all(&e.method.to_le_bytes())?;
            o.write_all(&DOS_TIME.to_le_bytes())?;
            o.write_all(&DOS_DATE.to_le_bytes())?;
            o.write_all(&e.crc.to_le_bytes())?;
            o.write_all(&e.compressed.to_le_bytes())?;
            o.write_all(&e.size.to_le_bytes())?;
            o.write_all(&(e.name.len() as u16).to_le_bytes())?;
            o.write_all(&[0u8; 8])?; // extra, comment, disk, internal attributes
            o.write_all(&0u32.to_le_bytes())?; // external attributes
            o.write_all(&e.offset.to_le_bytes())?;
            o.write_all(e.name.as_bytes())?;
        }
        let end = u32_of(self.out.stream_position()?, "the workbook")?;
        let count = u16::try_from(self.entries.len()).map_err(|_| too_large("the part list"))?;
        let o = &mut self.out;
        o.write_all(&END_OF_CENTRAL.to_le_bytes())?;
        o.write_all(&[0u8; 4])?; // disk numbers
        o.write_all(&count.to_le_bytes())?;
        o.write_all(&count.to_le_bytes())?;
        o.write_all(&(end - start).to_le_bytes())?;
        o.write_all(&start.to_le_bytes())?;
        o.write_all(&0u16.to_le_bytes())?; // comment length
        Ok(self.out)
    }
}
