//! The types a process field may have (SPEC section 3, "Field").

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    Text,
    Longtext,
    Number,
    Money,
    Bool,
    Date,
    Datetime,
    User,
    Users,
    File,
    Files,
    Choice,
}

impl FieldType {
    pub const ALL: [FieldType; 12] = [
        FieldType::Text,
        FieldType::Longtext,
        FieldType::Number,
        FieldType::Money,
        FieldType::Bool,
        FieldType::Date,
        FieldType::Datetime,
        FieldType::User,
        FieldType::Users,
        FieldType::File,
        FieldType::Files,
        FieldType::Choice,
    ];

    pub fn parse(s: &str) -> Option<FieldType> {
        FieldType::ALL.iter().copied().find(|t| t.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Longtext => "longtext",
            FieldType::Number => "number",
            FieldType::Money => "money",
            FieldType::Bool => "bool",
            FieldType::Date => "date",
            FieldType::Datetime => "datetime",
            FieldType::User => "user",
            FieldType::Users => "users",
            FieldType::File => "file",
            FieldType::Files => "files",
            FieldType::Choice => "choice",
        }
    }

    /// A field that names people: the only kind a `field:` reference may point at.
    pub fn is_user(self) -> bool {
        matches!(self, FieldType::User | FieldType::Users)
    }

    /// A field that holds a point in time: the only kind a `<field> + <duration>` due rule may use.
    pub fn is_time(self) -> bool {
        matches!(self, FieldType::Date | FieldType::Datetime)
    }
}

impl std::fmt::Display for FieldType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
