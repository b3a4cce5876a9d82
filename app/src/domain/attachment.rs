//! What files may be attached as staging evidence, checked by their content, not their name.

use serde::{Deserialize, Serialize};

/// The largest file accepted.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// Each kind with the file-name endings that claim it: those the hint names, then other
/// spellings.
const ENDINGS: [(AttachmentKind, &[&str], &[&str]); 4] = [
    (AttachmentKind::Pdf, &["pdf"], &[]),
    (AttachmentKind::Png, &["png"], &[]),
    (AttachmentKind::Jpeg, &["jpg"], &["jpeg"]),
    (AttachmentKind::Text, &["txt", "log", "csv", "json"], &[]),
];

/// Every ending accepted, the kind it claims, and whether the hint names it.
fn endings() -> impl Iterator<Item = (&'static str, AttachmentKind, bool)> {
    ENDINGS.iter().flat_map(|&(kind, named, other)| {
        named.iter().map(move |&e| (e, kind, true)).chain(other.iter().map(move |&e| (e, kind, false)))
    })
}

/// The size limit in words: "10 MB".
pub fn size_in_words() -> String {
    format!("{} MB", MAX_BYTES >> 20)
}

/// The kinds accepted in words: "PDF, PNG, JPG, TXT, LOG, CSV or JSON".
pub fn kinds_in_words() -> String {
    super::listed(&endings().filter(|e| e.2).map(|e| e.0.to_ascii_uppercase()).collect::<Vec<_>>(), "or")
}

/// What a file must really be, in words: "a PDF, PNG, JPG or text file".
pub fn natures_in_words() -> String {
    format!("a {} file", super::listed(&ENDINGS.iter().map(|e| e.0.word()).collect::<Vec<_>>(), "or"))
}

/// What a file chooser offers: ".pdf,.png,.jpg,…".
pub fn accept() -> String {
    endings().map(|e| format!(".{}", e.0)).collect::<Vec<_>>().join(",")
}

/// The hint beside a file chooser: which kinds, how large.
pub fn hint() -> String {
    format!("{}, smaller than {}.", kinds_in_words(), size_in_words())
}

/// The kinds accepted, with the media type they are served as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttachmentKind {
    /// A PDF document.
    Pdf,
    /// A PNG screenshot.
    Png,
    /// A JPEG photo or screenshot.
    Jpeg,
    /// Plain text: logs, CSV, JSON, notes.
    Text,
}

impl AttachmentKind {
    /// The media type it is stored and served as.
    pub fn media_type(self) -> &'static str {
        match self {
            AttachmentKind::Pdf => "application/pdf",
            AttachmentKind::Png => "image/png",
            AttachmentKind::Jpeg => "image/jpeg",
            AttachmentKind::Text => "text/plain; charset=utf-8",
        }
    }

    /// What people call it ("a PNG file", "a text file").
    pub fn word(self) -> &'static str {
        match self {
            AttachmentKind::Pdf => "PDF",
            AttachmentKind::Png => "PNG",
            AttachmentKind::Jpeg => "JPG",
            AttachmentKind::Text => "text",
        }
    }
}

/// A checked evidence file as the process records it (its bytes travel beside the action).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EvidenceFile {
    /// Its cleaned file name.
    pub name: String,
    /// The media type it is served as.
    pub media_type: String,
    /// Its size in bytes.
    pub size: usize,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
}

/// Why a file was refused, in words for the person who chose it.
/// Its code (`too_large`) carries it in the address when the page is shown again without
/// JavaScript.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum AttachmentError {
    /// No file was chosen.
    #[error("Select a file to attach")]
    Missing,
    /// The file is empty.
    #[error("The selected file is empty")]
    Empty,
    /// Over the size limit.
    #[error("The selected file must be smaller than {}", size_in_words())]
    TooLarge,
    /// Not an accepted kind.
    #[error("The selected file must be a {}", kinds_in_words())]
    WrongType,
    /// The content does not match the name.
    #[error("The selected file’s content does not match its name: it must really be {}", natures_in_words())]
    Mismatch,
    /// The request holds as many files as it may ([`super::limits::ATTACHMENTS`]).
    #[error(
        "This request already has {} evidence files, the most it can hold: link further evidence in a sign-off",
        super::limits::ATTACHMENTS
    )]
    TooMany,
}

stored_form!(AttachmentError, code);

/// A file name safe to show and to put in a download header: no paths, no control
/// characters, no quotes; at most 120 characters.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\u{202e}' | '\u{202d}'))
        .take(super::limits::LINE)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').to_string();
    if trimmed.is_empty() {
        "attachment".into()
    } else {
        trimmed
    }
}

