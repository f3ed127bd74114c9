//! The uniffi bindings generator, built from the same pinned uniffi version as `bindings-uniffi`.
//!
//! After `generate --language kotlin`, the generated Kotlin is patched (see [`kotlin_patch`]:
//! pooled call statuses; `RustBuffer` structures without reflection nor a native allocation each);
//! a patch that cannot be applied makes the command exit 1.

mod kotlin_patch;

use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    uniffi::uniffi_bindgen_main();
    if let Some(out_dir) = kotlin_out_dir(&args) {
        match kotlin_patch::patch_dir(&out_dir) {
            Ok(files) => {
                for file in files {
                    eprintln!("uniffi-bindgen: patched {}", file.display());
                }
            }
            Err(error) => {
                eprintln!("uniffi-bindgen: cannot patch the generated Kotlin: {error}");
                std::process::exit(1);
            }
        }
    }
}

/// The output directory of a `generate` command that includes Kotlin, if `args` is one.
fn kotlin_out_dir(args: &[String]) -> Option<PathBuf> {
    if args.first().map(String::as_str) != Some("generate") {
        return None;
    }
    let mut kotlin = false;
    let mut out_dir = None;
    let mut rest = args[1..].iter();
    while let Some(arg) = rest.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = || inline.clone().or_else(|| rest.next().cloned());
        match flag {
            "--language" | "-l" => kotlin |= value().as_deref() == Some("kotlin"),
            "--out-dir" | "-o" => out_dir = value().map(PathBuf::from),
            _ => {}
        }
    }
    if kotlin { out_dir } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn finds_the_out_dir_of_a_kotlin_generation() {
        let line = "generate --library lib.so --language kotlin --out-dir out --no-format";
        assert_eq!(kotlin_out_dir(&args(line)), Some(PathBuf::from("out")));
        let line = "generate --language=python -l kotlin -o gen lib.so";
        assert_eq!(kotlin_out_dir(&args(line)), Some(PathBuf::from("gen")));
        let line = "generate --out-dir=gen --language=kotlin lib.so";
        assert_eq!(kotlin_out_dir(&args(line)), Some(PathBuf::from("gen")));
    }

    #[test]
    fn ignores_other_commands_and_languages() {
        assert_eq!(
            kotlin_out_dir(&args("generate -l python -o out lib.so")),
            None
        );
        assert_eq!(kotlin_out_dir(&args("scaffolding -o out x.udl")), None);
        assert_eq!(kotlin_out_dir(&[]), None);
    }
}
