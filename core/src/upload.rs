//! The I/O half of a v3 upload (the framing is sans-IO, in [`crate::v3::multipart`]): the length of each
//! file, the md5 Alipay checks the received bytes against, and the multipart body as a stream — files on
//! disk are opened when the body is sent and read in chunks, never whole.

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;

use md5::{Digest, Md5};

use crate::error::{Error, Result, shortened};
use crate::v3::{FileSource, MultipartBody, Segment, V3File};

fn unreadable(path: &Path, error: &io::Error) -> Error {
    Error::config(format!(
        "the upload file {} cannot be read: {error}",
        shortened(&path.display().to_string(), 120)
    ))
}

/// The length of an upload file in bytes.
///
/// # Errors
/// [`Error::Config`] when a file on disk cannot be read.
pub fn file_len(file: &V3File) -> Result<u64> {
    match &file.source {
        FileSource::Bytes(bytes) => Ok(bytes.len() as u64),
        FileSource::Path(path) => std::fs::metadata(path)
            .map(|metadata| metadata.len())
            .map_err(|error| unreadable(path, &error)),
    }
}

/// The md5 (lower-case hex) of an upload file; a file on disk is read in chunks.
///
/// # Errors
/// [`Error::Config`] when the file cannot be read.
pub fn md5_of(file: &V3File) -> Result<String> {
    let mut digest = Md5::new();
    match &file.source {
        FileSource::Bytes(bytes) => digest.update(bytes),
        FileSource::Path(path) => {
            let mut reader = File::open(path).map_err(|error| unreadable(path, &error))?;
            let mut chunk = vec![0u8; 64 * 1024];
            loop {
                let read = reader
                    .read(&mut chunk)
                    .map_err(|error| unreadable(path, &error))?;
                if read == 0 {
                    break;
                }
                digest.update(&chunk[..read]);
            }
        }
    }
    Ok(digest
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect())
}

/// Reading a [`MultipartBody`]: its exact length, a stream of it, or all of it.
pub trait MultipartFiles {
    /// The exact length of the body in bytes.
    ///
    /// # Errors
    /// [`Error::Config`] when a file cannot be read.
    fn content_length(&self) -> Result<u64>;

    /// The body as a stream: each file is read as the stream reaches it.
    ///
    /// # Errors
    /// [`Error::Config`] when a file cannot be opened.
    fn reader(&self) -> Result<Box<dyn Read + Send + '_>>;

    /// The whole body in memory (for a host's own HTTP stack that cannot stream, and tests).
    ///
    /// # Errors
    /// [`Error::Config`] when a file cannot be read.
    fn to_bytes(&self) -> Result<Vec<u8>>;
}

impl MultipartFiles for MultipartBody {
    fn content_length(&self) -> Result<u64> {
        self.segments().iter().try_fold(0u64, |total, segment| {
            Ok(total
                + match segment {
                    Segment::Bytes(bytes) => bytes.len() as u64,
                    Segment::File(file) => file_len(file)?,
                })
        })
    }

    fn reader(&self) -> Result<Box<dyn Read + Send + '_>> {
        let mut reader: Box<dyn Read + Send + '_> = Box::new(io::empty());
        for segment in self.segments() {
            let next: Box<dyn Read + Send + '_> = match segment {
                Segment::Bytes(bytes) => Box::new(Cursor::new(bytes)),
                Segment::File(file) => match &file.source {
                    FileSource::Bytes(bytes) => Box::new(Cursor::new(bytes.as_slice())),
                    FileSource::Path(path) => {
                        Box::new(File::open(path).map_err(|error| unreadable(path, &error))?)
                    }
                },
            };
            reader = Box::new(reader.chain(next));
        }
        Ok(reader)
    }

    fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.reader()?
            .read_to_end(&mut bytes)
            .map_err(|error| Error::config(format!("an upload file cannot be read: {error}")))?;
        Ok(bytes)
    }
}