/// Checks a chosen file: its name says what kind it claims to be, its bytes must agree.
pub fn check(file_name: &str, bytes: &[u8]) -> Result<AttachmentKind, AttachmentError> {
    if file_name.trim().is_empty() && bytes.is_empty() {
        return Err(AttachmentError::Missing);
    }
    if bytes.is_empty() {
        return Err(AttachmentError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(AttachmentError::TooLarge);
    }
    let ext = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let Some((_, claimed, _)) = endings().find(|e| e.0 == ext) else {
        return Err(AttachmentError::WrongType);
    };
    let matches = match claimed {
        AttachmentKind::Pdf => bytes.starts_with(b"%PDF-"),
        AttachmentKind::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        AttachmentKind::Jpeg => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        AttachmentKind::Text => std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0),
    };
    if matches {
        Ok(claimed)
    } else {
        Err(AttachmentError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_say_what_the_check_accepts() {
        assert_eq!(hint(), "PDF, PNG, JPG, TXT, LOG, CSV or JSON, smaller than 10 MB.");
        assert_eq!(accept(), ".pdf,.png,.jpg,.jpeg,.txt,.log,.csv,.json");
        assert_eq!(AttachmentError::TooLarge.to_string(), "The selected file must be smaller than 10 MB");
        assert_eq!(
            AttachmentError::WrongType.to_string(),
            "The selected file must be a PDF, PNG, JPG, TXT, LOG, CSV or JSON"
        );
        assert_eq!(
            AttachmentError::Mismatch.to_string(),
            "The selected file’s content does not match its name: it must really be a PDF, PNG, JPG or text file"
        );
        // Every ending offered is one the check takes (given content of its kind).
        for (ending, kind, _) in endings() {
            let content: &[u8] = match kind {
                AttachmentKind::Pdf => b"%PDF-1.7",
                AttachmentKind::Png => b"\x89PNG\r\n\x1a\n",
                AttachmentKind::Jpeg => &[0xFF, 0xD8, 0xFF],
                AttachmentKind::Text => b"ok",
            };
            assert_eq!(check(&format!("evidence.{ending}"), content), Ok(kind));
        }
    }

    #[test]
    fn each_kind_is_served_as_its_own_media_type_and_text_never_as_a_page() {
        let all = [AttachmentKind::Pdf, AttachmentKind::Png, AttachmentKind::Jpeg, AttachmentKind::Text];
        assert_eq!(
            all.map(AttachmentKind::media_type),
            ["application/pdf", "image/png", "image/jpeg", "text/plain; charset=utf-8"]
        );
    }

    #[test]
    fn the_too_many_message_names_the_limit() {
        assert!(AttachmentError::TooMany.to_string().contains(&super::super::limits::ATTACHMENTS.to_string()));
        assert_eq!(AttachmentError::parse("too_many"), Some(AttachmentError::TooMany));
    }
    use proptest::prelude::*;

    #[test]
    fn accepted_kinds_are_recognised_by_their_content() {
        assert_eq!(check("run.pdf", b"%PDF-1.7 ..."), Ok(AttachmentKind::Pdf));
        assert_eq!(check("shot.PNG", b"\x89PNG\r\n\x1a\n...."), Ok(AttachmentKind::Png));
        assert_eq!(check("photo.jpeg", &[0xFF, 0xD8, 0xFF, 0xE0]), Ok(AttachmentKind::Jpeg));
        assert_eq!(check("staging.log", "ok ✓".as_bytes()), Ok(AttachmentKind::Text));
    }

    #[test]
    fn a_file_whose_content_contradicts_its_name_is_refused() {
        assert_eq!(check("report.pdf", b"<html><script>"), Err(AttachmentError::Mismatch));
        assert_eq!(check("notes.txt", &[0x00, 0x01, 0xFF]), Err(AttachmentError::Mismatch));
        assert_eq!(check("notes.txt", b"ok\0ok"), Err(AttachmentError::Mismatch), "text holds no NUL");
        assert_eq!(check("notes.txt", &[b'o', b'k', 0xFF]), Err(AttachmentError::Mismatch), "text is UTF-8");
    }

    #[test]
    fn other_kinds_empty_and_oversized_files_are_refused_with_their_own_message() {
        assert_eq!(check("tool.exe", b"MZ"), Err(AttachmentError::WrongType));
        assert_eq!(check("", b""), Err(AttachmentError::Missing));
        assert_eq!(check("a.txt", b""), Err(AttachmentError::Empty));
        assert_eq!(check("big.txt", &vec![b'a'; MAX_BYTES + 1]), Err(AttachmentError::TooLarge));
        assert_eq!(check("big.txt", &vec![b'a'; MAX_BYTES]), Ok(AttachmentKind::Text), "up to the limit itself");
        // Each code stands in an address when the page is shown again without JavaScript.
        let all = <AttachmentError as strum::VariantArray>::VARIANTS;
        let codes: Vec<&str> = all.iter().map(|e| e.code()).collect();
        assert_eq!(codes, ["missing", "empty", "too_large", "wrong_type", "mismatch", "too_many"]);
        for &e in all {
            assert_eq!(AttachmentError::parse(e.code()), Some(e));
        }
        assert_eq!(AttachmentError::parse("TooLarge"), None);
    }

    #[test]
    fn file_names_lose_paths_quotes_and_direction_overrides() {
        assert_eq!(clean_file_name("C:\\Users\\dana\\run.pdf"), "run.pdf");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("evil\u{202e}fdp.exe"), "evilfdp.exe");
        assert_eq!(clean_file_name("say \"hi\".txt"), "say hi.txt");
        assert_eq!(clean_file_name("..."), "attachment");
    }

    proptest! {
        #[test]
        fn checking_never_panics(name in ".{0,30}", bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = check(&name, &bytes);
            let cleaned = clean_file_name(&name);
            prop_assert!(!cleaned.contains('/') && !cleaned.contains('"') && cleaned.chars().count() <= crate::domain::limits::LINE);
        }
    }
}
