//! A tool's output serialised as its structured result, with the list elements the answer drops
//! written as `null`: the answer decides its cut before the JSON is built (`Answer::plan`, from
//! the lengths `render::count` measures), so building the JSON of elements that leave anyway is
//! waste. On a cut answer that is most of the tree.
//!
//! Nulls keep every other element at its index, so the answer's item ranges still point at the
//! right elements; `Cut::apply` then removes them, and the result is the very JSON a full
//! serialisation would have given once cut (tested in `answer.rs`).
//!
//! Also how long that JSON is ([`json_chars`]), counted from the tree without writing it.

use std::ops::Range;

use serde::ser::{self, Serialize, SerializeMap, SerializeSeq, SerializeStruct, Serializer};
use serde_json::{Map, Value};

type Inner = serde_json::value::Serializer;
/// serde_json's value serializer, a unit struct.
const INNER: Inner = serde_json::value::Serializer;
type Error = serde_json::Error;

/// Elements to write as null, by list (a JSON pointer; only top-level lists, `/name`, are
/// nulled), each list's ranges sorted and merged so that one pass over a list's elements
/// checks them with a cursor ([`Marks`]): a cut answer can drop thousands of one-element items.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Doomed {
    lists: Vec<(&'static str, Vec<Range<usize>>)>,
}

impl Doomed {
    /// The elements `ranges` name, by list; empty ranges name nothing.
    pub(crate) fn of(ranges: impl IntoIterator<Item = (&'static str, Range<usize>)>) -> Self {
        let mut lists: Vec<(&'static str, Vec<Range<usize>>)> = Vec::new();
        for (list, range) in ranges.into_iter().filter(|(_, r)| !r.is_empty()) {
            match lists.iter_mut().find(|(l, _)| *l == list) {
                Some((_, rs)) => rs.push(range),
                None => lists.push((list, vec![range])),
            }
        }
        for (_, ranges) in &mut lists {
            ranges.sort_unstable_by_key(|r| r.start);
            let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
            for r in ranges.drain(..) {
                match merged.last_mut() {
                    Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                    _ => merged.push(r),
                }
            }
            *ranges = merged;
        }
        Doomed { lists }
    }

    /// True when no element is doomed.
    pub(crate) fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// Each list's pointer and its ranges (sorted, disjoint).
    pub(crate) fn lists(&self) -> impl Iterator<Item = (&'static str, &[Range<usize>])> {
        self.lists.iter().map(|(l, r)| (*l, r.as_slice()))
    }

    /// The doomed ranges of the top-level field `field`: of the list whose pointer is `/field`
    /// (a pointer with more steps, or an escape, names no top-level field as it is spelt).
    pub(crate) fn ranges(&self, field: &str) -> Option<&[Range<usize>]> {
        self.lists
            .iter()
            .find(|(l, _)| l.strip_prefix('/').filter(|k| !k.contains(['/', '~'])) == Some(field))
            .map(|(_, r)| r.as_slice())
    }
}

/// Which indices of a list are doomed, asked in increasing order.
pub(crate) struct Marks<'d> {
    ranges: &'d [Range<usize>],
}

impl<'d> Marks<'d> {
    /// Over sorted, disjoint `ranges` (as [`Doomed`] holds them).
    pub(crate) fn new(ranges: &'d [Range<usize>]) -> Self {
        Marks { ranges }
    }

    /// True when `index` is in a range; indices must not decrease from one call to the next.
    pub(crate) fn contains(&mut self, index: usize) -> bool {
        while let Some((first, rest)) = self.ranges.split_first()
            && first.end <= index
        {
            self.ranges = rest;
        }
        self.ranges.first().is_some_and(|r| r.start <= index)
    }
}

/// `output` as JSON, with the `doomed` elements of its top-level lists written as null.
pub(crate) fn to_value<T: Serialize>(output: &T, doomed: &Doomed) -> Result<Value, Error> {
    if doomed.is_empty() {
        return serde_json::to_value(output);
    }
    output.serialize(Top { doomed })
}

/// The top level: a struct (or, with `#[serde(flatten)]`, a map) whose list fields are nulled.
struct Top<'d> {
    doomed: &'d Doomed,
}

/// A field's value, its sequence elements in `ranges` (sorted, disjoint) written as null.
fn nulled<V: Serialize + ?Sized>(value: &V, ranges: &[Range<usize>]) -> Result<Value, Error> {
    value.serialize(Lists { ranges })
}

