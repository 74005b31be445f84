//! Web Push: a message encrypted for one subscription (RFC 8291, in the `aes128gcm` content
//! coding of RFC 8188: one record, ECDH P-256 with a fresh key per message, HKDF-SHA-256,
//! AES-128-GCM), and the application server's VAPID authorization (RFC 8292: an ES256 JWT and
//! its public key). All of it on aws-lc-rs; checked against RFC 8291's Appendix A.

use aws_lc_rs::agreement::{self, ECDH_P256, PrivateKey, UnparsedPublicKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use aws_lc_rs::{aead, hkdf};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::CryptoError;
use crate::keyring::SecretKey;

/// The size of a subscription's authentication secret.
pub const AUTH_SECRET_LEN: usize = 16;
/// The size of an uncompressed P-256 point.
pub const PUBLIC_KEY_LEN: usize = 65;
/// The record size written in the header: push services must accept 4096-byte bodies.
const RECORD_SIZE: u32 = 4096;
/// Header (86 bytes), delimiter and tag leave this much of a 4096-byte body for the message.
pub const MAX_PLAINTEXT: usize = 4096 - 86 - 1 - 16;

/// A subscription's keys, as the browser gave them: its P-256 public key (`p256dh`) and its
/// authentication secret (`auth`).
#[derive(Debug, Clone, Copy)]
pub struct Subscriber<'a> {
    pub p256dh: &'a [u8],
    pub auth: &'a [u8],
}

impl Subscriber<'_> {
    /// Checks the keys: an uncompressed point on P-256 and a 16-byte secret.
    pub fn check(&self) -> Result<(), CryptoError> {
        if self.auth.len() != AUTH_SECRET_LEN
            || self.p256dh.len() != PUBLIC_KEY_LEN
            || self.p256dh[0] != 0x04
        {
            return Err(CryptoError::Malformed);
        }
        // Agreeing with it is what parses the point and checks it is on the curve.
        let probe = PrivateKey::generate(&ECDH_P256).map_err(|_| CryptoError::Random)?;
        agreement::agree(
            &probe,
            UnparsedPublicKey::new(&ECDH_P256, self.p256dh),
            CryptoError::Malformed,
            |_| Ok(()),
        )
    }
}

/// Encrypts `plaintext` for the subscriber: the whole request body, with its header.
pub fn encrypt(to: Subscriber<'_>, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    to.check()?;
    let sender = PrivateKey::generate(&ECDH_P256).map_err(|_| CryptoError::Random)?;
    let mut salt = [0u8; 16];
    SystemRandom::new()
        .fill(&mut salt)
        .map_err(|_| CryptoError::Random)?;
    encrypt_with(&sender, salt, to, plaintext)
}

/// [`encrypt`] with a given sender key and salt (the RFC's example fixes both).
fn encrypt_with(
    sender: &PrivateKey,
    salt: [u8; 16],
    to: Subscriber<'_>,
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(CryptoError::Malformed);
    }
    let sender_public = sender
        .compute_public_key()
        .map_err(|_| CryptoError::Malformed)?;
    let sender_public = sender_public.as_ref();
    let ikm = agreement::agree(
        sender,
        UnparsedPublicKey::new(&ECDH_P256, to.p256dh),
        CryptoError::Malformed,
        |ecdh_secret| {
            // IKM = HKDF(auth, ecdh_secret, "WebPush: info" 0x00 ua_public as_public, 32).
            let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, to.auth).extract(ecdh_secret);
            let info: [&[u8]; 3] = [b"WebPush: info\0", to.p256dh, sender_public];
            let mut ikm = [0u8; 32];
            prk.expand(&info, hkdf::HKDF_SHA256)
                .and_then(|okm| okm.fill(&mut ikm))
                .map_err(|_| CryptoError::Malformed)?;
            Ok(ikm)
        },
    )?;
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, &salt).extract(&ikm);
    let mut cek = [0u8; 16];
    let mut nonce = [0u8; 12];
    prk.expand(&[b"Content-Encoding: aes128gcm\0"], Len(16))
        .and_then(|okm| okm.fill(&mut cek))
        .and_then(|()| prk.expand(&[b"Content-Encoding: nonce\0"], Len(12)))
        .and_then(|okm| okm.fill(&mut nonce))
        .map_err(|_| CryptoError::Malformed)?;
    let key = aead::UnboundKey::new(&aead::AES_128_GCM, &cek)
        .map(aead::LessSafeKey::new)
        .map_err(|_| CryptoError::Malformed)?;
    zeroize::Zeroize::zeroize(&mut cek);

    let mut body = Vec::with_capacity(86 + plaintext.len() + 1 + 16);
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(PUBLIC_KEY_LEN as u8);
    body.extend_from_slice(sender_public);
    let mut record = Vec::with_capacity(plaintext.len() + 1 + 16);
    record.extend_from_slice(plaintext);
    record.push(0x02); // the last (and only) record's delimiter
    key.seal_in_place_append_tag(
        aead::Nonce::assume_unique_for_key(nonce),
        aead::Aad::empty(),
        &mut record,
    )
    .map_err(|_| CryptoError::Malformed)?;
    body.extend_from_slice(&record);
    Ok(body)
}

