//! The form's multiple-choice answers as types. Each answer's stored key is derived from its
//! name (`strum`); its words are beside it. A key nobody offered (a tampered post) parses to no
//! answer, so the section asks for one at that field.

use serde::{Deserialize, Deserializer, Serializer};
use std::str::FromStr;
use strum::IntoEnumIterator;

/// A multiple-choice answer: its stored key and the words a person chooses.
pub trait Choice: Copy + Eq + Into<&'static str> + FromStr + IntoEnumIterator + 'static {
    /// The words on the page.
    fn words(self) -> &'static str;

    /// The stored key (and the posted value).
    fn key(self) -> &'static str {
        self.into()
    }

    /// The answer a posted or stored key stands for; none for an empty or unknown key.
    fn parse(key: &str) -> Option<Self> {
        Self::from_str(key.trim()).ok()
    }

    /// Every answer as (key, words), in the order offered.
    fn options() -> Vec<(&'static str, &'static str)> {
        Self::iter().map(|c| (c.key(), c.words())).collect()
    }
}

/// Yes or no.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::EnumIter)]
#[strum(serialize_all = "snake_case")]
pub enum YesNo {
    /// Yes.
    Yes,
    /// No.
    No,
}

impl Choice for YesNo {
    fn words(self) -> &'static str {
        match self {
            YesNo::Yes => "Yes",
            YesNo::No => "No",
        }
    }
}

impl From<bool> for YesNo {
    fn from(yes: bool) -> YesNo {
        if yes {
            YesNo::Yes
        } else {
            YesNo::No
        }
    }
}

/// The risk the dev team sees in the change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::EnumIter)]
#[strum(serialize_all = "snake_case")]
pub enum Risk {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
}

impl Choice for Risk {
    fn words(self) -> &'static str {
        match self {
            Risk::Low => "Low",
            Risk::Medium => "Medium",
            Risk::High => "High",
        }
    }
}

/// How the change reaches production.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::EnumIter)]
#[strum(serialize_all = "snake_case")]
pub enum Strategy {
    /// A small share of traffic first, in increasing steps.
    Canary,
    /// A new copy beside the old, traffic switched over.
    BlueGreen,
    /// Deployed dark behind a flag, then turned on.
    FeatureFlag,
    /// Replaced in place.
    Direct,
}

impl Choice for Strategy {
    fn words(self) -> &'static str {
        match self {
            Strategy::Canary => "Canary: a small share of traffic first",
            Strategy::BlueGreen => "Blue/green: switch traffic to a new copy",
            Strategy::FeatureFlag => "Feature flag: deploy dark, then turn on",
            Strategy::Direct => "Direct: replace in place",
        }
    }
}

/// Which answers a choice question offers (the field table is `const`, the answers are types).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChoiceOf {
    /// [`YesNo`].
    YesNo,
    /// [`Risk`].
    Risk,
    /// [`Strategy`].
    Strategy,
}

impl ChoiceOf {
    /// The answers as (key, words).
    pub fn options(self) -> Vec<(&'static str, &'static str)> {
        match self {
            ChoiceOf::YesNo => YesNo::options(),
            ChoiceOf::Risk => Risk::options(),
            ChoiceOf::Strategy => Strategy::options(),
        }
    }
}

/// The stored form of an answer: its key, or "" while unanswered (as forms were always stored).
/// A stored key that is not an answer is an error, never a default.
pub mod stored {
    use super::*;

    pub fn serialize<C: Choice, S: Serializer>(value: &Option<C>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.map_or("", Choice::key))
    }

    pub fn deserialize<'de, C: Choice, D: Deserializer<'de>>(d: D) -> Result<Option<C>, D::Error> {
        let key = String::deserialize(d)?;
        if key.is_empty() {
            return Ok(None);
        }
        C::parse(&key).map(Some).ok_or_else(|| serde::de::Error::custom(format!("“{key}” is not one of the answers")))
    }
}