/// The top level's members, in a map of its own: a nulled list is a `Value` already, which
/// serde_json's map serializer would serialize again, copying the whole list.
struct TopMembers<'d> {
    map: Map<String, Value>,
    doomed: &'d Doomed,
    key: Option<String>,
}

impl TopMembers<'_> {
    fn insert<V: Serialize + ?Sized>(&mut self, key: String, value: &V) -> Result<(), Error> {
        let value = match self.doomed.ranges(&key) {
            Some(ranges) => nulled(value, ranges)?,
            None => serde_json::to_value(value)?,
        };
        self.map.insert(key, value);
        Ok(())
    }
}

impl SerializeStruct for TopMembers<'_> {
    type Ok = Value;
    type Error = Error;

    fn serialize_field<V: Serialize + ?Sized>(&mut self, key: &'static str, value: &V) -> Result<(), Error> {
        self.insert(key.to_owned(), value)
    }

    fn end(self) -> Result<Value, Error> {
        Ok(Value::Object(self.map))
    }
}

impl SerializeMap for TopMembers<'_> {
    type Ok = Value;
    type Error = Error;

    fn serialize_key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(), Error> {
        self.key = Some(map_key(key)?);
        Ok(())
    }

    fn serialize_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| ser::Error::custom("serialize_value called before serialize_key"))?;
        self.insert(key, value)
    }

    fn end(self) -> Result<Value, Error> {
        Ok(Value::Object(self.map))
    }
}

/// `key` as serde_json writes a map key (text as is, numbers as their digits...), taken from
/// the one-member map serde_json builds, so that its rules hold without being copied here.
pub(crate) fn map_key<K: Serialize + ?Sized>(key: &K) -> Result<String, Error> {
    struct One<'k, K: ?Sized>(&'k K);
    impl<K: Serialize + ?Sized> Serialize for One<'_, K> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(Some(1))?;
            map.serialize_entry(self.0, &())?;
            map.end()
        }
    }
    match serde_json::to_value(One(key))? {
        Value::Object(map) => map
            .into_iter()
            .next()
            .map(|(k, _)| k)
            .ok_or_else(|| ser::Error::custom("a map key serialised to nothing")),
        _ => Err(ser::Error::custom("a map key serialised to no map")),
    }
}

/// A sequence whose doomed elements are written as null.
struct NullingSeq<'d> {
    inner: <Inner as Serializer>::SerializeSeq,
    marks: Marks<'d>,
    index: usize,
}

impl SerializeSeq for NullingSeq<'_> {
    type Ok = Value;
    type Error = Error;

    fn serialize_element<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Error> {
        let doomed = self.marks.contains(self.index);
        self.index += 1;
        if doomed {
            self.inner.serialize_element(&())
        } else {
            self.inner.serialize_element(value)
        }
    }

    fn end(self) -> Result<Value, Error> {
        self.inner.end()
    }
}

/// Forwards everything to serde_json's value serializer but the given methods.
macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        $(fn $method(self, $($arg: $ty),*) -> Result<$ret, Error> {
            INNER.$method($($arg),*)
        })*
    };
}

macro_rules! forward_all_but_seq_struct_map {
    () => {
        type Ok = Value;
        type Error = Error;
        type SerializeTuple = <Inner as Serializer>::SerializeTuple;
        type SerializeTupleStruct = <Inner as Serializer>::SerializeTupleStruct;
        type SerializeTupleVariant = <Inner as Serializer>::SerializeTupleVariant;
        type SerializeStructVariant = <Inner as Serializer>::SerializeStructVariant;

        forward! {
            serialize_bool(v: bool) -> Value;
            serialize_i8(v: i8) -> Value;
            serialize_i16(v: i16) -> Value;
            serialize_i32(v: i32) -> Value;
            serialize_i64(v: i64) -> Value;
            serialize_u8(v: u8) -> Value;
            serialize_u16(v: u16) -> Value;
            serialize_u32(v: u32) -> Value;
            serialize_u64(v: u64) -> Value;
            serialize_f32(v: f32) -> Value;
            serialize_f64(v: f64) -> Value;
            serialize_char(v: char) -> Value;
            serialize_str(v: &str) -> Value;
            serialize_bytes(v: &[u8]) -> Value;
            serialize_none() -> Value;
            serialize_unit() -> Value;
            serialize_unit_struct(name: &'static str) -> Value;
            serialize_unit_variant(name: &'static str, index: u32, variant: &'static str) -> Value;
            serialize_tuple(len: usize) -> Self::SerializeTuple;
            serialize_tuple_struct(name: &'static str, len: usize) -> Self::SerializeTupleStruct;
            serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> Self::SerializeTupleVariant;
            serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> Self::SerializeStructVariant;
        }

        fn serialize_some<V: Serialize + ?Sized>(self, value: &V) -> Result<Value, Error> {
            value.serialize(self)
        }

        fn serialize_newtype_struct<V: Serialize + ?Sized>(self, _: &'static str, value: &V) -> Result<Value, Error> {
            value.serialize(self)
        }

        fn serialize_newtype_variant<V: Serialize + ?Sized>(
            self,
            name: &'static str,
            index: u32,
            variant: &'static str,
            value: &V,
        ) -> Result<Value, Error> {
            INNER.serialize_newtype_variant(name, index, variant, value)
        }
    };
}

impl<'d> Serializer for Top<'d> {
    type SerializeSeq = <Inner as Serializer>::SerializeSeq;
    type SerializeMap = TopMembers<'d>;
    type SerializeStruct = TopMembers<'d>;

    forward_all_but_seq_struct_map!();

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        INNER.serialize_seq(len)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<TopMembers<'d>, Error> {
        Ok(TopMembers {
            map: Map::new(),
            doomed: self.doomed,
            key: None,
        })
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<TopMembers<'d>, Error> {
        self.serialize_map(None)
    }
}

/// A field's value: its sequence (the list) gets null for doomed elements.
struct Lists<'d> {
    ranges: &'d [Range<usize>],
}

