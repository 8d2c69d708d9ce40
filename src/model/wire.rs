//! Closed sets of values that reports write as strings (`"after_handshake"`, `"http"`), typed
//! in Rust. Reading a report from another mtlscheck version never fails on a value this one
//! does not know: it is kept as `Other` and written back unchanged. Their JSON Schema lists the
//! known strings with their doc comments and accepts any other string, for the same reason.

/// Declares an enum whose variants serialise to the given strings, plus `Other(String)`. Only
/// doc comments are taken on the enum and its variants: they become the schema's descriptions.
macro_rules! wire_enum {
    ($(#[doc = $doc:literal])* pub enum $name:ident { $($(#[doc = $vdoc:literal])* $variant:ident = $text:literal,)+ }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[doc = $vdoc])* $variant,)+
            /// A value written by another version of mtlscheck.
            Other(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)+
                    Self::Other(text) => text,
                }
            }

            pub fn from_text(text: &str) -> Self {
                match text {
                    $($text => Self::$variant,)+
                    other => Self::Other(other.to_string()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// The string the value is written as, so `Option<Self>::as_deref()` compares with
        /// `Some("...")`.
        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                self.as_str()
            }
        }

        /// Compares with the string the value is written as.
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from_text(&text))
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                use crate::model::schema::{doc_text, open_set};
                open_set(&doc_text(&[$($doc),*]), &[$(($text, doc_text(&[$($vdoc),*]))),+])
            }
        }
    };
}

pub(crate) use wire_enum;
