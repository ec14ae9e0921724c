//! How long a tool's output is as compact JSON, counted from the typed output itself, neither
//! built into a `serde_json::Value` nor written: the whole, and each element of the top-level
//! lists the answer's items stand for. That is all `Answer::plan` needs to decide what the
//! answer keeps, so only the kept elements are ever built (`render::doomed`). Building the whole
//! tree to measure it, then dropping most of it, was a third of the cost of a large cut answer.
//!
//! The count is what serde_json writes for the `Value` that `serde_json::to_value` gives: f32
//! widened to f64, non-finite floats as null, map keys as strings (tested against it). A map
//! with a key twice counts both, where the `Value` keeps one: an overcount, which only cuts more.

use std::ops::Range;

use serde::ser::{self, Impossible, Serialize, Serializer};

use super::doomed::{Doomed, Marks, digits, json_bytes, map_key, string_chars};

type Error = serde_json::Error;

/// Per measured list (a top-level pointer, `/name`): each element's length plus its comma;
/// `None` when the field is missing or not a list.
type Lists = Vec<(&'static str, Option<Vec<usize>>)>;

/// A tool output's serialised length, and the lengths of the elements of its measured lists.
#[derive(Debug, Default)]
pub(crate) struct Measured {
    /// Characters of the whole output.
    pub(crate) total: usize,
    lists: Lists,
}

impl Measured {
    /// How many elements `list` has, when it was measured and is a list.
    pub(crate) fn len(&self, list: &str) -> Option<usize> {
        self.lists.iter().find(|(l, _)| *l == list)?.1.as_ref().map(Vec::len)
    }

    /// Characters that elements `range` of `list` take, their commas included.
    pub(crate) fn elements(&self, list: &str, range: Range<usize>) -> usize {
        self.lists
            .iter()
            .find(|(l, _)| *l == list)
            .and_then(|(_, sizes)| sizes.as_ref()?.get(range))
            .map_or(0, |s| s.iter().sum())
    }
}

/// `output`'s length as compact JSON, with the elements of `lists` (JSON pointers to top-level
/// fields; others are not measured) counted one by one, and the `doomed` ones left out: they
/// count as nothing, as if absent, and are never serialised (a log group writes its scrubbed
/// text only when serialised).
pub(crate) fn measure<T: Serialize + ?Sized>(
    output: &T,
    lists: &[&'static str],
    doomed: &Doomed,
) -> Result<Measured, Error> {
    let mut measured = Measured {
        total: 0,
        lists: lists.iter().map(|l| (*l, None)).collect(),
    };
    output.serialize(Count {
        n: &mut measured.total,
        mode: Mode::Top(&mut measured.lists, doomed),
    })?;
    Ok(measured)
}

/// What a value being counted is, besides counted.
enum Mode<'a> {
    Plain,
    /// The output itself: its members named by a list get their elements measured, but for
    /// the doomed ones.
    Top(&'a mut Lists, &'a Doomed),
    /// A measured list: its elements' lengths go here; the marked ones are skipped.
    Elements(&'a mut Option<Vec<usize>>, Marks<'a>),
}

/// A serializer's integer methods, each handing `integer` the digits (and sign) of
/// its number: the same for a value and for a map key, which serde_json quotes.
macro_rules! integers {
    ($ok:ty) => {
        integers!($ok; serialize_i8: i8 => int_chars, serialize_i16: i16 => int_chars,
            serialize_i32: i32 => int_chars, serialize_i64: i64 => int_chars,
            serialize_i128: i128 => wide_chars, serialize_u8: u8 => digits,
            serialize_u16: u16 => digits, serialize_u32: u32 => digits, serialize_u64: u64 => digits,
            serialize_u128: u128 => wider_chars);
    };
    ($ok:ty; $($method:ident: $int:ty => $chars:ident),*) => {$(
        fn $method(self, v: $int) -> Result<$ok, Error> {
            self.integer($chars(v.into()))
        }
    )*};
}

/// Digits and sign of a 128-bit integer, rare enough to be written out.
fn wide_chars(v: i128) -> usize {
    v.to_string().len()
}

/// Digits of an unsigned 128-bit integer.
fn wider_chars(v: u128) -> usize {
    v.to_string().len()
}

/// Adds the length of the value it serialises to `n`.
struct Count<'a> {
    n: &'a mut usize,
    mode: Mode<'a>,
}