impl<'d> Serializer for Lists<'d> {
    type SerializeSeq = NullingSeq<'d>;
    type SerializeMap = <Inner as Serializer>::SerializeMap;
    type SerializeStruct = <Inner as Serializer>::SerializeStruct;

    forward_all_but_seq_struct_map!();

    fn serialize_seq(self, len: Option<usize>) -> Result<NullingSeq<'d>, Error> {
        Ok(NullingSeq {
            inner: INNER.serialize_seq(len)?,
            marks: Marks::new(self.ranges),
            index: 0,
        })
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        INNER.serialize_map(len)
    }

    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Self::SerializeStruct, Error> {
        INNER.serialize_struct(name, len)
    }
}

/// Characters of `v` serialised as compact JSON, counted from the tree without serialising it:
/// serde_json's escapes for strings and keys, its formatting for floats (tested against
/// serialising). Every answer counts its whole structured result (`Answer::finish`);
/// serialising it through a counting writer cost as much as the serialisation that sends it.
pub fn json_chars(v: &Value) -> usize {
    match v {
        Value::Null => 4,
        Value::Bool(true) => 4,
        Value::Bool(false) => 5,
        Value::Number(n) => number_chars(n),
        Value::String(s) => string_chars(s),
        // Brackets and the commas between elements.
        Value::Array(items) => 2 + items.len().saturating_sub(1) + items.iter().map(json_chars).sum::<usize>(),
        // Braces, the commas, and a colon per member.
        Value::Object(map) => {
            2 + map.len().saturating_sub(1)
                + map
                    .iter()
                    .map(|(k, v)| string_chars(k) + 1 + json_chars(v))
                    .sum::<usize>()
        }
    }
}

/// The characters serde_json writes for a string: quotes, the characters, and one more for
/// `\"`, `\\` and the short control escapes (`\n`...), five more for the others (`\u001f`).
pub(crate) fn string_chars(s: &str) -> usize {
    const EXTRA: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut b = 0;
        while b < 0x20 {
            t[b] = 5;
            b += 1;
        }
        t[0x08] = 1;
        t[0x09] = 1;
        t[0x0a] = 1;
        t[0x0c] = 1;
        t[0x0d] = 1;
        t[b'"' as usize] = 1;
        t[b'\\' as usize] = 1;
        t
    };
    // Characters (bytes that start one) and bytes to escape, in one loop the compiler
    // vectorises; the exact escapes only for the rare string that has any.
    let (mut chars, mut special) = (0usize, 0usize);
    for &b in s.as_bytes() {
        chars += usize::from((b as i8) >= -0x40);
        special += usize::from(b < 0x20 || b == b'"' || b == b'\\');
    }
    if special > 0 {
        chars += s.bytes().map(|b| usize::from(EXTRA[usize::from(b)])).sum::<usize>();
    }
    2 + chars
}

fn number_chars(n: &serde_json::Number) -> usize {
    if let Some(u) = n.as_u64() {
        digits(u)
    } else if let Some(i) = n.as_i64() {
        1 + digits(i.unsigned_abs())
    } else {
        // A float: its shortest form is what serde_json writes, all ASCII.
        json_bytes(n)
    }
}

