//! Standard output that may close early: `migration history | head -1`, `cargo xtask check |
//! head -1`. Output nobody reads any more is no error, and must not change what the command does
//! or its exit code (`println!` panics instead, exit code 101).
use std::io::{self, Write};

/// A writer that, once its reader has gone (a broken pipe), swallows the rest of what is
/// written to it. Other write errors stay errors.
pub struct UntilClosed<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> UntilClosed<W> {
    pub fn new(inner: W) -> Self {
        UntilClosed {
            inner,
            closed: false,
        }
    }

    /// True once the reader has gone.
    pub fn is_closed(&self) -> bool {
        self.closed
    }
}

impl<W: Write> Write for UntilClosed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        match self.inner.write(buf) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(buf.len())
            }
            other => other,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.inner.flush() {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }
}

/// Writes `text` to standard output, where a closed pipe is not an error.
pub(crate) fn print(text: &str) -> io::Result<()> {
    let mut out = UntilClosed::new(io::stdout().lock());
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Writes `text` and a newline to standard error, ignoring a closed one (there is nowhere left
/// to say anything).
pub fn eprint_line(text: &str) {
    let _ = writeln!(io::stderr(), "{text}");
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Gone;

    impl Write for Gone {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
    }

    #[test]
    fn a_closed_reader_is_not_an_error() {
        let mut out = UntilClosed::new(Gone);
        writeln!(out, "first").unwrap();
        writeln!(out, "second").unwrap();
        out.flush().unwrap();
        assert!(out.is_closed());
        let mut buffer = [0u8; 2];
        let mut full = UntilClosed::new(io::Cursor::new(buffer.as_mut_slice()));
        assert!(writeln!(full, "does not fit").is_err());
    }
}