fn plain<V: Serialize + ?Sized>(value: &V) -> Result<usize, Error> {
    let mut n = 0;
    value.serialize(Count {
        n: &mut n,
        mode: Mode::Plain,
    })?;
    Ok(n)
}

/// A float as serde_json writes it (finite ones in its formatter's shortest form, the others as
/// null), asked of serde_json itself: its formatter has changed between releases.
fn float_chars(v: f64) -> usize {
    json_bytes(&v)
}

fn int_chars(v: i64) -> usize {
    usize::from(v < 0) + digits(v.unsigned_abs())
}

/// `{"variant":`, before a variant's content (and `}` after it).
fn variant_chars(variant: &str) -> usize {
    1 + string_chars(variant) + 1
}

impl<'a> Count<'a> {
    fn add(self, chars: usize) -> Result<(), Error> {
        *self.n += chars;
        Ok(())
    }

    fn integer(self, digits: usize) -> Result<(), Error> {
        self.add(digits)
    }

    /// A compound none of whose members is measured one by one (a tuple, a variant's content).
    fn plain_compound(self, open: usize, close: usize) -> Compound<'a> {
        Count {
            mode: Mode::Plain,
            ..self
        }
        .compound(open, close)
    }

    fn compound(self, open: usize, close: usize) -> Compound<'a> {
        *self.n += open;
        let (capture, lists) = match self.mode {
            Mode::Elements(sizes, marks) => (Some((sizes.insert(Vec::new()), marks)), None),
            Mode::Top(lists, doomed) => (None, Some((lists, doomed))),
            Mode::Plain => (None, None),
        };
        Compound {
            n: self.n,
            first: true,
            close,
            capture,
            lists,
            key: None,
        }
    }
}

