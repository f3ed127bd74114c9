//! JSON text to Python objects in two steps, so that little work needs the GIL: [`Tape::parse`]
//! tokenizes the text with serde_json into a flat list of events (no GIL; strings without escapes stay
//! ranges of the text), then [`Tape::build`] turns the events into `dict`/`list`/`str`/`int`/`float`/
//! `bool`/`None` (GIL held).
//!
//! The objects are those [`crate::convert::json_to_py`] makes of the same text (integers exact up to
//! 64 bits, larger ones as `float`, the last of duplicated keys wins), with keys in document order as
//! `json.loads` gives them. Used for verified response nodes, whose text the core hands over unparsed.

use std::fmt;
use std::ops::Range;

use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// One JSON document as a flat list of events.
pub(crate) struct Tape {
    events: Vec<Event>,
}

/// One event of a [`Tape`].
enum Event {
    Null,
    Bool(bool),
    Signed(i64),
    Unsigned(u64),
    Float(f64),
    /// A string without escapes: its byte range in the text.
    Slice(Range<usize>),
    /// A string that had escapes, unescaped.
    Unescaped(String),
    /// An array of this many items follows.
    Array(usize),
    /// An object of this many entries (key then value) follows.
    Object(usize),
}

impl Tape {
    /// Tokenizes `text`, which must be one JSON value; no GIL needed.
    ///
    /// # Errors
    /// serde_json's error for text that is not JSON.
    pub(crate) fn parse(text: &str) -> serde_json::Result<Tape> {
        let mut events = Vec::with_capacity(text.len() / 16);
        let mut deserializer = serde_json::Deserializer::from_str(text);
        Recorder {
            base: text.as_ptr() as usize,
            events: &mut events,
        }
        .deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(Tape { events })
    }

    /// The Python object of the document; `text` must be the text the tape was parsed from.
    pub(crate) fn build<'py>(&self, py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
        let mut events = self.events.iter();
        let value = build_value(py, text, &mut events)?;
        match events.next() {
            None => Ok(value),
            Some(_) => Err(PyValueError::new_err("the JSON tape has trailing events")),
        }
    }

    /// The `dict` of a document that is one JSON object.
    pub(crate) fn build_object<'py>(
        &self,
        py: Python<'py>,
        text: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        self.build(py, text)?
            .cast_into::<PyDict>()
            .map_err(|_| PyValueError::new_err("the response node is not a JSON object"))
    }
}

/// Builds the value whose events start at `events`.
fn build_value<'py, 'a>(
    py: Python<'py>,
    text: &str,
    events: &mut impl Iterator<Item = &'a Event>,
) -> PyResult<Bound<'py, PyAny>> {
    let event = events
        .next()
        .ok_or_else(|| PyValueError::new_err("the JSON tape ended early"))?;
    Ok(match event {
        Event::Null => py.None().into_bound(py),
        Event::Bool(flag) => flag.into_bound_py_any(py)?,
        Event::Signed(number) => number.into_bound_py_any(py)?,
        Event::Unsigned(number) => number.into_bound_py_any(py)?,
        Event::Float(number) => number.into_bound_py_any(py)?,
        Event::Slice(_) | Event::Unescaped(_) => text_of(py, text, event)?.into_any(),
        Event::Array(count) => {
            let mut items = Vec::with_capacity(*count);
            for _ in 0..*count {
                items.push(build_value(py, text, events)?);
            }
            PyList::new(py, items)?.into_any()
        }
        Event::Object(count) => {
            let dict = PyDict::new(py);
            for _ in 0..*count {
                let key = events
                    .next()
                    .ok_or_else(|| PyValueError::new_err("the JSON tape ended early"))?;
                let key = text_of(py, text, key)?;
                dict.set_item(key, build_value(py, text, events)?)?;
            }
            dict.into_any()
        }
    })
}

/// The `str` of a string event.
fn text_of<'py>(py: Python<'py>, text: &str, event: &Event) -> PyResult<Bound<'py, PyString>> {
    match event {
        Event::Slice(range) => text
            .get(range.clone())
            .map(|slice| PyString::new(py, slice))
            .ok_or_else(|| PyValueError::new_err("the JSON tape does not fit its text")),
        Event::Unescaped(owned) => Ok(PyString::new(py, owned)),
        _ => Err(PyValueError::new_err("the JSON tape has a non-string key")),
    }
}

/// Records the events of one JSON value.
struct Recorder<'a> {
    /// The address of the text's first byte: borrowed strings become ranges relative to it.
    base: usize,
    events: &'a mut Vec<Event>,
}

impl Recorder<'_> {
    /// A recorder appending to the same list.
    fn nested(&mut self) -> Recorder<'_> {
        Recorder {
            base: self.base,
            events: self.events,
        }
    }

    /// Reserves the slot of a container's event, to be filled once its size is known.
    fn open(&mut self) -> usize {
        self.events.push(Event::Null);
        self.events.len() - 1
    }
}

impl<'de> DeserializeSeed<'de> for Recorder<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Recorder<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.events.push(Event::Null);
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, flag: bool) -> Result<(), E> {
        self.events.push(Event::Bool(flag));
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, number: i64) -> Result<(), E> {
        self.events.push(Event::Signed(number));
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<(), E> {
        self.events.push(Event::Unsigned(number));
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, number: f64) -> Result<(), E> {
        self.events.push(Event::Float(number));
        Ok(())
    }

    fn visit_borrowed_str<E: de::Error>(self, slice: &'de str) -> Result<(), E> {
        let start = slice.as_ptr() as usize - self.base;
        self.events.push(Event::Slice(start..start + slice.len()));
        Ok(())
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        self.events.push(Event::Unescaped(text.to_owned()));
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut items: A) -> Result<(), A::Error> {
        let slot = self.open();
        let mut count = 0;
        while items.next_element_seed(self.nested())?.is_some() {
            count += 1;
        }
        self.events[slot] = Event::Array(count);
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut entries: A) -> Result<(), A::Error> {
        let slot = self.open();
        let mut count = 0;
        while entries.next_key_seed(KeyRecorder(self.nested()))?.is_some() {
            entries.next_value_seed(self.nested())?;
            count += 1;
        }
        self.events[slot] = Event::Object(count);
        Ok(())
    }
}

/// Records an object key (always a string).
struct KeyRecorder<'a>(Recorder<'a>);

impl<'de> DeserializeSeed<'de> for KeyRecorder<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self.0)
    }
}
