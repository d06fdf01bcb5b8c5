//! The web apps, served from their Vite build folders under the configured web root.

use std::path::Path;

use axum::Router;
use axum::response::{Html, Redirect};
use axum::routing::get;
use tower_http::services::{ServeDir, ServeFile};

use congress_app::AppState;

const APPS: &[(&str, &str)] = &[
    ("console", "console/dist"),
    ("tablet", "tablet-app/dist"),
    ("kiosk", "kiosk/dist"),
];

pub fn router(web_root: &Path) -> Router<AppState> {
    let mut r = Router::new().route("/", get(|| async { Redirect::to("/console/") }));
    for (name, dir) in APPS {
        let dist = web_root.join(dir);
        let index = dist.join("index.html");
        if index.exists() {
            let service = ServeDir::new(&dist).fallback(ServeFile::new(&index));
            r = r.nest_service(&format!("/{name}"), service);
        } else {
            let msg = format!(
                "<!doctype html><meta charset=utf-8><title>{name}</title>\
                 <p>The {name} app is not built ({} is missing). Run <code>cargo xtask build</code>.",
                index.display()
            );
            let m2 = msg.clone();
            r = r
                .route(&format!("/{name}"), get(move || async move { Html(msg) }))
                .route(
                    &format!("/{name}/{{*rest}}"),
                    get(move || async move { Html(m2) }),
                );
        }
    }
    r
}
