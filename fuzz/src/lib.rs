//! What Ward's fuzz targets (`fuzz_targets/`) share.

/// A fuzz input read as a little script: bytes and numbers taken from the front, zeros once it
/// has run out, so that every input is a script and a short one simply stops early.
#[derive(Debug)]
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    /// Whether the input has been read to the end.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next byte, 0 at the end.
    pub fn byte(&mut self) -> u8 {
        let data: &'a [u8] = self.data;
        match data.split_first() {
            Some((&first, rest)) => {
                self.data = rest;
                first
            }
            None => 0,
        }
    }

    pub fn u16(&mut self) -> u16 {
        let low = self.byte();
        let high = self.byte();
        u16::from_le_bytes([low, high])
    }

    pub fn u32(&mut self) -> u32 {
        let low = self.u16();
        let high = self.u16();
        u32::from(low) | (u32::from(high) << 16)
    }

    pub fn i64(&mut self) -> i64 {
        let mut bytes = [0u8; 8];
        for byte in &mut bytes {
            *byte = self.byte();
        }
        i64::from_le_bytes(bytes)
    }

    /// An index below `len` (0 when `len` is 0).
    pub fn index(&mut self, len: usize) -> usize {
        if len == 0 {
            0
        } else {
            self.u32() as usize % len
        }
    }

    /// At most `max` bytes (fewer at the end of the input); how many is read first.
    pub fn bytes(&mut self, max: usize) -> &'a [u8] {
        let wanted = usize::from(self.byte()) % (max + 1);
        let data: &'a [u8] = self.data;
        let (taken, rest) = data.split_at(wanted.min(data.len()));
        self.data = rest;
        taken
    }

    /// Everything not read yet.
    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.data)
    }
}
