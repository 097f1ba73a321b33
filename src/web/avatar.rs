//! Generated avatars: a 5×5 mirrored pattern and a colour from the SHA-256 of the username, drawn
//! here as SVG (no outside service learns who reads what). Served with a long cache lifetime: a
//! name's avatar never changes.
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use sha2::{Digest, Sha256};

use super::get_or_head;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/avatar/{name}.svg").route(get_or_head().to(avatar)));
}

/// The identicon of `name`, case-insensitively (usernames are).
pub fn identicon(name: &str) -> String {
    let hash = Sha256::digest(name.to_lowercase().as_bytes());
    let hue = u16::from_be_bytes([hash[0], hash[1]]) % 360;
    let mut cells = String::new();
    for row in 0..5u8 {
        for col in 0..3u8 {
            let bit = row * 3 + col;
            if hash[2 + usize::from(bit / 8)] >> (bit % 8) & 1 == 1 {
                for x in [col, 4 - col] {
                    cells.push_str(&format!(
                        r#"<rect x="{x}" y="{row}" width="1" height="1"/>"#
                    ));
                    if x == 2 {
                        break;
                    }
                }
            }
        }
    }
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="-0.5 -0.5 6 6" width="40" height="40"><rect x="-0.5" y="-0.5" width="6" height="6" fill="hsl({hue},35%,92%)"/><g fill="hsl({hue},55%,45%)">{cells}</g></svg>"#
    )
}

async fn avatar(path: web::Path<String>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, "public, max-age=604800, immutable"))
        .body(identicon(&path))
}

#[cfg(test)]
mod tests {
    use super::identicon;

    #[test]
    fn identicons_are_stable_per_name_and_differ_between_names() {
        assert_eq!(identicon("Alice"), identicon("alice"));
        assert_ne!(identicon("alice"), identicon("bob"));
        assert!(identicon("alice").starts_with("<svg"));
    }
}
