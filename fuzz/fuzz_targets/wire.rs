//! Wire protocol decoding: every client → server message. The input is tried as a websocket
//! text message (`congress_proto::decode_client_message`, the function the server uses) and as
//! the JSON body of every REST request type. Property: nothing panics, and whatever decodes
//! re-encodes to JSON that decodes to an equal value.
#![no_main]

use congress_proto::*;
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn round_trip<T>(bytes: &[u8])
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    if let Ok(v) = decode_json_body::<T>(bytes) {
        let text = serde_json::to_string(&v).expect("a decoded value encodes");
        let back: T = decode_json_body(text.as_bytes()).expect("an encoded value decodes");
        assert_eq!(back, v, "round trip changed the value: {text}");
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(msg) = decode_client_message(text)
    {
        let again = serde_json::to_string(&msg).expect("a decoded message encodes");
        let back = decode_client_message(&again).expect("an encoded message decodes");
        assert_eq!(back, msg, "round trip changed the message: {again}");
    }
    // REST request bodies (ApiJson<T> in the handlers).
    round_trip::<LoginRequest>(data);
    round_trip::<SetAttendanceRequest>(data);
    round_trip::<CreatePairingCode>(data);
    round_trip::<PairRequest>(data);
    round_trip::<SetCurrentItem>(data);
    round_trip::<UpdateDocument>(data);
    round_trip::<EnrolRequest>(data);
    round_trip::<CreateVote>(data);
    round_trip::<VoteAction>(data);
});
