//! Benchmark ids, named as criterion names them: `<group>/<function>/<parameter>`, the parts
//! that exist joined by `/`.

use std::fmt::Display;

/// A benchmark's id within a group: a function name, a parameter, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchmarkId {
    function_name: Option<String>,
    parameter: Option<String>,
}

impl BenchmarkId {
    /// `<function_name>/<parameter>`.
    pub fn new<S: Into<String>, P: Display>(function_name: S, parameter: P) -> Self {
        Self {
            function_name: Some(function_name.into()),
            parameter: Some(parameter.to_string()),
        }
    }

    /// Only a parameter: in a group, `<group>/<parameter>`.
    pub fn from_parameter<P: Display>(parameter: P) -> Self {
        Self {
            function_name: None,
            parameter: Some(parameter.to_string()),
        }
    }

    pub(crate) fn function_name(&self) -> Option<&str> {
        self.function_name.as_deref()
    }

    pub(crate) fn parameter(&self) -> Option<&str> {
        self.parameter.as_deref()
    }
}

/// What a group's `bench_function` and `bench_with_input` take as an id: a [`BenchmarkId`] or a
/// function name.
pub trait IntoBenchmarkId {
    /// The id.
    fn into_benchmark_id(self) -> BenchmarkId;
}

impl IntoBenchmarkId for BenchmarkId {
    fn into_benchmark_id(self) -> BenchmarkId {
        self
    }
}

impl<S: Into<String>> IntoBenchmarkId for S {
    fn into_benchmark_id(self) -> BenchmarkId {
        BenchmarkId {
            function_name: Some(self.into()),
            parameter: None,
        }
    }
}

/// The parts that exist, joined by `/`.
pub(crate) fn join(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .copied()
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_join_the_parts_that_exist() {
        let id = BenchmarkId::new("sum", 1000);
        assert_eq!(
            join(&[Some("g"), id.function_name(), id.parameter()]),
            "g/sum/1000"
        );
        let id = BenchmarkId::from_parameter("768x100");
        assert_eq!(
            join(&[Some("g"), id.function_name(), id.parameter()]),
            "g/768x100"
        );
        let id = "plain".into_benchmark_id();
        assert_eq!(
            join(&[Some("g"), id.function_name(), id.parameter()]),
            "g/plain"
        );
    }
}
