//! Looking at eight bytes at a time (SWAR): cell text and JSON strings are scanned for
//! a few bytes that need care, and one test per word beats one per byte.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The word of `bytes` (exactly eight), little-endian.
pub fn word(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(bytes);
    u64::from_le_bytes(word)
}

/// Whether some byte of `x` is below `n` (at most 0x80). Exact as a yes or no.
pub fn has_below(x: u64, n: u8) -> bool {
    x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH != 0
}

/// Whether some byte of `x` is `b`.
pub fn has(x: u64, b: u8) -> bool {
    has_below(x ^ (ONES * u64::from(b)), 1)
}

/// Where the first byte that `hit` picks is, or `bytes.len()`. `word_hit` says of
/// eight bytes at once whether one of them is such a byte (exactly), so the bytes are
/// looked at one by one only in the word that holds it and after the last whole word.
pub fn find(bytes: &[u8], word_hit: impl Fn(u64) -> bool, hit: impl Fn(u8) -> bool) -> usize {
    let mut at = 0;
    for chunk in bytes.chunks_exact(8) {
        if word_hit(word(chunk)) {
            break;
        }
        at += 8;
    }
    at + bytes[at..]
        .iter()
        .position(|b| hit(*b))
        .unwrap_or(bytes.len() - at)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn words_answer_as_their_bytes_do(bytes in proptest::array::uniform8(proptest::prelude::any::<u8>()), b in proptest::prelude::any::<u8>(), n in 0u8..=0x80) {
            let x = word(&bytes);
            proptest::prop_assert_eq!(has(x, b), bytes.contains(&b));
            proptest::prop_assert_eq!(has_below(x, n), bytes.iter().any(|c| *c < n));
        }

        #[test]
        fn find_gives_the_first_byte_picked(bytes in proptest::collection::vec(b'a'..=b'e', 0..40), b in b'a'..=b'f') {
            let at = find(&bytes, |x| has(x, b), |c| c == b);
            proptest::prop_assert_eq!(at, bytes.iter().position(|c| *c == b).unwrap_or(bytes.len()));
        }
    }
}
