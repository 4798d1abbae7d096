//! The files a job wrote, one at a time or all as a zip made on request.
//! Only files the job listed are served: a query names a place in the
//! list, never a path.

use std::io::Write;

use super::view::Job;

/// The most a zip may hold, so that a request cannot fill the memory.
const MAX_ZIP_BYTES: u64 = 512 * 1024 * 1024;

/// `?n=K`: the job's K-th file, with its name.
pub fn one(job: Option<&Job>, query: &str) -> Result<(Vec<u8>, String), (u16, String)> {
    let job = job.ok_or((404, "no job has written files yet".to_string()))?;
    let n: usize = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "n")
        .and_then(|(_, v)| v.parse().ok())
        .ok_or((400, "say which file with ?n=".to_string()))?;
    let files = job.files();
    let file = files.get(n).ok_or((404, "no such file".to_string()))?;
    let bytes = std::fs::read(&file.path)
        .map_err(|e| (410, format!("{} cannot be read now: {e}", file.shown)))?;
    let name = file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((bytes, name))
}

/// Every file the job wrote, stored in one zip.
pub fn zip(job: Option<&Job>) -> Result<Vec<u8>, (u16, String)> {
    let job = job.ok_or((404, "no job has written files yet".to_string()))?;
    let files = job.files();
    let total: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum();
    if total > MAX_ZIP_BYTES {
        return Err((
            413,
            "these files are too many to zip here: open the output folder instead".into(),
        ));
    }
    let failed = |e: &dyn std::fmt::Display| (500, format!("cannot make the zip: {e}"));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // Fixed times: the same files give the same zip.
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default());
    for file in &files {
        let bytes = std::fs::read(&file.path).map_err(|e| failed(&e))?;
        zip.start_file(file.shown.replace('\\', "/"), options)
            .map_err(|e| failed(&e))?;
        zip.write_all(&bytes).map_err(|e| failed(&e))?;
    }
    let cursor = zip.finish().map_err(|e| failed(&e))?;
    Ok(cursor.into_inner())
}

/// One file of the review sheet's folder: `outbox.html` and what it links
/// to. A name with a folder in it, or of another kind, is refused.
pub fn review(
    dir: Option<&std::path::Path>,
    name: &str,
) -> Result<(Vec<u8>, &'static str), (u16, String)> {
    let dir = dir.ok_or((404, "open the campaign panel first".to_string()))?;
    let kind = match name.rsplit_once('.').map(|(_, e)| e) {
        _ if name.contains(['/', '\\']) || name.starts_with('.') => None,
        Some("html") => Some("text/html; charset=utf-8"),
        Some("pdf") => Some("application/pdf"),
        Some("jpg") => Some("image/jpeg"),
        Some("png") => Some("image/png"),
        Some("eml") => Some("message/rfc822"),
        _ => None,
    }
    .ok_or((404, "not a file of the review sheet".to_string()))?;
    let bytes = std::fs::read(dir.join(name)).map_err(|_| (404, "no such file".to_string()))?;
    Ok((bytes, kind))
}
