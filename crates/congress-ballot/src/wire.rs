//! Text forms of byte values in JSON: fixed-length hex (`Hex32`, `Hex64`), variable hex
//! (`HexBytes`) and base64 (`B64`). Parsing checks only the length; whether 32 bytes are a
//! canonical point or scalar is decided by the verifier, so a tampered board is reported, not
//! refused at parse time.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::encoding::{from_base64, from_hex, to_base64, to_hex};

macro_rules! hex_array {
    ($name:ident, $n:expr) => {
        #[doc = concat!("Exactly ", stringify!($n), " bytes, as lower-case hex in JSON.")]
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub [u8; $n]);

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&to_hex(&self.0))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&to_hex(&self.0))
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                let v = from_hex(&s).map_err(serde::de::Error::custom)?;
                let a: [u8; $n] = v.try_into().map_err(|_| {
                    serde::de::Error::custom(concat!("expected ", stringify!($n), " bytes"))
                })?;
                Ok(Self(a))
            }
        }
    };
}

hex_array!(Hex32, 32);
hex_array!(Hex64, 64);

/// Any number of bytes, as lower-case hex in JSON.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct HexBytes(pub Vec<u8>);

impl std::fmt::Debug for HexBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&to_hex(&self.0))
    }
}

impl Serialize for HexBytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&to_hex(&self.0))
    }
}

impl<'de> Deserialize<'de> for HexBytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Self(from_hex(&s).map_err(serde::de::Error::custom)?))
    }
}

/// Any number of bytes, as standard padded base64 in JSON (used for whole ballots).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct B64(pub Vec<u8>);

impl std::fmt::Debug for B64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "B64({} bytes)", self.0.len())
    }
}

impl Serialize for B64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&to_base64(&self.0))
    }
}

impl<'de> Deserialize<'de> for B64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Self(from_base64(&s).map_err(serde::de::Error::custom)?))
    }
}
