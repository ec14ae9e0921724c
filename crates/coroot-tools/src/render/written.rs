//! A tool's output written as the JSON text of its structured result, with the list elements the
//! answer drops left out, and members appended after it is written: what an MCP transport that
//! writes JSON itself sends as is (stdio, `coroot-mcp`'s `mcp/stdio.rs`). The other way,
//! `render::doomed`'s `Value`, is built, then written by rmcp, then dropped: on a large answer
//! that was a quarter of the call.
//!
//! The text parses to the very `Value` the other way gives once cut (checked on every tool call
//! in this crate's tests, `tool.rs`); only the order of members differs (the struct's here, the
//! map's sorted keys there), which JSON does not give a meaning.

use std::ops::Range;

use serde::ser::{self, Serialize, SerializeMap, SerializeSeq, SerializeStruct, Serializer};
use serde_json::Value;

use super::doomed::{Doomed, Marks, map_key};

type Error = serde_json::Error;

/// `output` as compact JSON, the `doomed` elements of its top-level lists left out.
pub(crate) fn to_json<T: Serialize + ?Sized>(output: &T, doomed: &Doomed) -> Result<Vec<u8>, Error> {
    let mut json = Vec::with_capacity(16 * 1024);
    let mut writer = serde_json::Serializer::new(&mut json);
    output.serialize(Skip {
        inner: &mut writer,
        top: Some(doomed),
        ranges: &[],
    })?;
    Ok(json)
}

/// Appends `"key":value` to the object `json` holds.
pub(crate) fn push_member(json: &mut Vec<u8>, key: &str, value: &Value) -> Result<(), Error> {
    if json.pop() != Some(b'}') {
        return Err(ser::Error::custom("the structured result is not a JSON object"));
    }
    if json.len() > 1 {
        json.push(b',');
    }
    serde_json::to_writer(&mut *json, key)?;
    json.push(b':');
    serde_json::to_writer(&mut *json, value)?;
    json.push(b'}');
    Ok(())
}

/// How many elements `ranges` name among the first `len`.
pub(crate) fn named_among(ranges: &[Range<usize>], len: usize) -> usize {
    ranges.iter().map(|r| r.end.min(len).saturating_sub(r.start)).sum()
}

/// Serialises through `inner`, leaving out the doomed elements of the output's own lists
/// (`top`, at the top level) or of this list (`ranges`).
struct Skip<'d, S> {
    inner: S,
    top: Option<&'d Doomed>,
    ranges: &'d [Range<usize>],
}

/// A top-level member's value, a list whose elements in `ranges` are left out.
struct Elements<'v, V: ?Sized> {
    value: &'v V,
    ranges: &'v [Range<usize>],
}

impl<V: Serialize + ?Sized> Serialize for Elements<'_, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(Skip {
            inner: s,
            top: None,
            ranges: self.ranges,
        })
    }
}

/// The methods that hand their value to `inner` as they are.
macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {$(
        fn $method(self, $($arg: $ty),*) -> Result<$ret, S::Error> {
            self.inner.$method($($arg),*)
        }
    )*};
}

impl<'d, S: Serializer> Serializer for Skip<'d, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = SkipSeq<'d, S::SerializeSeq>;
    type SerializeTuple = S::SerializeTuple;
    type SerializeTupleStruct = S::SerializeTupleStruct;
    type SerializeTupleVariant = S::SerializeTupleVariant;
    type SerializeMap = SkipMap<'d, S::SerializeMap>;
    type SerializeStruct = SkipStruct<'d, S::SerializeStruct>;
    type SerializeStructVariant = S::SerializeStructVariant;

    forward! {
        serialize_bool(v: bool) -> S::Ok;
        serialize_i8(v: i8) -> S::Ok;
        serialize_i16(v: i16) -> S::Ok;
        serialize_i32(v: i32) -> S::Ok;
        serialize_i64(v: i64) -> S::Ok;
        serialize_i128(v: i128) -> S::Ok;
        serialize_u8(v: u8) -> S::Ok;
        serialize_u16(v: u16) -> S::Ok;
        serialize_u32(v: u32) -> S::Ok;
        serialize_u64(v: u64) -> S::Ok;
        serialize_u128(v: u128) -> S::Ok;
        serialize_f32(v: f32) -> S::Ok;
        serialize_f64(v: f64) -> S::Ok;
        serialize_char(v: char) -> S::Ok;
        serialize_str(v: &str) -> S::Ok;
        serialize_bytes(v: &[u8]) -> S::Ok;
        serialize_none() -> S::Ok;
        serialize_unit() -> S::Ok;
        serialize_unit_struct(name: &'static str) -> S::Ok;
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str) -> S::Ok;
        serialize_tuple(len: usize) -> S::SerializeTuple;
        serialize_tuple_struct(name: &'static str, len: usize) -> S::SerializeTupleStruct;
        serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> S::SerializeTupleVariant;
        serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> S::SerializeStructVariant;
    }

    fn serialize_some<V: Serialize + ?Sized>(self, value: &V) -> Result<S::Ok, S::Error> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<V: Serialize + ?Sized>(self, _: &'static str, value: &V) -> Result<S::Ok, S::Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &V,
    ) -> Result<S::Ok, S::Error> {
        self.inner.serialize_newtype_variant(name, index, variant, value)
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        Ok(SkipSeq {
            inner: self.inner.serialize_seq(len)?,
            marks: Marks::new(self.ranges),
            index: 0,
        })
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        Ok(SkipMap {
            inner: self.inner.serialize_map(len)?,
            top: self.top,
            ranges: None,
        })
    }

    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Self::SerializeStruct, S::Error> {
        Ok(SkipStruct {
            inner: self.inner.serialize_struct(name, len)?,
            top: self.top,
        })
    }
}

