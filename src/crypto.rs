//! Keys and the primitives built on them: ID-number encryption and keyed hashing, passwords and
//! session tokens.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{Context, anyhow};
use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

/// The 32-byte master secret and the purpose keys derived from it.
#[derive(Clone)]
pub struct Keys {
    id_hash: [u8; 32],
    id_encryption: [u8; 32],
    /// Signs the scan codes in QR codes.
    pub qr: [u8; 32],
    /// Signs the volunteers' personal codes 志愿者码.
    pub personal_code: [u8; 32],
    /// Signs the content of certificates 志愿服务记录证明.
    pub certificate: [u8; 32],
    /// Derives each session's token for the console's forms.
    csrf: [u8; 32],
    /// Stored in the database at first start so that a wrong key is refused instead of silently
    /// making every stored ID number unreadable.
    pub fingerprint: String,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Keys({})", self.fingerprint)
    }
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

impl Keys {
    pub fn from_master(master: &[u8; 32]) -> Self {
        Keys {
            id_hash: hmac(master, b"vledger id-number hash v1"),
            id_encryption: hmac(master, b"vledger id-number encryption v1"),
            qr: hmac(master, b"vledger scan code v1"),
            personal_code: hmac(master, b"vledger personal code v1"),
            certificate: hmac(master, b"vledger certificate v1"),
            csrf: hmac(master, b"vledger form token v1"),
            fingerprint: hex::encode(&hmac(master, b"vledger key fingerprint v1")[..8]),
        }
    }

    /// Reads a master secret written as 64 hex characters.
    pub fn from_hex(s: &str) -> anyhow::Result<Self> {
        let bytes = hex::decode(s.trim()).context("the secret key is not hex")?;
        let master: [u8; 32] = bytes
            .try_into()
            .map_err(|_| anyhow!("the secret key must be 32 bytes (64 hex characters)"))?;
        Ok(Keys::from_master(&master))
    }

    pub fn generate_hex() -> String {
        let mut master = [0u8; 32];
        OsRng.fill_bytes(&mut master);
        hex::encode(master)
    }

    /// The token the console's forms carry for the session whose token hashes to `session_hash`:
    /// another site cannot know it, so it cannot post a form in the session's name.
    pub fn csrf_token(&self, session_hash: &str) -> String {
        hex::encode(&hmac(&self.csrf, session_hash.as_bytes())[..16])
    }

    /// Whether `given` is the form token of the session `session_hash` (compared in constant time).
    pub fn csrf_matches(&self, session_hash: &str, given: &str) -> bool {
        let expected = self.csrf_token(session_hash);
        expected.len() == given.len()
            && expected
                .bytes()
                .zip(given.bytes())
                .fold(0, |differ, (a, b)| differ | (a ^ b))
                == 0
    }

    /// The keyed hash through which an ID number is found and kept unique.
    pub fn id_number_hash(&self, id_number: &str) -> String {
        hex::encode(hmac(&self.id_hash, id_number.as_bytes()))
    }

    /// AES-256-GCM with a random nonce; the nonce is stored in front of the ciphertext.
    pub fn encrypt_id_number(&self, id_number: &str) -> Vec<u8> {
        let cipher = Aes256Gcm::new((&self.id_encryption).into());
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), id_number.as_bytes())
            .expect("AES-GCM encryption of a short text cannot fail");
        [nonce.as_slice(), &sealed].concat()
    }

    pub fn decrypt_id_number(&self, stored: &[u8]) -> anyhow::Result<String> {
        if stored.len() < 12 {
            return Err(anyhow!("stored ID number is truncated"));
        }
        let cipher = Aes256Gcm::new((&self.id_encryption).into());
        let plain = cipher
            .decrypt(Nonce::from_slice(&stored[..12]), &stored[12..])
            .map_err(|_| anyhow!("stored ID number does not decrypt with this key"))?;
        Ok(String::from_utf8(plain)?)
    }
}

/// Memory of one new password hash, in KiB.
pub const PASSWORD_MEMORY_KIB: u32 = 12 * 1024;

/// argon2id with 12 MiB, 3 passes and 1 lane: one of OWASP's equivalent settings, chosen for the
/// smallest memory, since every hashing worker holds that much.
fn password_params() -> Params {
    Params::new(PASSWORD_MEMORY_KIB, 3, 1, None).expect("valid argon2 parameters")
}

/// The working memory of argon2, allocated once and kept by a hashing thread: freed and
/// allocated again for each password, megabytes at a time, it fragments the allocator's arenas.
#[derive(Default)]
pub struct HashMemory(Vec<Block>);