impl<'a> Serializer for Count<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.add(if v { 4 } else { 5 })
    }
    integers!(());
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.add(float_chars(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.add(float_chars(v))
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.add(string_chars(v.encode_utf8(&mut [0; 4])))
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.add(string_chars(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.add(2 + v.len().saturating_sub(1) + v.iter().map(|b| digits((*b).into())).sum::<usize>())
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.add(4)
    }
    fn serialize_some<V: Serialize + ?Sized>(self, value: &V) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.add(4)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.add(4)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Error> {
        self.add(string_chars(variant))
    }
    fn serialize_newtype_struct<V: Serialize + ?Sized>(self, _: &'static str, value: &V) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &V,
    ) -> Result<(), Error> {
        let inner = plain(value)?;
        self.add(variant_chars(variant) + inner + 1)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(self.compound(1, 1))
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'a>, Error> {
        Ok(self.plain_compound(1, 1))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_tuple(len)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Error> {
        Ok(self.plain_compound(variant_chars(variant) + 1, 2))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(self.compound(1, 1))
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Error> {
        // `{"variant":{…}}` takes what `{"variant":[…]}` does, member for element.
        self.serialize_tuple_variant(name, index, variant, len)
    }
}

/// A list or an object being counted.
struct Compound<'a> {
    n: &'a mut usize,
    first: bool,
    /// Characters written after the last element: the bracket, and a variant's brace.
    close: usize,
    /// Where a measured list's elements go, and which of them to skip.
    capture: Option<(&'a mut Vec<usize>, Marks<'a>)>,
    /// The measured lists and the doomed elements, when this is the output's own object.
    lists: Option<(&'a mut Lists, &'a Doomed)>,
    /// A map key given before its value: its length, and its text at the top level.
    key: Option<(usize, Option<String>)>,
}

impl Compound<'_> {
    fn comma(&mut self) {
        if !self.first {
            *self.n += 1;
        }
        self.first = false;
    }

    fn element<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Error> {
        if let Some((sizes, marks)) = &mut self.capture
            && marks.contains(sizes.len())
        {
            sizes.push(0);
            return Ok(());
        }
        self.comma();
        let chars = plain(value)?;
        *self.n += chars;
        if let Some((sizes, _)) = &mut self.capture {
            sizes.push(chars + 1);
        }
        Ok(())
    }

    /// A member whose key takes `key_chars`; `key` is its text when this is the top level.
    fn member<V: Serialize + ?Sized>(&mut self, key_chars: usize, key: Option<&str>, value: &V) -> Result<(), Error> {
        self.comma();
        *self.n += key_chars + 1;
        let list = match (&mut self.lists, key) {
            (Some((lists, doomed)), Some(key)) => lists
                .iter_mut()
                .find(|(l, _)| l.strip_prefix('/') == Some(key))
                .map(|(_, sizes)| (sizes, Marks::new(doomed.ranges(key).unwrap_or_default()))),
            _ => None,
        };
        let mode = match list {
            Some((sizes, marks)) => Mode::Elements(sizes, marks),
            None => Mode::Plain,
        };
        value.serialize(Count { n: &mut *self.n, mode })
    }

    fn end(self) -> Result<(), Error> {
        *self.n += self.close;
        Ok(())
    }
}

/// The four compounds whose members are elements, counted alike.
macro_rules! elements {
    ($($serialize:ident :: $method:ident),*) => {$(
        impl ser::$serialize for Compound<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Error> {
                self.element(value)
            }
            fn end(self) -> Result<(), Error> {
                Compound::end(self)
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(), Error> {
        self.key = Some(if self.lists.is_some() {
            // The top level (a flattened struct, say): the key's text may name a list.
            let key = map_key(key)?;
            (string_chars(&key), Some(key))
        } else {
            (key.serialize(KeyCount)?, None)
        });
        Ok(())
    }
    fn serialize_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Error> {
        let (chars, text) = self
            .key
            .take()
            .ok_or_else(|| ser::Error::custom("serialize_value called before serialize_key"))?;
        self.member(chars, text.as_deref(), value)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<V: Serialize + ?Sized>(&mut self, key: &'static str, value: &V) -> Result<(), Error> {
        self.member(string_chars(key), Some(key), value)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<V: Serialize + ?Sized>(&mut self, key: &'static str, value: &V) -> Result<(), Error> {
        self.member(string_chars(key), None, value)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

/// The length of a map key as serde_json writes it into a `Value`: text as it is, numbers and
/// booleans quoted.
struct KeyCount;

fn not_a_key() -> Error {
    ser::Error::custom("key must be a string")
}

impl KeyCount {
    fn integer(self, digits: usize) -> Result<usize, Error> {
        Ok(2 + digits)
    }
}

impl Serializer for KeyCount {
    type Ok = usize;
    type Error = Error;
    type SerializeSeq = Impossible<usize, Error>;
    type SerializeTuple = Impossible<usize, Error>;
    type SerializeTupleStruct = Impossible<usize, Error>;
    type SerializeTupleVariant = Impossible<usize, Error>;
    type SerializeMap = Impossible<usize, Error>;
    type SerializeStruct = Impossible<usize, Error>;
    type SerializeStructVariant = Impossible<usize, Error>;

    fn serialize_bool(self, v: bool) -> Result<usize, Error> {
        Ok(if v { 6 } else { 7 })
    }
    integers!(usize);
    fn serialize_f32(self, v: f32) -> Result<usize, Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<usize, Error> {
        if v.is_finite() {
            Ok(2 + float_chars(v))
        } else {
            Err(not_a_key())
        }
    }
    fn serialize_char(self, v: char) -> Result<usize, Error> {
        Ok(string_chars(v.encode_utf8(&mut [0; 4])))
    }
    fn serialize_str(self, v: &str) -> Result<usize, Error> {
        Ok(string_chars(v))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<usize, Error> {
        Err(not_a_key())
    }
    fn serialize_none(self) -> Result<usize, Error> {
        Err(not_a_key())
    }
    fn serialize_some<V: Serialize + ?Sized>(self, _: &V) -> Result<usize, Error> {
        Err(not_a_key())
    }
    fn serialize_unit(self) -> Result<usize, Error> {
        Err(not_a_key())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<usize, Error> {
        Err(not_a_key())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<usize, Error> {
        Ok(string_chars(variant))
    }
    fn serialize_newtype_struct<V: Serialize + ?Sized>(self, _: &'static str, value: &V) -> Result<usize, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &V,
    ) -> Result<usize, Error> {
        Err(not_a_key())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(not_a_key())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        Err(not_a_key())
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Error> {
        Err(not_a_key())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(not_a_key())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(not_a_key())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        Err(not_a_key())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(not_a_key())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::{Value, json};

    use super::*;
    use crate::render::json_chars;

    #[derive(serde::Serialize)]
    enum Shape {
        Unit,
        New(f32),
        Pair(u8, Option<i64>),
        Named { a: Vec<u8>, b: char },
    }

    #[derive(serde::Serialize)]
    struct Wrapped(Vec<Shape>);

    #[derive(serde::Serialize)]
    struct Output {
        items: Vec<Shape>,
        wrapped: Wrapped,
        #[serde(skip_serializing_if = "Option::is_none")]
        gone: Option<u8>,
        missing: Option<Vec<u8>>,
        name: &'static str,
        #[serde(with = "serde_bytes_like")]
        raw: Vec<u8>,
        #[serde(flatten)]
        keyed: BTreeMap<i64, (f64, bool, ())>,
        by_flag: BTreeMap<bool, char>,
        by_shape: BTreeMap<&'static str, Value>,
    }

    mod serde_bytes_like {
        pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(v)
        }
    }

    fn output() -> Output {
        let shapes = || {
            vec![
                Shape::Unit,
                Shape::New(0.1),
                Shape::New(f32::NAN),
                Shape::Pair(255, None),
                Shape::Pair(0, Some(i64::MIN)),
                Shape::Named {
                    a: vec![1, 20, 255],
                    b: '"',
                },
                Shape::Named { a: vec![], b: 'é' },
            ]
        };
        Output {
            items: shapes(),
            wrapped: Wrapped(shapes()),
            gone: None,
            missing: None,
            name: "tab\there \u{1}",
            raw: vec![0, 9, 10, 100],
            keyed: [(-5, (1e300, true, ())), (12, (f64::INFINITY, false, ()))].into(),
            by_flag: [(true, 'x'), (false, '\n')].into(),
            by_shape: [("a\"b", json!({"k": [1.5, null, "🦀"]})), ("", json!([]))].into(),
        }
    }

    /// The count is the length of what serde_json writes for the output's `Value`, and each
    /// measured element's length with its comma, for every kind of value serde has.
    #[test]
    fn measured_lengths_are_those_of_the_written_value() {
        let out = output();
        let value = serde_json::to_value(&out).unwrap();
        let lists = ["/items", "/wrapped", "/missing", "/name", "/-5", "/nowhere", "/items/0"];
        let m = measure(&out, &lists, &Doomed::default()).unwrap();
        assert_eq!(m.total, serde_json::to_string(&value).unwrap().chars().count());
        assert_eq!(m.total, json_chars(&value));
        for list in ["/items", "/wrapped"] {
            let elements = value.pointer(list).unwrap().as_array().unwrap();
            for (i, e) in elements.iter().enumerate() {
                assert_eq!(m.elements(list, i..i + 1), json_chars(e) + 1, "{list} {i}");
            }
            assert_eq!(m.elements(list, 0..elements.len() + 1), 0, "a range past the end");
        }
        for list in ["/missing", "/name", "/-5", "/nowhere", "/items/0"] {
            assert_eq!(m.elements(list, 0..1), 0, "{list} is no measured list");
        }
        // A `Value` measures as itself.
        let of_value = measure(&value, &["/items"], &Doomed::default()).unwrap();
        assert_eq!(of_value.elements("/items", 0..7), m.elements("/items", 0..7));
        // Doomed elements count as absent, commas and all.
        let doomed = Doomed::of([("/items", 0..2), ("/items", 5..6), ("/name", 0..1)]);
        let m = measure(&out, &lists, &doomed).unwrap();
        let mut without = value.clone();
        let items = without["items"].as_array_mut().unwrap();
        items.remove(5);
        items.drain(0..2);
        assert_eq!(m.total, json_chars(&without));
        assert_eq!(m.elements("/items", 0..2) + m.elements("/items", 5..6), 0);
        assert_eq!(m.elements("/items", 2..3), json_chars(&value["items"][2]) + 1);
    }

    #[test]
    fn keys_that_are_no_text_are_refused_as_serde_json_refuses_them() {
        let bad: BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
        assert!(serde_json::to_value(&bad).is_err());
        assert!(measure(&json!({}), &[], &Doomed::default()).is_ok());
        assert!(measure(&vec![bad], &[], &Doomed::default()).is_err());
    }
}
