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
    }
}
