//! Streams the `<row …/>` elements of a Stack Exchange dump file, one at a time, with a fixed-size
//! buffer: memory does not grow with the file.
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::ImportError;

pub struct XmlRows {
    reader: Reader<BufReader<File>>,
    buf: Vec<u8>,
    path: PathBuf,
    /// The root element's name once opened (`posts`, `users`); `None` before it.
    root: Option<String>,
    depth: usize,
    done: bool,
    /// The attributes callers read; others are skipped without being unescaped.
    wanted: &'static [&'static str],
}

/// One row's wanted attributes, unescaped.
pub struct Row {
    attrs: Vec<(&'static str, String)>,
}

impl Row {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }
}

impl XmlRows {
    pub fn open(path: &Path, wanted: &'static [&'static str]) -> Result<Self, ImportError> {
        let file = File::open(path).map_err(|source| ImportError::io(path, source))?;
        let mut reader = Reader::from_reader(BufReader::with_capacity(256 * 1024, file));
        reader.config_mut().check_end_names = true;
        Ok(Self {
            reader,
            buf: Vec::with_capacity(64 * 1024),
            path: path.to_owned(),
            root: None,
            depth: 0,
            done: false,
            wanted,
        })
    }

    /// Bytes consumed so far, for progress.
    pub fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    /// The next `<row/>` under the root, or `None` once the root element is closed. A file that ends
    /// before that is truncated, and an error says where.
    pub fn next_row(&mut self) -> Result<Option<Row>, ImportError> {
        if self.done {
            return Ok(None);
        }
        loop {
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(event) => event,
                Err(e) => {
                    let at = self.reader.error_position();
                    return Err(self.malformed(at, e.to_string()));
                }
            };
            match event {
                Event::Start(e) => {
                    self.depth += 1;
                    if self.depth == 1 {
                        self.root = Some(e.name().into_inner().to_owned());
                    } else if self.depth == 2 && e.name().into_inner() == "row" {
                        // `<row ...></row>`: same as `<row .../>`; its End is counted below.
                        let row = attributes(&e, self.wanted);
                        return self.row_or_error(row);
                    }
                }
                Event::Empty(e) if self.depth == 1 && e.name().into_inner() == "row" => {
                    let row = attributes(&e, self.wanted);
                    return self.row_or_error(row);
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        self.done = true;
                        return Ok(None);
                    }
                }
                Event::Eof => {
                    let at = self.reader.buffer_position();
                    let (line, byte) = (line_of(&self.path, at), at);
                    return Err(match &self.root {
                        Some(root) => ImportError::Truncated {
                            path: self.path.clone(),
                            line,
                            byte,
                            element: root.clone(),
                        },
                        None => ImportError::Malformed {
                            path: self.path.clone(),
                            line,
                            byte,
                            message: "no root element (is the file empty?)".into(),
                        },
                    });
                }
                _ => {}
            }
        }
    }

    fn row_or_error(&self, row: Result<Row, String>) -> Result<Option<Row>, ImportError> {
        row.map(Some)
            .map_err(|m| self.malformed(self.reader.buffer_position(), m))
    }

    fn malformed(&self, at: u64, message: String) -> ImportError {
        ImportError::Malformed {
            path: self.path.clone(),
            line: line_of(&self.path, at),
            byte: at,
            message,
        }
    }
}

/// Reads the wanted attributes of a row in one pass over the element.
fn attributes(e: &BytesStart<'_>, wanted: &'static [&'static str]) -> Result<Row, String> {
    let mut attrs = Vec::with_capacity(wanted.len());
    for attr in e.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let Some(name) = wanted.iter().find(|w| **w == attr.key.into_inner()) else {
            continue;
        };
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?;
        attrs.push((*name, value.into_owned()));
    }
    Ok(Row { attrs })
}

/// The 1-based line of byte `at`, counted only when reporting an error: the hot path never pays it.
fn line_of(path: &Path, at: u64) -> u64 {
    let Ok(file) = File::open(path) else { return 0 };
    let mut reader = BufReader::new(file).take(at);
    let mut line = 1;
    loop {
        let chunk = match reader.fill_buf() {
            Ok([]) | Err(_) => return line,
            Ok(chunk) => chunk,
        };
        line += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        let n = chunk.len();
        reader.consume(n);
    }
}
