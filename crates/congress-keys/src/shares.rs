//! k-of-n officer shares of the master key: Shamir's secret sharing over GF(256) from the
//! `vsss-rs` crate (constant-time field arithmetic). A share is printed as
//! `congress-share-<hex>` (one byte of participant id, then 32 bytes) for an officer to keep;
//! the keyring records only k and n, and checks the rebuilt key against its key id.

use rand_core10::UnwrapErr;
use vsss_rs::Gf256;
use zeroize::Zeroizing;

use crate::{KeyError, MasterKey, Passphrase};

const PREFIX: &str = "congress-share-";

/// Splits `key` into `n` shares, any `k` of which rebuild it (2 ≤ k ≤ n ≤ 255).
pub fn split_master_key(key: &MasterKey, k: u8, n: u8) -> Result<Vec<Zeroizing<String>>, KeyError> {
    if k < 2 || k > n {
        return Err(KeyError::Shares(format!(
            "need 2 ≤ k ≤ n (got k = {k}, n = {n})"
        )));
    }
    let rng = UnwrapErr(rand10::rngs::SysRng);
    let shares = Gf256::split_array(usize::from(k), usize::from(n), key.bytes(), rng)
        .map_err(|e| KeyError::Shares(e.to_string()))?;
    Ok(shares
        .into_iter()
        .map(|s| {
            let s = Zeroizing::new(s);
            Zeroizing::new(format!("{PREFIX}{}", hex::encode(&*s)))
        })
        .collect())
}

/// Rebuilds the master key from shares (the caller checks it against the keyring's key id).
pub fn combine_shares(shares: &[Passphrase]) -> Result<MasterKey, KeyError> {
    let mut raw = Vec::with_capacity(shares.len());
    for s in shares {
        let text = s.expose().trim();
        let hex_part = text
            .strip_prefix(PREFIX)
            .ok_or_else(|| KeyError::Shares(format!("a share starts with {PREFIX}")))?;
        let bytes = hex::decode(hex_part)
            .map_err(|_| KeyError::Shares("a share is not hexadecimal".into()))?;
        if bytes.len() != 33 {
            return Err(KeyError::Shares("a share has the wrong length".into()));
        }
        raw.push(bytes);
    }
    let secret =
        Zeroizing::new(Gf256::combine_array(&raw).map_err(|e| KeyError::Shares(e.to_string()))?);
    for r in &mut raw {
        zeroize::Zeroize::zeroize(r);
    }
    MasterKey::from_bytes(&secret).ok_or_else(|| KeyError::Shares("wrong length".into()))
}