/// An HKDF output length.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// The application server's VAPID key (ECDSA P-256), made from a 32-byte secret kept in the
/// key vault.
pub struct VapidKey {
    pair: EcdsaKeyPair,
}

impl std::fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapidKey").finish_non_exhaustive()
    }
}

impl VapidKey {
    /// The key whose private scalar is `secret` (or, in the rare case the secret is not a
    /// valid scalar, the first valid SHA-256 of it and a counter).
    pub fn from_secret(secret: &SecretKey) -> Result<Self, CryptoError> {
        let mut candidate = zeroize::Zeroizing::new(secret.bytes().to_vec());
        for counter in 0u8..=16 {
            if let Ok(private) = PrivateKey::from_private_key(&ECDH_P256, &candidate) {
                let public = private
                    .compute_public_key()
                    .map_err(|_| CryptoError::Malformed)?;
                let pair = EcdsaKeyPair::from_private_key_and_public_key(
                    &ECDSA_P256_SHA256_FIXED_SIGNING,
                    &candidate,
                    public.as_ref(),
                )
                .map_err(|_| CryptoError::Malformed)?;
                return Ok(Self { pair });
            }
            let mut next = candidate.to_vec();
            next.push(counter);
            candidate = zeroize::Zeroizing::new(crate::sha256(&next).to_vec());
            zeroize::Zeroize::zeroize(&mut next);
        }
        Err(CryptoError::Malformed)
    }

    /// The public key (uncompressed point): the browser's `applicationServerKey`.
    pub fn public_key(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    /// The `Authorization` header for a push to an endpoint of `audience` (its origin), valid
    /// until `expires` (Unix seconds, at most 24 hours ahead), naming `subject` as the contact.
    pub fn authorization(
        &self,
        audience: &str,
        expires: i64,
        subject: &str,
    ) -> Result<String, CryptoError> {
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = format!(
            r#"{{"aud":{},"exp":{expires},"sub":{}}}"#,
            json_string(audience),
            json_string(subject)
        );
        let signing_input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims));
        let signature = self
            .pair
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .map_err(|_| CryptoError::Random)?;
        Ok(format!(
            "vapid t={signing_input}.{}, k={}",
            URL_SAFE_NO_PAD.encode(signature.as_ref()),
            URL_SAFE_NO_PAD.encode(self.public_key())
        ))
    }
}

/// `text` as a JSON string (quotes and control characters escaped).
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(text: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(text).expect("base64url")
    }

    /// RFC 8291, section 5 and Appendix A: the example message, byte for byte.
    #[test]
    fn encrypts_the_rfc_8291_example_exactly() {
        let sender = PrivateKey::from_private_key(
            &ECDH_P256,
            &b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"),
        )
        .expect("as_private");
        let ua_public = b64(
            "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
        );
        let auth = b64("BTBZMqHH6r4Tts7J_aSIgg");
        let salt: [u8; 16] = b64("DGv6ra1nlYgDCS1FRnbzlw").try_into().expect("salt");
        let to = Subscriber {
            p256dh: &ua_public,
            auth: &auth,
        };
        to.check().expect("the RFC's keys are valid");
        let body = encrypt_with(
            &sender,
            salt,
            to,
            b"When I grow up, I want to be a watermelon",
        )
        .expect("encrypt");
        assert_eq!(
            URL_SAFE_NO_PAD.encode(&body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocI\
             nmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGN\
             WQexSgSxsj_Qulcy4a-fN"
        );
        assert_eq!(body.len(), 144);
    }

    #[test]
    fn bad_subscriber_keys_are_refused() {
        let auth = [7u8; 16];
        let mut off_curve = [0u8; 65];
        off_curve[0] = 0x04;
        off_curve[64] = 1;
        for (p256dh, auth) in [
            (&off_curve[..], &auth[..]),
            (&off_curve[..33], &auth[..]),
            (&[0x04; 65][..], &auth[..8]),
        ] {
            assert!(Subscriber { p256dh, auth }.check().is_err());
        }
    }

    #[test]
    fn vapid_tokens_verify_against_the_public_key() {
        let secret = SecretKey::from_slice(&[9; 32]).expect("secret");
        let key = VapidKey::from_secret(&secret).expect("key");
        let header = key
            .authorization(
                "https://push.example.net",
                1_900_000_000,
                "mailto:ops@example.org",
            )
            .expect("sign");
        let (token, k) = header
            .strip_prefix("vapid t=")
            .and_then(|rest| rest.split_once(", k="))
            .expect("vapid t=..., k=...");
        assert_eq!(b64(k), key.public_key());
        let (signed, signature) = token.rsplit_once('.').expect("three parts");
        let claims = b64(signed.split('.').nth(1).expect("claims"));
        assert_eq!(
            claims,
            br#"{"aud":"https://push.example.net","exp":1900000000,"sub":"mailto:ops@example.org"}"#
        );
        aws_lc_rs::signature::UnparsedPublicKey::new(
            &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED,
            key.public_key(),
        )
        .verify(signed.as_bytes(), &b64(signature))
        .expect("the signature verifies");
    }
}
