//! The repository stands on its own: no file in it refers to a document kept outside it (the team's
//! private notes, by their names or their folder), and every relative link in a Markdown file points to
//! a file or folder that is in the repository. The protocol is described in `docs/protocol.md`, the code
//! in `ARCHITECTURE.md`; anything else a reader needs must be in the tree too.
//!
//! Files are listed with `git ls-files` (tracked files and new ones that are not ignored, so a document
//! added but not yet committed is checked as well), or by walking the tree when git is unavailable or
//! the directory is not a git checkout of its own (a source archive). Binary files are skipped. Every
//! offender is reported as `file:line`, all at once.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// The repository root: the CLI crate's parent directory.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the CLI crate lives inside the repository")
        .to_path_buf()
}

/// The documents that live outside the repository. Built from pieces so that this file does not
/// mention them itself.
fn outside_documents() -> Vec<String> {
    ["PROTOCOL", "SERVICEMARKET", "DESIGN", "STYLE", "OPENAPI-V3"]
        .iter()
        .map(|name| format!("{name}.md"))
        .collect()
}

/// The folder those documents live in, as it is named from inside the repository.
const OUTSIDE_FOLDER: &str = "shared";

/// The files of the repository (paths relative to the root, `/`-separated) and every folder holding one.
#[derive(Debug, Default)]
struct Listing {
    files: BTreeSet<String>,
    folders: BTreeSet<String>,
}

impl Listing {
    /// The files among `files` that exist under `root` (a tracked file may be deleted in the working
    /// tree, not committed yet).
    fn from_files(root: &Path, files: impl IntoIterator<Item = String>) -> Listing {
        Listing::of(files.into_iter().filter(|file| root.join(file).is_file()))
    }

    fn of(files: impl IntoIterator<Item = String>) -> Listing {
        let mut listing = Listing::default();
        for file in files {
            let mut folder = file.as_str();
            while let Some((parent, _)) = folder.rsplit_once('/') {
                listing.folders.insert(parent.to_string());
                folder = parent;
            }
            listing.files.insert(file);
        }
        listing
    }

    /// Whether `path` (relative to the root, normalised) is a file or a folder of the repository.
    fn contains(&self, path: &str) -> bool {
        let path = path.trim_end_matches('/');
        path.is_empty() || self.files.contains(path) || self.folders.contains(path)
    }
}

/// `git ls-files` of the repository, when git runs and `root` is the top of its own checkout.
fn git_listing(root: &Path) -> Option<Listing> {
    let toplevel = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .ok()
        .filter(|output| output.status.success())?;
    let toplevel = PathBuf::from(String::from_utf8(toplevel.stdout).ok()?.trim());
    if toplevel.canonicalize().ok()? != root.canonicalize().ok()? {
        return None; // a copy of the tree inside another checkout: walk it instead
    }
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output()
        .ok()
        .filter(|output| output.status.success())?;
    let names = String::from_utf8(output.stdout).ok()?;
    let files: Vec<String> = names
        .split('\0')
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect();
    Some(Listing::from_files(root, files))
}

/// Folders never part of the repository (build output, dependencies, caches), by name anywhere or by
/// path from the root; the same things the `.gitignore` leaves out.
const SKIPPED_FOLDER_NAMES: &[&str] = &[
    ".git",
    "target",
    "node_modules",
    ".venv",
    ".venv-bench",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
];
const SKIPPED_FOLDER_PATHS: &[&str] = &[
    "fuzz/corpus",
    "fuzz/seeds",
    "fuzz/artifacts",
    "fuzz/coverage",
];
const SKIPPED_EXTENSIONS: &[&str] = &["so", "node", "pyc", "dylib", "dll"];

/// The repository's files found by walking the tree, for when git cannot list them.
fn walked_listing(root: &Path) -> Listing {
    fn walk(root: &Path, folder: &Path, found: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(folder) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let relative = relative_name(root, &path);
            let name = entry.file_name().to_string_lossy().into_owned();
            if kind.is_dir() {
                if !SKIPPED_FOLDER_NAMES.contains(&name.as_str())
                    && !SKIPPED_FOLDER_PATHS.contains(&relative.as_str())
                {
                    walk(root, &path, found);
                }
            } else if kind.is_file() {
                let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
                if !SKIPPED_EXTENSIONS.contains(&extension) {
                    found.push(relative);
                }
            }
            // Symbolic links are not followed: a link may point anywhere.
        }
    }
    let mut found = Vec::new();
    walk(root, root, &mut found);
    Listing::from_files(root, found)
}

