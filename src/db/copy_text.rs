//! Rows in PostgreSQL's `COPY … FROM STDIN` text format, for the migration and the importer.
//!
//! Fields are tab-separated, rows end in a newline, `\N` is NULL, and a backslash, tab, newline or
//! carriage return inside a value is escaped with a backslash. PostgreSQL text cannot hold NUL.

/// A value COPY's text format cannot carry into its column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("text with a NUL character (PostgreSQL text cannot hold one)")]
    Nul,
    #[error("bytes that are not UTF-8 in a text column")]
    NotUtf8,
}

/// Appends `text` with COPY's escapes.
pub fn escape_text(out: &mut Vec<u8>, text: &str) -> Result<(), EncodeError> {
    for byte in text.bytes() {
        match byte {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0 => return Err(EncodeError::Nul),
            _ => out.push(byte),
        }
    }
    Ok(())
}

/// Builds COPY rows field by field into one buffer.
#[derive(Debug, Default)]
pub struct CopyRows {
    buffer: Vec<u8>,
    /// Whether the current row has a field yet (the next one is preceded by a tab).
    in_row: bool,
    rows: u64,
}

impl CopyRows {
    pub fn with_capacity(bytes: usize) -> Self {
        Self {
            buffer: Vec::with_capacity(bytes),
            ..Self::default()
        }
    }

    fn separate(&mut self) {
        if self.in_row {
            self.buffer.push(b'\t');
        }
        self.in_row = true;
    }

    pub fn text(&mut self, value: &str) -> Result<&mut Self, EncodeError> {
        self.separate();
        escape_text(&mut self.buffer, value)?;
        Ok(self)
    }

    pub fn opt_text(&mut self, value: Option<&str>) -> Result<&mut Self, EncodeError> {
        match value {
            Some(value) => self.text(value),
            None => Ok(self.null()),
        }
    }

    pub fn int(&mut self, value: i64) -> &mut Self {
        self.separate();
        self.buffer.extend_from_slice(value.to_string().as_bytes());
        self
    }

    pub fn opt_int(&mut self, value: Option<i64>) -> &mut Self {
        match value {
            Some(value) => self.int(value),
            None => self.null(),
        }
    }

    pub fn null(&mut self) -> &mut Self {
        self.separate();
        self.buffer.extend_from_slice(b"\\N");
        self
    }

    pub fn end_row(&mut self) {
        self.buffer.push(b'\n');
        self.in_row = false;
        self.rows += 1;
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    pub fn bytes(&self) -> &[u8] {
        &self.buffer
    }

    /// Empties the buffer (once sent) at a row boundary; the row count goes on.
    pub fn clear(&mut self) {
        debug_assert!(!self.in_row, "cleared in the middle of a row");
        self.buffer.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_escaped_and_rows_end_in_newlines() {
        let mut rows = CopyRows::default();
        rows.text("a\tb\\c\nd\re").unwrap().int(-7).null();
        rows.end_row();
        rows.opt_text(None).unwrap().opt_int(Some(3));
        rows.end_row();
        assert_eq!(rows.bytes(), b"a\\tb\\\\c\\nd\\re\t-7\t\\N\n\\N\t3\n");
        assert_eq!(rows.rows(), 2);
    }

    #[test]
    fn nul_cannot_be_copied() {
        assert_eq!(
            CopyRows::default().text("a\0b").err(),
            Some(EncodeError::Nul)
        );
    }
}
