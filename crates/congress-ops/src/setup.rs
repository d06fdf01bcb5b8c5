//! Setting a congress up through the engine (so every step is journalled): loading the congress
//! file and delegates, and operator accounts.

use congress_domain::Command;
use congress_domain::{AccessCommand, CongressCommand, MeetingCommand};
use congress_proto::OperatorRole;

use crate::import::CongressFile;
use congress_app::AppError;
use congress_app::auth;
use congress_app::engine::Engine;

/// Defines the congress and its agenda from a congress file.
pub async fn define_congress(
    engine: &Engine,
    file: &CongressFile,
    actor: &str,
) -> Result<(), AppError> {
    engine
        .run(
            Command::Congress(CongressCommand::DefineCongress(file.congress())),
            actor,
        )
        .await?;
    engine
        .run(
            Command::Meeting(MeetingCommand::DefineAgenda(file.agenda.clone())),
            actor,
        )
        .await?;
    Ok(())
}

/// Creates or updates an operator with a password.
pub async fn save_operator(
    engine: &Engine,
    username: &str,
    display_name: &str,
    roles: Vec<OperatorRole>,
    password: &str,
    actor: &str,
) -> Result<(), AppError> {
    if password.chars().count() < 8 {
        return Err(AppError::Domain(congress_domain::DomainError::Invalid(
            "a password needs at least 8 characters".into(),
        )));
    }
    let pw = password.to_string();
    let password_hash = tokio::task::spawn_blocking(move || auth::hash_password(&pw))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    engine
        .run(
            Command::Access(AccessCommand::SaveOperator {
                username: username.to_string(),
                display_name: display_name.to_string(),
                roles,
                password_hash,
            }),
            actor,
        )
        .await?;
    Ok(())
}