/// A list, its marked elements left out (serde_json's writer puts commas between the others).
struct SkipSeq<'d, I> {
    inner: I,
    marks: Marks<'d>,
    index: usize,
}

impl<I: SerializeSeq> SerializeSeq for SkipSeq<'_, I> {
    type Ok = I::Ok;
    type Error = I::Error;

    fn serialize_element<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), I::Error> {
        let doomed = self.marks.contains(self.index);
        self.index += 1;
        if doomed {
            Ok(())
        } else {
            self.inner.serialize_element(value)
        }
    }

    fn end(self) -> Result<I::Ok, I::Error> {
        self.inner.end()
    }
}

/// An object; at the top level, the lists among its members lose their doomed elements.
struct SkipStruct<'d, I> {
    inner: I,
    top: Option<&'d Doomed>,
}

impl<I: SerializeStruct> SerializeStruct for SkipStruct<'_, I> {
    type Ok = I::Ok;
    type Error = I::Error;

    fn serialize_field<V: Serialize + ?Sized>(&mut self, key: &'static str, value: &V) -> Result<(), I::Error> {
        match self.top.and_then(|d| d.ranges(key)) {
            Some(ranges) => self.inner.serialize_field(key, &Elements { value, ranges }),
            None => self.inner.serialize_field(key, value),
        }
    }

    fn end(self) -> Result<I::Ok, I::Error> {
        self.inner.end()
    }
}

/// A map (a top level with flattened members), as [`SkipStruct`].
struct SkipMap<'d, I> {
    inner: I,
    top: Option<&'d Doomed>,
    /// The doomed elements of the member whose key came last.
    ranges: Option<&'d [Range<usize>]>,
}

impl<I: SerializeMap> SerializeMap for SkipMap<'_, I> {
    type Ok = I::Ok;
    type Error = I::Error;

    fn serialize_key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(), I::Error> {
        let Some(doomed) = self.top else {
            return self.inner.serialize_key(key);
        };
        let text = map_key(key).map_err(ser::Error::custom)?;
        self.ranges = doomed.ranges(&text);
        self.inner.serialize_key(&text)
    }

    fn serialize_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), I::Error> {
        match self.ranges.take() {
            Some(ranges) => self.inner.serialize_value(&Elements { value, ranges }),
            None => self.inner.serialize_value(value),
        }
    }

    fn end(self) -> Result<I::Ok, I::Error> {
        self.inner.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::doomed::tests::{Flattened, Listed};
    use serde_json::json;

    /// The text is serde_json's with the doomed elements gone, for a top level that is a
    /// struct or a flattened map, a list doomed whole, and a pointer naming no top-level field.
    #[test]
    fn doomed_elements_are_left_out_and_the_rest_is_serde_jsons() {
        let listed = || Listed {
            items: (0..6).map(|i| json!({"i": i, "s": [i, "é\n"]})).collect(),
            more: Some(vec![1, 2, 3]),
            name: "n",
        };
        let doomed = Doomed::of([("/items", 4..9), ("/items", 0..2), ("/more", 0..3), ("/items/x", 0..1)]);
        let cut = |mut v: Value| {
            let items = v["items"].as_array_mut().unwrap();
            items.truncate(4);
            items.drain(0..2);
            v["more"] = json!([]);
            v
        };
        let parsed = |bytes: Vec<u8>| serde_json::from_slice::<Value>(&bytes).unwrap();
        let l = listed();
        assert_eq!(
            parsed(to_json(&l, &doomed).unwrap()),
            cut(serde_json::to_value(&l).unwrap())
        );
        let f = Flattened {
            listed: listed(),
            numbered: [(-1, true), (20, false)].into(),
        };
        assert_eq!(
            parsed(to_json(&f, &doomed).unwrap()),
            cut(serde_json::to_value(&f).unwrap())
        );
        let whole = to_json(&f, &Doomed::default()).unwrap();
        assert_eq!(whole, serde_json::to_vec(&f).unwrap());
    }

    #[test]
    fn members_are_appended_with_a_comma_only_after_another() {
        let mut json = b"{}".to_vec();
        push_member(&mut json, "a", &json!([1])).unwrap();
        push_member(&mut json, "b\"", &json!({"c": null})).unwrap();
        assert_eq!(String::from_utf8(json).unwrap(), r#"{"a":[1],"b\"":{"c":null}}"#);
        assert!(push_member(&mut b"[]".to_vec(), "a", &json!(1)).is_err());
    }

    #[test]
    fn ranges_count_only_the_elements_there_are() {
        assert_eq!(named_among(&[0..2, 5..9], 7), 4);
        assert_eq!(named_among(&[3..5, 8..9], 7), 2);
    }
}
