//! The documented share transport: a dealer's signed envelope, age-encrypted to the recipient's
//! X25519 identity (what the tablets already hold), relayed, decrypted and accepted; a relay that
//! swaps in its own envelope cannot forge the dealer's signature.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};

use congress_ballot::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn encrypt(to: &age::x25519::Recipient, plain: &[u8]) -> Vec<u8> {
    let enc = age::Encryptor::with_recipients(std::iter::once(to as &dyn age::Recipient)).unwrap();
    let mut out = Vec::new();
    let mut w = enc.wrap_output(&mut out).unwrap();
    w.write_all(plain).unwrap();
    w.finish().unwrap();
    out
}

fn decrypt(id: &age::x25519::Identity, file: &[u8]) -> Vec<u8> {
    let dec = age::Decryptor::new(file).unwrap();
    let mut r = dec
        .decrypt(std::iter::once(id as &dyn age::Identity))
        .unwrap();
    let mut out = Vec::new();
    r.read_to_end(&mut out).unwrap();
    out
}

#[test]
fn envelope_through_age() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let keys: Vec<Credential> = (0..3).map(|_| Credential::generate(&mut rng)).collect();
    let setup = BoardSetup {
        board_id: "age".into(),
        threshold: 2,
        members: keys
            .iter()
            .enumerate()
            .map(|(i, k)| Member {
                index: i as u16 + 1,
                key: Hex32(k.public()),
            })
            .collect(),
    };
    let (dealer, msg) = Dealer::new(&mut rng, &setup, 1, &keys[0]).unwrap();
    let member2 = age::x25519::Identity::generate();
    let file = encrypt(&member2.to_public(), &dealer.share_envelope(2, &keys[0]));
    let share = receive_share(&setup, &msg, 2, &decrypt(&member2, &file)).unwrap();
    assert_eq!(share, dealer.evaluate(2));

    // The relay replaces the file with an envelope it made under its own key: refused.
    let relay = Credential::generate(&mut rng);
    let mut forged = dealer.share_envelope(2, &keys[0]);
    let n = forged.len();
    forged[n - 64..].copy_from_slice(&relay.sign(b"anything"));
    let file = encrypt(&member2.to_public(), &forged);
    assert!(matches!(
        receive_share(&setup, &msg, 2, &decrypt(&member2, &file)),
        Err(Error::Signature(_))
    ));
}
