//! The `multipart/form-data` body of a v3 upload: one text part named `data` holding the JSON of every
//! non-file parameter (the only part that is signed; `text/plain` ciphertext with AES), then one part per
//! file. Sans-IO: the body is described as [`Segment`]s — framing bytes and the files in between — and a
//! file given by path is only named here; the client opens it and streams it when the body is sent
//! (`alipay_isv::upload`), so a large file is never read whole and the `Content-Length` is known up front.

use std::fmt;
use std::path::PathBuf;

use crate::error::{Error, Result, shortened};

/// The name of the signed text part.
pub const DATA_PART: &str = "data";

/// Where a file part's bytes come from.
#[derive(Clone, PartialEq, Eq)]
pub enum FileSource {
    /// Bytes in memory.
    Bytes(Vec<u8>),
    /// A file on disk, streamed when the body is sent.
    Path(PathBuf),
}

impl fmt::Debug for FileSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileSource::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            FileSource::Path(path) => write!(f, "Path({})", path.display()),
        }
    }
}

/// One file of an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V3File {
    /// The form field, e.g. `file_content` for `alipay.open.file.upload`.
    pub field: String,
    /// The file name sent (its extension is what Alipay checks).
    pub file_name: String,
    /// The part's content type; guessed from the extension when empty.
    pub content_type: String,
    /// The bytes.
    pub source: FileSource,
}

impl V3File {
    /// A file held in memory.
    pub fn from_bytes(
        field: impl Into<String>,
        file_name: impl Into<String>,
        bytes: Vec<u8>,
    ) -> Self {
        V3File {
            field: field.into(),
            file_name: file_name.into(),
            content_type: String::new(),
            source: FileSource::Bytes(bytes),
        }
    }

    /// A file on disk, sent under its own name.
    pub fn from_path(field: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        V3File {
            field: field.into(),
            file_name,
            content_type: String::new(),
            source: FileSource::Path(path),
        }
    }

    /// The content type sent: the given one, or the extension's.
    pub fn effective_content_type(&self) -> String {
        if !self.content_type.trim().is_empty() {
            return self.content_type.trim().to_string();
        }
        content_type_of(&self.file_name).to_string()
    }

    /// The length in bytes when the file is in memory (`None` for a file on disk).
    pub fn bytes_len(&self) -> Option<u64> {
        match &self.source {
            FileSource::Bytes(bytes) => Some(bytes.len() as u64),
            FileSource::Path(_) => None,
        }
    }
}

/// The content type of a file name's extension (the kinds Alipay's upload APIs take).
pub fn content_type_of(file_name: &str) -> &'static str {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "txt" => "text/plain",
        "json" => "application/json",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// A multipart body ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultipartBody {
    boundary: String,
    data: Option<(String, &'static str)>,
    files: Vec<V3File>,
}

/// A header value in quotes: `"` and line breaks cannot appear in it.
fn quoted(what: &str, value: &str) -> Result<String> {
    if value.contains(['"', '\r', '\n', '\0']) {
        return Err(Error::config(format!(
            "the upload's {what} must not contain quotes or line breaks: `{}`",
            shortened(value, 60)
        )));
    }
    Ok(format!("\"{value}\""))
}

impl MultipartBody {
    /// A body of the `data` part (when given: its text and content type) and the files, with a fresh
    /// random boundary.
    ///
    /// # Errors
    /// [`Error::Config`] for no file, a field or file name with quotes or line breaks, or an empty field.
    pub fn new(data: Option<(String, &'static str)>, files: Vec<V3File>) -> Result<Self> {
        if files.is_empty() {
            return Err(Error::config(
                "a multipart upload needs at least one file part",
            ));
        }
        for file in &files {
            if file.field.trim().is_empty() || file.field == DATA_PART {
                return Err(Error::config(format!(
                    "an upload file's field must be a name other than `{DATA_PART}` (e.g. \
                     `file_content`), not `{}`",
                    shortened(&file.field, 40)
                )));
            }
            quoted("field name", &file.field)?;
            quoted("file name", &file.file_name)?;
            if file.effective_content_type().contains(['\r', '\n']) {
                return Err(Error::config(
                    "an upload file's content type must not contain line breaks",
                ));
            }
        }
        Ok(MultipartBody {
            boundary: format!("alipay-isv-{}", super::new_nonce()),
            data,
            files,
        })
    }

    /// The `Content-Type` header: `multipart/form-data; boundary=…`.
    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// The `data` part's text (what the request signature covers), empty when there is none.
    pub fn data_text(&self) -> &str {
        self.data.as_ref().map_or("", |(text, _)| text.as_str())
    }

    /// The files.
    pub fn files(&self) -> &[V3File] {
        &self.files
    }

    /// The text before the file bytes of part `index` (or, for `None`, before the data part's text).
    fn part_head(&self, name: &str, file_name: Option<&str>, content_type: &str) -> String {
        let mut head = format!(
            "--{}\r\nContent-Disposition: form-data; name=\"{name}\"",
            self.boundary
        );
        if let Some(file_name) = file_name {
            head.push_str(&format!("; filename=\"{file_name}\""));
        }
        head.push_str(&format!("\r\nContent-Type: {content_type}\r\n\r\n"));
        head
    }

    fn data_bytes(&self) -> Vec<u8> {
        match &self.data {
            Some((text, content_type)) => {
                let mut bytes = self.part_head(DATA_PART, None, content_type).into_bytes();
                bytes.extend_from_slice(text.as_bytes());
                bytes.extend_from_slice(b"\r\n");
                bytes
            }
            None => Vec::new(),
        }
    }

    fn file_head(&self, file: &V3File) -> Vec<u8> {
        self.part_head(
            &file.field,
            Some(&file.file_name),
            &file.effective_content_type(),
        )
        .into_bytes()
    }

    fn closing(&self) -> Vec<u8> {
        format!("--{}--\r\n", self.boundary).into_bytes()
    }

    /// The body in order: framing bytes, and each file where its bytes go.
    pub fn segments(&self) -> Vec<Segment<'_>> {
        let mut segments = vec![Segment::Bytes(self.data_bytes())];
        for file in &self.files {
            segments.push(Segment::Bytes(self.file_head(file)));
            segments.push(Segment::File(file));
            segments.push(Segment::Bytes(b"\r\n".to_vec()));
        }
        segments.push(Segment::Bytes(self.closing()));
        segments
    }
}

/// A piece of a multipart body.
#[derive(Debug, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Bytes of the framing (part headers, the `data` part, separators).
    Bytes(Vec<u8>),
    /// The content of a file.
    File(&'a V3File),
}
