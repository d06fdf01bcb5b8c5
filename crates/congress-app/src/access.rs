//! Access in the server: the push a pairing or an unpairing causes (the device, to operators'
//! consoles, not the projector device). Sessions and pairing codes push nothing: they are
//! secrets' hashes. And the record of a refusal by the two-operator rule
//! ([`congress_domain::duties`]).

use congress_domain::access::AccessError;
use congress_domain::{AccessCommand, AccessEvent, CongressState, DomainError};
use congress_proto::Push;

use crate::engine::Engine;
use crate::error::AppError;
use crate::hub::Audience;

/// When `result` is a refusal by the two-operator rule, journals it (the audit log shows who
/// tried what for whom) before handing the refusal back unchanged.
pub async fn record_same_operator<T>(
    engine: &Engine,
    actor: &str,
    result: Result<T, AppError>,
) -> Result<T, AppError> {
    if let Err(AppError::Domain(DomainError::Access(AccessError::SameOperator {
        username,
        delegate_id,
        step,
    }))) = &result
    {
        let cmd = AccessCommand::RecordSameOperator {
            username: username.clone(),
            delegate_id: delegate_id.clone(),
            step: *step,
        };
        if let Err(e) = engine.run(cmd, actor).await {
            tracing::error!(error = %e, "cannot journal a refusal of the two-operator rule");
        }
    }
    result
}

pub fn push_for(state: &CongressState, event: &AccessEvent) -> Option<(Audience, Push)> {
    match event {
        AccessEvent::DevicePaired { device, .. } => Some((
            Audience::Consoles,
            Push::Device {
                device: device.clone(),
            },
        )),
        AccessEvent::DeviceRevoked { device_id, .. }
        | AccessEvent::DeviceReassigned { device_id, .. } => {
            state.devices.get(device_id).map(|d| {
                (
                    Audience::Consoles,
                    Push::Device {
                        device: d.device.clone(),
                    },
                )
            })
        }
        AccessEvent::OperatorSaved { .. }
        | AccessEvent::SessionOpened { .. }
        | AccessEvent::SessionClosed { .. }
        | AccessEvent::PairingCodeCreated { .. }
        | AccessEvent::SameOperatorRefused { .. } => None,
    }
}
