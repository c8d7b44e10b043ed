//! The string pool behind every cell: values that repeat are stored once, and a
//! symbol is 4 bytes.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

/// A handle to a pooled string; `Sym(0)` is the empty string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(super) struct Sym(pub(super) u32);

/// Strings in fixed-size chunks: the pool grows without ever copying what it holds,
/// so its peak memory is what it stores, not twice that.
pub(super) struct StringPool {
    chunks: Vec<String>,
    /// Per symbol, packed: chunk (upper 24 bits), offset (20 bits), length (20 bits).
    spans: Vec<u64>,
    /// Interned symbols with 32 bits of their text's hash: growing the index and
    /// telling most values apart never reads the strings (a cache miss each).
    index: HashTable<(u32, u32)>,
    hasher: DefaultHashBuilder,
    /// The longest value stored, in bytes.
    pub(super) longest: usize,
}

const CHUNK: usize = 1 << 20;
const OFFSET_BITS: u32 = 20;
const LEN_BITS: u32 = 20;

impl StringPool {
    pub(super) fn new() -> Self {
        StringPool {
            chunks: Vec::new(),
            spans: vec![0],
            index: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
            longest: 0,
        }
    }

    pub(super) fn get(&self, sym: Sym) -> &str {
        span_text(&self.chunks, self.spans[sym.0 as usize])
    }

    /// Stores a value that is likely to repeat, once.
    pub(super) fn intern(&mut self, s: &str) -> Sym {
        if s.is_empty() {
            return Sym(0);
        }
        let short = self.hasher.hash_one(s) as u32;
        let Self {
            chunks,
            spans,
            index,
            longest,
            ..
        } = self;
        let found = index.find(spread(short), |(id, h)| {
            *h == short && span_text(chunks, spans[*id as usize]) == s
        });
        if let Some((id, _)) = found {
            return Sym(*id);
        }
        let id = push(chunks, spans, s);
        *longest = (*longest).max(s.len());
        index.insert_unique(spread(short), (id.0, short), |(_, h)| spread(*h));
        id
    }

    /// Stores a value that will not repeat (an identifier, an address), unindexed.
    pub(super) fn store(&mut self, s: &str) -> Sym {
        if s.is_empty() {
            return Sym(0);
        }
        self.longest = self.longest.max(s.len());
        push(&mut self.chunks, &mut self.spans, s)
    }
}

/// The index's 64-bit hash from the 32 kept: multiplied out, so both the high bits
/// (the index's tag) and the low bits (its bucket) vary.
fn spread(short: u32) -> u64 {
    u64::from(short).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn push(chunks: &mut Vec<String>, spans: &mut Vec<u64>, s: &str) -> Sym {
    // Values are cut to the model's limit (MAX_VALUE_CHARS, at most 256 KiB) before
    // they get here, so every value fits a chunk and its length field.
    debug_assert!(s.len() < CHUNK);
    if chunks.last().is_none_or(|c| c.len() + s.len() > CHUNK) {
        chunks.push(String::with_capacity(CHUNK.max(s.len())));
    }
    let chunk = chunks.len() - 1;
    let text = &mut chunks[chunk];
    let offset = text.len();
    text.push_str(s);
    let id = spans.len() as u32;
    spans.push(
        ((chunk as u64) << (OFFSET_BITS + LEN_BITS))
            | ((offset as u64) << LEN_BITS)
            | s.len() as u64,
    );
    Sym(id)
}

/// The text of a packed span.
fn span_text(chunks: &[String], span: u64) -> &str {
    if span == 0 {
        return "";
    }
    let chunk = (span >> (OFFSET_BITS + LEN_BITS)) as usize;
    let offset = ((span >> LEN_BITS) & ((1 << OFFSET_BITS) - 1)) as usize;
    let len = (span & ((1 << LEN_BITS) - 1)) as usize;
    &chunks[chunk][offset..offset + len]
}