impl HashMemory {
    fn blocks(&mut self, params: &Params) -> &mut [Block] {
        let n = params.block_count();
        if self.0.len() < n {
            self.0.resize(n, Block::default());
        }
        &mut self.0[..n]
    }
}

/// Hashes a password; slow on purpose. Called through `app::passwords`, which bounds how many
/// run at once.
pub fn hash_password(password: &str, memory: &mut HashMemory) -> String {
    let salt = SaltString::generate(&mut OsRng);
    let params = password_params();
    let mut raw_salt = [0u8; 64];
    let raw_salt = salt
        .decode_b64(&mut raw_salt)
        .expect("a generated salt decodes");
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(
            password.as_bytes(),
            raw_salt,
            &mut out,
            memory.blocks(&params),
        )
        .expect("argon2id accepts any password");
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into().expect("argon2 parameters print"),
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).expect("a 32-byte output")),
    }
    .to_string()
}

/// Checks `password` against a stored PHC string, with the algorithm and parameters that string
/// names (so hashes made with other settings still verify); with no stored hash it still spends
/// the same time, so that a missing account cannot be told from a wrong password by timing.
pub fn verify_password(password: &str, stored: Option<&str>, memory: &mut HashMemory) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (
            DUMMY
                .get_or_init(|| hash_password("not a password", memory))
                .as_str(),
            false,
        ),
    };
    let ok = PasswordHash::new(hash)
        .map(|parsed| verifies(password, &parsed, memory))
        .unwrap_or(false);
    ok && real
}

fn verifies(password: &str, hash: &PasswordHash, memory: &mut HashMemory) -> bool {
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    let algorithm = Algorithm::try_from(hash.algorithm);
    let version = Version::try_from(hash.version.unwrap_or(0x13));
    let (Ok(algorithm), Ok(version), Ok(params)) = (algorithm, version, Params::try_from(hash))
    else {
        return false;
    };
    let mut raw_salt = [0u8; 64];
    let Ok(raw_salt) = salt.decode_b64(&mut raw_salt) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let blocks = memory.blocks(&params);
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), raw_salt, &mut out, blocks)
        .is_ok()
        && Output::new(&out).is_ok_and(|computed| computed == expected)
}

/// A new session token (sent to the client once) and the hash under which it is stored.
pub fn new_session_token() -> (String, String) {
    let mut raw = [0u8; 32];
    OsRng.fill_bytes(&mut raw);
    let token = URL_SAFE_NO_PAD.encode(raw);
    let hash = session_token_hash(&token);
    (token, hash)
}

pub fn session_token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_encrypt_and_hash_under_the_key() {
        let keys = Keys::from_master(&[7; 32]);
        let sealed = keys.encrypt_id_number("11010519491231002X");
        assert!(!String::from_utf8_lossy(&sealed).contains("1949"));
        assert_eq!(
            keys.decrypt_id_number(&sealed).unwrap(),
            "11010519491231002X"
        );
        assert_ne!(
            keys.encrypt_id_number("11010519491231002X"),
            sealed,
            "nonce is random"
        );
        assert_eq!(keys.id_number_hash("x"), keys.id_number_hash("x"));
        let other = Keys::from_master(&[8; 32]);
        assert_ne!(other.id_number_hash("x"), keys.id_number_hash("x"));
        assert!(other.decrypt_id_number(&sealed).is_err());
    }

    #[test]
    fn passwords_verify_only_with_the_right_text() {
        let memory = &mut HashMemory::default();
        let h = hash_password("correct horse", memory);
        assert!(h.starts_with("$argon2id$v=19$m=12288,t=3,p=1$"), "{h}");
        assert!(verify_password("correct horse", Some(&h), memory));
        assert!(!verify_password("wrong", Some(&h), memory));
        assert!(!verify_password("not a password", None, memory));
        assert!(!verify_password(
            "correct horse",
            Some("$argon2id$garbage"),
            memory
        ));
    }

    #[test]
    fn hashes_made_by_the_argon2_crate_verify_with_their_own_parameters() {
        use argon2::password_hash::PasswordHasher;
        let memory = &mut HashMemory::default();
        let salt = SaltString::generate(&mut OsRng);
        let former = Argon2::default()
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        assert!(
            former.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{former}"
        );
        let argon2i = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x10,
            Params::new(64, 1, 2, None).unwrap(),
        )
        .hash_password(b"correct horse", &salt)
        .unwrap()
        .to_string();
        for stored in [former, argon2i] {
            assert!(
                verify_password("correct horse", Some(&stored), memory),
                "{stored}"
            );
            assert!(!verify_password("wrong", Some(&stored), memory), "{stored}");
        }
        let ours = hash_password("correct horse", memory);
        use argon2::password_hash::PasswordVerifier;
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
    }
}
