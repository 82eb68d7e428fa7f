//! The values that cross the connection layer: one owned type for parameters and columns on
//! both backends, so the store's queries never name a driver's types. The variant names are
//! rusqlite's, so a value prints the same as before (the store's `dump` relies on it).

/// One parameter or column value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// What may be passed as a parameter (see the `params!` macro).
pub trait ToValue {
    fn to_value(&self) -> Value;
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl ToValue for i64 {
    fn to_value(&self) -> Value {
        Value::Integer(*self)
    }
}

impl ToValue for i32 {
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
}

impl ToValue for u32 {
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
}

/// Booleans are stored as 0 and 1, as SQLite (and the schema's INTEGER columns) have them.
impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
}

impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

/// Parameters for one statement: `params![a, b]` is a `&[Value]`.
#[macro_export]
macro_rules! params {
    () => { &[] as &[$crate::runtime::db::Value] };
    ($($x:expr),+ $(,)?) => {
        &[$($crate::runtime::db::ToValue::to_value(&$x)),+] as &[$crate::runtime::db::Value]
    };
}

/// A column read as a Rust type; a mismatch names both types.
pub trait FromValue: Sized {
    fn from_value(v: &Value) -> Result<Self, String>;
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL",
        Value::Integer(_) => "an integer",
        Value::Real(_) => "a real number",
        Value::Text(_) => "text",
        Value::Blob(_) => "a blob",
    }
}

fn mismatch<T>(want: &str, v: &Value) -> Result<T, String> {
    Err(format!("expected {want}, found {}", kind(v)))
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> Result<i64, String> {
        match v {
            Value::Integer(i) => Ok(*i),
            v => mismatch("an integer", v),
        }
    }
}

impl FromValue for u64 {
    fn from_value(v: &Value) -> Result<u64, String> {
        match v {
            Value::Integer(i) => u64::try_from(*i).map_err(|_| format!("{i} is negative")),
            v => mismatch("an integer", v),
        }
    }
}

/// SQLite hands back a REAL column's whole numbers as reals; an integer column read as a real
/// widens, as rusqlite does.
impl FromValue for f64 {
    fn from_value(v: &Value) -> Result<f64, String> {
        match v {
            Value::Real(f) => Ok(*f),
            Value::Integer(i) => Ok(*i as f64),
            v => mismatch("a real number", v),
        }
    }
}

impl FromValue for bool {
    fn from_value(v: &Value) -> Result<bool, String> {
        i64::from_value(v).map(|i| i != 0)
    }
}

impl FromValue for String {
    fn from_value(v: &Value) -> Result<String, String> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            v => mismatch("text", v),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> Result<Vec<u8>, String> {
        match v {
            Value::Blob(b) => Ok(b.clone()),
            v => mismatch("a blob", v),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Result<Option<T>, String> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// One result row, owned (read fully before the next statement runs).
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    /// Column `i` as `T`.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T, super::DbError> {
        let v = self.0.get(i).ok_or_else(|| {
            super::DbError::Type(format!("no column {i} (the row has {})", self.0.len()))
        })?;
        T::from_value(v).map_err(|e| super::DbError::Type(format!("column {i}: {e}")))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_getters_convert_and_name_mismatches() {
        let r = Row(vec![
            Value::Integer(3),
            Value::Null,
            Value::Text("a".into()),
            Value::Real(1.5),
        ]);
        assert_eq!(r.get::<i64>(0).unwrap(), 3);
        assert!(r.get::<bool>(0).unwrap());
        assert_eq!(r.get::<f64>(0).unwrap(), 3.0);
        assert_eq!(r.get::<Option<String>>(1).unwrap(), None);
        assert_eq!(r.get::<String>(2).unwrap(), "a");
        assert_eq!(r.get::<f64>(3).unwrap(), 1.5);
        let e = r.get::<i64>(2).unwrap_err().to_string();
        assert!(e.contains("expected an integer, found text"), "{e}");
        assert!(r.get::<i64>(9).is_err());
    }

    #[test]
    fn params_become_values() {
        let name = String::from("x");
        let none: Option<i64> = None;
        let p = crate::params![1i64, name, "y", none, true, 2.5, Some(7i64)];
        assert_eq!(
            p,
            [
                Value::Integer(1),
                Value::Text("x".into()),
                Value::Text("y".into()),
                Value::Null,
                Value::Integer(1),
                Value::Real(2.5),
                Value::Integer(7)
            ]
        );
    }
}
