//! The one direction of data, checked in the imports: the module graph of `src/` (every
//! `crate::`, `super::`, `self::` and child-module path outside test code) has no cycle. A cycle
//! fails this test with its modules named in order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`probe::route::net`) of every source file of the library.
fn library_modules(src: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).expect("under src").with_extension("");
            let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            match parts.last().map(String::as_str) {
                Some("main") if parts.len() == 1 => continue,
                Some("lib") if parts.len() == 1 => parts.clear(),
                Some("mod") => {
                    parts.pop();
                }
                _ => {}
            }
            out.insert(parts.join("::"), path);
        }
    }
    out
}

/// The source without comments, string and char literals, and `#[cfg(test)]` items: only the
/// library's own code counts.
fn code_only(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            i += rest.find("*/").map_or(rest.len(), |end| end + 2);
        } else if rest.starts_with("r#\"") || rest.starts_with("r\"") {
            let hashes = rest[1..].chars().take_while(|&c| c == '#').count();
            let close = format!("\"{}", "#".repeat(hashes));
            let body = 2 + hashes;
            i += rest[body..].find(&close).map_or(rest.len(), |end| body + end + close.len());
        } else if bytes[i] == b'"' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            i = j + 1;
            out.push_str("\"\"");
        } else if bytes[i] == b'\'' && rest.len() > 2 && (rest.as_bytes()[2] == b'\'' || rest.as_bytes()[1] == b'\\') {
            let end = rest[1..].find('\'').map_or(1, |e| e + 2);
            i += end.max(3).min(rest.len());
        } else if rest.starts_with("#[cfg(test)]") {
            // Skip the attribute and the item it guards (up to its matching brace or semicolon).
            let mut j = i + "#[cfg(test)]".len();
            let mut depth = 0;
            while j < bytes.len() {
                match bytes[j] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            j += 1;
                            break;
                        }
                    }
                    b';' if depth == 0 => {
                        j += 1;
                        break;
                    }
                    _ => {}
                }
                j += 1;
            }
            i = j;
        } else {
            let c = rest.chars().next().expect("a char");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Every path a `use` tree names, braces expanded: `crate::{a, b::{c, d}}` → `crate::a`,
/// `crate::b::c`, `crate::b::d`.
fn expand_use_tree(tree: &str) -> Vec<String> {
    // Aliases (`x as y`) name nothing new.
    let mut words = tree.split_whitespace();
    let mut tree = String::new();
    while let Some(word) = words.next() {
        match word {
            "as" => {
                let alias = words.next().unwrap_or_default();
                tree.extend(alias.chars().filter(|c| matches!(c, ',' | '}')));
            }
            word => tree.push_str(word),
        }
    }
    let Some(open) = tree.find('{') else { return vec![tree] };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (index, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|part| expand_use_tree(&format!("{prefix}{part}")))
        .map(|path| path.trim_end_matches("::self").to_string())
        .collect()
}

/// The paths a module's code names: `use` trees and inline `crate::`/`super::`/`self::`/child paths.
fn named_paths(code: &str, children: &BTreeSet<String>) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        let after = &rest[at + 4..];
        rest = after;
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(end) = after.find(';') else { break };
        for path in expand_use_tree(&after[..end]) {
            paths.push(path);
        }
    }
    let tokens = code.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'));
    for token in tokens {
        let Some(first) = token.split("::").next() else { continue };
        // `super::{` leaves `super::`: a use tree, expanded above.
        if token.contains("::")
            && !token.ends_with("::")
            && (matches!(first, "crate" | "super" | "self") || children.contains(first))
        {
            paths.push(token.to_string());
        }
    }
    paths
}

/// Resolves a path named in module `from` to the deepest library module it reaches.
fn resolve(from: &str, path: &str, modules: &BTreeMap<String, PathBuf>) -> Option<String> {
    let mut segments: Vec<&str> = if from.is_empty() { Vec::new() } else { from.split("::").collect() };
    let mut parts = path.split("::").peekable();
    match parts.peek().copied() {
        Some("crate") => {
            segments.clear();
            parts.next();
        }
        Some("super") => {
            while parts.peek() == Some(&"super") {
                segments.pop();
                parts.next();
            }
        }
        Some("self") => {
            parts.next();
        }
        Some(first) if modules.contains_key(&[segments.clone(), vec![first]].concat().join("::")) => {}
        _ => return None,
    }
    let mut best = Some(segments.join("::"));
    for part in parts {
        segments.push(part);
        let candidate = segments.join("::");
        if modules.contains_key(&candidate) {
            best = Some(candidate);
        } else {
            break;
        }
    }
    best.filter(|m| modules.contains_key(m))
}

/// A cycle in the graph, as the modules along it; `None` when there is none.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let start = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(cycle) = visit(next, graph, state, stack) {
                        return Some(cycle);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(cycle) = visit(node, graph, &mut state, &mut stack) {
                return Some(cycle);
            }
        }
    }
    None
}

/// Modules as nodes, "names a path into" as edges; the crate root only declares modules.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = library_modules(&src);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, path) in &modules {
        if module.is_empty() {
            continue;
        }
        let code = code_only(&std::fs::read_to_string(path).expect("read module"));
        let prefix = format!("{module}::");
        let children: BTreeSet<String> = modules
            .keys()
            .filter_map(|m| m.strip_prefix(&prefix))
            .filter(|rest| !rest.contains("::"))
            .map(str::to_string)
            .collect();
        let edges = graph.entry(module.clone()).or_default();
        for named in named_paths(&code, &children) {
            if let Some(target) = resolve(module, &named, &modules)
                && &target != module
                && !target.is_empty()
            {
                edges.insert(target);
            }
        }
    }
    graph
}

#[test]
fn src_modules_import_each_other_in_one_direction_only() {
    let graph = module_graph();
    if std::env::var_os("MTLSCHECK_PRINT_GRAPH").is_some() {
        for (module, edges) in &graph {
            eprintln!("{module} -> {}", edges.iter().cloned().collect::<Vec<_>>().join(", "));
        }
    }
    assert!(graph.len() > 40, "the graph should cover every module of src/, found {}", graph.len());
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle among src/ modules: {}", cycle.join(" -> "));
    }
}

#[test]
fn the_cycle_finder_finds_cycles_and_expands_use_trees() {
    assert_eq!(
        expand_use_tree("crate::{a, b::{c, d as e}, f::self}"),
        ["crate::a", "crate::b::c", "crate::b::d", "crate::f"]
    );
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    assert_eq!(find_cycle(&graph), None);
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(find_cycle(&graph), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
}

#[test]
fn the_floor_imports_nothing_above_it() {
    let graph = module_graph();
    let floor = |m: &str| {
        ["model", "names", "hostport", "dates", "alerts", "files", "certificate_request", "style"]
            .iter()
            .any(|f| m == *f || m.starts_with(&format!("{f}::")))
    };
    for (module, edges) in &graph {
        if floor(module) {
            let above: Vec<&String> = edges.iter().filter(|e| !floor(e)).collect();
            assert!(above.is_empty(), "{module} (plain data) imports {above:?} from a stage above it");
        }
    }
    let probe_only = |m: &str| m == "probe" || m.starts_with("probe::");
    for (module, edges) in &graph {
        if edges.contains("ffi") {
            assert!(probe_only(module), "{module} uses ffi; only the probe may");
        }
    }
}
