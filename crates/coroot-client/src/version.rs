//! Coroot's version, which decides what its API serves: endpoints, shapes and behaviours
//! changed between v1.12 and today (see docs/coroot-compat.md). Coroot exposes it only on the
//! UI's index page (`window.coroot = {version: '…'}`); the client reads it once and keeps it.

use std::fmt;

/// A Coroot release, `major.minor.patch`; suffixes such as `-localbuild` are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// Major.
    pub major: u32,
    /// Minor.
    pub minor: u32,
    /// Patch.
    pub patch: u32,
}

impl Version {
    /// The oldest Coroot this project supports: `/api/project/{p}/incidents` first appeared in
    /// v1.12.5 (`v1.12.5:main.go`), and before it incidents had another shape altogether.
    pub const OLDEST_SUPPORTED: Version = Version::new(1, 12, 5);

    /// `major.minor.patch`.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Version { major, minor, patch }
    }

    /// Reads `1.24.5`, `v1.24.5` or `1.24.5-localbuild`; `None` for anything else.
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim().trim_start_matches('v');
        let core = s.split(['-', '+', ' ']).next()?;
        let mut parts = core.split('.');
        let mut next = || parts.next().and_then(|p| p.parse::<u32>().ok());
        let (major, minor) = (next()?, next()?);
        let patch = next().unwrap_or(0);
        Some(Version::new(major, minor, patch))
    }

    /// True from `major.minor.patch` on.
    pub fn at_least(self, major: u32, minor: u32, patch: u32) -> bool {
        self >= Version::new(major, minor, patch)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_order() {
        assert_eq!(Version::parse("1.24.5-localbuild"), Some(Version::new(1, 24, 5)));
        assert_eq!(Version::parse("v1.12.0"), Some(Version::new(1, 12, 0)));
        assert_eq!(Version::parse("1.17"), Some(Version::new(1, 17, 0)));
        assert_eq!(Version::parse("dev"), None);
        assert!(Version::new(1, 12, 4) < Version::OLDEST_SUPPORTED);
        assert!(Version::new(1, 24, 1).at_least(1, 24, 1));
        assert!(!Version::new(1, 24, 0).at_least(1, 24, 1));
        assert_eq!(Version::new(1, 9, 0).to_string(), "1.9.0");
    }
}
