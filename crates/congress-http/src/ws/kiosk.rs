//! An entrance kiosk on its websocket: camera frames (binary messages) go to its kiosk session
//! (`congress_app::face::kiosk`), which analyses them off the connection's task and checks
//! the recognised delegate in; a kiosk sends no commands.

use congress_app::AppState;
use congress_app::auth::Caller;
use congress_app::face::kiosk::{Done, KioskSession};
use congress_proto::{ClientMsg, FaceStatus, ServerMsg};
use tokio::sync::mpsc::UnboundedSender;

use super::{Handler, not_here};

/// Binary messages (camera frames) a kiosk may send per second before they are dropped unseen
/// (the kiosk session itself analyses at most `MAX_KIOSK_FPS`).
const FRAME_FLOOD_PER_SECOND: u32 = 100;

pub(super) struct Kiosk {
    /// `None` when face check-in is off: frames are answered `unavailable`.
    session: Option<KioskSession>,
}

impl Kiosk {
    pub(super) fn new(app: &AppState, caller: &Caller, done: UnboundedSender<Done>) -> Kiosk {
        let session = match (caller, &app.face) {
            (Caller::Device(d), Some(face)) => Some(KioskSession::new(face.clone(), d, done)),
            _ => None,
        };
        Kiosk { session }
    }
}

impl Handler for Kiosk {
    type Work = Done;

    async fn on_message(
        &mut self,
        _app: &AppState,
        _caller: &Caller,
        msg: ClientMsg,
    ) -> Option<ServerMsg> {
        Some(not_here(msg))
    }

    fn on_binary(&mut self, bytes: Vec<u8>) -> Option<ServerMsg> {
        match self.session.as_mut() {
            Some(k) => k.on_frame(bytes),
            None => Some(ServerMsg::FaceResult {
                frame: 0,
                width: 0,
                height: 0,
                boxes: vec![],
                result: FaceStatus::Unavailable,
                ms: 0,
            }),
        }
    }

    async fn on_work(&mut self, app: &AppState, done: Done) -> Option<ServerMsg> {
        match self.session.as_mut() {
            Some(k) => Some(k.on_done(app, done).await),
            None => None,
        }
    }

    fn binary_budget(&self) -> Option<u32> {
        Some(FRAME_FLOOD_PER_SECOND)
    }
}
