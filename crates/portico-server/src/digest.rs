//! Digests written as text: lower-case hex, as Portico stores link hashes and signs webhooks.
//!
//! `hex::encode` builds its string a `char` at a time; a portal page writes three digests (the
//! link's, the browser's, the CSRF token), so they are written into a buffer instead.

use sha2::{Digest, Sha256};

/// `bytes` in lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = vec![0u8; bytes.len() * 2];
    // The buffer is exactly twice the input, so encoding cannot fail; hex digits are ASCII.
    let _ = hex::encode_to_slice(bytes, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// The SHA-256 of `data`, in lower-case hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_what_the_hex_crate_writes() {
        for input in [&b""[..], b"\x00\x0f\xf0\xff", b"portico", &[0xab; 33]] {
            assert_eq!(hex(input), hex::encode(input));
        }
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