fn relative_name(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|component| component.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn listing(root: &Path) -> (Listing, &'static str) {
    match git_listing(root) {
        Some(listing) => (listing, "git ls-files"),
        None => (walked_listing(root), "a walk of the tree"),
    }
}

/// The text of a file, or `None` for a binary file (a NUL byte in it).
fn text_of(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.contains(&0) {
        return None;
    }
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// Characters that continue a name or a path: a match next to one of them is part of another word.
fn is_word(character: char) -> bool {
    character.is_ascii_alphanumeric() || matches!(character, '_' | '-')
}

fn is_path_character(character: char) -> bool {
    is_word(character) || matches!(character, '.' | '/')
}

/// Every reference to a document outside the repository in `text` (the file `name`), as `name:line: …`.
fn outside_references(name: &str, text: &str, listing: &Listing) -> Vec<String> {
    let documents = outside_documents();
    let parent_folder = format!("../{OUTSIDE_FOLDER}");
    let folder = format!("{OUTSIDE_FOLDER}/");
    let mut offences = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let mut found: Vec<String> = Vec::new();
        for document in &documents {
            if occurrences(line, document).any(|at| !preceded_by(line, at, is_word)) {
                found.push(document.clone());
            }
        }
        if line.contains(&parent_folder) {
            found.push(parent_folder.clone());
        } else if occurrences(line, &folder).any(|at| {
            !preceded_by(line, at, |c| is_word(c) || c == '.')
                && !names_a_repository_path(line, at, listing)
        }) {
            found.push(folder.clone());
        }
        if !found.is_empty() {
            offences.push(format!(
                "{name}:{}: refers to {} outside the repository (point to docs/protocol.md or another \
                 file in the repository instead)",
                index + 1,
                found
                    .iter()
                    .map(|what| format!("`{what}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    offences
}

fn occurrences<'a>(line: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    line.match_indices(needle).map(|(at, _)| at)
}

fn preceded_by(line: &str, at: usize, class: impl Fn(char) -> bool) -> bool {
    line[..at].chars().next_back().is_some_and(class)
}

/// Whether the path-like word around byte `at` is a relative path inside the repository (a folder of
/// that name in the tree is not a reference to the outside one).
fn names_a_repository_path(line: &str, at: usize, listing: &Listing) -> bool {
    let start = line[..at]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_path_character(*c))
        .last()
        .map_or(at, |(index, _)| index);
    let end = line[at..]
        .char_indices()
        .find(|(_, c)| !is_path_character(*c))
        .map_or(line.len(), |(index, _)| at + index);
    let word = line[start..end].trim_end_matches('.');
    !word.starts_with('/')
        && !word.split('/').any(|part| part == "..")
        && listing.contains(word.trim_start_matches("./"))
}

/// Every relative link of a Markdown file that points to nothing in the repository, as `name:line: …`.
fn broken_markdown_links(name: &str, text: &str, listing: &Listing) -> Vec<String> {
    let folder = name.rsplit_once('/').map_or("", |(folder, _)| folder);
    let mut offences = Vec::new();
    let mut fence: Option<&str> = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"]
            .into_iter()
            .find(|marker| trimmed.starts_with(marker));
        match (fence, marker) {
            (None, Some(marker)) => {
                fence = Some(marker);
                continue;
            }
            (Some(open), Some(marker)) if open == marker => {
                fence = None;
                continue;
            }
            (Some(_), _) => continue,
            (None, None) => {}
        }
        for target in link_targets(line) {
            if let Some(problem) = check_link(folder, &target, listing) {
                offences.push(format!("{name}:{}: link `{target}` {problem}", index + 1));
            }
        }
    }
    offences
}

/// The targets of the inline links and images (`[text](target)`) and of a reference definition
/// (`[label]: target`) on one line, outside code spans.
fn link_targets(line: &str) -> Vec<String> {
    let prose: String = line
        .split('`')
        .enumerate()
        .map(|(index, part)| if index % 2 == 0 { part } else { " " })
        .collect();
    let mut targets = Vec::new();
    let trimmed = prose.trim_start();
    if trimmed.starts_with('[')
        && let Some((label, rest)) = trimmed.split_once("]:")
        && !label.contains(']')
        && let Some(target) = rest.split_whitespace().next()
    {
        targets.push(target.trim_matches(['<', '>']).to_string());
    }
    let mut rest = prose.as_str();
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        let target = if let Some(bracketed) = rest.strip_prefix('<') {
            bracketed.split('>').next().unwrap_or("")
        } else {
            let end = rest
                .find(|c: char| c == ')' || c.is_whitespace())
                .unwrap_or(rest.len());
            &rest[..end]
        };
        targets.push(target.to_string());
    }
    targets
}

/// Why a link target does not resolve to something in the repository, or `None` when it does (or is
/// not a relative link at all).
fn check_link(folder: &str, target: &str, listing: &Listing) -> Option<String> {
    let is_external = target.is_empty()
        || target.starts_with('#')
        || target.contains("://")
        || ["mailto:", "tel:", "data:"]
            .iter()
            .any(|scheme| target.starts_with(scheme));
    if is_external {
        return None;
    }
    let path = target.split(['#', '?']).next().unwrap_or("");
    let path = path.replace("%20", " ");
    let joined = match path.strip_prefix('/') {
        Some(from_root) => PathBuf::from(from_root),
        None => Path::new(folder).join(&path),
    };
    let mut parts: Vec<String> = Vec::new();
    for component in joined.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return Some("points outside the repository".to_string());
                }
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    let resolved = parts.join("/");
    if listing.contains(&resolved) {
        None
    } else {
        Some(format!(
            "points to `{resolved}`, which is not in the repository"
        ))
    }
}

/// Every offence in the repository at `root`.
fn offences(root: &Path, listing: &Listing) -> Vec<String> {
    let mut offences = Vec::new();
    for name in &listing.files {
        let Some(text) = text_of(&root.join(name)) else {
            continue;
        };
        offences.extend(outside_references(name, &text, listing));
        if name.to_ascii_lowercase().ends_with(".md") {
            offences.extend(broken_markdown_links(name, &text, listing));
        }
    }
    offences
}

#[test]
fn nothing_in_the_repository_refers_to_a_file_outside_it() {
    let root = repo_root();
    let (listing, how) = listing(&root);
    for expected in [
        "README.md",
        "Cargo.toml",
        "core/src/lib.rs",
        "tests/vectors/sign.json",
    ] {
        assert!(
            listing.files.contains(expected),
            "{how} did not list {expected} under {}: the check would prove nothing",
            root.display()
        );
    }
    let found = offences(&root, &listing);
    assert!(
        found.is_empty(),
        "{} reference(s) to files outside the repository or to nothing ({} files listed by {how}):\n{}",
        found.len(),
        listing.files.len(),
        found.join("\n")
    );
}

#[test]
fn the_walk_used_without_git_lists_every_file_git_lists() {
    let root = repo_root();
    let walked = walked_listing(&root);
    assert!(
        walked.files.contains("README.md"),
        "the walk found no README.md"
    );
    let Some(git) = git_listing(&root) else {
        return; // no git here: the walk is what the other test used
    };
    let missed: Vec<&String> = git.files.difference(&walked.files).collect();
    assert!(
        missed.is_empty(),
        "the walk misses files git lists: {missed:?}"
    );
}

#[test]
fn the_detectors_catch_what_they_should_and_only_that() {
    let listing = Listing::of(
        [
            "README.md",
            "docs/protocol.md",
            "core/src/lib.rs",
            &format!("emulator/src/{OUTSIDE_FOLDER}/mod.rs"),
        ]
        .map(str::to_string),
    );
    let document = &outside_documents()[0];
    let flagged = |text: &str| !outside_references("x.rs", text, &listing).is_empty();
    assert!(flagged(&format!("// see {document}, section 2")));
    assert!(flagged(&format!("see ../{OUTSIDE_FOLDER}/{document}")));
    assert!(flagged(&format!("/work/{OUTSIDE_FOLDER}/notes.txt")));
    assert!(flagged(&format!("cp ../{OUTSIDE_FOLDER} here")));
    assert!(!flagged("see docs/protocol.md, section 2"));
    assert!(!flagged(&format!("the X{document} file")));
    assert!(!flagged(&format!(
        "mod {OUTSIDE_FOLDER}; // {OUTSIDE_FOLDER}.rs"
    )));
    assert!(!flagged(&format!("un{OUTSIDE_FOLDER}/x")));
    // A folder of that name inside the repository is not the outside one.
    assert!(!flagged(&format!(
        "see emulator/src/{OUTSIDE_FOLDER}/mod.rs."
    )));
    assert!(flagged(&format!(
        "see emulator/src/{OUTSIDE_FOLDER}/gone.rs"
    )));
    let report = outside_references("a/b.md", &format!("one\nthe {document} says"), &listing);
    assert_eq!(report.len(), 1);
    assert!(report[0].starts_with("a/b.md:2: "), "{}", report[0]);

    let broken = |name: &str, text: &str| broken_markdown_links(name, text, &listing);
    assert!(
        broken(
            "README.md",
            "[p](docs/protocol.md#rules) [a](#x) [w](https://e.org/a.md)"
        )
        .is_empty()
    );
    assert!(
        broken(
            "docs/protocol.md",
            "[r](../README.md) and [c](../core/src/)"
        )
        .is_empty()
    );
    assert!(broken("README.md", "```\n[x](missing.md)\n```\n`[y](missing.md)`").is_empty());
    assert_eq!(broken("README.md", "text\n[x](missing.md)").len(), 1);
    assert!(broken("README.md", "[x](missing.md)")[0].starts_with("README.md:1: "));
    assert_eq!(broken("docs/protocol.md", "[x](../../outside.md)").len(), 1);
    assert_eq!(broken("README.md", "[ref]: docs/gone.md").len(), 1);
    assert_eq!(broken("README.md", "![img](<docs/no such.png>)").len(), 1);
}