/// Bytes of `v` serialised, counted without building the string.
pub fn json_bytes(v: &impl serde::Serialize) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing to a sink that never fails cannot fail.
    let _ = serde_json::to_writer(&mut count, v);
    count.0
}

/// Decimal digits of `u`.
pub(crate) fn digits(mut u: u64) -> usize {
    let mut n = 1;
    while u >= 10 {
        u /= 10;
        n += 1;
    }
    n
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use serde_json::{Map, json};

    /// The count from the tree is the length serde_json writes: every escape, multi-byte
    /// characters, integers at their limits, floats in all their forms, nesting.
    #[test]
    fn json_chars_is_what_serde_json_writes() {
        let mut strings: Vec<String> = (0u8..=0x7f).map(|b| format!("a{}b", b as char)).collect();
        strings.extend(
            [
                "",
                "é",
                "日本語",
                "🦀 crab",
                "\u{7f}\u{80}\u{ffff}",
                "\"q\" \\ b",
                "l\nb\tt\r\u{0}\u{1f}",
            ]
            .map(String::from),
        );
        let mut values: Vec<Value> = strings.iter().map(|s| json!(s)).collect();
        values.extend([
            json!(0),
            json!(9),
            json!(10),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(-1),
            json!(-10),
            json!(0.1),
            json!(-0.0),
            json!(1e300),
            json!(1.5e-7),
            json!(123456.789),
            json!(f64::MAX),
            json!(f64::MIN_POSITIVE),
            json!(2.0),
            json!(null),
            json!(true),
            json!(false),
            json!([]),
            json!({}),
            json!([1]),
            json!({"k": 1}),
        ]);
        let keyed: Map<String, Value> = strings.iter().map(|s| (s.clone(), json!(s))).collect();
        values.push(json!({"list": values.clone(), "map": keyed, "deep": [[[{"a": [null, {"b\n": "c\u{1}"}]}]]]}));
        for v in &values {
            let written = serde_json::to_string(v).map(|s| s.chars().count());
            assert_eq!(Ok(json_chars(v)), written.map_err(|e| e.to_string()), "{v}");
        }
    }

    /// A top level with lists, for the doomed ones to leave (here and in `render::written`).
    #[derive(serde::Serialize)]
    pub(crate) struct Listed {
        pub(crate) items: Vec<Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub(crate) more: Option<Vec<u8>>,
        pub(crate) name: &'static str,
    }

    /// The same, flattened into a map with keys serde_json writes as digits.
    #[derive(serde::Serialize)]
    pub(crate) struct Flattened {
        #[serde(flatten)]
        pub(crate) listed: Listed,
        #[serde(flatten)]
        pub(crate) numbered: std::collections::BTreeMap<i64, bool>,
    }

    /// The tree with doomed elements is serde_json's with those elements null, for a top level
    /// that is a struct or a flattened map (with keys serde_json writes as digits), and a
    /// pointer naming no top-level field as spelt.
    #[test]
    fn doomed_elements_are_null_and_the_rest_is_serde_jsons() {
        let listed = || Listed {
            items: (0..6).map(|i| json!({"i": i, "s": [i, "é"]})).collect(),
            more: Some(vec![1, 2, 3]),
            name: "n",
        };
        let doomed = Doomed::of([("/items", 4..9), ("/items", 1..2), ("/more", 0..1), ("/items/x", 0..1)]);
        let nulled = |mut v: Value| {
            for i in [1, 4, 5] {
                v["items"][i] = Value::Null;
            }
            v["more"][0] = Value::Null;
            v
        };
        let l = listed();
        assert_eq!(
            to_value(&l, &doomed).unwrap(),
            nulled(serde_json::to_value(&l).unwrap())
        );
        let f = Flattened {
            listed: listed(),
            numbered: [(-1, true), (20, false)].into(),
        };
        assert_eq!(
            to_value(&f, &doomed).unwrap(),
            nulled(serde_json::to_value(&f).unwrap())
        );
        assert_eq!(
            to_value(&f, &Doomed::default()).unwrap(),
            serde_json::to_value(&f).unwrap()
        );
    }

    proptest::proptest! {
        #[test]
        fn json_chars_is_what_serde_json_writes_for_any_text_and_number(
            s in ".*",
            f in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO,
            i in proptest::num::i64::ANY,
        ) {
            let v = json!({s.clone(): [s, f, i]});
            proptest::prop_assert_eq!(json_chars(&v), serde_json::to_string(&v).unwrap().chars().count());
        }
    }
}
