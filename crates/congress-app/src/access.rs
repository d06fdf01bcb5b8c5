//! Access in the server: the push a pairing or an unpairing causes (the device, to operators'
//! consoles, not the projector device). Sessions and pairing codes push nothing: they are
//! secrets' hashes.

use congress_domain::{AccessEvent, CongressState};
use congress_proto::Push;

use crate::hub::Audience;

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
        | AccessEvent::PairingCodeCreated { .. } => None,
    }
}
