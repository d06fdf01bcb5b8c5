//! The console and the projector on their websockets: screens that only listen. Every command
//! message is refused (with its own refusal, so the client can match it).

use congress_app::AppState;
use congress_app::auth::Caller;
use congress_proto::{ClientMsg, ServerMsg};

use super::{Handler, not_here};

pub(super) struct Screen;

impl Handler for Screen {
    type Work = ();

    async fn on_message(
        &mut self,
        _app: &AppState,
        _caller: &Caller,
        msg: ClientMsg,
    ) -> Option<ServerMsg> {
        Some(not_here(msg))
    }
}
